"""Published configurations against the published models themselves (issue 13).

Each kinetics set named after a paper has a ``published`` configuration that
reproduces the paper's model (its reversals, leak, temperature factors, signs);
the energy-ready configuration departs from it only by named, listed switches
(``biophysics.DEPARTURES``). References here are independent of our code: the
papers' equations written out in the test, NEURON's built-in ``hh`` on plain
sections, a Runge-Kutta integration of the Wang-Buzsaki equations, and numbers
recorded from the original ModelDB 2488 files run unchanged in NEURON.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from cablemodels import biophysics as B
from cablemodels import parameters as P
from cablemodels.axon import (MyelinatedAxonParams, UnmyelinatedAxonParams,
                              build_myelinated_axon, build_unmyelinated_axon)
from cablemodels.cell import Discretization
from cablemodels.demo import demo_params
from cablemodels.protocols import axon_velocity
from cablemodels.soma import NeuronParams, build_neuron
from references import plain_hh_velocity

MAMMALIAN = B.Ions.preset("mammalian")

# ------------------------------------------------------------------------------ MS96
#: Recorded from the original ModelDB 2488 na.mod and kv.mod (Mainen & Sejnowski 1996),
#: compiled unchanged with nrnivmodl (NEURON 9) and called from Python:
#: ``usetable_na = usetable_kv = 0; vshift_na = -5; celsius = T; setdata_na(seg);
#: rates_na(v + vshift_na); rates_kv(v)`` (the mechanism calls trates(v+vshift)), reading
#: minf_na, mtau_na, hinf_na, htau_na, ninf_kv, ntau_kv and tadj_na.
#: Keys (celsius, v): (minf, mtau, hinf, htau, ninf, ntau, tadj).
MS96_ORIGINAL = {
    (37.0, -70.0): (0.01694454927, 0.06103050895, 0.8338140711, 6.285797997,
                    0.000260415816, 1.639468225, 3.209363953),
    (37.0, -40.0): (0.3257686159, 0.1136490742, 0.03820604658, 1.63549989,
                    0.007248850458, 2.37772075, 3.209363953),
    (37.0, 0.0): (0.9762713746, 0.05372579142, 6.267912904e-05, 0.2884718645,
                  0.3833879435, 3.603662723, 3.209363953),
    (23.0, -70.0): (0.01694454927, 0.1958691155, 0.8338140711, 20.17341351,
                    0.000260415816, 5.261650224, 1.0),
    (23.0, -40.0): (0.3257686159, 0.3647412422, 0.03820604658, 5.248914393,
                    0.007248850458, 7.630971265, 1.0),
    (23.0, 0.0): (0.9762713746, 0.1724256183, 6.267912904e-05, 0.9258112036,
                  0.3833879435, 11.56546524, 1.0),
}


def _efun(z):
    return 1 - z / 2 if abs(z) < 1e-6 else z / math.expm1(z)


def ms96_published(v_mV, celsius, vshift=-5.0):
    """Mainen & Sejnowski's na.mod/kv.mod equations, written out (ModelDB 2488).

    Na+ rates at vm = v + vshift (tha -35, qa 9, Ra 0.182, Rb 0.124; thi1 -50,
    thi2 -75, qi 5, Rd 0.024, Rg 0.0091; thinf -65, qinf 6.2); K+ rates at v
    (tha 25, qa 9, Ra 0.02, Rb 0.002); tadj = 2.3^((celsius - 23)/10) divides
    every tau (and multiplies gbar).
    """
    tadj = 2.3 ** ((celsius - 23.0) / 10.0)
    vm = v_mV + vshift
    a, b = 0.182 * 9 * _efun((-35 - vm) / 9), 0.124 * 9 * _efun((vm + 35) / 9)
    minf, mtau = a / (a + b), 1 / tadj / (a + b)
    a, b = 0.024 * 5 * _efun((-50 - vm) / 5), 0.0091 * 5 * _efun((vm + 75) / 5)
    hinf, htau = 1 / (1 + math.exp((vm + 65) / 6.2)), 1 / tadj / (a + b)
    a, b = 0.02 * 9 * _efun(-(v_mV - 25) / 9), 0.002 * 9 * _efun((v_mV - 25) / 9)
    ninf, ntau = a / (a + b), 1 / tadj / (a + b)
    return minf, mtau, hinf, htau, ninf, ntau, tadj


def _ms96_from_neuron(h, v_mV, celsius):
    sec = h.Section(name="ms96")
    try:
        sec.insert("cm_na_ms96")
        sec.insert("cm_k_ms96")
        h.usetable_cm_na_ms96 = 0
        h.usetable_cm_k_ms96 = 0
        h.celsius = celsius
        h.setdata_cm_na_ms96(sec(0.5))
        h.rates_cm_na_ms96(v_mV)
        h.setdata_cm_k_ms96(sec(0.5))
        h.rates_cm_k_ms96(v_mV)
        return (h.minf_cm_na_ms96, h.mtau_cm_na_ms96, h.hinf_cm_na_ms96, h.htau_cm_na_ms96,
                h.ninf_cm_k_ms96, h.ntau_cm_k_ms96)
    finally:
        h.usetable_cm_na_ms96 = 1
        h.usetable_cm_k_ms96 = 1
        h.delete_section(sec=sec)


@pytest.mark.parametrize("celsius", [37.0, 23.0])
@pytest.mark.parametrize("v_mV", [-70.0, -40.0, 0.0])
def test_ms96_rates_match_the_published_equations_and_the_original_files(h, v_mV, celsius):
    """Steady states and time constants of cm_na_ms96/cm_k_ms96 at three voltages, two
    temperatures: against the published equations (rates at v + vshift, vshift = -5 mV
    as demofig1.hoc sets it; tau divided by tadj) and against the numbers the original
    ModelDB 2488 files gave (:data:`MS96_ORIGINAL`), both to 1e-6 relative."""
    ours = _ms96_from_neuron(h, v_mV, celsius)
    equations = ms96_published(v_mV, celsius)
    original = MS96_ORIGINAL[(celsius, v_mV)]
    names = ("minf", "mtau", "hinf", "htau", "ninf", "ntau")
    for name, got, eq, orig in zip(names, ours, equations, original):
        assert got == pytest.approx(eq, rel=1e-6), name
        assert got == pytest.approx(orig, rel=1e-6), name
    # The sign of vshift: our minf at v equals the unshifted equations at v - 5 mV.
    unshifted = ms96_published(v_mV - 5.0, celsius, vshift=0.0)
    assert ours[0] == pytest.approx(unshifted[0], rel=1e-9)
    wrong_sign = ms96_published(v_mV + 5.0, celsius, vshift=0.0)
    assert abs(ours[0] - wrong_sign[0]) > 1e-3 * ours[0]


@pytest.mark.parametrize("celsius", [37.0, 23.0])
@pytest.mark.parametrize("tadj_on", [True, False])
def test_ms96_tadj_multiplies_the_conductance_as_published(h, celsius, tadj_on):
    """gna = tadj gnabar m^3 h and gk = tadj gkbar n with tadj = 2.3^((T - 23)/10)
    (3.209363953 at 37 degC, the original's tadj_na) when ``gbar_tadj`` is on (the
    published behaviour, our default); tadj = 1 when it is off (departure
    ``ms96_no_tadj``). Read from the built membrane after finitialize."""
    membrane = B.Membrane.mammalian("soma", "ms96", gbar_tadj=tadj_on)
    params = NeuronParams(soma_diameter_um=10.0, membrane=membrane, temperature_degC=celsius)
    cell = build_neuron(params)
    try:
        h.celsius = celsius
        h.finitialize(-60.0)  # INITIAL sets m, h, n, then the currents are evaluated
        seg = cell.sections("soma")[0](0.5)
        na, k = seg.cm_na_ms96, seg.cm_k_ms96
        expected = MS96_ORIGINAL[(celsius, 0.0)][6] if tadj_on else 1.0
        assert na.tadj == pytest.approx(expected, rel=1e-9)
        assert k.tadj == pytest.approx(expected, rel=1e-9)
        assert na.gna == pytest.approx(expected * na.gnabar * na.m ** 3 * na.h, rel=1e-12)
        assert k.gk == pytest.approx(expected * k.gkbar * k.n, rel=1e-12)
        assert ("ms96_no_tadj" in B.departures(membrane)) is (not tadj_on)
    finally:
        cell.delete()


def test_ms96_published_node_spike_matches_the_original(h):
    """A space-clamped MS96 node in the published configuration against the original.

    Original (ModelDB 2488 na.mod unchanged, NEURON 9; demofig1.hoc values): one
    10 x 10 um section with ``na`` (gbar 30000 pS/um2, vshift_na -5) and ``pas``
    (g 0.02 S/cm2, e -70 mV), cm 0.75, ena 60 mV, celsius 37, tables off,
    finitialize(-70), fixed dt 0.025 ms, IClamp 2 nA for 0.1 ms at 1 ms: v(1 ms) =
    -69.722862 mV, spike peak 59.368740 mV at 1.200 ms. Ours must agree to 1e-3 mV.
    """
    membrane = B.Membrane.mammalian("node", "ms96", config="published")
    assert B.departures(membrane) == []
    params = UnmyelinatedAxonParams(
        diameter_um=10.0, length_um=10.0, membrane=membrane, temperature_degC=37.0,
        ions=MAMMALIAN, ra_ohm_cm=P.value("ms96.ra_ohm_cm"),
        discretization=Discretization(d_lambda=10.0))  # one segment for 10 um
    cell = build_unmyelinated_axon(params)
    try:
        seg = cell.sections("axon")[0](0.5)
        assert cell.nseg_total() == 1
        stim = h.IClamp(seg)
        stim.delay, stim.dur, stim.amp = 1.0, 0.1, 2.0
        vrec = h.Vector().record(seg._ref_v)
        h.usetable_cm_na_ms96 = 0
        h.celsius, h.dt = 37.0, 0.025
        h.finitialize(-70.0)
        h.continuerun(5.0)
        v = np.array(vrec)
        assert v[40] == pytest.approx(-69.722862, abs=1e-3)
        assert v.max() == pytest.approx(59.368740, abs=1e-3)
        assert v.argmax() * 0.025 == pytest.approx(1.2, abs=1e-9)
    finally:
        h.usetable_cm_na_ms96 = 1
        cell.delete()


# ------------------------------------------------------------------------------ HH
def test_hh_published_velocity_matches_plain_neuron_hh(h):
    """The demo's axon (476 um squid axon at 18.5 degC, HH's published configuration)
    conducts within 1% of NEURON's built-in ``hh`` on a plain section of the same
    length, diameter, Ra and nseg (reference computed in this test; on this machine
    18.70 m/s). Hodgkin & Huxley 1952 computed 18.8 m/s (p. 530)."""
    params = demo_params()
    assert B.departures(params) == []
    cell = build_unmyelinated_axon(params)
    try:
        nseg = cell.nseg_total()
        ours = axon_velocity(cell).velocity_m_s
    finally:
        cell.delete()
    reference = plain_hh_velocity(h, params.length_um, params.diameter_um, nseg,
                                  params.temperature_degC, amp_nA=20000.0)
    print(f"476 um squid axon, 18.5 degC: ours {ours:.3f} m/s, plain hh {reference:.3f} m/s")
    assert ours == pytest.approx(reference, rel=0.01)
    assert reference == pytest.approx(P.value("squid.hh_velocity_m_s"), rel=0.02)


# ------------------------------------------------------------------------------ WB
def _wb_rhs(v, h_, n, i_app):
    """Wang & Buzsaki 1996 (J Neurosci 16:6402), eqs 1-6: dV/dt, dh/dt, dn/dt in mV, ms,
    mS/cm2, uA/cm2 (C = 1 uF/cm2, phi = 5, E_Na 55, E_K -90, E_L -65 mV)."""
    am = 0.1 * (v + 35) / -math.expm1(-(v + 35) / 10)
    bm = 4 * math.exp(-(v + 60) / 18)
    m = am / (am + bm)
    ah = 0.07 * math.exp(-(v + 58) / 20)
    bh = 1 / (1 + math.exp(-(v + 28) / 10))
    an = 0.01 * (v + 34) / -math.expm1(-(v + 34) / 10)
    bn = 0.125 * math.exp(-(v + 44) / 80)
    i_ion = 35 * m ** 3 * h_ * (v - 55) + 9 * n ** 4 * (v + 90) + 0.1 * (v + 65)
    return -i_ion + i_app, 5.0 * (ah * (1 - h_) - bh * h_), 5.0 * (an * (1 - n) - bn * n)


def _rk4(y, i_app, dt):
    k1 = _wb_rhs(*y, i_app)
    k2 = _wb_rhs(*(a + dt / 2 * k for a, k in zip(y, k1)), i_app)
    k3 = _wb_rhs(*(a + dt / 2 * k for a, k in zip(y, k2)), i_app)
    k4 = _wb_rhs(*(a + dt * k for a, k in zip(y, k3)), i_app)
    return tuple(a + dt / 6 * (p + 2 * q + 2 * r + s)
                 for a, p, q, r, s in zip(y, k1, k2, k3, k4))


def _wb_rest(settle=500.0, dt=0.01):
    y = (-65.0, 0.6, 0.3)
    for _ in range(int(settle / dt)):
        y = _rk4(y, 0.0, dt)
    return y


def _wb_rk4(i_uA_cm2, rest, t_stop=300.0, delay=10.0, dt=0.01):
    """Classical Runge-Kutta at fixed dt from ``rest`` (state after 500 ms without
    current), a step of ``i_uA_cm2`` from ``delay``; returns the peak V (mV)."""
    y, peak = rest, rest[0]
    for step in range(int(round(t_stop / dt))):
        y = _rk4(y, i_uA_cm2 if step * dt >= delay else 0.0, dt)
        peak = max(peak, y[0])
    return peak


def _wb_neuron(h, cell, i_uA_cm2, t_stop=300.0, delay=10.0, settle=500.0):
    seg = cell.sections("soma")[0](0.5)
    stim = h.IClamp(seg)
    stim.delay, stim.dur = settle + delay, 1e9
    stim.amp = i_uA_cm2 * seg.area() * 1e-8 * 1e3  # uA/cm2 * cm2 = uA -> nA
    vrec = h.Vector().record(seg._ref_v)
    trec = h.Vector().record(h._ref_t)
    cv = h.CVode()
    cv.active(1)
    cv.atol(1e-8)
    cv.rtol(1e-8)
    h.celsius = 37.0
    h.finitialize(-65.0)
    h.continuerun(settle + t_stop)  # rest first, as in the reference
    cv.active(0)
    v, t = np.array(vrec), np.array(trec)
    return v[t >= settle].max()


def _bisect(fires, lo, hi, tol):
    while hi - lo > tol:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if fires(mid) else (mid, hi)
    return (lo + hi) / 2


def test_wb_published_spike_peak_and_rheobase_match_the_equations(h):
    """Single compartment, Wang & Buzsaki's published configuration (E_Na 55, E_K -90,
    ohmic leak 0.1 mS/cm2 at -65 mV, phi 5, 37 degC), against WB's equations written
    above and integrated by classical Runge-Kutta at dt = 0.01 ms (the peak moves by
    0.016 mV from dt 0.01 to 0.005 ms): peak of a 1 uA/cm2 step's spikes within
    0.2 mV; rheobase (smallest step firing within 290 ms, bisected to 1e-3 uA/cm2)
    within 2%. Both rest 500 ms first."""
    membrane = B.Membrane.mammalian("soma", "wb", config="published")
    assert B.departures(membrane) == []
    params = NeuronParams(soma_diameter_um=10.0, membrane=membrane)
    cell = build_neuron(params)
    try:
        ours_peak = _wb_neuron(h, cell, 1.0)
        rest = _wb_rest()
        ref_peak = _wb_rk4(1.0, rest)
        ours_rheo = _bisect(lambda i: _wb_neuron(h, cell, i) > 0, 0.0, 1.0, 1e-3)
    finally:
        cell.delete()
    ref_rheo = _bisect(lambda i: _wb_rk4(i, rest) > 0, 0.0, 1.0, 1e-3)
    print(f"WB published: peak {ours_peak:.3f} mV (Runge-Kutta {ref_peak:.3f}); rheobase "
          f"{ours_rheo:.4f} uA/cm2 (Runge-Kutta {ref_rheo:.4f})")
    assert ref_peak > 0, "reference did not spike"
    assert ours_peak == pytest.approx(ref_peak, abs=0.2)
    assert ours_rheo == pytest.approx(ref_rheo, rel=0.02)


# ------------------------------------------------------------------------------ leaks
def _presets():
    """Every membrane a factory or a parameter class builds by default, by name."""
    out = {}
    for config in B.CONFIGS:
        out[f"squid/{config}"] = B.Membrane.squid(config=config)
        for kinetics in ("wb", "ms96"):
            for role in ("axon", "node", "soma"):
                if kinetics == "wb" and role == "node" and config == "published":
                    continue
                out[f"{kinetics}/{role}/{config}"] = B.Membrane.mammalian(
                    role, kinetics, config=config)
        out[f"axolemma/{config}"] = B.Membrane.axolemma(0.75, MAMMALIAN, 37.0, config)
    for kinetics in ("wb", "ms96"):
        p = MyelinatedAxonParams.mammalian(kinetics=kinetics)
        out[f"myelinated/{kinetics}/node"] = p.node_membrane
        out[f"myelinated/{kinetics}/axolemma"] = p.axolemma()
        out[f"unmyelinated/{kinetics}"] = UnmyelinatedAxonParams.mammalian(kinetics).membrane
    out["squid axon default"] = UnmyelinatedAxonParams().membrane
    out["neuron default"] = NeuronParams().membrane
    out["demo"] = demo_params().membrane
    return out


def test_every_preset_leak_has_its_documented_conductance_reversal_and_ion_split():
    """Each preset's leak is a named published leak (biophysics.LEAK_MODELS, every value
    with its source in the parameter table). Published configurations keep the paper's
    ohmic leak (``pas``, no ion); energy-ready ones book it to the documented ions with
    the published slope conductance at the published reversal (K+ leaks: at E_K). No
    stabiliser is ever booked to Na+ or K+, and no energy-ready preset has an ohmic one."""
    for model in B.LEAK_MODELS.values():
        assert P.source(model.g_key) and P.source(model.e_key)
    for name, m in _presets().items():
        if name.startswith("squid") or name in ("squid axon default", "demo"):
            ions = B.Ions.preset("squid")
            t = P.value("squid.temperature_degC")
        else:
            ions, t = MAMMALIAN, 37.0
        assert m.leak_model in B.LEAK_MODELS, f"{name}: leak {m.leak_model!r} is not documented"
        spec = B.LEAK_MODELS[m.leak_model]
        g, e = B.leak_conductance_S_cm2(m.leak_model), P.value(spec.e_key)
        published = m.pas_g_S_cm2 > 0
        if published:
            assert m.leak.ions == (), f"{name}: an ohmic leak must carry no ion"
            assert (m.pas_g_S_cm2, m.pas_e_mV) == (g, e), name
            continue
        assert spec.role == "physiology", f"{name}: stabiliser {m.leak_model} booked to ions"
        assert m.leak.ions == spec.energy_ions, name
        leak = m.leak
        e_expected = ions.nernst_mV("k", t) if spec.energy_ions == ("k",) else e
        rev = B.ghk_voltage_mV(leak.pk_cm_s, leak.pna_cm_s, leak.pcl_cm_s, ions, t)
        assert rev == pytest.approx(e_expected, abs=1e-6), name

        def current(v):
            return sum(B.ghk_current_mA_cm2(p, v, ions.inside(ion), ions.outside(ion),
                                            B.VALENCE[ion], t)
                       for ion, p in (("na", leak.pna_cm_s), ("k", leak.pk_cm_s)))

        slope = (current(rev + 1e-3) - current(rev - 1e-3)) / 2e-3
        assert slope == pytest.approx(g, rel=1e-6), name
    for model, spec in B.LEAK_MODELS.items():
        if spec.role == "stabiliser":
            with pytest.raises(ValueError, match="never booked"):
                B._with_leak(B.Membrane(), model, "energy", MAMMALIAN, 37.0)


def test_built_myelinated_axon_books_no_nodal_leak_as_na(h):
    """In the built default myelinated axon, every node's cm_leak has P_Na = 0 (MRG's
    nodal leak is booked to K+ only), no section carries an ohmic ``pas``, and the
    internodal axolemma leak reverses at MRG's -80 mV."""
    cell = build_myelinated_axon(MyelinatedAxonParams.mammalian())
    try:
        for role, sec, seg in cell.segments():
            assert not h.ismembrane("pas", sec=sec), sec.name()
            if role == "node":
                assert seg.cm_leak.pna == 0.0 and seg.cm_leak.pk > 0
            else:
                assert seg.cm_leak.pna > 0 and seg.cm_leak.pk > 0
    finally:
        cell.delete()


