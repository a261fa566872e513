"""NeuroML2 export: schema-valid documents that hold the same cell.

The NeuroML side is read back and measured by libNeuroML's own code (segment
surface areas, segment groups), not by cablemodels: the total membrane area must
equal NEURON's sum of ``seg.area()`` and each channel's total conductance
(density times the area of its groups) NEURON's sum over segments.
"""

from __future__ import annotations

import math

import pytest

neuroml = pytest.importorskip("neuroml", reason="NeuroML export needs the 'neuroml' extra")
from neuroml.loaders import read_neuroml2_file  # noqa: E402
from neuroml.utils import validate_neuroml2  # noqa: E402

from cablemodels import neuroml as cm_neuroml  # noqa: E402
from cablemodels.axon import MyelinatedAxonParams, build_myelinated_axon  # noqa: E402
from cablemodels.dendrite import Branch  # noqa: E402
from cablemodels.morphology import SwcParams, load_swc, shipped  # noqa: E402
from cablemodels.soma import NeuronParams, build_neuron  # noqa: E402


def _value(text: str) -> float:
    return float(text.split()[0])


def _areas_by_group(cell) -> dict[str, float]:
    """um2 of each section group, from libNeuroML's segment surface areas."""
    groups = {}
    for group in cell.morphology.segment_groups:
        ids = [m.segments for m in group.members]
        if ids:
            groups[group.id] = sum(cell.get_segment_surface_area(i) for i in ids)
    return groups


@pytest.mark.parametrize("which", ["myelinated", "ball_and_stick", "swc"])
def test_export_is_valid_and_holds_the_cell(h, tmp_path, which):
    if which == "myelinated":
        cell = build_myelinated_axon(MyelinatedAxonParams.mammalian())
    elif which == "ball_and_stick":
        cell = build_neuron(NeuronParams(dendrites=(Branch(500.0, 2.0),)))
    else:
        cell = load_swc(SwcParams(shipped("pyramidal_myelinated")))
    path = cm_neuroml.export_neuroml(cell, tmp_path / "cell.cell.nml", cell_id="Exported")
    validate_neuroml2(str(path))           # raises if the schema is not met

    doc = read_neuroml2_file(str(path))
    (nml_cell,) = doc.cells
    areas = _areas_by_group(nml_cell)
    total_nml = sum(areas[g.id] for g in nml_cell.morphology.segment_groups
                    if g.id in areas and not g.id.endswith("_group") and g.id != "all")
    # NEURON integrates the frusta between 3-D points the same way; float rounding only
    assert total_nml == pytest.approx(cell.area_um2(), rel=1e-9)
    n_sections = len(cell.sections())
    section_groups = [g for g in nml_cell.morphology.segment_groups
                      if any(p.tag == "numberInternalDivisions" for p in g.properties)]
    assert len(section_groups) == n_sections
    assert sum(int(g.properties[0].value) for g in section_groups) == cell.nseg_total()

    membrane = nml_cell.biophysical_properties.membrane_properties
    for mech, (ion, param) in cm_neuroml.CONDUCTANCES.items():
        densities = [d for d in membrane.channel_densities if d.ion_channel == mech]
        if not densities:
            continue
        nml_total = sum(_value(d.cond_density) * areas[d.segment_groups] for d in densities)
        ours = sum(getattr(getattr(seg, mech), param) * seg.area()
                   for _, sec, seg in cell.segments() if sec.has_membrane(mech))
        assert nml_total == pytest.approx(ours, rel=1e-9), mech
        # Nernst at 37 degC with the mammalian concentrations (12/145 mM Na+, 140/5 mM
        # K+); CODATA 2018 R and F, so RT/F = 26.727 mV at 310.15 K
        rt_f = 8.314462618 * 310.15 / 96485.33212 * 1e3
        expected = {"na": rt_f * math.log(145 / 12), "k": rt_f * math.log(5 / 140)}[ion]
        for d in densities:
            assert _value(d.erev) == pytest.approx(expected, abs=0.01), (mech, d.erev)
    leak = [d for d in membrane.channel_density_ghks if d.ion_channel == "cm_leak"]
    assert {d.ion for d in leak} <= {"na", "k", "cl"} and leak
    ours_pk = sum(seg.cm_leak.pk * seg.area() for _, _, seg in cell.segments())
    nml_pk = sum(_value(d.permeability) * areas[d.segment_groups] for d in leak if d.ion == "k")
    assert nml_pk == pytest.approx(ours_pk, rel=1e-9)
    assert {c.id for c in doc.ion_channel} >= {d.ion_channel for d in membrane.channel_densities}
    cell.delete()


def test_untranslated_mechanism_raises_or_is_listed(h, tmp_path):
    """A pump has no NeuroML form here: the export names it and writes nothing, or,
    when asked to skip it, says so in the document's notes."""
    cell = build_neuron(NeuronParams(dendrites=(Branch(200.0, 2.0),)))
    soma = cell.sections("soma")[0]
    soma.insert("cm_nakpump")
    out = tmp_path / "pump.cell.nml"
    with pytest.raises(cm_neuroml.NeuroMLExportError, match=r"soma_0 .* cm_nakpump"):
        cm_neuroml.export_neuroml(cell, out)
    assert not out.exists()
    cm_neuroml.export_neuroml(cell, out, skip=("cm_nakpump",))
    validate_neuroml2(str(out))
    (nml_cell,) = read_neuroml2_file(str(out)).cells
    assert "cm_nakpump in soma_0" in nml_cell.notes
    with pytest.raises(ValueError, match="only"):
        cm_neuroml.to_neuroml(cell, skip=("cm_na_wb",))
    with pytest.raises(ValueError, match="NeuroML id"):
        cm_neuroml.to_neuroml(cell, cell_id="2bad")
    cell.delete()
