"""Figures of cells: the morphology drawn at its real diameters, coloured by a quantity.

The only module of the package that draws (the analyses and users call it; the
measurement code never does). Matplotlib is imported when a function is called.
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np


def _section_path(sec):
    """Points (x, y, arc length um, diameter um) along a section: its 3-D points, or None."""
    n = int(sec.n3d())
    if n < 2:
        return None
    return (np.array([sec.x3d(i) for i in range(n)]), np.array([sec.y3d(i) for i in range(n)]),
            np.array([sec.arc3d(i) for i in range(n)]), np.array([sec.diam3d(i) for i in range(n)]))


def _layout_without_points(sections):
    """Positions for sections without 3-D points: a dendrogram, x = path distance from
    the root section's start, each branch on its own row."""
    from neuron import h

    index = {sec: i for i, sec in enumerate(sections)}
    rows, start, next_row = {}, {}, [0]
    roots = [s for s in sections if h.SectionRef(sec=s).has_parent() == 0
             or h.SectionRef(sec=s).parent not in index]

    def place(sec, x0, row):
        rows[sec], start[sec] = row, x0
        children = [c for c in h.SectionRef(sec=sec).child if c in index]
        for k, child in enumerate(children):
            if k > 0:
                next_row[0] += 1
            place(child, x0 + sec.L * child.parentseg().x, next_row[0] if k else row)

    for root in roots:
        place(root, 0.0, next_row[0])
        next_row[0] += 1
    paths = {}
    for sec in sections:
        x = np.array([start[sec], start[sec] + sec.L])
        y = np.full(2, -rows[sec] * 5.0)
        paths[sec] = (x, y, np.array([0.0, sec.L]), np.array([sec.diam, sec.diam]))
    return paths


def _fill_missing(sections, paths):
    """Sections without 3-D points (e.g. an axon appended to a reconstruction) drawn as
    straight lines of their length from where they attach, continuing their parent's
    direction (downwards from a parent without direction)."""
    from neuron import h

    def point_on(sec, x):
        px, py, arc, _ = paths[sec]
        t = x * arc[-1]
        return float(np.interp(t, arc, px)), float(np.interp(t, arc, py))

    def direction(sec, x):
        px, py, arc, _ = paths[sec]
        k = 1 if x < 0.5 else len(arc) - 1
        d = np.array([px[k] - px[k - 1], py[k] - py[k - 1]])
        n = np.hypot(*d)
        return d / n if n > 0 else np.array([0.0, -1.0])

    pending = [sec for sec in sections if paths[sec] is None]
    for _ in range(len(pending) + 1):
        if not pending:
            break
        for sec in list(pending):
            ref = h.SectionRef(sec=sec)
            parent = ref.parent if ref.has_parent() else None
            if parent is not None and parent in paths and paths[parent] is None:
                continue  # place the parent first
            if parent is None or parent not in paths:
                start, d = np.zeros(2), np.array([1.0, 0.0])
            else:
                x = sec.parentseg().x
                start = np.array(point_on(parent, x))
                d = direction(parent, x) if int(parent.n3d()) >= 2 or x >= 0.5 else \
                    np.array([0.0, -1.0])
                if int(parent.n3d()) >= 2 and parent.nseg and \
                        h.SectionRef(sec=parent).has_parent() == 0 and x == 0.5:
                    d = np.array([0.0, -1.0])  # from the middle of a soma: downwards
            end = start + d * sec.L
            paths[sec] = (np.array([start[0], end[0]]), np.array([start[1], end[1]]),
                          np.array([0.0, sec.L]), np.array([sec.diam, sec.diam]))
            pending.remove(sec)
    return paths


def _quad(x0, y0, x1, y1, w0, w1):
    dx, dy = x1 - x0, y1 - y0
    norm = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / norm, dx / norm
    return [(x0 + nx * w0 / 2, y0 + ny * w0 / 2), (x1 + nx * w1 / 2, y1 + ny * w1 / 2),
            (x1 - nx * w1 / 2, y1 - ny * w1 / 2), (x0 - nx * w0 / 2, y0 - ny * w0 / 2)]


