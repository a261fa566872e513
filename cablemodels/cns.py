"""Thin CNS myelinated axons from a measured geometry (rat optic nerve and cortex).

Arancibia-Carcamo et al. (2017, eLife 6:e23329) measured node length and
diameter, internode length, axon diameter and g-ratio in adult rat optic nerve
and layer V cortex, and modelled both axons (their Table 1; the same values are
in the authors' model files, ``Carcamo2017OpticNerveAxon.m`` and
``Carcamo2017CortexAxon.m`` of AttwellLab/MyelinatedAxonModel). Every value is
in :data:`cablemodels.parameters.TABLE` under ``cns.*``.

:func:`cns_myelinated_params` returns an :class:`~cablemodels.axon.MyelinatedAxonParams`
(double cable) with that geometry and the myelin capacitance per membrane as an
explicit parameter: 0.9 uF/cm2 in the CNS model, 0.1 uF/cm2 in MRG 2002; the
choice changes a thin axon's velocity severalfold, so it is never implicit.

Two ways to build one:

* :func:`build_cns_axon` (:class:`CNSAxonParams`): the authors' model as far as our
  double cable goes: nodes with Richardson et al. (2000) fast Na+, persistent Na+ and
  slow K+ (``cm_r2000_*``, E_Na 50 and E_K -84 mV fixed) and a nodal leak set to
  hold -82 mV, as the authors do; paranodal segments with the narrower periaxonal
  space; the sheath of 2N membranes in series at the authors' radii.
* :func:`cns_myelinated_params`: an :class:`~cablemodels.axon.MyelinatedAxonParams`
  with the same geometry for :func:`~cablemodels.axon.build_myelinated_axon`, with
  one of our channel sets at the nodes. Its departures (listed by :func:`departures`):

* Nodal channels: one of our channel sets (``Membrane.mammalian("node",
  kinetics)``, MS96 by default) with 0.9 uF/cm2, because
  :class:`~cablemodels.biophysics.Membrane` cannot carry the Richardson kinetics.
* The periaxonal space narrows in the paranodal segments of the authors' model
  (0.0077 nm optic nerve, 0.0123 nm cortex as set in their files, in nm units: a
  near-seal, against 15 nm elsewhere); ``MyelinatedAxonParams`` has one width.
* The lamella count: the authors take ``ceil((R - r - w) / period)`` lamellae and
  recompute the g-ratio from them; ``MyelinatedAxonParams`` takes the whole
  lamellae that fit. The preset passes the authors' recomputed g-ratio, so both
  give the authors' count (7 in optic nerve, 5 in cortex).
* 21 nodes (the authors use 51); velocity is timed between interior nodes.

Validation (tests/test_cns.py): the authors' model run unchanged in GNU Octave
gives 2.9502 m/s (optic nerve) and 2.6114 m/s (cortex), the paper's 2.95 and
2.61; :func:`build_cns_axon` gives 2.92 and 2.59 m/s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import parameters as P
from . import simulation as sim
from .axon import MyelinatedAxonParams, build_myelinated_axon
from .biophysics import Ions, Membrane, check_positive
from .cell import Cell, hoc

REGIONS = ("optic_nerve", "cortex")


def _check_region(region: str) -> None:
    if region not in REGIONS:
        raise ValueError(f"unknown CNS region {region!r}; choose one of {REGIONS}")


def n_lamellae(region: str) -> int:
    """Lamellae of the authors' model: ``ceil((R - r - w) / period)`` with R the outer
    radius from the measured g-ratio, r the axon radius, w the periaxonal space."""
    _check_region(region)
    r = P.value(f"cns.{region}.axon_diameter_um") / 2
    outer = r / P.value(f"cns.{region}.g_ratio")
    width = outer - r - P.value("cns.periaxonal_space_um")
    return math.ceil(width / P.value("cns.lamella_period_um"))


def model_g_ratio(region: str) -> float:
    """The g-ratio the authors' model recomputes from its whole lamellae: axon
    diameter over (axon + 2 periaxonal space + 2 (lamellae - 0.5) periods)."""
    d = P.value(f"cns.{region}.axon_diameter_um")
    width = (n_lamellae(region) - 0.5) * P.value("cns.lamella_period_um")
    return d / (d + 2 * width + 2 * P.value("cns.periaxonal_space_um"))


def cns_myelinated_params(region: str = "optic_nerve", kinetics: str = "ms96",
                          myelin_cm_per_membrane_uF_cm2: float | None = None,
                          n_nodes: int = 21, **changes) -> MyelinatedAxonParams:
    """A rat CNS myelinated axon of Arancibia-Carcamo et al. (2017), double cable.

    Parameters
    ----------
    region : str
        ``"optic_nerve"`` or ``"cortex"``.
    kinetics : str
        Nodal channel set (``"ms96"`` default, ``"wb"``): a departure (module docstring).
    myelin_cm_per_membrane_uF_cm2 : float or None
        Capacitance of each myelin membrane; None: the CNS model's 0.9 uF/cm2
        (``cns.myelin_cm_per_membrane_uF_cm2``); MRG 2002 use 0.1.
    n_nodes : int
    **changes
        Other :class:`MyelinatedAxonParams` fields.

    Raises
    ------
    ValueError
        Unknown region or kinetics, or a non-positive capacitance.
    """
    _check_region(region)
    cm_myelin = (P.value("cns.myelin_cm_per_membrane_uF_cm2")
                 if myelin_cm_per_membrane_uF_cm2 is None else myelin_cm_per_membrane_uF_cm2)
    check_positive("myelin_cm_per_membrane_uF_cm2", cm_myelin, " in cns_myelinated_params")
    ions = Ions.preset("mammalian")
    temperature = P.value("mammalian.temperature_degC")
    cm = P.value("cns.axolemma_cm_uF_cm2")
    node = Membrane.mammalian("node", kinetics, ions, temperature, cm_uF_cm2=cm)
    # Internodal axolemma: the CNS model's 0.1 mS/cm2, reversing where the node's leak does,
    # booked to Na+ and K+ as a GHK leak.
    e_leak = P.value("ms96.eleak_mV" if kinetics == "ms96" else "wb.eleak_mV")
    axolemma = Membrane.passive(1.0 / P.value("cns.axolemma_g_S_cm2"), e_leak, cm, ions,
                                temperature)
    base = dict(
        axon_diameter_um=P.value(f"cns.{region}.axon_diameter_um"),
        g_ratio=model_g_ratio(region),
        n_nodes=n_nodes,
        internode_length_um=P.value(f"cns.{region}.internode_length_um"),
        node_length_um=P.value(f"cns.{region}.node_length_um"),
        node_diameter_um=P.value(f"cns.{region}.node_diameter_um"),
        lamella_period_um=P.value("cns.lamella_period_um"),
        cm_per_lamella_membrane_uF_cm2=cm_myelin,
        g_per_lamella_membrane_S_cm2=P.value("cns.myelin_g_per_membrane_S_cm2"),
        periaxonal_space_um=P.value("cns.periaxonal_space_um"),
        node_membrane=node, internode_membrane=axolemma, representation="double",
        temperature_degC=temperature, ions=ions, ra_ohm_cm=P.value("cns.ra_ohm_cm"))
    base.update(changes)
    return MyelinatedAxonParams(**base)


def departures(region: str, kinetics: str = "ms96") -> tuple[str, ...]:
    """How :func:`cns_myelinated_params` departs from the authors' model."""
    _check_region(region)
    return (f"nodal channels: {kinetics} instead of Richardson et al. 2000 "
            "(fast Na+, persistent Na+, slow K+; build_cns_axon has them)",
            "one periaxonal width (no paranodal narrowing)",
            "21 nodes instead of 51")


