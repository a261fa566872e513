"""Parameter sweeps: a grid or list of points times a protocol, one tidy table.

A sweep is described by a :class:`SweepSpec` (in Python, or a JSON/TOML file for
``cablemodels sweep``): a protocol (a name from :data:`PROTOCOLS` or an importable
``"module:function"``), a ``grid`` (every combination) or a list of ``points``,
and ``fixed`` values shared by every point. Every point is checked before any
simulation starts: unknown parameters, wrong types, empty grids and values the
builders reject all raise :class:`SweepSpecError`.

Each finished point is written at once to ``out_dir/points/NNNNNNNN.json``
(written to a temporary file, flushed to disk, then renamed into place, so a
point file is either complete or absent, even after SIGKILL). Running the same
spec on the same folder again resumes: finished points are read back, not
recomputed. A point whose protocol raises is recorded with its error and the
sweep goes on. The table (``results.csv``, one row per point in grid order,
parameters then results, units in column names) is assembled from the point
files at the end.

Points run serially, on a pool of local processes (``jobs``; each point in a
fresh cell, NEURON state reset by :func:`simulation.start`), or under MPI with
NEURON's ParallelContext bulletin board (``mpiexec -n N python -m
cablemodels.sweep SPEC --out DIR --mpi``). A point's result does not depend on
where it ran: fixed-step results are bitwise identical (tested).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import inspect
import itertools
import json
import math
import os
import socket
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import pandas as pd

from . import simulation as sim

SPEC_FILE = "spec.json"
#: Under MPI, simulated time between the master's visits to the bulletin board.
POLL_SLICE_MS = 1.0
_POLL_KEY = "cablemodels.sweep.poll"
POINTS_DIR = "points"
TABLE_FILE = "results.csv"


class SweepSpecError(ValueError):
    """A sweep specification that cannot run (raised before any simulation)."""


# --------------------------------------------------------------------------- protocols
def _integrator(method: str, dt_ms: float | None, cell):
    from . import simulation as sim

    if method == "default":
        if dt_ms is not None:
            raise ValueError("dt_ms needs method 'fixed' or 'cvode'")
        return sim.default_integrator(cell)
    if method == "fixed":
        return sim.Integrator(method="fixed", dt_ms=dt_ms or 0.025,
                              secondorder=2 if sim.has_extracellular(cell) else 0)
    return sim.Integrator(method=method, dt_ms=dt_ms or 0.025)


def _ap_results(cell, method: str, dt_ms: float | None, rest_cost: bool) -> dict:
    from . import energy, protocols

    try:
        integrator = _integrator(method, dt_ms, cell)
        ap = energy.ap_energy(cell, integrator=integrator)
        # timed in the same run; a separate run only if the spike left the window early
        velocity = ap.velocity or protocols.axon_velocity(cell, integrator=integrator)
        out = {"atp_per_um": ap.atp_per_um, "velocity_m_s": velocity.velocity_m_s,
               "excess_factor": ap.excess_factor, "rest_mV": ap.rest_mV}
        if rest_cost:
            length_um = sum(sec.L for sec in cell.sections())
            out["rest_atp_per_s_per_um"] = energy.rest_energy(cell).atp_per_s / length_um
        out["nseg"] = cell.nseg_total()
        return out
    finally:
        cell.delete()


def _axon_params(params_class, kinetics: str, d_lambda: float | None, fields: dict):
    """``params_class`` (squid defaults) or its ``.mammalian(kinetics)``; the class
    methods reject unknown kinetics."""
    from .cell import Discretization

    if d_lambda is not None:
        fields["discretization"] = Discretization(d_lambda=d_lambda, frequency_hz=1000.0)
    if kinetics == "squid":
        return params_class(**fields)
    return params_class.mammalian(kinetics=kinetics, **fields)


def _myelinated_params(kinetics: str = "ms96", node_gnabar_S_cm2: float | None = None,
                       d_lambda: float | None = None, node_gkbar_S_cm2: float | None = None,
                       **fields):
    from .axon import MyelinatedAxonParams
    from .biophysics import Membrane

    densities = {k: v for k, v in (("gnabar_S_cm2", node_gnabar_S_cm2),
                                   ("gkbar_S_cm2", node_gkbar_S_cm2)) if v is not None}
    if densities:
        base = (Membrane.squid() if kinetics == "squid"
                else Membrane.mammalian("node", kinetics))
        fields["node_membrane"] = base.with_(**densities)
    return _axon_params(MyelinatedAxonParams, kinetics, d_lambda, fields)


def myelinated_ap(method: str = "default", dt_ms: float | None = None, rest_cost: bool = True,
                  **params) -> dict:
    """One point of the myelin map: ATP per um and conduction velocity of one action
    potential in a myelinated axon.

    Parameters: any scalar field of :class:`~cablemodels.axon.MyelinatedAxonParams`
    (``axon_diameter_um``, ``g_ratio``, ``n_nodes``, ``internode_length_um``,
    ``representation``, ``temperature_degC``, ...), plus ``kinetics`` ('ms96'
    default, 'wb', 'squid'), ``node_gnabar_S_cm2``, ``node_gkbar_S_cm2``, ``d_lambda`` (at 1 kHz),
    ``method`` ('default', 'fixed', 'cvode'), ``dt_ms`` and ``rest_cost`` (also
    report the resting ATP/s per um; default True).
    """
    from .axon import build_myelinated_axon

    cell = build_myelinated_axon(_myelinated_params(**params))
    out = _ap_results(cell, method, dt_ms, rest_cost)
    out["fibre_diameter_um"] = cell.params.fibre_diameter_um
    out["n_lamellae"] = cell.params.n_lamellae
    return out


def _unmyelinated_params(kinetics: str = "squid", d_lambda: float | None = None, **fields):
    from .axon import UnmyelinatedAxonParams

    return _axon_params(UnmyelinatedAxonParams, kinetics, d_lambda, fields)


def unmyelinated_ap(method: str = "default", dt_ms: float | None = None, rest_cost: bool = True,
                    **params) -> dict:
    """ATP per um and conduction velocity of one action potential in an unmyelinated
    axon. Parameters: scalar fields of :class:`~cablemodels.axon.UnmyelinatedAxonParams`,
    plus ``kinetics`` ('squid' default: Hodgkin & Huxley; 'wb', 'ms96': mammalian),
    ``d_lambda``, ``method``, ``dt_ms`` and ``rest_cost``."""
    from .axon import build_unmyelinated_axon

    return _ap_results(build_unmyelinated_axon(_unmyelinated_params(**params)), method, dt_ms,
                       rest_cost)


def soma_passive(preset: str = "pyramidal", **fields) -> dict:
    """Resting potential, input resistance and time constant of a soma.

    Parameters: ``preset`` (granule, interneuron, pyramidal, motoneuron) and scalar
    fields of :class:`~cablemodels.soma.NeuronParams` (``soma_diameter_um``,
    ``temperature_degC``, ``ra_ohm_cm``)."""
    from . import protocols
    from .soma import build_neuron

    cell = build_neuron(_soma_params(preset, **fields))
    try:
        return {"rest_mV": protocols.rest_mV(cell),
                "input_resistance_MOhm": protocols.input_resistance(cell).value,
                "tau_ms": protocols.time_constant(cell).value,
                "area_um2": cell.area_um2()}
    finally:
        cell.delete()


def _soma_params(preset: str = "pyramidal", **fields):
    from .soma import NeuronParams

    return NeuronParams.preset(preset, **fields)


#: Built-in protocols: name -> (function, parameter factory, name of the parameter
#: dataclass in cablemodels.axon / cablemodels.soma whose scalar fields are accepted).
PROTOCOLS: dict[str, tuple[Callable, Callable, str]] = {
    "myelinated_ap": (myelinated_ap, _myelinated_params, "axon.MyelinatedAxonParams"),
    "unmyelinated_ap": (unmyelinated_ap, _unmyelinated_params, "axon.UnmyelinatedAxonParams"),
    "soma_passive": (soma_passive, _soma_params, "soma.NeuronParams"),
}


def resolve(protocol: str) -> Callable:
    """The function a protocol name stands for (built-in or ``module:function``)."""
    if protocol in PROTOCOLS:
        return PROTOCOLS[protocol][0]
    if ":" not in protocol:
        raise SweepSpecError(f"unknown protocol {protocol!r}; built-in: {sorted(PROTOCOLS)}, "
                             "or give an importable 'module:function'")
    module, _, name = protocol.partition(":")
    try:
        fn = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
        raise SweepSpecError(f"cannot import protocol {protocol!r}: {err}") from None
    if not callable(fn):
        raise SweepSpecError(f"protocol {protocol!r} is not callable")
    return fn


# --------------------------------------------------------------------------- spec
_TYPES = {"float": (float, int), "int": (int,), "str": (str,), "bool": (bool,)}


def _accepts(annotation, value) -> bool:
    """Whether ``value`` fits a simple annotation (float, int, str, bool, X | None)."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    options = [t.strip() for t in str(text).split("|")]
    if value is None:
        return "None" in options
    for option in options:
        kinds = _TYPES.get(option)
        if kinds and isinstance(value, kinds) and not (isinstance(value, bool)
                                                       and option in ("float", "int")):
            return not (isinstance(value, float) and not math.isfinite(value))
    return not any(o in _TYPES for o in options)  # unknown annotation: no check


