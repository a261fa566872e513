"""E1's maps (issue 14): points per second of the map sweep, cold and resumed.

Run: ``.venv/bin/python benchmarks/bench_myelin_map.py [--quick] [--repeats N]``
(writes benchmarks/RESULTS_myelin_map.md; ``--quick`` runs a 2 x 2 map once and writes
nothing, for the test suite).

What is timed: the two maps of ``analyses/myelin.py`` (9 diameters x 6 nodal Na+
densities and 9 diameters x 4 g-ratios, MS96 nodes, 37 degC: 90 ``myelinated_ap``
points, plus the 9 unmyelinated references), each run as one ``cablemodels.sweep``
into a fresh folder with 1 and with 2 worker processes, wall time (worker start-up
included), median of ``--repeats`` runs, alternated; then the same sweep resumed on its
finished folder (every point reused). Points per second = points / wall time.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cablemodels import sweep

DIAMETERS = [0.2, 0.35, 0.6, 1.0, 2.0, 3.5, 6.0, 10.0, 20.0]
GNAS = [0.1, 0.2, 0.5, 1.0, 3.0, 6.0]
G_RATIOS = [0.55, 0.6, 0.7, 0.8]


def map_points(diameters, gnas, g_ratios) -> tuple[list, list]:
    my = [{"kinetics": "ms96", "axon_diameter_um": d, "node_gnabar_S_cm2": g}
          for d in diameters for g in gnas]
    my += [{"kinetics": "ms96", "axon_diameter_um": d, "g_ratio": g}
           for d in diameters for g in g_ratios]
    un = [{"kinetics": "wb", "diameter_um": d, "length_um": sweep.unmyelinated_length_um(d)}
          for d in diameters]
    return my, un


def run_once(my, un, jobs: int, folder: Path) -> tuple[float, int]:
    start = time.perf_counter()
    a = sweep.run(sweep.SweepSpec("myelinated_ap", points=tuple(my)), folder / "my", jobs=jobs,
                  progress=False)
    b = sweep.run(sweep.SweepSpec("unmyelinated_ap", points=tuple(un)), folder / "un", jobs=jobs,
                  progress=False)
    ok = int((a["status"] == "ok").sum() + (b["status"] == "ok").sum())
    return time.perf_counter() - start, ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if args.quick:
        my, un = map_points([0.5, 2.0], [1.0, 3.0], [0.7])
        with tempfile.TemporaryDirectory() as tmp:
            seconds, ok = run_once(my, un, 2, Path(tmp))
        print(f"quick: {len(my) + len(un)} points ({ok} ok) in {seconds:.1f} s")
        return 0 if ok == len(my) + len(un) else 1
    my, un = map_points(DIAMETERS, GNAS, G_RATIOS)
    n = len(my) + len(un)
    times = {1: [], 2: []}
    resumed = []
    oks = set()
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            for jobs in (1, 2):
                folder = Path(tmp) / f"r{r}j{jobs}"
                seconds, ok = run_once(my, un, jobs, folder)
                times[jobs].append(seconds)
                oks.add(ok)
                again, _ = run_once(my, un, jobs, folder)
                resumed.append(again)
                print(f"repeat {r} jobs {jobs}: {seconds:.1f} s cold, {again:.2f} s resumed",
                      flush=True)
    lines = ["# E1 map sweep throughput (issue 14)", "",
             f"`.venv/bin/python benchmarks/bench_myelin_map.py --repeats {args.repeats}` on "
             f"{platform.node()} ({os.cpu_count()} cores, Python {platform.python_version()}), "
             f"{time.strftime('%Y-%m-%d')}; 2 cores shared with other work, so wall times "
             "are noisy: medians with ranges.", "",
             f"The maps: {len(my)} myelinated points (9 diameters x 6 nodal densities + 9 x 4 "
             f"g-ratios) and {len(un)} unmyelinated references, {n} in all; {sorted(oks)} of "
             "them gave a verified spike (the rest fail as the report lists).", "",
             "| workers | wall s, median [range] | points per second |", "|---|---|---|"]
    for jobs, ts in times.items():
        med = statistics.median(ts)
        lines.append(f"| {jobs} | {med:.1f} [{min(ts):.1f}-{max(ts):.1f}] | {n / med:.1f} |")
    lines += ["", f"Resumed on a finished folder (every point reused): median "
              f"{statistics.median(resumed):.2f} s.", "",
              "Per-point cost: what does not change between points is reused: the "
              "unmyelinated reference of a diameter serves every row of both maps, the workers "
              "keep NEURON and the mechanisms loaded from point to point, and a point builds "
              "and measures one axon in one run (rest, spike and velocity together)."]
    out = Path(__file__).with_name("RESULTS_myelin_map.md")
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
