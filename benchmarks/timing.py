"""Helpers shared by the benchmark scripts: timing and the measuring nodes.

Not part of the package: the benchmarks' plain-NEURON and Arbor scripts must not
use cablemodels to measure, so the site choice is restated here (the same rule as
``cablemodels.energy`` and ``cablemodels.protocols.velocity_sites``).
"""

from __future__ import annotations

import statistics
import time


def median_time(fn, repeats: int) -> float:
    """Median wall time (s) of ``repeats`` calls of ``fn``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def alternating(fns: dict, repeats: int) -> dict:
    """Median time of each function, run in turn (so drifts hit all alike)."""
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def measuring_nodes(n_nodes: int, fraction=(0.25, 0.75)) -> tuple[int, int, int]:
    """(first, last energy node, last velocity node) of ``n_nodes``: energy is counted
    from node ``first`` up to node ``last``, velocity timed from ``first`` to the
    third index (never the terminal node)."""
    i = max(1, int(round(fraction[0] * (n_nodes - 1))))
    j = min(n_nodes - 1, int(round(fraction[1] * (n_nodes - 1))))
    jv = min(n_nodes - 2, int(round(fraction[1] * (n_nodes - 1))))
    return i, j, jv


def crossing_ms(t, v, threshold_mV: float = -20.0) -> float:
    """First upward crossing of ``threshold_mV``, linearly interpolated (nan if none)."""
    k = int((v >= threshold_mV).argmax())
    if v[k] < threshold_mV:
        return float("nan")
    return t[k - 1] + (threshold_mV - v[k - 1]) * (t[k] - t[k - 1]) / (v[k] - v[k - 1])
