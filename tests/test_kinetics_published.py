"""Channel kinetics, pump and leak against the published equations, written out here.

Layer 1 of the suite (closed-form references, no cable): for each mechanism the
steady states and time constants NEURON computes are compared, at several voltages
and at two temperatures (one of them away from the set's reference temperature, so
that the Q10 factor is exercised), with the equations of the paper the mechanism
cites, written out below in the paper's own form (not imported from cablemodels
and not copied from the .mod files). Tolerance 1e-6 relative: both sides evaluate
the same closed forms in double precision, so anything larger is a changed
constant, exponent or sign.

Every default a hoc user gets (PARAMETER defaults of a freshly inserted mechanism,
GLOBALs read as ``h.<name>_<suffix>``) is checked against the paper's number,
written here with its citation, and against the entry of
``cablemodels.parameters.TABLE`` that cites it.

MS96's rates are tested against the original ModelDB files in
tests/test_published_models.py; this file covers the squid HH, Wang-Buzsaki and
HCN channel sets, the Na+/K+ pump and the GHK leak.
"""

from __future__ import annotations

import math

import pytest

from cablemodels import parameters as P

#: SI 2019 exact constants (NEURON >= 8 uses these for FARADAY and R in NMODL).
E_CHARGE = 1.602176634e-19
N_A = 6.02214076e23
K_B = 1.380649e-23
FARADAY = E_CHARGE * N_A   # C/mol
GAS = K_B * N_A            # J/(mol K)

REL = 1e-6


def _rel(got, want):
    return abs(got - want) / max(abs(want), 1e-300)


def _section(h, *mechanisms, name="k"):
    sec = h.Section(name=name)
    sec.nseg = 1
    sec.L = sec.diam = 10.0
    for mech in mechanisms:
        sec.insert(mech)
    return sec


def _call_rates(h, sec, suffix, v_mV, celsius, table=False):
    """Run the mechanism's own PROCEDURE rates(v) at ``celsius`` (table off unless asked)."""
    h.celsius = celsius
    usetable = f"usetable_{suffix}"
    old = getattr(h, usetable, None)
    if old is not None:
        setattr(h, usetable, 1 if table else 0)
    try:
        getattr(h, f"setdata_{suffix}")(sec(0.5))
        getattr(h, f"rates_{suffix}")(v_mV)
    finally:
        if old is not None:
            setattr(h, usetable, old)


# --------------------------------------------------------------------------- squid HH 1952
def hh52(v_mV, celsius):
    """Hodgkin & Huxley 1952 J Physiol 117:500, eqs. 12-13 (n), 20-21 (m), 23-24 (h).

    Written in the paper's own variable: V = depolarisation from rest in mV
    (positive depolarising, the modern sign; the paper's V is its negative), rest
    at -65 mV. Rates in 1/ms at 6.3 degC, multiplied by phi = 3^((T - 6.3)/10)
    (p. 519).
    """
    V = v_mV + 65.0
    phi = 3.0 ** ((celsius - 6.3) / 10.0)
    a_m = 0.1 * (25.0 - V) / (math.exp((25.0 - V) / 10.0) - 1.0)
    b_m = 4.0 * math.exp(-V / 18.0)
    a_h = 0.07 * math.exp(-V / 20.0)
    b_h = 1.0 / (math.exp((30.0 - V) / 10.0) + 1.0)
    a_n = 0.01 * (10.0 - V) / (math.exp((10.0 - V) / 10.0) - 1.0)
    b_n = 0.125 * math.exp(-V / 80.0)
    return {"minf": a_m / (a_m + b_m), "mtau": 1.0 / (phi * (a_m + b_m)),
            "hinf": a_h / (a_h + b_h), "htau": 1.0 / (phi * (a_h + b_h)),
            "ninf": a_n / (a_n + b_n), "ntau": 1.0 / (phi * (a_n + b_n))}


