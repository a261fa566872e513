"""Measurement protocols: current clamp, passive properties, rheobase, conduction velocity.

Each function builds its stimulus, records only what its measurement needs,
runs through :mod:`cablemodels.simulation` and returns a frozen result with
``to_frame()`` (a long-form pandas table, units in column names) and
``provenance`` (parameters, temperature, integrator, versions, mechanism hash).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import simulation as sim
from .cell import Cell, hoc
from .simulation import Integrator

#: Voltage at which an action potential is detected and timed (mV).
SPIKE_THRESHOLD_MV = -20.0
#: A spike counts as an action potential only where its peak exceeds this (mV):
#: the overshoot that defines a full action potential (Hodgkin & Huxley 1939).
OVERSHOOT_MV = 0.0


class MeasurementError(RuntimeError):
    """A measurement did not happen as its result would claim.

    Raised, with the cell, the site and the numbers, when an energy or velocity
    measurement finds no overshooting action potential where it attributes one, or
    a passive measurement finds a response that is not small and linear.
    """


class PropagationError(MeasurementError):
    """The action potential did not reach, or did not overshoot at, a recording site."""


def require(name: str, value, low: float = 0.0, inclusive: bool = False,
            integer: bool = False, where: str = "") -> float:
    """Check a protocol argument: a finite real number (an integer if ``integer``) above
    ``low`` (or at least ``low`` if ``inclusive``); raise a ValueError naming it."""
    import numbers

    kind = numbers.Integral if integer else numbers.Real
    ok = isinstance(value, kind) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (value >= low if inclusive else value > low)
    if not ok:
        bound = f">= {low:g}" if inclusive else f"> {low:g}"
        raise ValueError(f"{where + ': ' if where else ''}{name} must be a finite "
                         f"{'integer' if integer else 'number'} {bound} (got {value!r})")
    return value


def _fraction_pair(fraction, where: str) -> tuple[float, float]:
    try:
        lo, hi = (float(f) for f in fraction)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: fraction must be two numbers in [0, 1] (got {fraction!r})") \
            from None
    if not 0.0 <= lo < hi <= 1.0:
        raise ValueError(f"{where}: fraction must satisfy 0 <= first < second <= 1 "
                         f"(got {fraction!r})")
    return lo, hi


def site(cell: Cell, role: str, index: int = 0, x: float = 0.5):
    """Segment at ``x`` of section ``index`` of ``role`` (negative index counts from the end)."""
    secs = cell.sections(role)
    if not secs:
        raise ValueError(f"cell {cell.name} has no {role!r} sections "
                         f"(it has {sorted(cell.roles)})")
    try:
        sec = secs[index]
    except IndexError:
        raise ValueError(f"cell {cell.name} has {len(secs)} {role!r} sections; "
                         f"index {index} is out of range") from None
    if not 0 <= x <= 1:
        raise ValueError(f"x must lie in [0, 1] (got {x})")
    return sec(x)


def _label(seg) -> str:
    return f"{seg.sec.name()}({seg.x:.4g})"


def _provenance(cell: Cell, integrator: Integrator, **extra) -> dict:
    return sim.provenance(cell=cell.name, cell_kind=cell.kind, params=repr(cell.params),
                          temperature_degC=cell.temperature_degC,
                          integrator=integrator.describe(), **extra)


#: Large implicit-Euler steps for finding rest (ms): NEURON's custom-initialisation idiom.
REST_BIG_DT_MS = 1e9
#: The big steps have converged when no segment's voltage moves more than this (mV).
REST_STEP_TOLERANCE_MV = 1e-9
#: Nudge (mV) and window (ms) of the check that the rest found by big steps is stable.
REST_KICK_MV = 0.1
REST_CHECK_MS = 50.0
#: Implicit-Euler step of that check (ms): it only has to tell decay from growth of
#: the nudge (the value returned is the fixed point, not this run's). CVODE here hung
#: after some earlier runs in the same process (a report worker, issue 20).
REST_CHECK_DT_MS = 0.1
#: A spike later than this (ms) into settling is spontaneous firing, not a start-up transient.
REST_TRANSIENT_MS = 300.0


@sim.isolated
def rest_mV(cell: Cell, settle_ms: float = 1000.0, tolerance_mV_per_s: float = 1.0) -> float:
    """The cell's resting potential (mV) at its origin.

    Where no concentration evolves (no mechanism writes one; no ``extracellular``)
    rest is the fixed point of the membrane equations, found with up to 50
    implicit-Euler steps of 1e9 ms from the GHK reversal of the origin's leak
    (NEURON's custom-initialisation idiom: each step lands on the fixed point of
    the linearised system, gates at their steady state), until no segment moves
    by more than 1e-9 mV. The fixed point must be stable: every segment is nudged
    by +0.1 mV and integrated by implicit Euler (0.1 ms steps) for 50 ms; without a spike, and
    with the nudge decaying at the origin, the fixed point is the rest.

    Otherwise (concentrations evolve, the big steps did not converge, or the
    fixed point was not shown stable) the cell settles from the GHK guess with
    CVODE at 1e-8 for up to ``settle_ms``: it is at rest once every segment moves
    by less than 1% of ``tolerance_mV_per_s`` over two successive 10 ms windows
    (checked at 100 and 300 ms), else by less than the tolerance at the end. A
    spike at the origin later than 300 ms into settling ends the run with the
    error at once. The result is cached on the cell; call :meth:`Cell.forget_rest`
    after changing its mechanisms.

    Raises
    ------
    RuntimeError
        When the cell fires spontaneously, or the membrane is still moving faster
        than ``tolerance_mV_per_s`` after ``settle_ms`` (a pacemaking or unstable
        cell has no resting potential).
    """
    cached = cell.cached_rest()
    if cached is not None:
        return cached
    seg = cell.origin()
    guess = _rest_guess(cell, seg)
    if not _concentrations_evolve(cell):
        found = _rest_by_big_steps(cell, seg, guess)
        if found is not None:
            return cell.cache_rest(found)
    return cell.cache_rest(_rest_by_settling(cell, seg, guess, settle_ms, tolerance_mV_per_s))


def _concentrations_evolve(cell: Cell) -> bool:
    """True when a mechanism integrates a concentration (NEURON's ion_style c_style 3)
    anywhere in ``cell``, or ``cell`` has ``extracellular`` (settled as before)."""
    h = hoc()
    if sim.has_extracellular(cell):
        return True
    for sec in cell.sections():
        for ion in ("na", "k", "cl", "ca"):
            style = int(h.ion_style(f"{ion}_ion", sec=sec))
            if style >= 0 and style & 3 == 3:
                return True
    return False


def _voltages(cell: Cell):
    """A gatherer of every segment's voltage: ``(PtrVector, Vector)``."""
    h = hoc()
    segs = [s for _, _, s in cell.segments()]
    ptrs = h.PtrVector(len(segs))
    for k, s in enumerate(segs):
        ptrs.pset(k, s._ref_v)
    return ptrs, h.Vector(len(segs))


def _rest_by_big_steps(cell: Cell, seg, guess: float, max_steps: int = 50) -> float | None:
    """The stable fixed point at ``seg`` (mV), or None when big steps cannot show one."""
    h = hoc()
    stop = sim.SpikeStop(seg, OVERSHOOT_MV)
    sim.start(cell, sim.Integrator(method="fixed", dt_ms=0.025), guess)
    ptrs, vec = _voltages(cell)
    ptrs.gather(vec)
    before = np.array(vec)
    # Time runs at negative values during the big steps (NEURON's idiom), so a caller's
    # Vector.record at a fixed interval, which records from t = 0, does not try to
    # fill 1e9 ms with samples.
    h.t = -(max_steps + 1) * REST_BIG_DT_MS
    h.dt = REST_BIG_DT_MS
    for _ in range(max_steps):
        h.fadvance()
        ptrs.gather(vec)
        now = np.array(vec)
        if not np.all(np.isfinite(now)):
            return None
        moved = float(np.abs(now - before).max())
        before = now
        if moved < REST_STEP_TOLERANCE_MV:
            break
    else:
        return None
    v_star = float(seg.v)
    # Stability: nudge every segment and watch the nudge decay under CVODE.
    h.t = 0.0
    stop.times.clear()
    for s in (s for _, _, s in cell.segments()):
        s.v += REST_KICK_MV
    h.dt = REST_CHECK_DT_MS
    h.fcurrent()
    if stop.advance(REST_CHECK_MS / 2) is not None:
        return None
    mid = abs(seg.v - v_star)
    if stop.advance(REST_CHECK_MS) is not None:
        return None
    end = abs(seg.v - v_star)
    if not (end < 0.5 * REST_KICK_MV and (end < mid or end < 1e-6)):
        return None
    return v_star


def _rest_by_settling(cell: Cell, seg, guess: float, settle_ms: float,
                      tolerance_mV_per_s: float) -> float:
    """Rest (mV) at ``seg`` by settling under CVODE; see :func:`rest_mV`."""
    stop = sim.SpikeStop(seg, OVERSHOOT_MV)
    sim.start(cell, sim.settle_integrator(cell), guess)
    ptrs, vec = _voltages(cell)

    def advance(t_ms):
        while True:
            first = stop.advance(t_ms)
            if first is None:
                return
            if first > REST_TRANSIENT_MS:
                raise RuntimeError(f"cell {cell.name} has not settled: it fires spontaneously "
                                   f"(a spike at {_label(seg)} {first:.1f} ms into settling, "
                                   "with no stimulus); it has no resting potential")
            stop.times.clear()  # a start-up transient from the GHK guess

    def drift_mV_per_s(t_ms):
        """Largest rate (mV/s) of any segment over the 10 ms up to ``t_ms``."""
        advance(t_ms - 10.0)
        ptrs.gather(vec)
        v1 = np.array(vec)
        advance(t_ms)
        ptrs.gather(vec)
        return float(np.abs(np.array(vec) - v1).max()) / 10.0 * 1e3

    drift = float("inf")
    for check_ms in (100.0, 300.0):
        if check_ms + 10.0 > settle_ms:
            break
        first = drift_mV_per_s(check_ms)
        second = drift_mV_per_s(check_ms + 10.0)
        drift = max(first, second)
        if drift <= 0.01 * tolerance_mV_per_s:
            return float(seg.v)
    drift = drift_mV_per_s(settle_ms)
    if drift > tolerance_mV_per_s:
        raise RuntimeError(f"cell {cell.name} has not settled after {settle_ms} ms (still moving "
                           f"{drift:.3g} mV/s somewhere in the cell; {_label(seg)} is at "
                           f"{seg.v:.3f} mV); it may fire spontaneously")
    return float(seg.v)


def _rest_guess(cell: Cell, seg) -> float:
    """Starting point for settling: the GHK reversal of the segment's own leak
    (``cm_leak``), else ``pas``'s reversal, else -65 mV. Read from the segment, so
    cells built in hoc need no cablemodels description."""
    from .biophysics import ghk_voltage_mV

    seg = seg.sec(min(max(seg.x, 1e-9), 1.0 - 1e-9))  # the ends carry no mechanisms
    if seg.sec.has_membrane("cm_leak"):
        leak = seg.cm_leak
        if leak.pk + leak.pna + leak.pcl > 0:
            return ghk_voltage_mV(leak.pk, leak.pna, leak.pcl, cell.ions, cell.temperature_degC)
    if seg.sec.has_membrane("pas"):
        return float(seg.pas.e)
    return -65.0


def _v_init(cell: Cell, v_init_mV: float | None) -> float:
    return rest_mV(cell) if v_init_mV is None else v_init_mV


@dataclass(frozen=True)
class Trace:
    """Voltages recorded at named sites."""

    t_ms: np.ndarray
    v_mV: dict
    provenance: dict = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Columns ``t_ms, site, v_mV``."""
        return pd.concat([pd.DataFrame({"t_ms": self.t_ms, "site": name, "v_mV": v})
                          for name, v in self.v_mV.items()], ignore_index=True)

    def at(self, name: str) -> np.ndarray:
        """Voltage at one site."""
        return self.v_mV[name]


@sim.isolated
def current_clamp(cell: Cell, stim_seg, amp_nA: float, delay_ms: float, dur_ms: float,
                  t_stop_ms: float, record=None, integrator: Integrator | None = None,
                  v_init_mV: float | None = None, dt_record_ms: float | None = None) -> Trace:
    """A current step (or pulse) at ``stim_seg``; voltages at ``record`` (default: the stimulus site).

    Parameters
    ----------
    record : list of segments, optional
    dt_record_ms : float, optional
        Record at this fixed interval (default: every step for fixed step,
        0.025 ms for CVODE).
    """
    require("t_stop_ms", t_stop_ms, where="current_clamp")
    require("delay_ms", delay_ms, inclusive=True, where="current_clamp")
    require("dur_ms", dur_ms, inclusive=True, where="current_clamp")
    require("amp_nA", amp_nA, low=-math.inf, where="current_clamp")
    integrator = integrator or sim.default_integrator(cell)
    v_init_mV = _v_init(cell, v_init_mV)
    h = hoc()
    segs = list(record) if record is not None else [stim_seg]
    clamp = h.IClamp(stim_seg)
    clamp.amp, clamp.delay, clamp.dur = amp_nA, delay_ms, dur_ms
    step = dt_record_ms or (integrator.dt_ms if integrator.method == "fixed" else 0.025)
    tvec = h.Vector(np.arange(0, t_stop_ms + step / 2, step))
    vecs = []
    for seg in segs:
        vec = h.Vector()
        vec.record(seg._ref_v, tvec, sec=seg.sec)
        vecs.append(vec)
    sim.start(cell, integrator, _v_init(cell, v_init_mV))
    sim.advance(t_stop_ms)
    n = min(len(tvec), *(len(vec) for vec in vecs))
    t = np.array(tvec)[:n]
    out = {_label(seg): np.array(vec)[:n] for seg, vec in zip(segs, vecs)}
    return Trace(t, out, _provenance(cell, integrator, stimulus=dict(
        site=_label(stim_seg), amp_nA=amp_nA, delay_ms=delay_ms, dur_ms=dur_ms)))


@dataclass(frozen=True)
class Measure:
    """One scalar measurement with its unit, how it was obtained and the evidence that it happened.

    ``evidence`` holds the numbers the measurement checked before returning (for a
    passive measurement: the responses to two amplitudes and their agreement, the
    largest excursion, NEURON's Impedance at rest).
    """

    quantity: str
    value: float
    unit: str
    provenance: dict = field(repr=False)
    evidence: dict = field(default_factory=dict, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Columns ``quantity, value, unit``."""
        return pd.DataFrame([{"quantity": self.quantity, "value": self.value, "unit": self.unit}])


#: Passive measurements aim for a deflection of this size (mV) unless given an amplitude.
PASSIVE_TARGET_MV = 0.1
#: Two amplitudes' scaled responses must agree this closely (relative) to count as linear.
LINEARITY_TOLERANCE = 0.01


def _steady_response(cell: Cell, seg, amp_nA: float, settle_ms: float, step_ms: float,
                     integrator: Integrator, v_init_mV: float, record=None):
    """Voltage at ``record`` segments before and at the end of a DC step starting at
    settle_ms, and the extremes of the voltage at ``seg`` during the step (mV)."""
    v_init_mV = _v_init(cell, v_init_mV)
    h = hoc()
    segs = list(record) if record is not None else [seg]
    clamp = h.IClamp(seg)
    clamp.amp, clamp.delay, clamp.dur = amp_nA, settle_ms, 1e9
    tvec = h.Vector(np.linspace(settle_ms, settle_ms + step_ms, 2001))
    trace = h.Vector()
    trace.record(seg._ref_v, tvec, sec=seg.sec)
    sim.start(cell, integrator, _v_init(cell, v_init_mV))
    sim.advance(settle_ms)
    before = np.array([s.v for s in segs])
    sim.advance(settle_ms + step_ms)
    after = np.array([s.v for s in segs])
    during = np.array(trace)
    del clamp
    return before, after, (float(during.min()), float(during.max()))


@sim.isolated
def impedance_MOhm(cell: Cell, seg=None, frequency_hz: float = 0.0,
                   settle_ms: float = 300.0) -> float:
    """Input impedance magnitude (MOhm) at ``seg`` from NEURON's ``Impedance`` at rest.

    The cell is settled at rest first. NEURON's extended computation, which would
    linearise every gating variable too, cannot be used: the charge counters that
    energy accounting relies on are STATEs no derivative depends on, which makes
    its matrix structurally singular. The computation therefore uses the membrane's
    instantaneous slope conductance at rest (``Impedance.compute(f, 0)``): exact for
    leaks, and it leaves out the slow change of gating with voltage, which
    :func:`input_resistance`'s steps include.

    Raises
    ------
    MeasurementError
        When the membrane has no resting conductance (the impedance is infinite or
        not finite), so an input resistance does not exist.
    """
    h = hoc()
    seg = seg if seg is not None else cell.origin()
    rest = rest_mV(cell)
    sim.start(cell, sim.settle_integrator(cell), rest)
    sim.advance(settle_ms)
    imp = h.Impedance()
    imp.loc(seg.x, sec=seg.sec)
    imp.compute(frequency_hz, 0)
    z = float(imp.input(seg.x, sec=seg.sec))
    if not (math.isfinite(z) and 0 < z < 1e9):
        raise MeasurementError(f"input impedance at {_label(seg)} of {cell.name} is {z!r} MOhm: "
                               "the membrane has no resting conductance to measure")
    return z


def _passive_amplitude(cell: Cell, seg, amp_nA: float | None, sign: float) -> tuple[float, float]:
    """The step amplitude (nA) for a ~PASSIVE_TARGET_MV deflection, and Impedance at rest."""
    z = impedance_MOhm(cell, seg)
    if amp_nA is None:
        amp_nA = sign * PASSIVE_TARGET_MV / z
    if not (math.isfinite(amp_nA) and amp_nA != 0):
        raise ValueError(f"amp_nA must be a finite, non-zero current (got {amp_nA!r})")
    return amp_nA, z


def _not_passive(cell: Cell, seg, why: str, dur_ms: float) -> MeasurementError:
    """The error a passive measurement raises, with the rheobase at ``seg`` if there is one."""
    try:
        rheo = rheobase(cell, seg, dur_ms=dur_ms).value
        extra = f"; a {dur_ms:g} ms step fires this cell from {rheo * 1e3:.4g} pA"
    except (MeasurementError, ValueError):
        extra = ""
    return MeasurementError(f"{why} at {_label(seg)} of {cell.name}{extra}. Use a smaller "
                            "amp_nA (or leave it None to size it from the cell's impedance)")


@sim.isolated
def input_resistance(cell: Cell, seg=None, amp_nA: float | None = None,
                     settle_ms: float = 500.0, step_ms: float = 1000.0,
                     integrator: Integrator | None = None,
                     v_init_mV: float | None = None) -> Measure:
    """Steady-state input resistance (MOhm) from two small DC steps, checked to be passive.

    Steps of ``amp_nA`` and ``amp_nA / 2`` (default: a hyperpolarising current that
    moves the membrane by about 0.1 mV, sized from NEURON's Impedance at rest) give
    two resistances; they must agree within 1% (a linear, subthreshold response) and
    the voltage must stay within five times the steady deflection (no spike). The
    value is their extrapolation to zero amplitude, ``2 R(a/2) - R(a)``: the slope
    resistance at rest. Impedance at rest is recorded in ``evidence`` beside it.

    Raises
    ------
    MeasurementError
        When the responses are not linear or contain a spike (the message gives the
        rheobase found at the site), or the membrane has no conductance.
    """
    require("settle_ms", settle_ms, inclusive=True, where="input_resistance")
    require("step_ms", step_ms, where="input_resistance")
    integrator = integrator or sim.default_integrator(cell, tight=True)
    seg = seg if seg is not None else cell.origin()
    amp_nA, z = _passive_amplitude(cell, seg, amp_nA, -1.0)
    resistances, extremes = [], []
    for amp in (amp_nA, amp_nA / 2):
        before, after, (vmin, vmax) = _steady_response(cell, seg, amp, settle_ms, step_ms,
                                                       integrator, v_init_mV)
        dv = after[0] - before[0]
        resistances.append(dv / amp)
        extremes.append(max(abs(vmin - before[0]), abs(vmax - before[0])) / max(abs(dv), 1e-12))
        if vmax > OVERSHOOT_MV or extremes[-1] > 5.0:
            raise _not_passive(cell, seg, f"a {amp * 1e3:.4g} pA step evoked a response "
                               f"{extremes[-1]:.3g}x its steady deflection (peak {vmax:.1f} mV)",
                               step_ms)
    r_full, r_half = resistances
    mismatch = abs(r_full - r_half) / abs(r_half)
    if not mismatch <= LINEARITY_TOLERANCE:
        raise _not_passive(cell, seg, f"steps of {amp_nA * 1e3:.4g} and {amp_nA * 500:.4g} pA give "
                           f"{r_full:.5g} and {r_half:.5g} MOhm ({mismatch:.2%} apart; limit "
                           f"{LINEARITY_TOLERANCE:.0%}): the response is not linear", step_ms)
    value = 2 * r_half - r_full
    return Measure("input_resistance", float(value), "MOhm",
                   _provenance(cell, integrator, site=_label(seg), amp_nA=amp_nA),
                   {"r_full_amp_MOhm": r_full, "r_half_amp_MOhm": r_half,
                    "linearity_mismatch": mismatch, "impedance_at_rest_MOhm": z,
                    "max_excursion_over_deflection": max(extremes)})


@sim.isolated
def time_constant(cell: Cell, seg=None, amp_nA: float | None = None, settle_ms: float = 500.0,
                  window_ms: float = 200.0, integrator: Integrator | None = None,
                  v_init_mV: float | None = None) -> Measure:
    """Slowest membrane time constant (ms) from the charging curve after a small step.

    The logarithm of the distance to the final value is fitted over the part of
    the response between 10% and 0.1% of the total change, where the slowest
    exponential dominates (Rall 1969: the equalising terms of a cable are faster).
    The step (default: hyperpolarising, ~0.1 mV, sized from Impedance at rest) must
    stay subthreshold: no overshoot and no excursion beyond five times its final
    deflection.

    Raises
    ------
    MeasurementError
        When the response contains a spike, or is too short to fit.
    """
    require("settle_ms", settle_ms, inclusive=True, where="time_constant")
    require("window_ms", window_ms, where="time_constant")
    integrator = integrator or sim.default_integrator(cell, tight=True)
    v_init_mV = _v_init(cell, v_init_mV)
    h = hoc()
    seg = seg if seg is not None else cell.origin()
    amp_nA, z = _passive_amplitude(cell, seg, amp_nA, -1.0)
    clamp = h.IClamp(seg)
    clamp.amp, clamp.delay, clamp.dur = amp_nA, settle_ms, 1e9
    tvec = h.Vector(np.linspace(settle_ms, settle_ms + window_ms, 4001))
    vec = h.Vector()
    vec.record(seg._ref_v, tvec, sec=seg.sec)
    sim.start(cell, integrator, _v_init(cell, v_init_mV))
    sim.advance(settle_ms + window_ms * 5)
    v_inf = seg.v
    t, v = np.array(tvec), np.array(vec)
    del clamp
    dist = np.abs(v - v_inf)
    total = dist[0]
    if v.max() > OVERSHOOT_MV or np.abs(v - v[0]).max() > 5.0 * max(abs(v_inf - v[0]), 1e-12):
        raise _not_passive(cell, seg, f"a {amp_nA * 1e3:.4g} pA step evoked a spike or a "
                           f"response beyond its steady deflection (peak {v.max():.1f} mV)",
                           window_ms)
    mask = (dist < 0.1 * total) & (dist > 1e-3 * total)
    if mask.sum() < 10:
        raise MeasurementError("charging curve too short to fit a time constant; raise window_ms")
    slope = np.polyfit(t[mask], np.log(dist[mask]), 1)[0]
    return Measure("time_constant", float(-1.0 / slope), "ms",
                   _provenance(cell, integrator, site=_label(seg), amp_nA=amp_nA),
                   {"deflection_mV": float(v_inf - v[0]), "impedance_at_rest_MOhm": z,
                    "points_fitted": int(mask.sum())})


@sim.isolated
def length_constant(cell: Cell, role: str = "axon", index: int = 0, amp_nA: float = 0.001,
                    settle_ms: float = 500.0, step_ms: float = 2000.0,
                    fit_fraction: tuple[float, float] = (0.05, 0.5),
                    integrator: Integrator | None = None,
                    v_init_mV: float | None = None) -> Measure:
    """Length constant (um) from steady-state attenuation of a DC input at x=0 of a section.

    ln(dV) is fitted against distance over ``fit_fraction`` of the section, away
    from the injection site and from the far end (whose boundary bends the profile).
    """
    integrator = integrator or sim.default_integrator(cell, tight=True)
    secs = cell.sections(role)
    if not secs:
        raise ValueError(f"cell {cell.name} has no {role!r} sections")
    sec = secs[index]
    segs = list(sec)
    before, after, (vmin, vmax) = _steady_response(cell, sec(0), amp_nA, settle_ms, step_ms,
                                                   integrator, v_init_mV, record=segs)
    if vmax > OVERSHOOT_MV or max(abs(vmin - before[0]), abs(vmax - before[0])) > 5.0 * max(
            abs(after[0] - before[0]), 1e-12):
        raise _not_passive(cell, sec(0), f"a {amp_nA * 1e3:.4g} pA step evoked a spike or a "
                           f"response beyond its steady deflection (peak {vmax:.1f} mV)", step_ms)
    x_um = np.array([s.x * sec.L for s in segs])
    dv = np.abs(after - before)
    lo, hi = fit_fraction
    mask = (x_um >= lo * sec.L) & (x_um <= hi * sec.L)
    slope = np.polyfit(x_um[mask], np.log(dv[mask]), 1)[0]
    return Measure("length_constant", float(-1.0 / slope), "um",
                   _provenance(cell, integrator, section=sec.name(), amp_nA=amp_nA))


def _spikes(seg, threshold_mV: float = SPIKE_THRESHOLD_MV):
    h = hoc()
    tvec = h.Vector()
    nc = h.NetCon(seg._ref_v, None, sec=seg.sec)
    nc.threshold = threshold_mV
    nc.record(tvec)
    return nc, tvec


#: Our voltage-gated Na+ channels (mechanism -> its peak-conductance parameter).
_NA_CHANNELS = {"cm_na_hh": "gnabar", "cm_na_wb": "gnabar", "cm_na_ms96": "gnabar",
                "cm_mrg_naf": "gnabar", "cm_mrg_nap": "gnapbar", "cm_r2000_naf": "gnabar",
                "cm_r2000_nap": "gnapbar", "hh": "gnabar"}
#: Mechanisms known to carry no regenerative Na+ current (leaks, pump, HCN, bookkeeping).
_NOT_NA_CHANNELS = {"cm_leak", "cm_hcn", "cm_nakpump", "cm_accum", "cm_ecshell", "cm_vmax",
                    "cm_count_na", "cm_count_k", "cm_count_ca", "cm_k_hh", "cm_k_wb",
                    "cm_k_ms96", "cm_mrg_ks", "cm_r2000_ks", "pas", "extracellular", "fastpas"}


def has_na_channels(seg) -> bool:
    """True when ``seg`` may carry a regenerative Na+ current.

    That is one of our (or NEURON's ``hh``) voltage-gated Na+ channels with a
    non-zero density, or any mechanism we do not know (a user's channel may be
    regenerative; the spike checks then decide).
    """
    for mech in seg:
        name = mech.name()
        if name in _NA_CHANNELS:
            if getattr(mech, _NA_CHANNELS[name]) > 0:
                return True
        elif name not in _NOT_NA_CHANNELS and not name.endswith("_ion"):
            return True
    return False


def excitable(cell: Cell) -> bool:
    """True when some segment of ``cell`` may carry a regenerative Na+ current
    (:func:`has_na_channels`)."""
    return any(has_na_channels(seg) for _, _, seg in cell.segments())


@sim.isolated
def fires(cell: Cell, seg, amp_nA: float, delay_ms: float, dur_ms: float, t_stop_ms: float,
          integrator: Integrator, v_init_mV: float, detect_seg=None) -> bool:
    """True when a step of ``amp_nA`` evokes an overshooting spike at ``detect_seg``.

    A spike is a crossing of :data:`OVERSHOOT_MV` (0 mV) in a cell with
    regenerative Na+ channels (:func:`excitable`); a passive membrane driven past
    0 mV by the current is not a spike. The run ends at the first such crossing
    (:class:`simulation.SpikeStop`).
    """
    v_init_mV = _v_init(cell, v_init_mV)
    if not excitable(cell):
        return False
    h = hoc()
    clamp = h.IClamp(seg)
    clamp.amp, clamp.delay, clamp.dur = amp_nA, delay_ms, dur_ms
    # the test ends at the first overshoot: the rest of the run cannot change the answer
    stop = sim.SpikeStop(detect_seg if detect_seg is not None else seg, OVERSHOOT_MV)
    sim.start(cell, integrator, _v_init(cell, v_init_mV))
    first = stop.advance(t_stop_ms)
    del clamp, stop
    return first is not None


@sim.isolated
def rheobase(cell: Cell, seg=None, dur_ms: float = 200.0, settle_ms: float = 200.0,
             precision: float = 0.01, max_nA: float = 100.0,
             integrator: Integrator | None = None, v_init_mV: float | None = None) -> Measure:
    """Smallest step current (nA) of ``dur_ms`` that fires an overshooting spike, by bisection.

    ``precision`` is relative: bisection stops when (hi - lo) / hi < precision.
    The bracket starts at the current that would move a passive membrane by 10 mV
    (from NEURON's Impedance at rest).

    Raises
    ------
    MeasurementError
        When the cell has no regenerative Na+ channel, or even ``max_nA`` does not fire.
    ValueError
        For a precision outside (0, 1), or non-positive durations or limits.
    """
    for name, val in (("dur_ms", dur_ms), ("max_nA", max_nA)):
        if not (isinstance(val, (int, float)) and math.isfinite(val) and val > 0):
            raise ValueError(f"rheobase: {name} must be a finite number > 0 (got {val!r})")
    if not (isinstance(settle_ms, (int, float)) and math.isfinite(settle_ms) and settle_ms >= 0):
        raise ValueError(f"rheobase: settle_ms must be a finite number >= 0 (got {settle_ms!r})")
    if not (isinstance(precision, (int, float)) and 0 < precision < 1):
        raise ValueError(f"rheobase: precision must lie in (0, 1) (got {precision!r})")
    integrator = integrator or sim.default_integrator(cell)
    v_init_mV = _v_init(cell, v_init_mV)
    seg = seg if seg is not None else cell.origin()
    if not excitable(cell):
        raise MeasurementError(f"{cell.name} has no voltage-gated Na+ channel: it cannot fire, "
                               "so it has no rheobase")
    t_stop = settle_ms + dur_ms + 20.0

    def test(amp):
        return fires(cell, seg, amp, settle_ms, dur_ms, t_stop, integrator, v_init_mV)

    try:
        first = min(max(10.0 / impedance_MOhm(cell, seg), 1e-6), max_nA)
    except MeasurementError:
        first = 0.01
    hi, lo = first, 0.0
    while not test(hi):
        lo, hi = hi, hi * 2
        if hi > max_nA:
            raise MeasurementError(f"no spike up to {max_nA} nA at {_label(seg)} of {cell.name}")
    while (hi - lo) / hi > precision:
        mid = 0.5 * (lo + hi)
        if test(mid):
            hi = mid
        else:
            lo = mid
    return Measure("rheobase", hi, "nA",
                   _provenance(cell, integrator, site=_label(seg), dur_ms=dur_ms,
                               precision=precision),
                   {"highest_silent_nA": lo, "overshoot_mV": OVERSHOOT_MV})


@dataclass(frozen=True)
class Velocity:
    """Conduction velocity between two sites from their threshold-crossing times."""

    velocity_m_s: float
    distance_um: float
    t_first_ms: float
    t_second_ms: float
    sites: tuple
    stimulus_nA: float
    provenance: dict = field(repr=False)
    #: Spike peaks (mV) at the two sites: the evidence that a full action potential,
    #: overshooting :data:`OVERSHOOT_MV`, passed both.
    peaks_mV: tuple = (float("nan"), float("nan"))

    def to_frame(self) -> pd.DataFrame:
        """One row: ``velocity_m_s, distance_um, t_first_ms, t_second_ms, site_first,
        site_second, stimulus_nA, peak_first_mV, peak_second_mV``."""
        return pd.DataFrame([{"velocity_m_s": self.velocity_m_s, "distance_um": self.distance_um,
                              "t_first_ms": self.t_first_ms, "t_second_ms": self.t_second_ms,
                              "site_first": self.sites[0], "site_second": self.sites[1],
                              "stimulus_nA": self.stimulus_nA, "peak_first_mV": self.peaks_mV[0],
                              "peak_second_mV": self.peaks_mV[1]}])


def pulse_amplitude_nA(seg) -> float:
    """First guess for a 0.5 ms pulse that starts a spike at ``seg``.

    Five times the current that charges the capacitance of one AC length
    constant (at 100 Hz; Hines & Carnevale 2001) of the local cable by 30 mV in
    0.5 ms. :func:`conduction_velocity` doubles it if it is not enough.
    """
    sec = seg.sec
    lam_um = 1e5 * math.sqrt(seg.diam / (4 * math.pi * 100.0 * sec.Ra * seg.cm))
    area_cm2 = math.pi * seg.diam * min(lam_um, sec.L) * 1e-8
    charge_nC = seg.cm * area_cm2 * 30e-3 * 1e3  # uF * V = uC; * 1e3 -> nC
    return 5 * (charge_nC / 0.5) * 1e3  # nC per ms = uA = 1e3 nA


#: A pulse is sized to move a passive membrane this far (mV) at its own frequency:
#: twice a typical 30 mV distance to threshold. Over myelinated and unmyelinated
#: WB and MS96 axons of 0.2-20 um the smallest firing 0.5 ms pulse was 1.1-1.7 x
#: 30 mV / |Z| (measured for issue 20), so this fires on the first try there.
PULSE_DEPOLARISATION_MV = 60.0


@sim.isolated
def pulse_amplitude_from_impedance_nA(cell: Cell, seg, v_rest_mV: float,
                                      dur_ms: float = 0.5,
                                      depolarisation_mV: float = PULSE_DEPOLARISATION_MV) -> float:
    """A ``dur_ms`` pulse (nA) that moves a passive membrane by ``depolarisation_mV`` at ``seg``.

    By default one that should start a spike, from the cell's own input:
    ``depolarisation_mV`` divided by the input impedance magnitude at
    ``seg`` at the pulse's frequency, 1 / (2 pi dur_ms), which weighs the
    membrane's conductance and the capacitance the pulse must charge (its own
    segment's and the cable's). Computed with NEURON's ``Impedance`` at
    ``v_rest_mV`` (gates at their steady state; slope conductances of the
    membrane, not the gating's voltage dependence).
    """
    h = hoc()
    sim.start(cell, sim.Integrator(method="fixed", dt_ms=0.025), v_rest_mV)
    imp = h.Impedance()
    imp.loc(seg.x, sec=seg.sec)
    imp.compute(1e3 / (2 * math.pi * dur_ms), 0)
    z = float(imp.input(seg.x, sec=seg.sec))
    if not (math.isfinite(z) and z > 0):
        return pulse_amplitude_nA(seg)
    return depolarisation_mV / z


@sim.isolated
def conduction_velocity(cell: Cell, first_seg, second_seg, stim_seg=None, amp_nA: float | None = None,
                        delay_ms: float = 1.0, dur_ms: float = 0.5, t_stop_ms: float | None = None,
                        integrator: Integrator | None = None, v_init_mV: float | None = None,
                        settle_ms: float = 0.0, max_doublings: int = 10) -> Velocity:
    """Velocity (m/s) between two segments from threshold crossings at -20 mV.

    The stimulus (default: a brief pulse at the first node or the axon's start)
    is doubled up to ``max_doublings`` times until a spike reaches the first site.
    Both sites' peaks are recorded; each must overshoot :data:`OVERSHOOT_MV`.

    Raises
    ------
    PropagationError
        A spike reached the first site but not the second (conduction failed or
        ``t_stop_ms`` is too short), no stimulus started one, or a site's peak
        stayed below the overshoot level (a decremental, not a full, action potential).
    """
    require("delay_ms", delay_ms, inclusive=True, where="conduction_velocity")
    require("dur_ms", dur_ms, where="conduction_velocity")
    require("settle_ms", settle_ms, inclusive=True, where="conduction_velocity")
    require("max_doublings", max_doublings, inclusive=True, integer=True,
            where="conduction_velocity")
    if t_stop_ms is not None:
        require("t_stop_ms", t_stop_ms, where="conduction_velocity")
    integrator = integrator or sim.default_integrator(cell)
    v_init_mV = _v_init(cell, v_init_mV)
    h = hoc()
    if stim_seg is None:
        first = (cell.sections("node") or cell.sections("axon") or cell.sections())[0]
        stim_seg = first(0.5 if cell.sections("node") else 0.0)
    amp = amp_nA if amp_nA is not None else pulse_amplitude_nA(stim_seg)
    distance = h.distance(first_seg, second_seg)
    if distance <= 0:
        raise ValueError("the two recording sites coincide")
    if t_stop_ms is None:
        t_stop_ms = settle_ms + delay_ms + 50.0
    for _ in range(max_doublings + 1):
        clamp = h.IClamp(stim_seg)
        clamp.amp, clamp.delay, clamp.dur = amp, settle_ms + delay_ms, dur_ms
        nc1, t1 = _spikes(first_seg)
        nc2, t2 = _spikes(second_seg)
        v1 = h.Vector().record(first_seg._ref_v, sec=first_seg.sec)
        v2 = h.Vector().record(second_seg._ref_v, sec=second_seg.sec)
        sim.start(cell, integrator, _v_init(cell, v_init_mV))
        sim.advance(t_stop_ms)
        if len(t1):
            break
        amp *= 2
        del clamp, nc1, nc2
    if not len(t1):
        raise PropagationError(f"no spike at {_label(first_seg)} of {cell.name} even with "
                               f"{amp / 2:.3g} nA at {_label(stim_seg)}")
    return velocity_between(cell, first_seg, second_seg, t1, t2, integrator, amp, t_stop_ms,
                            peaks_mV=(v1.max(), v2.max()))


@sim.isolated
def axon_velocity(cell: Cell, integrator: Integrator | None = None, fraction=(0.25, 0.75),
                  **kwargs) -> Velocity:
    """Conduction velocity over the middle of an axon, away from its ends.

    Unmyelinated: between ``fraction`` of the axon's length. Myelinated: between
    the nodes at those fractions of the node count.
    """
    first, second = velocity_sites(cell, fraction)
    return conduction_velocity(cell, first, second, integrator=integrator, **kwargs)


def velocity_sites(cell: Cell, fraction=(0.25, 0.75)):
    """The two segments :func:`axon_velocity` times the spike between.

    Unmyelinated: at ``fraction`` of the axon's length (:func:`along_axon`). Myelinated: the middles of
    the interior nodes at those fractions of the node count.
    """
    fraction = _fraction_pair(fraction, "velocity_sites")
    nodes = cell.sections("node")
    if nodes:
        i = max(1, int(round(fraction[0] * (len(nodes) - 1))))
        j = min(len(nodes) - 2, int(round(fraction[1] * (len(nodes) - 1))))
        if j <= i:
            raise ValueError(f"{cell.name}: {len(nodes)} nodes are too few to measure between "
                             "interior nodes (the recording sites need at least 4)")
        return nodes[i](0.5), nodes[j](0.5)
    axons = cell.sections("axon")
    if not axons:
        raise ValueError(f"{cell.name} has no axon (roles: {sorted(cell.roles)}): no "
                         "conduction velocity to measure")
    first, second = along_axon(cell, fraction[0]), along_axon(cell, fraction[1])
    if first.sec.nseg < 3 or (first.sec == second.sec and first == second):
        raise ValueError(f"{cell.name}: the axon {axons[0].name()} ({axons[0].L:g} um, "
                         f"{axons[0].nseg} segments) is too short for two distinct recording "
                         "sites")
    return first, second


def along_axon(cell: Cell, fraction: float):
    """The point at ``fraction`` of the length of an unmyelinated axon.

    The axon is its ``axon`` sections in order, one section or a chain of them
    (:func:`cablemodels.axon.build_unmyelinated_axon`); for one section this is
    ``sec(fraction)``.
    """
    secs = cell.sections("axon")
    if not secs:
        raise ValueError(f"cell {cell.name} has no 'axon' sections")
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must lie in [0, 1] (got {fraction})")
    target = fraction * sum(sec.L for sec in secs)
    for sec in secs:
        if target <= sec.L or sec is secs[-1]:
            return sec(min(target / sec.L, 1.0))
        target -= sec.L


def velocity_between(cell: Cell, first_seg, second_seg, t_first, t_second, integrator,
                     amp_nA: float, t_stop_ms: float | None = None,
                     peaks_mV: tuple = (float("nan"), float("nan"))) -> Velocity:
    """Velocity from the threshold-crossing times (sequences, ms) at two sites.

    Raises PropagationError when the spike did not travel from the first site to
    the second (``t_stop_ms``, if given, is named in the message), or when a
    site's peak (``peaks_mV``, if given) stayed below :data:`OVERSHOOT_MV`.
    """
    h = hoc()
    distance = h.distance(first_seg, second_seg)
    if not len(t_first):
        raise PropagationError(f"no spike at {_label(first_seg)}")
    if len(t_second) and t_second[0] <= t_first[0]:
        raise PropagationError(f"the spike reached {_label(second_seg)} ({t_second[0]:.4f} ms) "
                               f"no later than {_label(first_seg)} ({t_first[0]:.4f} ms): it did "
                               "not travel from the first site to the second (spontaneous "
                               "firing, or a stimulus beyond the first site?)")
    if not len(t_second):
        by = f" by {t_stop_ms} ms" if t_stop_ms is not None else ""
        raise PropagationError(f"the spike reached {_label(first_seg)} at {t_first[0]:.3f} ms "
                               f"but not {_label(second_seg)} ({distance:.0f} um further){by}: "
                               "conduction failed")
    for seg, peak in zip((first_seg, second_seg), peaks_mV):
        if not peak >= OVERSHOOT_MV and not math.isnan(peak):
            raise PropagationError(f"the spike at {_label(seg)} of {cell.name} peaked at "
                                   f"{peak:.1f} mV, below the {OVERSHOOT_MV:g} mV overshoot of "
                                   "a full action potential: no velocity is attributed to it")
    dt = t_second[0] - t_first[0]
    return Velocity(distance * 1e-6 / (dt * 1e-3), distance, float(t_first[0]),
                    float(t_second[0]), (_label(first_seg), _label(second_seg)), amp_nA,
                    _provenance(cell, integrator, stimulus_nA=amp_nA),
                    (float(peaks_mV[0]), float(peaks_mV[1])))


@dataclass(frozen=True)
class Convergence:
    """A measurement at the default discretisation and with segments about halved."""

    value: float
    refined_value: float
    nseg: int
    refined_nseg: int

    @property
    def relative_change(self) -> float:
        """|refined - default| / |refined|."""
        return abs(self.refined_value - self.value) / abs(self.refined_value)

    def to_frame(self) -> pd.DataFrame:
        """One row: ``value, refined_value, nseg, refined_nseg, relative_change``."""
        return pd.DataFrame([{"value": self.value, "refined_value": self.refined_value,
                              "nseg": self.nseg, "refined_nseg": self.refined_nseg,
                              "relative_change": self.relative_change}])


def convergence(builder, params, measure, refinements: int = 1) -> Convergence:
    """Rerun ``measure(cell) -> float`` with nseg about doubled ``refinements`` times.

    ``builder(params)`` builds the cell; ``params.discretization`` is replaced by
    :meth:`Discretization.doubled` for the refined run. Both cells are deleted.
    """
    from dataclasses import replace

    cell = builder(params)
    try:
        value, nseg = float(measure(cell)), cell.nseg_total()
    finally:
        cell.delete()
    rule = params.discretization
    for _ in range(refinements):
        rule = rule.doubled()
    fine = builder(replace(params, discretization=rule))
    try:
        refined, refined_nseg = float(measure(fine)), fine.nseg_total()
    finally:
        fine.delete()
    return Convergence(value, refined, nseg, refined_nseg)
