"""The object every builder returns: it owns its NEURON sections, named by role.

A :class:`Cell` keeps the only Python references to its sections, so dropping
the cell (or calling :meth:`Cell.delete`) removes them from NEURON. Several
cells can live in one process; each segment carries its own ion concentrations,
so cells with different ion sets do not interfere.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from . import mechanisms
from . import validation as V
from .biophysics import KINETICS, Ions, Membrane

#: Roles a section can have.
ROLES = ("soma", "dendrite", "axon", "node", "paranode", "internode")

_counter = itertools.count()


def hoc():
    """NEURON's ``h`` with our mechanisms loaded (loads them on first call)."""
    mechanisms.load()
    from neuron import h

    return h


#: NEURON's largest nseg for one section.
NSEG_MAX = 32767


@dataclass(frozen=True)
class Discretization:
    """How many segments each section gets.

    The d_lambda rule (Hines & Carnevale 2001, Neural Computation 13:1383):
    ``nseg`` is the smallest odd number making every segment shorter than
    ``d_lambda`` times the AC length constant at ``frequency_hz``.
    """

    d_lambda: float = 0.1
    frequency_hz: float = 100.0
    min_nseg: int = 1

    def __post_init__(self):
        V.check(self, {"d_lambda": V.real(1e-4, 10.0, "(fraction of the AC length constant)"),
                       "frequency_hz": V.positive(1e6, "Hz"),
                       "min_nseg": V.integer(1, 32767)})

    def nseg(self, length_um: float, diameter_um: float, ra_ohm_cm: float,
             cm_uF_cm2: float) -> int:
        """Odd nseg for a cylinder by the d_lambda rule."""
        # lambda_f = 1e5 sqrt(d / (4 pi f Ra cm)) um, d in um (NEURON's lambda_f)
        lam = 1e5 * math.sqrt(diameter_um / (4 * math.pi * self.frequency_hz * ra_ohm_cm
                                             * cm_uF_cm2))
        n = int((length_um / (self.d_lambda * lam) + 0.9) / 2) * 2 + 1
        return max(n, int(self.min_nseg) | 1)

    def doubled(self) -> "Discretization":
        """The same rule with segments about half as long."""
        return Discretization(self.d_lambda / 2, self.frequency_hz, self.min_nseg * 2 + 1)