#: Away from the removable singularities of a_m (V = 25) and a_n (V = 10).
HH_VOLTAGES = [-100.0, -80.0, -65.0, -52.0, -30.0, 0.0, 20.0, 45.0]


@pytest.mark.parametrize("celsius", [6.3, 18.5])
@pytest.mark.parametrize("v_mV", HH_VOLTAGES)
def test_squid_hh_rates_are_hodgkin_huxley_1952(h, v_mV, celsius):
    """cm_na_hh (minf, mtau, hinf, htau) and cm_k_hh (ninf, ntau) equal HH 1952's
    equations at 6.3 degC (their reference) and 18.5 degC (the propagated-AP
    temperature, Q10 = 3 applied), 1e-6 relative."""
    sec = _section(h, "cm_na_hh", "cm_k_hh", name="hh52")
    try:
        _call_rates(h, sec, "cm_na_hh", v_mV, celsius)
        _call_rates(h, sec, "cm_k_hh", v_mV, celsius)
        want = hh52(v_mV, celsius)
        got = {"minf": h.minf_cm_na_hh, "mtau": h.mtau_cm_na_hh, "hinf": h.hinf_cm_na_hh,
               "htau": h.htau_cm_na_hh, "ninf": h.ninf_cm_k_hh, "ntau": h.ntau_cm_k_hh}
        for name in want:
            assert _rel(got[name], want[name]) < REL, (
                f"{name} at {v_mV} mV, {celsius} degC: mechanism {got[name]:.9g}, "
                f"HH 1952 {want[name]:.9g}")
    finally:
        h.delete_section(sec=sec)


# --------------------------------------------------------------------------- Wang-Buzsaki 1996
def wb96(v_mV, celsius):
    """Wang & Buzsaki 1996 J Neurosci 16:6402, Methods (eqs. for I_Na, I_K).

    m = m_inf instantaneous; dh/dt = phi (a_h (1 - h) - b_h h), dn/dt likewise,
    phi = 5. The paper states no temperature; cablemodels takes phi to hold at
    37 degC and multiplies it by 3^((T - 37)/10) elsewhere (its stated assumption,
    parameters.TABLE "wb.phi"), so at 37 degC this is the paper exactly.
    """
    phi = 5.0 * 3.0 ** ((celsius - 37.0) / 10.0)
    a_m = -0.1 * (v_mV + 35.0) / (math.exp(-0.1 * (v_mV + 35.0)) - 1.0)
    b_m = 4.0 * math.exp(-(v_mV + 60.0) / 18.0)
    a_h = 0.07 * math.exp(-(v_mV + 58.0) / 20.0)
    b_h = 1.0 / (math.exp(-0.1 * (v_mV + 28.0)) + 1.0)
    a_n = -0.01 * (v_mV + 34.0) / (math.exp(-0.1 * (v_mV + 34.0)) - 1.0)
    b_n = 0.125 * math.exp(-(v_mV + 44.0) / 80.0)
    return {"minf": a_m / (a_m + b_m), "hinf": a_h / (a_h + b_h),
            "htau": 1.0 / (phi * (a_h + b_h)), "ninf": a_n / (a_n + b_n),
            "ntau": 1.0 / (phi * (a_n + b_n))}


#: Away from the removable singularities of a_m (-35 mV) and a_n (-34 mV).
WB_VOLTAGES = [-90.0, -75.0, -64.0, -50.0, -20.0, 0.0, 15.0, 40.0]


