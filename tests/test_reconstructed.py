"""The shipped real neuron (C010398B-P2) with Mainen & Sejnowski 1996's biophysics.

Geometry reference: NeuroM (an independent SWC reader) on the same file. Electrical
checks: a verified whole-cell spike started at the soma, with the soma and the initial
segment overshooting and every segment counted.
"""

from __future__ import annotations

import pytest

from cablemodels import energy as E
from cablemodels.morphology import shipped
from cablemodels.reconstructed import REAL_CELL, ReconstructedCellParams, build_reconstructed_cell

neurom = pytest.importorskip("neurom", reason="NeuroM is in the test extra (pip install -e '.[test]')")


def test_geometry_matches_an_independent_reader(h):
    """Soma and dendrites as NeuroM reads them (the reconstructed axon is replaced by MS96's,
    as their model does): section count, total length and area to 1e-6, soma area to 0.1%
    (NeuroM takes the three-point soma as a cylinder over the side points' span)."""
    morph = neurom.load_morphology(str(shipped(REAL_CELL)))
    dendrites = (neurom.BASAL_DENDRITE, neurom.APICAL_DENDRITE)
    n_sections = sum(neurom.get("number_of_sections", morph, neurite_type=t) for t in dendrites)
    length = sum(neurom.get("total_length", morph, neurite_type=t) for t in dendrites)
    area = sum(neurom.get("total_area", morph, neurite_type=t) for t in dendrites)
    cell = build_reconstructed_cell()
    secs = cell.sections("dendrite")
    assert len(secs) == n_sections == 34
    assert sum(s.L for s in secs) == pytest.approx(length, rel=1e-6)
    assert cell.area_um2("dendrite") == pytest.approx(area, rel=1e-6)
    assert cell.area_um2("soma") == pytest.approx(neurom.get("soma_surface_area", morph), rel=1e-3)
    assert len(cell.sections("node")) == len(cell.sections("internode")) == 5
    cell.delete()


def test_whole_cell_spike_overshoots_at_soma_and_initial_segment(h):
    cell = build_reconstructed_cell()
    result = E.ap_energy(cell, window_ms=20.0)
    seg = result.segments
    soma_peak = seg.loc[seg["role"] == "soma", "peak_mV"].max()
    iseg = cell.sections("axon")[1]
    iseg_peak = seg.loc[seg["section"] == iseg.name(), "peak_mV"].max()
    print(f"{REAL_CELL}: {result.atp:.3g} ATP per spike, soma peak {soma_peak:.1f} mV, "
          f"initial segment {iseg_peak:.1f} mV, {len(seg)} segments")
    assert soma_peak > 0 and iseg_peak > 0
    assert len(seg) == cell.nseg_total()
    assert result.scope == "whole cell"
    cell.delete()


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="config must be"):
        ReconstructedCellParams(config="fast")
    with pytest.raises(ValueError, match="n_nodes"):
        ReconstructedCellParams(n_nodes=0)


def test_the_original_asc_tracing_gives_the_same_cell(h):
    """Neurolucida ASC (the tracing the SWC was converted from), read by Import3d's own
    Neurolucida reader: the same sections, and the dendrites' length within 0.1% (the
    SWC conversion replaced the soma contour by three points and standardised a few
    diameters, so areas are compared loosely: within 5%)."""
    from pathlib import Path

    from cablemodels.morphology import SwcParams, load_asc, load_swc

    folder = Path(shipped(REAL_CELL)).parent
    asc = load_asc(SwcParams(folder / "C010398B-P2.asc"))
    swc = load_swc(SwcParams(shipped(REAL_CELL)))
    for role in ("axon", "dendrite"):
        assert len(asc.sections(role)) == len(swc.sections(role))
        assert sum(s.L for s in asc.sections(role)) == pytest.approx(
            sum(s.L for s in swc.sections(role)), rel=1e-3)
    assert asc.area_um2("dendrite") == pytest.approx(swc.area_um2("dendrite"), rel=0.05)
    asc.delete()
    swc.delete()


def test_unreadable_asc_is_refused_without_leaving_sections(h, tmp_path):
    from cablemodels.morphology import SwcParams, load_asc

    bad = tmp_path / "bad.asc"
    bad.write_text('("CellBody"\n  (Color Red)\n')
    with pytest.raises(ValueError, match="bad.asc"):
        load_asc(SwcParams(bad))
    assert not list(h.allsec())
