"""E8, E9, L6: the resting budget: the pump against the leak, and what it adds up to.

Sources: Attwell & Laughlin 2001 JCBFM 21:1133 (brain 20 W; the claims' 20 W and
~1e4 ATP/s per neuron are from "Neurons' strategies for managing bioenergy",
cablemodels/data/claims.toml, E8); Azevedo et al. 2009 J Comp Neurol
513:532 (8.6e10 neurons in the human brain); Nicholls & Ferguson 2013 (dG_ATP).
"""

from __future__ import annotations

import pandas as pd

from cablemodels.biophysics import Membrane
from cablemodels.energy import ap_energy, atp_to_joules, balance_pump, rest_energy
from cablemodels.soma import NeuronParams, build_neuron

from .common import (PALETTE, Row, Section, declared, figure, judge_condition, judge_range,
                     save_data, save_figure)

NEURONS_IN_BRAIN = 8.6e10  # Azevedo et al. 2009
BRAIN_W = 20.0             # claim E8


def main(out_dir, quick=False) -> Section:
    rows_data = []
    sizes = [10.0, 55.0] if quick else [6.0, 10.0, 20.0, 55.0]
    spike_atp = None
    for d in sizes:
        membrane = Membrane.mammalian("soma", pump_imax_mA_cm2=0.0)
        cell = build_neuron(NeuronParams(soma_diameter_um=d, membrane=membrane))
        balance_pump(cell)
        ap = ap_energy(cell, window_ms=20.0)
        rest = rest_energy(cell, ap_atp=ap.atp)
        if d == 20.0 or spike_atp is None:
            spike_atp = ap.atp
        charge_C = cell.sections("soma")[0].cm * 1e-6 * cell.area_um2() * 1e-8 * abs(ap.rest_mV) * 1e-3
        rows_data.append({"soma_diameter_um": d, "area_um2": cell.area_um2(),
                          "rest_atp_per_s": rest.atp_per_s, "pump_atp_per_s": rest.pump_atp_per_s,
                          "atp_per_um2_s": rest.atp_per_s_per_um2, "spike_atp": ap.atp,
                          "atp_per_s_at_1Hz": float(rest.at_rate(1.0)),
                          "atp_per_s_at_10Hz": float(rest.at_rate(10.0)),
                          "membrane_charge_ions": charge_C / 1.602176634e-19,
                          "rest_mV": ap.rest_mV})
        cell.delete()
    frame = pd.DataFrame(rows_data)
    mid = frame.iloc[len(frame) // 2]
    brain_w = atp_to_joules(mid["rest_atp_per_s"]) * NEURONS_IN_BRAIN
    fig, ax = figure(1, 5.0)
    ax.loglog(frame["area_um2"], frame["rest_atp_per_s"], "o-", c=PALETTE["passive"],
              label="rest (pump vs leak)")
    ax.loglog(frame["area_um2"], frame["atp_per_s_at_10Hz"], "s-", c=PALETTE["wb"],
              label="at 10 Hz")
    ax.axhline(1e4, ls="--", c=PALETTE["claim"], label="claim E8: 1e4 ATP/s")
    ax.set(xlabel="membrane area (um2)", ylabel="ATP per second", title="E8/L6: resting budget")
    ax.legend()
    figs = [save_figure(fig, out_dir, "resting", caption=(
        "ATP per second of Wang-Buzsaki somata without dendrites "
        f"({', '.join(f'{d:g}' for d in frame['soma_diameter_um'])} um diameter, 37 degC) "
        "against membrane area: at rest (pump balanced to the resting Na+ leak, ATP = Na+ "
        "influx / 3) and firing at 10 Hz (rest plus ten times one spike's ATP); dashed: the "
        "1e4 ATP/s per neuron of claim E8."))]
    data = [save_data(frame, out_dir, "resting")]
    rows = [Row("E8", f"resting ATP/s, {r['soma_diameter_um']:g} um soma", r["rest_atp_per_s"],
                "ATP/s", "1e4 per neuron", "3.4e8 per cortical neuron (resting potential)",
                "Attwell & Laughlin 2001",
                f"{r['rest_atp_per_s'] / 1e4:.3g} x the claim; {r['atp_per_s_at_10Hz']:.3g} at 10 Hz",
                "WB soma, balanced pump (ATP = resting Na+ influx / 3), 37 degC; "
                + declared(Membrane.mammalian("soma")),
                **judge_range(r["rest_atp_per_s"], 1e4 / 3, 3e4, partly=(1e3, 1e5), unit="ATP/s"))
            for _, r in frame.iterrows()]
    turnover_s = mid["membrane_charge_ions"] / (3 * mid["rest_atp_per_s"])
    brain_rule = ("supported if every neuron as this soma at rest would draw 2-20 W (a large "
                  "share of the brain's 20 W); partly if 0.2-2 W")
    rows.append(Row("E9", "ions moved to charge the membrane to rest vs resting pump turnover per s",
                    turnover_s, "s", "rest needs no real-time energy", "",
                    "C V / e vs pump Na+ turnover",
                    f"the membrane holds its charge for free, but the leak costs "
                    f"{mid['rest_atp_per_s']:.3g} ATP/s continuously; the pump turns over the "
                    f"membrane's whole charge every {turnover_s:.2g} s",
                    "see L5 for what stopping the pump does",
                    **judge_condition(turnover_s, turnover_s >= 3600,
                                      "supported if the pump needs over an hour to move as many "
                                      "ions as the membrane's stored charge (rest nearly free); "
                                      "partly if over 1 s", partly=turnover_s >= 1)))
    rows.append(Row("L6", "resting ATP per um2 per s", mid["atp_per_um2_s"], "ATP/(s um2)",
                    "much of 20% of body energy runs the pump", "", "", f"{mid['atp_per_um2_s']:.3g}",
                    f"{mid['soma_diameter_um']:g} um WB soma, 37 degC; judged through the "
                    "brain-scale row",
                    **judge_condition(mid["atp_per_um2_s"], 2 <= brain_w <= 20, brain_rule,
                                      partly=0.2 <= brain_w < 2)))
    rows.append(Row("L6", "brain power if every neuron were this soma at rest", brain_w, "W", "20 W "
                    "brain, much at rest", "20", "Azevedo et al. 2009 (8.6e10 neurons)",
                    f"{brain_w:.3g} W: {'far below' if brain_w < 2 else 'comparable to'} 20 W; real "
                    "neurons have 100-1000x the membrane (dendrites, axon) and glia are excluded",
                    "assumes 8.6e10 identical somata, no dendrites, |dG_ATP| 57 kJ/mol",
                    **judge_condition(brain_w, 2 <= brain_w <= 20, brain_rule,
                                      partly=0.2 <= brain_w < 2)))
    return Section("Resting budget (E8, E9, L6)",
                   {"E8": "Brain 2% of mass, 20% of O2, 20 W; ~1e4 ATP/s per neuron.",
                    "E9": "The resting potential needs no real-time energy; only the reset does.",
                    "L6": "Much of the brain's 20% of body energy runs the pump against the leak."},
                   "Somata of several sizes with the Wang-Buzsaki membrane and a pump balanced "
                   "to the resting Na+ influx; resting ATP/s, ATP per spike and ATP/s at 1 and "
                   "10 Hz; the membrane's stored charge vs pump turnover.", rows, figs, data)