@pytest.mark.parametrize("celsius", [37.0, 30.0])
@pytest.mark.parametrize("v_mV", WB_VOLTAGES)
def test_wang_buzsaki_rates_are_the_published_equations(h, v_mV, celsius):
    """cm_na_wb (minf, hinf, htau) and cm_k_wb (ninf, ntau) equal Wang & Buzsaki's
    equations at 37 degC and at 30 degC (phi scaled by Q10 = 3), 1e-6 relative."""
    sec = _section(h, "cm_na_wb", "cm_k_wb", name="wb96")
    try:
        _call_rates(h, sec, "cm_na_wb", v_mV, celsius)
        _call_rates(h, sec, "cm_k_wb", v_mV, celsius)
        want = wb96(v_mV, celsius)
        got = {"minf": h.minf_cm_na_wb, "hinf": h.hinf_cm_na_wb, "htau": h.htau_cm_na_wb,
               "ninf": h.ninf_cm_k_wb, "ntau": h.ntau_cm_k_wb}
        for name in want:
            assert _rel(got[name], want[name]) < REL, (
                f"{name} at {v_mV} mV, {celsius} degC: mechanism {got[name]:.9g}, "
                f"Wang & Buzsaki 1996 {want[name]:.9g}")
    finally:
        h.delete_section(sec=sec)


@pytest.mark.parametrize("suffix, names, equations, celsius", [
    ("cm_na_hh", ("minf", "mtau", "hinf", "htau"), hh52, 18.5),
    ("cm_k_hh", ("ninf", "ntau"), hh52, 18.5),
    ("cm_na_wb", ("minf", "hinf", "htau"), wb96, 30.0),
    ("cm_k_wb", ("ninf", "ntau"), wb96, 30.0),
])
def test_rate_tables_are_exact_at_their_grid_points(h, suffix, names, equations, celsius):
    """With NEURON's rate TABLEs on (what a simulation uses), values at the table's
    grid voltages (every 1 mV, or 0.5 mV for WB) equal the published equations
    (1e-6): a table built at the wrong temperature or not rebuilt when celsius
    changes (a missing DEPEND) fails here."""
    sec = _section(h, suffix, name="tab")
    try:
        for v_mV in (-70.0, -41.0, 3.0):
            _call_rates(h, sec, suffix, v_mV, 6.3, table=True)  # build at another temperature
            _call_rates(h, sec, suffix, v_mV, celsius, table=True)
            want = equations(v_mV, celsius)
            for name in names:
                got = getattr(h, f"{name}_{suffix}")
                assert _rel(got, want[name]) < REL, f"{suffix} {name} at {v_mV} mV (table)"
    finally:
        h.delete_section(sec=sec)


# --------------------------------------------------------------------------- HCN
#: Cited values behind cm_hcn's defaults (the HCN1 preset).
HCN_PUBLISHED = {
    # Wang, Chen & Siegelbaum 2001 J Gen Physiol 118:237, Table I, HCN1: V1/2 about
    # -73 mV, slope about 8 mV (rounded)
    "vhalf": -73.0, "k": 8.0,
    # Santoro et al. 2000 J Neurosci 20:5264: HCN1 activates in tens of ms; 50 ms
    # chosen at room temperature (22 degC)
    "taupeak": 50.0, "tref": 22.0,
    # Magee 1998 J Neurosci 18:7613: Q10 of Ih kinetics about 3
    "q10": 3.0,
    # Wollmuth & Hille 1992 J Gen Physiol 100:749 (P_Na/P_K ~ 0.27 in rod Ih);
    # Biel et al. 2009 Physiol Rev 89:847 (0.2-0.25): 0.25
    "pnak": 0.25,
}


def hcn_equations(v_mV, celsius, vhalf, k, taupeak, ktau, q10, tref, camp=0.0):
    """Boltzmann activation o_inf = 1/(1 + exp((V - V1/2 - shift)/k)) (Wang et al. 2001's
    fit form) and a bell-shaped tau peaking at V1/2, scaled by Q10 from tref."""
    x = v_mV - vhalf - camp
    o_inf = 1.0 / (1.0 + math.exp(x / k))
    tau = taupeak / (q10 ** ((celsius - tref) / 10.0) * math.cosh(x / ktau))
    return o_inf, tau


