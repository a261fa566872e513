"""Energy accounting: what an action potential, rest and pump block cost.

Every channel mechanism integrates its own Na+ charge per area as a STATE
(``qna``), so the accounting reads two snapshots of those counters (no per-step
Python) and subtracts the resting flux measured just before the stimulus.

Conversions: Na+ ions = charge / e; ATP = Na+ ions / 3 (the pump's stoichiometry,
Skou 1957; Post & Jolly 1957); energy = ATP x |dG_ATP| / N_A with |dG_ATP| from
:data:`parameters.TABLE` ("atp.free_energy_kJ_mol", configurable). The excess
factor is the Na+ charge over the capacitive minimum C_m x (peak - rest) of the
same membrane (Hodgkin 1975; Carter & Bean 2009).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import parameters as P
from . import protocols as pr
from . import simulation as sim
from .biophysics import AVOGADRO, ELEMENTARY_CHARGE_C
from .cell import Cell, hoc
from .simulation import Integrator

#: Mechanisms whose Na+ charge counts as Na+ entry (the pump's own Na+ is efflux).
NA_CARRIERS = ("cm_na_hh", "cm_na_wb", "cm_na_ms96", "cm_leak", "cm_hcn")
NA_PER_ATP = 3.0


def atp_to_joules(atp: float, free_energy_kJ_mol: float | None = None) -> float:
    """Free energy (J) released by hydrolysing ``atp`` molecules."""
    g = P.value("atp.free_energy_kJ_mol") if free_energy_kJ_mol is None else free_energy_kJ_mol
    return atp * g * 1e3 / AVOGADRO


@dataclass(frozen=True)
class APEnergy:
    """Na+ entry and ATP of one action potential.

    Attributes
    ----------
    segments : pandas.DataFrame
        One row per measured segment: ``role, section, x, distance_um, area_um2,
        na_charge_C, na_ions, atp, peak_mV, capacitive_min_C``.
    rest_mV : float
    length_um : float
        Axon length the ``*_per_um`` values are divided by (0 for non-axons).
    free_energy_kJ_mol : float
    provenance : dict
    velocity : protocols.Velocity or None
        Conduction velocity between :func:`protocols.velocity_sites`, timed in the
        same run (axons only; None when the spike did not pass both sites in the window).
    """

    segments: pd.DataFrame
    rest_mV: float
    length_um: float
    free_energy_kJ_mol: float
    provenance: dict = field(repr=False)
    velocity: object = None  # protocols.Velocity timed in the same run, if measurable

    @property
    def na_charge_C(self) -> float:
        """Total Na+ charge that entered (positive), coulombs."""
        return float(self.segments["na_charge_C"].sum())

    @property
    def na_ions(self) -> float:
        return self.na_charge_C / ELEMENTARY_CHARGE_C

    @property
    def atp(self) -> float:
        """ATP the pump needs to export that Na+ (Na+ ions / 3)."""
        return self.na_ions / NA_PER_ATP

    @property
    def energy_J(self) -> float:
        return atp_to_joules(self.atp, self.free_energy_kJ_mol)

    @property
    def excess_factor(self) -> float:
        """Na+ charge over the capacitive minimum of the same membrane."""
        return self.na_charge_C / float(self.segments["capacitive_min_C"].sum())

    @property
    def atp_per_um(self) -> float:
        if self.length_um <= 0:
            raise ValueError("this measurement covered no axon length")
        return self.atp / self.length_um

    def by_role(self) -> pd.DataFrame:
        """Sums per role: ``role, area_um2, na_charge_C, atp, atp_per_um2``."""
        g = self.segments.groupby("role")[["area_um2", "na_charge_C", "na_ions", "atp"]].sum()
        g["atp_per_um2"] = g["atp"] / g["area_um2"]
        return g.reset_index()

    def to_frame(self) -> pd.DataFrame:
        """Long form: ``quantity, value, unit``."""
        rows = [("na_charge", self.na_charge_C, "C"), ("na_ions", self.na_ions, "1"),
                ("atp", self.atp, "1"), ("energy", self.energy_J, "J"),
                ("excess_factor", self.excess_factor, "1"), ("rest", self.rest_mV, "mV")]
        if self.length_um > 0:
            rows.append(("atp_per_um", self.atp_per_um, "1/um"))
        return pd.DataFrame(rows, columns=["quantity", "value", "unit"])


def _measured_segments(cell: Cell, fraction):
    """Segments whose energy is counted, and the axon length they span.

    Unmyelinated axon: segments within ``fraction`` of its length. Myelinated: all
    segments from the node at fraction[0] of the nodes up to (not including) the node
    at fraction[1], i.e. whole node+internode periods. Other cells: every segment.
    """
    h = hoc()
    nodes = cell.sections("node")
    if nodes:
        i = max(1, int(round(fraction[0] * (len(nodes) - 1))))
        j = min(len(nodes) - 1, int(round(fraction[1] * (len(nodes) - 1))))
        start, stop = nodes[i](0), nodes[j](0)
        d0, d1 = h.distance(cell.origin(), start), h.distance(cell.origin(), stop)
        segs = [(r, s, seg) for r, s, seg in cell.segments()
                if d0 <= h.distance(cell.origin(), seg) < d1]
        return segs, d1 - d0
    axons = cell.sections("axon")
    if axons and not cell.sections("soma"):
        sec = axons[0]
        segs = [("axon", sec, seg) for seg in sec if fraction[0] <= seg.x <= fraction[1]]
        length = sec.L * (max(s.x for _, _, s in segs) - min(s.x for _, _, s in segs)
                          + 1.0 / sec.nseg)
        return segs, length
    return list(cell.segments()), 0.0


def _check_counted(cell: Cell, segs) -> None:
    """Refuse to report a Na+ entry that our counters cannot see."""
    names = {sec.name(): sec for _, sec, _ in segs}
    uncounted = sorted(n for n, sec in names.items() if sec.has_membrane("hh"))
    if uncounted:
        raise ValueError(f"section(s) {', '.join(uncounted[:5])} of {cell.name} use NEURON's "
                         "hh, which keeps no Na+ charge counter; use cm_na_hh and cm_k_hh "
                         "(the same kinetics) so the Na+ entry can be counted")
    if not any(sec.has_membrane(m) for sec in names.values() for m in NA_CARRIERS):
        raise ValueError(f"no measured section of {cell.name} carries a Na+ counter "
                         f"(one of {', '.join(NA_CARRIERS)}); nothing to count")


def ap_energy(cell: Cell, integrator: Integrator | None = None, fraction=(0.25, 0.75),
              window_ms: float | None = None, settle_ms: float = 20.0,
              free_energy_kJ_mol: float | None = None, stim_seg=None,
              amp_nA: float | None = None, max_doublings: int = 10) -> APEnergy:
    """Na+ entry, ATP and excess factor of one action potential.

    A brief pulse at the start of the cell (first node, start of the axon, or the
    soma) starts one spike; counters are read at the stimulus and after
    ``window_ms`` (default: 40 ms at or below 10 degC, else 15 ms), and the
    resting Na+ flux of the ``settle_ms`` before the stimulus, extrapolated over
    the window, is subtracted.

    Raises
    ------
    protocols.PropagationError
        If no spike reached the measured region.
    """
    h = hoc()
    integrator = integrator or sim.default_integrator(cell)
    rest = pr.rest_mV(cell)
    if window_ms is None:
        window_ms = 40.0 if cell.temperature_degC <= 10.0 else 15.0
    segs, length = _measured_segments(cell, fraction)
    _check_counted(cell, segs)
    if stim_seg is None:
        first = (cell.sections("node") or cell.sections("axon") or cell.sections("soma")
                 or cell.sections())[0]
        stim_seg = first(0.5 if (cell.sections("node") or cell.sections("soma")) else 0.0)
    amp = amp_nA if amp_nA is not None else pr.pulse_amplitude_nA(stim_seg)
    t_stim = settle_ms
    try:
        timing = pr.velocity_sites(cell, fraction) if length > 0 else ()
    except ValueError:  # too few nodes to time between interior ones
        timing = ()
    for _ in range(max_doublings + 1):
        na_C, peaks, crossings = _one_spike(cell, segs, stim_seg, amp, t_stim, window_ms,
                                            integrator, rest, timing,
                                            may_abort=amp_nA is None and _ < max_doublings)
        if peaks.max() >= pr.SPIKE_THRESHOLD_MV or amp_nA is not None:
            break
        amp *= 2
    if peaks.max() < pr.SPIKE_THRESHOLD_MV:
        raise pr.PropagationError(f"no spike in the measured region of {cell.name} "
                                  f"(peak {peaks.max():.1f} mV with {amp:.3g} nA)")
    origin = cell.origin()
    rows = []
    for (role, sec, seg), q, peak in zip(segs, na_C, peaks):
        area = seg.area()
        rows.append({"role": role, "section": sec.name(), "x": seg.x,
                     "distance_um": h.distance(origin, seg), "area_um2": area,
                     "na_charge_C": q, "na_ions": q / ELEMENTARY_CHARGE_C,
                     "atp": q / ELEMENTARY_CHARGE_C / NA_PER_ATP, "peak_mV": peak,
                     "capacitive_min_C": sec.cm * 1e-6 * area * 1e-8 * (peak - rest) * 1e-3})
    g = P.value("atp.free_energy_kJ_mol") if free_energy_kJ_mol is None else free_energy_kJ_mol
    velocity = None
    if timing:
        try:
            velocity = pr.velocity_between(cell, *timing, *crossings, integrator, amp)
        except pr.PropagationError:
            velocity = None
    return APEnergy(pd.DataFrame(rows), rest, length, g,
                    pr._provenance(cell, integrator, stimulus_nA=amp, window_ms=window_ms,
                                   fraction=fraction), velocity)


def _one_spike(cell, segs, stim_seg, amp, t_stim, window_ms, integrator, rest, timing=(),
               may_abort=False):
    """Run one pulse; return each segment's Na+ entry (C, rest-corrected), peak (mV)
    and the threshold-crossing times at the ``timing`` segments. With ``may_abort``,
    a pulse that starts no spike at its own site within max(2 ms, window/5) ends the
    run there (peaks below threshold, no Na+ counted).

    Peaks come from ``cm_vmax`` (inserted into the measured sections if absent; it
    carries no current), not from recorded traces: recording every segment cost
    more than the simulation (benchmarks/RESULTS.md).
    """
    h = hoc()
    for sec in {id(s): s for _, s, _ in segs}.values():
        if not sec.has_membrane("cm_vmax"):
            sec.insert("cm_vmax")
    carriers = [(seg, seg.area() * 1e-8, [getattr(seg, n) for n in NA_CARRIERS if hasattr(seg, n)])
                for _, _, seg in segs]

    def snapshot():
        return np.array([area * sum(m.qna for m in mechs) for _, area, mechs in carriers])

    clamp = h.IClamp(stim_seg)
    clamp.amp, clamp.delay, clamp.dur = amp, t_stim, 0.5
    detectors = [pr._spikes(seg) for seg in timing]  # events only, no recording
    stim_detector, started = pr._spikes(stim_seg)  # kept referenced while it records
    sim.start(cell.temperature_degC, integrator, rest)
    sim.advance(t_stim - 5.0)
    q_base = snapshot()
    sim.advance(t_stim)
    q0 = snapshot()
    if may_abort:
        # No spike at the stimulus site soon after the pulse: stop here, so that the
        # caller can double the pulse without paying for the whole window.
        sim.advance(t_stim + 0.5 + max(2.0, window_ms / 5))
        if not len(started):
            return np.zeros(len(carriers)), np.array([seg.cm_vmax.vmax
                                                      for seg, _, _ in carriers]), []
    sim.advance(t_stim + window_ms)
    q1 = snapshot()
    rest_rate = (q0 - q_base) / 5.0
    na_C = -(q1 - q0 - rest_rate * window_ms) * 1e-6
    peaks = np.array([seg.cm_vmax.vmax for seg, _, _ in carriers])
    return na_C, peaks, [list(times) for _, times in detectors]


@dataclass(frozen=True)
class RestEnergy:
    """ATP per second at rest (and at given firing rates)."""

    atp_per_s: float
    area_um2: float
    pump_atp_per_s: float
    ap_atp: float | None
    provenance: dict = field(repr=False)

    @property
    def atp_per_s_per_um2(self) -> float:
        return self.atp_per_s / self.area_um2

    def at_rate(self, rate_hz):
        """ATP/s at firing rate(s) ``rate_hz``: rest + rate x ATP per spike."""
        if self.ap_atp is None:
            raise ValueError("no ATP per spike was given to rest_energy()")
        return self.atp_per_s + np.asarray(rate_hz) * self.ap_atp

    def to_frame(self) -> pd.DataFrame:
        rows = [("atp_per_s", self.atp_per_s, "1/s"),
                ("atp_per_s_per_um2", self.atp_per_s_per_um2, "1/(s um2)"),
                ("pump_atp_per_s", self.pump_atp_per_s, "1/s")]
        return pd.DataFrame(rows, columns=["quantity", "value", "unit"])


def rest_energy(cell: Cell, ap_atp: float | None = None) -> RestEnergy:
    """Resting Na+ influx / 3 as ATP/s for the whole cell (and the pump's own ATP/s).

    At steady state with a balanced pump the two agree.
    """
    rest = pr.rest_mV(cell)
    integrator = sim.settle_integrator(cell)
    sim.start(cell.temperature_degC, integrator, rest)
    sim.advance(100.0)
    influx_uA = 0.0
    pump_pmol_ms = 0.0
    for _, _, seg in cell.segments():
        area_cm2 = seg.area() * 1e-8
        for name in NA_CARRIERS:
            if hasattr(seg, name):
                influx_uA -= getattr(seg, name).ina * area_cm2 * 1e3  # mA/cm2 -> uA
        if hasattr(seg, "cm_nakpump"):
            pump_pmol_ms += seg.cm_nakpump.atp_rate * area_cm2
    na_per_s = influx_uA * 1e-6 / ELEMENTARY_CHARGE_C
    pump_atp_s = pump_pmol_ms * 1e-12 * 1e3 * AVOGADRO
    return RestEnergy(na_per_s / NA_PER_ATP, cell.area_um2(), pump_atp_s, ap_atp,
                      pr._provenance(cell, integrator))


def balance_pump(cell: Cell, iterations: int = 20, tolerance: float = 1e-6) -> int:
    """Set each segment's pump ``imax`` so that its Na+ efflux equals the Na+ influx at rest.

    Fixed-point iteration: settle, measure each segment's Na+ influx through
    channels and leak, set imax = influx / 3 / saturation, repeat until imax
    changes by less than ``tolerance`` (relative). Returns the iterations used.

    Raises
    ------
    ValueError
        If the cell has no ``cm_nakpump``.
    """
    segs = [seg for _, _, seg in cell.segments() if hasattr(seg, "cm_nakpump")]
    if not segs:
        raise ValueError(f"cell {cell.name} has no Na+/K+ pump (Membrane.pump_imax_mA_cm2)")
    h = hoc()
    for it in range(1, iterations + 1):
        cell.forget_rest()
        rest = pr.rest_mV(cell)
        sim.start(cell.temperature_degC, Integrator(atol=1e-9, rtol=1e-9), rest)
        sim.advance(200.0)
        worst = 0.0
        for seg in segs:
            influx = -sum(getattr(seg, n).ina for n in NA_CARRIERS if hasattr(seg, n))
            pump = seg.cm_nakpump
            sat = 1.0 / ((1 + h.km_k_cm_nakpump / seg.ko) ** 2 * (1 + h.km_na_cm_nakpump / seg.nai) ** 3)
            new = max(influx, 0.0) / NA_PER_ATP / sat / (1.0 - pump.block)
            worst = max(worst, abs(new - pump.imax) / max(new, 1e-30))
            pump.imax = new
        if worst < tolerance:
            cell.forget_rest()
            return it
    cell.forget_rest()
    raise RuntimeError(f"pump balance did not converge in {iterations} iterations "
                       f"(last relative change {worst:.2e})")


@dataclass(frozen=True)
class RunDown:
    """Pump-block run-down at the cell's origin."""

    t_s: np.ndarray
    v_mV: np.ndarray
    nai_mM: np.ndarray
    ki_mM: np.ndarray
    ena_mV: np.ndarray
    ek_mV: np.ndarray
    provenance: dict = field(repr=False)

    @property
    def half_time_s(self) -> float:
        """Time for Vm to cover half the way from its start to 0 mV (nan if never)."""
        target = self.v_mV[0] / 2
        idx = np.nonzero(self.v_mV >= target)[0]
        if not len(idx):
            return float("nan")
        k = idx[0]
        if k == 0:
            return 0.0
        return float(np.interp(target, self.v_mV[k - 1:k + 1], self.t_s[k - 1:k + 1]))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"t_s": self.t_s, "v_mV": self.v_mV, "nai_mM": self.nai_mM,
                             "ki_mM": self.ki_mM, "ena_mV": self.ena_mV, "ek_mV": self.ek_mV})


