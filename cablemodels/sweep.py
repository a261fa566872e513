"""Parameter sweeps: a grid or list of points times a protocol, one tidy table.

A sweep is described by a :class:`SweepSpec` (in Python, or a JSON/TOML file for
``cablemodels sweep``): a protocol (a name from :data:`PROTOCOLS` or an importable
``"module:function"``), a ``grid`` (every combination) or a list of ``points``,
and ``fixed`` values shared by every point. Every point is checked before any
simulation starts: unknown parameters, wrong types, empty grids and values the
builders reject all raise :class:`SweepSpecError`.

Each finished point is written at once to ``out_dir/points/KEY.json``, where
KEY hashes the point's protocol and full parameter set (:func:`point_key`), so
a point is found again whatever order the grid is written in (written to a
temporary file, flushed to disk, then renamed into place, so a point file is
either complete or absent, even after SIGKILL). Running the same spec on the
same folder again resumes: a point file is reused only if its protocol,
parameters, mechanism hash and cablemodels version are exactly the spec's; an
unreadable one is named (warning), moved aside and recomputed; with
``spec.json`` deleted, a folder holding points of another spec is refused. A
point whose protocol raises, crashes its worker or runs longer than the spec's
``time_limit_s`` is recorded as failed and the sweep goes on
(``cablemodels sweep`` then exits with status 1). The table (``results.csv``,
one row per point in the spec's order, parameters then results, units in
column names) is assembled from the point files at the end.

Points always run in spawned worker processes (``jobs`` of them), never in the
calling process, so a result cannot depend on NEURON sections or globals the
caller holds (tested bitwise with a foreign cell alive in the caller); workers
end when the caller dies, even by SIGKILL. Under MPI, points run on NEURON's
ParallelContext bulletin board (``mpiexec -n N python -m cablemodels.sweep SPEC
--out DIR --mpi``; no per-point time limit there). A point's result does not
depend on where it ran: fixed-step results are bitwise identical (tested).

Workers are started with ``multiprocessing``'s spawn method, which re-imports
the caller's main script: call :func:`run` from a module, a script guarded by
``if __name__ == "__main__":``, or a notebook.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import inspect
import itertools
import json
import logging
import math
import numbers
import os
import signal
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import pandas as pd

from . import simulation as sim
from . import validation as V

log = logging.getLogger(__name__)

SPEC_FILE = "spec.json"
#: Under MPI, simulated time between the master's visits to the bulletin board.
POLL_SLICE_MS = 1.0
_POLL_KEY = "cablemodels.sweep.poll"
POINTS_DIR = "points"
TABLE_FILE = "results.csv"


class SweepSpecError(ValueError):
    """A sweep specification that cannot run (raised before any simulation)."""


# --------------------------------------------------------------------------- protocols
#: Options every built-in protocol takes besides the cell's parameters.
RUN_OPTIONS = {
    "method": V.choice("default", "fixed", "cvode"),
    "dt_ms": V.real(1e-6, 100.0, "ms", optional=True),
    "rest_cost": V.flag(),
}


def check_run_options(protocol: str, method: str = "default", dt_ms: float | None = None,
                      **options) -> None:
    """Check a built-in protocol's run options (``method``, ``dt_ms``, ``rest_cost``).

    Raises
    ------
    ParameterError
        An unknown method, a dt out of range, dt with ``method='default'``, a
        non-boolean ``rest_cost``.
    """
    V.check_args(protocol, RUN_OPTIONS, method=method, dt_ms=dt_ms,
                 **{k: v for k, v in options.items() if k in RUN_OPTIONS})
    if method == "default" and dt_ms is not None:
        raise V.ParameterError(f"{protocol}: dt_ms = {dt_ms!r} needs method 'fixed' or "
                               "'cvode' (method 'default' picks its own integrator)")


def _integrator(method: str, dt_ms: float | None, cell):
    from . import simulation as sim

    if method == "default":
        if dt_ms is not None:
            raise ValueError("dt_ms needs method 'fixed' or 'cvode'")
        return sim.default_integrator(cell)
    if method == "fixed":
        # implicit Euler: Crank-Nicolson misintegrates extracellular in NEURON 9.0.2
        # (simulation.default_integrator)
        return sim.Integrator(method="fixed", dt_ms=dt_ms or 0.025)
    return sim.Integrator(method=method, dt_ms=dt_ms or 0.025)


def _ap_results(cell, method: str, dt_ms: float | None, rest_cost: bool,
                integrator=None) -> dict:
    from . import energy, protocols

    try:
        integrator = integrator or _integrator(method, dt_ms, cell)
        ap = energy.ap_energy(cell, integrator=integrator)
        # timed in the same run; a separate run only if the spike left the window early
        velocity = ap.velocity or protocols.axon_velocity(cell, integrator=integrator)
        out = {"atp_per_um": ap.atp_per_um, "velocity_m_s": velocity.velocity_m_s,
               "excess_factor": ap.excess_factor, "rest_mV": ap.rest_mV,
               "cap_min_C_per_um": float(ap.segments["capacitive_min_C"].sum()) / ap.length_um}
        out.update(_by_role(ap))
        if rest_cost:
            length_um = sum(sec.L for sec in cell.sections())
            out["rest_atp_per_s_per_um"] = energy.rest_energy(cell).atp_per_s / length_um
        out["nseg"] = cell.nseg_total()
        return out
    finally:
        cell.delete()


def _by_role(ap) -> dict:
    """Per role of the measured region (``axon``; ``node``, ``internode``, ``paranode``):
    ATP per um of axon, ATP per um2 of that membrane, its excess factor (Na+ over its
    own capacitive minimum) and the spike's amplitude above rest at the role's middle
    segment (``ROLE_amplitude_mV``); what E1's decomposition needs."""
    out = {}
    segments = ap.segments.sort_values("distance_um")
    for role, g in segments.groupby("role", sort=False):
        middle = g.iloc[len(g) // 2]
        out[f"{role}_atp_per_um"] = float(g["atp"].sum()) / ap.length_um
        out[f"{role}_atp_per_um2"] = float(g["atp"].sum() / g["area_um2"].sum())
        out[f"{role}_excess"] = float(g["na_charge_C"].sum() / g["capacitive_min_C"].sum())
        out[f"{role}_amplitude_mV"] = float(middle["peak_mV"]) - ap.rest_mV
    return out


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


def _implicit_euler(protocol: str, method: str, dt_ms: float | None):
    """The integrator of the double-cable protocols: implicit Euler at 1 us ('default') or
    at ``dt_ms`` ('fixed', 5 us if not given). NEURON's Crank-Nicolson misintegrates
    ``extracellular`` and IDA does not initialise these fibres, so other methods are
    refused."""
    if method not in ("default", "fixed"):
        raise ValueError(f"{protocol} integrates with implicit Euler only: method must be "
                         f"'default' or 'fixed' (got {method!r})")
    if method == "default" and dt_ms is not None:
        raise ValueError("dt_ms needs method 'fixed'")
    step = 0.001 if method == "default" else (dt_ms or 0.005)
    return sim.Integrator(method="fixed", dt_ms=step, secondorder=0)


def _mrg_params(**fields):
    from .mrg import MRGParams

    return MRGParams(**fields)


def mrg_ap(fibre_diameter_um: float = 10.0, temperature_degC: float = 37.0,
           method: str = "default", dt_ms: float | None = None, rest_cost: bool = True,
           **params) -> dict:
    """ATP per um and conduction velocity of one action potential in the MRG 2002
    fibre (:func:`cablemodels.mrg.build_mrg_fibre`); the same result columns as
    :func:`myelinated_ap`.

    Parameters: ``fibre_diameter_um`` (5.7-16 um, interpolated between MRG's Table 1
    rows), ``temperature_degC`` (MRG: 37), other scalar fields of
    :class:`~cablemodels.mrg.MRGParams` (``n_nodes``, ``reversals``, ...),
    ``method`` and ``dt_ms``, ``rest_cost``.

    Integration is implicit Euler: ``'default'`` at dt 1 us (velocity within 2% of
    dt -> 0 at 10 um), ``'fixed'`` at ``dt_ms`` (MRG published 5 us). NEURON's
    Crank-Nicolson (``secondorder=2``) misintegrates ``extracellular`` (see
    tests/test_mrg.py) and IDA does not initialise this fibre, so both are refused.

    Raises
    ------
    ValueError
        For ``method='cvode'``, or ``dt_ms`` with ``method='default'``.
    """
    from .mrg import build_mrg_fibre

    integrator = _implicit_euler("mrg_ap", method, dt_ms)
    cell = build_mrg_fibre(_mrg_params(fibre_diameter_um=fibre_diameter_um,
                                       temperature_degC=temperature_degC, **params))
    geometry = cell.params.geometry
    out = _ap_results(cell, method, dt_ms, rest_cost, integrator=integrator)
    out["fibre_diameter_um"] = geometry.fibre_diameter_um
    out["n_lamellae"] = geometry.n_lamellae
    return out


def _cns_params(region: str = "optic_nerve", **fields):
    from .cns import CNSAxonParams

    return CNSAxonParams(region=region, **fields)


def cns_ap(region: str = "optic_nerve", method: str = "default", dt_ms: float | None = None,
           rest_cost: bool = True, **params) -> dict:
    """ATP per um and conduction velocity of one action potential in a rat CNS axon of
    Arancibia-Carcamo et al. 2017 (:func:`cablemodels.cns.build_cns_axon`: their
    geometry, Richardson et al. 2000 nodal kinetics); the result columns of
    :func:`myelinated_ap`, plus ``axon_diameter_um`` and ``g_ratio``.

    Parameters: ``region`` ('optic_nerve', 'cortex'), scalar fields of
    :class:`~cablemodels.cns.CNSAxonParams`, ``method`` ('default': implicit Euler at
    1 us, as for every double cable; 'fixed' with ``dt_ms``), ``rest_cost``.
    """
    from .cns import build_cns_axon

    integrator = _implicit_euler("cns_ap", method, dt_ms)
    params_ = _cns_params(region, **params)
    geometry = params_.axon_params()
    out = _ap_results(build_cns_axon(params_), method, dt_ms, rest_cost, integrator=integrator)
    out.update(axon_diameter_um=geometry.axon_diameter_um, g_ratio=geometry.g_ratio,
               fibre_diameter_um=geometry.fibre_diameter_um, n_lamellae=geometry.n_lamellae)
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


class DiameterLimitError(ValueError):
    """The axon a search asks for is wider than the builders accept
    (:data:`cablemodels.validation.DIAMETER_UM`)."""


#: Unmyelinated axons are simulated this long (um) times the square root of their
#: diameter (um), at least :data:`MIN_UNMYELINATED_LENGTH_UM`: about 30 length
#: constants at 1 kHz whatever the diameter, so the measured middle is far from the ends.
UNMYELINATED_LENGTH_PER_SQRT_UM = 1500.0
MIN_UNMYELINATED_LENGTH_UM = 3000.0


def unmyelinated_length_um(diameter_um: float) -> float:
    """Length used for an unmyelinated axon of ``diameter_um`` when none is given."""
    return max(MIN_UNMYELINATED_LENGTH_UM, UNMYELINATED_LENGTH_PER_SQRT_UM * math.sqrt(diameter_um))


def unmyelinated_at_velocity(target_velocity_m_s: float, kinetics: str = "wb",
                             rel_tol: float = 0.0025, max_evaluations: int = 12,
                             first_diameter_um: float = 1.0, method: str = "default",
                             dt_ms: float | None = None, **params) -> dict:
    """The unmyelinated axon that conducts at ``target_velocity_m_s``: its diameter found
    by root-finding on simulated velocity (every evaluation a full, verified spike), and
    its ATP per um at that diameter.

    The search works on log velocity against log diameter: a first axon of
    ``first_diameter_um``, a step assuming velocity ~ sqrt(diameter) (Rushton 1951),
    then secant steps (bracketed once the target is bracketed) until the simulated
    velocity is within ``rel_tol`` of the target. Each axon is
    :func:`unmyelinated_length_um` long unless ``length_um`` is given.

    Parameters: ``target_velocity_m_s``, ``kinetics`` ('wb' default, 'ms96', 'squid'),
    ``rel_tol`` (0 < rel_tol < 0.1), ``max_evaluations``, ``first_diameter_um``, the
    run options, and scalar fields of :class:`~cablemodels.axon.UnmyelinatedAxonParams`
    other than ``diameter_um``.

    Returns
    -------
    dict
        ``diameter_um, velocity_m_s, velocity_error`` (simulated / target - 1),
        ``atp_per_um, excess_factor, rest_mV, evaluations``, ``length_um`` and the
        per-role columns of :func:`myelinated_ap`'s result.

    Raises
    ------
    ValueError
        For a non-positive target, a tolerance outside (0, 0.1), ``diameter_um`` among
        the parameters, or a diameter beyond what the builders accept
        (:data:`cablemodels.validation.DIAMETER_UM`).
    protocols.MeasurementError
        When no diameter within ``max_evaluations`` simulations meets the tolerance.
    """
    from . import protocols
    from .axon import build_unmyelinated_axon

    def real(name, value, low, high):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) \
                or not math.isfinite(value) or not low < value < high:
            raise ValueError(f"unmyelinated_at_velocity: {name} must be a number in "
                             f"({low:g}, {high:g}) (got {value!r})")

    real("target_velocity_m_s", target_velocity_m_s, 0.0, math.inf)
    real("rel_tol", rel_tol, 0.0, 0.1)
    limit = V.DIAMETER_UM.high
    real("first_diameter_um", first_diameter_um, 0.0, limit)
    if "diameter_um" in params:
        raise ValueError("unmyelinated_at_velocity finds diameter_um; do not give it")
    if isinstance(max_evaluations, bool) or not isinstance(max_evaluations, numbers.Integral) \
            or max_evaluations < 2:
        raise ValueError(f"unmyelinated_at_velocity: max_evaluations must be an integer >= 2 "
                         f"(got {max_evaluations!r})")
    fixed_length = params.pop("length_um", None)
    tried: list[tuple[float, float, dict]] = []  # (log d, log v, result)

    def evaluate(d):
        if d > limit:
            raise DiameterLimitError(
                f"an unmyelinated {kinetics} axon would need a diameter of about {d:.4g} um, "
                f"above the builders' limit of {limit:g} um, to conduct at "
                f"{target_velocity_m_s:g} m/s (last simulated: "
                f"{tried[-1][2]['diameter_um']:.4g} um at {tried[-1][2]['velocity_m_s']:.4g} "
                "m/s)")
        length = fixed_length or unmyelinated_length_um(d)
        cell = build_unmyelinated_axon(_unmyelinated_params(
            kinetics=kinetics, diameter_um=d, length_um=length, **params))
        result = _ap_results(cell, method, dt_ms, rest_cost=False)
        result.update(diameter_um=d, length_um=length)
        tried.append((math.log(d), math.log(result["velocity_m_s"]), result))
        return result

    goal = math.log(target_velocity_m_s)
    result = evaluate(first_diameter_um)
    while abs(result["velocity_m_s"] / target_velocity_m_s - 1) > rel_tol:
        if len(tried) >= max_evaluations:
            raise protocols.MeasurementError(
                f"unmyelinated_at_velocity: no diameter within {rel_tol:.2%} of "
                f"{target_velocity_m_s:g} m/s after {len(tried)} simulations (tried "
                + ", ".join(f"{math.exp(x):.4g} um -> {math.exp(y):.4g} m/s"
                            for x, y, _ in tried) + ")")
        below = [t for t in tried if t[1] < goal]
        above = [t for t in tried if t[1] > goal]
        if len(tried) == 1:
            slope = 0.5
            x0, y0 = tried[0][:2]
        else:
            (x0, y0), (x1, y1) = [t[:2] for t in tried[-2:]]
            slope = (y1 - y0) / (x1 - x0) if x1 != x0 else 0.5
            slope = min(max(slope, 0.1), 2.0)  # velocity grows with diameter, ~sqrt
            x0, y0 = x1, y1
        x = x0 + (goal - y0) / slope
        if below and above:  # keep inside the bracket
            lo = max(t[0] for t in below)
            hi = min(t[0] for t in above)
            if not lo < x < hi:
                x = 0.5 * (lo + hi)
        result = evaluate(math.exp(x))
    result["velocity_error"] = result["velocity_m_s"] / target_velocity_m_s - 1
    result["evaluations"] = len(tried)
    result["target_velocity_m_s"] = target_velocity_m_s
    return result