@pytest.mark.parametrize("celsius", [22.0, 37.0])
@pytest.mark.parametrize("v_mV", [-120.0, -95.0, -73.0, -60.0, -40.0])
def test_hcn_activation_and_time_constant_with_hoc_defaults(h, v_mV, celsius):
    """cm_hcn's o_inf and tau, with the defaults a hoc user gets (insert and nothing
    else), equal the HCN1 equations with the cited numbers of :data:`HCN_PUBLISHED`,
    at room temperature (the reference) and at 37 degC (Q10 = 3), 1e-6 relative."""
    sec = _section(h, "cm_hcn", name="hcn")
    try:
        mech = sec(0.5).cm_hcn
        _call_rates(h, sec, "cm_hcn", v_mV, celsius)
        p = HCN_PUBLISHED
        o_inf, tau = hcn_equations(v_mV, celsius, p["vhalf"], p["k"], p["taupeak"], mech.ktau,
                                   p["q10"], p["tref"])
        assert _rel(mech.o_inf, o_inf) < REL, f"o_inf at {v_mV} mV"
        assert _rel(mech.tau, tau) < REL, f"tau at {v_mV} mV, {celsius} degC"
    finally:
        h.delete_section(sec=sec)


def test_hcn_camp_shift_moves_activation_and_tau_together(h):
    """A cAMP shift of +13 mV (HCN2, Wainger et al. 2001) moves both curves by 13 mV."""
    sec = _section(h, "cm_hcn", name="hcn")
    try:
        mech = sec(0.5).cm_hcn
        mech.vhalf, mech.k, mech.camp_shift, mech.taupeak = -95.0, 7.0, 13.0, 500.0
        for v_mV in (-110.0, -82.0, -60.0):
            _call_rates(h, sec, "cm_hcn", v_mV, 30.0)
            o_inf, tau = hcn_equations(v_mV, 30.0, -95.0, 7.0, 500.0, mech.ktau, 3.0, 22.0, 13.0)
            assert _rel(mech.o_inf, o_inf) < REL and _rel(mech.tau, tau) < REL
    finally:
        h.delete_section(sec=sec)


def ghk_current(p_cm_s, v_mV, ci_mM, co_mM, z, celsius):
    """GHK current equation (Hille 2001, eq. 14-6), mA/cm2 for P in cm/s and mM:
    I = P z^2 F^2 V/(RT) (ci - co e^(-zFV/RT)) / (1 - e^(-zFV/RT))."""
    u = z * FARADAY * v_mV * 1e-3 / (GAS * (celsius + 273.15))
    # P (cm/s) x z F (C/mol) x c (mol/L = 1e-3 mol/cm3 per M; mM -> 1e-6 mol/cm3) -> A/cm2
    return p_cm_s * z * FARADAY * u * (ci_mM - co_mM * math.exp(-u)) / (1 - math.exp(-u)) * 1e-6 * 1e3


@pytest.mark.parametrize("celsius", [22.0, 37.0])
def test_hcn_currents_are_ghk_with_the_default_pna_pk(h, celsius):
    """ik = pbar o GHK_K and ina = 0.25 pbar o GHK_Na (the default P_Na/P_K a hoc user
    gets), with the section's own concentrations, at three voltages (1e-6)."""
    sec = _section(h, "cm_hcn", name="hcn")
    try:
        seg = sec(0.5)
        seg.cm_hcn.pbar = 1e-6
        seg.nai, seg.nao, seg.ki, seg.ko = 12.0, 145.0, 140.0, 5.0
        h.celsius = celsius
        for v_mV in (-100.0, -40.0, 10.0):
            h.finitialize(v_mV)
            o = seg.cm_hcn.o
            want_k = ghk_current(1e-6 * o, v_mV, 140.0, 5.0, 1, celsius)
            want_na = ghk_current(HCN_PUBLISHED["pnak"] * 1e-6 * o, v_mV, 12.0, 145.0, 1, celsius)
            assert _rel(seg.cm_hcn.ik, want_k) < REL, f"ik at {v_mV} mV"
            assert _rel(seg.cm_hcn.ina, want_na) < REL, f"ina at {v_mV} mV"
    finally:
        h.delete_section(sec=sec)