#: Richardson et al. (2000) nodal mechanisms and their conductance keys in parameters.TABLE.
R2000_CHANNELS = (("cm_r2000_naf", "gnabar", "r2000.node_gnabar_S_cm2"),
                  ("cm_r2000_nap", "gnapbar", "r2000.node_gnapbar_S_cm2"),
                  ("cm_r2000_ks", "gkbar", "r2000.node_gkbar_S_cm2"))


@dataclass(frozen=True)
class CNSAxonParams:
    """A rat CNS myelinated axon as modelled by Arancibia-Carcamo et al. (2017).

    Attributes
    ----------
    region : str
        ``"optic_nerve"`` or ``"cortex"``.
    myelin_cm_per_membrane_uF_cm2 : float
        Capacitance of each myelin membrane (the CNS model: 0.9 uF/cm2; MRG 2002: 0.1).
    n_nodes : int
        Number of nodes (the authors use 51).
    temperature_degC : float
        37 degC in the paper.
    paranodal_narrowing : bool
        Narrow the periaxonal space in the paranodal segments, as the authors do.
    """

    region: str = "optic_nerve"
    myelin_cm_per_membrane_uF_cm2: float = field(
        default_factory=lambda: P.value("cns.myelin_cm_per_membrane_uF_cm2"))
    n_nodes: int = 21
    temperature_degC: float = field(default_factory=lambda: P.value("mammalian.temperature_degC"))
    paranodal_narrowing: bool = True

    def __post_init__(self):
        where = " in CNSAxonParams"
        _check_region(self.region)
        check_positive("myelin_cm_per_membrane_uF_cm2", self.myelin_cm_per_membrane_uF_cm2,
                       where)
        if isinstance(self.n_nodes, bool) or not isinstance(self.n_nodes, int) \
                or self.n_nodes < 5:
            raise ValueError(f"n_nodes must be an integer >= 5 (got {self.n_nodes!r}){where}")
        if not (isinstance(self.temperature_degC, (int, float))
                and math.isfinite(self.temperature_degC)):
            raise ValueError(f"temperature_degC must be finite (got {self.temperature_degC!r})"
                             f"{where}")

    def axon_params(self) -> MyelinatedAxonParams:
        """The double-cable geometry with passive nodes (channels are added by
        :func:`build_cns_axon`)."""
        cm = P.value("cns.axolemma_cm_uF_cm2")
        v_rest = P.value("cns.v_rest_mV")
        # The nodal leak's conductance is set by build_cns_axon to hold v_rest.
        node = Membrane(kinetics=None, cm_uF_cm2=cm, pas_g_S_cm2=1e-9,
                        pas_e_mV=P.value("cns.node_eleak_mV"))
        axolemma = Membrane(kinetics=None, cm_uF_cm2=cm,
                            pas_g_S_cm2=P.value("cns.axolemma_g_S_cm2"), pas_e_mV=v_rest)
        return cns_myelinated_params(
            self.region, myelin_cm_per_membrane_uF_cm2=self.myelin_cm_per_membrane_uF_cm2,
            n_nodes=self.n_nodes, node_membrane=node, internode_membrane=axolemma,
            paranodes=True,
            paranode_length_um=P.value(f"cns.{self.region}.paranode_length_um"),
            temperature_degC=self.temperature_degC)

    @property
    def departures(self) -> tuple[str, ...]:
        """How this configuration departs from the authors' model."""
        out = [f"{self.n_nodes} nodes instead of 51",
               "internode discretised by the d_lambda rule instead of the authors' "
               "equal segments"]
        if not self.paranodal_narrowing:
            out.append("no paranodal narrowing of the periaxonal space")
        if not math.isclose(self.myelin_cm_per_membrane_uF_cm2,
                            P.value("cns.myelin_cm_per_membrane_uF_cm2")):
            out.append(f"myelin capacitance {self.myelin_cm_per_membrane_uF_cm2:g} uF/cm2 "
                       "per membrane")
        if not math.isclose(self.temperature_degC, P.value("mammalian.temperature_degC")):
            out.append(f"temperature {self.temperature_degC:g} degC")
        return tuple(out)


