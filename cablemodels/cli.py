"""The ``cablemodels`` command line.

Every error a user can cause (bad arguments, files that cannot be read or written,
parameters out of range, a failed mechanism build) ends as one line
``cablemodels: error: ...`` on stderr and exit status 2, with no partial output
file left behind. Log messages go to stderr: WARNING and the mechanism compiler's
INFO lines (a compile takes up to a minute and says so) by default, every INFO
line with ``-v`` (before or after the subcommand).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from pathlib import Path

from . import __version__, mechanisms


class CliError(Exception):
    """A user error found by the CLI itself (reported like every other error)."""


def jobs_count(text: str) -> int:
    """argparse type of every ``--jobs``: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1 (got {text!r})") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1 (got {value})")
    return value


def _output_file(text: str) -> Path:
    """An output file path whose folder exists and is writable, and which is not
    something other than a regular file (a folder, a device)."""
    if not text or text.endswith(("/", os.sep)):
        raise CliError(f"--out {text!r} is not a file name")
    path = Path(text).expanduser()
    folder = path.parent
    if not folder.is_dir():
        raise CliError(f"cannot write {path}: folder {folder} does not exist")
    if path.exists() and not path.is_file():
        raise CliError(f"cannot write {path}: it exists and is not a regular file")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CliError(f"cannot write {path}: folder {folder} is not writable")
    return path


_HOC_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def check_template_name(name: str) -> str:
    """Refuse template names nrniv could not define: not an identifier, a hoc
    keyword or a name hoc already has (built-ins, the standard run system,
    NEURON's and cablemodels' mechanisms)."""
    if not _HOC_IDENT.match(name):
        raise CliError(f"template name {name!r} is not a hoc identifier (a letter, then "
                       "letters, digits or _)")
    from . import mechanisms

    mechanisms.load()
    from neuron import h

    h.load_file("stdrun.hoc")
    if h.name_declared(name):
        raise CliError(f"template name {name!r} is a hoc keyword or a name hoc already "
                       "defines; choose another (e.g. Cm_{name})".replace("{name}", name))
    return name


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

    if args.only:
        from .analyses import MODULES

        unknown = sorted(set(args.only) - set(MODULES))
        if unknown:
            raise CliError(f"--only {', '.join(unknown)}: no such analysis; choose from "
                           f"{', '.join(MODULES)}")
    path = reproduce(args.out, quick=args.quick, jobs=args.jobs, only=args.only)
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
    if args.swc and args.cell is not None:
        raise CliError(f"give either a cell name ({args.cell!r}) or --swc, not both")
    if not args.swc and (args.cell or "myelinated") not in cells:
        raise CliError(f"unknown cell {args.cell!r}; choose one of {sorted(cells)} "
                       "or give --swc FILE")
    out = _output_file(args.out)
    if args.template is not None:
        check_template_name(args.template)
    if args.swc:
        from .morphology import SwcParams, load_swc, shipped

        path = Path(args.swc)
        cell = load_swc(SwcParams(path if path.suffix == ".swc" else shipped(args.swc)))
    else:
        cell = cells[args.cell or "myelinated"]()
    part = out.with_name(out.name + ".part")
    had_part = part.exists()
    try:
        if not args.no_rest:
            protocols.rest_mV(cell)
        path = hocio.export_hoc(cell, out, args.template, set_celsius=args.set_celsius)
        print(f"wrote {path} ({cell.nseg_total()} segments; sections "
              + ", ".join(f"{role}[{len(secs)}]" for role, secs in cell.roles.items()) + ")")
    finally:
        cell.delete()
        if not had_part:
            part.unlink(missing_ok=True)
    return 0


