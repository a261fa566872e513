"""Energy audit of any NEURON model: the ions that crossed its membrane, and their ATP.

A model as its authors run it (a hoc file, a template, Python-built sections with
their own mechanisms) is audited without touching its mechanisms: the ion-total
counters (``cm_count_na``, ``_k``, ``_ca``; see :mod:`cablemodels.energy`) are
inserted in every section that has the ion, snapshots are taken by CVODE events
at the window's edges during the user's own run (fixed step or CVODE alike), and
the Na+, K+ and Ca2+ that crossed in the window are tabulated per segment and per
group, with ATP:

* Na+: ATP = Na+ ions / 3, the pump's stoichiometry (Skou 1957); the pump's own
  Na+ efflux (``cm_nakpump``) is kept out of the entry.
* Ca2+: ATP = Ca2+ ions x :data:`CA_ATP_PER_ION`, stated separately (``ca_atp``),
  never mixed into the Na+ figure.

Two ways to use it::

    session = audit.prepare(h.allsec(), window_ms=(100, 200))
    h.run()                               # the user's own simulation
    result = session.result()

    result = audit.audit(cell, run=h.run, window_ms=(100, 200),
                         groups={"soma": "soma*", "dendrites": ["dend*", "apic*"]})

Raw by default (what published counters integrate, e.g. Hallermann et al. 2012's
``charge.mod``); ``subtract_rest=True`` subtracts the resting flux measured over
``rest_ms`` just before the window, extrapolated over it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from . import parameters as P
from . import simulation as sim
from .biophysics import ELEMENTARY_CHARGE_C
from .cell import Cell, hoc
from .energy import NA_PER_ATP, IonCounters, _has_ion
from .hocio import _local_name, _pattern

#: ATP per Ca2+ ion removed (Attwell & Laughlin 2001 J Cereb Blood Flow Metab 21:1133:
#: Ca2+ extruded by Na+/Ca2+ exchange brings in 3 Na+, pumped out for 1 ATP).
CA_ATP_PER_ION = P.value("atp.per_ca_ion")


class AuditError(ValueError):
    """The model or the audit's arguments cannot give a measurement."""


@dataclass(frozen=True)
class Audit:
    """Ions that crossed a model's membrane in a time window, and their ATP.

    Attributes
    ----------
    segments : pandas.DataFrame
        One row per segment: ``group, section, x, area_um2, na_charge_C`` (Na+ that
        entered, pump excluded), ``k_charge_C`` (K+ that left, pump excluded),
        ``ca_charge_C`` (Ca2+ charge that entered), ``na_ions, atp`` (Na+ / 3),
        ``ca_atp`` (Ca2+ ions x :data:`CA_ATP_PER_ION`), ``atp_per_um2`` and
        ``peak_mV`` (highest voltage since initialisation).
    window_ms : tuple
        The window as requested, and ``window_actual_ms`` as the events fell
        (fixed step delivers them at the step that reaches them).
    subtract_rest : bool
    provenance : dict
    """

    segments: pd.DataFrame
    window_ms: tuple
    window_actual_ms: tuple
    subtract_rest: bool
    provenance: dict = field(repr=False)

    @property
    def atp(self) -> float:
        """ATP for the Na+ that entered in the window (Na+ / 3)."""
        return float(self.segments["atp"].sum())

    @property
    def ca_atp(self) -> float:
        """ATP for the Ca2+ that entered (stated separately)."""
        return float(self.segments["ca_atp"].sum())

    @property
    def na_charge_C(self) -> float:
        return float(self.segments["na_charge_C"].sum())

    def by_group(self) -> pd.DataFrame:
        """Sums per group: ``group, segments, area_um2, na_charge_C, k_charge_C,
        ca_charge_C, atp, ca_atp, atp_per_um2, atp_share``."""
        cols = ["area_um2", "na_charge_C", "k_charge_C", "ca_charge_C", "atp", "ca_atp"]
        g = self.segments.groupby("group", sort=False)
        out = g[cols].sum()
        out.insert(0, "segments", g.size())
        out["atp_per_um2"] = out["atp"] / out["area_um2"]
        total = out["atp"].sum()
        out["atp_share"] = out["atp"] / total if total else np.nan
        return out.reset_index()

    def table(self) -> str:
        """The per-group table as energy papers print it (plain text)."""
        g = self.by_group()
        lines = [f"window {self.window_ms[0]:g}-{self.window_ms[1]:g} ms"
                 f"{', resting flux subtracted' if self.subtract_rest else ', raw'}",
                 f"{'group':<16}{'segments':>9}{'area um2':>12}{'Na+ pC':>11}{'ATP':>12}"
                 f"{'ATP/um2':>11}{'share':>8}{'Ca2+ ATP':>11}"]
        for r in g.itertuples():
            lines.append(f"{r.group:<16}{r.segments:>9d}{r.area_um2:>12.4g}"
                         f"{r.na_charge_C * 1e12:>11.4g}{r.atp:>12.4g}{r.atp_per_um2:>11.4g}"
                         f"{r.atp_share:>8.1%}{r.ca_atp:>11.4g}")
        lines.append(f"{'total':<16}{len(self.segments):>9d}"
                     f"{self.segments['area_um2'].sum():>12.4g}{self.na_charge_C * 1e12:>11.4g}"
                     f"{self.atp:>12.4g}{self.atp / self.segments['area_um2'].sum():>11.4g}"
                     f"{'100.0%':>8}{self.ca_atp:>11.4g}")
        return "\n".join(lines)

    def to_csv(self, path) -> None:
        """Per-segment table as CSV (units in the column names)."""
        self.segments.to_csv(path, index=False)


