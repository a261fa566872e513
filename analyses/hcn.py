"""L9: HCN channels are open at rest but are not leak channels.

Sources: Wang, Chen & Siegelbaum 2001 J Gen Physiol 118:237; Wainger et al.
2001 Nature 411:805 (cAMP shift); Santoro et al. 2000 J Neurosci 20:5264
(kinetics); Wollmuth & Hille 1992 (P_Na/P_K); Biel et al. 2009 Physiol Rev 89:847.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cablemodels.biophysics import HCN, Ions, Leak, Membrane
from cablemodels.energy import hcn_sag
from cablemodels.protocols import input_resistance, rest_mV
from cablemodels.soma import NeuronParams, build_neuron

from .common import (Row, Section, colour, figure, judge_condition, judge_range, save_data,
                     save_figure)


def main(out_dir, quick=False) -> Section:
    ions = Ions.preset("mammalian")
    v = np.linspace(-140, -40, 51)
    curves = {}
    for name in ("hcn1", "hcn2"):
        for camp in (False, True):
            p = HCN.preset(name, 1e-7, camp=camp)
            curves[f"{name}{' + cAMP' if camp else ''}"] = [p.o_inf(x) for x in v]
    passive = Membrane.mammalian("soma").with_(kinetics=None)
    hcn = HCN.preset("hcn1", 2e-7)
    cell = build_neuron(NeuronParams(soma_diameter_um=20.0, membrane=passive.with_(hcn=hcn)))
    sag = hcn_sag(cell)
    rest_with = rest_mV(cell)
    rin_with = input_resistance(cell).value
    cell.delete()
    cell = build_neuron(NeuronParams(soma_diameter_um=20.0, membrane=passive))
    rest_without, rin_without = rest_mV(cell), input_resistance(cell).value
    cell.delete()
    # a true leak with the same resting conductance as HCN adds: compare R_in and its V-dependence
    g_hcn_rest = 1 / (rin_with * 1e6) - 1 / (rin_without * 1e6)
    area_cm2 = np.pi * 20.0 ** 2 * 1e-8
    leak_equiv = Leak.from_conductance(max(g_hcn_rest, 1e-12) / area_cm2 + passive.leak.pk_cm_s * 0,
                                       hcn.reversal_mV(ions, 37.0), ions, 37.0)
    merged = Leak(passive.leak.pk_cm_s + leak_equiv.pk_cm_s, passive.leak.pna_cm_s + leak_equiv.pna_cm_s)
    cell = build_neuron(NeuronParams(soma_diameter_um=20.0, membrane=passive.with_(leak=merged)))
    rest_leak, rin_leak = rest_mV(cell), input_resistance(cell).value
    cell.delete()

    fig, ax = figure(2, 4.8)
    for label, o in curves.items():
        ax[0].plot(v, o, c=colour(label), ls="--" if "cAMP" in label else "-", label=label)
    ax[0].set(xlabel="V (mV)", ylabel="open fraction", title="L9: activation and cAMP")
    ax[0].legend()
    for tr, label in ((sag.trace, "HCN1"), (sag.control, "HCN blocked")):
        ax[1].plot(tr.t_ms, list(tr.v_mV.values())[0], c=colour(label), label=label)
    ax[1].set(xlabel="time (ms)", ylabel="Vm (mV)", title="L9: sag and rebound")
    ax[1].legend()
    figs = [save_figure(fig, out_dir, "hcn", caption=(
        "Left: steady-state open fraction of HCN1 and HCN2 against membrane potential, without "
        "(solid) and with (dashed) cAMP (preset half-activations and cAMP shifts, Wang et al. "
        "2001, Wainger et al. 2001). Right: membrane potential of a 20 um passive soma with HCN1 "
        "(2e-7 cm/s) and with HCN blocked, during and after a -50 pA, 1 s current step, 37 "
        "degC: sag during the step and rebound after it occur only with HCN."))]
    data = [save_data(pd.DataFrame({"v_mV": v, **curves}), out_dir, "hcn_activation"),
            save_data(sag.to_frame(), out_dir, "hcn_sag")]
    h1, h2 = HCN.preset("hcn1", 1), HCN.preset("hcn2", 1)
    rows = [
        Row("L9", "HCN reversal potential", hcn.reversal_mV(ions, 37.0), "mV", "inward current at rest",
            "-30 to -45", "Biel et al. 2009",
            f"inward at rest: rest {rest_with:.1f} mV lies below the reversal",
            "P_Na/P_K 0.25, mammalian ions",
            **judge_condition(hcn.reversal_mV(ions, 37.0),
                              -45 <= hcn.reversal_mV(ions, 37.0) <= -30
                              and rest_with < hcn.reversal_mV(ions, 37.0),
                              "supported if the reversal lies in the published -30 to -45 mV and "
                              "above the resting potential (inward current at rest)")),
        Row("L9", "open fraction at -65 mV, HCN1", h1.o_inf(-65.0), "fraction", "open at rest", "",
            "Wang et al. 2001", f"partly open at rest ({h1.o_inf(-65.0):.2f}); opens more with "
            f"hyperpolarisation ({h1.o_inf(-100.0):.2f} at -100 mV)", "22 degC kinetics",
            **judge_condition(h1.o_inf(-65.0), 0.01 < h1.o_inf(-65.0) < h1.o_inf(-100.0),
                              "supported if more than 1% open at -65 mV and more open at -100 mV")),
        Row("L9", "cAMP shift of half-activation, HCN2", HCN.preset("hcn2", 1, camp=True).camp_shift_mV,
            "mV", "cAMP modulates them", "+10 to +15", "Wainger et al. 2001",
            f"HCN2 shifted +{HCN.preset('hcn2', 1, camp=True).camp_shift_mV:g} mV vs HCN1 "
            f"+{HCN.preset('hcn1', 1, camp=True).camp_shift_mV:g} mV",
            "preset values (cited parameters, not a simulation)",
            **judge_range(HCN.preset("hcn2", 1, camp=True).camp_shift_mV, 10, 15, unit="mV")),
        Row("L9", "sag ratio with HCN1 (blocked)", sag.sag_ratio, "ratio", "rhythm and rebound", "",
            "", f"sag {sag.sag_ratio:.3f} ({sag.control_sag_ratio:.1e} blocked), rebound "
            f"{sag.rebound_mV:.2f} mV ({sag.control_rebound_mV:.1e} blocked)",
            "20 um passive soma, -50 pA for 1 s",
            **judge_condition(sag.sag_ratio, sag.sag_ratio > 0.02 and sag.rebound_mV > 0.1
                              and sag.sag_ratio > 10 * abs(sag.control_sag_ratio),
                              "supported if the sag ratio exceeds 0.02 and 10x the blocked "
                              "cell's, with a rebound above 0.1 mV")),
        Row("L9", "resting depolarisation by HCN1", rest_with - rest_without, "mV", "contributes to "
            "rest", "", "", f"HCN depolarises rest by {rest_with - rest_without:.2f} mV and lowers "
            f"R_in by {100 * (1 - rin_with / rin_without):.1f}%; a time-independent leak with the "
            f"same resting conductance gives {rest_leak - rest_without:.2f} mV, R_in "
            f"{rin_leak:.0f} MOhm: equal at rest, but only HCN sags, rebounds and moves with cAMP",
            "20 um passive soma",
            **judge_condition(rest_with - rest_without, rest_with - rest_without > 0.5,
                              "supported if HCN depolarises the rest by more than 0.5 mV")),
        Row("L9", "HCN2 / HCN1 activation time constant", h2.taupeak_ms / h1.taupeak_ms, "ratio",
            "slow, time-dependent", "", "Santoro et al. 2000",
            f"time constants {h1.taupeak_ms:g} and {h2.taupeak_ms:g} ms",
            "preset values (cited parameters, not a simulation)",
            **judge_condition(h2.taupeak_ms / h1.taupeak_ms,
                              min(h1.taupeak_ms, h2.taupeak_ms) >= 10,
                              "supported if both isoforms' peak time constants are >= 10 ms "
                              "(slow next to a spike)")),
    ]
    return Section("HCN channels are not leak channels (L9)",
                   {"L9": "HCN channels are open at rest and pass inward current, but open more "
                          "with hyperpolarisation, are slow, are modulated by cAMP, and give "
                          "rhythm and rebound."},
                   "HCN1 and HCN2 activation curves with and without cAMP; a passive 20 um soma "
                   "with and without HCN1 (sag, rebound, resting potential, R_in); a true leak "
                   "with the same resting conductance and reversal.", rows, figs, data)
