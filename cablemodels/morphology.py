"""SWC morphologies: validated reading, then NEURON's Import3d builds the sections.

:func:`read_swc` checks a file in one linear pass and raises a ``ValueError``
naming the file, the line and the fix for anything it cannot build faithfully.
Where the file has a known, harmless irregularity it is handled and reported
with an :class:`SwcWarning` that names the file and lines:

* parents listed after their children: points are reordered parent-first (the
  format of Cannon et al. 1998, J Neurosci Methods 84:49, lists parents first;
  MorphIO and NeuroM read such files too);
* ids that are not 1..N (gaps, 0-based, 20 digits): renumbered 1..N in the copy
  given to Import3d, silently (its reader indexes a vector by id: a 20-digit id
  crashed it); messages keep the file's ids and lines;
* a neurite section of zero length (all its points on its parent point, or a
  single point on the soma): removed, its children still start where they did
  (from the soma, each child starts with a copy of the removed branch point, as
  MorphIO's sections do); no membrane is lost, a zero-length section has none;
* a soma of several points (not NeuroMorpho.org's three-point sphere): Import3d
  makes the step from a soma point to a neurite's first point part of that
  neurite (NeuroM and MorphIO leave it out); accepted, with a warning giving the
  length and lines;
* comment text that is not UTF-8: ignored, as comments are.

Refused with a ``ValueError``: malformed lines, fields that are not plain ASCII
numbers (``nan``, ``inf``, ``1_000``, ``1.0`` as an id), coordinates beyond
:data:`MAX_COORD_UM`, radii not in (0, :data:`MAX_RADIUS_UM`] except a radius of 0
at a neurite tip (at a zero diameter NEURON's axial resistance is near-infinite,
4.5e14 MOhm for a 10 um cone's last half-segment: harmless at a tip, it would cut
off anything attached elsewhere), duplicated ids,
undefined parents, cycles, more than one root (disconnected trees or several
somata: Import3d would wire them to the soma centre, inventing cables), soma
points with a neurite parent, a branched soma, a neurite root of a single point
(Import3d would make it a sphere), SWC types without a role, and non-UTF-8
bytes in data fields.

Only the validated, renumbered copy is handed to Import3d
(``Import3d_SWC_read``), NEURON's standard reader, which creates the sections
with their 3D points. After building, the neurite length NEURON holds is compared
with the file's; a difference raises (nothing is dropped or invented silently).

SWC types map to roles: 1 soma, 2 axon, 3 and 4 dendrite. Other types (0
undefined, 5 and above custom) need a role: ``SwcParams(type_roles={8: "axon"})``,
or a header comment in the file itself, as in the shipped myelinated cell::

    # cablemodels type_roles: 7=internode 8=node

Sections are named ``<cell name>.<Import3d name>[<index>]``, e.g.
``pyramidal_myelinated3.apic[2]`` or ``pyramidal_myelinated3.dend_7[0]``: the cell
name is the file's stem plus the process-wide cell counter, the Import3d name
comes from the SWC type (soma, axon, dend, apic, dend_<type>), the index follows
a depth-first walk of the tree in the file's order. Building the same file in
the same order gives the same names in every run.
"""

from __future__ import annotations

import logging
import math
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import parameters as P
from .biophysics import Ions, Membrane
from .cell import ROLES, Cell, Discretization, build_guard, hoc

log = logging.getLogger(__name__)

#: Standard SWC structure type -> cablemodels role (Cannon et al. 1998).
SWC_ROLES = {1: "soma", 2: "axon", 3: "dendrite", 4: "dendrite"}
#: Header comment with which a file declares roles for its custom types.
ROLE_DIRECTIVE = "cablemodels type_roles:"
#: Largest accepted |coordinate|, um (1 m: far beyond any reconstructed neuron).
MAX_COORD_UM = 1e6
#: Largest accepted radius, um (1 cm: Aplysia's giant somata and squid giant axons
#: are below 1 mm in diameter).
MAX_RADIUS_UM = 1e4

