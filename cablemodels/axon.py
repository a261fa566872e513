"""Unmyelinated and myelinated axons.

Myelin is described by its lamellae: each lamella is a double membrane of
per-membrane capacitance and conductance (McIntyre et al. 2002, Table 1), and
the 2N membranes of N lamellae sit in series at growing radii. The sheath's
capacitance and conductance per unit area of axon membrane are therefore
(each membrane i at radius r_i, axon radius r_a)

    c_myelin = 1 / (r_a * sum_i 1 / (r_i * c_m)),   g_myelin likewise,

which for thin myelin tends to c_m / (2N): the sheath's effect follows the
number of lamellae, set by the g-ratio and the lamella period.

Two representations:

* ``"single"`` cable: the internodal axolemma and the sheath are folded into
  one membrane (series combination); the internode is passive.
* ``"double"`` cable: the internodal axolemma keeps its own membrane (and any
  channels) and the sheath is NEURON's ``extracellular`` layer 0, with the
  periaxonal space as its longitudinal resistance (McIntyre-Richardson-Grill style).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import parameters as P
from . import validation as V
from .biophysics import Ions, Leak, Membrane
from .cell import NSEG_MAX, Cell, Discretization, build_guard

#: Extracellular layer 1 (and layer 0 at nodes) is tied to ground. 1e4 S/cm2 gives the same
#: traces as 1e9 under fixed step (0.05 mV) and, unlike 1e9, lets IDA (CVODE with
#: extracellular) initialise.
_GROUND_XG_S_CM2 = 1e4
_GROUND_XRAXIAL_MOHM_CM = 1e9


def _default_discretization() -> Discretization:
    # Measured in tests/test_builders.py: d_lambda 0.1 at 100 Hz leaves a squid-HH
    # velocity about 2% off converged; at 1 kHz it is within 0.5%.
    return Discretization(d_lambda=0.1, frequency_hz=1000.0)


@dataclass(frozen=True)
class UnmyelinatedAxonParams:
    """An unmyelinated cylindrical axon.

    Attributes
    ----------
    diameter_um, length_um : float
    membrane : Membrane
        Default: Hodgkin & Huxley's squid membrane.
    temperature_degC : float
    ions : Ions
    ra_ohm_cm : float
        Axial resistivity (default: Hodgkin & Huxley 1952, 35.4 ohm cm).
    discretization : Discretization
    """

    diameter_um: float = 10.0
    length_um: float = 10000.0
    membrane: Membrane = field(default_factory=Membrane.squid)
    temperature_degC: float = field(default_factory=lambda: P.value("squid.temperature_degC"))
    ions: Ions = field(default_factory=lambda: Ions.preset("squid"))
    ra_ohm_cm: float = field(default_factory=lambda: P.value("squid.ra_ohm_cm"))
    discretization: Discretization = field(default_factory=_default_discretization)

    def __post_init__(self):
        V.check(self, {"diameter_um": V.DIAMETER_UM, "length_um": V.LENGTH_UM,
                       "membrane": V.instance(Membrane), "temperature_degC": V.TEMPERATURE_DEGC,
                       "ions": V.instance(Ions), "ra_ohm_cm": V.RA_OHM_CM,
                       "discretization": V.instance(Discretization)})

    def capacitance_per_um_F(self) -> dict:
        """Membrane capacitance per um of axon from the geometry alone (pi d x cm), F/um,
        as ``{"axon": value}`` (the form :meth:`MyelinatedAxonParams.capacitance_per_um_F`
        gives per role)."""
        return {"axon": math.pi * self.diameter_um * self.membrane.cm_uF_cm2 * 1e-14}

    @classmethod
    def mammalian(cls, kinetics: str = "wb", **changes) -> "UnmyelinatedAxonParams":
        """A 1 um mammalian axon at 37 degC (``Membrane.mammalian("axon", kinetics)``,
        mammalian ions, McIntyre et al. 2002 axoplasmic resistivity)."""
        base = dict(membrane=Membrane.mammalian("axon", kinetics),
                    temperature_degC=P.value("mammalian.temperature_degC"),
                    ions=Ions.preset("mammalian"), ra_ohm_cm=P.value("mrg.ra_ohm_cm"),
                    diameter_um=1.0, length_um=3000.0)
        base.update(changes)
        return cls(**base)


def build_unmyelinated_axon(params: UnmyelinatedAxonParams) -> Cell:
    """Sections of role ``axon``, discretised by ``params.discretization``.

    One section, unless the axon needs more segments than NEURON allows in one
    section (:data:`~cablemodels.cell.NSEG_MAX`): then a chain of the fewest
    equal sections that fits, joined end to end, which is the same cable (the
    protocols place sites by distance along the chain).
    """
    cell = Cell("unmyelinated", params, params.temperature_degC, params.ions)
    with build_guard(cell):
        n = params.discretization.nseg(params.length_um, params.diameter_um, params.ra_ohm_cm,
                                       params.membrane.cm_uF_cm2)
        pieces = max(1, math.ceil(n / (NSEG_MAX - 2)))
        previous = None
        for _ in range(pieces):
            sec = cell.new_section("axon", params.length_um / pieces, params.diameter_um,
                                   params.ra_ohm_cm)
            if previous is not None:
                sec.connect(previous(1), 0)
            cell.apply_membrane(sec, params.membrane, "axon")
            previous = sec
        cell.discretize(params.discretization)
    return cell


_MYELINATED_SPEC = {
    "axon_diameter_um": V.DIAMETER_UM,
    "g_ratio": V.real(0.05, 1.0, "(axon over fibre diameter)", high_open=True),
    "n_nodes": V.integer(2, 10000),
    "internode_length_um": V.positive(1e5, "um", optional=True),
    "node_length_um": V.positive(1000.0, "um"),
    "node_diameter_um": V.positive(5000.0, "um", optional=True),
    "paranode_length_um": V.positive(1e4, "um"),
    "lamella_period_um": V.positive(1.0, "um"),
    "cm_per_lamella_membrane_uF_cm2": V.CAPACITANCE_UF_CM2,
    "g_per_lamella_membrane_S_cm2": V.positive(1000.0, "S/cm2"),
    "periaxonal_space_um": V.positive(100.0, "um"),
    "node_membrane": V.instance(Membrane),
    "internode_membrane": V.instance(Membrane, optional=True),
    "representation": V.choice("single", "double"),
    "paranodes": V.flag(),
    "temperature_degC": V.TEMPERATURE_DEGC,
    "ions": V.instance(Ions),
    "ra_ohm_cm": V.RA_OHM_CM,
    "discretization": V.instance(Discretization),
}


@dataclass(frozen=True)
class MyelinatedAxonParams:
    """A myelinated axon: nodes of Ranvier alternating with myelinated internodes.

    Attributes
    ----------
    axon_diameter_um : float
        Diameter of the axon inside the myelin (internodal axolemma).
    g_ratio : float
        Axon diameter over fibre diameter, in (0, 1).
    n_nodes : int
        Number of nodes (>= 2); there are ``n_nodes - 1`` internodes.
    internode_length_um : float or None
        None: ``internode_per_fibre_diameter`` x fibre diameter (Rushton 1951).
    node_length_um : float
    node_diameter_um : float or None
        None: same as the axon (no nodal constriction).
    lamella_period_um : float
        Thickness of one lamella; with the g-ratio it sets the number of lamellae.
    node_membrane : Membrane
    internode_membrane : Membrane
        The internodal axolemma under the myelin (passive by default).
    representation : str
        ``"single"`` or ``"double"`` cable (module docstring).
    paranodes : bool
        Add a paranode (myelin-attached segment, MRG's MYSA) on each side of each node.
    """

    axon_diameter_um: float = 6.0
    g_ratio: float = field(default_factory=lambda: P.value("myelin.g_ratio"))
    n_nodes: int = 21
    internode_length_um: float | None = None
    node_length_um: float = field(default_factory=lambda: P.value("myelin.node_length_um"))
    node_diameter_um: float | None = None
    paranode_length_um: float = field(default_factory=lambda: P.value("myelin.paranode_length_um"))
    lamella_period_um: float = field(default_factory=lambda: P.value("myelin.lamella_period_um"))
    cm_per_lamella_membrane_uF_cm2: float = field(
        default_factory=lambda: P.value("myelin.cm_per_lamella_membrane_uF_cm2"))
    g_per_lamella_membrane_S_cm2: float = field(
        default_factory=lambda: P.value("myelin.g_per_lamella_membrane_S_cm2"))
    periaxonal_space_um: float = field(default_factory=lambda: P.value("myelin.periaxonal_space_um"))
    node_membrane: Membrane = field(default_factory=Membrane.squid)
    internode_membrane: Membrane | None = None
    representation: str = "single"
    paranodes: bool = False
    temperature_degC: float = field(default_factory=lambda: P.value("squid.temperature_degC"))
    ions: Ions = field(default_factory=lambda: Ions.preset("squid"))
    ra_ohm_cm: float = field(default_factory=lambda: P.value("squid.ra_ohm_cm"))
    discretization: Discretization = field(default_factory=_default_discretization)

    def __post_init__(self):
        where = " in MyelinatedAxonParams"
        V.check(self, _MYELINATED_SPEC)
        if self.n_lamellae > V.MAX_LAMELLAE:
            raise V.ParameterError(
                f"MyelinatedAxonParams: g_ratio {self.g_ratio} around a {self.axon_diameter_um} um "
                f"axon makes {self.n_lamellae} lamellae of {self.lamella_period_um} um, more than "
                f"{V.MAX_LAMELLAE} (real sheaths have up to about 300); raise the g-ratio")
        if self.n_lamellae < 1:
            raise ValueError(f"g_ratio {self.g_ratio} leaves room for {self.n_lamellae} lamellae "
                             f"of {self.lamella_period_um} um around a {self.axon_diameter_um} um "
                             f"axon; lower the g-ratio{where}")

    @classmethod
    def mammalian(cls, kinetics: str = "ms96", **changes) -> "MyelinatedAxonParams":
        """A 1 um mammalian myelinated axon at 37 degC (``Membrane.mammalian("node",
        kinetics)`` at nodes, mammalian ions, McIntyre et al. 2002 resistivity).

        The default nodes are Mainen & Sejnowski's (a published myelinated-axon
        model with finite Na+ activation) in their energy-ready configuration
        (``biophysics.departures`` lists how it departs from the published one):
        11.3 m/s for a 1 um axon (1.67 um fibre, 6.7 m/s per um), close to Hursh's
        (1939) 6 m/s per um of fibre diameter. Wang-Buzsaki nodes (``kinetics="wb"``)
        activate Na+ instantaneously and conduct unphysically fast (49 m/s for the
        same axon). The internodal axolemma is McIntyre et al.'s (``axolemma``).
        """
        base = dict(node_membrane=Membrane.mammalian("node", kinetics),
                    temperature_degC=P.value("mammalian.temperature_degC"),
                    ions=Ions.preset("mammalian"), ra_ohm_cm=P.value("mrg.ra_ohm_cm"),
                    axon_diameter_um=1.0)
        base.update(changes)
        return cls(**base)

    @property
    def fibre_diameter_um(self) -> float:
        """Outer diameter of the myelin."""
        return self.axon_diameter_um / self.g_ratio

    @property
    def n_lamellae(self) -> int:
        """Whole lamellae that fit between axon and fibre radius."""
        thickness = (self.fibre_diameter_um - self.axon_diameter_um) / 2
        return int(thickness / self.lamella_period_um)

    @property
    def internode_um(self) -> float:
        """Internode length actually used."""
        if self.internode_length_um is not None:
            return self.internode_length_um
        return P.value("myelin.internode_per_fibre_diameter") * self.fibre_diameter_um

    def capacitance_per_um_F(self) -> dict:
        """Capacitance per um of axon from the geometry alone, F/um, by role, averaged
        over one node + internode period: ``node`` (node membrane, pi d_node L_node cm)
        and ``internode`` (paranodes included: the axolemma and the sheath in series,
        :meth:`folded_internode`), each divided by the period's length. The single-cable
        capacitance, i.e. what a spike charges through the axon's membrane.

        Raises
        ------
        ValueError
            For ``representation="double"``: there the sheath and the axolemma are
            charged to different voltages and no single capacitance per um describes them.
        """
        if self.representation != "single":
            raise ValueError("capacitance_per_um_F describes the single-cable internode; "
                             f"this axon is a {self.representation!r} cable")
        period = self.node_length_um + self.internode_um
        node_d = self.node_diameter_um or self.axon_diameter_um
        node = math.pi * node_d * self.node_length_um * self.node_membrane.cm_uF_cm2
        internode = (math.pi * self.axon_diameter_um * self.internode_um
                     * self.folded_internode().cm_uF_cm2)
        return {"node": node * 1e-14 / period, "internode": internode * 1e-14 / period}

    def _series_per_axon_area(self, per_membrane: float) -> float:
        r_axon = self.axon_diameter_um / 2
        n_membranes = int(P.value("myelin.membranes_per_lamella")) * self.n_lamellae
        half = self.lamella_period_um / P.value("myelin.membranes_per_lamella")
        inverse = sum(1.0 / ((r_axon + (i + 0.5) * half) * per_membrane)
                      for i in range(n_membranes))
        return 1.0 / (r_axon * inverse)

    @property
    def myelin_cm_uF_cm2(self) -> float:
        """Sheath capacitance per unit area of axon membrane."""
        return self._series_per_axon_area(self.cm_per_lamella_membrane_uF_cm2)

    @property
    def myelin_g_S_cm2(self) -> float:
        """Sheath conductance per unit area of axon membrane."""
        return self._series_per_axon_area(self.g_per_lamella_membrane_S_cm2)

    def axolemma(self) -> Membrane:
        """Internodal axolemma under the myelin (no voltage-gated channels).

        ``internode_membrane`` if given. Otherwise, for mammalian nodes (``wb`` or
        ``ms96`` kinetics), ``Membrane.axolemma``: McIntyre et al. 2002's internodal
        leak (0.1 mS/cm2 at -80 mV), booked to Na+ and K+ unless the nodes are in a
        published configuration (fixed reversals), then ohmic; for any other node
        membrane (e.g. the squid default) the node's own leak. Capacitance as at the
        node.
        """
        if self.internode_membrane is not None:
            return self.internode_membrane
        node = self.node_membrane
        if node.kinetics in ("wb", "ms96"):
            config = "published" if node.ena_mV is not None else "energy"
            return Membrane.axolemma(node.cm_uF_cm2, self.ions, self.temperature_degC, config)
        return Membrane(kinetics=None, leak=node.leak, cm_uF_cm2=node.cm_uF_cm2,
                        pas_g_S_cm2=node.pas_g_S_cm2, pas_e_mV=node.pas_e_mV,
                        leak_model=node.leak_model)

    def folded_internode(self) -> Membrane:
        """Single-cable internode: axolemma and sheath in series, as one passive membrane.

        Right for the spike (capacitance and conductance in series), but the folded leak
        is the axolemma's scaled down by the series factor, so the internode's *resting*
        Na+ and K+ fluxes are scaled down with it: at rest the real axolemma leaks in
        full under the sheath. Take resting costs of myelinated axons from
        ``representation="double"`` (at 1 um with MS96 nodes: 51,187 ATP/s per um, against
        12,978 in the single cable; E1 does so)."""
        ax = self.axolemma()
        if ax.kinetics is not None or ax.hcn is not None:
            raise ValueError("the single-cable representation folds the internode into a "
                             "passive membrane; internodal voltage-gated channels need "
                             "representation='double'")
        c = 1.0 / (1.0 / ax.cm_uF_cm2 + 1.0 / self.myelin_cm_uF_cm2)
        g_ax = _leak_slope_S_cm2(ax, self.ions, self.temperature_degC)
        if g_ax <= 0:
            raise ValueError("the internodal axolemma has no leak to fold the myelin into")
        scale = (1.0 / (1.0 / g_ax + 1.0 / self.myelin_g_S_cm2)) / g_ax
        leak = Leak(ax.leak.pk_cm_s * scale, ax.leak.pna_cm_s * scale, ax.leak.pcl_cm_s * scale)
        return ax.with_(leak=leak, cm_uF_cm2=c, pas_g_S_cm2=ax.pas_g_S_cm2 * scale)


def _leak_slope_S_cm2(membrane: Membrane, ions: Ions, temperature_degC: float) -> float:
    """Slope conductance of a membrane's leaks at the leak's own reversal."""
    from .biophysics import ghk_current_mA_cm2, ghk_voltage_mV

    leak = membrane.leak
    g = membrane.pas_g_S_cm2
    if leak.pk_cm_s + leak.pna_cm_s + leak.pcl_cm_s > 0:
        e = ghk_voltage_mV(leak.pk_cm_s, leak.pna_cm_s, leak.pcl_cm_s, ions, temperature_degC)
        dv = 1e-3

        def total(v):
            return sum(ghk_current_mA_cm2(p, v, ions.inside(ion), ions.outside(ion), z,
                                          temperature_degC)
                       for p, ion, z in ((leak.pk_cm_s, "k", 1), (leak.pna_cm_s, "na", 1),
                                         (leak.pcl_cm_s, "cl", -1)))

        g += (total(e + dv) - total(e - dv)) / (2 * dv)  # mA/cm2/mV = S/cm2
    return g


def build_myelinated_axon(params: MyelinatedAxonParams) -> Cell:
    """Nodes (role ``node``), internodes (``internode``) and optional paranodes.

    Topology: node[0] - [paranode] - internode[0] - [paranode] - node[1] - ...
    """
    cell = Cell("myelinated", params, params.temperature_degC, params.ions)
    node_d = params.node_diameter_um or params.axon_diameter_um
    double = params.representation == "double"
    myelinated = params.axolemma() if double else params.folded_internode()
    with build_guard(cell):
        previous = None
        for i in range(params.n_nodes):
            node = cell.new_section("node", params.node_length_um, node_d, params.ra_ohm_cm)
            cell.apply_membrane(node, params.node_membrane, "node")
            if previous is not None:
                node.connect(previous(1), 0)
            previous = node
            if i == params.n_nodes - 1:
                break
            pieces = [("internode", params.internode_um)]
            if params.paranodes:
                inner = params.internode_um - 2 * params.paranode_length_um
                if inner <= 0:
                    raise ValueError(f"internode ({params.internode_um} um) shorter than two "
                                     f"paranodes ({params.paranode_length_um} um each)")
                pieces = [("paranode", params.paranode_length_um), ("internode", inner),
                          ("paranode", params.paranode_length_um)]
            for role, length in pieces:
                sec = cell.new_section(role, length, params.axon_diameter_um, params.ra_ohm_cm)
                cell.apply_membrane(sec, myelinated, role)
                sec.connect(previous(1), 0)
                previous = sec
        if double:
            _insert_myelin_layer(cell, params)
        cell.discretize(params.discretization)
    return cell


def _insert_myelin_layer(cell: Cell, params: MyelinatedAxonParams) -> None:
    """``extracellular`` everywhere: sheath as layer 0 under myelin, nodes open to ground."""
    r = params.axon_diameter_um / 2
    w = params.periaxonal_space_um
    # Periaxonal longitudinal resistance per length (MOhm/cm) of an annulus of width w,
    # filled with axoplasm-like resistivity ra (McIntyre et al. 2002 use the same form).
    annulus_cm2 = math.pi * ((r + w) ** 2 - r ** 2) * 1e-8
    xraxial = params.ra_ohm_cm / annulus_cm2 * 1e-6
    for role, secs in cell.roles.items():
        for sec in secs:
            sec.insert("extracellular")
            for seg in sec:
                seg.xraxial[1] = _GROUND_XRAXIAL_MOHM_CM
                seg.xg[1] = _GROUND_XG_S_CM2
                seg.xc[1] = 0.0
                seg.xraxial[0] = xraxial
                if role == "node":
                    seg.xg[0] = _GROUND_XG_S_CM2
                    seg.xc[0] = 0.0
                else:
                    seg.xg[0] = params.myelin_g_S_cm2
                    seg.xc[0] = params.myelin_cm_uF_cm2