# --------------------------------------------------------------------------- GHK leak
@pytest.mark.parametrize("celsius", [6.3, 37.0])
def test_leak_currents_are_the_ghk_current_equation(h, celsius):
    """cm_leak's ina, ik, icl equal the GHK current equation for each ion (Cl- with
    z = -1) at five voltages including 0 mV (its limit), 1e-6 relative."""
    sec = _section(h, "cm_leak", name="leak")
    try:
        seg = sec(0.5)
        seg.cm_leak.pna, seg.cm_leak.pk, seg.cm_leak.pcl = 3e-8, 1e-6, 4e-7
        seg.nai, seg.nao, seg.ki, seg.ko, seg.cli, seg.clo = 12.0, 145.0, 140.0, 5.0, 10.0, 110.0
        h.celsius = celsius
        for v_mV in (-90.0, -65.0, -1e-9, 20.0, 60.0):
            h.finitialize(v_mV)
            if v_mV == -1e-9:
                continue  # only checks that 0 mV is finite (below)
            for ion, p, ci, co, z in (("na", 3e-8, 12.0, 145.0, 1), ("k", 1e-6, 140.0, 5.0, 1),
                                      ("cl", 4e-7, 10.0, 110.0, -1)):
                got = getattr(seg.cm_leak, f"i{ion}")
                # NEURON's current for an anion: the GHK current (negative z) is the
                # electrical current, outward positive
                want = ghk_current(p, v_mV, ci, co, z, celsius)
                assert _rel(got, want) < REL, f"i{ion} at {v_mV} mV: {got} vs {want}"
        h.finitialize(0.0)
        assert math.isfinite(seg.cm_leak.ina)
        assert seg.cm_leak.ina == pytest.approx(3e-8 * FARADAY * (12.0 - 145.0) * 1e-3, rel=1e-6)
    finally:
        h.delete_section(sec=sec)


# --------------------------------------------------------------------------- Na+/K+ pump
def kager2000_pump(imax, nai, ko, km_na=10.0, km_k=3.5, block=0.0):
    """Kager, Wadman & Somjen 2000 J Neurophysiol 84:495, pump equation:
    I = imax (1 + Km_K/[K]o)^-2 (1 + Km_Na/[Na]i)^-3, Km_K 3.5 mM, Km_Na 10 mM."""
    return (1.0 - block) * imax / ((1.0 + km_k / ko) ** 2 * (1.0 + km_na / nai) ** 3)


@pytest.mark.parametrize("celsius", [6.3, 37.0])
@pytest.mark.parametrize("nai, ko", [(12.0, 5.0), (50.0, 20.0), (4.0, 2.0)])
def test_pump_turnover_is_kager_2000_with_3na_2k_per_atp(h, nai, ko, celsius):
    """On a pump with an arbitrary imax (no balance_pump involved): ipump is Kager et
    al.'s equation, ina = +3 ipump and ik = -2 ipump (Skou 1957; Post & Jolly 1957:
    3 Na+ out, 2 K+ in per ATP), and ipump = F x atp_rate (one net charge per ATP),
    1e-6 relative; the same at 6.3 and 37 degC (the published pump has no
    temperature factor)."""
    sec = _section(h, "cm_nakpump", name="pump")
    try:
        seg = sec(0.5)
        seg.cm_nakpump.imax = 0.0123
        seg.nai, seg.ko = nai, ko
        h.celsius = celsius
        h.finitialize(-70.0)
        p = seg.cm_nakpump
        want = kager2000_pump(0.0123, nai, ko)
        assert _rel(p.ipump, want) < REL
        assert _rel(p.ina, 3.0 * want) < REL, "Na+ out per cycle"
        assert _rel(p.ik, -2.0 * want) < REL, "K+ in per cycle"
        assert _rel(seg.ina, 3.0 * want) < REL and _rel(seg.ik, -2.0 * want) < REL
        # atp_rate pmol/cm2/ms -> mol/cm2/s (x 1e-9); x F -> A/cm2; x 1e3 -> mA/cm2
        assert _rel(p.atp_rate * 1e-9 * FARADAY * 1e3, p.ipump) < REL, "one charge per ATP"
    finally:
        h.delete_section(sec=sec)


