"""Somata of different sizes, alone or with dendrites (ball-and-stick and beyond).

The soma is a cylinder whose length equals its diameter: its membrane area,
pi d^2, is that of a sphere of the same diameter (NEURON's usual convention).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import parameters as P
from . import validation as V
from .biophysics import Ions, Membrane
from .cell import Cell, Discretization, build_guard
from .dendrite import Branch, attach_tree

#: Named soma sizes (table key of the cited diameter).
SOMA_PRESETS = {
    "granule": "soma.granule_diameter_um",
    "interneuron": "soma.interneuron_diameter_um",
    "pyramidal": "soma.pyramidal_diameter_um",
    "motoneuron": "soma.motoneuron_diameter_um",
}


@dataclass(frozen=True)
class NeuronParams:
    """A soma with optional dendritic trees attached to it.

    Attributes
    ----------
    soma_diameter_um : float
    membrane : Membrane
        Somatic membrane (default: Wang & Buzsaki 1996, excitable).
    dendrites : tuple of Branch
        Trees attached at the soma's far end (x = 1).
    dendrite_membrane : Membrane or None
        None: the soma's membrane without voltage-gated channels (passive dendrites).
    """

    soma_diameter_um: float = field(default_factory=lambda: P.value("soma.pyramidal_diameter_um"))
    membrane: Membrane = field(default_factory=lambda: Membrane.mammalian("soma"))
    dendrites: tuple[Branch, ...] = ()
    dendrite_membrane: Membrane | None = None
    temperature_degC: float = field(default_factory=lambda: P.value("mammalian.temperature_degC"))
    ions: Ions = field(default_factory=lambda: Ions.preset("mammalian"))
    ra_ohm_cm: float = field(default_factory=lambda: P.value("ms96.ra_ohm_cm"))
    discretization: Discretization = field(default_factory=Discretization)

    def __post_init__(self):
        where = " in NeuronParams"
        V.check(self, {"soma_diameter_um": V.DIAMETER_UM, "membrane": V.instance(Membrane),
                       "dendrites": V.instance(tuple, list),
                       "dendrite_membrane": V.instance(Membrane, optional=True),
                       "temperature_degC": V.TEMPERATURE_DEGC, "ions": V.instance(Ions),
                       "ra_ohm_cm": V.RA_OHM_CM, "discretization": V.instance(Discretization)})
        if not all(isinstance(b, Branch) for b in self.dendrites):
            raise ValueError(f"dendrites must be Branch instances{where}")

    @classmethod
    def preset(cls, name: str, **changes) -> "NeuronParams":
        """A soma of a named size: 'granule', 'interneuron', 'pyramidal' or 'motoneuron'."""
        if name not in SOMA_PRESETS:
            raise ValueError(f"unknown soma preset {name!r}; choose one of {sorted(SOMA_PRESETS)}")
        return cls(soma_diameter_um=P.value(SOMA_PRESETS[name]), **changes)

    def passive_dendrite_membrane(self) -> Membrane:
        """The membrane the dendrites get."""
        if self.dendrite_membrane is not None:
            return self.dendrite_membrane
        return self.membrane.with_(kinetics=None, hcn=None)


def build_neuron(params: NeuronParams) -> Cell:
    """Soma (role ``soma``) plus dendrites (role ``dendrite``)."""
    cell = Cell("neuron", params, params.temperature_degC, params.ions)
    with build_guard(cell):
        d = params.soma_diameter_um
        soma = cell.new_section("soma", d, d, params.ra_ohm_cm)
        cell.apply_membrane(soma, params.membrane, "soma")
        for tree in params.dendrites:
            attach_tree(cell, tree, params.passive_dendrite_membrane(), params.ra_ohm_cm, soma(1))
        cell.discretize(params.discretization)
    return cell
