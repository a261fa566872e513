"""The MRG 2002 mammalian motor fibre: double cable with node, MYSA, FLUT and STIN.

McIntyre, Richardson & Grill (2002, J Neurophysiol 87:995-1006) model a myelinated
fibre as a double cable. Each node of Ranvier (fast Na+, persistent Na+, slow K+
and an ohmic leak) is followed by a myelin attachment segment (MYSA), a paranode
main segment (FLUT), six internodal segments (STIN), a FLUT and a MYSA. Under the
myelin the axolemma is passive; the sheath is NEURON's ``extracellular`` layer 0
with the periaxonal space as its longitudinal resistance.

What :func:`build_mrg_fibre` reproduces from the authors' model (ModelDB 3810,
``MRGaxon.hoc`` and ``AXNODE.mod``), and how it departs:

* Geometry: the paper's Table 1 rows (``parameters.TABLE["mrg.table_*"]``) at the
  nine published fibre diameters; in between, each column is interpolated
  linearly in fibre diameter (:func:`mrg_geometry`). PyFibers offers the same two
  choices under other names: ``MRG_DISCRETE`` (table rows only) and
  ``MRG_INTERPOLATION``, which uses polynomial regressions of the table (Pelot NA
  et al. 2021, PLoS Comput Biol 17:e1009285) and so does not return the table's
  own rows; the linear interpolation here does.
* Sections have their real diameters (node, MYSA, FLUT, STIN). The original gives
  every internodal section the fibre diameter and rescales Ra, cm, g_pas, xg and xc
  so that per unit length they equal the real ones; the cable equations are the
  same, but membrane areas (and so energy per area) are the axolemma's here.
* Nodal channels are our own NMODL (``cm_mrg_naf``, ``cm_mrg_nap``, ``cm_mrg_ks``)
  with the published kinetics, booked to the ``na`` and ``k`` ions with charge
  counters instead of ``NONSPECIFIC_CURRENT``. The nodal leak stays ohmic (NEURON's
  ``pas``, 7 mS/cm2 at -90 mV, carries no ion), as published.
* Reversals: ``reversals="published"`` fixes E_Na = 50 mV and E_K = -90 mV (the
  published values; ion_style keeps them constant); ``"nernst"`` computes them
  from the fibre's concentrations instead (a departure, named).
* Discretisation: one segment per section, as published; a
  :class:`~cablemodels.cell.Discretization` refines it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import parameters as P
from .biophysics import Ions, check_positive
from .cell import Cell, Discretization, build_guard, hoc

#: Columns of the published geometry table, in ``parameters.TABLE`` key order.
TABLE_COLUMNS = ("g_ratio", "axon_diameter_um", "node_diameter_um", "mysa_diameter_um",
                 "flut_diameter_um", "node_spacing_um", "flut_length_um", "n_lamellae")

#: Nodal channel mechanisms (their Na+ and K+ are booked to the ions).
NODE_MECHANISMS = ("cm_mrg_naf", "cm_mrg_nap", "cm_mrg_ks")

REVERSALS = ("published", "nernst")


def published_fibre_diameters_um() -> tuple[float, ...]:
    """The fibre diameters (um) of MRG 2002 Table 1, ascending: 5.7, 7.3, 8.7, 10.0,
    11.5, 12.8, 14.0, 15.0 and 16.0 um."""
    return tuple(sorted(entry.value for key, entry in P.TABLE.items()
                        if key.startswith("mrg.table_") and key.endswith(".fibre_diameter_um")))


def _row(fibre_diameter_um: float) -> dict[str, float]:
    tag = f"{fibre_diameter_um:g}".replace(".", "p")
    return {c: P.value(f"mrg.table_{tag}um.{c}") for c in TABLE_COLUMNS}


@dataclass(frozen=True)
class MRGGeometry:
    """One row of the MRG geometry table (interpolated between published rows).

    Attributes
    ----------
    fibre_diameter_um : float
        Outer diameter of the myelin.
    g_ratio : float
        As tabulated (axon over fibre diameter).
    axon_diameter_um : float
        STIN (internodal axon) diameter.
    node_diameter_um, mysa_diameter_um, flut_diameter_um : float
    node_spacing_um : float
        Node-to-node distance (``deltax``).
    flut_length_um : float
    n_lamellae : float
        Number of myelin lamellae (interpolated values need not be whole).
    published : bool
        True when ``fibre_diameter_um`` is one of the table's own rows.
    """

    fibre_diameter_um: float
    g_ratio: float
    axon_diameter_um: float
    node_diameter_um: float
    mysa_diameter_um: float
    flut_diameter_um: float
    node_spacing_um: float
    flut_length_um: float
    n_lamellae: float
    published: bool

    @property
    def node_length_um(self) -> float:
        return P.value("mrg.node_length_um")

    @property
    def mysa_length_um(self) -> float:
        return P.value("mrg.mysa_length_um")

    @property
    def stin_length_um(self) -> float:
        """Length of one of the six STIN sections: what the node spacing leaves after
        the node, two MYSA and two FLUT, divided by six (MRGaxon.hoc's interlength)."""
        n = P.value("mrg.stin_per_internode")
        rest = (self.node_spacing_um - self.node_length_um - 2 * self.mysa_length_um
                - 2 * self.flut_length_um)
        return rest / n


def mrg_geometry(fibre_diameter_um: float) -> MRGGeometry:
    """The MRG 2002 geometry for a fibre diameter (um).

    Published rows (MRG 2002 Table 1; the same numbers as ModelDB 3810's
    ``MRGaxon.hoc``) exist for fibre diameters 5.7, 7.3, 8.7, 10.0, 11.5, 12.8, 14.0,
    15.0 and 16.0 um and are returned exactly. Between them every column is
    interpolated linearly in fibre diameter (our choice; PyFibers'
    ``MRG_INTERPOLATION`` fits polynomials to the table instead, Pelot et al. 2021).

    Raises
    ------
    ValueError
        Outside 5.7-16.0 um (no extrapolation), or not a finite number.
    """
    published = published_fibre_diameters_um()
    d = fibre_diameter_um
    if isinstance(d, bool) or not isinstance(d, (int, float)) or not math.isfinite(d):
        raise ValueError(f"fibre_diameter_um must be a finite number (got {d!r})")
    if not published[0] <= d <= published[-1]:
        raise ValueError(f"fibre_diameter_um = {d} lies outside the MRG 2002 table "
                         f"({published[0]}-{published[-1]} um); the geometry is not "
                         "extrapolated")
    for known in published:
        if math.isclose(d, known, rel_tol=0, abs_tol=1e-9):
            return MRGGeometry(known, **_row(known), published=True)
    upper = next(i for i, known in enumerate(published) if known > d)
    d0, d1 = published[upper - 1], published[upper]
    r0, r1 = _row(d0), _row(d1)
    w = (d - d0) / (d1 - d0)
    return MRGGeometry(float(d), **{c: (1 - w) * r0[c] + w * r1[c] for c in TABLE_COLUMNS},
                       published=False)


@dataclass(frozen=True)
class MRGParams:
    """An MRG 2002 fibre.

    Attributes
    ----------
    fibre_diameter_um : float
        5.7-16.0 um (see :func:`mrg_geometry`).
    temperature_degC : float
        Default 37 degC, MRG's.
    n_nodes : int
        Number of nodes (>= 2; published 21).
    reversals : str
        ``"published"``: E_Na = 50 mV and E_K = -90 mV, fixed. ``"nernst"``: from
        ``ions`` at the temperature (a departure from the published model).
    ions : Ions
        Concentrations (used for E only with ``reversals="nernst"``).
    ra_ohm_cm : float
        Axoplasmic (and periaxonal) resistivity, published 70 ohm cm.
    myelin_cm_per_lamella_membrane_uF_cm2, myelin_g_per_lamella_membrane_S_cm2 : float
        Per lamella membrane (published 0.1 uF/cm2 and 0.001 S/cm2); the sheath's
        per-area values are these over 2 x lamellae, per area of the fibre's outer
        surface, as in the published model.
    discretization : Discretization or None
        None: one segment per section, as published.
    """

    fibre_diameter_um: float = 10.0
    temperature_degC: float = field(default_factory=lambda: P.value("mrg.temperature_degC"))
    n_nodes: int = field(default_factory=lambda: int(P.value("mrg.n_nodes")))
    reversals: str = "published"
    ions: Ions = field(default_factory=lambda: Ions.preset("mammalian"))
    ra_ohm_cm: float = field(default_factory=lambda: P.value("mrg.ra_ohm_cm"))
    myelin_cm_per_lamella_membrane_uF_cm2: float = field(
        default_factory=lambda: P.value("myelin.cm_per_lamella_membrane_uF_cm2"))
    myelin_g_per_lamella_membrane_S_cm2: float = field(
        default_factory=lambda: P.value("myelin.g_per_lamella_membrane_S_cm2"))
    discretization: Discretization | None = None

    def __post_init__(self):
        where = " in MRGParams"
        try:
            mrg_geometry(self.fibre_diameter_um)
        except ValueError as err:
            raise ValueError(f"{err}{where}") from None
        if isinstance(self.temperature_degC, bool) or not (
                isinstance(self.temperature_degC, (int, float))
                and math.isfinite(self.temperature_degC)):
            raise ValueError(f"temperature_degC must be finite (got {self.temperature_degC!r})"
                             f"{where}")
        if isinstance(self.n_nodes, bool) or not isinstance(self.n_nodes, int) \
                or self.n_nodes < 2:
            raise ValueError(f"n_nodes must be an integer >= 2 (got {self.n_nodes!r}){where}")
        if self.reversals not in REVERSALS:
            raise ValueError(f"reversals must be one of {REVERSALS} (got {self.reversals!r})"
                             f"{where}")
        for name in ("ra_ohm_cm", "myelin_cm_per_lamella_membrane_uF_cm2",
                     "myelin_g_per_lamella_membrane_S_cm2"):
            check_positive(name, getattr(self, name), where)

    @property
    def geometry(self) -> MRGGeometry:
        return mrg_geometry(self.fibre_diameter_um)

    @property
    def departures(self) -> tuple[str, ...]:
        """How this configuration departs from the published model (empty: none
        beyond the documented representation choices of the module docstring)."""
        out = []
        if self.reversals != "published":
            out.append("Nernst reversals from the fibre's concentrations")
        if not math.isclose(self.temperature_degC, P.value("mrg.temperature_degC")):
            out.append(f"temperature {self.temperature_degC:g} degC")
        if not self.geometry.published:
            out.append("geometry interpolated between MRG 2002 Table 1 rows")
        if self.discretization is not None:
            out.append("refined discretisation")
        for name, key in (("ra_ohm_cm", "mrg.ra_ohm_cm"),
                          ("myelin_cm_per_lamella_membrane_uF_cm2",
                           "myelin.cm_per_lamella_membrane_uF_cm2"),
                          ("myelin_g_per_lamella_membrane_S_cm2",
                           "myelin.g_per_lamella_membrane_S_cm2")):
            if not math.isclose(getattr(self, name), P.value(key)):
                out.append(f"{name} = {getattr(self, name):g}")
        return tuple(out)


def _periaxonal_xraxial_MOhm_cm(ra_ohm_cm: float, diameter_um: float, space_um: float) -> float:
    """Longitudinal resistance per length of the periaxonal annulus (MOhm/cm).

    An annulus of width ``space_um`` around a ``diameter_um`` axon filled with a
    medium of resistivity ``ra_ohm_cm`` (MRG 2002; MRGaxon.hoc's Rpn0/1/2, Rpx).
    """
    r = diameter_um / 2
    annulus_um2 = math.pi * ((r + space_um) ** 2 - r ** 2)
    # ohm cm / um2 = 1e8 ohm/cm = 100 MOhm/cm
    return ra_ohm_cm / annulus_um2 * 100.0


def build_mrg_fibre(params: MRGParams) -> Cell:
    """Build an MRG 2002 fibre.

    Topology per period: node - MYSA - FLUT - STIN x 6 - FLUT - MYSA - node.
    Roles: nodes ``node``; MYSA and FLUT ``paranode``; STIN ``internode``.
    Section names say what each is: ``<cell>.node[i]``, ``<cell>.MYSA[k]``,
    ``<cell>.FLUT[k]``, ``<cell>.STIN[k]`` (numbered along the fibre as in
    MRGaxon.hoc).

    Raises
    ------
    TypeError
        If ``params`` is not an :class:`MRGParams`.
    """
    if not isinstance(params, MRGParams):
        raise TypeError(f"build_mrg_fibre needs MRGParams (got {type(params).__name__})")
    geo = params.geometry
    cell = Cell("mrg", params, params.temperature_degC, params.ions)
    h = hoc()
    ra = params.ra_ohm_cm
    cm = P.value("mrg.axolemma_cm_uF_cm2")
    # Sheath per area of the fibre's outer surface (MRGaxon.hoc: mycm/(2 nl), mygm/(2 nl)),
    # converted below to per area of each section's own axolemma.
    n_membranes = 2 * geo.n_lamellae
    xc_outer = params.myelin_cm_per_lamella_membrane_uF_cm2 / n_membranes
    xg_outer = params.myelin_g_per_lamella_membrane_S_cm2 / n_membranes
    kinds = {
        "MYSA": ("paranode", geo.mysa_length_um, geo.mysa_diameter_um, "mrg.mysa_g_S_cm2",
                 "mrg.mysa_space_um"),
        "FLUT": ("paranode", geo.flut_length_um, geo.flut_diameter_um,
                 "mrg.axolemma_gleak_S_cm2", "mrg.flut_space_um"),
        "STIN": ("internode", geo.stin_length_um, geo.axon_diameter_um,
                 "mrg.axolemma_gleak_S_cm2", "mrg.stin_space_um"),
    }
    counts = dict.fromkeys(kinds, 0)
    n_stin = int(P.value("mrg.stin_per_internode"))
    period = ["MYSA", "FLUT"] + ["STIN"] * n_stin + ["FLUT", "MYSA"]

    def section(kind: str, role: str, length: float, diameter: float):
        sec = h.Section(name=f"{cell.name}.{kind}[{counts.get(kind, 0)}]")
        counts[kind] = counts.get(kind, 0) + 1
        sec.L, sec.diam, sec.Ra, sec.cm = length, diameter, ra, cm
        cell.adopt(role, sec)
        return sec

    with build_guard(cell):
        previous = None
        for i in range(params.n_nodes):
            node = section("node", "node", geo.node_length_um, geo.node_diameter_um)
            _node_membrane(node, geo, params)
            if previous is not None:
                node.connect(previous(1), 0)
            previous = node
            if i == params.n_nodes - 1:
                break
            for kind in period:
                role, length, diameter, g_key, space_key = kinds[kind]
                sec = section(kind, role, length, diameter)
                sec.insert("pas")
                sec.insert("extracellular")
                scale = geo.fibre_diameter_um / diameter  # outer area per axolemma area
                for seg in sec:
                    seg.pas.g = P.value(g_key)
                    seg.pas.e = P.value("mrg.axolemma_eleak_mV")
                    seg.xraxial[0] = _periaxonal_xraxial_MOhm_cm(ra, diameter,
                                                                 P.value(space_key))
                    seg.xg[0] = xg_outer * scale
                    seg.xc[0] = xc_outer * scale
                sec.connect(previous(1), 0)
                previous = sec
        if params.discretization is not None:
            cell.discretize(params.discretization)
        _set_reversals(cell, params)
    return cell


def _node_membrane(sec, geo: MRGGeometry, params: MRGParams) -> None:
    for name in NODE_MECHANISMS + ("pas", "extracellular"):
        sec.insert(name)
    for seg in sec:
        seg.cm_mrg_naf.gnabar = P.value("mrg.node_gnabar_S_cm2")
        seg.cm_mrg_nap.gnapbar = P.value("mrg.node_gnapbar_S_cm2")
        seg.cm_mrg_ks.gkbar = P.value("mrg.node_gkbar_S_cm2")
        seg.pas.g = P.value("mrg.node_gleak_S_cm2")
        seg.pas.e = P.value("mrg.node_eleak_mV")
        seg.xraxial[0] = _periaxonal_xraxial_MOhm_cm(params.ra_ohm_cm, geo.node_diameter_um,
                                                     P.value("mrg.node_space_um"))
        seg.xg[0] = P.value("mrg.ground_xg_S_cm2")
        seg.xc[0] = 0.0


def _set_reversals(cell: Cell, params: MRGParams) -> None:
    """Concentrations per segment; E fixed at the published values or from Nernst."""
    h = hoc()
    published = params.reversals == "published"
    fixed = {"na": P.value("mrg.ena_mV"), "k": P.value("mrg.ek_mV")}
    for sec in cell.sections("node"):
        for ion in ("na", "k"):
            # ion_style(c_style, e_style, einit, eadvance, cinit): concentrations are
            # parameters; E is a parameter too (published) or Nernst at initialisation.
            if published:
                h.ion_style(f"{ion}_ion", 1, 1, 0, 0, 0, sec=sec)
            else:
                h.ion_style(f"{ion}_ion", 1, 2, 1, 0, 0, sec=sec)
            for seg in sec:
                setattr(seg, f"{ion}i", cell.ions.inside(ion))
                setattr(seg, f"{ion}o", cell.ions.outside(ion))
                if published:
                    setattr(seg, f"e{ion}", fixed[ion])
