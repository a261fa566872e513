"""The ``cablemodels`` command line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from . import __version__, mechanisms


def _cmd_build(args: argparse.Namespace) -> int:
    info = mechanisms.build()
    if args.verbose:
        state = "compiled" if info.compiled else "cached"
        print(f"# {state} in {info.seconds:.1f} s, NEURON {info.neuron_version}, "
              f"sources {info.source_hash[:12]}", file=sys.stderr)
    print(info.library)
    return 0


def _cmd_doctor(args: argparse.Namespace) -> int:
    problems = 0

    def line(ok: bool, what: str, detail: str) -> None:
        nonlocal problems
        problems += not ok
        print(f"{'OK     ' if ok else 'PROBLEM'} {what}: {detail}")

    try:
        version = mechanisms.neuron_version()
        major = int(version.split(".")[0])
        line(major >= 9, "NEURON", f"{version}" + ("" if major >= 9 else " (cablemodels needs >= 9)"))
    except mechanisms.MechanismBuildError as err:
        line(False, "NEURON", str(err))
        return 1
    compiler = mechanisms.find_compiler()
    line(compiler is not None, "C++ compiler", compiler or "none found (install g++ or clang++)")
    try:
        line(True, "nrnivmodl", str(mechanisms.find_nrnivmodl()))
    except mechanisms.MechanismBuildError as err:
        line(False, "nrnivmodl", str(err))
    root = mechanisms.cache_root()
    try:
        root.mkdir(parents=True, exist_ok=True)
        writable = os.access(root, os.W_OK)
    except OSError:
        writable = False
    line(writable, "cache folder", f"{root}" + ("" if writable else " (not writable; set "
                                                 f"{mechanisms.CACHE_ENV})"))
    folders = mechanisms.arch_folders()
    if not folders:
        line(True, "working directory", f"no compiled-mechanism folder in {Path.cwd()}")
    try:
        info = mechanisms.load()
        names = mechanisms.mechanism_names()
        line(True, "mechanisms", f"{len(names)} loaded from {info.library}: {', '.join(names)}")
        if folders:
            line(True, "working directory",
                 f"{', '.join(map(str, folders))} loaded beside ours (no name clash)")
    except mechanisms.MechanismClashError as err:
        line(False, "working directory", str(err))
    except mechanisms.MechanismBuildError as err:
        line(False, "mechanisms", str(err))
    return 1 if problems else 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    run_demo()
    return 0


def _cmd_reproduce(args: argparse.Namespace) -> int:
    from .report import closing_lines, reproduce

    path = reproduce(args.out, quick=args.quick, jobs=args.jobs)
    print("\n".join(closing_lines(path.parent)))
    return 0


def _exportable_cells() -> dict:
    """Named cells ``export-hoc`` can write (each built with its cited defaults)."""
    from .axon import (MyelinatedAxonParams, UnmyelinatedAxonParams, build_myelinated_axon,
                       build_unmyelinated_axon)
    from .soma import SOMA_PRESETS, NeuronParams, build_neuron

    cells = {
        "squid-axon": lambda: build_unmyelinated_axon(UnmyelinatedAxonParams()),
        "mammalian-axon": lambda: build_unmyelinated_axon(UnmyelinatedAxonParams.mammalian()),
        "myelinated": lambda: build_myelinated_axon(MyelinatedAxonParams.mammalian()),
        "myelinated-double": lambda: build_myelinated_axon(
            MyelinatedAxonParams.mammalian(representation="double")),
    }
    for name in SOMA_PRESETS:
        cells[f"{name}-soma"] = lambda name=name: build_neuron(NeuronParams.preset(name))
    return cells


def _cmd_export_hoc(args: argparse.Namespace) -> int:
    from . import hocio, protocols

    cells = _exportable_cells()
    if args.swc:
        from .morphology import SwcParams, load_swc, shipped

        path = Path(args.swc)
        cell = load_swc(SwcParams(path if path.suffix == ".swc" else shipped(args.swc)))
    elif args.cell in cells:
        cell = cells[args.cell]()
    else:
        raise ValueError(f"unknown cell {args.cell!r}; choose one of {sorted(cells)} "
                         "or give --swc FILE")
    if not args.no_rest:
        protocols.rest_mV(cell)
    path = hocio.export_hoc(cell, args.out, args.template)
    print(f"wrote {path} ({cell.nseg_total()} segments; sections "
          + ", ".join(f"{role}[{len(secs)}]" for role, secs in cell.roles.items()) + ")")
    cell.delete()
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from . import sweep

    spec = sweep.SweepSpec.from_file(args.spec)
    frame = sweep.run(spec, args.out, jobs=args.jobs, progress=not args.no_progress,
                      retry_failed=args.retry_failed, mpi=args.mpi)
    failed = int((frame["status"] != "ok").sum())
    print(f"{len(frame)} points ({failed} failed) in {Path(args.out) / sweep.TABLE_FILE}")
    if args.mpi:
        sweep.finalize_mpi()  # does not return
    return 0


def make_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``cablemodels`` command."""
    parser = argparse.ArgumentParser(
        prog="cablemodels",
        description="NEURON cable models of what neuronal signalling costs in energy.",
    )
    parser.add_argument("--version", action="version", version=f"cablemodels {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "build",
        help="compile the mechanisms (if needed) and print the library path",
        description="Compile cablemodels' NMODL mechanisms into the cache (if not there yet) "
        "and print the absolute path of the compiled library. hoc users pass it to "
        "'nrniv -dll PATH' or nrn_load_dll(\"PATH\").",
    )
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser(
        "doctor",
        help="check NEURON, compiler, cache and mechanisms; exit 1 on a problem",
        description="Print one OK / PROBLEM line each for NEURON, the C++ compiler, nrnivmodl, "
        "the cache folder, the mechanisms and the working directory. Exit status 1 on a problem.",
    )
    p.set_defaults(func=_cmd_doctor)

    p = sub.add_parser(
        "demo",
        help="build an axon, fire an action potential, print its conduction velocity",
        description="A 30-second check that everything works: a squid-HH unmyelinated axon "
        "at 6.3 degC fires one action potential and its conduction velocity is printed "
        "next to Hodgkin & Huxley's 1952 computed value.",
    )
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser(
        "export-hoc",
        help="write a cell as a hoc template for nrniv",
        description="Build a named cell (or an SWC morphology) with its cited defaults and "
        "write it as a hoc template (begintemplate ... endtemplate) that nrniv loads with "
        "cablemodels' library: nrniv -dll \"$(cablemodels build)\" FILE your_script.hoc. "
        "See docs/hoc.md for the template's interface.",
    )
    p.add_argument("cell", nargs="?", default="myelinated",
                   help="squid-axon, mammalian-axon, myelinated (default), myelinated-double, "
                   "granule-soma, interneuron-soma, pyramidal-soma, motoneuron-soma")
    p.add_argument("--swc", help="an SWC file, or the name of a shipped morphology "
                   "(ball_and_stick, interneuron_small, motoneuron_large, pyramidal_myelinated)")
    p.add_argument("--out", required=True, help="hoc file to write")
    p.add_argument("--template", help="template name (default: derived from the cell)")
    p.add_argument("--no-rest", action="store_true",
                   help="do not find the resting potential (the template then has no v_rest_mV)")
    p.set_defaults(func=_cmd_export_hoc)

    p = sub.add_parser(
        "sweep",
        help="run (or resume) a parameter sweep from a JSON/TOML spec",
        description="Run every point of SPEC (protocol, grid and/or points, fixed) and write "
        "one file per finished point plus results.csv into --out. Running the same command "
        "again resumes: finished points are kept. A failing point is recorded with its error. "
        "On a cluster: mpiexec -n N python -m cablemodels.sweep SPEC --out DIR --mpi.",
    )
    p.add_argument("spec", help="sweep specification (.json or .toml)")
    p.add_argument("--out", required=True, help="folder for the points and results.csv")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="local processes (default: every core)")
    p.add_argument("--mpi", action="store_true",
                   help="distribute points with NEURON's ParallelContext over MPI")
    p.add_argument("--retry-failed", action="store_true", help="run failed points again")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_sweep)

    p = sub.add_parser(
        "reproduce",
        help="run every claim analysis and write the report",
        description="Simulate every core and in-scope claim of CLAIMS.md and write report.md, "
        "report.html, claims.csv, figures/, data/ and provenance.json into --out.",
    )
    p.add_argument("--quick", action="store_true", help="smaller sweeps (about a minute)")
    p.add_argument("--out", default="report", help="output folder (default: ./report)")
    p.add_argument("--jobs", type=int, default=1, help="analyses run in parallel processes")
    p.set_defaults(func=_cmd_reproduce)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cablemodels`` console script."""
    args = make_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(name)s: %(message)s")
    try:
        return args.func(args)
    except (mechanisms.MechanismBuildError, mechanisms.MechanismClashError, ValueError) as err:
        print(f"cablemodels: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