def _signature_types(fn: Callable) -> tuple[dict, bool]:
    """name -> annotation of fn's parameters, and whether it takes **kwargs."""
    sig = inspect.signature(fn)
    names = {p.name: p.annotation for p in sig.parameters.values()
             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    varkw = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
    return names, varkw


@dataclass(frozen=True)
class SweepSpec:
    """What to sweep.

    Attributes
    ----------
    protocol : str
        A key of :data:`PROTOCOLS` or ``"module:function"``; the function takes the
        point's parameters as keyword arguments and returns a dict of scalar
        results whose names carry their units.
    grid : dict
        Parameter -> list of values; every combination is a point (in the order
        given, last parameter fastest).
    points : list of dict
        Explicit points (instead of, or after, the grid's).
    fixed : dict
        Values shared by every point (a point's own value wins).
    """

    protocol: str
    grid: Mapping[str, list] = field(default_factory=dict)
    points: tuple = ()
    fixed: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping) -> "SweepSpec":
        unknown = sorted(set(data) - {"protocol", "grid", "points", "fixed"})
        if unknown:
            raise SweepSpecError(f"unknown sweep key(s) {unknown}; use protocol, grid, "
                                 "points, fixed")
        if "protocol" not in data:
            raise SweepSpecError("a sweep needs a 'protocol'")
        grid = data.get("grid", {}) or {}
        if not isinstance(grid, Mapping):
            raise SweepSpecError(f"'grid' must map parameter names to lists (got {grid!r})")
        for name, values in grid.items():
            if not isinstance(values, (list, tuple)):
                raise SweepSpecError(f"grid values of {name!r} must be a list (got {values!r})")
        points = data.get("points", ()) or ()
        if not isinstance(points, (list, tuple)) or not all(isinstance(p, Mapping)
                                                            for p in points):
            raise SweepSpecError("'points' must be a list of tables of parameter values")
        fixed = data.get("fixed", {}) or {}
        if not isinstance(fixed, Mapping):
            raise SweepSpecError(f"'fixed' must be a table of parameter values (got {fixed!r})")
        return cls(str(data["protocol"]), {k: list(v) for k, v in grid.items()},
                   tuple(dict(p) for p in points), dict(fixed))

    @classmethod
    def from_file(cls, path: str | Path) -> "SweepSpec":
        """Read a ``.json`` or ``.toml`` file."""
        path = Path(path)
        try:
            if path.suffix == ".toml":
                if sys.version_info >= (3, 11):
                    import tomllib
                else:  # Python 3.10: the same parser, packaged as tomli
                    import tomli as tomllib
                data = tomllib.loads(path.read_text())
            else:
                data = json.loads(path.read_text())
        except (OSError, ValueError) as err:
            raise SweepSpecError(f"cannot read sweep spec {path}: {err}") from None
        return cls.from_dict(data)

    def to_dict(self) -> dict:
        return {"protocol": self.protocol, "grid": {k: list(v) for k, v in self.grid.items()},
                "points": [dict(p) for p in self.points], "fixed": dict(self.fixed)}

    def digest(self) -> str:
        """Hash of the canonical spec (a folder holds exactly one sweep)."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def expand(self) -> list[dict]:
        """Every point's full parameter set, in order (unchecked)."""
        names = list(self.grid)
        combos = [dict(zip(names, values))
                  for values in itertools.product(*(self.grid[n] for n in names))] if names else []
        return [{**p, **{k: v for k, v in self.fixed.items() if k not in p}}
                for p in combos + [dict(p) for p in self.points]]

    def validate(self) -> list[dict]:
        """Expanded points, each checked against the protocol; raises SweepSpecError."""
        fn = resolve(self.protocol)
        for name, values in self.grid.items():
            if not values:
                raise SweepSpecError(f"grid parameter {name!r} has no values: the grid is empty")
        points = self.expand()
        if not points:
            raise SweepSpecError("the sweep has no points (empty grid and no points)")
        allowed, varkw = _signature_types(fn)
        factory = None
        if self.protocol in PROTOCOLS:
            _, factory, where = PROTOCOLS[self.protocol]
            module, _, name = where.partition(".")
            params_class = getattr(importlib.import_module(f"cablemodels.{module}"), name)
            allowed.update({f.name: f.type for f in dataclasses.fields(params_class)
                            if str(f.type) in _SCALAR})
            allowed.update(_signature_types(factory)[0])
            varkw = False
        for i, point in enumerate(points):
            for key, value in point.items():
                if key not in allowed:
                    if varkw:
                        continue
                    raise SweepSpecError(
                        f"point {i}: unknown parameter {key!r} for protocol {self.protocol!r}; "
                        f"known: {', '.join(sorted(allowed))}")
                if not _accepts(allowed[key], value):
                    raise SweepSpecError(
                        f"point {i}: parameter {key!r} = {value!r} has the wrong type "
                        f"(expected {allowed[key]})")
            if factory is not None:
                try:
                    factory(**{k: v for k, v in point.items()
                               if k not in ("method", "dt_ms", "rest_cost")})
                except (ValueError, TypeError) as err:
                    raise SweepSpecError(f"point {i} ({point}): {err}") from None
        return points