def _velocity_search_params(target_velocity_m_s=None, rel_tol=None, max_evaluations=None,
                            first_diameter_um: float = 1.0, kinetics: str = "wb", **fields):
    """Checks a velocity search's fixed axon fields before any simulation (by building
    the first axon's parameters); returns None: the search has no single parameter
    object (:func:`point_params` refuses it)."""
    _unmyelinated_params(kinetics=kinetics, diameter_um=first_diameter_um, **fields)
    return None


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
    """The preset's soma with ``fields`` changed (``soma_diameter_um`` included: the
    preset then only supplies the other defaults)."""
    from .soma import NeuronParams

    return dataclasses.replace(NeuronParams.preset(preset), **fields)


#: Built-in protocols: name -> (function, parameter factory, name of the parameter
#: dataclass in cablemodels.axon / cablemodels.soma whose scalar fields are accepted).
PROTOCOLS: dict[str, tuple[Callable, Callable, str]] = {
    "myelinated_ap": (myelinated_ap, _myelinated_params, "axon.MyelinatedAxonParams"),
    "mrg_ap": (mrg_ap, _mrg_params, "mrg.MRGParams"),
    "unmyelinated_ap": (unmyelinated_ap, _unmyelinated_params, "axon.UnmyelinatedAxonParams"),
    "unmyelinated_at_velocity": (unmyelinated_at_velocity, _velocity_search_params,
                                 "axon.UnmyelinatedAxonParams"),
    "soma_passive": (soma_passive, _soma_params, "soma.NeuronParams"),
    "cns_ap": (cns_ap, _cns_params, "cns.CNSAxonParams"),
}