def test_running_pump_moves_3na_out_and_2k_in_per_atp_in_a_closed_compartment(h):
    """A compartment with only the pump and intracellular accumulation (nothing else
    moves Na+ or K+), pump running at an arbitrary imax for 2 s: the Na+ that left
    and the K+ that entered, counted from the concentration changes (amount =
    concentration x volume, volume/area = diam/4 for a cylinder's side), are 3 and 2
    times the ATP the pump's own counter hydrolysed (1e-6): a wrong stoichiometry or
    a pump counter out of step with the ions fails, whatever balance_pump does."""
    sec = _section(h, "cm_nakpump", "cm_accum", name="closed")
    try:
        sec.L, sec.diam = 10.0, 2.0
        seg = sec(0.5)
        seg.nao, seg.ko = 145.0, 5.0
        for ion in ("na", "k"):
            h.ion_style(f"{ion}_ion", 3, 2, 1, 1, 0, sec=sec)
        seg.cm_accum.nai_init, seg.cm_accum.ki_init = 20.0, 130.0
        seg.cm_nakpump.imax = 0.05
        h.celsius = 37.0
        cv = h.CVode()
        cv.active(1)
        cv.atol(1e-10)
        cv.rtol(1e-10)
        try:
            h.finitialize(-70.0)
            h.continuerun(2000.0)
        finally:
            cv.active(0)
        vs_cm = sec.diam / 4 * 1e-4
        # mM x cm -> mmol/L x cm = 1e-6 mol/cm2 -> pmol/cm2 x 1e12
        na_out = (20.0 - seg.nai) * vs_cm * 1e-6 * 1e12
        k_in = (seg.ki - 130.0) * vs_cm * 1e-6 * 1e12
        atp = seg.cm_nakpump.atp
        assert seg.nai < 19.0, "the pump barely ran: the test would prove little"
        assert na_out == pytest.approx(3.0 * atp, rel=1e-6)
        assert k_in == pytest.approx(2.0 * atp, rel=1e-6)
        p = seg.cm_nakpump  # and on the running pump, at its final concentrations
        assert _rel(p.ina / p.ik, -1.5) < 1e-12
        assert _rel(p.atp_rate * 1e-9 * FARADAY * 1e3, p.ina + p.ik) < REL
    finally:
        h.delete_section(sec=sec)


