"""Cost per segment-step of every shipped channel set against NEURON's ``hh`` (issue 20).

Run: ``.venv/bin/python benchmarks/bench_membranes.py [--quick]`` (writes
benchmarks/RESULTS_membranes.md; ``--quick`` runs a tiny case of the shipped build
only and writes nothing, for the test suite). The ``numeric`` build is compiled
once into the cablemodels cache folder (keyed by its sources' hash like any build).

The same cable (10 mm x 10 um, 1,000 segments, dt 25 us implicit Euler, 50 ms,
one propagating action potential started by a 0.5 ms pulse at x=0, ``psolve``)
carries in turn NEURON's ``hh`` (with its rate tables), a bare cable (no
mechanism), and each shipped channel set as its builder inserts it (GHK leak,
channels with their charge counters, per-segment ions). Each set is timed
against ``hh`` in the same process, in turn (so load drifts hit all alike), CPU
time (``time.process_time``) and wall time, medians of ``repeats`` runs.

Two builds of the mechanisms are compared, each in its own process (a process
can load only one): the shipped ``mod/`` files (``exact``: ``cm_leak``,
``cm_hcn`` and ``cm_nakpump`` give NEURON their exact dI/dV as ``CONDUCTANCE``)
and a copy with those ``CONDUCTANCE`` lines removed (``numeric``: NEURON
evaluates BREAKPOINT twice per step and takes a 1 uV difference quotient, as
before issue 20). The processes alternate. Each also measures one action
potential's ATP and peaks with ``energy.ap_energy`` at fixed step on every set,
so the two builds' results can be compared digit by digit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "RESULTS_membranes.md"
HINTED = ("cm_leak.mod", "cm_hcn.mod", "cm_nakpump.mod")


def numeric_mod_dir(dest: Path) -> Path:
    """A copy of ``mod/`` whose leak, HCN and pump have no CONDUCTANCE hints."""
    dest.mkdir(parents=True, exist_ok=True)
    for src in (REPO / "mod").glob("*.mod"):
        text = src.read_text()
        if src.name in HINTED:
            text = re.sub(r"^\s*CONDUCTANCE .*\n", "", text, flags=re.M)
        (dest / src.name).write_text(text)
    return dest


def channel_sets():
    """(label, membrane, temperature, ions) of every shipped channel set."""
    from cablemodels import biophysics as B

    squid, mam = B.Ions.preset("squid"), B.Ions.preset("mammalian")
    hcn = B.HCN.preset("hcn1", 2e-8)
    return [
        ("squid (HH 1952, energy config)", B.Membrane.squid(), 6.3, squid),
        ("Wang-Buzsaki axon", B.Membrane.mammalian("axon", "wb"), 37.0, mam),
        ("MS96 axon/node", B.Membrane.mammalian("axon", "ms96"), 37.0, mam),
        ("MS96 soma", B.Membrane.mammalian("soma", "ms96"), 37.0, mam),
        ("WB + HCN + pump", B.Membrane.mammalian("axon", "wb", hcn=hcn,
                                                 pump_imax_mA_cm2=0.0), 37.0, mam),
    ]


def child(nseg: int, t_stop_ms: float, repeats: int) -> dict:
    """Run in a process that has loaded one build; returns timings and results."""
    from neuron import h

    from cablemodels import energy as E
    from cablemodels import mechanisms
    from cablemodels import protocols as pr
    from cablemodels import simulation as sim
    from cablemodels.axon import UnmyelinatedAxonParams, build_unmyelinated_axon
    from cablemodels.cell import Discretization
    from cablemodels.simulation import Integrator

    mechanisms.load()
    h.load_file("stdrun.hoc")
    pc = h.ParallelContext()
    integ = Integrator(method="fixed", dt_ms=0.025)

    def timed_run(cell, sec, celsius, v_init, amp):
        clamp = h.IClamp(sec(0.0))
        clamp.amp, clamp.delay, clamp.dur = amp, 1.0, 0.5
        nc = h.NetCon(sec(0.75)._ref_v, None, sec=sec)
        nc.threshold = -20.0
        tvec = h.Vector()
        nc.record(tvec)
        if cell is not None:
            sim.start(cell, integ, v_init)
        else:
            h.CVode().active(0)
            h.celsius, h.dt, h.secondorder = celsius, 0.025, 0
            h.finitialize(v_init)
        c0, w0 = time.process_time(), time.perf_counter()
        pc.psolve(t_stop_ms)
        c1, w1 = time.process_time(), time.perf_counter()
        return c1 - c0, w1 - w0, len(tvec)

    def plain(mech):
        sec = h.Section(name=f"plain_{mech or 'bare'}")
        sec.L, sec.diam, sec.nseg, sec.Ra = 10000.0, 10.0, nseg, 35.4
        if mech:
            sec.insert(mech)
        return sec

    def build(membrane, temp, ions):
        cell = build_unmyelinated_axon(UnmyelinatedAxonParams(
            diameter_um=10.0, length_um=10000.0, membrane=membrane, temperature_degC=temp,
            ions=ions, ra_ohm_cm=35.4, discretization=Discretization(0.1, 1e5)))
        sec = cell.sections("axon")[0]
        sec.nseg = nseg
        cell._apply_ions(sec, cell.membrane("axon"))
        return cell, sec

    def plain_runner(mech, amp):
        def run():
            sec = plain(mech)
            try:
                return timed_run(None, sec, 6.3, -65.0, amp)
            finally:
                h.delete_section(sec=sec)
        return run

    # Only the timed cable exists while it runs (psolve integrates every section in the
    # process): each run builds its cable and deletes it; building is not timed.
    runners = {"hh": plain_runner("hh", 2.0), "bare cable": plain_runner(None, 0.0)}
    sets, rests = [], {}
    for label, membrane, temp, ions in channel_sets():
        cell, sec = build(membrane, temp, ions)
        rests[label] = pr.rest_mV(cell)
        cell.delete()

        def run(membrane=membrane, temp=temp, ions=ions, rest=rests[label]):
            cell, sec = build(membrane, temp, ions)
            try:
                return timed_run(cell, sec, temp, rest, pr.pulse_amplitude_nA(sec(0.0)))
            finally:
                cell.delete()

        runners[label] = run
        sets.append(label)
    times = {name: {"cpu": [], "wall": [], "spikes": None} for name in runners}
    for _ in range(repeats):
        for name, fn in runners.items():
            cpu, wall, spikes = fn()
            times[name]["cpu"].append(cpu)
            times[name]["wall"].append(wall)
            times[name]["spikes"] = spikes
    results = {}
    for label, membrane, temp, ions in channel_sets():
        cell, sec = build(membrane, temp, ions)
        try:
            e = E.ap_energy(cell, integrator=integ)
        except pr.MeasurementError as err:  # a soma's densities need not propagate
            results[label] = {"error": str(err).split(":")[0]}
            cell.delete()
            continue
        seg = e.segments
        results[label] = {"atp": e.atp, "peak_max_mV": float(seg["peak_mV"].max()),
                          "peak_min_mV": float(seg["peak_mV"].min()),
                          "velocity_m_s": (e.velocity.velocity_m_s
                                           if e.velocity is not None else float("nan"))}
        cell.delete()
    steps = t_stop_ms / 0.025
    return {"sets": sets, "steps": steps, "nseg": nseg, "times": times, "results": results}


def run_child(mod_dir: Path | None, cache: Path, nseg: int, t_stop_ms: float,
              repeats: int) -> dict:
    code = ("import sys, json; sys.path.insert(0, %r)\n"
            "from cablemodels import mechanisms\n"
            "%s"
            "import bench_membranes as b\n"
            "print('RESULT' + json.dumps(b.child(%d, %r, %d)))\n") % (
        str(HERE),
        ("from pathlib import Path\nmechanisms.package_mod_dir = lambda: Path(%r)\n" % str(mod_dir)
         if mod_dir is not None else ""),
        nseg, t_stop_ms, repeats)
    env = dict(os.environ, CABLEMODELS_CACHE_DIR=str(cache), NEURON_MODULE_OPTIONS="-nogui")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=tempfile.gettempdir())
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{proc.stderr[-3000:]}")
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")][-1]
    return json.loads(line[len("RESULT"):])


def us_per_seg_step(seconds: float, out: dict) -> float:
    return seconds / (out["nseg"] * out["steps"]) * 1e6


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny case, no results file")
    args = parser.parse_args(argv)
    nseg, t_stop, repeats, rounds = (50, 5.0, 1, 1) if args.quick else (1000, 50.0, 3, 3)
    from cablemodels import mechanisms

    cache = mechanisms.cache_root()
    if args.quick:
        out = run_child(None, cache, nseg, t_stop, repeats)
        print(json.dumps(out["results"], indent=1))
        return 0
    work = Path(tempfile.mkdtemp(prefix="bench_membranes_"))
    try:
        numeric = numeric_mod_dir(work / "mod_numeric")
        runs = {"exact": [], "numeric": []}
        for _ in range(rounds):  # alternate the two builds' processes
            runs["exact"].append(run_child(None, cache, nseg, t_stop, repeats))
            runs["numeric"].append(run_child(numeric, cache / "bench_numeric", nseg, t_stop,
                                             repeats))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table = summarise(runs)
    print(table)
    OUT.write_text(header(nseg, t_stop, repeats, rounds) + table)
    return 0


def summarise(runs: dict) -> str:
    first = runs["exact"][0]
    names = ["hh", "bare cable"] + first["sets"]
    lines = ["| membrane | build | us/segment-step (CPU) | x hh (CPU, median [range]) "
             "| x hh (wall) |", "|---|---|---|---|---|"]
    for name in names:
        for build in ("exact", "numeric"):
            if name in ("hh", "bare cable") and build == "numeric":
                continue
            per, ratio, wratio = [], [], []
            for out in runs[build]:
                t = out["times"]
                cpu = statistics.median(t[name]["cpu"])
                per.append(us_per_seg_step(cpu, out))
                ratio.extend(c / statistics.median(t["hh"]["cpu"]) for c in t[name]["cpu"])
                wratio.extend(w / statistics.median(t["hh"]["wall"]) for w in t[name]["wall"])
            label = build if name not in ("hh", "bare cable") else "-"
            lines.append(f"| {name} | {label} | {statistics.median(per):.4f} | "
                         f"{statistics.median(ratio):.2f} [{min(ratio):.2f}-{max(ratio):.2f}] | "
                         f"{statistics.median(wratio):.2f} |")
    lines += ["", "One action potential, `energy.ap_energy` at fixed step 25 us, both builds:", "",
              "| membrane | ATP exact | ATP numeric | rel. diff | peak range exact (mV) "
              "| largest peak diff (mV) | velocity rel. diff |", "|---|---|---|---|---|---|---|"]
    ex, nu = runs["exact"][0]["results"], runs["numeric"][0]["results"]
    for name in first["sets"]:
        a, b = ex[name], nu[name]
        if "error" in a or "error" in b:
            lines.append(f"| {name} | no propagating action potential on this cable "
                         "(not measured) | | | | | |")
            continue
        dpeak = max(abs(a["peak_max_mV"] - b["peak_max_mV"]), abs(a["peak_min_mV"] - b["peak_min_mV"]))
        dv = abs(a["velocity_m_s"] - b["velocity_m_s"]) / abs(b["velocity_m_s"])
        lines.append(f"| {name} | {a['atp']:.7g} | {b['atp']:.7g} | "
                     f"{abs(a['atp'] - b['atp']) / b['atp']:.1e} | "
                     f"{a['peak_min_mV']:.3f} to {a['peak_max_mV']:.3f} | {dpeak:.1e} | {dv:.1e} |")
    return "\n".join(lines) + "\n"


def header(nseg, t_stop, repeats, rounds) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        model = [ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                 if ln.startswith("model name")][0]
    except (OSError, IndexError):
        model = cpu
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"# Membrane cost per segment-step (issue 20)\n\n"
            f"`.venv/bin/python benchmarks/bench_membranes.py` on {model}, {os.cpu_count()} "
            f"cores, load average {load:.1f} at the end (other developers' jobs ran at the same "
            f"time, so absolute times are noisy; ratios to `hh` are measured in the same process, "
            f"interleaved). Cable 10 mm x 10 um, {nseg} segments, dt 25 us, {t_stop:g} ms, one "
            f"action potential; {repeats} runs per membrane in each of {rounds} processes per "
            f"build, the two builds' processes alternating. CPU time; ranges over all runs.\n\n")


if __name__ == "__main__":
    sys.exit(main())