def point_params(protocol: str, point: Mapping):
    """The parameter object a built-in protocol builds its cell from for ``point``
    (run options such as ``method`` ignored): e.g. the
    :class:`~cablemodels.axon.MyelinatedAxonParams` behind a ``myelinated_ap`` point,
    for geometry that needs no simulation.

    Raises
    ------
    SweepSpecError
        For a protocol that is not built in, or one that builds no parameter object.
    """
    if protocol not in PROTOCOLS:
        raise SweepSpecError(f"point_params: {protocol!r} is not a built-in protocol")
    factory = PROTOCOLS[protocol][1]
    extra = set(RUN_OPTIONS) | {"rest_cost"}
    try:
        params = factory(**{k: v for k, v in point.items() if k not in extra})
    except TypeError as err:
        raise SweepSpecError(f"point_params({protocol!r}): {err}") from None
    if params is None:
        raise SweepSpecError(f"point_params: {protocol!r} builds no single parameter object")
    return params


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
_TYPES = {"float": (numbers.Real,), "int": (numbers.Integral,), "str": (str,), "bool": (bool,)}


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
            return not (option == "float" and not math.isfinite(value))
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
    time_limit_s : float
        Longest one point may run (s); a point that takes longer is stopped and
        recorded with status ``timeout``. Default :data:`DEFAULT_TIME_LIMIT_S`.

    A point is identified by its protocol and full parameter set (:func:`point_key`),
    not by its position: the same grid written in another order is the same sweep.
    numpy scalars in the spec are stored as Python numbers.
    """

    protocol: str
    grid: Mapping[str, list] = field(default_factory=dict)
    points: tuple = ()
    fixed: Mapping[str, object] = field(default_factory=dict)
    time_limit_s: float = None  # type: ignore[assignment]

    def __post_init__(self):
        limit = DEFAULT_TIME_LIMIT_S if self.time_limit_s is None else self.time_limit_s
        try:
            limit = V.check_value("SweepSpec", "time_limit_s", limit, V.positive(1e6, "s"))
        except ValueError as err:
            raise SweepSpecError(str(err)) from None
        object.__setattr__(self, "time_limit_s", limit)
        object.__setattr__(self, "grid", {k: [_plain_value(v) for v in values]
                                          for k, values in dict(self.grid).items()})
        object.__setattr__(self, "points", tuple({k: _plain_value(v) for k, v in dict(p).items()}
                                                 for p in self.points))
        object.__setattr__(self, "fixed", {k: _plain_value(v) for k, v in dict(self.fixed).items()})

    @classmethod
    def from_dict(cls, data: Mapping) -> "SweepSpec":
        unknown = sorted(set(data) - {"protocol", "grid", "points", "fixed", "time_limit_s"})
        if unknown:
            raise SweepSpecError(f"unknown sweep key(s) {unknown}; use protocol, grid, "
                                 "points, fixed, time_limit_s")
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
                   tuple(dict(p) for p in points), dict(fixed), data.get("time_limit_s"))

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
                "points": [dict(p) for p in self.points], "fixed": dict(self.fixed),
                "time_limit_s": self.time_limit_s}

    def digest(self) -> str:
        """Hash of the set of points (a folder holds exactly one sweep).

        It depends on the protocol and on which parameter sets are swept, not on
        the order they are written in, nor on the time limit.
        """
        keys = sorted(point_key(self.protocol, p) for p in self.expand())
        text = json.dumps({"protocol": self.protocol, "points": keys}, separators=(",", ":"))
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
        seen: dict[str, int] = {}
        for i, point in enumerate(points):
            key = point_key(self.protocol, point)
            if key in seen:
                raise SweepSpecError(f"points {seen[key]} and {i} have the same parameters "
                                     f"({point}); each point must be distinct")
            seen[key] = i
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
                    check_run_options(self.protocol, **{k: v for k, v in point.items()
                                                        if k in RUN_OPTIONS})
                    factory(**{k: v for k, v in point.items() if k not in RUN_OPTIONS})
                except (ValueError, TypeError) as err:
                    raise SweepSpecError(f"point {i} ({point}): {err}") from None
        return points


_SCALAR = ("float", "int", "str", "bool", "float | None", "int | None")

#: Default per-point time limit (s): points take 0.1-60 s; a point still running
#: after this is taken to hang (an absurd discretisation, a stuck solver).
DEFAULT_TIME_LIMIT_S = 600.0
#: Longest a worker may take to start (import NEURON, load the mechanisms).
WORKER_START_LIMIT_S = 300.0


def _plain_value(value):
    """numpy scalars as Python numbers (specs are written as JSON)."""
    if not isinstance(value, (str, bytes)) and hasattr(value, "item") and hasattr(value, "dtype"):
        return value.item()
    return value


# --------------------------------------------------------------------------- storage
def point_key(protocol: str, params: Mapping) -> str:
    """A point's identity: a hash of its protocol and full parameter set.

    The key does not depend on where the point sits in the grid, so a grid written
    in another order (keys or values) maps every point to the same file.
    """
    text = json.dumps({"protocol": protocol, "params": dict(params)}, sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _point_path(out_dir: Path, key: str) -> Path:
    return out_dir / POINTS_DIR / f"{key}.json"


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` so that ``path`` is either absent or complete (fsync + rename)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def stamp() -> dict:
    """What a point's numbers depend on besides its parameters: the mechanisms' source
    hash, the cablemodels version and the hash of its Python code (:func:`code_hash`).
    A point file is reused only under the same stamp."""
    return _stamp()


def _stamp() -> dict:
    """What a point's numbers depend on besides its parameters."""
    from . import __version__, mechanisms

    return {"mechanism_hash": mechanisms.source_hash()[:16], "cablemodels_version": __version__,
            "code_hash": code_hash(), "neuron_version": _neuron_version()}


