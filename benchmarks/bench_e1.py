"""One E1 myelin-map point: cablemodels against an expert plain NEURON script (issue 20).

Run: ``.venv/bin/python benchmarks/bench_e1.py [--quick]`` (writes
benchmarks/RESULTS_e1.md; ``--quick`` times one run of each and writes nothing,
for the test suite).

The point: ATP per um and conduction velocity of one action potential in the
1 um MS96 myelinated axon (21 nodes), as ``sweep.myelinated_ap`` measures it
(build, rest, one verified spike with ion counters).

The peer is the plain NEURON script an expert would write for the same answer,
with no cablemodels code in its timed part: the cell from its exported hoc
template (built inside the timed call, as ours is), rest by NEURON's
custom-initialisation idiom (implicit-Euler steps of 1e9 ms from -80 mV, then
``frecord_init``), CVODE at the loosest tolerance of 1e-3 ... 1e-6 that is within
1% of the reference at this point (chosen in the script's favour, at this point
only), one 0.5 ms pulse of the same amplitude ours used, threshold NetCons at the
two timing nodes, ``ina`` recorded only in the measured segments, ``psolve``.

Both are checked against the same converged reference (CVODE 1e-9, segments 4x
shorter, same stimulus). Timing: both in this process, alternated, CPU
(``time.process_time``) and wall, medians and ranges.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
OUT = HERE / "RESULTS_e1.md"
POINT = dict(axon_diameter_um=1.0)
TEMPLATE = "BenchE1"


def ours():
    from cablemodels import sweep

    return sweep.myelinated_ap(rest_cost=False, **POINT)


def reference(amp_nA: float) -> dict:
    from cablemodels import energy, sweep
    from cablemodels.axon import build_myelinated_axon
    from cablemodels.cell import Discretization
    from cablemodels.simulation import Integrator

    cell = build_myelinated_axon(sweep._myelinated_params(
        discretization=Discretization(d_lambda=0.025, frequency_hz=1000.0), **POINT))
    e = energy.ap_energy(cell, integrator=Integrator(atol=1e-9, rtol=1e-9), amp_nA=amp_nA)
    cell.delete()
    return {"atp_per_um": e.atp_per_um, "velocity_m_s": e.velocity.velocity_m_s}


def export_template(folder: Path) -> tuple[Path, float]:
    """The point's cell as a hoc template, and the pulse cablemodels chooses for it."""
    from cablemodels import energy, hocio, sweep
    from cablemodels.axon import build_myelinated_axon

    cell = build_myelinated_axon(sweep._myelinated_params(**POINT))
    amp = energy.ap_energy(cell).stimulus_nA
    path = hocio.export_hoc(cell, folder / "e1.hoc", TEMPLATE)
    cell.delete()
    return path, amp


def expert(h, amp_nA: float, tol: float, window_ms: float = 15.0) -> dict:
    """The plain NEURON script (template already loaded)."""
    from timing import measuring_nodes

    pc = h.ParallelContext()
    cell = getattr(h, TEMPLATE)()
    h.celsius = cell.celsius_degC
    nodes = list(cell.nodes)
    stim = h.IClamp(nodes[0](0.5))
    stim.delay, stim.dur, stim.amp = 1.0, 0.5, amp_nA
    i, j, jv = measuring_nodes(len(nodes))
    h.distance(0, nodes[0](0))
    d0, d1 = h.distance(nodes[i](0)), h.distance(nodes[j](0))
    times = []
    ncs = []
    for node in (nodes[i], nodes[jv]):
        nc = h.NetCon(node(0.5)._ref_v, None, sec=node)
        nc.threshold = -20.0
        tv = h.Vector()
        nc.record(tv)
        ncs.append(nc)
        times.append(tv)
    tvec = h.Vector().record(h._ref_t)
    recs = []
    for sec in cell.all:
        for seg in sec:
            if d0 <= h.distance(seg) < d1 and hasattr(seg, "ina"):
                recs.append((seg.area(), h.Vector().record(seg._ref_ina)))
    cvode = h.CVode()
    cvode.active(0)
    pc.set_maxstep(10)
    h.finitialize(-80.0)
    h.t, h.dt = -1e10, 1e9  # NEURON's custom initialisation: jump to steady state
    while h.t < -1e9:
        h.fadvance()
    h.t, h.dt = 0.0, 0.025
    cvode.active(1)
    cvode.atol(tol)
    cvode.rtol(tol)
    cvode.re_init()
    h.frecord_init()
    pc.psolve(1.0 + window_ms)
    t = tvec.as_numpy()
    na_C = 0.0
    for area, vec in recs:
        ina = vec.as_numpy()
        na_C += -np.trapezoid(ina - ina[0], t) * area * 1e-8 * 1e-6  # mA/cm2*ms*cm2 -> C
    velocity = (h.distance(nodes[jv](0.5)) - h.distance(nodes[i](0.5))) * 1e-3 / (
        times[1][0] - times[0][0])
    out = {"atp_per_um": na_C / 1.602176634e-19 / 3 / (d1 - d0), "velocity_m_s": velocity}
    cvode.active(0)
    del stim, ncs, recs, cell
    return out


