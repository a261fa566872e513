"""Run control: the one place that sets NEURON's globals and advances time.

:func:`start` sets ``h.celsius``, the integrator (fixed step or CVODE, with its
tolerances and options) and calls ``finitialize``; :func:`advance` runs with
``ParallelContext.psolve`` (no interpreted per-step loop). Every result records
:meth:`Integrator.describe` and :func:`provenance`.

Isolation. A measurement runs inside :func:`isolated`, which saves NEURON's run
globals (:data:`RUN_GLOBALS`: temperature, time step, integrator and its
tolerances, ``v_init``, ``tstop``) and restores them afterwards, so a user's own
simulation behaves the same before and after a cablemodels call. :func:`start`
refuses to initialise while sections that do not belong to the measured cell
exist (their presence changes CVODE's steps, and ``finitialize`` resets them),
unless the caller allows it with :func:`foreign_sections_allowed`.
"""

from __future__ import annotations

import contextlib
import functools
import math
from dataclasses import asdict, dataclass

from . import __version__, mechanisms
from . import validation as V
from .cell import hoc

_pc = None

#: NEURON globals a measurement may change and always restores (hoc names).
RUN_GLOBALS = ("celsius", "dt", "steps_per_ms", "secondorder", "v_init", "tstop")

_allow_foreign = 0


class ForeignSectionsError(RuntimeError):
    """Sections that do not belong to the measured cell exist in this process."""


@contextlib.contextmanager
def foreign_sections_allowed():
    """Let measurements run while other cells' sections exist.

    Those sections are initialised and integrated with the measured cell
    (``finitialize`` resets them), and the integrator is chosen for all of them.
    Under CVODE each cell then gets its own integrator (local time step), so the
    measured cell's steps do not depend on the others; a cell with
    ``extracellular`` anywhere in the process makes every run fixed-step.
    """
    global _allow_foreign
    _allow_foreign += 1
    try:
        yield
    finally:
        _allow_foreign -= 1


def foreign_allowed() -> bool:
    """True inside :func:`foreign_sections_allowed`."""
    return _allow_foreign > 0


def foreign_sections(cell) -> list:
    """Sections alive in NEURON that ``cell`` does not own."""
    own = set(cell.sections())
    return [sec for sec in hoc().allsec() if sec not in own]


def check_alone(cell) -> None:
    """Raise :class:`ForeignSectionsError` when other sections exist and are not allowed."""
    if foreign_allowed():
        return
    foreign = foreign_sections(cell)
    if foreign:
        names = ", ".join(sec.name() for sec in foreign[:5])
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        raise ForeignSectionsError(
            f"{len(foreign)} section(s) that do not belong to {cell.name} exist ({names}{more}); "
            "a measurement would initialise and integrate them too, and under CVODE their "
            "presence changes the result. Delete the other cells first, or allow it with "
            "`with cablemodels.simulation.foreign_sections_allowed(): ...`")


def save_globals() -> dict:
    """NEURON's run globals and CVODE settings, as :func:`restore_globals` takes them."""
    h = hoc()
    h.load_file("stdrun.hoc")
    cvode = h.CVode()
    state = {name: getattr(h, name) for name in RUN_GLOBALS}
    state.update(cvode_active=int(cvode.active()), cvode_local_dt=int(cvode.use_local_dt()),
                 cvode_atol=float(cvode.atol()), cvode_rtol=float(cvode.rtol()),
                 cvode_maxorder=int(cvode.maxorder()))
    return state


def restore_globals(state: dict) -> None:
    """Put back what :func:`save_globals` saved."""
    h = hoc()
    cvode = h.CVode()
    cvode.use_local_dt(state["cvode_local_dt"])
    cvode.active(state["cvode_active"])
    cvode.atol(state["cvode_atol"])
    cvode.rtol(state["cvode_rtol"])
    cvode.maxorder(state["cvode_maxorder"])
    for name in RUN_GLOBALS:
        setattr(h, name, state[name])