def _sheath_per_axon_area(r_um: float, space_um: float, n: int, per_membrane: float) -> float:
    """2n myelin membranes in series at radii r + w + k period/2 (k = 0..2n-1), per unit
    area of axolemma of radius r (the authors' RADIUS_MYELIN)."""
    half = P.value("cns.lamella_period_um") / 2
    inverse = sum(1.0 / ((r_um + space_um + k * half) * per_membrane) for k in range(2 * n))
    return 1.0 / (r_um * inverse)


def build_cns_axon(params: CNSAxonParams) -> Cell:
    """Build the rat CNS myelinated axon of :class:`CNSAxonParams`.

    Nodes (role ``node``) carry ``cm_r2000_naf``, ``cm_r2000_nap`` and ``cm_r2000_ks``
    at the published densities with E_Na and E_K fixed, and an ohmic leak (``pas``,
    no ion) reversing at -83.38 mV whose conductance makes the channels' and the
    leak's currents cancel at -82 mV (the authors' CalculateLeakConductance).

    Raises
    ------
    TypeError
        If ``params`` is not a :class:`CNSAxonParams`.
    """
    if not isinstance(params, CNSAxonParams):
        raise TypeError(f"build_cns_axon needs CNSAxonParams (got {type(params).__name__})")
    axon_params = params.axon_params()
    cell = build_myelinated_axon(axon_params)
    try:
        cell.params = params
        h = hoc()
        region = params.region
        r = axon_params.axon_diameter_um / 2
        n = axon_params.n_lamellae
        spaces = {"internode": P.value("cns.periaxonal_space_um"),
                  "paranode": (P.value(f"cns.{region}.paranode_space_um")
                               if params.paranodal_narrowing
                               else P.value("cns.periaxonal_space_um"))}
        for role, space in spaces.items():
            xc = _sheath_per_axon_area(r, space, n, params.myelin_cm_per_membrane_uF_cm2)
            xg = _sheath_per_axon_area(r, space, n, P.value("cns.myelin_g_per_membrane_S_cm2"))
            annulus_um2 = math.pi * ((r + space) ** 2 - r ** 2)
            for sec in cell.sections(role):
                for seg in sec:
                    seg.xc[0], seg.xg[0] = xc, xg
                    seg.xraxial[0] = P.value("cns.ra_ohm_cm") / annulus_um2 * 100.0  # MOhm/cm
        fixed = {"na": P.value("r2000.ena_mV"), "k": P.value("r2000.ek_mV")}
        nodes = cell.sections("node")
        for sec in nodes:
            for mech, name, key in R2000_CHANNELS:
                sec.insert(mech)
                for seg in sec:
                    setattr(getattr(seg, mech), name, P.value(key))
            for ion, e in fixed.items():
                h.ion_style(f"{ion}_ion", 1, 1, 0, 0, 0, sec=sec)
                for seg in sec:
                    setattr(seg, f"e{ion}", e)
        _set_node_leak(cell, params)
        cell.forget_rest()
    except BaseException:
        cell.delete()
        raise
    return cell


def _set_node_leak(cell: Cell, params: CNSAxonParams) -> None:
    """Nodal leak conductance cancelling the channels' steady currents at v_rest."""
    v_rest = P.value("cns.v_rest_mV")
    e_leak = P.value("cns.node_eleak_mV")
    # Gates at steady state at v_rest: initialise there (channels only, leak off). Other
    # cells' sections, if any, are initialised too; NEURON's run globals come back.
    for sec in cell.sections("node"):
        for seg in sec:
            seg.pas.g = 0.0
    state = sim.save_globals()
    try:
        with sim.foreign_sections_allowed():
            sim.start(cell, sim.Integrator(method="fixed"), v_rest)
        for sec in cell.sections("node"):
            for seg in sec:
                channels = seg.ina + seg.ik  # mA/cm2; the leak is off
                seg.pas.g = -channels / (v_rest - e_leak)
    finally:
        sim.restore_globals(state)
