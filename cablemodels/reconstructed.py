"""A real reconstructed neuron with the Mainen & Sejnowski (1996) biophysics.

The morphology is NeuroMorpho.Org's C010398B-P2 (rat neocortical pyramidal cell,
Markram archive; ``morphologies/README.md`` gives the attribution). The biophysical
model follows the published model of Mainen & Sejnowski 1996 (ModelDB 2488,
``demofig1.hoc``) for reconstructed neocortical neurons:

* the reconstructed soma and dendrites, active: Na+ at ``gna_dend`` (20 pS/um2) in
  soma and dendrites, Kv at ``gkv_soma`` (200 pS/um2) in the soma;
* the reconstructed axon (a slice's cut local axon) is replaced, as MS96 do, by
  their standard axon: a 10 um hillock tapering from 4x to 1x the initial
  segment's diameter, a 15 um initial segment of diameter equiv_diam / 10
  (equiv_diam: the diameter of a sphere of the soma's area), then ``n_nodes``
  myelinated internodes of 100 um (myelin cm 0.04 uF/cm2, Na+ at the dendritic
  density) each followed by a 1 um node of 0.75 x that diameter; hillock,
  initial segment and nodes carry Na+ at ``gna_node`` (30,000 pS/um2), hillock and
  initial segment Kv at ``gkv_axon`` (2,000 pS/um2);
* rm 30,000 ohm cm2, cm 0.75 uF/cm2, Ra 150 ohm cm, 37 degC.

Departures from MS96 (all declared): no dendritic Ca2+, Km and KCa channels and no
spine area correction (a single action potential's Na+ is what is counted); in the
energy-ready configuration (default) reversals from the concentrations, leaks booked
to ions, nodes with MRG's leak and Kv (see :func:`biophysics.departures`); MS96's
``tadj`` on the densities is kept as published.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import parameters as P
from .biophysics import Ions, Membrane
from .cell import Cell, Discretization
from .morphology import SwcParams, load_swc, shipped

#: The shipped real reconstruction (NeuroMorpho.Org, CC BY 4.0).
REAL_CELL = "C010398B-P2.CNG"
#: MS96's axon geometry (ModelDB 2488, demofig1.hoc, create_axon()).
HILLOCK_UM, ISEG_UM, INTERNODE_UM, NODE_UM = 10.0, 15.0, 100.0, 1.0
ISEG_PER_EQUIV_DIAM, HILLOCK_TAPER, NODE_PER_ISEG_DIAM = 0.1, 4.0, 0.75


@dataclass(frozen=True)
class ReconstructedCellParams:
    """The shipped reconstruction with Mainen & Sejnowski 1996's biophysics.

    Attributes
    ----------
    path : Path
        SWC file (default: the shipped C010398B-P2).
    config : str
        ``"energy"`` (reversals from concentrations, leaks booked to ions) or
        ``"published"`` (MS96's fixed reversals and ohmic leaks).
    n_nodes : int
        Internode + node pairs of the appended axon (MS96: 5).
    """

    path: Path = field(default_factory=lambda: shipped(REAL_CELL))
    config: str = "energy"
    n_nodes: int = 5
    temperature_degC: float = field(default_factory=lambda: P.value("mammalian.temperature_degC"))
    ions: Ions = field(default_factory=lambda: Ions.preset("mammalian"))
    discretization: Discretization = field(default_factory=Discretization)

    def __post_init__(self):
        if self.config not in ("energy", "published"):
            raise ValueError(f"config must be 'energy' or 'published' (got {self.config!r}) "
                             "in ReconstructedCellParams")
        if not isinstance(self.n_nodes, int) or isinstance(self.n_nodes, bool) or self.n_nodes < 1:
            raise ValueError(f"n_nodes must be an integer >= 1 (got {self.n_nodes!r}) in "
                             "ReconstructedCellParams")

    def _mammalian(self, role: str, **changes) -> Membrane:
        return Membrane.mammalian(role, "ms96", ions=self.ions,
                                  temperature_degC=self.temperature_degC, config=self.config,
                                  **changes)

    def membrane(self, role: str) -> Membrane:
        """MS96's membrane for ``role`` (soma, dendrite, axon = hillock and initial
        segment, node, internode)."""
        soma = self._mammalian("soma")
        if role == "soma":
            return soma
        if role == "dendrite":
            return soma.with_(gkbar_S_cm2=0.0)
        if role == "axon":
            return self._mammalian("axon", gkbar_S_cm2=P.value("ms96.axon_gkbar_S_cm2"))
        if role == "node":
            return self._mammalian("node")
        if role == "internode":
            return soma.with_(gkbar_S_cm2=0.0, cm_uF_cm2=P.value("ms96.myelin_cm_uF_cm2"))
        raise ValueError(f"no membrane for role {role!r} in ReconstructedCellParams")

    def swc_params(self, path) -> SwcParams:
        return SwcParams(path, membranes={r: self.membrane(r) for r in ("soma", "dendrite")},
                         temperature_degC=self.temperature_degC, ions=self.ions,
                         ra_ohm_cm=P.value("ms96.ra_ohm_cm"), discretization=self.discretization)


def _without_axon(path: Path, folder: Path) -> Path:
    """A copy of the SWC file without its axon points (type 2), which MS96 replace."""
    kept, dropped = [], set()
    for line in Path(path).read_text().splitlines():
        parts = line.split()
        if line.lstrip().startswith("#") or len(parts) < 7:
            kept.append(line)
            continue
        if parts[1] == "2":
            dropped.add(parts[0])
            continue
        if parts[6] in dropped:
            raise ValueError(f"{path}: point {parts[0]} of type {parts[1]} hangs from the axon; "
                             "the axon cannot be replaced")
        kept.append(line)
    out = folder / Path(path).name
    out.write_text("\n".join(kept) + "\n")
    return out


def build_reconstructed_cell(params: ReconstructedCellParams | None = None) -> Cell:
    """The reconstruction's soma and dendrites with MS96's axon and channels (module docstring).

    Roles: soma, dendrite, axon (hillock, initial segment), internode, node.
    """
    params = params or ReconstructedCellParams()
    with tempfile.TemporaryDirectory() as tmp:
        cell = load_swc(params.swc_params(_without_axon(params.path, Path(tmp))))
    soma = cell.sections("soma")[0]
    area = sum(seg.area() for sec in cell.sections("soma") for seg in sec)
    # MS96's formula, as their code computes it: sqrt(area / (4 pi))
    equiv_diam = math.sqrt(area / (4 * math.pi))
    iseg_diam = ISEG_PER_EQUIV_DIAM * equiv_diam
    ra = P.value("ms96.ra_ohm_cm")
    hill = cell.new_section("axon", HILLOCK_UM, iseg_diam, ra)
    hill.nseg = 5
    for seg in hill:
        seg.diam = iseg_diam * (HILLOCK_TAPER + (1 - HILLOCK_TAPER) * seg.x)
    hill.connect(soma(0.5), 0)
    iseg = cell.new_section("axon", ISEG_UM, iseg_diam, ra)
    iseg.connect(hill(1), 0)
    previous = iseg
    for _ in range(params.n_nodes):
        myelin = cell.new_section("internode", INTERNODE_UM, iseg_diam, ra)
        myelin.connect(previous(1), 0)
        node = cell.new_section("node", NODE_UM, NODE_PER_ISEG_DIAM * iseg_diam, ra)
        node.connect(myelin(1), 0)
        previous = node
    for role in ("axon", "internode", "node"):
        for sec in cell.sections(role):
            cell.apply_membrane(sec, params.membrane(role), role)
    cell.discretize(params.discretization)
    return cell
