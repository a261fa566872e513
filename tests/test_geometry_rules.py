"""Myelinated-fibre geometry against the cited rules, recomputed in the test.

Layer 1 (arithmetic and geometry): the built NEURON sections of several fibres
are read back (``sec.L``, ``sec.diam``, ``seg.cm``, the extracellular layer) and
compared with the rules the parameters cite, each written out here:

- fibre diameter D = axon diameter d / g-ratio (g = 0.6, Rushton 1951 J Physiol
  115:101, the velocity-optimal g-ratio);
- internode length = 100 x D, the *fibre* diameter (Rushton 1951; Hursh 1939 Am J
  Physiol 127:131: about 100 fibre diameters);
- whole lamellae between axon and fibre radius, (D - d)/2 / 16 nm (Inouye &
  Kirschner 1988 Biophys J 53:235: period 15.5-17.5 nm), each a double membrane of
  0.1 uF/cm2 and 1 mS/cm2 (McIntyre, Richardson & Grill 2002 J Neurophysiol 87:995,
  Table 1);
- node length 1 um, paranode (MYSA) 3 um, both from MRG 2002 Table 1;
- the sheath's capacitance per unit axon area as a cylindrical capacitor: 2N
  membranes spread evenly over the sheath behave like a dielectric of thickness
  N x period around the axon, c = c_m x period/2 / (r_a ln(r_o/r_a)) per unit axon
  area, a closed form the builder's per-membrane sum must approach.
Tolerances are exact (1e-12) for lengths and diameters; 0.5% for the
cylindrical-capacitor limit.
"""

from __future__ import annotations

import math

import pytest

from cablemodels.axon import MyelinatedAxonParams, build_myelinated_axon

#: Published numbers, with sources in the module docstring.
G_RATIO = 0.6
INTERNODE_PER_FIBRE_D = 100.0
LAMELLA_PERIOD_UM = 0.016
NODE_LENGTH_UM = 1.0
MYSA_LENGTH_UM = 3.0
CM_PER_MEMBRANE = 0.1     # uF/cm2
G_PER_MEMBRANE = 0.001    # S/cm2

FIBRES = [1.0, 2.0, 6.0, 10.0]


def expected(axon_d_um, g_ratio=G_RATIO):
    fibre = axon_d_um / g_ratio
    lamellae = math.floor((fibre - axon_d_um) / 2 / LAMELLA_PERIOD_UM)
    return {"fibre_um": fibre, "internode_um": INTERNODE_PER_FIBRE_D * fibre,
            "lamellae": lamellae}


@pytest.mark.parametrize("axon_d_um", FIBRES)
def test_defaults_follow_the_cited_rules(axon_d_um):
    """Fibre diameter, internode length (from the fibre, not the axon, diameter) and
    the lamella count of the default parameters, for four fibres."""
    p = MyelinatedAxonParams(axon_diameter_um=axon_d_um)
    want = expected(axon_d_um)
    assert p.g_ratio == G_RATIO
    assert p.fibre_diameter_um == pytest.approx(want["fibre_um"], rel=1e-12)
    assert p.internode_um == pytest.approx(want["internode_um"], rel=1e-12), (
        f"internode of a {axon_d_um} um axon: {p.internode_um} um, Rushton/Hursh's 100 x "
        f"fibre diameter is {want['internode_um']} um")
    assert p.n_lamellae == want["lamellae"]
    assert p.node_length_um == NODE_LENGTH_UM
    assert p.paranode_length_um == MYSA_LENGTH_UM


