"""Energy accounting: what an action potential, rest and pump block cost.

Ions are counted whatever carries them: ``cm_count_na`` (and ``_k``, ``_ca``)
integrate each segment's total ion current as a STATE, and our channel
mechanisms integrate their own charge (``qna``, ``qk``) for attribution; Na+
that no channel counter accounts for (NEURON's ``hh``, a user's channel) is
reported as unattributed, never dropped, and the pump's own Na+ efflux is kept
apart. The accounting reads snapshots of the counters (no per-step Python) and
subtracts the resting flux measured just before the stimulus. Every energy
result carries the peaks and their times at every measured segment, and raises
:class:`protocols.MeasurementError` unless a full, overshooting action potential
occurred where the result attributes one.

Conversions: Na+ ions = charge / e; ATP = Na+ ions / 3 (the pump's stoichiometry,
Skou 1957; Post & Jolly 1957); energy = ATP x |dG_ATP| / N_A with |dG_ATP| from
:data:`parameters.TABLE` ("atp.free_energy_kJ_mol", configurable). The excess
factor is the Na+ charge over the capacitive minimum C_m x (peak - rest) of the
same membrane (Hodgkin 1975; Carter & Bean 2009).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import parameters as P
from . import protocols as pr
from . import simulation as sim
from .biophysics import AVOGADRO, ELEMENTARY_CHARGE_C, FARADAY_C_MOL
from .cell import Cell, hoc
from .simulation import Integrator

#: Ion-total counters (cm_count_*.mod): each integrates the segment's whole current of its ion.
ION_COUNTERS = {"na": "cm_count_na", "k": "cm_count_k", "ca": "cm_count_ca"}
NA_PER_ATP = 3.0
#: Pump cycle: Na+ out and K+ in per ATP (cm_nakpump; Skou 1957).
PUMP_NA_PER_ATP, PUMP_K_PER_ATP = 3.0, 2.0
#: uC/cm2 of monovalent charge per pmol/cm2 (F x 1e-12 mol/pmol x 1e6 uC/C).
_UC_PER_PMOL = FARADAY_C_MOL * 1e-6


def atp_to_joules(atp: float, free_energy_kJ_mol: float | None = None) -> float:
    """Free energy (J) released by hydrolysing ``atp`` molecules."""
    g = P.value("atp.free_energy_kJ_mol") if free_energy_kJ_mol is None else free_energy_kJ_mol
    return atp * g * 1e3 / AVOGADRO


@dataclass(frozen=True)
class APEnergy:
    """Ion entry and ATP of one action potential, with the evidence that it happened.

    Attributes
    ----------
    segments : pandas.DataFrame
        One row per measured segment: ``role, section, x, distance_um, area_um2,
        na_charge_C`` (Na+ that entered through everything but the pump, whatever
        mechanism carried it), ``na_attributed_C`` (the part our channels' own
        counters account for), ``na_unattributed_C`` (the rest: channels without a
        cablemodels counter, e.g. NEURON's ``hh`` or a user's mechanism),
        ``k_charge_C`` (K+ that left, pump excluded), ``ca_charge_C`` (Ca2+ charge
        that entered; 0 where the segment has no Ca2+), ``na_ions, atp,
        peak_mV, t_peak_ms, overshoot`` (peak above ``overshoot_mV``),
        ``spike_required`` (a site where a full action potential must occur for the
        result to stand) and ``capacitive_min_C`` (the segment's own cm x area x
        (peak - rest)). All charges are the spike's: the resting flux of the 5 ms
        before the stimulus, extrapolated over the window, is subtracted.
    rest_mV : float
    length_um : float
        Axon length the ``*_per_um`` values are divided by (0 for whole cells).
    free_energy_kJ_mol : float
    provenance : dict
    velocity : protocols.Velocity or None
        Conduction velocity between :func:`protocols.velocity_sites`, timed in the
        same run (axons only; None when the cell has too few nodes to time).
    stimulus_nA, stimulus_ms : float
        The current pulse that started the spike, and its duration.
    initiation_site : str
        Where the pulse was given.
    scope : str
        ``"axon"`` (a region of an axon, away from its ends) or ``"whole cell"``
        (every segment of a cell with a soma, the spike started at the soma with
        the smallest pulse that fires it).
    overshoot_mV : float
        The level every ``spike_required`` site's peak exceeded.
    """

    segments: pd.DataFrame
    rest_mV: float
    length_um: float
    free_energy_kJ_mol: float
    provenance: dict = field(repr=False)
    velocity: object = None  # protocols.Velocity timed in the same run, if measurable
    stimulus_nA: float = float("nan")
    stimulus_ms: float = 0.5
    initiation_site: str = ""
    scope: str = "axon"
    overshoot_mV: float = pr.OVERSHOOT_MV

    @property
    def na_charge_C(self) -> float:
        """Total Na+ charge that entered (positive), coulombs."""
        return float(self.segments["na_charge_C"].sum())

    @property
    def na_unattributed_C(self) -> float:
        """Na+ charge that no cablemodels channel counter accounts for (C)."""
        return float(self.segments["na_unattributed_C"].sum())

    @property
    def k_charge_C(self) -> float:
        """Total K+ charge that left (positive), coulombs."""
        return float(self.segments["k_charge_C"].sum())

    @property
    def ca_charge_C(self) -> float:
        """Total Ca2+ charge that entered (positive), coulombs."""
        return float(self.segments["ca_charge_C"].sum())

    @property
    def injected_charge_C(self) -> float:
        """Charge the stimulus injected (C), to set beside the Na+ charge."""
        return self.stimulus_nA * 1e-9 * self.stimulus_ms * 1e-3

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

    @property
    def peak_mV(self) -> float:
        """Highest peak among the sites where a full action potential was required."""
        req = self.segments[self.segments["spike_required"]]
        return float((req if len(req) else self.segments)["peak_mV"].max())

    def by_role(self) -> pd.DataFrame:
        """Sums per role: ``role, area_um2, na_charge_C, na_unattributed_C, k_charge_C,
        ca_charge_C, na_ions, atp, atp_per_um2``."""
        cols = ["area_um2", "na_charge_C", "na_unattributed_C", "k_charge_C", "ca_charge_C",
                "na_ions", "atp"]
        g = self.segments.groupby("role")[cols].sum()
        g["atp_per_um2"] = g["atp"] / g["area_um2"]
        return g.reset_index()

    def to_frame(self) -> pd.DataFrame:
        """Long form: ``quantity, value, unit``."""
        rows = [("na_charge", self.na_charge_C, "C"),
                ("na_unattributed", self.na_unattributed_C, "C"),
                ("k_charge", self.k_charge_C, "C"), ("ca_charge", self.ca_charge_C, "C"),
                ("injected_charge", self.injected_charge_C, "C"),
                ("na_ions", self.na_ions, "ions"), ("atp", self.atp, "ATP"),
                ("energy", self.energy_J, "J"),
                ("excess_factor", self.excess_factor, "ratio"), ("rest", self.rest_mV, "mV"),
                ("peak", self.peak_mV, "mV")]
        if self.length_um > 0:
            rows.append(("atp_per_um", self.atp_per_um, "ATP/um"))
        return pd.DataFrame(rows, columns=["quantity", "value", "unit"])


def _measured_segments(cell: Cell, fraction):
    """Segments whose energy is counted, the axon length they span, and the scope.

    A cell with a soma: every segment (scope "whole cell", length 0). An axon
    with nodes: all segments from the node at fraction[0] of the nodes up to (not
    including) the node at fraction[1], i.e. whole node+internode periods. An
    unmyelinated axon: segments within ``fraction`` of its length.
    """
    h = hoc()
    if cell.sections("soma"):
        return list(cell.segments()), 0.0, "whole cell"
    nodes = cell.sections("node")
    if nodes:
        i = max(1, int(round(fraction[0] * (len(nodes) - 1))))
        j = min(len(nodes) - 1, int(round(fraction[1] * (len(nodes) - 1))))
        start, stop = nodes[i](0), nodes[j](0)
        d0, d1 = h.distance(cell.origin(), start), h.distance(cell.origin(), stop)
        segs = [(r, s, seg) for r, s, seg in cell.segments()
                if d0 <= h.distance(cell.origin(), seg) < d1]
        return segs, d1 - d0, "axon"
    axons = cell.sections("axon")
    if not axons:
        raise ValueError(f"{cell.name} has neither a soma nor an axon: no spike to measure")
    # one section, or a chain of them (axon.build_unmyelinated_axon): position along it
    total = sum(sec.L for sec in axons)
    segs, offset = [], 0.0
    for sec in axons:
        segs += [("axon", sec, seg) for seg in sec
                 if fraction[0] <= (offset + seg.x * sec.L) / total <= fraction[1]]
        offset += sec.L
    if not segs:
        raise ValueError(f"fraction {fraction} of the axon of {cell.name} holds no segment "
                         f"(nseg {sum(sec.nseg for sec in axons)})")
    length = sum(sec.L / sec.nseg for _, sec, _ in segs)
    return segs, length, "axon"


def _has_ion(sec, ion: str) -> bool:
    return bool(hoc().ismembrane(f"{ion}_ion", sec=sec))


class IonCounters:
    """Reads, per segment, the ion totals and our channels' own counters.

    ``segs`` is a sequence of ``(role_or_group, section, segment)``. Inserts
    ``cm_count_na/k/ca`` (only for ions the section already has) and ``cm_vmax``
    where absent; none of them carries current, so the model is unchanged. Used by
    :func:`ap_energy` and by :mod:`cablemodels.audit`.
    """

    def __init__(self, segs):
        self.sections = list(dict.fromkeys(s for _, s, _ in segs))
        for sec in self.sections:
            for ion, mech in ION_COUNTERS.items():
                if _has_ion(sec, ion) and not sec.has_membrane(mech):
                    sec.insert(mech)
            if not sec.has_membrane("cm_vmax"):
                sec.insert("cm_vmax")
        self.rows = []
        for _, sec, seg in segs:
            channels = [m for m in seg if m.name() != "cm_nakpump" and hasattr(m, "qna")]
            self.rows.append((seg, seg.area() * 1e-8,
                              {ion: getattr(seg, mech) for ion, mech in ION_COUNTERS.items()
                               if hasattr(seg, mech)},
                              channels, getattr(seg, "cm_nakpump", None)))

    def snapshot(self) -> np.ndarray:
        """Per segment (rows) charge crossed since init (C), outward positive, columns:
        Na+ total, Na+ through our channel counters, Na+ through the pump, K+ total,
        K+ through the pump, Ca2+ total."""
        out = np.zeros((len(self.rows), 6))
        for k, (seg, area, totals, channels, pump) in enumerate(self.rows):
            pump_atp = pump.atp if pump is not None else 0.0  # pmol/cm2
            out[k] = (totals["na"].q if "na" in totals else 0.0,
                      sum(m.qna for m in channels),
                      PUMP_NA_PER_ATP * pump_atp * _UC_PER_PMOL,
                      totals["k"].q if "k" in totals else 0.0,
                      -PUMP_K_PER_ATP * pump_atp * _UC_PER_PMOL,
                      totals["ca"].q if "ca" in totals else 0.0)
            out[k] *= area * 1e-6  # uC/cm2 x cm2 -> C
        return out

    def peaks(self) -> tuple[np.ndarray, np.ndarray]:
        return (np.array([r[0].cm_vmax.vmax for r in self.rows]),
                np.array([r[0].cm_vmax.tmax for r in self.rows]))


def _needs_spike(role: str, seg, scope: str) -> bool:
    """Where a full action potential must occur for the measurement to stand:
    every measured segment with voltage-gated Na+ channels of an axon, and the
    soma, axon and nodes of a whole cell (dendrites' peaks are reported only)."""
    if scope == "whole cell" and role not in ("soma", "axon", "node"):
        return False
    return pr.has_na_channels(seg)


#: Pulses that would move a passive membrane less than this (mV) cannot start a spike
#: and are not tried (protocols.pulse_amplitude_from_impedance_nA).
PULSE_SKIP_MV = 5.0


@sim.isolated
def ap_energy(cell: Cell, integrator: Integrator | None = None, fraction=(0.25, 0.75),
              window_ms: float | None = None, settle_ms: float = 20.0,
              free_energy_kJ_mol: float | None = None, stim_seg=None,
              amp_nA: float | None = None, max_doublings: int = 10,
              overshoot_mV: float = pr.OVERSHOOT_MV, precision: float = 0.05) -> APEnergy:
    """Ion entry, ATP and excess factor of one verified action potential.

    Axons (no soma): a 0.5 ms pulse at the start (first node, or x=0), sized from
    a cable-charge guess (:func:`protocols.pulse_amplitude_nA`) doubled until the
    stimulus site fires (doublings too weak to move the membrane
    :data:`PULSE_SKIP_MV`, judged from the input impedance, are skipped), and the segments within ``fraction`` of the axon are
    counted. Whole cells (with a soma): the spike is started at the soma (or
    ``stim_seg``) with the smallest 0.5 ms pulse that makes it overshoot, found by
    bisection to ``precision`` (relative), and every segment of the cell is
    counted. Ions are counted whatever carries them (``cm_count_*``); our
    channels' own counters attribute the Na+, and the rest is reported as
    unattributed. Counters are read at the stimulus and ``window_ms`` later
    (default 40 ms at or below 10 degC, else 15 ms), and the resting flux of the 5
    ms before the stimulus, extrapolated over the window, is subtracted.

    Raises
    ------
    protocols.MeasurementError
        When no full action potential (peak above ``overshoot_mV``) occurred at the
        stimulus site of a whole cell or at any site marked ``spike_required``
        (:class:`protocols.PropagationError` for axons: it failed to reach or to
        overshoot in the measured region), or the ATP is not finite and positive.
    protocols.ForeignSectionsError
        When other cells' sections exist and are not allowed.
    ValueError
        When the measured sections carry no Na+ at all.
    """
    h = hoc()
    if window_ms is not None:
        pr.require("window_ms", window_ms, where="ap_energy")
    pr.require("settle_ms", settle_ms, low=5.0, inclusive=True, where="ap_energy (the resting "
               "flux is measured over the 5 ms before the stimulus)")
    pr.require("max_doublings", max_doublings, inclusive=True, integer=True, where="ap_energy")
    pr.require("precision", precision, where="ap_energy")
    if precision >= 1:
        raise ValueError(f"ap_energy: precision must lie in (0, 1) (got {precision!r})")
    pr.require("overshoot_mV", overshoot_mV, low=-math.inf, where="ap_energy")
    if amp_nA is not None:
        pr.require("amp_nA", amp_nA, where="ap_energy")
    fraction = pr._fraction_pair(fraction, "ap_energy")
    integrator = integrator or sim.default_integrator(cell)
    rest = pr.rest_mV(cell)
    if window_ms is None:
        window_ms = 40.0 if cell.temperature_degC <= 10.0 else 15.0
    segs, length, scope = _measured_segments(cell, fraction)
    if not any(_has_ion(sec, "na") for _, sec, _ in segs):
        raise ValueError(f"no measured section of {cell.name} carries Na+ (no na_ion): "
                         "nothing to count")
    if stim_seg is None:
        if scope == "whole cell":
            stim_seg = cell.sections("soma")[0](0.5)
        else:
            first = (cell.sections("node") or cell.sections("axon"))[0]
            stim_seg = first(0.5 if cell.sections("node") else 0.0)
    counters = IonCounters(segs)
    required = np.array([_needs_spike(role, seg, scope) for role, _, seg in segs])
    t_stim = settle_ms
    try:
        timing = pr.velocity_sites(cell, fraction) if scope == "axon" else ()
    except ValueError:  # too few nodes to time between interior ones
        timing = ()
    stim_probe = h.Vector().record(stim_seg._ref_v, sec=stim_seg.sec)

    def run(amp, full):
        return _one_spike(cell, counters, stim_seg, amp, t_stim, window_ms, integrator, rest,
                          timing if full else (), stim_probe, full)

    if amp_nA is not None:
        amp = amp_nA
    elif scope == "whole cell":
        amp = _smallest_pulse(run, pr.pulse_amplitude_nA(stim_seg) / 5, max_doublings,
                              overshoot_mV, precision, cell, stim_seg)
    else:
        # The doubling sequence from the cable-charge guess, as before, but without the
        # amplitudes too weak to fire: a 0.5 ms pulse moves a passive membrane by at
        # most ~I |Z(1 / (2 pi 0.5 ms))|, so below PULSE_SKIP_MV / |Z| nothing fires.
        amp = pr.pulse_amplitude_nA(stim_seg)
        floor = pr.pulse_amplitude_from_impedance_nA(cell, stim_seg, rest,
                                                     depolarisation_mV=PULSE_SKIP_MV)
        while 2 * amp <= floor and max_doublings > 0:
            amp *= 2
            max_doublings -= 1
    # Axons: the measuring run itself is repeated with the pulse doubled until the
    # stimulus site fires (a separate trial run per amplitude cost one run more).
    tries = max_doublings + 1 if amp_nA is None and scope != "whole cell" else 1
    for k in range(tries):
        charges, peaks, t_peaks, stim_peak, crossings = run(amp, True)
        if stim_peak >= overshoot_mV or k == tries - 1:
            break
        amp *= 2
    _check_spike(cell, segs, peaks, required, stim_peak, stim_seg, amp, overshoot_mV, scope)
    origin = cell.origin()
    rows = []
    for k, (role, sec, seg) in enumerate(segs):
        na, na_attr, k_out, ca = charges[k]
        area = seg.area()
        rows.append({"role": role, "section": sec.name(), "x": seg.x,
                     "distance_um": h.distance(origin, seg), "area_um2": area,
                     "na_charge_C": na, "na_attributed_C": na_attr,
                     "na_unattributed_C": na - na_attr, "k_charge_C": k_out, "ca_charge_C": ca,
                     "na_ions": na / ELEMENTARY_CHARGE_C,
                     "atp": na / ELEMENTARY_CHARGE_C / NA_PER_ATP, "peak_mV": peaks[k],
                     "t_peak_ms": t_peaks[k], "overshoot": bool(peaks[k] >= overshoot_mV),
                     "spike_required": bool(required[k]),
                     "capacitive_min_C": seg.cm * 1e-6 * area * 1e-8 * (peaks[k] - rest) * 1e-3})
    frame = pd.DataFrame(rows)
    total_atp = float(frame["atp"].sum())
    if not (np.isfinite(total_atp) and total_atp > 0):
        raise pr.MeasurementError(f"ATP of the spike in {cell.name} is {total_atp!r}: Na+ left "
                                  "rather than entered, so this is not an action potential's cost")
    g = P.value("atp.free_energy_kJ_mol") if free_energy_kJ_mol is None else free_energy_kJ_mol
    velocity = None
    if timing:
        velocity = pr.velocity_between(cell, *timing, *crossings, integrator, amp,
                                       peaks_mV=tuple(_peak_at(segs, peaks, s) for s in timing))
    return APEnergy(frame, rest, length, g,
                    pr._provenance(cell, integrator, stimulus_nA=amp, window_ms=window_ms,
                                   fraction=fraction, scope=scope, overshoot_mV=overshoot_mV),
                    velocity, amp, 0.5, pr._label(stim_seg), scope, overshoot_mV)


def _peak_at(segs, peaks, target) -> float:
    for (_, _, seg), peak in zip(segs, peaks):
        if seg.sec == target.sec and abs(seg.x - target.x) < 1e-9:
            return float(peak)
    return float("nan")


def _smallest_pulse(run, start_nA, max_doublings, overshoot_mV, precision, cell, stim_seg):
    """Smallest 0.5 ms pulse (nA) that makes ``stim_seg`` overshoot, by doubling then bisection."""
    hi = start_nA
    for _ in range(max_doublings):
        if run(hi, False)[3] >= overshoot_mV:
            break
        hi *= 2
    else:
        raise pr.MeasurementError(f"no pulse up to {hi:.3g} nA at {pr._label(stim_seg)} makes "
                                  f"{cell.name} fire an overshooting spike")
    lo = 0.0
    while (hi - lo) / hi > precision:
        mid = 0.5 * (lo + hi)
        if run(mid, False)[3] >= overshoot_mV:
            hi = mid
        else:
            lo = mid
    return hi


def _check_spike(cell, segs, peaks, required, stim_peak, stim_seg, amp, overshoot_mV, scope):
    """Raise unless a full action potential occurred where the result attributes one."""
    if scope == "whole cell" and not stim_peak >= overshoot_mV:
        raise pr.MeasurementError(f"{cell.name}: the {amp:.4g} nA pulse at {pr._label(stim_seg)} "
                                  f"peaked at {stim_peak:.1f} mV, below the {overshoot_mV:g} mV "
                                  "overshoot: no action potential started")
    if not required.any():
        raise pr.MeasurementError(f"{cell.name}: no measured segment carries voltage-gated Na+ "
                                  "channels, so no action potential can be attributed")
    failed = np.flatnonzero(required & ~(peaks >= overshoot_mV))
    if len(failed):
        worst = failed[np.argmin(peaks[failed])]
        cls = pr.PropagationError if scope == "axon" else pr.MeasurementError
        raise cls(f"{cell.name}: {len(failed)} of {int(required.sum())} sites that must carry the "
                  f"action potential stayed below the {overshoot_mV:g} mV overshoot (lowest: "
                  f"{pr._label(segs[worst][2])} at {peaks[worst]:.1f} mV, pulse {amp:.4g} nA at "
                  f"{pr._label(stim_seg)}): the spike did not "
                  + ("propagate through the measured region" if scope == "axon"
                     else "reach the whole soma and axon"))


def _one_spike(cell, counters, stim_seg, amp, t_stim, window_ms, integrator, rest, timing,
               stim_probe, full):
    """Run one pulse. Returns each segment's spike charges (C; columns Na+ entered, Na+
    entered through our counted channels, K+ left, Ca2+ entered; rest-corrected), the
    peaks and their times, the peak at the stimulus site and the threshold-crossing
    times at the ``timing`` segments. Without ``full`` the run ends 10 ms after the
    pulse (a trial: only the stimulus site's peak counts).

    Peaks come from ``cm_vmax`` (no recorded traces: recording every segment cost
    more than the simulation, benchmarks/RESULTS.md).
    """
    h = hoc()
    clamp = h.IClamp(stim_seg)
    clamp.amp, clamp.delay, clamp.dur = amp, t_stim, 0.5
    detectors = [pr._spikes(seg) for seg in timing]  # events only, no recording
    sim.start(cell, integrator, rest)
    if not full:
        sim.advance(t_stim + 0.5 + 10.0)
        return None, None, None, float(stim_probe.max()), []
    sim.advance(t_stim - 5.0)
    q_base = counters.snapshot()
    sim.advance(t_stim)
    q0 = counters.snapshot()
    sim.advance(t_stim + window_ms)
    q1 = counters.snapshot()
    dq = (q1 - q0) - (q0 - q_base) / 5.0 * window_ms
    # columns: Na+ in (pump excluded), Na+ in through counted channels, K+ out (pump
    # excluded), Ca2+ in
    charges = np.column_stack([-(dq[:, 0] - dq[:, 2]), -dq[:, 1], dq[:, 3] - dq[:, 4], -dq[:, 5]])
    peaks, t_peaks = counters.peaks()
    return charges, peaks, t_peaks, float(stim_probe.max()), [list(t) for _, t in detectors]


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


def _na_influx_mA_cm2(seg) -> float:
    """Na+ influx (mA/cm2, inward positive) through everything but the pump, from the
    ion's total current (so NEURON's hh and users' channels count too)."""
    pump = seg.cm_nakpump.ina if hasattr(seg, "cm_nakpump") else 0.0
    return -(seg.ina - pump)


@sim.isolated
def rest_energy(cell: Cell, ap_atp: float | None = None) -> RestEnergy:
    """Resting Na+ influx / 3 as ATP/s for the whole cell (and the pump's own ATP/s).

    The influx is the Na+ ion's total current less the pump's, whatever carries it.
    At steady state with a balanced pump the two agree.
    """
    rest = pr.rest_mV(cell)
    integrator = sim.settle_integrator(cell)
    sim.start(cell, integrator, rest)
    sim.advance(100.0)
    influx_uA = 0.0
    pump_pmol_ms = 0.0
    for _, sec, seg in cell.segments():
        area_cm2 = seg.area() * 1e-8
        if _has_ion(sec, "na"):
            influx_uA += _na_influx_mA_cm2(seg) * area_cm2 * 1e3  # mA/cm2 -> uA
        if hasattr(seg, "cm_nakpump"):
            pump_pmol_ms += seg.cm_nakpump.atp_rate * area_cm2
    na_per_s = influx_uA * 1e-6 / ELEMENTARY_CHARGE_C
    pump_atp_s = pump_pmol_ms * 1e-12 * 1e3 * AVOGADRO
    return RestEnergy(na_per_s / NA_PER_ATP, cell.area_um2(), pump_atp_s, ap_atp,
                      pr._provenance(cell, integrator))


@sim.isolated
def balance_pump(cell: Cell, iterations: int = 20, tolerance: float = 1e-6) -> int:
    """Set each segment's pump ``imax`` so that its Na+ efflux equals the Na+ influx at rest.

    Fixed-point iteration: settle, measure each segment's Na+ influx through
    everything but the pump, set imax = influx / 3 / saturation, repeat until imax
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
        sim.start(cell, Integrator(atol=1e-9, rtol=1e-9), rest)
        sim.advance(200.0)
        worst = 0.0
        for seg in segs:
            influx = _na_influx_mA_cm2(seg)
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


@sim.isolated
def pump_block(cell: Cell, duration_s: float = 3600.0, sample_s: float = 10.0,
               block: float = 1.0, integrator: Integrator | None = None) -> RunDown:
    """Block the pump (ouabain) at t = 0 from steady rest and follow the run-down.

    Needs ``cm_nakpump`` and ``cm_accum``. CVODE with maxorder 2 by default (a quiet
    membrane: the measured fastest setting in PERFORMANCE.md).
    """
    h = hoc()
    pr.require("duration_s", duration_s, where="pump_block")
    pr.require("sample_s", sample_s, where="pump_block")
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
        sim.start(cell, integrator, rest)
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


@sim.isolated
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