def pump_block(cell: Cell, duration_s: float = 3600.0, sample_s: float = 10.0,
               block: float = 1.0, integrator: Integrator | None = None) -> RunDown:
    """Block the pump (ouabain) at t = 0 from steady rest and follow the run-down.

    Needs ``cm_nakpump`` and ``cm_accum``. CVODE with maxorder 2 by default (a quiet
    membrane: the measured fastest setting in PERFORMANCE.md).
    """
    h = hoc()
    segs = [seg for _, _, seg in cell.segments()]
    if not all(hasattr(s, "cm_nakpump") and hasattr(s, "cm_accum") for s in segs):
        raise ValueError(f"pump_block needs cm_nakpump and cm_accum in every segment of "
                         f"{cell.name} (Membrane(pump_imax_mA_cm2=..., accumulation=True))")
    if not 0 <= block <= 1:
        raise ValueError(f"block must lie in [0, 1] (got {block})")
    integrator = integrator or Integrator(atol=1e-6, rtol=1e-6, maxorder=2)
    rest = pr.rest_mV(cell)
    seg = cell.origin()
    old = [s.cm_nakpump.block for s in segs]
    for s in segs:
        s.cm_nakpump.block = block
    try:
        tvec = h.Vector(np.arange(0.0, duration_s * 1e3 + 1e-9, sample_s * 1e3))
        recs = {}
        for name, ref in (("v", seg._ref_v), ("nai", seg._ref_nai), ("ki", seg._ref_ki),
                          ("ena", seg._ref_ena), ("ek", seg._ref_ek)):
            vec = h.Vector()
            vec.record(ref, tvec, sec=seg.sec)
            recs[name] = vec
        sim.start(cell.temperature_degC, integrator, rest)
        sim.advance(duration_s * 1e3)
    finally:
        for s, b in zip(segs, old):
            s.cm_nakpump.block = b
    n = min(len(tvec), *(len(v) for v in recs.values()))
    arr = {k: np.array(v)[:n] for k, v in recs.items()}
    return RunDown(np.array(tvec)[:n] * 1e-3, arr["v"], arr["nai"], arr["ki"], arr["ena"], arr["ek"],
                   pr._provenance(cell, integrator, block=block, duration_s=duration_s))