_INT = re.compile(r"[+-]?[0-9]+\Z")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_COLUMNS = ["id", "type", "x_um", "y_um", "z_um", "radius_um", "parent", "line"]
_MAX_LISTED = 5
#: Longest integer field accepted (ids are renumbered, so any size up to this works).
_MAX_DIGITS = 100


class SwcWarning(UserWarning):
    """A file irregularity that was handled (what and where is in the message)."""


def shipped(name: str) -> Path:
    """Path of a morphology shipped with the package, e.g. ``shipped("ball_and_stick")``.

    Raises
    ------
    ValueError
        If no shipped morphology has that name (the message lists them).
    """
    here = Path(__file__).resolve().parent
    for folder in (here / "morphologies", here.parent / "morphologies"):
        path = folder / f"{name}.swc"
        if path.is_file():
            return path
    available = sorted(p.stem for f in (here / "morphologies", here.parent / "morphologies")
                       if f.is_dir() for p in f.glob("*.swc"))
    raise ValueError(f"no shipped morphology {name!r}; available: {available}")


def _lines(path: Path):
    """Yield ``(line number, data text, comment text)``; data must be UTF-8."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ValueError(f"SWC file {path} cannot be read: {err.strerror}") from None
    for lineno, line in enumerate(raw.splitlines(), start=1):
        data, _, comment = line.partition(b"#")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ValueError(f"line {lineno} of {path.name}: not UTF-8 text (byte "
                             f"0x{data[err.start]:02X} at column {err.start + 1}); "
                             "save the file as UTF-8 or ASCII") from None
        try:
            note = comment.decode("utf-8")
        except UnicodeDecodeError:
            warnings.warn(f"line {lineno} of {path.name}: comment is not UTF-8 text; "
                          "ignored like every comment", SwcWarning, stacklevel=4)
            note = ""
        yield lineno, text, note


def _directive(note: str, where: str) -> dict[int, str]:
    """Roles declared by a ``# cablemodels type_roles: 7=internode 8=node`` comment."""
    roles = {}
    for item in note.split(ROLE_DIRECTIVE, 1)[1].split():
        kind, _, role = item.partition("=")
        if not _INT.match(kind) or not role:
            raise ValueError(f"{where}: {ROLE_DIRECTIVE} expects TYPE=ROLE items, got {item!r}")
        roles[int(kind)] = role
    return roles


def _check_type_roles(type_roles: dict, where: str) -> dict[int, str]:
    """Validated copy of a type -> role mapping."""
    checked = {}
    for kind, role in dict(type_roles).items():
        if isinstance(kind, bool) or not isinstance(kind, int) or kind < 0:
            raise ValueError(f"{where}: SWC types are integers >= 0 (got {kind!r})")
        if kind == 1 or role == "soma":
            raise ValueError(f"{where}: type 1 is always the soma and no other type can be "
                             f"(got {kind!r}: {role!r})")
        if role not in ROLES:
            raise ValueError(f"{where}: role {role!r} for type {kind} is not one of "
                             f"{[r for r in ROLES if r != 'soma']}")
        checked[kind] = role
    return checked