# ------------------------------------------------------------------------------ departures
def test_departures_name_what_the_energy_ready_configurations_change():
    """departures() is empty for the published configurations and lists, by name, every
    switch the energy-ready ones throw (all names documented in DEPARTURES)."""
    assert B.departures(B.Membrane.squid(config="published")) == []
    assert B.departures(B.Membrane.squid()) == ["ghk_leak", "nernst_reversals"]
    assert B.departures(B.Membrane.mammalian("soma", config="published")) == []
    assert B.departures(B.Membrane.mammalian("node", "ms96", config="published")) == []
    assert B.departures(MyelinatedAxonParams.mammalian()) == [
        "ghk_leak", "mrg_nodal_leak", "ms96_node_kv", "nernst_reversals"]
    assert "wb_node_densities" in B.departures(MyelinatedAxonParams.mammalian(kinetics="wb"))
    assert "ms96_soma_no_ca_km_kca" in B.departures(
        B.Membrane.mammalian("soma", "ms96", config="published"))
    assert "ms96_no_tadj" in B.departures(B.Membrane.mammalian("node", "ms96", gbar_tadj=False))
    warm = UnmyelinatedAxonParams.mammalian(temperature_degC=30.0)
    assert "temperature" in B.departures(warm)
    assert "temperature" not in B.departures(UnmyelinatedAxonParams())  # HH: Q10 is published
    with pytest.raises(ValueError, match="no nodal"):
        B.Membrane.mammalian("node", "wb", config="published")
    with pytest.raises(ValueError, match="configuration"):
        B.Membrane.squid(config="exact")
    with pytest.raises(TypeError, match="departures"):
        B.departures(42)
    for name in B.departures(MyelinatedAxonParams.mammalian(kinetics="wb")):
        assert name in B.DEPARTURES


def test_departures_of_a_built_cell_are_those_of_its_membranes(h):
    """A built cell reports the departures of the membranes it applied, at its
    temperature: the same as its parameters for the presets, for an SWC cell too."""
    from cablemodels.morphology import SwcParams, load_swc, shipped

    params = MyelinatedAxonParams.mammalian(n_nodes=3)
    cells = [build_myelinated_axon(params)]
    try:
        assert B.departures(cells[0]) == B.departures(params)
        published = demo_params()
        cells.append(build_unmyelinated_axon(published.__class__(
            diameter_um=10.0, length_um=100.0, membrane=published.membrane,
            temperature_degC=published.temperature_degC)))
        assert B.departures(cells[1]) == []
        swc = SwcParams(shipped("pyramidal_myelinated"))
        cells.append(load_swc(swc))
        assert "nernst_reversals" in B.departures(cells[2])
        assert set(B.departures(cells[2])) <= set(B.departures(swc))
    finally:
        for cell in cells:
            cell.delete()