def _sections_of(model) -> list:
    """Sections of a Cell, a hoc template instance, a SectionList, an iterable, or
    (None) every section in NEURON."""
    h = hoc()
    if model is None:
        return list(h.allsec())
    if isinstance(model, Cell):
        return model.sections()
    if hasattr(model, "hname") and model.hname() != "SectionList" and not hasattr(model, "nseg"):
        return [s for s in h.allsec() if s.cell() == model]
    if hasattr(model, "nseg"):  # one section
        return [model]
    return list(model)


def _group_patterns(groups) -> dict[str, list]:
    if groups is None:
        return {}
    out: dict[str, list] = {}
    for name, pats in (groups.items() if isinstance(groups, Mapping) else groups):
        pats = [pats] if isinstance(pats, str) else list(pats)
        if not pats:
            raise AuditError(f"group {name!r} has no pattern")
        out.setdefault(str(name), []).extend(_pattern(p) for p in pats)
    return out


def _default_group(local: str) -> str:
    """Without groups: the section's name without its index (``dend[3]`` -> ``dend``)."""
    return local.split("[", 1)[0]


def _groups_for(sections, groups, cell: Cell | None) -> list[str]:
    compiled = _group_patterns(groups)
    names, ambiguous = [], []
    for sec in sections:
        local = _local_name(sec)
        if compiled:
            hits = [g for g, pats in compiled.items() if any(p.match(local) for p in pats)]
            if len(hits) > 1:
                ambiguous.append(f"{local} ({', '.join(hits)})")
            names.append(hits[0] if hits else "other")
        elif cell is not None:
            names.append(cell.role_of(sec))
        else:
            names.append(_default_group(local))
    if ambiguous:
        raise AuditError(f"section(s) match two groups: {', '.join(ambiguous[:8])}")
    return names


def _check_window(window_ms, subtract_rest: bool, rest_ms: float) -> tuple[float, float]:
    try:
        t0, t1 = (float(t) for t in window_ms)
    except (TypeError, ValueError):
        raise AuditError(f"window_ms must be two times in ms (got {window_ms!r})") from None
    if not (np.isfinite(t0) and np.isfinite(t1) and 0 <= t0 < t1):
        raise AuditError(f"window {window_ms!r}: need 0 <= T0 < T1 (ms)")
    if subtract_rest and not (np.isfinite(rest_ms) and 0 < rest_ms <= t0):
        raise AuditError(f"subtracting rest needs {rest_ms} ms of rest before T0 = {t0} ms")
    return t0, t1