def _parse(path: Path):
    """Rows and file-declared roles of an SWC file, each field checked."""
    rows, seen, declared = [], {}, {}
    for lineno, text, note in _lines(path):
        where = f"line {lineno} of {path.name}"
        if ROLE_DIRECTIVE in note:
            declared.update(_directive(note, where))
        fields = text.split()
        if not fields:
            continue
        if len(fields) != 7:
            raise ValueError(f"{where}: expected 7 fields (id type x y z radius parent), "
                             f"got {len(fields)}: {text.strip()[:80]!r}")
        bad = [name for name, tok in zip(("id", "type", "parent"), fields[0:2] + fields[6:7])
               if not _INT.match(tok)]
        bad += [name for name, tok in zip(("x", "y", "z", "radius"), fields[2:6])
                if not _FLOAT.match(tok)]
        if bad:
            raise ValueError(f"{where}: non-numeric field ({', '.join(bad)}: integers for id, "
                             f"type and parent, decimal numbers otherwise) in "
                             f"{text.strip()[:80]!r}")
        long = [name for name, tok in zip(("id", "type", "parent"), fields[0:2] + fields[6:7])
                if len(tok) > _MAX_DIGITS]
        if long:
            raise ValueError(f"{where}: {', '.join(long)} longer than {_MAX_DIGITS} digits")
        ident, kind, parent = int(fields[0]), int(fields[1]), int(fields[6])
        x, y, z, r = (float(v) for v in fields[2:6])
        if ident < 0:
            raise ValueError(f"{where}: id must be >= 0 (got {ident})")
        if kind < 0:
            raise ValueError(f"{where}: type must be >= 0 (got {kind}) at id {ident}")
        if parent < -1:
            raise ValueError(f"{where}: parent must be -1 (root) or an id (got {parent})")
        for axis, value in zip("xyz", (x, y, z)):
            if not abs(value) <= MAX_COORD_UM:
                raise ValueError(f"{where}: {axis} = {fields['xyz'.index(axis) + 2]} um is not a "
                                 f"finite coordinate within +-{MAX_COORD_UM:g} um at id {ident}")
        if not 0 <= r <= MAX_RADIUS_UM:
            raise ValueError(f"{where}: radius must be > 0 and <= {MAX_RADIUS_UM:g} um "
                             f"(got {fields[5]}) at id {ident}")
        if ident in seen:
            raise ValueError(f"{where}: id {ident} already defined on line {seen[ident]}")
        if parent == ident:
            raise ValueError(f"{where}: id {ident} is its own parent")
        seen[ident] = lineno
        rows.append((ident, kind, x, y, z, r, parent, lineno))
    return rows, declared


def _parent_first(rows, index: dict, path: Path) -> tuple[list[int], tuple | None]:
    """Row positions ordered so that every parent precedes its children.

    The file's own order where it already is one: each point not yet placed is
    placed right after its unplaced ancestors (linear time). Returns the order and
    the first row found before its parent (None when the file is parent-first).

    Raises
    ------
    ValueError
        If a point's chain of parents loops (naming its line).
    """
    state = [0] * len(rows)  # 0 unplaced, 1 on the chain being walked, 2 placed
    order, late = [], None
    for i in range(len(rows)):
        chain, j = [], i
        while j is not None and state[j] == 0:
            state[j] = 1
            chain.append(j)
            parent = rows[j][6]
            j = index[parent] if parent != -1 else None
        if j is not None and state[j] == 1:
            row = rows[j]
            raise ValueError(f"line {row[7]} of {path.name}: id {row[0]} is on a cycle of "
                             "parents and never reaches the root")
        for k in chain:
            state[k] = 2
        if len(chain) > 1 and late is None:
            late = rows[chain[0]]
        order.extend(reversed(chain))
    return order, late


