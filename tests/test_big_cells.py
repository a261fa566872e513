"""Sections beyond NEURON's segment limit (issue 20).

NEURON refuses more than 32,767 segments in one section. An unmyelinated axon that
needs more is built as a chain of sections; elsewhere the builders raise an error
naming the section and the fix, and leave no section.
"""

from __future__ import annotations

import pytest

from cablemodels.axon import UnmyelinatedAxonParams, build_unmyelinated_axon
from cablemodels.cell import NSEG_MAX


def test_c_fibre_beyond_the_segment_limit_is_a_chain(h):
    # 50 cm of 0.5 um C fibre at d_lambda 0.1 (1 kHz) needs ~47,000 segments
    params = UnmyelinatedAxonParams(length_um=500000.0, diameter_um=0.5)
    cell = build_unmyelinated_axon(params)
    secs = cell.sections("axon")
    assert len(secs) == 2 and all(sec.nseg <= NSEG_MAX for sec in secs)
    assert sum(sec.nseg for sec in secs) >= 47000
    assert secs[1].parentseg().sec == secs[0] and secs[1].parentseg().x == 1.0
    cell.delete()


def test_section_beyond_the_segment_limit_is_refused_clearly(h):
    """Other builders keep one section per role's piece: NEURON's own error named
    neither the cell nor the fix; ours does, and leaves no section behind."""
    from cablemodels.cell import Cell, Discretization, build_guard

    cell = Cell("long", None, 37.0, None)
    with pytest.raises(ValueError, match=f"limit of {NSEG_MAX} per section") as err:
        with build_guard(cell):
            cell.new_section("dendrite", 500000.0, 0.5, 100.0)
            cell.discretize(Discretization(0.1, 1000.0))
    assert "500000 um long" in str(err.value) and "fits at this diameter" in str(err.value)
    assert not list(h.allsec())


def test_chain_of_sections_is_the_same_axon(h, monkeypatch):
    """An axon built as a chain (forced here by lowering the limit the builder uses)
    gives the velocity and ATP per um of the one-section axon: same cable, segments
    differing only by the odd-nseg rounding of each piece (tolerance 0.5%)."""
    from cablemodels import axon, energy

    params = UnmyelinatedAxonParams()  # squid, 10 mm x 10 um, 211 segments
    one = build_unmyelinated_axon(params)
    assert len(one.sections("axon")) == 1
    e1 = energy.ap_energy(one)
    one.delete()
    monkeypatch.setattr(axon, "NSEG_MAX", 101)
    chain = build_unmyelinated_axon(params)
    secs = chain.sections("axon")
    assert len(secs) == 3 and all(sec.nseg <= 101 for sec in secs)
    assert sum(sec.L for sec in secs) == pytest.approx(params.length_um)
    e3 = energy.ap_energy(chain)
    chain.delete()
    assert e3.velocity.velocity_m_s == pytest.approx(e1.velocity.velocity_m_s, rel=5e-3)
    assert e3.atp_per_um == pytest.approx(e1.atp_per_um, rel=5e-3)
    assert e3.length_um == pytest.approx(e1.length_um, rel=2e-2)
