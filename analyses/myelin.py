"""E1: does myelin make conduction about 100x cheaper, and under which conditions?

The answer is given the way a paper would give it:

1. **Why the number is what it is.** For every equal-diameter pair the ratio of Na+
   entry per um (as ATP = Na+/3) is split into three factors (:func:`decompose`): the
   capacitive bound ``R_cap`` (charge per um a spike must move onto each axon's
   membrane: capacitance per um from the geometry alone, times the spike's amplitude
   at the middle of each membrane), the unmyelinated axon's excess (its Na+ over its
   capacitive minimum) and the myelinated axon's excess (its Na+, which enters at the
   nodes, over the whole period's capacitive minimum). Their product is printed next
   to the simulated ratio.
2. **Maps.** The equal-diameter ratio over axon diameter (0.2-20 um) x nodal Na+ cost
   (nodal Na+ density swept, MS96 kinetics; plus a node costing what Hallermann et
   al. 2012's L5 model's nodes cost, computed from the decomposition) and over
   diameter x g-ratio, with the published MRG 2002 fibre and the CNS axons of
   Arancibia-Carcamo et al. 2017 placed on them. Every point is one point of a
   resumable :mod:`cablemodels.sweep` (``data/sweeps/``): a killed report rerun on
   the same folder recomputes none of the finished points.
3. **Equal velocity** for each myelinated size: the unmyelinated diameter that
   conducts as fast is found by root-finding on simulated velocity
   (:func:`cablemodels.sweep.unmyelinated_at_velocity`), never extrapolated.
4. **What myelin costs to keep**: both axons' resting costs (physiological leaks)
   plus an explicit, adjustable glial term; the break-even firing rate
   (:func:`break_even_rate_hz`) and the largest glial cost myelin can carry at a rate
   (:func:`max_glia_cost`).
5. **Temperature** 30-40 degC with mammalian kinetics on both sides; squid kinetics
   only as a labelled thought experiment with nodes that overshoot.
6. **Myelin capacitance per membrane**, 0.1 (MRG 2002) vs 0.9 uF/cm2 (Arancibia-Carcamo
   et al. 2017; Gentet et al. 2000 for neuronal membrane), on velocity and ratio.
7. **The headline is a sentence** computed from these numbers (:func:`headline`).

Sources: Hursh 1939 Am J Physiol 127:131; Rushton 1951 J Physiol 115:101; McIntyre,
Richardson & Grill 2002 J Neurophysiol 87:995 (MRG); Mainen & Sejnowski 1996 Nature
382:363 (MS96); Wang & Buzsaki 1996 J Neurosci 16:6402 (WB); Hodgkin & Huxley 1952;
Attwell & Laughlin 2001 JCBFM 21:1133; Hallermann et al. 2012 Nat Neurosci 15:1007
(ModelDB 144526); Harris & Attwell 2012 J Neurosci 32:356; Arancibia-Carcamo et al.
2017 eLife 6:e23329; Gentet, Stuart & Clements 2000 Biophys J 79:314.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from cablemodels import parameters as P
from cablemodels import sweep
from cablemodels.axon import MyelinatedAxonParams, UnmyelinatedAxonParams
from cablemodels.biophysics import ELEMENTARY_CHARGE_C
from cablemodels.mrg import mrg_geometry

from .common import (PALETTE, Row, Section, colour, declared, departure_legend, figure,
                     judge_condition, not_measured, save_data, save_figure)

#: Failures that mean "this configuration does not conduct, its nodes do not overshoot,
#: or it has no rest", which the report lists; any other error in a point is a bug and
#: stops the analysis.
EXPECTED_FAILURES = ("PropagationError", "MeasurementError", "RuntimeError")
#: Squid nodes at HH's own densities do not overshoot in these fibres (peaks -20 to -7 mV),
#: so the squid comparison uses 3x HH's nodal densities (Na+ 0.36, K+ 0.108 S/cm2; Na+
#: alone at 3x makes the nodes fire spontaneously): a labelled thought experiment.
SQUID_NODE_GNABAR_S_CM2, SQUID_NODE_GKBAR_S_CM2 = 0.36, 0.108
#: Hallermann et al. 2012's L5 model: ATP per um2 of node per action potential
#: (ModelDB 144526 readme, "Required ATP molecules to pump Na ions out per um^2":
#: node 3.517895e4, myelin 2.081271e2, initial segment 5.531797e4).
HALLERMANN_NODE_ATP_PER_UM2 = 35179.0
#: Myelin capacitance per membrane: MRG 2002's 0.1 uF/cm2 per lamella membrane (our
#: default) and 0.9 uF/cm2, the value of ordinary neuronal membrane (Gentet et al.
#: 2000) that Arancibia-Carcamo et al. 2017 use for each myelin membrane.
MYELIN_CM_OPTIONS_UF_CM2 = (0.1, 0.9)
#: The glial term: ATP per second per um of myelinated axon spent by the myelinating
#: glia at rest. Harris & Attwell 2012 estimate the oligodendrocyte's resting-potential
#: cost, but their numbers could not be retrieved here, so no value is taken from them:
#: the report gives the break-even rate for no glial cost and for glia spending 1x and
#: 3x what the unmyelinated axon of the same diameter spends at rest (a neutral scale:
#: a sheath whose cells leak as much as a bare axon, or three times as much), and the
#: largest glial cost myelin can carry at each firing rate (:func:`max_glia_cost`),
#: which any published estimate can be set against.
GLIA_MULTIPLES_OF_UNMY_REST = (0.0, 1.0, 3.0)
#: Contour levels of the maps (x cheaper).
CONTOURS = (1, 3, 10, 30, 100, 300)


# --------------------------------------------------------------------------- numbers
def decompose(unmyelinated: dict, myelinated: dict, u_params: UnmyelinatedAxonParams,
              m_params: MyelinatedAxonParams) -> dict:
    """Split one equal-diameter ratio into its three factors.

    Parameters
    ----------
    unmyelinated, myelinated : dict
        Results of the ``unmyelinated_ap`` and ``myelinated_ap`` sweep protocols (per
        role: ``ROLE_amplitude_mV``; ``atp_per_um``, ``excess_factor``,
        ``cap_min_C_per_um``).
    u_params, m_params
        The parameter objects they were built from (single-cable myelin).

    Returns
    -------
    dict
        ``r_cap`` = (C'_u dV_u) / sum over roles (C'_role dV_role): capacitance per um
        from the geometry alone (:meth:`~cablemodels.axon.MyelinatedAxonParams.capacitance_per_um_F`)
        times the spike amplitude at the middle segment of each membrane;
        ``r_cap_simulated`` (the ratio of the measured capacitive minima, every
        segment's cm x area x (peak - rest)); ``unmy_excess``, ``my_excess`` (Na+ over
        the capacitive minimum); ``product`` = r_cap x unmy_excess / my_excess and
        ``ratio`` (simulated); ``node_atp_per_um2``.
    """
    cu = u_params.capacitance_per_um_F()["axon"] * unmyelinated["axon_amplitude_mV"]
    cm = sum(c * myelinated[f"{role}_amplitude_mV"]
             for role, c in m_params.capacitance_per_um_F().items())
    r_cap = cu / cm
    out = {"r_cap": r_cap,
           "r_cap_simulated": unmyelinated["cap_min_C_per_um"] / myelinated["cap_min_C_per_um"],
           "unmy_excess": unmyelinated["excess_factor"], "my_excess": myelinated["excess_factor"],
           "node_atp_per_um2": myelinated.get("node_atp_per_um2", float("nan"))}
    out["product"] = r_cap * out["unmy_excess"] / out["my_excess"]
    out["ratio"] = unmyelinated["atp_per_um"] / myelinated["atp_per_um"]
    return out


def node_area_per_um(params: MyelinatedAxonParams) -> float:
    """Nodal membrane (um2) per um of myelinated axon."""
    d = params.node_diameter_um or params.axon_diameter_um
    return math.pi * d * params.node_length_um / (params.node_length_um + params.internode_um)


def ratio_with_node_cost(unmy_atp_per_um: float, myelinated: dict, params: MyelinatedAxonParams,
                         node_atp_per_um2: float) -> float:
    """The equal-diameter ratio if the nodes cost ``node_atp_per_um2`` ATP per um2 per
    spike (e.g. :data:`HALLERMANN_NODE_ATP_PER_UM2`), everything else as simulated:
    unmyelinated ATP/um over (nodal area per um x that cost + the rest of the myelinated
    axon's simulated ATP/um). An estimate from the decomposition, not a simulation."""
    rest_of_axon = myelinated["atp_per_um"] - myelinated["node_atp_per_um"]
    return unmy_atp_per_um / (node_area_per_um(params) * node_atp_per_um2 + rest_of_axon)


def break_even_rate_hz(unmy_atp_per_spike_um: float, unmy_rest_atp_per_s_um: float,
                       my_atp_per_spike_um: float, my_rest_atp_per_s_um: float,
                       glia_atp_per_s_per_um: float = 0.0) -> float:
    """Mean firing rate (Hz) above which the myelinated axon, glia included, costs less
    ATP per um per second than the unmyelinated one: where the two cost lines
    ``rest + rate x spike`` cross. 0 if myelin is cheaper at every rate; inf if it
    never is."""
    saving_per_spike = unmy_atp_per_spike_um - my_atp_per_spike_um
    extra_rest = my_rest_atp_per_s_um + glia_atp_per_s_per_um - unmy_rest_atp_per_s_um
    if extra_rest <= 0:
        return 0.0 if saving_per_spike >= 0 or extra_rest < 0 else math.inf
    if saving_per_spike <= 0:
        return math.inf
    return extra_rest / saving_per_spike


def max_glia_cost(rate_hz: float, unmy_atp_per_spike_um: float, unmy_rest_atp_per_s_um: float,
                  my_atp_per_spike_um: float, my_rest_atp_per_s_um: float) -> float:
    """The largest glial resting cost (ATP/s per um) at which myelin still saves energy
    at ``rate_hz`` (negative: it costs more even without glia)."""
    return ((unmy_atp_per_spike_um - my_atp_per_spike_um) * rate_hz
            + unmy_rest_atp_per_s_um - my_rest_atp_per_s_um)


#: The claim's number and the floor below which a configuration is not "about" it.
CLAIM_RATIO, FLOOR_RATIO = 100.0, 100.0 / 3


def judge_span(value, span, what: str) -> dict:
    """Outcome of one comparison over a range of conditions (``span``: its ratios): the
    claim says "about 100x" with no condition, so it is supported only if every condition
    gives at least a third of that; partly if 100x lies within the range (it holds under
    some of the conditions); otherwise not supported. ``value`` is the row's own number
    (not finite: not measured)."""
    span = [float(v) for v in span if math.isfinite(float(v))]
    rule = (f"supported if every {what} gives at least {FLOOR_RATIO:.0f}x (a third of the "
            f"claim); partly if {CLAIM_RATIO:.0f}x lies within the range; else not supported")
    if not span:
        return not_measured(f"no finite ratio ({rule})")
    return judge_condition(value, min(span) >= FLOOR_RATIO, rule,
                           partly=min(span) <= CLAIM_RATIO <= max(span))


def judge_single(value) -> dict:
    """Outcome of a ratio measured under one set of conditions: supported if at least a
    third of the claim's 100x, partly if at least 10x (an order of magnitude saved),
    otherwise not supported."""
    return judge_condition(value, _finite_at_least(value, FLOOR_RATIO),
                           f"supported if at least {FLOOR_RATIO:.0f}x (a third of the claim's "
                           f"{CLAIM_RATIO:.0f}x); partly if at least 10x; else not supported",
                           partly=_finite_at_least(value, 10.0))


def _finite_at_least(value, floor: float) -> bool:
    try:
        return math.isfinite(float(value)) and float(value) >= floor
    except (TypeError, ValueError):
        return False


def headline(equal_diameter: pd.DataFrame, equal_velocity: pd.DataFrame, calibrated_1um: float,
             break_even: dict) -> str:
    """The E1 answer as one sentence with its conditions, from the numbers.

    ``break_even``: glial multiple of the unmyelinated axon's resting cost -> (glial
    cost, break-even rate in Hz), for the 1 um pair."""
    eq = equal_diameter.sort_values("diameter_um")
    at1 = eq.loc[np.isclose(eq["diameter_um"], 1.0), "ratio"]
    ev = equal_velocity["ratio"].dropna()
    parts = [f"equal diameter: {_span(eq['ratio'].min(), eq['ratio'].max(), '.3g')}x over "
             f"{_span(eq['diameter_um'].min(), eq['diameter_um'].max(), 'g')} um with the "
             "default (Mainen-Sejnowski) nodes"
             + (f" (about {at1.iloc[0]:.3g}x at 1 um" if len(at1) else " (")
             + (f"; {calibrated_1um:.3g}x with nodes costing what Hallermann et al. 2012's "
                "do)" if math.isfinite(calibrated_1um) else ")")]
    if len(ev):
        sizes = equal_velocity.loc[ev.index, "diameter_um"]
        parts.append(f"equal velocity: {_span(ev.min(), ev.max(), '.3g')}x over myelinated "
                     f"axons of {_span(sizes.min(), sizes.max(), 'g')} um")

    def when(f):
        return ("at every firing rate" if f == 0 else f"above {f:.2g} Hz" if math.isfinite(f)
                else "at no firing rate")

    if 0.0 in break_even:
        text = f"with both axons' resting costs, myelin pays off {when(break_even[0.0][1])}"
        glial = [f"{when(f)} with glia spending {k:g}x what the unmyelinated axon spends at "
                 "rest" for k, (_, f) in break_even.items() if k > 0]
        parts.append(text + " at 1 um" + (" (" + ", ".join(glial) + ")" if glial else ""))
    return "; ".join(parts) + "."


def _span(lo: float, hi: float, fmt: str) -> str:
    return f"{lo:{fmt}}" if f"{lo:{fmt}}" == f"{hi:{fmt}}" else f"{lo:{fmt}}-{hi:{fmt}}"


# --------------------------------------------------------------------------- sweeps
def _run(out_dir, name: str, protocol: str, points: list[dict], failures: list[str],
         jobs: int = 1) -> pd.DataFrame:
    """Run (or resume) the distinct ``points`` as one sweep in
    data/sweeps/NAME/SPEC-STAMP: finished points of an interrupted report are reused,
    never recomputed. The folder is named by the spec's digest and the code's stamp
    (:func:`cablemodels.sweep.stamp`), so a quick and a full report can share an output
    folder, and folders computed by other code are removed. Expected failures are
    listed; any other error stops the analysis."""
    import hashlib
    import json
    import shutil

    unique = {sweep.point_key(protocol, p): p for p in points}
    spec = sweep.SweepSpec(protocol, points=tuple(unique.values()))
    code = hashlib.sha256(json.dumps(sweep.stamp(), sort_keys=True).encode()).hexdigest()[:8]
    parent = Path(out_dir) / "data" / "sweeps" / name
    folder = parent / f"{spec.digest()[:12]}-{code}"
    for old in parent.glob("*") if parent.is_dir() else []:
        if old.is_dir() and not old.name.endswith(f"-{code}"):
            shutil.rmtree(old)  # computed by other code: never reusable
    frame = sweep.run(spec, folder, jobs=jobs, progress=False)
    if len(frame) != len(unique):
        raise RuntimeError(f"E1 sweep {name}: {len(frame)} of {len(unique)} points came back "
                           f"(see the warnings above and {folder})")
    frame["key"] = [sweep.point_key(protocol, p) for p in unique.values()]
    for _, row in frame[frame["status"] != "ok"].iterrows():
        if not str(row["error"]).startswith(EXPECTED_FAILURES):
            raise RuntimeError(f"E1 sweep {name} point {row['point']} failed: {row['error']}")
        failures.append(f"{name} {row['point']}: {str(row['error'])[:160]}")
    return frame.set_index("key")


def _get(frame: pd.DataFrame, protocol: str, point: dict):
    """The result row of ``point`` if it succeeded, else None."""
    row = frame.loc[sweep.point_key(protocol, point)]
    return row if row["status"] == "ok" else None


def _unmy(d, kinetics="wb", temperature=None) -> dict:
    p = {"kinetics": kinetics, "diameter_um": float(d),
         "length_um": max(4000.0, sweep.unmyelinated_length_um(d)) if kinetics == "squid"
         else sweep.unmyelinated_length_um(d)}
    if temperature is not None:
        p["temperature_degC"] = float(temperature)
    return p


def _my(d, kinetics="ms96", temperature=None, **changes) -> dict:
    p = {"kinetics": kinetics, "axon_diameter_um": float(d), **changes}
    if temperature is not None:
        p["temperature_degC"] = float(temperature)
    return p


def _buildable(protocol: str, point: dict) -> bool:
    try:
        sweep.point_params(protocol, point)
        return True
    except (ValueError, TypeError):
        return False


# --------------------------------------------------------------------------- figures
def _map_panel(ax, xs, ys, grid, title, ylabel, fig, log_y=True):
    """A heatmap of ratios (log colour) with contour lines; missing points hatched."""
    from matplotlib.colors import LogNorm

    def log_edges(v):
        v = np.asarray(v, dtype=float)
        return np.sqrt(np.r_[v[0] ** 3 / v[1], v[:-1] * v[1:], v[-1] ** 3 / v[-2]])

    x_edges = log_edges(xs)
    if log_y:
        y_edges = log_edges(ys)
    else:
        mids = (np.array(ys[:-1]) + ys[1:]) / 2
        y_edges = np.r_[2 * ys[0] - mids[0], mids, 2 * ys[-1] - mids[-1]]
    masked = np.ma.masked_invalid(grid)
    ax.set_facecolor("0.85")
    mesh = ax.pcolormesh(x_edges, y_edges, masked, norm=LogNorm(vmin=0.1, vmax=1000),
                         cmap="viridis", shading="flat")
    finite = np.isfinite(grid)
    if finite.sum() >= 4:
        levels = [c for c in CONTOURS if np.nanmin(grid) < c < np.nanmax(grid)]
        if levels:
            cs = ax.contour(xs, ys, np.where(finite, grid, np.nan), levels=levels,
                            colors="white", linewidths=0.8)
            ax.clabel(cs, fmt=lambda v: f"{v:g}x", fontsize=8)
    ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    ax.set(xlabel="axon diameter (um)", ylabel=ylabel, title=title)
    return mesh


# --------------------------------------------------------------------------- analysis
def main(out_dir, quick=False) -> Section:
    failures: list[str] = []
    diameters = [0.2, 1.0, 10.0] if quick else [0.2, 0.35, 0.6, 1.0, 2.0, 3.5, 6.0, 10.0, 20.0]
    gnas = [1.0, 3.0] if quick else [0.1, 0.2, 0.5, 1.0, 3.0, 6.0]   # MS96 nodal Na+, S/cm2
    g_ratios = [0.6, 0.8] if quick else [0.55, 0.6, 0.7, 0.8]
    temperatures = [33.0, 37.0] if quick else [30.0, 33.0, 37.0, 40.0]
    thin = [0.2, 1.0] if quick else [0.2, 0.5, 1.0]
    ev_diameters = [1.0] if quick else [0.2, 0.6, 1.0, 2.0, 3.5, 6.0]
    default_gna = 3.0
    mrg_fibres = [10.0] if quick else [5.7, 10.0, 16.0]
    cns_regions = [] if quick else ["optic_nerve", "cortex"]
    mrg_d = {f: mrg_geometry(f).axon_diameter_um for f in mrg_fibres}

    # ---- points -------------------------------------------------------------------
    map_a = {(d, g): _my(d, node_gnabar_S_cm2=g) for d in diameters for g in gnas}
    map_b = {(d, g): _my(d, g_ratio=g) for d in diameters for g in g_ratios}
    map_b = {k: p for k, p in map_b.items() if _buildable("myelinated_ap", p)}
    default = {d: _my(d) for d in diameters}
    wb_nodes = {d: _my(d, "wb") for d in diameters}
    temp_my = {t: _my(1.0, temperature=t) for t in temperatures}
    temp_un = {t: _unmy(1.0, temperature=t) for t in temperatures}
    cm_points = {(d, c): _my(d, cm_per_lamella_membrane_uF_cm2=c)
                 for d in thin for c in MYELIN_CM_OPTIONS_UF_CM2}
    double = {"double": _my(1.0, representation="double")}
    squid_set = [(t, d, g) for t in (6.3, 18.5) for d in ([10.0] if quick else [1.0, 10.0])
                 for g in (None, SQUID_NODE_GNABAR_S_CM2)]
    squid_my = {k: _my(k[1], "squid", k[0], **({} if k[2] is None else {
        "node_gnabar_S_cm2": k[2], "node_gkbar_S_cm2": SQUID_NODE_GKBAR_S_CM2}))
        for k in squid_set}
    squid_un = {(t, d): _unmy(d, "squid", t) for t, d, _ in squid_set}
    cns_d = {r: P.value(f"cns.{r}.axon_diameter_um") for r in cns_regions}
    unmy_d = sorted(set(diameters) | set(thin) | set(mrg_d.values()) | set(cns_d.values()))

    un_points = ([_unmy(d) for d in unmy_d] + list(temp_un.values()) + list(squid_un.values()))
    my_points = (list(default.values()) + list(map_a.values()) + list(map_b.values())
                 + list(wb_nodes.values()) + list(temp_my.values()) + list(cm_points.values())
                 + list(double.values()) + list(squid_my.values()))
    un = _run(out_dir, "unmyelinated", "unmyelinated_ap", un_points, failures, jobs=2)
    my = _run(out_dir, "myelinated", "myelinated_ap", my_points, failures, jobs=2)
    mrg = _run(out_dir, "mrg", "mrg_ap", [{"fibre_diameter_um": f} for f in mrg_fibres],
               failures, jobs=2)
    cns = (_run(out_dir, "cns", "cns_ap", [{"region": r} for r in cns_regions], failures,
                jobs=2) if cns_regions else None)

    def U(point):
        return _get(un, "unmyelinated_ap", point)

    def M(point):
        return _get(my, "myelinated_ap", point)

    # ---- 1. equal diameter and its decomposition ---------------------------------
    rows_eq, rows_dec = [], []
    for label, family in (("WB axon vs MS96 nodes", default), ("WB axon vs WB nodes", wb_nodes)):
        for d, point in family.items():
            u, m = U(_unmy(d)), M(point)
            if u is None or m is None:
                continue
            rows_eq.append({"comparison": label, "diameter_um": d,
                            "unmy_atp_per_um": u["atp_per_um"], "my_atp_per_um": m["atp_per_um"],
                            "unmy_velocity_m_s": u["velocity_m_s"],
                            "my_velocity_m_s": m["velocity_m_s"],
                            "ratio": u["atp_per_um"] / m["atp_per_um"],
                            "unmy_rest_atp_per_s_per_um": u["rest_atp_per_s_per_um"],
                            "my_rest_atp_per_s_per_um": m["rest_atp_per_s_per_um"]})
            dec = decompose(u, m, sweep.point_params("unmyelinated_ap", _unmy(d)),
                            sweep.point_params("myelinated_ap", point))
            rows_dec.append({"comparison": label, "diameter_um": d, **dec})
    for (d, g), point in map_a.items():
        u, m = U(_unmy(d)), M(point)
        if u is not None and m is not None and g != default_gna:
            dec = decompose(u, m, sweep.point_params("unmyelinated_ap", _unmy(d)),
                            sweep.point_params("myelinated_ap", point))
            rows_dec.append({"comparison": f"WB axon vs MS96 nodes, gNa {g:g} S/cm2",
                             "diameter_um": d, **dec})
    equal_d = pd.DataFrame(rows_eq)
    decomposition = pd.DataFrame(rows_dec)
    ms96 = equal_d[equal_d["comparison"] == "WB axon vs MS96 nodes"].set_index("diameter_um")

    # calibrated node: nodal cost of Hallermann et al. 2012, from the decomposition
    calibrated = []
    for d, point in default.items():
        u, m = U(_unmy(d)), M(point)
        if u is None or m is None:
            continue
        calibrated.append({"diameter_um": d, "node_atp_per_um2": HALLERMANN_NODE_ATP_PER_UM2,
                           "ratio": ratio_with_node_cost(
                               u["atp_per_um"], m, sweep.point_params("myelinated_ap", point),
                               HALLERMANN_NODE_ATP_PER_UM2),
                           "simulated_node_atp_per_um2": m["node_atp_per_um2"]})
    calibrated = pd.DataFrame(calibrated)

    # ---- 2. maps -----------------------------------------------------------------
    def grid_of(points, keys_y):
        values, cost = np.full((len(keys_y), len(diameters)), np.nan), {}
        for (d, y), point in points.items():
            u, m = U(_unmy(d)), M(point)
            if u is not None and m is not None:
                values[keys_y.index(y), diameters.index(d)] = u["atp_per_um"] / m["atp_per_um"]
                cost.setdefault(y, []).append(m["node_atp_per_um2"])
        return values, cost

    grid_a, node_cost = grid_of(map_a, gnas)
    grid_b, _ = grid_of(map_b, g_ratios)
    map_rows = [{"map": "diameter x nodal gNa", "diameter_um": d, "node_gnabar_S_cm2": g,
                 "g_ratio": 0.6, "ratio": grid_a[gnas.index(g), diameters.index(d)]}
                for d, g in map_a] + \
               [{"map": "diameter x g-ratio", "diameter_um": d, "node_gnabar_S_cm2": default_gna,
                 "g_ratio": g, "ratio": grid_b[g_ratios.index(g), diameters.index(d)]}
                for d, g in map_b]
    maps = pd.DataFrame(map_rows)

    presets = []
    for f in mrg_fibres:
        r = _get(mrg, "mrg_ap", {"fibre_diameter_um": f})
        u = U(_unmy(mrg_d[f]))
        if r is not None and u is not None:
            presets.append({"preset": f"MRG {f:g} um fibre", "diameter_um": mrg_d[f],
                            "g_ratio": mrg_geometry(f).g_ratio,
                            "node_atp_per_um2": r["node_atp_per_um2"],
                            "ratio": u["atp_per_um"] / r["atp_per_um"],
                            "velocity_m_s": r["velocity_m_s"], "atp_per_um": r["atp_per_um"]})
    for region in cns_regions:
        r = _get(cns, "cns_ap", {"region": region})
        if r is None:
            continue
        d = cns_d[region]
        u = U(_unmy(d))
        if u is not None:
            presets.append({"preset": f"CNS {region.replace('_', ' ')}", "diameter_um": d,
                            "g_ratio": r["g_ratio"], "node_atp_per_um2": r["node_atp_per_um2"],
                            "ratio": u["atp_per_um"] / r["atp_per_um"],
                            "velocity_m_s": r["velocity_m_s"], "atp_per_um": r["atp_per_um"]})
    presets = pd.DataFrame(presets, columns=["preset", "diameter_um", "g_ratio",
                                             "node_atp_per_um2", "ratio", "velocity_m_s",
                                             "atp_per_um"])

    # ---- 3. equal velocity --------------------------------------------------------
    targets = {d: M(default[d]) for d in ev_diameters}
    ev_points = {d: {"target_velocity_m_s": float(round(m["velocity_m_s"], 6))}
                 for d, m in targets.items() if m is not None}
    ev = (_run(out_dir, "equal_velocity", "unmyelinated_at_velocity", list(ev_points.values()),
               failures, jobs=2) if ev_points else None)
    ev_rows = []
    for d, point in ev_points.items():
        r = _get(ev, "unmyelinated_at_velocity", point)
        m = targets[d]
        ev_rows.append({"diameter_um": d, "my_velocity_m_s": m["velocity_m_s"],
                        "my_atp_per_um": m["atp_per_um"],
                        "unmy_diameter_um": r["diameter_um"] if r is not None else np.nan,
                        "unmy_velocity_m_s": r["velocity_m_s"] if r is not None else np.nan,
                        "unmy_atp_per_um": r["atp_per_um"] if r is not None else np.nan,
                        "evaluations": r["evaluations"] if r is not None else np.nan,
                        "ratio": r["atp_per_um"] / m["atp_per_um"] if r is not None else np.nan})
    equal_v = pd.DataFrame(ev_rows, columns=["diameter_um", "my_velocity_m_s", "my_atp_per_um",
                                             "unmy_diameter_um", "unmy_velocity_m_s",
                                             "unmy_atp_per_um", "evaluations", "ratio"])

    # ---- 4. resting costs, glia, break-even ---------------------------------------
    ref = ms96.loc[1.0] if 1.0 in ms96.index else None
    costs, break_even = [], {}
    if ref is not None:
        args = (ref["unmy_atp_per_um"], ref["unmy_rest_atp_per_s_per_um"], ref["my_atp_per_um"],
                ref["my_rest_atp_per_s_per_um"])
        for k in GLIA_MULTIPLES_OF_UNMY_REST:
            glia = k * ref["unmy_rest_atp_per_s_per_um"]
            break_even[k] = (glia, break_even_rate_hz(*args, glia_atp_per_s_per_um=glia))
        for rate in np.logspace(-2, 2, 41):
            row = {"rate_hz": rate,
                   "unmy_atp_per_s_per_um": args[1] + rate * args[0],
                   "my_atp_per_s_per_um": args[3] + rate * args[2],
                   "max_glia_atp_per_s_per_um": max_glia_cost(rate, *args)}
            costs.append(row)
    costs = pd.DataFrame(costs)
    glia_rows = pd.DataFrame([{"glia_multiple_of_unmyelinated_rest": k, "glia_atp_per_s_per_um": g,
                               "break_even_hz": f} for k, (g, f) in break_even.items()])

    # ---- 5. temperature -------------------------------------------------------------
    temp_rows = []
    for t in temperatures:
        u, m = U(temp_un[t]), M(temp_my[t])
        temp_rows.append({"temperature_degC": t,
                          "ratio": u["atp_per_um"] / m["atp_per_um"] if u is not None and m is not None else np.nan,
                          "unmy_velocity_m_s": u["velocity_m_s"] if u is not None else np.nan,
                          "my_velocity_m_s": m["velocity_m_s"] if m is not None else np.nan,
                          "conducts": u is not None and m is not None})
    temps = pd.DataFrame(temp_rows)
    squid_rows = []
    for (t, d, g), point in squid_my.items():
        u, m = U(squid_un[(t, d)]), M(point)
        err = "" if m is not None and u is not None else str(
            my.loc[sweep.point_key("myelinated_ap", point), "error"])
        squid_rows.append({"temperature_degC": t, "diameter_um": d,
                           "node_gnabar_S_cm2": g if g is not None else 0.12,
                           "ratio": u["atp_per_um"] / m["atp_per_um"] if not err else np.nan,
                           "my_velocity_m_s": m["velocity_m_s"] if not err else np.nan,
                           "error": err})
    squid = pd.DataFrame(squid_rows)

    # ---- 6. myelin capacitance ------------------------------------------------------
    cm_rows = []
    for (d, c), point in cm_points.items():
        u, m = U(_unmy(d)), M(point)
        cm_rows.append({"diameter_um": d, "cm_per_lamella_membrane_uF_cm2": c,
                        "ratio": u["atp_per_um"] / m["atp_per_um"] if u is not None and m is not None else np.nan,
                        "velocity_m_s": m["velocity_m_s"] if m is not None else np.nan})
    cms = pd.DataFrame(cm_rows)
    dbl = M(double["double"])

    # ---- figures ----------------------------------------------------------------------
    figs = []
    fig, ax = figure(2, 4.4, 3.6)
    dec = decomposition[decomposition["comparison"] == "WB axon vs MS96 nodes"]
    ax[0].loglog(dec["diameter_um"], dec["r_cap"], "s-", c=PALETTE["theory"],
                 label="capacitive bound R_cap")
    ax[0].loglog(dec["diameter_um"], dec["product"], "^--", c=PALETTE["claim"],
                 label="R_cap x E_unmy / E_my")
    ax[0].loglog(dec["diameter_um"], dec["ratio"], "o", mfc="none", c=PALETTE["myelinated"],
                 label="simulated ratio")
    if len(calibrated):
        ax[0].loglog(calibrated["diameter_um"], calibrated["ratio"], "d:", c=PALETTE["wb"],
                     label="nodes at Hallermann 2012 cost")
    ax[0].set(xlabel="axon diameter (um)", ylabel="ATP/um unmyelinated / myelinated",
              title="What sets the equal-diameter ratio")
    ax[0].legend()
    ax[1].semilogx(dec["diameter_um"], dec["unmy_excess"], "o-", c=PALETTE["unmyelinated"],
                   label="unmyelinated axon (WB)")
    ax[1].semilogx(dec["diameter_um"], dec["my_excess"], "s-", c=PALETTE["myelinated"],
                   label="myelinated axon (MS96 nodes)")
    ax[1].set_yscale("log")
    ax[1].set(xlabel="axon diameter (um)", ylabel="Na+ / capacitive minimum",
              title="Excess factors")
    ax[1].legend()
    figs.append(save_figure(fig, out_dir, "myelin_decomposition", caption=(
        "Left: the equal-diameter ratio of ATP per um per action potential (Wang-Buzsaki "
        "unmyelinated axon over a single-cable myelinated axon with Mainen-Sejnowski nodes, "
        "g-ratio 0.6, internode 100 x fibre diameter, 37 degC), the capacitive bound R_cap "
        "(capacitance per um from the geometry times the spike amplitude), and the product "
        "R_cap x unmyelinated excess / myelinated excess; dotted: the ratio if the nodes cost "
        "Hallermann et al. 2012's 35,179 ATP per um2 (computed, not simulated). Right: the "
        "excess factors (Na+ entry over the capacitive minimum of the same membrane).")))

    fig, ax = figure(2, 4.4, 3.8)
    ys_a = [float(np.mean(node_cost[g])) if g in node_cost else np.nan for g in gnas]
    mesh = _map_panel(ax[0], diameters, gnas, grid_a, "Nodal Na+ density (MS96 nodes)",
                      "nodal gNa (S/cm2)", fig)
    markers = ["o", "s", "^", "D", "v", "P"]
    for i, (_, p) in enumerate(presets.iterrows()):
        gna = 3.0  # MRG 2002 and the CNS model both give their nodes 3 S/cm2 fast Na+
        ax[0].plot(p["diameter_um"], gna, markers[i % 6], mfc="none", mec="red", ms=7,
                   label=f"{p['preset']}: {p['ratio']:.3g}x")
        ax[1].plot(p["diameter_um"], p["g_ratio"], markers[i % 6], mfc="none", mec="red", ms=7)
    ax[0].set_yticks(gnas)
    ax[0].set_yticklabels([f"{g:g}" for g in gnas])
    _map_panel(ax[1], diameters, g_ratios, grid_b, "g-ratio (gNa 3 S/cm2)", "g-ratio", fig,
               log_y=False)
    fig.colorbar(mesh, ax=ax[1], label="x cheaper (equal diameter)")
    figs.append(save_figure(fig, out_dir, "myelin_maps", caption=(
        "Equal-diameter ratio (ATP per um, WB unmyelinated axon over the myelinated axon) "
        "over axon diameter and the nodal Na+ density of Mainen-Sejnowski nodes (left; "
        "nodal cost per um2 from "
        + ", ".join(f"{c / 1e3:.0f}k" for c in ys_a if np.isfinite(c))
        + " ATP per um2 per spike for the rows, against Hallermann et al. 2012's 35k) and "
        "over diameter and g-ratio (right); contours at 10, 30, 100 and 300x; grey: no "
        "verified spike (or no buildable sheath). Red circles: the published MRG 2002 fibres "
        "and the CNS axons of Arancibia-Carcamo et al. 2017 (their own nodal kinetics), "
        "placed at their axon diameter, their nodes' 3 S/cm2 and their g-ratio: "
        + "; ".join(f"{name} {p['preset']} ({p['ratio']:.3g}x)" for name, (_, p) in zip(
            ("circle", "square", "triangle", "diamond", "inverted triangle", "plus"),
            presets.iterrows())) + ".")))

    fig, ax = figure(2, 4.4, 3.6)
    ok = equal_v.dropna(subset=["ratio"])
    ax[0].loglog(ok["diameter_um"], ok["ratio"], "o-", c=PALETTE["myelinated"],
                 label="equal velocity (simulated)")
    if len(ms96):
        ax[0].loglog(ms96.index, ms96["ratio"], "s--", c=PALETTE["claim"], label="equal diameter")
    ax[0].set(xlabel="myelinated axon diameter (um)", ylabel="ATP/um unmyelinated / myelinated",
              title="Equal velocity")
    ax[0].legend()
    ax[1].loglog(ok["diameter_um"], ok["unmy_diameter_um"], "o-", c=PALETTE["unmyelinated"])
    for _, r in ok.iterrows():
        ax[1].annotate(f"{r['my_velocity_m_s']:.3g} m/s", (r["diameter_um"], r["unmy_diameter_um"]),
                       textcoords="offset points", xytext=(5, 2), fontsize=8)
    ax[1].set(xlabel="myelinated axon diameter (um)",
              ylabel="unmyelinated diameter, same velocity (um)", title="Diameter it needs")
    figs.append(save_figure(fig, out_dir, "myelin_equal_velocity", caption=(
        "Left: ATP per um per action potential of an unmyelinated WB axon conducting as fast "
        "as each myelinated axon (MS96 nodes, g-ratio 0.6, 37 degC) over the myelinated "
        "axon's; its diameter was found by root-finding on simulated velocity (within "
        "0.25%). Dashed: the equal-diameter ratio. Right: the unmyelinated diameter needed, "
        "with the shared velocity.")))

    if len(costs):
        fig, ax = figure(2, 4.4, 3.6)
        ax[0].loglog(costs["rate_hz"], costs["unmy_atp_per_s_per_um"], "-",
                     c=PALETTE["unmyelinated"], label="unmyelinated 1 um")
        for k, (glia, f) in break_even.items():
            ax[0].loglog(costs["rate_hz"], costs["my_atp_per_s_per_um"] + glia,
                         "-" if k == 0 else "--", c=PALETTE["myelinated"], alpha=1 - 0.25 * k / 3,
                         label=f"myelinated + glia {k:g}x unmy. rest"
                         + (f" (break-even {f:.2g} Hz)" if math.isfinite(f) else ""))
        ax[0].set(xlabel="mean firing rate (Hz)", ylabel="ATP per um per s",
                  title="Total cost (rest + spikes)")
        ax[0].legend()
        pos = costs[costs["max_glia_atp_per_s_per_um"] > 0]
        ax[1].loglog(pos["rate_hz"], pos["max_glia_atp_per_s_per_um"], "-", c=PALETTE["theory"])
        ax[1].set(xlabel="mean firing rate (Hz)", ylabel="largest glial cost (ATP/s per um)",
                  title="Glia myelin can pay for")
        figs.append(save_figure(fig, out_dir, "myelin_break_even", caption=(
            "Left: ATP per um of axon per second at a mean firing rate, resting cost (pump "
            "cost of the resting Na+ influx) plus rate x cost per spike, for 1 um axons (WB "
            "unmyelinated; MS96 nodes), with a glial resting term of 0, 1 and 3 times the "
            "unmyelinated axon's resting cost. Right: the largest glial resting cost at which "
            "the myelinated axon is still the cheaper one.")))

    fig, ax = figure(2, 4.4, 3.4)
    t_ok = temps[temps["conducts"]]
    ax[0].plot(t_ok["temperature_degC"], t_ok["ratio"], "o-", c=PALETTE["myelinated"],
               label="ratio (1 um, equal diameter)")
    ax[0].set(xlabel="temperature (degC)", ylabel="ATP/um ratio", title="Temperature")
    ax2 = ax[0].twinx()
    ax2.plot(t_ok["temperature_degC"], t_ok["my_velocity_m_s"], "s--", c=PALETTE["claim"])
    ax2.set_ylabel("myelinated velocity (m/s)")
    ax3 = ax[1].twinx()
    for c, g in cms.groupby("cm_per_lamella_membrane_uF_cm2"):
        ax[1].loglog(g["diameter_um"], g["ratio"], "o-", label=f"ratio, {c:g} uF/cm2")
        ax3.loglog(g["diameter_um"], g["velocity_m_s"], "s--", label=f"velocity, {c:g} uF/cm2")
    ax3.set_ylabel("myelinated velocity (m/s)")
    ax[1].set(xlabel="axon diameter (um)", ylabel="ATP/um ratio", title="Myelin capacitance")
    ax[1].legend(loc="upper left")
    ax3.legend(loc="lower right")
    figs.append(save_figure(fig, out_dir, "myelin_conditions", caption=(
        "Left: the equal-diameter ratio for 1 um axons (WB unmyelinated, MS96 nodes) and the "
        "myelinated velocity (dashed, right axis) from 30 to 40 degC (points without a verified "
        "spike omitted). Right: the ratio (solid) and the myelinated velocity (dashed, right "
        "axis) for thin axons with a myelin capacitance of 0.1 (McIntyre et al. 2002) or 0.9 "
        "uF/cm2 per membrane (Arancibia-Carcamo et al. 2017).")))

    data = [save_data(equal_d, out_dir, "myelin_equal_diameter"),
            save_data(decomposition, out_dir, "myelin_decomposition"),
            save_data(calibrated, out_dir, "myelin_calibrated_node"),
            save_data(maps, out_dir, "myelin_maps"),
            save_data(presets, out_dir, "myelin_presets"),
            save_data(equal_v, out_dir, "myelin_equal_velocity"),
            save_data(costs, out_dir, "myelin_costs_vs_rate"),
            save_data(glia_rows, out_dir, "myelin_break_even"),
            save_data(temps, out_dir, "myelin_temperature"),
            save_data(squid, out_dir, "myelin_squid"),
            save_data(cms, out_dir, "myelin_capacitance")]

    # ---- rows ---------------------------------------------------------------------------
    lit = "Attwell & Laughlin 2001"
    wb_axon = UnmyelinatedAxonParams.mammalian()
    ms96_fibre = MyelinatedAxonParams.mammalian()
    dep = declared(wb_axon, ms96_fibre)
    cal1 = (float(calibrated.loc[np.isclose(calibrated["diameter_um"], 1.0), "ratio"].iloc[0])
            if len(calibrated) and np.isclose(calibrated["diameter_um"], 1.0).any() else np.nan)
    f0 = break_even.get(0.0, (0.0, np.nan))[1]
    sentence = headline(ms96.reset_index(), equal_v, cal1, break_even)
    rows = []
    lo, hi = ms96["ratio"].min(), ms96["ratio"].max()
    rows.append(Row(
        "E1", "ATP/um ratio at equal diameter, range over 0.2-20 um (WB axon vs MS96 nodes)",
        ms96.loc[1.0, "ratio"] if 1.0 in ms96.index else np.nan, "ratio", "about 100", "", lit,
        f"{lo:.3g}-{hi:.3g}x over {ms96.index.min():g}-{ms96.index.max():g} um; "
        f"{ms96.loc[1.0, 'ratio']:.3g}x at 1 um (the value)" if 1.0 in ms96.index else "",
        "37 degC, g-ratio 0.6, internode 100 x fibre diameter; " + dep,
        comparison="equal diameter",
        **judge_span(ms96.loc[1.0, "ratio"] if 1.0 in ms96.index else np.nan, ms96["ratio"],
                     "diameter")))
    if len(ok):
        lo_v, hi_v = ok["ratio"].min(), ok["ratio"].max()
        rows.append(Row(
            "E1", "ATP/um ratio at equal velocity, range over myelinated sizes", float(
                ok.loc[np.isclose(ok["diameter_um"], 1.0), "ratio"].iloc[0])
            if np.isclose(ok["diameter_um"], 1.0).any() else float(ok["ratio"].iloc[0]),
            "ratio", "about 100", "", lit,
            f"{lo_v:.3g}-{hi_v:.3g}x over {ok['diameter_um'].min():g}-{ok['diameter_um'].max():g}"
            " um myelinated axons (unmyelinated "
            f"{ok['unmy_diameter_um'].min():.3g}-{ok['unmy_diameter_um'].max():.4g} um, found "
            "by root-finding on simulated velocity)",
            "MS96 nodes vs WB unmyelinated; " + dep, comparison="equal velocity",
            **judge_span(lo_v, ok["ratio"], "myelinated size")))
    if math.isfinite(cal1):
        rows.append(Row("E1", "ATP/um ratio at 1 um with nodes at Hallermann et al. 2012's cost",
                        cal1, "ratio", "about 100", "35,179 ATP per um2 of node",
                        "Hallermann et al. 2012 (ModelDB 144526)",
                        f"{cal1:.3g}x (computed from the decomposition, not simulated)",
                        "the MS96 fibre with its nodal Na+ entry replaced by the published per-area"
                        " cost; " + dep, comparison="equal diameter",
                        **judge_single(cal1)))
    if ref is not None:
        rule = ("supported if myelin pays off at 1 Hz or less (a typical cortical mean rate); "
                "partly if at 10 Hz or less; else not supported")
        rows.append(Row("E1", "break-even mean firing rate, 1 um, with resting costs (no glia)",
                        f0, "Hz", "", "myelination saves energy above a firing rate",
                        "Harris & Attwell 2012 (conclusion only; numbers not retrieved)",
                        ("myelin is cheaper at every rate" if f0 == 0 else
                         f"myelin pays off above {f0:.2g} Hz") + "; with glia spending 1x / 3x the "
                        f"unmyelinated axon's resting cost: {break_even[1.0][1]:.2g} / {break_even[3.0][1]:.2g} Hz",
                        "rest = pump cost of the resting Na+ influx (physiological leaks); "
                        + dep, comparison="equal diameter with resting cost",
                        **judge_condition(f0, f0 <= 1.0, rule, partly=f0 <= 10.0)))
    t_range = t_ok["temperature_degC"]
    rows.append(Row(
        "E1", "ATP/um ratio, 1 um, 30-40 degC (mammalian kinetics)",
        float(t_ok["ratio"].min()) if len(t_ok) else np.nan, "ratio", "about 100", "", lit,
        (f"{t_ok['ratio'].min():.3g}-{t_ok['ratio'].max():.3g}x over {t_range.min():g}-"
         f"{t_range.max():g} degC" if len(t_ok) else "no temperature conducted"),
        "WB unmyelinated vs MS96 nodes; " + dep, comparison="equal diameter",
        **judge_span(float(t_ok["ratio"].min()) if len(t_ok) else np.nan, t_ok["ratio"],
                     "temperature")))
    for d in thin:
        pair = cms[cms["diameter_um"] == d].set_index("cm_per_lamella_membrane_uF_cm2")
        if pair["ratio"].notna().all():
            a, b = pair.loc[0.1], pair.loc[0.9]
            rows.append(Row(
                "E1", f"ratio and velocity at {d:g} um, myelin 0.1 vs 0.9 uF/cm2 per membrane",
                b["ratio"], "ratio", "about 100", "", "McIntyre et al. 2002; Arancibia-Carcamo "
                "et al. 2017", f"{a['ratio']:.3g}x at {a['velocity_m_s']:.3g} m/s (0.1) vs "
                f"{b['ratio']:.3g}x at {b['velocity_m_s']:.3g} m/s (0.9)", dep,
                comparison="equal diameter",
                **judge_single(b["ratio"])))
    for _, p in presets.iterrows():
        rows.append(Row("E1", f"ratio, published fibre: {p['preset']}", p["ratio"], "ratio",
                        "about 100", "", "McIntyre et al. 2002; Arancibia-Carcamo et al. 2017",
                        f"{p['ratio']:.3g}x at {p['diameter_um']:.3g} um ({p['velocity_m_s']:.3g}"
                        " m/s)", "the published model's own nodes against the WB unmyelinated "
                        "axon of the same axon diameter", comparison="equal diameter",
                        **judge_single(p["ratio"])))
    if dbl is not None and 1.0 in ms96.index:
        r = ms96.loc[1.0, "unmy_atp_per_um"] / dbl["atp_per_um"]
        rows.append(Row("E1", "ratio at 1 um, double cable", r, "ratio", "about 100", "", lit,
                        f"{r:.3g}x at {dbl['velocity_m_s']:.3g} m/s (single cable "
                        f"{ms96.loc[1.0, 'ratio']:.3g}x)", "MS96 nodes; the double cable keeps "
                        "the periaxonal space and the internodal axolemma; " + dep,
                        comparison="equal diameter",
                        **judge_single(r)))
    for _, r in squid.iterrows():
        label = (f"ratio, squid kinetics {r['temperature_degC']} degC, {r['diameter_um']} um, "
                 + ("HH nodal density" if r["node_gnabar_S_cm2"] == 0.12 else
                    f"nodal gNa {r['node_gnabar_S_cm2']:g}, gK {SQUID_NODE_GKBAR_S_CM2:g} S/cm2 "
                    "(thought experiment)"))
        if not np.isfinite(r["ratio"]):
            rows.append(Row("E1", label, r["ratio"], "ratio", "about 100", "", lit,
                            "no valid measurement: the myelinated axon's nodes do not carry a "
                            "full action potential", "squid HH on both sides",
                            comparison="equal diameter", **not_measured(r["error"][:200])))
            continue
        rows.append(Row("E1", label, r["ratio"], "ratio", "about 100", "", lit,
                        f"{r['ratio']:.3g}x at {r['my_velocity_m_s']:.3g} m/s",
                        "squid HH on both sides; a thought experiment, not a mammalian fibre"
                        + ("" if r["node_gnabar_S_cm2"] == 0.12 else
                           "; nodal densities raised so the nodes overshoot"),
                        comparison="equal diameter",
                        **judge_single(r["ratio"])))

    notes = [f"**Answer:** {sentence}"]
    d1 = decomposition[(decomposition["comparison"] == "WB axon vs MS96 nodes")
                       & np.isclose(decomposition["diameter_um"], 1.0)]
    if len(d1):
        x = d1.iloc[0]
        notes.append(
            f"Why (1 um, MS96 nodes): the capacitive bound is {x['r_cap']:.0f}x (the myelinated "
            f"axon charges {x['r_cap']:.0f} times less membrane charge per um); the "
            f"unmyelinated WB axon spends {x['unmy_excess']:.2f} times its capacitive minimum, "
            f"the myelinated axon {x['my_excess']:.0f} times (its nodes take "
            f"{x['node_atp_per_um2']:,.0f} ATP per um2 per spike, against "
            f"{HALLERMANN_NODE_ATP_PER_UM2:,.0f} in Hallermann et al. 2012's L5 model); "
            f"{x['r_cap']:.0f} x {x['unmy_excess']:.2f} / {x['my_excess']:.0f} = "
            f"{x['product']:.2f}, simulated {x['ratio']:.2f}.")
    if len(ok):
        notes.append("Equal velocity needs unmyelinated axons of " + ", ".join(
            f"{r['unmy_diameter_um']:.3g} um for {r['my_velocity_m_s']:.3g} m/s"
            for _, r in ok.iterrows()) + "; a 10 um myelinated axon's velocity would need more "
            "than the builders' 5 mm diameter limit, so it is not simulated.")
    if len(glia_rows):
        notes.append(
            "Glia: Harris & Attwell 2012 (J Neurosci 32:356) estimate the myelinating "
            "oligodendrocyte's resting-potential cost and conclude that myelin saves energy "
            "only above a firing rate; their numbers could not be retrieved here, so the "
            "glial term is shown as 0, 1 and 3 times the unmyelinated axon's resting cost "
            f"({ref['unmy_rest_atp_per_s_per_um']:,.0f} ATP/s per um; the myelinated axon's "
            f"own: {ref['my_rest_atp_per_s_per_um']:,.0f}), and data/myelin_costs_vs_rate.csv gives "
            "the largest glial cost myelin can carry at each rate (e.g. "
            f"{max_glia_cost(1.0, *args):,.0f} ATP/s per um at 1 Hz, "
            f"{max_glia_cost(10.0, *args):,.0f} at 10 Hz).")
    bad = temps[~temps["conducts"]]
    notes.append("Temperature: mammalian kinetics conduct at " + ", ".join(
        f"{t:g}" for t in t_range) + " degC" + (
        "; no verified spike at " + ", ".join(f"{t:g}" for t in bad["temperature_degC"])
        + " degC" if len(bad) else "") + ". Squid kinetics appear only as a thought "
        "experiment, with nodes raised to 3x HH's densities so that they overshoot.")
    notes.append(f"Conduction failures (not counted): {'; '.join(failures)}." if failures else
                 "Every configuration counted conducted.")
    notes.append(departure_legend(wb_axon, ms96_fibre,
                                  MyelinatedAxonParams.mammalian(kinetics="wb")))
    notes.append("Maps: " + f"{len(map_a) + len(map_b)} myelinated points "
                 f"({len(diameters)} diameters x {len(gnas)} nodal densities, x "
                 f"{len(g_ratios)} g-ratios where the sheath is buildable), each a resumable "
                 "sweep point in data/sweeps/.")
    return Section("Myelin and the cost of conduction (E1)",
                   {"E1": "Myelination with saltatory conduction makes conduction about 100x "
                          "cheaper than in an unmyelinated fibre."},
                   "Unmyelinated (Wang-Buzsaki membrane) and myelinated axons (single cable, "
                   "MS96 or WB nodes, McIntyre lamellae) at 37 degC over 0.2-20 um, split into "
                   "capacitive bound and excess factors; maps over nodal Na+ density and g-ratio "
                   "with the published MRG and CNS fibres on them; equal velocity by "
                   "root-finding; resting costs, a glial term and the break-even firing rate; "
                   "30-40 degC; myelin capacitance 0.1 vs 0.9 uF/cm2; squid kinetics as a "
                   "thought experiment.", rows, figs, data, notes,
                   answers={"E1": sentence[0].upper() + sentence[1:]})
