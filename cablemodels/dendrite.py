"""Passive dendrites: cylinders and branched trees (including Rall 3/2-power trees)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import validation as V
from .biophysics import Ions, Membrane
from .cell import Cell, Discretization, build_guard


@dataclass(frozen=True)
class Branch:
    """A cylindrical branch and the branches that leave its far end."""

    length_um: float
    diameter_um: float
    children: tuple["Branch", ...] = ()

    def __post_init__(self):
        V.check(self, {"length_um": V.LENGTH_UM, "diameter_um": V.DIAMETER_UM,
                       "children": V.instance(tuple, list)})
        if not all(isinstance(c, Branch) for c in self.children):
            raise ValueError("Branch.children must be Branch instances")

    def count(self) -> int:
        """Branches in this subtree, itself included."""
        return 1 + sum(c.count() for c in self.children)

    def obeys_rall(self, rel: float = 1e-9) -> bool:
        """True when every branch point satisfies d_parent^3/2 = sum d_child^3/2."""
        if not self.children:
            return True
        lhs = self.diameter_um ** 1.5
        rhs = sum(c.diameter_um ** 1.5 for c in self.children)
        return abs(lhs - rhs) <= rel * lhs and all(c.obeys_rall(rel) for c in self.children)


def rall_tree(trunk_length_um: float, trunk_diameter_um: float, levels: int,
              n_children: int = 2) -> Branch:
    """A symmetric tree obeying Rall's 3/2-power rule (Rall 1959 Exp Neurol 1:491).

    Each daughter has diameter d_parent / n^(2/3), so d_parent^(3/2) = n d_child^(3/2),
    and length L_parent * sqrt(d_child / d_parent), so every branch adds the same
    electrotonic length L/lambda. With sealed terminals such a tree is equivalent
    to one cylinder of the trunk's diameter (:func:`equivalent_cylinder_length_um`).
    """
    if levels < 1 or int(levels) != levels:
        raise ValueError(f"levels must be an integer >= 1 (got {levels!r})")
    if n_children < 1:
        raise ValueError(f"n_children must be >= 1 (got {n_children!r})")

    def make(length, diameter, remaining):
        if remaining == 1:
            return Branch(length, diameter)
        child_d = diameter / n_children ** (2.0 / 3.0)
        child_l = length * math.sqrt(child_d / diameter)
        child = make(child_l, child_d, remaining - 1)
        return Branch(length, diameter, tuple(child for _ in range(n_children)))

    return make(trunk_length_um, trunk_diameter_um, levels)


def equivalent_cylinder_length_um(tree: Branch) -> float:
    """Physical length of the trunk-diameter cylinder equivalent to a 3/2-rule tree.

    Sums electrotonic lengths along one path (all paths are equal in a
    :func:`rall_tree`) and converts back at the trunk's length constant.
    """
    total = 0.0
    branch = tree
    while True:
        total += branch.length_um / math.sqrt(branch.diameter_um)
        if not branch.children:
            break
        branch = branch.children[0]
    return total * math.sqrt(tree.diameter_um)


@dataclass(frozen=True)
class DendriteParams:
    """A dendritic tree on its own (no soma), for cable-theory measurements."""

    tree: Branch
    membrane: Membrane
    temperature_degC: float = 37.0
    ions: Ions = field(default_factory=lambda: Ions.preset("mammalian"))
    ra_ohm_cm: float = 150.0
    discretization: Discretization = field(default_factory=Discretization)

    def __post_init__(self):
        V.check(self, {"tree": V.instance(Branch), "membrane": V.instance(Membrane),
                       "temperature_degC": V.TEMPERATURE_DEGC, "ions": V.instance(Ions),
                       "ra_ohm_cm": V.RA_OHM_CM, "discretization": V.instance(Discretization)})


def attach_tree(cell: Cell, tree: Branch, membrane: Membrane, ra_ohm_cm: float,
                parent_seg=None):
    """Create ``tree`` as sections of role ``dendrite``, connected to ``parent_seg``."""
    sec = cell.new_section("dendrite", tree.length_um, tree.diameter_um, ra_ohm_cm)
    cell.apply_membrane(sec, membrane, "dendrite")
    if parent_seg is not None:
        sec.connect(parent_seg, 0)
    for child in tree.children:
        attach_tree(cell, child, membrane, ra_ohm_cm, sec(1))
    return sec


def build_dendrite(params: DendriteParams) -> Cell:
    """The tree alone; its root is ``cell.sections('dendrite')[0](0)``."""
    cell = Cell("dendrite", params, params.temperature_degC, params.ions)
    with build_guard(cell):
        attach_tree(cell, params.tree, params.membrane, params.ra_ohm_cm)
        cell.discretize(params.discretization)
    return cell
