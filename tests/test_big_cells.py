"""Sections beyond NEURON's segment limit (issue 20).

NEURON refuses more than 32,767 segments in one section with a message that names
neither the cell nor the fix; the builders raise their own, and leave no section.
"""

from __future__ import annotations

import pytest

from cablemodels.axon import UnmyelinatedAxonParams, build_unmyelinated_axon
from cablemodels.cell import NSEG_MAX


def test_axon_beyond_the_segment_limit_is_refused_clearly(h):
    # 50 cm of 0.5 um C fibre at d_lambda 0.1 (1 kHz) needs ~47,000 segments
    params = UnmyelinatedAxonParams(length_um=500000.0, diameter_um=0.5)
    with pytest.raises(ValueError, match=f"limit of {NSEG_MAX} per section") as err:
        build_unmyelinated_axon(params)
    assert "500000 um long" in str(err.value) and "fits at this diameter" in str(err.value)
    assert not list(h.allsec())