@functools.lru_cache(maxsize=1)
def _neuron_version() -> str:
    """NEURON's version without importing it (importing prints to stdout)."""
    from importlib import metadata

    for name in ("neuron", "NEURON", "neuron-nightly"):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    import neuron

    return neuron.__version__


@functools.lru_cache(maxsize=1)
def code_hash() -> str:
    """Hash of cablemodels' own Python modules (not the analyses): a point computed by
    other builder or protocol code is not reused, even under the same version."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _write_record(protocol: str, index: int, params: dict, out_dir: Path, status: str,
                  results: dict, error: str, seconds: float, **extra) -> dict:
    record = {"key": point_key(protocol, params), "protocol": protocol, "index": int(index),
              "params": params, "host": socket.gethostname(), "pid": os.getpid(),
              **_stamp(), "status": status, "results": results, "error": error, **extra,
              "seconds": seconds}
    _write_atomic(_point_path(Path(out_dir), record["key"]), json.dumps(record))
    return record


def run_point(protocol: str, index: int, params: dict, out_dir: str) -> dict:
    """Run one point and write its record; returns the record. Never raises for a
    failure of the protocol itself (the error is recorded)."""
    index = int(index)  # the bulletin board passes numbers as doubles
    started = time.perf_counter()
    try:
        results = resolve(protocol)(**params)
        if not isinstance(results, Mapping):
            raise TypeError(f"protocol returned {type(results).__name__}, not a dict")
        status, results, error, extra = "ok", {k: _plain(v) for k, v in results.items()}, "", {}
    except Exception as err:  # recorded, and the sweep goes on
        status, results, error = "error", {}, f"{type(err).__name__}: {err}"
        extra = {"traceback": traceback.format_exc(limit=5)}
    return _write_record(protocol, index, params, Path(out_dir), status, results, error,
                         time.perf_counter() - started, **extra)


def _plain(value):
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    raise TypeError(f"result {value!r} is not a scalar")


def _prepare(spec: SweepSpec, out_dir: Path) -> list[dict]:
    points = spec.validate()
    spec_path = out_dir / SPEC_FILE
    stamp = _stamp()
    if spec_path.exists():
        try:
            old = json.loads(spec_path.read_text())
        except (OSError, ValueError) as err:
            raise SweepSpecError(f"cannot read {spec_path} ({err}); the folder's sweep is "
                                 "unknown: use another folder, or delete that file to have "
                                 "every point file checked against this spec") from None
        if old.get("digest") == _legacy_digest(spec):
            # written by cablemodels <= 0.1.0 (points named by index): same sweep; its
            # point files lack the fields that prove what they are, so they are recomputed
            log.warning("%s was written by an older cablemodels; its points are recomputed "
                        "(old point files kept as points/*.json.legacy)", out_dir)
            for path in (out_dir / POINTS_DIR).glob("[0-9]" * 8 + ".json"):
                path.replace(path.with_name(path.name + ".legacy"))
            _write_spec_file(spec_path, spec, len(points), stamp)
        elif old.get("digest") != spec.digest():
            raise SweepSpecError(f"{out_dir} holds a different sweep (spec {old.get('digest')}, "
                                 f"this one {spec.digest()}); use another folder")
        elif (old.get("mechanism_hash"), old.get("cablemodels_version")) != (
                stamp["mechanism_hash"], stamp["cablemodels_version"]):
            raise SweepSpecError(
                f"{out_dir} was computed with other mechanism sources or another cablemodels "
                f"(mechanisms {old.get('mechanism_hash')}, version "
                f"{old.get('cablemodels_version')}; now {stamp['mechanism_hash']}, "
                f"{stamp['cablemodels_version']}); its points would not be comparable: use "
                "another folder")
    (out_dir / POINTS_DIR).mkdir(parents=True, exist_ok=True)
    for stale in (out_dir / POINTS_DIR).glob(".*.tmp"):  # left by a killed writer
        stale.unlink(missing_ok=True)
    if not spec_path.exists():
        # A folder without spec.json (new, or its spec.json deleted): every point file
        # already there must be a point of this spec, computed by these mechanisms.
        wanted = {point_key(spec.protocol, p) for p in points}
        foreign = [path.name for path, record in _read_points(out_dir)
                   if record.get("key") not in wanted or not _same_stamp(record, stamp)]
        if foreign:
            raise SweepSpecError(
                f"{out_dir / POINTS_DIR} holds {len(foreign)} point file(s) that are not "
                f"points of this sweep or were computed by other mechanisms or another "
                f"cablemodels (e.g. {foreign[0]}), and {SPEC_FILE} is missing; use another "
                "folder")
        _write_spec_file(spec_path, spec, len(points), stamp)
    return points


def _write_spec_file(path: Path, spec: SweepSpec, n_points: int, stamp: dict) -> None:
    _write_atomic(path, json.dumps({"digest": spec.digest(), "n_points": n_points, **stamp,
                                    "spec": spec.to_dict()}, indent=1, sort_keys=True))


def _legacy_digest(spec: SweepSpec) -> str:
    """The folder digest cablemodels 0.1.0 wrote (order-sensitive spec text)."""
    data = {k: v for k, v in spec.to_dict().items() if k != "time_limit_s"}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _same_stamp(record: Mapping, stamp: Mapping) -> bool:
    return all(record.get(k) == v for k, v in stamp.items())


def _read_points(out_dir: Path) -> list[tuple[Path, dict]]:
    """Every readable point file; an unreadable one is named (warning) and moved aside
    to ``NAME.corrupt`` so that its point is computed again."""
    out = []
    for path in sorted((Path(out_dir) / POINTS_DIR).glob("*.json")):
        if path.name.startswith("."):
            continue
        try:
            record = json.loads(path.read_text())
            if not isinstance(record, dict) or not isinstance(record.get("params"), dict):
                raise ValueError("not a point record")
            record.setdefault("protocol", None)
            if "key" not in record and record["protocol"] is not None:
                record["key"] = point_key(record["protocol"], record["params"])
        except (OSError, ValueError) as err:
            log.warning("point file %s is unreadable (%s); moved to %s.corrupt and its point "
                        "will be computed again", path, err, path.name)
            try:
                path.replace(path.with_name(path.name + ".corrupt"))
            except OSError:
                pass
            continue
        out.append((path, record))
    return out


def finished(out_dir: str | Path, spec: SweepSpec | None = None) -> dict[str, dict]:
    """Point key -> record for every complete, readable point file in ``out_dir``.

    With ``spec``, only records whose protocol and parameters are exactly those of
    one of the spec's points, computed by the current mechanisms and cablemodels,
    are returned; others are skipped with a warning.
    """
    out = {}
    wanted = None
    if spec is not None:
        wanted = {point_key(spec.protocol, p): p for p in spec.expand()}
        stamp = _stamp()
    for path, record in _read_points(Path(out_dir)):
        key = record.get("key")
        if wanted is not None:
            if key not in wanted or record.get("protocol") != spec.protocol or (
                    record["params"] != wanted[key]) or not _same_stamp(record, stamp):
                log.warning("point file %s does not belong to this sweep (parameters, protocol "
                            "or mechanisms differ); not reused", path)
                continue
        if key in out and out[key]["status"] == "ok":
            continue
        out[key] = record
    return out


def table(out_dir: str | Path, spec: SweepSpec | None = None) -> pd.DataFrame:
    """The sweep's tidy table: one row per finished point, in point order.

    With ``spec`` (as :func:`run` does), rows follow the spec's point order and
    ``point`` is the index there; without it, the order recorded in the files.
    """
    records = finished(out_dir, spec)
    if spec is not None:
        order = [(i, point_key(spec.protocol, p)) for i, p in enumerate(spec.expand())]
        chosen = [(i, records[k]) for i, k in order if k in records]
    else:
        chosen = sorted(((r["index"], r) for r in records.values()), key=lambda x: x[0])
    rows = [{"point": i, **r["params"], **r["results"], "status": r["status"],
             "error": r["error"], "run_time_s": r["seconds"]} for i, r in chosen]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- running
def run(spec: SweepSpec, out_dir: str | Path, jobs: int = 1, progress: bool = True,
        retry_failed: bool = False, mpi: bool = False) -> pd.DataFrame:
    """Run (or resume) ``spec`` into ``out_dir``; return the table (also ``results.csv``).

    Points always run in worker processes (``jobs`` of them, at least one), never in
    the calling process: a point's result then cannot depend on what the caller
    holds (its own NEURON sections, globals it changed), and a point that exceeds
    ``spec.time_limit_s`` or crashes its worker is recorded as failed while the
    sweep goes on. ``mpi=True`` uses NEURON's ParallelContext bulletin board instead
    (start under ``mpiexec``; returns only on rank 0, the other ranks serve points
    until the sweep is done and then exit; no time limit there).

    Raises
    ------
    SweepSpecError
        The spec or the folder cannot be used (before any simulation).
    """
    from tqdm.auto import tqdm

    if isinstance(jobs, bool) or not isinstance(jobs, numbers.Integral) or jobs < 1:
        raise SweepSpecError(f"jobs must be an integer >= 1 (got {jobs!r})")
    out_dir = Path(out_dir)
    points = spec.validate()  # on every rank, before any simulation or MPI set-up
    pc = _mpi_context() if mpi else None  # MPI workers serve points inside this call
    try:
        _prepare(spec, out_dir)
        done = finished(out_dir, spec)
        todo = []
        for i, p in enumerate(points):
            record = done.get(point_key(spec.protocol, p))
            if record is None or (retry_failed and record["status"] != "ok"):
                todo.append((i, p))
        with tqdm(total=len(points), initial=len(points) - len(todo), disable=not progress,
                  unit="point", desc=spec.protocol) as bar:
            if pc is not None:
                for i, p in todo:
                    pc.submit(run_point, spec.protocol, i, p, str(out_dir))
                while pc.working():
                    bar.update()
            elif todo:
                from . import mechanisms

                mechanisms.build()  # compile once here, not in every worker at once
                _run_workers(spec.protocol, todo, out_dir, min(int(jobs), len(todo)),
                             spec.time_limit_s, bar)
    finally:
        if pc is not None:
            pc.done()
            sim.poll_every(None)
    frame = table(out_dir, spec)
    _write_atomic(out_dir / TABLE_FILE, frame.to_csv(index=False))
    return frame


def _die_with_parent(parent_pid: int) -> None:
    """End this worker when the process that started it is gone (even after SIGKILL).

    On Linux the kernel does it (PR_SET_PDEATHSIG), which also works while a long
    NEURON call holds the interpreter; elsewhere a thread polls the parent id.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="cablemodels-parent-watch").start()


