"""SWC morphologies: validated reading, then NEURON's Import3d builds the sections.

:func:`read_swc` checks the file line by line and raises a ``ValueError`` naming
the file, the line and the problem (non-numeric field, duplicated id, parent not
defined, cycle, non-positive radius, missing soma). Only a file that passes is
handed to Import3d (``Import3d_SWC_read``), NEURON's standard reader, which
creates the sections with their 3D points.

SWC types map to roles: 1 soma, 2 axon, 3 and 4 dendrite; the custom types 7
(myelinated internode) and 8 (node of Ranvier) are used by the morphologies
shipped in ``morphologies/`` (see its README).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import parameters as P
from .biophysics import Ions, Membrane
from .cell import Cell, Discretization, build_guard, hoc

#: SWC structure type -> cablemodels role.
SWC_ROLES = {1: "soma", 2: "axon", 3: "dendrite", 4: "dendrite", 7: "internode", 8: "node"}
_IMPORT3D_NAMES = {1: "soma", 2: "axon", 3: "dend", 4: "apic"}


def shipped(name: str) -> Path:
    """Path of a morphology shipped with the package, e.g. ``shipped("ball_and_stick")``."""
    here = Path(__file__).resolve().parent
    for folder in (here / "morphologies", here.parent / "morphologies"):
        path = folder / f"{name}.swc"
        if path.is_file():
            return path
    available = sorted(p.stem for f in (here / "morphologies", here.parent / "morphologies")
                       if f.is_dir() for p in f.glob("*.swc"))
    raise ValueError(f"no shipped morphology {name!r}; available: {available}")


def read_swc(path, require_soma: bool = True) -> pd.DataFrame:
    """Parse and validate an SWC file.

    Returns
    -------
    pandas.DataFrame
        Columns ``id, type, x_um, y_um, z_um, radius_um, parent, line``.

    Raises
    ------
    ValueError
        Naming the file and line: wrong field count, non-numeric field, duplicated
        id, non-positive or non-finite radius, parent not defined, a cycle, no root,
        or (with ``require_soma``) no soma point.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"SWC file {path} does not exist")
    rows = []
    seen = {}
    for lineno, raw in enumerate(path.read_text().splitlines(), start=1):
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        fields = text.split()
        where = f"line {lineno} of {path.name}"
        if len(fields) != 7:
            raise ValueError(f"{where}: expected 7 fields (id type x y z radius parent), "
                             f"got {len(fields)}: {raw.strip()!r}")
        try:
            ident, kind, parent = int(fields[0]), int(fields[1]), int(fields[6])
            x, y, z, r = (float(v) for v in fields[2:6])
        except ValueError:
            raise ValueError(f"{where}: non-numeric field in {raw.strip()!r}") from None
        if ident in seen:
            raise ValueError(f"{where}: id {ident} already defined on line {seen[ident]}")
        if not (r > 0 and r < float("inf")):
            raise ValueError(f"{where}: radius must be > 0 (got {fields[5]}) at id {ident}")
        if parent == ident:
            raise ValueError(f"{where}: id {ident} is its own parent")
        seen[ident] = lineno
        rows.append((ident, kind, x, y, z, r, parent, lineno))
    if not rows:
        raise ValueError(f"{path.name}: no points")
    frame = pd.DataFrame(rows, columns=["id", "type", "x_um", "y_um", "z_um", "radius_um",
                                        "parent", "line"])
    ids = set(frame["id"])
    roots = frame[frame["parent"] == -1]
    if roots.empty:
        raise ValueError(f"{path.name}: no root point (parent -1); the parents form a cycle")
    for row in frame.itertuples():
        if row.parent != -1 and row.parent not in ids:
            raise ValueError(f"line {row.line} of {path.name}: parent {row.parent} of id "
                             f"{row.id} is not defined")
    parent_of = dict(zip(frame["id"], frame["parent"]))
    for row in frame.itertuples():
        node, steps = row.id, 0
        while node != -1:
            node = parent_of[node]
            steps += 1
            if steps > len(parent_of):
                raise ValueError(f"line {row.line} of {path.name}: id {row.id} is on a cycle "
                                 "of parents and never reaches the root")
    if require_soma and not (frame["type"] == 1).any():
        raise ValueError(f"{path.name}: no soma point (type 1); pass require_soma=False "
                         "for a cell without one")
    unknown = sorted(set(frame["type"]) - set(SWC_ROLES) - {0})
    if unknown:
        raise ValueError(f"{path.name}: SWC types {unknown} have no role; known {SWC_ROLES}")
    return frame


@dataclass(frozen=True)
class SwcParams:
    """A cell from an SWC file.

    Attributes
    ----------
    path : str or Path
    membranes : dict
        Role -> Membrane. Missing roles get defaults: Wang & Buzsaki soma, axon and
        node membranes, passive dendrites (soma leak), and for internodes the soma's
        leak folded with myelin of ``g_ratio`` around each section's diameter.
    g_ratio : float
        For internodes (SWC type 7).
    """

    path: str | Path
    membranes: dict = field(default_factory=dict)
    g_ratio: float = field(default_factory=lambda: P.value("myelin.g_ratio"))
    temperature_degC: float = field(default_factory=lambda: P.value("mammalian.temperature_degC"))
    ions: Ions = field(default_factory=lambda: Ions.preset("mammalian"))
    ra_ohm_cm: float = field(default_factory=lambda: P.value("ms96.ra_ohm_cm"))
    discretization: Discretization = field(default_factory=Discretization)
    require_soma: bool = True

    def membrane(self, role: str) -> Membrane:
        """The membrane for ``role`` (given or default)."""
        if role in self.membranes:
            return self.membranes[role]
        if role == "dendrite":
            soma = self.membrane("soma")
            return soma.with_(kinetics=None, hcn=None)
        kind = {"soma": "soma", "axon": "axon", "node": "node"}.get(role)
        if kind is None:
            raise ValueError(f"no membrane for role {role!r}")
        return Membrane.mammalian(kind, ions=self.ions, temperature_degC=self.temperature_degC)


class _Holder:
    """Import3d instantiates sections as attributes of this object."""


def load_swc(params: SwcParams) -> Cell:
    """Validate ``params.path``, build it with Import3d, assign roles and membranes."""
    frame = read_swc(params.path, params.require_soma)
    h = hoc()
    h.load_file("import3d.hoc")
    cell = Cell("swc", params, params.temperature_degC, params.ions)
    with build_guard(cell):
        holder = _Holder()
        reader = h.Import3d_SWC_read()
        reader.quiet = 1
        reader.input(str(Path(params.path).resolve()))
        gui = h.Import3d_GUI(reader, False)
        gui.instantiate(holder)
        for kind in sorted(set(frame["type"]) - {0}):
            name = _IMPORT3D_NAMES.get(kind, f"dend_{kind}")
            role = SWC_ROLES[kind]
            for sec in getattr(holder, name, []):
                cell.adopt(role, sec)
                sec.Ra = params.ra_ohm_cm
                membrane = params.membrane(role) if role != "internode" else \
                    _internode_membrane(params, sec.diam)
                cell.apply_membrane(sec, membrane, role)
        cell.discretize(params.discretization)
    return cell


def _internode_membrane(params: SwcParams, diameter_um: float) -> Membrane:
    from .axon import MyelinatedAxonParams

    if "internode" in params.membranes:
        return params.membranes["internode"]
    myelin = MyelinatedAxonParams.mammalian(axon_diameter_um=diameter_um, g_ratio=params.g_ratio,
                                            ions=params.ions,
                                            temperature_degC=params.temperature_degC)
    return myelin.folded_internode()
