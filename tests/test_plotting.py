"""The morphology plot: every segment drawn with its own value, at its real diameter."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cablemodels import plotting  # noqa: E402
from cablemodels.morphology import SwcParams, load_swc, shipped  # noqa: E402


def test_segments_are_coloured_by_their_values_at_their_diameters(h):
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection

    cell = load_swc(SwcParams(shipped("ball_and_stick")))
    values = {(sec.name(), k): 10.0 * i + k
              for i, sec in enumerate(cell.sections()) for k in range(sec.nseg)}
    ax = plotting.plot_morphology(cell.sections(), values, label="test value (units)")
    coll = next(c for c in ax.collections if isinstance(c, PolyCollection))
    drawn = set(np.asarray(coll.get_array()).round(9))
    assert drawn == set(np.round(list(values.values()), 9))
    assert ax.get_aspect() == 1.0
    # the widest quad is the soma's diameter (true scale by default)
    widths = [np.linalg.norm(np.asarray(p.vertices[0]) - np.asarray(p.vertices[3]))
              for p in coll.get_paths()]
    soma = cell.sections("soma")[0]
    assert max(widths) == pytest.approx(max(soma.diam3d(i) for i in range(int(soma.n3d()))),
                                        rel=1e-6)
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="no column"):
        plotting.plot_morphology(cell.sections(), __import__("pandas").DataFrame(
            {"section": [], "x": []}), label="atp")
    cell.delete()
