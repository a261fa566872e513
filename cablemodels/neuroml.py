"""Cells to NeuroML2: morphology, passive properties and channel densities.

:func:`to_neuroml` reads a :class:`~cablemodels.cell.Cell`'s live NEURON sections
(as :mod:`cablemodels.hocio` does) and returns a libNeuroML document holding one
``<cell>``; :func:`export_neuroml` writes it to a ``.cell.nml`` file. libNeuroML is
an optional dependency: ``pip install 'cablemodels[neuroml]'``.

What translates
---------------
- **Morphology.** One NeuroML segment per pair of consecutive 3-D points for sections
  that have them (SWC cells), else one per NEURON segment, laid along the x axis from
  the parent's connection point with the segment's diameter. Every NEURON section
  becomes a segment group named after its role and index (``node_5``) carrying
  ``numberInternalDivisions`` = ``nseg``; each role becomes a group (``soma_group``,
  ``dendrite_group``, ``axon_group``, ``node_group``, ``paranode_group``,
  ``internode_group``) including its sections.
- **Passive properties.** ``cm`` as ``specificCapacitance`` and ``Ra`` as
  ``resistivity``, per section; NEURON's ``pas`` as a ``channelDensity`` of a passive
  channel (``ionChannelPassive``), which is exactly what ``pas`` is.
- **Channel densities.** Each ``cm_na_*`` / ``cm_k_*`` conductance as a
  ``channelDensity`` (``gnabar``/``gkbar`` in S/cm2) with the Nernst reversal of the
  section's concentrations at the cell's temperature; ``cm_leak`` as one
  ``channelDensityGHK`` per ion with a non-zero permeability (cm/s).

What does not translate, and what we chose
------------------------------------------
- **Channel kinetics.** The ``ionChannel`` elements are *named stubs*: their id is the
  mechanism's NMODL suffix (``cm_na_wb``) and their ``notes`` say which ``.mod`` file
  holds the kinetics and their source. We did not rewrite the gating as NeuroML
  ``ionChannelHH`` rate forms: cm_na_wb's instantaneous activation, the Q10 rules and the
  ``vshift`` of MS96 would each need a hand translation that nothing here validates
  against the original. A NeuroML simulator given this file would treat the stubs as
  ungated channels, so the document describes the model; it does not run it. Supply the
  kinetics (or NEURON with our mechanisms) to simulate.
- **GHK leak.** ``channelDensityGHK`` carries the permeabilities, but NeuroML needs a
  concentration model per ion species to evaluate GHK; none is written (ours are fixed
  per-segment concentrations, listed in the cell's ``notes``).
- **Resting potential and spike threshold.** NeuroML requires both: ``initMembPotential``
  is the cell's rest found by :func:`cablemodels.protocols.rest_mV` (run if not cached),
  ``spikeThresh`` is :data:`cablemodels.protocols.SPIKE_THRESHOLD_MV` (-20 mV), the
  crossing our protocols time spikes by.
- **Charge counters** (``qna``, ``qk``, ``qcl``), the spike-peak tracker ``cm_vmax`` and
  the pump's ATP counter are measurement devices, not membrane physics: left out.
- **Na+/K+ pump** (``cm_nakpump``), **HCN** (``cm_hcn``), **ion accumulation**
  (``cm_accum``, ``cm_ecshell``) and NEURON's ``hh`` have no faithful NeuroML form here:
  a cell carrying one raises :class:`NeuroMLExportError` naming it, unless
  ``skip=("cm_nakpump", ...)`` is passed, in which case the skipped mechanisms are
  listed in the cell's ``notes`` and logged.
- **GLOBAL parameters** (Q10s, reference temperatures of the rate data) belong to the
  kinetics and stay in the ``.mod`` files; they are not written.
- **Variation within a section.** One value per section is written; a section whose
  ``cm``, channel density or concentrations differ between its segments raises.
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path
from typing import Iterable

from . import __version__, mechanisms
from .biophysics import thermal_voltage_mV
from .cell import ROLES, Cell, hoc

logger = logging.getLogger(__name__)

#: Mechanisms that are measurement devices (no membrane current): always left out.
MEASUREMENT_ONLY = ("cm_vmax",)
#: Mechanisms with no NeuroML form here: raise unless passed in ``skip``.
UNTRANSLATED = ("cm_hcn", "cm_nakpump", "cm_accum", "cm_ecshell", "hh")
#: Conductance-based channels: mechanism -> (ion, conductance parameter).
CONDUCTANCES = {
    "cm_na_hh": ("na", "gnabar"), "cm_k_hh": ("k", "gkbar"),
    "cm_na_wb": ("na", "gnabar"), "cm_k_wb": ("k", "gkbar"),
    "cm_na_ms96": ("na", "gnabar"), "cm_k_ms96": ("k", "gkbar"),
}
#: NeuroML's conventional group names for the three classic roles.
GROUP = {"soma": "soma_group", "dendrite": "dendrite_group", "axon": "axon_group",
         "node": "node_group", "paranode": "paranode_group", "internode": "internode_group"}
_VALENCE = {"na": 1, "k": 1, "cl": -1}


class NeuroMLExportError(ValueError):
    """The cell has something cablemodels cannot write to NeuroML faithfully."""


def _libneuroml():
    try:
        import neuroml as nml
    except ImportError:
        raise ImportError("NeuroML export needs libNeuroML: pip install 'cablemodels[neuroml]'"
                          ) from None
    return nml


def _uniform(sec, getter, what: str) -> float:
    values = [float(getter(seg)) for seg in sec]
    if any(v != values[0] for v in values):
        raise NeuroMLExportError(f"{what} varies along section {sec.name()}; the NeuroML export "
                                 "writes one value per section")
    if not math.isfinite(values[0]):
        raise NeuroMLExportError(f"{what} of section {sec.name()} is {values[0]!r}")
    return values[0]


def _points(sec) -> list[tuple[float, float, float, float]]:
    """(x, y, z, diam) in um along ``sec``, each point once."""
    pts = [(sec.x3d(i), sec.y3d(i), sec.z3d(i), sec.diam3d(i)) for i in range(int(sec.n3d()))]
    out = []
    for p in pts:
        if not out or p[:3] != out[-1][:3]:
            out.append(p)
        else:  # a repeated point with a new diameter: keep the diameter change
            out[-1] = p
    return out


def _arc(points) -> list[float]:
    """Cumulative path length (um) at each point."""
    s = [0.0]
    for a, b in zip(points, points[1:]):
        s.append(s[-1] + math.dist(a[:3], b[:3]))
    return s


def to_neuroml(cell: Cell, cell_id: str | None = None, skip: Iterable[str] = ()):
    """``cell`` as a libNeuroML ``NeuroMLDocument`` holding one ``<cell>``.

    Parameters
    ----------
    cell
        A cell from a cablemodels builder, an SWC cell or a wrapped hoc cell.
    cell_id
        NeuroML id of the cell (letters, digits, ``_``); default the cell's name.
    skip
        Mechanisms from :data:`UNTRANSLATED` to leave out instead of raising; they are
        listed in the cell's ``notes``.

    Returns
    -------
    neuroml.NeuroMLDocument

    Notes
    -----
    The document's ``initMembPotential`` is the cell's resting potential: if
    :func:`cablemodels.protocols.rest_mV` has not found it yet, this runs it (a short
    simulation, which sets NEURON's run globals as every protocol does).

    Raises
    ------
    ImportError
        If libNeuroML is not installed.
    NeuroMLExportError
        A mechanism without a NeuroML form (not in ``skip``), a mechanism from outside
        cablemodels and NEURON's ``pas``, a parameter varying within a section, a
        section attached by its 1 end, or a section connected outside the cell.
    ValueError
        If ``cell_id`` is not a valid NeuroML id.
    """
    nml = _libneuroml()
    h = hoc()
    cell_id = cell_id or re.sub(r"\W", "_", cell.name)
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", cell_id):
        raise ValueError(f"cell_id {cell_id!r} is not a NeuroML id (letter or _, then "
                         "letters, digits or _)")
    skip = set(skip)
    bad_skip = skip - set(UNTRANSLATED)
    if bad_skip:
        raise ValueError(f"skip {sorted(bad_skip)}: only {UNTRANSLATED} can be skipped")

    named = [(sec, f"{role}_{i}", role) for role in ROLES
             for i, sec in enumerate(cell.sections(role))]
    if not named:
        raise NeuroMLExportError(f"cell {cell.name} has no sections")
    name_of = {sec: name for sec, name, _ in named}
    order = _tree_order([s for s in h.allsec() if s in name_of], name_of)
    role_of = {sec: role for sec, _, role in named}

    ours = set(mechanisms.mechanism_names())
    skipped: dict[str, list[str]] = {}
    for sec in order:
        for mech in sec.psection()["density_mechs"]:
            if mech in MEASUREMENT_ONLY or mech in CONDUCTANCES or mech in ("cm_leak", "pas"):
                continue
            if mech in skip:
                skipped.setdefault(mech, []).append(name_of[sec])
            elif mech in UNTRANSLATED:
                raise NeuroMLExportError(
                    f"section {name_of[sec]} of {cell.name} has {mech}, which has no NeuroML "
                    f"form in cablemodels' export; pass skip=({mech!r},) to leave it out "
                    "(it is then listed in the document's notes)")
            elif mech not in ours:
                raise NeuroMLExportError(
                    f"section {name_of[sec]} of {cell.name} has mechanism {mech!r}, which is "
                    "neither cablemodels' nor NEURON's pas")

    morph = nml.Morphology(id=f"{cell_id}_morphology")
    segments = {}      # section -> list of (segment id, arc start, arc end) in um
    next_id = 0
    for sec in order:
        name = name_of[sec]
        if sec.orientation() != 0.0:
            raise NeuroMLExportError(f"section {name} is attached by its 1 end; the NeuroML "
                                     "export needs sections attached by their 0 end")
        parent = sec.parentseg()
        if parent is not None and parent.sec not in segments:
            raise NeuroMLExportError(f"section {name} of {cell.name} is connected to "
                                     f"{parent.sec.name()}, which belongs to no role of the cell")
        points = _points(sec)
        if len(points) < 2:
            start = (0.0, 0.0, 0.0)
            if parent is not None:
                start = _position(morph, segments[parent.sec], parent.x)
            step = sec.L / sec.nseg
            points = []
            for k, seg in enumerate(sec):
                points.append((start[0] + k * step, start[1], start[2], seg.diam))
            points.append((start[0] + sec.L, start[1], start[2], list(sec)[-1].diam))
            # a cylinder per NEURON segment: the distal diameter equals the proximal one
            pairs = [(points[k][:3] + (points[k][3],), points[k + 1][:3] + (points[k][3],))
                     for k in range(sec.nseg)]
        else:
            pairs = list(zip(points, points[1:]))
        arc = _arc([p for p, _ in pairs] + [pairs[-1][1]])
        ids = []
        for k, (p, d) in enumerate(pairs):
            seg_nml = nml.Segment(id=next_id, name=f"{name}_{k}")
            seg_nml.proximal = nml.Point3DWithDiam(x=p[0], y=p[1], z=p[2], diameter=p[3])
            seg_nml.distal = nml.Point3DWithDiam(x=d[0], y=d[1], z=d[2], diameter=d[3])
            if k > 0:
                seg_nml.parent = nml.SegmentParent(segments=next_id - 1)
            elif parent is not None:
                pid, fraction = _parent_segment(segments[parent.sec], parent.x)
                seg_nml.parent = nml.SegmentParent(segments=pid, fraction_along=fraction)
            morph.segments.append(seg_nml)
            ids.append((next_id, arc[k], arc[k + 1]))
            next_id += 1
        segments[sec] = ids

    groups = []
    for sec in order:
        group = nml.SegmentGroup(id=name_of[sec], neuro_lex_id="sao864921383")  # "section"
        group.members = [nml.Member(segments=i) for i, _, _ in segments[sec]]
        group.properties = [nml.Property(tag="numberInternalDivisions", value=str(sec.nseg))]
        groups.append(group)
    for role in ROLES:
        secs = [s for s in order if role_of[s] == role]
        if secs:
            groups.append(nml.SegmentGroup(id=GROUP[role],
                                           includes=[nml.Include(segment_groups=name_of[s])
                                                     for s in secs]))
    morph.segment_groups = groups

    membrane = nml.MembraneProperties()
    intra = nml.IntracellularProperties()
    stubs: dict[str, object] = {}
    concentrations: dict[str, list[str]] = {}
    for sec in order:
        name = name_of[sec]
        membrane.specific_capacitances.append(nml.SpecificCapacitance(
            value=f"{_uniform(sec, lambda s: s.cm, 'cm')} uF_per_cm2", segment_groups=name))
        intra.resistivities.append(nml.Resistivity(value=f"{float(sec.Ra)} ohm_cm",
                                                   segment_groups=name))
        present = set(sec.psection()["density_mechs"])
        ions = {}
        for ion in ("na", "k", "cl"):
            if hoc().ismembrane(f"{ion}_ion", sec=sec):
                ions[ion] = (_uniform(sec, lambda s, i=ion: getattr(s, f"{i}i"), f"{ion}i"),
                             _uniform(sec, lambda s, i=ion: getattr(s, f"{i}o"), f"{ion}o"))
        if ions:
            text = ", ".join(f"{i}i {ci:g} mM, {i}o {co:g} mM" for i, (ci, co) in ions.items())
            concentrations.setdefault(text, []).append(name)
        for mech in sorted(present):
            if mech in CONDUCTANCES:
                ion, param = CONDUCTANCES[mech]
                g = _uniform(sec, lambda s, m=mech, p=param: getattr(getattr(s, m), p),
                             f"{param}_{mech}")
                ci, co = ions[ion]
                erev = thermal_voltage_mV(cell.temperature_degC) / _VALENCE[ion] * math.log(co / ci)
                membrane.channel_densities.append(nml.ChannelDensity(
                    id=f"{mech}_{name}", ion_channel=mech, cond_density=f"{g} S_per_cm2",
                    erev=f"{erev} mV", segment_groups=name, ion=ion))
                stubs.setdefault(mech, _stub(nml, mech, ion))
            elif mech == "cm_leak":
                for ion in ("na", "k", "cl"):
                    p = _uniform(sec, lambda s, i=ion: getattr(s.cm_leak, f"p{i}"), f"p{ion}_cm_leak")
                    if p > 0:
                        membrane.channel_density_ghks.append(nml.ChannelDensityGHK(
                            id=f"cm_leak_{ion}_{name}", ion_channel="cm_leak",
                            permeability=f"{p} cm_per_s", segment_groups=name, ion=ion))
                stubs.setdefault("cm_leak", _stub(nml, "cm_leak", "non_specific"))
            elif mech == "pas":
                g = _uniform(sec, lambda s: s.pas.g, "g_pas")
                e = _uniform(sec, lambda s: s.pas.e, "e_pas")
                membrane.channel_densities.append(nml.ChannelDensity(
                    id=f"pas_{name}", ion_channel="pas", cond_density=f"{g} S_per_cm2",
                    erev=f"{e} mV", segment_groups=name, ion="non_specific"))
                stubs.setdefault("pas", nml.IonChannel(
                    id="pas", type="ionChannelPassive",
                    notes="NEURON's pas: a passive, ungated channel."))
    morph.segment_groups.append(nml.SegmentGroup(
        id="all", includes=[nml.Include(segment_groups=name_of[s]) for s in order]))
    # NeuroML requires both: the resting potential found by protocols.rest_mV, and the
    # level at which a NeuroML simulator would count a spike (the threshold crossing our
    # protocols time spikes by).
    from .protocols import SPIKE_THRESHOLD_MV, rest_mV

    membrane.init_memb_potentials.append(nml.InitMembPotential(
        value=f"{rest_mV(cell)} mV", segment_groups="all"))
    membrane.spike_threshes.append(nml.SpikeThresh(value=f"{SPIKE_THRESHOLD_MV} mV",
                                                   segment_groups="all"))

    notes = [f"Exported by cablemodels {__version__} from cell {cell.name} ({cell.kind}), "
             f"built for {cell.temperature_degC:g} degC.",
             "Ion channels are named stubs: their kinetics are in cablemodels' NMODL files "
             "(see each channel's notes); this document describes the model, it does not run it.",
             "Fixed ion concentrations: " + "; ".join(
                 f"{text} in {'all sections' if len(secs) == len(order) else ', '.join(secs)}"
                 for text, secs in concentrations.items()) + "."
             if concentrations else "No ion concentrations."]
    if skipped:
        notes.append("Left out (no NeuroML form in cablemodels' export): " + "; ".join(
            f"{m} in {', '.join(secs)}" for m, secs in sorted(skipped.items())) + ".")
        logger.warning("NeuroML export of %s leaves out %s", cell.name, ", ".join(sorted(skipped)))
    nml_cell = nml.Cell(id=cell_id, morphology=morph, notes=" ".join(notes),
                        biophysical_properties=nml.BiophysicalProperties(
                            id=f"{cell_id}_biophysics", membrane_properties=membrane,
                            intracellular_properties=intra))
    doc = nml.NeuroMLDocument(id=cell_id)
    doc.ion_channel.extend(stubs.values())
    doc.cells.append(nml_cell)
    return doc


def _tree_order(sections: list, name_of: dict) -> list:
    """``sections`` with every parent before its children (depth first from the roots)."""
    roots = [s for s in sections if s.parentseg() is None or s.parentseg().sec not in name_of]
    order, stack = [], list(reversed(roots))
    while stack:
        sec = stack.pop()
        order.append(sec)
        stack.extend(reversed([c for c in sec.children() if c in name_of]))
    return order


def _stub(nml, mech: str, species: str):
    source = mechanisms.package_mod_dir() / f"{mech}.mod"
    title = ""
    if source.exists():
        match = re.search(r"^\s*TITLE\s+(.+)$", source.read_text(), re.M)
        title = f" ({match.group(1).strip()})" if match else ""
    return nml.IonChannel(
        id=mech, species=None if species == "non_specific" else species,
        notes=f"Stub for cablemodels' NMODL mechanism {mech}{title}: kinetics, sources and "
              f"temperature rules are in {mech}.mod (cablemodels/mod/). Not translated.")


def _parent_segment(ids, x: float) -> tuple[int, float]:
    """(NeuroML segment id, fraction along it) at arc fraction ``x`` of a section."""
    total = ids[-1][2]
    target = x * total
    for seg_id, a, b in ids:
        if target <= b or seg_id == ids[-1][0]:
            fraction = 0.0 if b == a else (target - a) / (b - a)
            return seg_id, min(max(fraction, 0.0), 1.0)
    raise AssertionError("unreachable")


def _position(morph, ids, x: float) -> tuple[float, float, float]:
    """3-D point (um) at arc fraction ``x`` of a section already written."""
    seg_id, fraction = _parent_segment(ids, x)
    seg = next(s for s in morph.segments if s.id == seg_id)
    p = seg.proximal
    d = seg.distal
    return tuple(float(getattr(p, c)) + fraction * (float(getattr(d, c)) - float(getattr(p, c)))
                 for c in "xyz")


def export_neuroml(cell: Cell, path: str | Path, cell_id: str | None = None,
                   skip: Iterable[str] = ()) -> Path:
    """Write :func:`to_neuroml` of ``cell`` to ``path`` (``.cell.nml`` by convention).

    Returns ``path``. The file is written only once the document is complete.

    Raises
    ------
    ImportError, NeuroMLExportError, ValueError
        As :func:`to_neuroml`; nothing is written then.
    OSError
        If ``path``'s folder does not exist or is not writable.
    """
    from neuroml.writers import NeuroMLWriter

    doc = to_neuroml(cell, cell_id, skip)
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    NeuroMLWriter.write(doc, str(tmp))
    tmp.replace(path)
    return path