# --------------------------------------------------------------------------- defaults
#: (suffix, name, published value, citation, parameters.TABLE key or None).
#: Range PARAMETERs are read from a freshly inserted section, GLOBALs as h.name_suffix.
DEFAULTS = [
    ("cm_na_hh", "gnabar", 0.120, "Hodgkin & Huxley 1952, Table 3: g_Na = 120 mS/cm2",
     "squid.gnabar_S_cm2"),
    ("cm_na_hh", "q10", 3.0, "Hodgkin & Huxley 1952, p. 519: Q10 = 3", None),
    ("cm_na_hh", "tref", 6.3, "Hodgkin & Huxley 1952: rates at 6.3 degC",
     "squid.temperature_degC"),
    ("cm_k_hh", "gkbar", 0.036, "Hodgkin & Huxley 1952, Table 3: g_K = 36 mS/cm2",
     "squid.gkbar_S_cm2"),
    ("cm_k_hh", "q10", 3.0, "Hodgkin & Huxley 1952, p. 519: Q10 = 3", None),
    ("cm_k_hh", "tref", 6.3, "Hodgkin & Huxley 1952: rates at 6.3 degC",
     "squid.temperature_degC"),
    ("cm_na_wb", "gnabar", 0.035, "Wang & Buzsaki 1996: g_Na = 35 mS/cm2", "wb.gnabar_S_cm2"),
    ("cm_na_wb", "phi", 5.0, "Wang & Buzsaki 1996: phi = 5", "wb.phi"),
    ("cm_na_wb", "tref", 37.0, "phi taken at 37 degC (cablemodels' stated assumption)",
     "mammalian.temperature_degC"),
    ("cm_k_wb", "gkbar", 0.009, "Wang & Buzsaki 1996: g_K = 9 mS/cm2", "wb.gkbar_S_cm2"),
    ("cm_k_wb", "phi", 5.0, "Wang & Buzsaki 1996: phi = 5", "wb.phi"),
    ("cm_k_wb", "tref", 37.0, "phi taken at 37 degC (cablemodels' stated assumption)",
     "mammalian.temperature_degC"),
    ("cm_hcn", "vhalf", -73.0, "Wang, Chen & Siegelbaum 2001, Table I (HCN1)", "hcn1.vhalf_mV"),
    ("cm_hcn", "k", 8.0, "Wang, Chen & Siegelbaum 2001, Table I (HCN1)", "hcn1.slope_mV"),
    ("cm_hcn", "taupeak", 50.0, "Santoro et al. 2000 (HCN1, room temperature)",
     "hcn1.taupeak_ms"),
    ("cm_hcn", "pnak", 0.25, "Wollmuth & Hille 1992; Biel et al. 2009: P_Na/P_K 0.2-0.27",
     "hcn.pna_pk"),
    ("cm_hcn", "camp_shift", 0.0, "no cAMP unless asked", None),
    ("cm_hcn", "q10", 3.0, "Magee 1998: Q10 of Ih about 3", "hcn.q10"),
    ("cm_hcn", "tref", 22.0, "Santoro et al. 2000: room temperature", "hcn.tref_degC"),
    ("cm_nakpump", "km_na", 10.0, "Kager, Wadman & Somjen 2000: Km_Na = 10 mM", "pump.km_na_mM"),
    ("cm_nakpump", "km_k", 3.5, "Kager, Wadman & Somjen 2000: Km_K = 3.5 mM", "pump.km_k_mM"),
    ("cm_nakpump", "block", 0.0, "no ouabain unless asked", None),
    ("cm_na_wb", "q10", 3.0, "cablemodels' stated assumption (cm_na_wb COMMENT)", None),
    ("cm_k_wb", "q10", 3.0, "cablemodels' stated assumption (cm_k_wb COMMENT)", None),
    ("cm_hcn", "ktau", 20.0, "shape choice, not data (biophysics.HCN.ktau_mV)", None),
    ("cm_na_ms96", "q10", 2.3, "Mainen & Sejnowski 1996, na.mod q10 = 2.3", "ms96.q10"),
    ("cm_na_ms96", "tref", 23.0, "Mainen & Sejnowski 1996, na.mod temp = 23 degC",
     "ms96.tref_degC"),
    ("cm_na_ms96", "vshift", -5.0, "Mainen & Sejnowski 1996, demofig1.hoc vshift_na = -5 mV",
     "ms96.vshift_mV"),
    ("cm_k_ms96", "q10", 2.3, "Mainen & Sejnowski 1996, kv.mod q10 = 2.3", "ms96.q10"),
    ("cm_k_ms96", "tref", 23.0, "Mainen & Sejnowski 1996, kv.mod temp = 23 degC",
     "ms96.tref_degC"),
    ("cm_leak", "pna", 0.0, "no leak unless a membrane sets one", None),
    ("cm_leak", "pk", 0.0, "no leak unless a membrane sets one", None),
    ("cm_leak", "pcl", 0.0, "no leak unless a membrane sets one", None),
    ("cm_accum", "nai_init", 12.0, "Purves et al. 2018, Table 2.1 (5-15 mM; 12 chosen)",
     "mammalian.nai_mM"),
    ("cm_accum", "ki_init", 140.0, "Purves et al. 2018, Table 2.1", "mammalian.ki_mM"),
    ("cm_ecshell", "nao_init", 145.0, "Purves et al. 2018, Table 2.1", "mammalian.nao_mM"),
    ("cm_ecshell", "ko_init", 5.0, "Purves et al. 2018, Table 2.1", "mammalian.ko_mM"),
    ("cm_ecshell", "depth_um", 0.03, "Frankenhaeuser & Hodgkin 1956: a space about 30 nm thick",
     None),
    ("cm_ecshell", "sealed", 0.0, "open to the bath unless asked", None),
]