def timed(fn):
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - c0, time.perf_counter() - w0


def err(result, ref):
    return {k: result[k] / ref[k] - 1 for k in ref}


def fmt(xs):
    return f"{statistics.median(xs) * 1e3:.1f} [{min(xs) * 1e3:.1f}-{max(xs) * 1e3:.1f}]"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else 15
    from cablemodels.cell import hoc

    h = hoc()
    h.load_file("stdrun.hoc")
    with tempfile.TemporaryDirectory() as tmp:
        path, amp = export_template(Path(tmp))
        h.load_file(str(path))
    ref = reference(amp)
    mine = ours()
    tol_choice = None
    for tol in (1e-3, 1e-4, 1e-5, 1e-6):
        e = err(expert(h, amp, tol), ref)
        if all(abs(v) <= 0.01 for v in e.values()):
            tol_choice = tol
            break
    if tol_choice is None:
        tol_choice = 1e-6
    peer = expert(h, amp, tol_choice)
    cpu = {"cablemodels": [], "expert": []}
    wall = {"cablemodels": [], "expert": []}
    for _ in range(repeats):
        for name, fn in (("cablemodels", ours), ("expert", lambda: expert(h, amp, tol_choice))):
            _, c, w = timed(fn)
            cpu[name].append(c)
            wall[name].append(w)
    ratio_cpu = [a / b for a, b in zip(cpu["cablemodels"], cpu["expert"])]
    ratio_wall = [a / b for a, b in zip(wall["cablemodels"], wall["expert"])]
    e_ours, e_peer = err(mine, ref), err(peer, ref)
    lines = ["| run | CPU ms, median [range] | wall ms, median [range] | ATP/um error | "
             "velocity error |", "|---|---|---|---|---|",
             f"| cablemodels `sweep.myelinated_ap` (build, rest, verified spike) | "
             f"{fmt(cpu['cablemodels'])} | {fmt(wall['cablemodels'])} | "
             f"{e_ours['atp_per_um']:+.2%} | {e_ours['velocity_m_s']:+.2%} |",
             f"| expert plain NEURON (template, big-step rest, CVODE {tol_choice:g}, "
             f"measured ina only, psolve) | {fmt(cpu['expert'])} | {fmt(wall['expert'])} | "
             f"{e_peer['atp_per_um']:+.2%} | {e_peer['velocity_m_s']:+.2%} |", "",
             f"cablemodels / expert, paired: CPU {statistics.median(ratio_cpu):.2f}x "
             f"[{min(ratio_cpu):.2f}-{max(ratio_cpu):.2f}], wall "
             f"{statistics.median(ratio_wall):.2f}x [{min(ratio_wall):.2f}-{max(ratio_wall):.2f}] "
             f"(target <= 1.0x CPU). Reference: ATP/um {ref['atp_per_um']:.6g}, velocity "
             f"{ref['velocity_m_s']:.6g} m/s, stimulus {amp:.4g} nA."]
    table = "\n".join(lines) + "\n"
    print(table)
    if not args.quick:
        load = os.getloadavg()[0]
        OUT.write_text("# One E1 myelin-map point against an expert NEURON script (issue 20)\n\n"
                       f"`.venv/bin/python benchmarks/bench_e1.py`; {repeats} alternating pairs "
                       f"in one process, {os.cpu_count()} cores shared with other developers' "
                       f"jobs (load average {load:.1f} at the end), so wall times are noisy and "
                       "the paired CPU ratio is the number to read.\n\n" + table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