class Cell:
    """NEURON sections of one cell, grouped by role, plus what built them.

    Attributes
    ----------
    name : str
        Unique within the process; prefixes section names.
    params : object
        The frozen parameter dataclass the builder was given.
    temperature_degC : float
        Temperature the cell is meant to run at (protocols set ``h.celsius`` from it).
    ions : Ions
        The concentrations every segment starts from.
    """

    def __init__(self, kind: str, params, temperature_degC: float, ions: Ions,
                 name: str | None = None):
        number = next(_counter)
        self.name = name if name is not None else f"{kind}{number}"
        self.kind = kind
        self.params = params
        self.temperature_degC = float(temperature_degC)
        self.ions = ions
        self._roles: dict[str, list] = {}
        self._role_of: dict = {}  # section -> role, so role_of is O(1) on big trees
        self._membrane: dict[str, Membrane] = {}
        self._rest: float | None = None

    # ----------------------------------------------------------------- construction
    def new_section(self, role: str, length_um: float, diameter_um: float, ra_ohm_cm: float):
        """Create a section of ``role`` and keep it."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; choose one of {ROLES}")
        h = hoc()
        index = len(self._roles.get(role, []))
        sec = h.Section(name=f"{self.name}.{role}[{index}]")
        sec.L = length_um
        sec.diam = diameter_um
        sec.Ra = ra_ohm_cm
        self._roles.setdefault(role, []).append(sec)
        self._role_of[sec] = role
        return sec

    def adopt(self, role: str, sec) -> None:
        """Keep a section created elsewhere (e.g. by Import3d) under ``role``."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; choose one of {ROLES}")
        self._roles.setdefault(role, []).append(sec)
        self._role_of[sec] = role

    def apply_membrane(self, sec, membrane: Membrane, role: str | None = None) -> None:
        """Insert ``membrane``'s mechanisms into ``sec`` and set their parameters."""
        for name in membrane.mechanisms:
            sec.insert(name)
        sec.cm = membrane.cm_uF_cm2
        leak = membrane.leak
        hcn = membrane.hcn
        for seg in sec:
            seg.cm_leak.pk = leak.pk_cm_s
            seg.cm_leak.pna = leak.pna_cm_s
            seg.cm_leak.pcl = leak.pcl_cm_s
            if membrane.pas_g_S_cm2 > 0:
                seg.pas.g = membrane.pas_g_S_cm2
                seg.pas.e = membrane.pas_e_mV
            if membrane.kinetics is not None:
                na, k = KINETICS[membrane.kinetics]
                getattr(seg, na).gnabar = membrane.gnabar_S_cm2
                getattr(seg, k).gkbar = membrane.gkbar_S_cm2
                if membrane.kinetics == "ms96":
                    tadj = 1.0 if membrane.gbar_tadj else 0.0
                    getattr(seg, na).tadj_gbar = tadj
                    getattr(seg, k).tadj_gbar = tadj
            if hcn is not None:
                mech = seg.cm_hcn
                mech.pbar, mech.pnak = hcn.pbar_cm_s, hcn.pna_pk
                mech.vhalf, mech.k, mech.camp_shift = hcn.vhalf_mV, hcn.slope_mV, hcn.camp_shift_mV
                mech.taupeak, mech.ktau = hcn.taupeak_ms, hcn.ktau_mV
            if membrane.pump_imax_mA_cm2 is not None:
                seg.cm_nakpump.imax = membrane.pump_imax_mA_cm2
            if membrane.accumulation:
                seg.cm_accum.vs_um = membrane.vs_um
                seg.cm_accum.nai_init = self.ions.nai_mM
                seg.cm_accum.ki_init = self.ions.ki_mM
        if hcn is not None:
            h = hoc()
            h.q10_cm_hcn, h.tref_cm_hcn = hcn.q10, hcn.tref_degC
        self._apply_ions(sec, membrane)
        key = role or self.role_of(sec)
        self._membrane.setdefault(key, membrane)

    def _apply_ions(self, sec, membrane: Membrane) -> None:
        """Per-segment concentrations; E from Nernst at init (or fixed); no reset from globals."""
        h = hoc()
        fixed = {"na": membrane.ena_mV, "k": membrane.ek_mV}
        for seg in sec:
            for ion in ("na", "k", "cl"):
                if hasattr(seg, f"{ion}i"):
                    setattr(seg, f"{ion}i", self.ions.inside(ion))
                    setattr(seg, f"{ion}o", self.ions.outside(ion))
        for ion in ("na", "k", "cl"):
            if not h.ismembrane(f"{ion}_ion", sec=sec):
                continue
            if fixed.get(ion) is not None:
                # A published model's fixed reversal: E is a parameter, never computed.
                h.ion_style(f"{ion}_ion", 1, 1, 0, 0, 0, sec=sec)
                for seg in sec:
                    setattr(seg, f"e{ion}", fixed[ion])
                continue
            dynamic = membrane.accumulation and ion in ("na", "k")
            # ion_style(c_style, e_style, einit, eadvance, cinit): concentrations are
            # per-segment parameters (or states under accumulation), E is computed from
            # them at initialisation (and every step when they move), never reset.
            h.ion_style(f"{ion}_ion", 3 if dynamic else 1, 2, 1, 1 if dynamic else 0, 0, sec=sec)

    def discretize(self, rule: Discretization) -> None:
        """Set every section's nseg by ``rule`` (re-applies its membrane parameters).

        Raises
        ------
        ValueError
            When a section would need more than :data:`NSEG_MAX` segments, NEURON's
            limit for one section; the message gives the longest section that fits.
        """
        for secs in self._roles.values():
            for sec in secs:
                cm = sec.cm
                n = rule.nseg(sec.L, sec.diam, sec.Ra, cm)
                if n > NSEG_MAX:
                    fits_um = sec.L * NSEG_MAX / n
                    raise ValueError(
                        f"{self.role_of(sec)} section {sec.name()} of {self.name} "
                        f"({sec.L:.6g} um long, {sec.diam:.4g} um wide) needs {n} segments by "
                        f"d_lambda {rule.d_lambda:g} at {rule.frequency_hz:g} Hz, more than "
                        f"NEURON's limit of {NSEG_MAX} per section: at most {fits_um:.6g} um "
                        "fits at this diameter (or coarsen the discretisation)")
                if n != sec.nseg:
                    self._set_nseg(sec, n)

    def _set_nseg(self, sec, n: int) -> None:
        # Range variables are copied to new segments by NEURON (piecewise constant),
        # and per-segment ion concentrations are re-applied.
        sec.nseg = n
        membrane = self._membrane.get(self.role_of(sec))
        if membrane is not None:
            self._apply_ions(sec, membrane)

    def cached_rest(self) -> float | None:
        """Resting potential found by ``protocols.rest_mV``, if already computed."""
        return self._rest

    def cache_rest(self, v_mV: float) -> float:
        """Remember the resting potential (used by ``protocols.rest_mV``)."""
        self._rest = v_mV
        return v_mV

    def forget_rest(self) -> None:
        """Drop the cached resting potential (after changing mechanisms by hand)."""
        self._rest = None

    # ----------------------------------------------------------------- access
    @property
    def roles(self) -> dict[str, list]:
        """Role -> list of sections (a copy of the mapping; the sections themselves)."""
        return {role: list(secs) for role, secs in self._roles.items()}

    def sections(self, role: str | None = None) -> list:
        """All sections, or those of ``role``."""
        if role is None:
            return [sec for secs in self._roles.values() for sec in secs]
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; choose one of {ROLES}")
        return list(self._roles.get(role, []))

    def role_of(self, sec) -> str:
        """Role of a section of this cell."""
        if sec in self._role_of:
            return self._role_of[sec]
        for role, secs in self._roles.items():
            if any(sec == s for s in secs):
                return role
        raise ValueError(f"section {sec.name()} does not belong to cell {self.name}")

    def membrane(self, role: str) -> Membrane:
        """The membrane description applied to ``role``."""
        return self._membrane[role]

    def segments(self, role: str | None = None) -> Iterator[tuple[str, object, object]]:
        """Yield ``(role, section, segment)`` for every segment."""
        roles = [role] if role else list(self._roles)
        for r in roles:
            for sec in self._roles.get(r, []):
                for seg in sec:
                    yield r, sec, seg

    def area_um2(self, role: str | None = None) -> float:
        """Total membrane area (um2) of ``role`` or of the whole cell."""
        return float(sum(seg.area() for _, _, seg in self.segments(role)))

    def nseg_total(self) -> int:
        """Number of segments in the cell."""
        return sum(sec.nseg for sec in self.sections())

    def segment_table(self):
        """Per-segment geometry as a pandas table (role, section, x, area_um2, diam_um)."""
        import pandas as pd

        h = hoc()
        rows = []
        for role, sec, seg in self.segments():
            rows.append({
                "role": role, "section": sec.name(), "x": seg.x,
                "distance_um": h.distance(self.origin(), seg) if self.origin() else np.nan,
                "area_um2": seg.area(), "diam_um": seg.diam, "length_um": sec.L / sec.nseg,
            })
        return pd.DataFrame(rows)

    def origin(self):
        """Segment distances are measured from here (first soma, else first section, x=0)."""
        secs = self.sections("soma") or self.sections()
        return secs[0](0.5 if self.sections("soma") else 0.0) if secs else None

    def delete(self) -> None:
        """Remove all of this cell's sections from NEURON."""
        h = hoc()
        for secs in self._roles.values():
            for sec in secs:
                try:
                    h.delete_section(sec=sec)
                except Exception:  # already deleted
                    pass
        self._roles.clear()
        self._role_of.clear()

    def __repr__(self) -> str:
        counts = ", ".join(f"{role}={len(secs)}" for role, secs in self._roles.items())
        return f"<{type(self).__name__} {self.name}: {counts}>"


def build_guard(cell: Cell):
    """Context manager: delete the cell's sections if building it raises."""
    from contextlib import contextmanager

    @contextmanager
    def guard():
        try:
            yield cell
        except BaseException:
            cell.delete()
            raise

    return guard()