_SCALAR = ("float", "int", "str", "bool", "float | None", "int | None")


# --------------------------------------------------------------------------- storage
def _point_path(out_dir: Path, index: int) -> Path:
    return out_dir / POINTS_DIR / f"{index:08d}.json"


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` so that ``path`` is either absent or complete (fsync + rename)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def run_point(protocol: str, index: int, params: dict, out_dir: str) -> dict:
    """Run one point and write its record; returns the record. Never raises for a
    failure of the protocol itself (the error is recorded)."""
    index = int(index)  # the bulletin board passes numbers as doubles
    started = time.perf_counter()
    record = {"index": index, "params": params, "host": socket.gethostname(),
              "pid": os.getpid()}
    try:
        results = resolve(protocol)(**params)
        if not isinstance(results, Mapping):
            raise TypeError(f"protocol returned {type(results).__name__}, not a dict")
        record.update(status="ok", results={k: _plain(v) for k, v in results.items()},
                      error="")
    except Exception as err:  # recorded, and the sweep goes on
        record.update(status="error", results={},
                      error=f"{type(err).__name__}: {err}",
                      traceback=traceback.format_exc(limit=5))
    record["seconds"] = time.perf_counter() - started
    _write_atomic(_point_path(Path(out_dir), index), json.dumps(record))
    return record


def _plain(value):
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    raise TypeError(f"result {value!r} is not a scalar")


def _prepare(spec: SweepSpec, out_dir: Path) -> list[dict]:
    points = spec.validate()
    (out_dir / POINTS_DIR).mkdir(parents=True, exist_ok=True)
    for stale in (out_dir / POINTS_DIR).glob(".*.tmp"):  # left by a killed writer
        stale.unlink(missing_ok=True)
    from . import __version__, mechanisms

    spec_path = out_dir / SPEC_FILE
    mech_hash = mechanisms.source_hash()[:16]
    if spec_path.exists():
        old = json.loads(spec_path.read_text())
        if old.get("digest") != spec.digest():
            raise SweepSpecError(f"{out_dir} holds a different sweep (spec {old.get('digest')}, "
                                 f"this one {spec.digest()}); use another folder")
        if (old.get("mechanism_hash"), old.get("cablemodels_version")) != (mech_hash,
                                                                           __version__):
            raise SweepSpecError(
                f"{out_dir} was computed with other mechanism sources or another cablemodels "
                f"(mechanisms {old.get('mechanism_hash')}, version "
                f"{old.get('cablemodels_version')}; now {mech_hash}, {__version__}); its points "
                "would not be comparable: use another folder")
    else:
        _write_atomic(spec_path, json.dumps({"digest": spec.digest(), "n_points": len(points),
                                             "mechanism_hash": mech_hash,
                                             "cablemodels_version": __version__,
                                             "spec": spec.to_dict()}, indent=1, sort_keys=True))
    return points


def finished(out_dir: str | Path) -> dict[int, dict]:
    """Point index -> record for every complete point file in ``out_dir``."""
    out = {}
    for path in sorted((Path(out_dir) / POINTS_DIR).glob("*.json")):
        if path.name.startswith("."):
            continue
        record = json.loads(path.read_text())
        out[int(record["index"])] = record
    return out


def table(out_dir: str | Path) -> pd.DataFrame:
    """The sweep's tidy table: one row per finished point, in point order."""
    rows = []
    for index, record in sorted(finished(out_dir).items()):
        rows.append({"point": index, **record["params"], **record["results"],
                     "status": record["status"], "error": record["error"],
                     "run_time_s": record["seconds"]})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- running
def run(spec: SweepSpec, out_dir: str | Path, jobs: int = 1, progress: bool = True,
        retry_failed: bool = False, mpi: bool = False) -> pd.DataFrame:
    """Run (or resume) ``spec`` into ``out_dir``; return the table (also ``results.csv``).

    ``jobs`` > 1 uses that many local processes; ``mpi=True`` uses NEURON's
    ParallelContext bulletin board (start under ``mpiexec``; returns only on rank 0,
    the other ranks serve points until the sweep is done and then exit).
    """
    from tqdm.auto import tqdm

    if int(jobs) < 1:
        raise SweepSpecError(f"jobs must be >= 1 (got {jobs!r})")
    out_dir = Path(out_dir)
    spec.validate()  # on every rank, before any simulation or MPI set-up
    pc = _mpi_context() if mpi else None  # MPI workers serve points inside this call
    try:
        points = _prepare(spec, out_dir)
        done = finished(out_dir)
        todo = [(i, p) for i, p in enumerate(points)
                if i not in done or (retry_failed and done[i]["status"] != "ok")]
        with tqdm(total=len(points), initial=len(points) - len(todo), disable=not progress,
                  unit="point", desc=spec.protocol) as bar:
            if pc is not None:
                for i, p in todo:
                    pc.submit(run_point, spec.protocol, i, p, str(out_dir))
                while pc.working():
                    bar.update()
            elif jobs == 1 or len(todo) <= 1:
                for i, p in todo:
                    run_point(spec.protocol, i, p, str(out_dir))
                    bar.update()
            else:
                _run_pool(spec.protocol, todo[::-1], out_dir, int(jobs), bar)
    finally:
        if pc is not None:
            pc.done()
            sim.poll_every(None)
    frame = table(out_dir)
    _write_atomic(out_dir / TABLE_FILE, frame.to_csv(index=False))
    return frame


def _run_pool(protocol, todo, out_dir, jobs, bar) -> None:
    """``jobs`` processes: this one and ``jobs - 1`` spawned workers.

    This process runs points too, so work starts at once while the workers boot
    (about a second each: Python, NEURON, our library); each worker keeps two
    points queued so it never waits for this process to hand it the next one.
    """
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    queue = list(todo)
    # spawn: workers start with a clean NEURON, whatever this process holds
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs - 1, mp_context=context) as pool:
        running: set = set()

        def collect(futures):
            for future in futures:
                future.result()
                running.discard(future)
                bar.update()

        while queue or running:
            collect([f for f in running if f.done()])
            while queue and len(running) < 2 * (jobs - 1):
                i, p = queue.pop()
                running.add(pool.submit(run_point, protocol, i, p, str(out_dir)))
            if queue:
                i, p = queue.pop()
                run_point(protocol, i, p, str(out_dir))
                bar.update()
            elif running:
                collect(wait(running, return_when=FIRST_COMPLETED).done)


def _mpi_context():
    """NEURON's ParallelContext over MPI; non-master ranks serve points and exit."""
    import ctypes.util

    if "MPI_LIB_NRN_PATH" not in os.environ:
        lib = ctypes.util.find_library("mpich") or ctypes.util.find_library("mpi")
        if lib:
            os.environ["MPI_LIB_NRN_PATH"] = lib
    from . import mechanisms

    mechanisms.load()
    from neuron import h

    h.nrnmpi_init()
    pc = h.ParallelContext()
    # One subworld per rank: psolve's collective spike exchange (simulation.advance)
    # then stays inside each rank, and only the bulletin board spans ranks. Without
    # this, two ranks running different points deadlocked in psolve.
    pc.subworlds(1)
    # Every rank slices its runs alike (so results do not depend on the rank); the
    # master also answers the board between slices, so that the others need not
    # wait for its point to finish (1.57x -> see benchmarks/RESULTS_scale.md).
    master = int(pc.id_world()) == 0
    sim.poll_every(POLL_SLICE_MS, (lambda: pc.look(_POLL_KEY)) if master else None)
    pc.runworker()
    return pc


def finalize_mpi() -> None:
    """End an MPI sweep process the way NEURON expects: flush, then ``h.quit()``,
    which finalizes MPI and exits with status 0. Left to the interpreter's own
    exit, about one run in ten ended with status 1 and no message, which mpiexec
    reports as a failure."""
    sys.stdout.flush()
    sys.stderr.flush()
    from neuron import h

    h.quit()


def main(argv: list[str] | None = None) -> int:
    """``python -m cablemodels.sweep``: the ``cablemodels sweep`` command (for mpiexec)."""
    from .cli import main as cli_main

    return cli_main(["sweep", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    raise SystemExit(main())