class AuditSession:
    """Counters inserted and window events armed; run the model, then :meth:`result`.

    Created by :func:`prepare`. The events are re-armed at every ``finitialize``
    (an ``FInitializeHandler``), so the user's own ``run()``, ``continuerun`` or
    ``psolve`` may be used. :meth:`result` ends the session: the handler and every
    reference to the model's sections are released (the counters stay inserted).
    """

    def __init__(self, sections, window_ms, groups=None, subtract_rest=False, rest_ms=5.0,
                 cell: Cell | None = None):
        h = hoc()
        if not sections:
            raise AuditError("no sections to audit: load or build the model first")
        self.window_ms = _check_window(window_ms, subtract_rest, rest_ms)
        self.subtract_rest, self.rest_ms = bool(subtract_rest), float(rest_ms)
        if not any(_has_ion(sec, "na") for sec in sections):
            raise AuditError("no section of the model carries Na+ (no na_ion): nothing to audit")
        names = _groups_for(sections, groups, cell)
        group_of = dict(zip(sections, names))
        self._segs = [(group_of[sec], sec, seg) for sec in sections for seg in sec]
        self.counters = IonCounters(self._segs)
        self._snaps: dict[str, tuple[float, np.ndarray]] = {}
        self._result: Audit | None = None
        self._handler = h.FInitializeHandler(1, self._arm)

    def close(self) -> None:
        """Release the handler and the model's sections (done by :meth:`result`)."""
        # the handler holds this session (and so the model's sections) from hoc, where
        # Python's garbage collector cannot see the cycle: release both
        self._handler, self._segs, self.counters = None, [], None

    def _arm(self):
        if self.counters is None:  # closed
            return
        h = hoc()
        self._snaps.clear()
        cvode = h.CVode()
        t0, t1 = self.window_ms
        times = {"t0": t0, "t1": t1}
        if self.subtract_rest:
            times["rest"] = t0 - self.rest_ms
        for key, t in times.items():
            cvode.event(t, lambda key=key: self._snap(key))

    def _snap(self, key):
        if self.counters is not None:
            self._snaps[key] = (float(hoc().t), self.counters.snapshot())

    def result(self) -> Audit:
        """The audit of the window just simulated.

        Raises
        ------
        AuditError
            When the run did not cover the window (the session is closed either way).
        """
        if self._result is not None:
            return self._result
        try:
            self._result = self._compute()
        finally:
            self.close()
        return self._result

    def _compute(self) -> Audit:
        h = hoc()
        needed = ["t0", "t1"] + (["rest"] if self.subtract_rest else [])
        missing = [k for k in needed if k not in self._snaps]
        if missing:
            raise AuditError(f"the window {self.window_ms[0]:g}-{self.window_ms[1]:g} ms was not "
                             f"covered: the run stopped at t = {h.t:g} ms (tstop {h.tstop:g}); "
                             "run longer or choose a window inside the run")
        (ta, qa), (tb, qb) = self._snaps["t0"], self._snaps["t1"]
        dq = qb - qa
        if self.subtract_rest:
            tr, qr = self._snaps["rest"]
            dq = dq - (qa - qr) / (ta - tr) * (tb - ta)
        # + 0.0: no -0 where a section has no such ion
        na = -(dq[:, 0] - dq[:, 2]) + 0.0
        k_out = dq[:, 3] - dq[:, 4] + 0.0
        ca = -dq[:, 5] + 0.0
        peaks, _ = self.counters.peaks()
        rows = []
        for i, (group, sec, seg) in enumerate(self._segs):
            area = seg.area()
            atp = na[i] / ELEMENTARY_CHARGE_C / NA_PER_ATP
            rows.append({"group": group, "section": sec.name(), "x": seg.x, "area_um2": area,
                         "na_charge_C": na[i], "k_charge_C": k_out[i], "ca_charge_C": ca[i],
                         "na_ions": na[i] / ELEMENTARY_CHARGE_C, "atp": atp,
                         "ca_atp": ca[i] / (2 * ELEMENTARY_CHARGE_C) * CA_ATP_PER_ION,
                         "atp_per_um2": atp / area if area > 0 else np.nan,
                         "peak_mV": peaks[i]})
        frame = pd.DataFrame(rows)
        if not np.isfinite(frame[["na_charge_C", "k_charge_C", "ca_charge_C"]].to_numpy()).all():
            raise AuditError("the counters hold non-finite charges: the simulation diverged")
        return Audit(frame, self.window_ms, (ta, tb), self.subtract_rest,
                     sim.provenance(window_ms=list(self.window_ms),
                                    subtract_rest=self.subtract_rest, rest_ms=self.rest_ms,
                                    celsius_degC=float(h.celsius),
                                    cvode=bool(h.CVode().active()), dt_ms=float(h.dt)))


def prepare(model=None, window_ms=(0.0, 1.0), groups=None, subtract_rest: bool = False,
            rest_ms: float = 5.0) -> AuditSession:
    """Insert the counters into ``model`` and arm the window; run, then ``.result()``.

    Parameters
    ----------
    model
        A :class:`Cell`, a hoc template instance, a ``SectionList``, an iterable of
        sections, one section, or None for every section in NEURON.
    window_ms : (float, float)
        T0 and T1 (ms) of the user's run.
    groups : mapping, optional
        Group name -> shell-style pattern(s) on section names without the instance
        prefix (as :func:`hocio.wrap_hoc`: ``*`` and ``?``, brackets literal, so
        ``axon[0]`` is that section and ``apic*`` all apical ones). Patterns of a
        group add up; sections matching no group are "other"; a section matching
        two groups is an error. Default: a Cell's roles, else section base names.
    subtract_rest : bool
        Subtract the resting flux of the ``rest_ms`` before T0.

    Raises
    ------
    AuditError
        No sections, no Na+, a bad window, a section in two groups.
    """
    cell = model if isinstance(model, Cell) else None
    return AuditSession(_sections_of(model), window_ms, groups, subtract_rest, rest_ms, cell)


