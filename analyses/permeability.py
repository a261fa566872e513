"""L1-L4: resting potential from permeabilities (GHK), and what a leak channel is.

Sources: Goldman 1943; Hodgkin & Katz 1949 (GHK); Hille 2001, Ion Channels of
Excitable Membranes, 3rd ed., ch. 14 (P_Na/P_K of resting neurons about 0.01-0.1);
concentrations Purves et al. 2018, Table 2.1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cablemodels.biophysics import Ions, Leak, Membrane, ghk_voltage_mV
from cablemodels.protocols import rest_mV
from cablemodels.simulation import Integrator
from cablemodels.soma import NeuronParams, build_neuron

from .common import (PALETTE, Row, Section, figure, judge_condition, judge_range, save_data,
                     save_figure)

T = 37.0
PK = 1e-6


def _simulated_rest(ions, ratio, pcl=0.0):
    membrane = Membrane(leak=Leak(PK, ratio * PK, pcl * PK))
    cell = build_neuron(NeuronParams(soma_diameter_um=20.0, membrane=membrane, ions=ions,
                                     temperature_degC=T))
    v = rest_mV(cell)
    cell.delete()
    return v


def main(out_dir, quick=False) -> Section:
    ions = Ions.preset("mammalian")
    ratios = np.logspace(-3, 0, 7 if quick else 25)
    sim_v = [_simulated_rest(ions, r) for r in ratios]
    ghk_v = [ghk_voltage_mV(1, r, 0, ions, T) for r in ratios]
    equal_nak = _simulated_rest(ions, 1.0)
    equal_all = _simulated_rest(ions, 1.0, pcl=1.0)
    ek = ions.nernst_mV("k", T)
    mature = {r: _simulated_rest(ions, r) for r in (0.03, 0.05)}
    # the ratio that gives -65 and -70 mV (GHK inverted: closed form in the ratio)
    x = {v: np.exp(v / (1e3 * 8.314462618 * (T + 273.15) / 96485.33212)) for v in (-65, -70)}
    ratio_at = {v: (ions.ko_mM - ions.ki_mM * xv) / (ions.nai_mM * xv - ions.nao_mM)
                for v, xv in x.items()}

    # L4: a leak's current is constant in time at fixed V; a gated K+ current is not
    cell = build_neuron(NeuronParams(soma_diameter_um=20.0, membrane=Membrane.squid(),
                                     ions=Ions.preset("squid"), temperature_degC=6.3,
                                     ra_ohm_cm=35.4))
    seg = cell.origin()
    from cablemodels.cell import hoc

    h = hoc()
    clamp = h.SEClamp(seg)
    clamp.rs, clamp.dur1, clamp.amp1 = 1e-3, 1e9, -20.0
    leak_i = h.Vector().record(seg.cm_leak._ref_ik, 0.05)
    gated_i = h.Vector().record(seg.cm_k_hh._ref_ik, 0.05)
    from cablemodels import simulation as sim

    sim.start(cell, Integrator(method="fixed", dt_ms=0.01), -65.0)
    clamp.amp1 = -20.0
    sim.advance(10.0)
    leak_i, gated_i = np.array(leak_i), np.array(gated_i)
    leak_change = abs(leak_i[-1] - leak_i[2]) / abs(leak_i[2])
    gated_change = abs(gated_i[-1] - gated_i[2]) / max(abs(gated_i[2]), 1e-12)
    del clamp
    cell.delete()

    fig, ax = figure(2, 4.6)
    ax[0].semilogx(ratios, sim_v, "o", c=PALETTE["leak"], label="simulated (cm_leak)")
    ax[0].semilogx(ratios, ghk_v, "-", c=PALETTE["theory"], label="GHK equation")
    ax[0].axhline(ek, ls=":", c=PALETTE["theory"], label=f"E_K = {ek:.1f} mV")
    ax[0].axhspan(-70, -65, color="0.9", label="claim L3: -65 to -70 mV")
    ax[0].set(xlabel="P_Na / P_K", ylabel="resting potential (mV)", title="L1-L3: maturation sweep")
    ax[0].legend()
    t = np.arange(len(leak_i)) * 0.05
    ax[1].plot(t, leak_i / abs(leak_i[2]), c=PALETTE["leak"], label="K+ leak (cm_leak)")
    ax[1].plot(t, gated_i / max(abs(gated_i[-1]), 1e-12), c=PALETTE["squid"],
               label="HH K+ channel")
    ax[1].set(xlabel="time after step to -20 mV (ms)", ylabel="current (normalised)",
              title="L4: leak is time-independent")
    ax[1].legend()
    figs = [save_figure(fig, out_dir, "permeability", caption=(
        "Left: resting potential of a 20 um soma whose only conductance is the GHK leak "
        "(cm_leak, 37 degC, mammalian ion concentrations, Cl- impermeant) as P_Na/P_K rises "
        "from 0.001 to 1 (dots: simulated; line: GHK voltage equation; dotted: E_K; grey band: "
        "the -65 to -70 mV of claim L3). Right: K+ current through the leak and through "
        "Hodgkin-Huxley K+ channels after a voltage-clamp step from -65 to -20 mV in a squid "
        "soma at 6.3 degC, each normalised to its size (leak: first sample; gated: last)."))]
    data = [save_data(pd.DataFrame({"pna_over_pk": ratios, "v_sim_mV": sim_v, "v_ghk_mV": ghk_v}),
                      out_dir, "permeability_sweep")]
    err = max(abs(a - b) for a, b in zip(sim_v, ghk_v))
    src = "GHK voltage equation (Hille 2001, eq. 14-9)"
    rows = [
        Row("L1", "Vm, equal P for Na+ and K+", equal_nak, "mV", "about 0", f"{ghk_voltage_mV(1, 1, 0, ions, T):.2f}",
            src, f"{equal_nak:.1f} mV", "37 degC, mammalian ions; Cl- impermeant",
            **judge_range(equal_nak, -5, 5, partly=(-15, 15), unit="mV")),
        Row("L1", "Vm, equal P for Na+, K+ and Cl-", equal_all, "mV", "about 0",
            f"{ghk_voltage_mV(1, 1, 1, ions, T):.2f}", src,
            f"depends on Cl-: {equal_all:.1f} mV, not 0, because [Cl-] is asymmetric",
            "37 degC; Cl- as permeable as Na+ and K+",
            **judge_range(equal_all, -5, 5, partly=(-15, 15), unit="mV")),
        Row("L2", "Vm of an immature neuron, P_Na/P_K = 1", equal_nak, "mV", "about 0",
            f"{ghk_voltage_mV(1, 1, 0, ions, T):.2f}", src,
            f"{equal_nak:.1f} mV, if immature membranes have near-equal Na+/K+ permeability",
            "young-neuron permeabilities are an assumption; max sim-GHK error "
            f"{err:.3f} mV over the sweep",
            **judge_range(equal_nak, -5, 5, partly=(-15, 15), unit="mV")),
        Row("L3", "Vm at P_Na/P_K = 0.03", mature[0.03], "mV", "-65 to -70",
            f"{ghk_voltage_mV(1, 0.03, 0, ions, T):.2f}", src,
            f"{mature[0.03]:.1f} mV", "37 degC, [K]o 5 mM",
            **judge_range(mature[0.03], -70, -65, partly=(-75, -60), unit="mV")),
        Row("L3", "Vm at P_Na/P_K = 0.05", mature[0.05], "mV", "-65 to -70",
            f"{ghk_voltage_mV(1, 0.05, 0, ions, T):.2f}", src,
            f"{mature[0.05]:.1f} mV", "37 degC, [K]o 5 mM",
            **judge_range(mature[0.05], -70, -65, partly=(-75, -60), unit="mV")),
        Row("L3", "P_Na/P_K giving -70 mV", ratio_at[-70], "ratio", "K+ dominated", "0.01-0.1",
            "Hille 2001, ch. 14", f"{ratio_at[-70]:.3f} (-65 mV: {ratio_at[-65]:.3f})",
            "37 degC", **judge_range(ratio_at[-70], 0.01, 0.1, partly=(0.003, 0.3))),
        Row("L3", "E_K", ek, "mV", "about -90", "", "Nernst, Purves et al. 2018 Table 2.1",
            f"{ek:.1f} mV; rest lies {mature[0.05] - ek:.0f} mV above it at 0.05",
            "[K]i 140, [K]o 5 mM, 37 degC", **judge_range(ek, -95, -85, partly=(-100, -80), unit="mV")),
        Row("L4", "relative change of leak K+ current 0.1-10 ms after a step", leak_change, "fraction",
            "leak is open all the time", "", "GHK current equation, time-independent",
            f"leak current constant (change {leak_change:.1e}) while the gated K+ "
            f"current grew by {gated_change:.0f}x", "squid, 6.3 degC, step to -20 mV",
            **judge_condition(leak_change, leak_change < 1e-3 and gated_change > 2,
                              "supported if the leak current changes by < 0.1% while the gated "
                              "K+ current at least doubles")),
    ]
    return Section("Resting potential and permeability (L1-L4)",
                   {"L1": "Equal permeability to all ions: Vm collapses to about 0 mV.",
                    "L2": "A young neuron with low, similar Na+ and K+ permeability rests near 0 mV.",
                    "L3": "K+ leak dominance gives -65 to -70 mV, near E_K (about -90 mV).",
                    "L4": "Leak channels are open all the time, independent of voltage."},
                   "A 20 um soma with only the GHK leak (cm_leak) at 37 degC, mammalian ions, "
                   "P_Na/P_K swept from 0.001 to 1; a squid soma voltage-clamped to -20 mV to "
                   "compare leak and gated K+ currents.", rows, figs, data)