@pytest.mark.parametrize("suffix, name, published, citation, key", DEFAULTS,
                         ids=[f"{s}.{n}" for s, n, *_ in DEFAULTS])
def test_hoc_defaults_are_the_cited_values(h, suffix, name, published, citation, key):
    """What a hoc user gets by inserting a mechanism equals the cited number (exact),
    and so does cablemodels' parameter table entry for it."""
    sec = _section(h, suffix, name="defaults")
    try:
        mech = getattr(sec(0.5), suffix)
        got = getattr(mech, name) if hasattr(mech, name) else getattr(h, f"{name}_{suffix}")
        assert got == published, f"{suffix}.{name} default {got} != {published} ({citation})"
        if key is not None:
            assert P.value(key) == published, f"parameters.TABLE[{key!r}] ({citation})"
    finally:
        h.delete_section(sec=sec)


# --------------------------------------------------------------------------- extracellular shell
@pytest.mark.parametrize("sealed", [1, 0])
def test_extracellular_shell_is_frankenhaeuser_hodgkin(h, sealed):
    """cm_ecshell, Frankenhaeuser & Hodgkin 1956 J Physiol 131:341:
    d[K]o/dt = I_K/(F x depth) - ([K]o - [K]bath)/tau. A compartment clamped at -20 mV
    with only a K+ leak (cm_leak, whose own counter qk integrates I_K) for 1.5 s
    (15 tau): sealed, [K]o - [K]bath = qk/(F x depth) exactly (1e-6); open, [K]o settles
    where efflux and washout balance, [K]o - [K]bath = tau x I_K/(F x depth) (1e-4). A
    washout of the wrong sign runs away and fails both."""
    sec = _section(h, "cm_leak", "cm_ecshell", name="shell")
    try:
        seg = sec(0.5)
        seg.nai, seg.ki, seg.cli, seg.clo = 12.0, 140.0, 10.0, 110.0
        for ion in ("na", "k"):
            h.ion_style(f"{ion}_ion", 3, 2, 1, 1, 0, sec=sec)
        seg.cm_leak.pk = 1e-7
        shell = seg.cm_ecshell
        shell.sealed, shell.nao_init, shell.ko_init = sealed, 145.0, 5.0
        depth_um, tau_ms = shell.depth_um, shell.tau_ms
        assert depth_um == 0.03, "Frankenhaeuser & Hodgkin's space is about 30 nm thick"
        clamp = h.SEClamp(seg)
        clamp.dur1, clamp.amp1, clamp.rs = 1e9, -20.0, 1e-3
        h.celsius, h.dt, h.secondorder = 37.0, 0.025, 0
        h.finitialize(-20.0)
        h.continuerun(1500.0)
        # mA/cm2 x ms = uC/cm2; / (F C/mol x depth um) -> 1e4 mM per (uC/cm2 / (C/mol um))
        if sealed:
            want = 5.0 + seg.cm_leak.qk * 1e4 / (FARADAY * depth_um)
            assert seg.ko > 5.1, "too little K+ moved for the test to mean anything"
            assert _rel(seg.ko, want) < REL
        else:
            want = 5.0 + tau_ms * seg.cm_leak.ik * 1e4 / (FARADAY * depth_um)
            assert seg.ko > 5.1
            assert _rel(seg.ko, want) < 1e-4
    finally:
        h.delete_section(sec=sec)