@dataclass(frozen=True)
class Sag:
    """Sag and rebound of a hyperpolarising step, with and without HCN."""

    sag_ratio: float
    rebound_mV: float
    control_sag_ratio: float
    control_rebound_mV: float
    trace: pr.Trace
    control: pr.Trace

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"condition": "hcn", "sag_ratio": self.sag_ratio,
                              "rebound_mV": self.rebound_mV},
                             {"condition": "hcn_blocked", "sag_ratio": self.control_sag_ratio,
                              "rebound_mV": self.control_rebound_mV}])


def hcn_sag(cell: Cell, amp_nA: float = -0.05, step_ms: float = 1000.0,
            settle_ms: float = 500.0, after_ms: float = 600.0) -> Sag:
    """Hyperpolarising step at the origin; sag = (steady - trough)/(rest - trough)."""
    segs = [seg for _, _, seg in cell.segments() if hasattr(seg, "cm_hcn")]
    if not segs:
        raise ValueError(f"cell {cell.name} has no HCN channels (Membrane(hcn=...))")
    seg = cell.origin()

    def measure():
        cell.forget_rest()
        tr = pr.current_clamp(cell, seg, amp_nA, settle_ms, step_ms,
                              settle_ms + step_ms + after_ms, dt_record_ms=0.5)
        v = tr.at(list(tr.v_mV)[0])
        t = tr.t_ms
        base = v[t < settle_ms][-1]
        during = v[(t >= settle_ms) & (t < settle_ms + step_ms)]
        trough, steady = during.min(), during[-1]
        rebound = v[t >= settle_ms + step_ms].max() - base
        return (steady - trough) / (base - trough), rebound, tr

    sag, rebound, trace = measure()
    saved = [s.cm_hcn.pbar for s in segs]
    try:
        for s in segs:
            s.cm_hcn.pbar = 0.0
        csag, crebound, control = measure()
    finally:
        for s, p in zip(segs, saved):
            s.cm_hcn.pbar = p
        cell.forget_rest()
    return Sag(float(sag), float(rebound), float(csag), float(crebound), trace, control)
