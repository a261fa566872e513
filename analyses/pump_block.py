"""L5, L10: pump block (ouabain) run-down, and the pump's stoichiometry.

Sources: Skou 1957; Post & Jolly 1957 (3 Na+ : 2 K+ : 1 ATP); Kager et al. 2000
(pump kinetics). The claim (run-down over minutes to hours after ouabain) is from
"Neuronal leak channels" (cablemodels/data/claims.toml, L5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cablemodels.biophysics import FARADAY_C_MOL, Membrane
from cablemodels.energy import balance_pump, pump_block
from cablemodels.soma import NeuronParams, build_neuron

from .common import PALETTE, Row, Section, figure, judge_range, save_data, save_figure, size_colours


#: The longest run-down simulated before a soma's half time is reported as not measured.
MAX_RUN_S = 64 * 3600.0


def _cell(d, excitable):
    m = Membrane.mammalian("soma", pump_imax_mA_cm2=0.0, accumulation=True)
    if not excitable:
        m = m.with_(kinetics=None)
    cell = build_neuron(NeuronParams(soma_diameter_um=d, membrane=m))
    balance_pump(cell)
    return cell


def main(out_dir, quick=False) -> Section:
    sizes = [5.0, 10.0, 20.0] if quick else [5.0, 10.0, 20.0, 40.0, 80.0]
    half = []
    traces = {}
    for d in sizes:
        cell = _cell(d, excitable=False)
        # run until half run-down: 4 h, doubled while Vm has not covered half the way
        duration = 4 * 3600.0
        run = pump_block(cell, duration_s=duration, sample_s=60.0)
        while not np.isfinite(run.half_time_s) and duration < MAX_RUN_S:
            duration *= 2
            run = pump_block(cell, duration_s=duration, sample_s=60.0)
        seg = cell.origin()
        half.append({"soma_diameter_um": d, "volume_per_area_um": seg.cm_accum.vs,
                     "half_time_s": run.half_time_s, "v_start_mV": run.v_mV[0],
                     "v_end_mV": run.v_mV[-1], "run_h": duration / 3600.0})
        traces[d] = run
        cell.delete()
    half = pd.DataFrame(half)
    # stoichiometry from a running pump
    cell = _cell(10.0, excitable=False)
    from cablemodels.protocols import rest_mV
    from cablemodels import simulation as sim

    sim.start(cell, sim.Integrator(), rest_mV(cell))
    sim.advance(10.0)
    p = cell.origin().cm_nakpump
    ratio = p.ina / -p.ik
    faraday_check = p.atp_rate * 1e-9 * FARADAY_C_MOL * 1e3 / p.ipump
    cell.delete()

    fig, ax = figure(2, 4.8)
    for (d, run), c in zip(traces.items(), size_colours(len(traces))):
        ax[0].plot(run.t_s / 60, run.v_mV, c=c, label=f"{d:g} um soma")
    ax[0].set(xlabel="time after block (min)", ylabel="Vm (mV)", title="L5: run-down")
    ax[0].legend()
    ax[1].plot(half["volume_per_area_um"], half["half_time_s"] / 60, "o-", c=PALETTE["passive"])
    ax[1].set(xlabel="volume / area (um)", ylabel="time to half run-down (min)",
              title="L5: bigger cells run down slower")
    figs = [save_figure(fig, out_dir, "pump_block", caption=(
        "Left: membrane potential of passive pump-leak somata "
        f"({', '.join(f'{d:g}' for d in traces)} um diameter; GHK leak, Na+/K+ pump balanced "
        "at rest, intracellular Na+ and K+ accumulating, 37 degC) after the pump is fully "
        "blocked at time 0. Right: time to half run-down (Vm half-way from rest to its end "
        "point) against the soma's volume-to-area ratio."))]
    data = [save_data(half, out_dir, "pump_block_half_times")] + [
        save_data(run.to_frame(), out_dir, f"pump_block_{int(d)}um") for d, run in traces.items()]
    slope = (half["half_time_s"].iloc[-1] / half["half_time_s"].iloc[0]) / (
        half["volume_per_area_um"].iloc[-1] / half["volume_per_area_um"].iloc[0])
    rows = [Row("L5", f"time to half run-down, {r['soma_diameter_um']:g} um soma", r["half_time_s"] / 60,
                "min", "minutes to hours", "", "",
                (f"{r['half_time_s'] / 60:.0f} min; Vm {r['v_start_mV']:.0f} -> "
                 f"{r['v_end_mV']:.0f} mV in {r['run_h']:g} h" if np.isfinite(r["half_time_s"]) else
                 f"not half run down after {r['run_h']:g} h (Vm {r['v_start_mV']:.0f} -> "
                 f"{r['v_end_mV']:.0f} mV)"),
                "passive pump-leak soma, full block, 37 degC",
                **judge_range(r["half_time_s"] / 60, 1.0, 24 * 60.0, unit="min"))
            for _, r in half.iterrows()]
    rows.append(Row("L5", "half time ratio / volume-to-area ratio", slope, "ratio", "", "1",
                    "Faraday's law: run-down time scales with volume/area",
                    f"half-time proportional to volume/area (ratio {slope:.3f})",
                    f"full block, {half['soma_diameter_um'].iloc[0]:g} vs "
                    f"{half['soma_diameter_um'].iloc[-1]:g} um soma",
                    **judge_range(slope, 0.95, 1.05, partly=(0.8, 1.25))))
    rows.append(Row("L10", "pump Na+ / K+ flux", ratio, "ratio", "3 Na+ out : 2 K+ in", "1.5",
                    "Skou 1957; Post & Jolly 1957",
                    f"{ratio:.9f}: the stoichiometry written in cm_nakpump", "cm_nakpump",
                    **judge_range(ratio, 1.5 - 1e-9, 1.5 + 1e-9)))
    rows.append(Row("L10", "pump current / (F x ATP rate)", faraday_check, "ratio",
                    "one net charge per cycle", "1", "stoichiometry",
                    f"electrogenic current = F x turnover ({faraday_check:.9f})",
                    "cm_nakpump", **judge_range(faraday_check, 1 - 1e-9, 1 + 1e-9)))
    return Section("Pump block and the pump (L5, L10)",
                   {"L5": "A small Na+ leak would run the gradients down; blocking the pump lets "
                          "Vm drift to 0 mV over minutes to hours.",
                    "L10": "The pump moves 3 Na+ out and 2 K+ in per ATP."},
                   "Passive pump-leak somata of several sizes with intracellular Na+/K+ "
                   "accumulation, pump balanced at rest, then fully blocked for 4 h (CVODE).",
                   rows, figs, data,
                   ["An excitable 10 um Wang-Buzsaki soma fires through the run-down (14,415 "
                    "spikes in the first hour) and reaches half run-down in 353 s against "
                    "1,914 s for the passive soma: spikes load Na+ faster than the leak. It is "
                    "left out of the report run because it takes about 3 minutes to simulate "
                    "(benchmarks/RESULTS.md)."])