def audit(model=None, run: Callable[[], object] | None = None, window_ms=(0.0, 1.0),
          groups=None, subtract_rest: bool = False, rest_ms: float = 5.0) -> Audit:
    """Audit ``model`` over ``window_ms`` of the run ``run()`` does (default: NEURON's
    standard ``run()``). See :func:`prepare` for the arguments."""
    session = prepare(model, window_ms, groups, subtract_rest, rest_ms)
    if run is None:
        h = hoc()
        h.load_file("stdrun.hoc")
        run = h.run
    run()
    return session.result()


def group_patterns_from_args(specs: Iterable[str]) -> dict[str, list[str]]:
    """``NAME=PATTERN`` strings (repeatable; patterns of one name add up) as a mapping."""
    out: dict[str, list[str]] = {}
    for spec in specs:
        name, sep, pattern = spec.partition("=")
        if not sep or not name.strip() or not pattern.strip():
            raise AuditError(f"--group {spec!r}: write NAME=PATTERN, e.g. soma='soma*'")
        out.setdefault(name.strip(), []).append(pattern.strip())
    return out



@contextlib.contextmanager
def _neuron_messages():
    """Capture what NEURON prints to stderr (file descriptor 2) while the block runs;
    yields a list that holds the text afterwards."""
    import sys

    captured: list[str] = []
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield captured
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            captured.append(tmp.read().decode("utf-8", "replace"))


def _load_mod_dir(mod_dir) -> None:
    """Compile ``mod_dir`` with the mechanism cache and load it beside ours."""
    from . import mechanisms

    folder = Path(mod_dir)
    if not folder.is_dir():
        raise AuditError(f"--mod-dir {folder}: no such folder")
    theirs = mechanisms.mechanism_names(folder)
    if not theirs:
        raise AuditError(f"--mod-dir {folder}: no .mod file defines a mechanism")
    mechanisms.load()
    taken = set(mechanisms.mechanism_names()) | mechanisms.neuron_mechanism_names()
    clash = sorted(set(theirs) & taken)
    if clash:
        raise AuditError(f"--mod-dir {folder}: mechanism name(s) {', '.join(clash)} already "
                         "exist (cablemodels' or NEURON's own); rename their SUFFIX")
    info = mechanisms.build(mod_dir=folder)  # raises MechanismBuildError with nrnivmodl's lines
    hoc().nrn_load_dll(str(info.library))


def load_hoc_files(files, mod_dir=None) -> None:
    """Load hoc files in order, each from its own folder (as ``nrniv file.hoc`` run there).

    Raises
    ------
    AuditError
        A missing file, or one NEURON cannot load (with NEURON's message and line).
    """
    h = hoc()
    h.load_file("stdrun.hoc")
    if mod_dir is not None:
        _load_mod_dir(mod_dir)
    for name in files:
        path = Path(name).resolve()
        if not path.is_file():
            raise AuditError(f"{name}: no such hoc file")
        here = os.getcwd()
        os.chdir(path.parent)
        try:
            with _neuron_messages() as messages:
                try:
                    ok = h.load_file(1, str(path))
                except RuntimeError:
                    ok = 0
        finally:
            os.chdir(here)
        if not ok:
            text = "".join(messages).strip()
            raise AuditError(f"{name}: NEURON could not load it:\n{text}")


def audit_files(files, window_ms, mod_dir=None, setup: Iterable[str] = (), run: bool = True,
                groups=None, subtract_rest: bool = False, rest_ms: float = 5.0) -> Audit:
    """What ``cablemodels audit`` does: load hoc ``files`` (and ``mod_dir``), arm the audit
    on every section, execute the ``setup`` hoc statements, run NEURON's standard
    ``run()`` unless ``run`` is False (then a setup statement must run the model), and
    return the audit of ``window_ms``.

    Raises
    ------
    AuditError
        Bad files, a hoc statement that fails (NEURON's message), no sections, a bad
        window or groups, a window the run did not cover.
    mechanisms.MechanismBuildError
        ``mod_dir`` does not compile (nrnivmodl's error lines).
    """
    h = hoc()
    load_hoc_files(files, mod_dir)
    session = prepare(None, window_ms, groups, subtract_rest, rest_ms)
    for statement in setup:
        with _neuron_messages() as messages:
            try:
                ok = h(statement)
            except RuntimeError:
                ok = 0
        if not ok:
            session.close()
            raise AuditError(f"--setup {statement!r} failed:\n{''.join(messages).strip()}")
    if run:
        h.run()
    return session.result()