@pytest.mark.parametrize("axon_d_um, g_ratio", [(1.0, 0.6), (3.0, 0.7), (8.0, 0.6)])
@pytest.mark.parametrize("representation", ["single", "double"])
def test_built_sections_have_the_rule_s_lengths_and_diameters(axon_d_um, g_ratio, representation):
    """Read back from NEURON: every node 1 um long at the axon's diameter, every
    paranode 3 um, every internode 100 D - 2 x 3 um, all at the axon diameter; the
    counts follow n_nodes."""
    n_nodes = 4
    cell = build_myelinated_axon(MyelinatedAxonParams(
        axon_diameter_um=axon_d_um, g_ratio=g_ratio, n_nodes=n_nodes, paranodes=True,
        representation=representation))
    try:
        want = expected(axon_d_um, g_ratio)
        nodes, paranodes = cell.sections("node"), cell.sections("paranode")
        internodes = cell.sections("internode")
        assert (len(nodes), len(paranodes), len(internodes)) == (n_nodes, 2 * (n_nodes - 1),
                                                                 n_nodes - 1)
        for sec in nodes:
            assert sec.L == pytest.approx(NODE_LENGTH_UM, rel=1e-12)
            assert sec.diam == pytest.approx(axon_d_um, rel=1e-12)
        for sec in paranodes:
            assert sec.L == pytest.approx(MYSA_LENGTH_UM, rel=1e-12)
            assert sec.diam == pytest.approx(axon_d_um, rel=1e-12)
        for sec in internodes:
            assert sec.L == pytest.approx(want["internode_um"] - 2 * MYSA_LENGTH_UM, rel=1e-12)
            assert sec.diam == pytest.approx(axon_d_um, rel=1e-12)
        # node to node: one internode period of 100 x fibre diameter
        period = sum(s.L for s in internodes + paranodes) / (n_nodes - 1)
        assert period == pytest.approx(want["internode_um"], rel=1e-12)
    finally:
        cell.delete()


def _cylindrical_sheath(axon_d_um, lamellae, per_membrane):
    """Per unit axon area, a sheath of N lamellae (2N membranes, evenly spread over
    N x period) as a coaxial capacitor: per_membrane x (period/2) / (r_a ln(r_o/r_a))."""
    r_a = axon_d_um / 2
    r_o = r_a + lamellae * LAMELLA_PERIOD_UM
    return per_membrane * (LAMELLA_PERIOD_UM / 2) / (r_a * math.log(r_o / r_a))


@pytest.mark.parametrize("axon_d_um", FIBRES)
def test_sheath_is_a_cylindrical_capacitor_of_its_lamellae(axon_d_um):
    """The sheath's capacitance and conductance per unit axon area approach the
    coaxial-capacitor value of 2N membranes (0.5%), and tend to c_m/(2N) for thin
    myelin (bounded by it from above since outer membranes are larger)."""
    p = MyelinatedAxonParams(axon_diameter_um=axon_d_um)
    n = expected(axon_d_um)["lamellae"]
    assert p.myelin_cm_uF_cm2 == pytest.approx(_cylindrical_sheath(axon_d_um, n, CM_PER_MEMBRANE),
                                               rel=5e-3)
    assert p.myelin_g_S_cm2 == pytest.approx(_cylindrical_sheath(axon_d_um, n, G_PER_MEMBRANE),
                                             rel=5e-3)
    assert CM_PER_MEMBRANE / (2 * n) < p.myelin_cm_uF_cm2 < 2 * CM_PER_MEMBRANE / (2 * n)


@pytest.mark.parametrize("axon_d_um", [1.0, 6.0])
def test_built_internodes_carry_the_sheath(axon_d_um):
    """Double cable: extracellular layer 0 under the myelin holds the sheath's c and g
    (recomputed as a coaxial capacitor, 0.5%); nodes are open to ground. Single cable:
    the internode's cm is the axolemma's 1 uF/cm2 in series with the sheath."""
    n = expected(axon_d_um)["lamellae"]
    c_sheath = _cylindrical_sheath(axon_d_um, n, CM_PER_MEMBRANE)
    g_sheath = _cylindrical_sheath(axon_d_um, n, G_PER_MEMBRANE)
    double = build_myelinated_axon(MyelinatedAxonParams(axon_diameter_um=axon_d_um, n_nodes=3,
                                                        representation="double"))
    try:
        for seg in double.sections("internode")[0]:
            assert seg.cm == pytest.approx(1.0)
            assert seg.xc[0] == pytest.approx(c_sheath, rel=5e-3)
            assert seg.xg[0] == pytest.approx(g_sheath, rel=5e-3)
        for seg in double.sections("node")[0]:
            assert seg.xc[0] == 0.0 and seg.xg[0] >= 1e3
    finally:
        double.delete()
    single = build_myelinated_axon(MyelinatedAxonParams(axon_diameter_um=axon_d_um, n_nodes=3))
    try:
        for seg in single.sections("internode")[0]:
            assert seg.cm == pytest.approx(1.0 / (1.0 / 1.0 + 1.0 / c_sheath), rel=5e-3)
        for seg in single.sections("node")[0]:
            assert seg.cm == pytest.approx(1.0)
    finally:
        single.delete()
