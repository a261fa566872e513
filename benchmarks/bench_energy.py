"""Speed of protocols and energy accounting (issue 5). Medians of repeated runs.

Run: ``.venv/bin/python benchmarks/bench_energy.py`` (writes benchmarks/RESULTS_energy.md).

(a) Energy accounting overhead on a 1,000-segment squid axon: the same spike run
    with only two threshold detectors (plain) vs ``energy.ap_energy`` (counter
    snapshots plus voltage recorded in the measured half). Fixed step 25 us.
(b) A one-hour pump-block run-down of one cell (CVODE, maxorder 2), and the
    CVODE / fixed-step speed ratio (fixed step timed over 60 s and scaled).
(c) Conduction velocity within 1% of converged: the default method (CVODE 1e-6)
    vs plain fixed step at the largest dt that is within 1% (implicit Euler,
    stdrun-style), on a squid and a mammalian axon.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cablemodels import energy as E
from cablemodels import protocols as pr
from cablemodels import simulation as sim
from cablemodels.axon import (MyelinatedAxonParams, UnmyelinatedAxonParams, build_myelinated_axon,
                              build_unmyelinated_axon)
from cablemodels.biophysics import Membrane
from cablemodels.cell import Discretization, hoc
from cablemodels.simulation import Integrator
from cablemodels.soma import NeuronParams, build_neuron
from timing import median_time as _median_time

REPEATS = 5
OUT = Path(__file__).resolve().parent / "RESULTS_energy.md"


def median_time(fn, repeats=REPEATS):
    return _median_time(fn, repeats)


def squid_1000():
    # 10 um x 10 mm, nseg forced to 1000 (d_lambda would choose fewer)
    cell = build_unmyelinated_axon(UnmyelinatedAxonParams(
        diameter_um=10.0, length_um=10000.0, discretization=Discretization(0.1, 1e5)))
    sec = cell.sections("axon")[0]
    sec.nseg = 999
    cell._apply_ions(sec, cell.membrane("axon"))
    return cell


def bench_overhead(rows):
    h = hoc()
    cell = squid_1000()
    integ = Integrator(method="fixed", dt_ms=0.025)
    rest = pr.rest_mV(cell)
    sec = cell.sections("axon")[0]
    window = 40.0

    def plain():
        clamp = h.IClamp(sec(0.0))
        clamp.amp, clamp.delay, clamp.dur = pr.pulse_amplitude_nA(sec(0.0)), 20.0, 0.5
        ncs = [pr._spikes(sec(x)) for x in (0.25, 0.75)]
        sim.start(cell, integ, rest)
        sim.advance(20.0 + window)
        assert len(ncs[1][1]) == 1

    def accounted():
        E.ap_energy(cell, integrator=integ, window_ms=window)

    t_plain, t_energy = median_time(plain), median_time(accounted)
    rows.append(("(a) 1,000-segment squid axon, one spike, plain run", f"{t_plain:.3f} s", ""))
    rows.append(("(a) same with energy accounting", f"{t_energy:.3f} s",
                 f"overhead {100 * (t_energy / t_plain - 1):.1f}% (target <= 10%)"))


def bench_rundown(rows):
    for label, excitable in (("passive pump-leak soma, 10 um", False),
                             ("excitable Wang-Buzsaki soma, 10 um", True)):
        membrane = Membrane.mammalian("soma", pump_imax_mA_cm2=0.0, accumulation=True)
        if not excitable:
            membrane = membrane.with_(kinetics=None)
        cell = build_neuron(NeuronParams(soma_diameter_um=10.0, membrane=membrane))
        E.balance_pump(cell)
        repeats = 1 if excitable else REPEATS
        t_cvode = median_time(lambda: E.pump_block(cell, duration_s=3600.0, sample_s=10.0),
                              repeats)
        t_fixed60 = median_time(lambda: E.pump_block(
            cell, duration_s=60.0, sample_s=10.0,
            integrator=Integrator(method="fixed", dt_ms=0.025)), 1)
        rows.append((f"(b) one-hour pump block, {label}, CVODE maxorder 2", f"{t_cvode:.2f} s",
                     f"fixed step 25 us would take {t_fixed60 * 60:.0f} s "
                     f"(timed over 60 s): CVODE {t_fixed60 * 60 / t_cvode:.0f}x faster"))
        cell.delete()


def _largest_fixed_dt_within(cell, reference, tolerance=0.01):
    """Largest fixed dt (halving from 100 us), implicit Euler or Crank-Nicolson, within 1%."""
    dt = 0.1
    while dt > 1e-4:
        for order in (0, 2):
            integ = Integrator(method="fixed", dt_ms=dt, secondorder=order)
            if abs(pr.axon_velocity(cell, integrator=integ).velocity_m_s / reference - 1) < tolerance:
                return integ
        dt /= 2
    raise RuntimeError("no fixed dt within 1% down to 0.1 us")


def bench_velocity(rows):
    cases = (("squid axon 10 um, 18.5 degC",
              lambda: build_unmyelinated_axon(UnmyelinatedAxonParams(
                  diameter_um=10.0, length_um=10000.0, temperature_degC=18.5))),
             ("mammalian myelinated axon 1 um, 37 degC",
              lambda: build_myelinated_axon(MyelinatedAxonParams.mammalian())))
    for label, make in cases:
        cell = make()
        reference = pr.axon_velocity(cell, integrator=Integrator(atol=1e-9, rtol=1e-9)).velocity_m_s
        fixed = _largest_fixed_dt_within(cell, reference)
        t_default = median_time(lambda: pr.axon_velocity(cell))
        t_fixed = median_time(lambda: pr.axon_velocity(cell, integrator=fixed))
        err = abs(pr.axon_velocity(cell).velocity_m_s / reference - 1)
        rows.append((f"(c) velocity, {label}: default CVODE 1e-6", f"{t_default:.3f} s",
                     f"error {100 * err:.2f}%; fixed step needs dt {fixed.dt_ms:.3g} ms "
                     f"({'Crank-Nicolson' if fixed.secondorder else 'implicit Euler'}) for 1%: "
                     f"{t_fixed:.3f} s, so the default is {t_fixed / t_default:.1f}x faster"))
        cell.delete()


def main():
    rows = []
    bench_overhead(rows)
    bench_rundown(rows)
    bench_velocity(rows)
    from neuron import __version__ as nrn

    lines = ["# Benchmark results", "",
             f"Rerun: `.venv/bin/python benchmarks/bench_energy.py` (NEURON {nrn}; medians of "
             f"{REPEATS} runs unless stated; one core of this project's 2-core machine).", "",
             "| what | time | notes |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    OUT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