def plot_morphology(sections, values: Mapping, ax=None, label: str = "", log: bool = False,
                    cmap: str = "viridis", min_width_um: float = 0.0, diameter_scale: float = 1.0,
                    vmin: float | None = None, vmax: float | None = None):
    """Draw ``sections`` at their diameters, each segment coloured by ``values``.

    Parameters
    ----------
    sections
        NEURON sections (a Cell's ``sections()``, ``h.allsec()``, a SectionList).
    values : mapping
        ``(section name, segment index) -> value`` or a pandas table with columns
        ``section``, ``x`` and the quantity named by ``label`` (the segment containing
        ``x`` gets the value). Segments without a value are drawn grey.
    ax : matplotlib Axes, optional
    label : str
        Colour bar label (with its unit), and the column to read from a table.
    log : bool
        Colour by log10 of the value (non-positive values drawn grey).
    min_width_um, diameter_scale : float
        Drawn width = max(diam x diameter_scale, min_width_um), in um of the plot, so
        thin axons stay visible beside a soma at true scale (defaults: true diameters).

    Returns
    -------
    matplotlib Axes, with equal aspect and a colour bar. Cells without 3-D points are
    drawn as a dendrogram (x: path distance; one row per branch; no y axis); sections
    without points in a cell that has them are drawn straight from where they attach.
    """
    import matplotlib.pyplot as plt
    from matplotlib import colors
    from matplotlib.collections import PolyCollection

    sections = list(sections)
    if not sections:
        raise ValueError("no sections to draw")
    lookup = _values_by_segment(sections, values, label)
    paths = {sec: _section_path(sec) for sec in sections}
    dendrogram = all(p is None for p in paths.values())
    if dendrogram:
        paths = _layout_without_points(sections)
    elif any(p is None for p in paths.values()):
        paths = _fill_missing(sections, paths)
    polys, data = [], []
    for sec in sections:
        x, y, arc, diam = paths[sec]
        total = arc[-1] if arc[-1] > 0 else 1.0
        for k in range(sec.nseg):
            lo, hi = k / sec.nseg * total, (k + 1) / sec.nseg * total
            inner = (arc > lo) & (arc < hi)
            ts = np.concatenate([[lo], arc[inner], [hi]])
            xs, ys, ds = (np.interp(ts, arc, v) for v in (x, y, diam))
            value = lookup.get((sec.name(), k), np.nan)
            for i in range(len(ts) - 1):
                w0, w1 = (max(d * diameter_scale, min_width_um) for d in (ds[i], ds[i + 1]))
                polys.append(_quad(xs[i], ys[i], xs[i + 1], ys[i + 1], w0, w1))
                data.append(value)
    data = np.array(data, dtype=float)
    if log:
        data = np.where(data > 0, np.log10(np.where(data > 0, data, 1.0)), np.nan)
    finite = data[np.isfinite(data)]
    lo = vmin if vmin is not None else (finite.min() if len(finite) else 0.0)
    hi = vmax if vmax is not None else (finite.max() if len(finite) else 1.0)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    coll = PolyCollection(polys, array=np.ma.masked_invalid(data), cmap=cmap,
                          norm=colors.Normalize(lo, hi if hi > lo else lo + 1), linewidths=0)
    coll.set_cmap(coll.cmap.with_extremes(bad="0.75"))
    ax.add_collection(coll)
    ax.autoscale_view()
    ax.set_aspect("equal")
    if dendrogram:  # no 3-D points: x is path distance, rows are branches
        ax.set(xlabel="path distance from the first section (um)", ylabel="")
        ax.set_yticks([])
    else:
        ax.set(xlabel="x (um)", ylabel="y (um)")
    bar = ax.figure.colorbar(coll, ax=ax, shrink=0.8)
    bar.set_label(f"log10 {label}" if log else label)
    return ax


def _values_by_segment(sections, values, label) -> dict:
    """``(section name, segment index) -> value`` from a mapping or a table."""
    if hasattr(values, "columns"):
        if label not in values.columns:
            raise ValueError(f"the table has no column {label!r} (columns: {list(values.columns)})")
        nseg = {sec.name(): sec.nseg for sec in sections}
        out = {}
        for name, x, v in zip(values["section"], values["x"], values[label]):
            if name in nseg:
                out[(name, min(int(x * nseg[name]), nseg[name] - 1))] = float(v)
        return out
    return {(str(k[0]), int(k[1])): float(v) for k, v in values.items()}