def _window(text: str) -> tuple[float, float]:
    """``--window T0:T1`` (ms)."""
    t0, sep, t1 = text.partition(":")
    try:
        if not sep:
            raise ValueError
        return float(t0), float(t1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write T0:T1 in ms, e.g. 100:200") from None


def _cmd_audit(args: argparse.Namespace) -> int:
    from . import audit

    out = _output_file(args.out) if args.out is not None else None
    groups = audit.group_patterns_from_args(args.group) if args.group else None
    result = audit.audit_files(args.files, args.window, mod_dir=args.mod_dir,
                               setup=args.setup or (), run=args.run, groups=groups,
                               subtract_rest=args.subtract_rest)
    print(result.table())
    if out is not None:
        from .files import write_replacing

        write_replacing(out, result.to_csv)
        print(f"per-segment table written to {out}")
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from . import sweep

    spec = sweep.SweepSpec.from_file(args.spec)
    frame = sweep.run(spec, args.out, jobs=args.jobs, progress=not args.no_progress,
                      retry_failed=args.retry_failed, mpi=args.mpi)
    failed = int((frame["status"] != "ok").sum())
    print(f"{len(frame)} points ({failed} failed) in {Path(args.out) / sweep.TABLE_FILE}")
    if failed:
        print(f"cablemodels: {failed} of {len(frame)} points failed (errors in the 'error' "
              "column; rerun with --retry-failed after fixing the cause)", file=sys.stderr)
    if args.mpi:
        sweep.finalize_mpi(1 if failed else 0)  # does not return
    return 1 if failed else 0


def make_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``cablemodels`` command."""
    parser = argparse.ArgumentParser(
        prog="cablemodels",
        description="NEURON cable models of what neuronal signalling costs in energy.",
    )
    parser.add_argument("--version", action="version", version=f"cablemodels {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "build", parents=[common],
        help="compile the mechanisms (if needed) and print the library path",
        description="Compile cablemodels' NMODL mechanisms into the cache (if not there yet) "
        "and print the absolute path of the compiled library. hoc users pass it to "
        "'nrniv -dll PATH' or nrn_load_dll(\"PATH\").",
    )
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser(
        "doctor", parents=[common],
        help="check NEURON, compiler, cache and mechanisms; exit 1 on a problem",
        description="Print one OK / PROBLEM line each for NEURON, the C++ compiler, nrnivmodl, "
        "the cache folder, the mechanisms and the working directory. Exit status 1 on a problem.",
    )
    p.set_defaults(func=_cmd_doctor)

    p = sub.add_parser(
        "demo", parents=[common],
        help="build an axon, fire an action potential, print its conduction velocity",
        description="A 30-second check that everything works: Hodgkin & Huxley's 476 um "
        "squid axon at 18.5 degC, in their published configuration (E_Na +50 mV, E_K -77 mV, "
        "ohmic leak), fires one action potential and its conduction velocity is printed next "
        "to Hodgkin & Huxley's 1952 computed 18.8 m/s.",
    )
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser(
        "export-hoc", parents=[common],
        help="write a cell as a hoc template for nrniv",
        description="Build a named cell (or an SWC morphology) with its cited defaults and "
        "write it as a hoc template (begintemplate ... endtemplate) that nrniv loads with "
        "cablemodels' library: nrniv -dll \"$(cablemodels build)\" FILE your_script.hoc. "
        "See docs/hoc.md for the template's interface.",
    )
    p.add_argument("cell", nargs="?", default=None,
                   help="squid-axon, mammalian-axon, myelinated (default), myelinated-double, "
                   "granule-soma, interneuron-soma, pyramidal-soma, motoneuron-soma")
    p.add_argument("--swc", help="an SWC file, or the name of a shipped morphology "
                   "(ball_and_stick, interneuron_small, motoneuron_large, pyramidal_myelinated)")
    p.add_argument("--out", required=True, help="hoc file to write")
    p.add_argument("--template", help="template name (default: derived from the cell)")
    p.add_argument("--no-rest", action="store_true",
                   help="do not find the resting potential (the template then has no v_rest_mV)")
    p.add_argument("--set-celsius", action="store_true",
                   help="the template's init sets celsius = celsius_degC (for NetPyNE and other "
                   "tools that ignore celsius_degC)")
    p.set_defaults(func=_cmd_export_hoc)

    p = sub.add_parser(
        "audit", parents=[common],
        help="what the ion traffic of your own NEURON model costs, per segment and group",
        description="Load hoc files in order (each from its own folder, as nrniv would), insert "
        "cablemodels' ion counters into every section (your mechanisms are not changed), run "
        "your simulation with the standard run system, and print the Na+, K+ and Ca2+ that "
        "crossed the membrane between T0 and T1 and their ATP (Na+/3; Ca2+ separately), per "
        "group; --out writes one row per segment. See docs/howto/audit.md.",
    )
    p.add_argument("files", nargs="+", metavar="MODEL.hoc", help="hoc files, loaded in order")
    p.add_argument("--window", type=_window, required=True, metavar="T0:T1",
                   help="the time window of your run, in ms")
    p.add_argument("--mod-dir", help="a folder of your .mod files, compiled and loaded first")
    p.add_argument("--setup", action="append", metavar="HOC",
                   help="hoc statement run after loading (repeatable)")
    p.add_argument("--run", dest="run", action="store_true", default=True,
                   help="run the model with run() (default)")
    p.add_argument("--no-run", dest="run", action="store_false",
                   help="do not call run(): a --setup statement runs the model")
    p.add_argument("--group", action="append", metavar="NAME=PATTERN",
                   help="sections whose names match PATTERN (shell-style, brackets literal) "
                   "form group NAME; repeatable; unmatched sections are 'other'")
    p.add_argument("--subtract-rest", action="store_true",
                   help="subtract the resting flux of the 5 ms before T0 (default: raw)")
    p.add_argument("--out", help="CSV file for the per-segment table")
    p.set_defaults(func=_cmd_audit)

    p = sub.add_parser(
        "sweep", parents=[common],
        help="run (or resume) a parameter sweep from a JSON/TOML spec",
        description="Run every point of SPEC (protocol, grid and/or points, fixed) and write "
        "one file per finished point plus results.csv into --out. Running the same command "
        "again resumes: finished points are kept. A failing point is recorded with its error. "
        "On a cluster: mpiexec -n N python -m cablemodels.sweep SPEC --out DIR --mpi.",
    )
    p.add_argument("spec", help="sweep specification (.json or .toml)")
    p.add_argument("--out", required=True, help="folder for the points and results.csv")
    p.add_argument("--jobs", type=jobs_count, default=os.cpu_count() or 1,
                   help="worker processes (default: every core); points always run in "
                   "workers, never in this process")
    p.add_argument("--mpi", action="store_true",
                   help="distribute points with NEURON's ParallelContext over MPI")
    p.add_argument("--retry-failed", action="store_true", help="run failed points again")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_sweep)

    p = sub.add_parser(
        "reproduce", parents=[common],
        help="run every claim analysis and write the report",
        description="Simulate every core and in-scope claim (cablemodels/data/claims.toml) and "
        "write report.md, "
        "report.html, claims.csv, figures/, data/ and provenance.json into --out.",
    )
    p.add_argument("--quick", action="store_true", help="smaller sweeps (about a minute)")
    p.add_argument("--out", default="report", help="output folder (default: ./report)")
    p.add_argument("--jobs", type=jobs_count, default=1,
                   help="analyses run in parallel processes (an integer >= 1)")
    p.add_argument("--only", action="append", metavar="ANALYSIS",
                   help="run only this analysis (e.g. myelin; repeat for several): a partial "
                   "report, and a finished sweep point in --out is reused, never recomputed")
    p.set_defaults(func=_cmd_reproduce)
    return parser


def _setup_logging(verbose: bool) -> None:
    """INFO to stderr for the compiler's messages always, for everything with -v."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger(mechanisms.__name__).setLevel(logging.INFO)


def _os_message(err: OSError) -> str:
    what = err.strerror or str(err)
    where = f"{err.filename}" + (f" -> {err.filename2}" if err.filename2 else "")
    return f"{what}: {where}" if err.filename else what


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cablemodels`` console script.

    Returns
    -------
    int
        0 on success, 1 when a command ran but found problems (``doctor``) or
        failed points (``sweep``), 2 on an error (message on stderr), 130 when
        interrupted (Ctrl-C).
    """
    parser = make_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return args.func(args)
    except (mechanisms.MechanismBuildError, mechanisms.MechanismClashError, ValueError,
            CliError) as err:
        print(f"cablemodels: error: {err}", file=sys.stderr)
    except OSError as err:
        print(f"cablemodels: error: {_os_message(err)}", file=sys.stderr)
    except KeyboardInterrupt:
        print("cablemodels: interrupted", file=sys.stderr)
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