def isolated(fn):
    """Decorator: run ``fn`` with NEURON's run globals saved and restored afterwards."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        state = save_globals()
        try:
            return fn(*args, **kwargs)
        finally:
            restore_globals(state)

    return wrapper


@dataclass(frozen=True)
class Integrator:
    """How time is advanced.

    Attributes
    ----------
    method : str
        ``"fixed"`` (implicit Euler, or Crank-Nicolson with ``secondorder=2``) or
        ``"cvode"`` (variable step, variable order).
    dt_ms : float
        Fixed step; for CVODE the interval of fixed-interval recording (unused otherwise).
    secondorder : int
        NEURON's ``secondorder`` for fixed step (0 implicit Euler, 2 Crank-Nicolson).
    atol, rtol : float
        CVODE absolute and relative tolerances.
    local_dt : bool
        CVODE's local variable time step (one integrator per cell).
    maxorder : int
        CVODE's maximum order (0: CVODE's default, 5).
    """

    method: str = "cvode"
    dt_ms: float = 0.025
    secondorder: int = 0
    atol: float = 1e-6
    rtol: float = 1e-6
    local_dt: bool = False
    maxorder: int = 0

    def __post_init__(self):
        V.check(self, {"method": V.choice("fixed", "cvode"), "dt_ms": V.real(1e-6, 100.0, "ms"),
                       "secondorder": V.choice(0, 1, 2), "atol": V.positive(1.0, ""),
                       "rtol": V.positive(1.0, ""), "local_dt": V.flag(),
                       "maxorder": V.integer(0, 5)})

    def describe(self) -> dict:
        """The settings as a plain dict (for result provenance)."""
        out = asdict(self)
        if self.method == "fixed":
            for key in ("atol", "rtol", "local_dt", "maxorder"):
                out.pop(key)
        else:
            out.pop("secondorder")
        return out


def has_extracellular(cell) -> bool:
    """True when any section that will be integrated with ``cell`` has ``extracellular``.

    That is the cell's own sections, and every section in NEURON when foreign
    sections are allowed (:func:`foreign_sections_allowed`): one such section makes
    CVODE switch to IDA for all of them.
    """
    secs = hoc().allsec() if foreign_allowed() else cell.sections()
    return any(sec.has_membrane("extracellular") for sec in secs)


def settle_integrator(cell) -> Integrator:
    """For settling to rest: CVODE with tight tolerances (1e-8), fixed 25 us steps for
    cells with ``extracellular`` (see :func:`default_integrator`)."""
    if has_extracellular(cell):
        return Integrator(method="fixed", dt_ms=0.025)
    return Integrator(atol=1e-8, rtol=1e-8)


def default_integrator(cell, tight: bool = False) -> Integrator:
    """The integrator protocols use when none is given.

    CVODE (tolerances 1e-6, or 1e-8 with ``tight`` for passive measurements;
    at 1e-5 a myelinated squid axon's velocity moved 3.8% between discretisations,
    at 1e-6 under 0.5%)
    except for cells with ``extracellular`` (double-cable myelin): there NEURON
    integrates with IDA, whose initialisation failed silently in our tests (a
    3-segment-node double cable gave a flat trace under IDA and a propagating
    spike under fixed step), so those cells use implicit Euler with dt 1 us.
    Not Crank-Nicolson: with ``extracellular`` NEURON 9.0.2's secondorder=2 is
    wrong and does not converge as dt shrinks (a passive compartment 5.8% off its
    analytic charging curve at t = tau even at 0.1 us; the MRG fibre 74 m/s where
    implicit Euler converges to 56; tests/test_mrg.py pins this down).
    """
    if has_extracellular(cell):
        return Integrator(method="fixed", dt_ms=0.001, secondorder=0)
    if tight:
        return Integrator(atol=1e-8, rtol=1e-8)
    return Integrator()


def provenance(**extra) -> dict:
    """Versions and the mechanism source hash, plus ``extra``."""
    info = mechanisms.load()
    return {"cablemodels_version": __version__, "neuron_version": info.neuron_version,
            "mechanism_hash": info.source_hash[:16], **extra}


def start(cell, integrator: Integrator, v_init_mV: float) -> None:
    """Set the globals for one run of ``cell`` and initialise at ``v_init_mV``.

    ``h.celsius`` is the cell's ``temperature_degC``. Call inside :func:`isolated`
    so the caller's globals come back afterwards.

    Raises
    ------
    ForeignSectionsError
        When sections that ``cell`` does not own exist and are not allowed.
    """
    global _pc
    check_alone(cell)
    h = hoc()
    h.load_file("stdrun.hoc")
    if _pc is None:
        _pc = h.ParallelContext()
    h.celsius = cell.temperature_degC
    h.v_init = v_init_mV
    cvode = h.CVode()
    if integrator.method == "cvode":
        # Beside other cells, each cell gets its own integrator so that their
        # presence does not change the measured cell's steps.
        local = integrator.local_dt or (foreign_allowed() and bool(foreign_sections(cell)))
        cvode.active(1)
        cvode.use_local_dt(1 if local else 0)
        cvode.atol(integrator.atol)
        cvode.rtol(integrator.rtol)
        cvode.maxorder(integrator.maxorder or 5)
    else:
        cvode.use_local_dt(0)
        cvode.active(0)
        h.dt = integrator.dt_ms
        h.steps_per_ms = 1.0 / integrator.dt_ms
        h.secondorder = integrator.secondorder
    _pc.set_maxstep(10)
    h.finitialize(v_init_mV)
    if integrator.method == "cvode":
        cvode.re_init()


_poll = None


def poll_every(slice_ms: float | None, callback=None) -> None:
    """Call ``callback`` after every ``slice_ms`` of simulated time (None: stop).

    Used under MPI (``cablemodels.sweep``): the bulletin board lives in the master
    rank and answers the other ranks only when the master calls into it, so a
    master busy simulating a point would leave them idle. Fixed-step results are
    bitwise the same with or without slicing; CVODE results agree to ~1e-14.
    """
    global _poll
    _poll = None if slice_ms is None else (float(slice_ms), callback)


def advance(t_stop_ms: float) -> None:
    """Integrate until ``t_stop_ms``."""
    h = hoc()
    if t_stop_ms <= h.t:
        return
    if _poll is None:
        _pc.psolve(t_stop_ms)
        return
    slice_ms, callback = _poll
    start = h.t
    n = int(math.ceil((t_stop_ms - start) / slice_ms))
    for k in range(1, n):  # boundaries from the start, never from h.t (fixed-step rounding)
        if start + k * slice_ms > h.t:
            _pc.psolve(start + k * slice_ms)
        if callback is not None:
            callback()
    # A fixed step can end a slice a few ulp past its boundary (t = 60.000000000005 for
    # 60): psolve refuses a stop time behind t, and every step up to t_stop is done.
    if t_stop_ms > h.t:
        _pc.psolve(t_stop_ms)


class SpikeStop:
    """Ends a run at the first crossing of ``threshold_mV`` at ``seg``.

    For a test whose answer is "did it fire": the rest of the run cannot change
    the answer. Create it before :func:`start` (NEURON sets up threshold detection
    at initialisation), then call :meth:`advance` instead of :func:`advance`. Under
    CVODE the NetCon event sets ``stoprun``, which ends ``psolve`` within the step
    of the crossing; a fixed-step ``psolve`` does not look at ``stoprun``, so it
    runs in ``slice_ms`` slices and stops at the end of the slice holding the
    crossing.

    Attributes
    ----------
    times : list of float
        Crossing times (ms); empty when there was none.
    """

    def __init__(self, seg, threshold_mV: float, slice_ms: float = 20.0):
        h = hoc()
        times: list = []

        def hit():
            times.append(float(h.t))
            h.stoprun = 1

        # The callback holds the list, not this object, so no reference cycle keeps
        # the NetCon (and its stoprun) alive after the object is gone.
        self.times = times
        self.slice_ms = slice_ms
        self._nc = h.NetCon(seg._ref_v, None, sec=seg.sec)
        self._nc.threshold = threshold_mV
        self._nc.record(hit)

    def advance(self, t_stop_ms: float) -> float | None:
        """Integrate until ``t_stop_ms`` or the first crossing; its time (ms) or None."""
        h = hoc()
        try:
            if h.CVode().active():
                if not self.times:
                    advance(t_stop_ms)
            else:
                # slice boundaries from the start, never from h.t: a fixed step can end
                # a hair short of a target, and psolve then will not move (issue 20: an
                # endless loop there filled memory)
                start = h.t
                n = max(1, math.ceil((t_stop_ms - start) / self.slice_ms))
                for k in range(1, n + 1):
                    advance(t_stop_ms if k == n else start + k * self.slice_ms)
                    if self.times:
                        break
        finally:
            h.stoprun = 0
        return self.times[0] if self.times else None


def now_ms() -> float:
    """Current simulation time."""
    return float(hoc().t)