def read_swc(path, require_soma: bool = True, type_roles: dict | None = None) -> pd.DataFrame:
    """Parse and validate an SWC file (linear in its number of points).

    Parameters
    ----------
    path : str or Path
    require_soma : bool
        Refuse a file without a soma point (type 1).
    type_roles : dict, optional
        SWC type -> role for types other than 1-4, e.g. ``{8: "axon"}``; overrides
        roles declared in the file's ``# cablemodels type_roles:`` comment.

    Returns
    -------
    pandas.DataFrame
        Columns ``id, type, x_um, y_um, z_um, radius_um, parent, line``, parents
        before children (the file's order when it already is one);
        ``frame.attrs["roles"]`` maps each SWC type to its role.

    Raises
    ------
    ValueError
        Naming the file and line: missing file, non-UTF-8 data, wrong field count,
        non-numeric or non-finite field, coordinate or radius out of range, negative
        id or type, duplicated id, parent not defined, a cycle, no root or more
        than one (several trees or somata), a soma point with a neurite parent, an
        SWC type without a role, or (with ``require_soma``) no soma point.

    Warns
    -----
    SwcWarning
        Parents listed after children (reordered) or comments that are not UTF-8.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"SWC file {path} does not exist")
    rows, declared = _parse(path)
    if not rows:
        raise ValueError(f"{path.name}: no points")
    roles = dict(SWC_ROLES)
    roles.update(_check_type_roles(declared, f"{path.name} ({ROLE_DIRECTIVE})"))
    roles.update(_check_type_roles(type_roles or {}, "SwcParams.type_roles"))
    index = {row[0]: i for i, row in enumerate(rows)}
    for row in rows:
        if row[6] != -1 and row[6] not in index:
            raise ValueError(f"line {row[7]} of {path.name}: parent {row[6]} of id {row[0]} "
                             "is not defined")
    roots = [row for row in rows if row[6] == -1]
    if not roots:
        raise ValueError(f"{path.name}: no root point (parent -1); the parents form a cycle")
    if len(roots) > 1:
        somata = sum(row[1] == 1 for row in roots)
        what = f"{somata} somata" if somata > 1 else f"{len(roots)} separate trees"
        lines = ", ".join(str(row[7]) for row in roots[:_MAX_LISTED])
        raise ValueError(f"{path.name}: {what}: roots (parent -1) on lines {lines}"
                         f"{' ...' if len(roots) > _MAX_LISTED else ''}; one connected cell is "
                         "needed (Import3d would wire the others to the soma centre, inventing "
                         "cables): connect each tree to its parent point or remove it")
    order, late = _parent_first(rows, index, path)
    for row in rows:
        if row[1] == 1 and row[6] != -1:
            parent = rows[index[row[6]]]
            if parent[1] != 1:
                raise ValueError(f"line {row[7]} of {path.name}: soma point id {row[0]} has "
                                 f"parent id {parent[0]} of type {parent[1]} (line {parent[7]}); "
                                 "soma points must hang from the soma (type 1) or be the root")
    _check_zero_radii(rows, index, path)
    soma = [row for row in rows if row[1] == 1]
    soma_children = {}
    for row in soma:
        if row[6] != -1:
            soma_children.setdefault(row[6], []).append(row)
    for ident, kids in soma_children.items():
        if len(kids) > 1 and not _neuromorpho_soma(soma, kids, rows[index[ident]], rows):
            raise ValueError(f"line {kids[1][7]} of {path.name}: the soma branches at id {ident} "
                             f"(soma points on lines {', '.join(str(k[7]) for k in kids)} "
                             "share it); "
                             "only an unbranched soma or the three-point soma of NeuroMorpho.org "
                             "can be built: describe the soma as one chain of points")
    if require_soma and roots[0][1] != 1:
        raise ValueError(f"{path.name}: no soma point (type 1); pass require_soma=False "
                         "for a cell without one")
    first = {}
    for row in rows:
        first.setdefault(row[1], row[7])
    unknown = sorted(set(first) - set(roles))
    if unknown:
        where = ", ".join(f"type {k} first on line {first[k]}" for k in unknown)
        raise ValueError(f"{path.name}: SWC types without a role ({where}); standard types are "
                         f"{SWC_ROLES}; give the others roles, e.g. SwcParams(type_roles="
                         f"{{{unknown[0]}: 'dendrite'}}) or a '# {ROLE_DIRECTIVE} "
                         f"{unknown[0]}=axon' line in the file")
    if late is not None:
        warnings.warn(f"line {late[7]} of {path.name}: id {late[0]} is listed before its parent "
                      f"{late[6]} (line {rows[index[late[6]]][7]}); points reordered so that "
                      "parents come first", SwcWarning, stacklevel=2)
    frame = pd.DataFrame([rows[i] for i in order], columns=_COLUMNS)
    frame.attrs["roles"] = {kind: roles[kind] for kind in sorted(first)}
    return frame


def _check_zero_radii(rows, index: dict, path: Path) -> None:
    """A radius of 0 is accepted only at a neurite tip whose parent is a neurite point.

    There the section ends in a cone whose zero-area tip carries nothing. Anywhere
    else NEURON's near-infinite axial resistance at that point would cut off what
    hangs from it, and a soma needs a size.

    Raises
    ------
    ValueError
        Naming the first point with a radius of 0 elsewhere.
    """
    zero = [row for row in rows if row[5] == 0]
    if not zero:
        return
    has_child = {row[6] for row in rows}
    for row in zero:
        parent = rows[index[row[6]]] if row[6] != -1 else None
        if row[1] == 1 or row[0] in has_child or parent is None or parent[1] == 1:
            raise ValueError(f"line {row[7]} of {path.name}: radius must be > 0 and <= "
                             f"{MAX_RADIUS_UM:g} um (got 0) at id {row[0]}; 0 is accepted only "
                             "at a neurite tip (a point without children whose parent is a neurite "
                             "point)")


def _neuromorpho_soma(soma, kids, root, rows) -> bool:
    """Is this NeuroMorpho.org's three-point soma (a sphere for Import3d)?

    The root and two soma children with its radius, a diameter apart, nothing
    attached to the children (Import3d's ``neuromorph_3point_soma`` test).
    """
    if len(soma) != 3 or root[6] != -1 or len(kids) != 2:
        return False
    if any(row[6] in (kids[0][0], kids[1][0]) for row in rows):
        return False
    if any(k[5] != root[5] for k in kids):
        return False
    span = _distance(root, kids[0]) + _distance(root, kids[1])
    return abs(span / (2 * root[5]) - 1) < 0.01


def _distance(a, b) -> float:
    return math.sqrt((a[2] - b[2]) ** 2 + (a[3] - b[3]) ** 2 + (a[4] - b[4]) ** 2)


def _import3d_points(frame: pd.DataFrame, path: Path) -> tuple[list[tuple], float]:
    """Points for Import3d: depth-first, ids 1..N, zero-length neurite sections removed.

    A neurite section is a run of same-type points, each the only child of the one
    before; its length counts the step from a neurite parent (from the soma,
    Import3d connects by a wire of no membrane). A section of zero length is removed
    and its children attached to its parent point, with a warning; where that parent
    is the soma, each child starts with a copy of the removed section's last point,
    so the cable from the branch point to the child is kept (MorphIO's sections
    start the same way).

    Returns
    -------
    points : list of tuple
        ``(new id, type, x, y, z, radius, new parent, line)``.
    neurite_um : float
        Total neurite length the sections must have, um.
    steps : list of tuple
        ``(line, um)`` for each neurite starting away from its soma parent point:
        the step Import3d may count as neurite (see :func:`_check_length`).
    """
    rows = list(frame.itertuples(index=False, name=None))
    position = {row[0]: i for i, row in enumerate(rows)}
    children = [[] for _ in rows]
    for i, row in enumerate(rows):
        if row[6] != -1:
            children[position[row[6]]].append(i)
    parent = [position[row[6]] if row[6] != -1 else -1 for row in rows]
    effective = list(parent)
    dropped = [False] * len(rows)
    neurite_um = 0.0
    removed, steps = [], []
    # Runs start at neurite points whose parent is soma, a branch point or another type.
    starts = [i for i, row in enumerate(rows) if row[1] != 1 and (
        parent[i] == -1 or rows[parent[i]][1] != row[1] or len(children[parent[i]]) != 1)]
    for s in starts:  # parents precede children in ``rows``, so do run starts
        run, j = [s], s
        while len(children[j]) == 1 and rows[children[j][0]][1] == rows[s][1]:
            j = children[j][0]
            run.append(j)
        p = effective[s]
        if p == -1 and len(run) == 1:
            raise ValueError(f"line {rows[s][7]} of {path.name}: the root is a single neurite "
                             "point (no soma), which Import3d would turn into a sphere; "
                             "start the tree with a second point or a soma")
        length = sum(_distance(rows[a], rows[b]) for a, b in zip(run, run[1:]))
        if p != -1 and rows[p][1] != 1:
            length += _distance(rows[p], rows[s])
        if length == 0.0 and p != -1:
            removed.append((rows[s][7], rows[run[-1]][7]))
            for k in run:
                dropped[k] = True
            for c in children[run[-1]]:
                if rows[p][1] == 1:
                    # From the soma Import3d wires to a section's first point: the
                    # child keeps the removed branch point as its own first point.
                    end = rows[run[-1]]
                    rows.append((None, rows[c][1], *end[2:6], None, end[7]))
                    effective.append(p)
                    dropped.append(False)
                    effective[c] = len(rows) - 1
                    if _distance(rows[p], end) > 0:
                        steps.append((rows[c][7], _distance(rows[p], end)))
                else:
                    effective[c] = p
        else:
            neurite_um += length
            if p != -1 and rows[p][1] == 1 and _distance(rows[p], rows[s]) > 0:
                steps.append((rows[s][7], _distance(rows[p], rows[s])))
    if removed:
        where = "; ".join(f"lines {a}-{b}" if a != b else f"line {a}" for a, b in removed[:10])
        warnings.warn(f"{path.name}: {len(removed)} neurite section(s) of zero length "
                      f"(no membrane) removed, their children still start where they did: "
                      f"{where}{' ...' if len(removed) > 10 else ''}", SwcWarning, stacklevel=3)
    kept_children = [[] for _ in rows]
    root = None
    for i in range(len(rows)):
        if dropped[i]:
            continue
        if effective[i] == -1:
            root = i
        else:
            kept_children[effective[i]].append(i)
    points, new_id, stack = [], {}, [root]
    while stack:
        i = stack.pop()
        new_id[i] = len(points) + 1
        row = rows[i]
        points.append((new_id[i], row[1], row[2], row[3], row[4], row[5],
                       new_id[effective[i]] if effective[i] != -1 else -1, row[7]))
        stack.extend(reversed(kept_children[i]))
    return points, neurite_um, steps


def _check_length(path: Path, built_um: float, neurite_um: float, steps: list) -> None:
    """Compare the neurite length NEURON holds with the file's.

    From a single-point (or NeuroMorpho three-point) soma Import3d connects each
    neurite by a wire of no membrane; from a soma of several points it makes the
    step from the soma point to the neurite's first point part of the neurite
    (NeuroM and MorphIO leave it out). Any length between the two is accepted, the
    second with a warning; anything else means geometry was dropped or invented.

    Raises
    ------
    RuntimeError
        If ``built_um`` is outside that range (NEURON keeps 3-D points in single
        precision: 1e-5 relative is allowed).
    """
    tolerance = 1e-5 * (neurite_um + sum(um for _, um in steps)) + 1e-3
    extra = built_um - neurite_um
    if -tolerance <= extra <= sum(um for _, um in steps) + tolerance:
        if extra > tolerance:
            lines = ", ".join(str(line) for line, _ in steps[:_MAX_LISTED])
            warnings.warn(f"{path.name}: the soma has several points, and Import3d counts the "
                          f"step from a soma point to a neurite's first point as neurite membrane "
                          f"({extra:.4g} um in all; neurites starting on lines {lines}"
                          f"{' ...' if len(steps) > _MAX_LISTED else ''}); NeuroM and MorphIO "
                          "leave it out", SwcWarning, stacklevel=4)
        return
    raise RuntimeError(f"{path.name}: NEURON's Import3d built {built_um:.6g} um of neurite where "
                       f"the file has {neurite_um:.6g} um; please report this file to cablemodels")


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
    type_roles : dict
        SWC type -> role for types other than 1-4 (0 undefined, 5+ custom), e.g.
        ``{8: "axon"}``; overrides a ``# cablemodels type_roles:`` line in the file.
    g_ratio : float
        For internodes.
    require_soma : bool
        Refuse a file without a soma point.

    Raises
    ------
    ValueError
        At construction, for a role in ``membranes`` or ``type_roles`` that is not
        one of :data:`cablemodels.cell.ROLES`, or a ``type_roles`` key that is not an
        SWC type (an integer >= 0 other than 1).
    """

    path: str | Path
    membranes: dict = field(default_factory=dict)
    type_roles: dict = field(default_factory=dict)
    g_ratio: float = field(default_factory=lambda: P.value("myelin.g_ratio"))
    temperature_degC: float = field(default_factory=lambda: P.value("mammalian.temperature_degC"))
    ions: Ions = field(default_factory=lambda: Ions.preset("mammalian"))
    ra_ohm_cm: float = field(default_factory=lambda: P.value("ms96.ra_ohm_cm"))
    discretization: Discretization = field(default_factory=Discretization)
    require_soma: bool = True

    def __post_init__(self):
        if not isinstance(self.membranes, dict):
            raise ValueError(f"SwcParams.membranes must be a dict role -> Membrane "
                             f"(got {type(self.membranes).__name__})")
        for role, membrane in self.membranes.items():
            if role not in ROLES:
                raise ValueError(f"SwcParams.membranes: unknown role {role!r}; choose from "
                                 f"{ROLES}")
            if not isinstance(membrane, Membrane):
                raise ValueError(f"SwcParams.membranes[{role!r}] must be a Membrane "
                                 f"(got {type(membrane).__name__})")
        if not isinstance(self.type_roles, dict):
            raise ValueError(f"SwcParams.type_roles must be a dict SWC type -> role "
                             f"(got {type(self.type_roles).__name__})")
        _check_type_roles(self.type_roles, "SwcParams.type_roles")

    def membrane(self, role: str) -> Membrane:
        """The membrane for ``role`` (given or default).

        Raises
        ------
        ValueError
            For a role without a default (paranode) that ``membranes`` does not give.
        """
        if role in self.membranes:
            return self.membranes[role]
        if role == "dendrite":
            soma = self.membrane("soma")
            return soma.with_(kinetics=None, hcn=None)
        kind = {"soma": "soma", "axon": "axon", "node": "node"}.get(role)
        if kind is None:
            raise ValueError(f"no default membrane for role {role!r}: give one with "
                             f"SwcParams(membranes={{{role!r}: Membrane(...)}})")
        return Membrane.mammalian(kind, ions=self.ions, temperature_degC=self.temperature_degC)


class _Holder:
    """Import3d creates the sections as attributes of this object; NEURON names them
    ``str(holder) + "." + name``, so the holder's text is the cell's name."""

    def __init__(self, name: str):
        self._name = name

    def __str__(self) -> str:
        return self._name

    __repr__ = __str__


def _import3d_name(kind: int) -> str:
    """Import3d's array name for SWC type ``kind`` (its ``type2name``)."""
    return {1: "soma", 2: "axon", 3: "dend", 4: "apic"}.get(kind, f"dend_{kind}")


def _file_cell(kind: str, params: SwcParams, path: Path) -> Cell:
    """An empty Cell named after its morphology file: ``<stem><counter>``, with ``_``
    before the counter when the stem ends in a digit, the stem made an identifier."""
    stem = re.sub(r"\W", "_", path.stem.split(".")[0]) or kind
    if not stem[0].isalpha():
        stem = f"{kind}_{stem}"
    cell = Cell(kind, params, params.temperature_degC, params.ions)
    counter = cell.name[len(kind):]
    cell.name = f"{stem}_{counter}" if stem[-1].isdigit() else f"{stem}{counter}"
    return cell


def load_swc(params: SwcParams) -> Cell:
    """Validate ``params.path``, build it with Import3d, assign roles and membranes.

    Returns
    -------
    Cell
        Named after the file: ``<stem><counter>``, with ``_`` before the counter
        when the stem ends in a digit, and the stem made a valid identifier
        (``C010398B-P2.CNG.swc`` -> ``C010398B_P2_5``); sections named
        ``<cell name>.<soma|axon|dend|apic|dend_TYPE>[index]``.

    Raises
    ------
    ValueError
        For a file :func:`read_swc` refuses, or a role without a membrane.
    RuntimeError
        If the sections NEURON built do not hold the file's neurite length, or
        a section has no role (no section leaks: the cell is deleted first).

    Warns
    -----
    SwcWarning
        For each irregularity handled (see the module docstring).
    """
    path = Path(params.path)
    frame = read_swc(path, params.require_soma, params.type_roles)
    roles = frame.attrs["roles"]
    membranes = {role: params.membrane(role) for role in set(roles.values()) if role != "internode"}
    points, neurite_um, steps = _import3d_points(frame, path)
    h = hoc()
    h.load_file("import3d.hoc")
    cell = _file_cell("swc", params, path)
    with build_guard(cell), tempfile.TemporaryDirectory(prefix="cablemodels-swc-") as tmp:
        copy = Path(tmp) / "cell.swc"
        copy.write_text("".join(f"{p[0]} {p[1]} {p[2]!r} {p[3]!r} {p[4]!r} {p[5]!r} {p[6]}\n"
                                for p in points))
        holder = _Holder(cell.name)
        reader = h.Import3d_SWC_read()
        reader.quiet = 1
        reader.input(str(copy))
        gui = h.Import3d_GUI(reader, False)
        gui.instantiate(holder)
        built_um = 0.0
        for kind in sorted(roles):
            role = roles[kind]
            for sec in getattr(holder, _import3d_name(kind), []):
                cell.adopt(role, sec)
                if role != "soma":
                    built_um += sec.L
        if len(holder.all) != len(cell.sections()):
            raise RuntimeError(f"{path.name}: Import3d made {len(holder.all)} sections, of which "
                               f"{len(cell.sections())} have a role; please report this file")
        _check_length(path, built_um, neurite_um, steps)
        for role, secs in cell.roles.items():
            for sec in secs:
                sec.Ra = params.ra_ohm_cm
                membrane = membranes[role] if role != "internode" else \
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


#: Import3d's Neurolucida section arrays and the roles they get.
ASC_ROLES = {"soma": "soma", "axon": "axon", "dend": "dendrite", "apic": "dendrite"}


def load_asc(params: SwcParams) -> Cell:
    """A cell from a Neurolucida ASC tracing (``params.path`` ends in ``.asc``), read by
    NEURON's Import3d (``Import3d_Neurolucida3``), with roles and membranes as
    :func:`load_swc` gives them: soma, axon, dendrite (basal and apical).

    The SWC checks of :func:`read_swc` do not apply to ASC text; what Import3d builds is
    checked instead: every section it makes must have a role, and the cell must have a
    soma and neurites.

    Raises
    ------
    ValueError
        A file Import3d cannot read (its message, the file named), no soma, no neurites,
        or a section Import3d names outside soma/axon/dend/apic (nothing leaks).
    """
    from .cell import build_guard

    path = Path(params.path)
    if path.suffix.lower() != ".asc" or not path.is_file():
        raise ValueError(f"{path}: not a readable Neurolucida .asc file")
    h = hoc()
    h.load_file("import3d.hoc")
    cell = _file_cell("asc", params, path)
    with build_guard(cell):
        holder = _Holder(cell.name)
        reader = h.Import3d_Neurolucida3()
        reader.quiet = 1
        try:
            reader.input(str(path.resolve()))
            gui = h.Import3d_GUI(reader, False)
            gui.instantiate(holder)
        except RuntimeError as err:
            raise ValueError(f"{path}: Import3d could not read it ({err})") from None
        for name, role in ASC_ROLES.items():
            for sec in getattr(holder, name, []):
                cell.adopt(role, sec)
        all_secs = list(getattr(holder, "all", []))
        if len(all_secs) != len(cell.sections()):
            raise ValueError(f"{path}: Import3d made {len(all_secs)} sections, "
                             f"{len(cell.sections())} of them soma/axon/dend/apic")
        if not cell.sections("soma") or len(cell.sections()) == len(cell.sections("soma")):
            raise ValueError(f"{path}: needs a soma and neurites (found "
                             f"{ {r: len(s) for r, s in cell.roles.items()} })")
        for role, secs in cell.roles.items():
            membrane = params.membrane(role)
            for sec in secs:
                sec.Ra = params.ra_ohm_cm
                cell.apply_membrane(sec, membrane, role)
        cell.discretize(params.discretization)
    return cell