def _worker_main(conn, parent_pid: int) -> None:
    """A sweep worker: load the mechanisms, then run the points it is sent."""
    _die_with_parent(parent_pid)
    from . import mechanisms

    try:
        mechanisms.load()
    except Exception as err:  # reported to the parent, which stops the sweep
        conn.send(("broken", f"{type(err).__name__}: {err}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        protocol, index, params, out_dir = task
        record = run_point(protocol, index, params, out_dir)
        conn.send(("done", record["status"]))


class _Worker:
    """One spawned worker process, its pipe, and the point it is running."""

    def __init__(self, context):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, os.getpid()),
                                       daemon=True, name="cablemodels-sweep-worker")
        self.process.start()
        child.close()
        self.ready = False
        self.task: tuple | None = None
        self.started = time.monotonic()  # of its start-up, then of its current point

    def stop(self, kill: bool = False) -> None:
        if self.process.is_alive():
            if kill:
                self.process.kill()
            else:
                try:
                    self.conn.send(None)
                except OSError:
                    pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _exit_text(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"


def _run_workers(protocol: str, todo: list, out_dir: Path, jobs: int, time_limit_s: float,
                 bar) -> None:
    """Run ``todo`` on ``jobs`` spawned worker processes, one point at a time each.

    A worker that exceeds the time limit is killed and replaced, its point recorded
    with status ``timeout``; a worker that dies (crash in compiled code) is
    replaced and its point recorded as an error naming the signal. Workers end
    with this process (see :func:`_die_with_parent`).
    """
    import multiprocessing
    from multiprocessing.connection import wait

    # spawn: workers start with a clean NEURON, whatever this process holds
    context = multiprocessing.get_context("spawn")
    queue = list(reversed(todo))
    workers = [_Worker(context) for _ in range(jobs)]
    try:
        while queue or any(w.task for w in workers):
            for w in workers:
                if w.ready and w.task is None and queue:
                    w.task = queue.pop()
                    w.started = time.monotonic()
                    w.conn.send((protocol, w.task[0], w.task[1], str(out_dir)))
            deadlines = [w.started + (time_limit_s if w.ready else WORKER_START_LIMIT_S)
                         for w in workers if w.task is not None or not w.ready]
            timeout = min(deadlines, default=None)
            timeout = None if timeout is None else timeout - time.monotonic()
            ready = wait([w.conn for w in workers] + [w.process.sentinel for w in workers],
                         timeout=None if timeout is None else max(timeout, 0.0) + 0.05)
            for i, w in enumerate(workers):
                if w.conn in ready:
                    try:
                        kind, detail = w.conn.recv()
                    except (EOFError, OSError):
                        kind, detail = "died", None
                    if kind == "ready":
                        w.ready = True
                        continue
                    if kind == "broken":
                        raise SweepSpecError(f"a sweep worker could not start: {detail}")
                    if kind == "done":
                        w.task = None
                        bar.update()
                        continue
                replace = None
                if not w.process.is_alive():
                    replace = f"the worker process died ({_exit_text(w.process.exitcode)})"
                    status = "error"
                elif not w.ready and time.monotonic() - w.started > WORKER_START_LIMIT_S:
                    w.stop(kill=True)
                    raise SweepSpecError(f"a sweep worker did not start within "
                                         f"{WORKER_START_LIMIT_S:g} s")
                elif w.task is not None and time.monotonic() - w.started > time_limit_s:
                    replace = (f"TimeoutError: the point ran longer than the sweep's time "
                               f"limit of {time_limit_s:g} s (spec key time_limit_s) and was "
                               "stopped")
                    status = "timeout"
                if replace is None:
                    continue
                w.stop(kill=True)
                if w.task is not None:
                    index, params = w.task
                    _write_record(protocol, index, params, out_dir, status, {}, replace,
                                  time.monotonic() - w.started)
                    log.warning("point %d (%s): %s", index, params, replace)
                    bar.update()
                elif not w.ready:
                    raise SweepSpecError(f"a sweep worker died while starting ({replace})")
                workers[i] = _Worker(context)
    finally:
        for w in workers:
            w.stop(kill=w.task is not None)


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


def finalize_mpi(status: int = 0) -> None:
    """End an MPI sweep process the way NEURON expects: flush, then ``h.quit(status)``,
    which finalizes MPI and exits with ``status``. Left to the interpreter's own
    exit, about one run in ten ended with status 1 and no message, which mpiexec
    reports as a failure."""
    sys.stdout.flush()
    sys.stderr.flush()
    from neuron import h

    h.quit(int(status))


def main(argv: list[str] | None = None) -> int:
    """``python -m cablemodels.sweep``: the ``cablemodels sweep`` command (for mpiexec)."""
    from .cli import main as cli_main

    return cli_main(["sweep", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    raise SystemExit(main())
