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
   (nodal Na+ density swept, MS96 kinetics, each row at its simulated cost; a node
   costing what Hallermann et al. 2012's L5 model's nodes cost is extrapolated from the
   decomposition, :func:`ratio_with_node_cost`) and over
   diameter x g-ratio, with the published MRG 2002 fibre and the CNS axons of
   Arancibia-Carcamo et al. 2017 placed on them. Every point is one point of a
   resumable :mod:`cablemodels.sweep` (``data/sweeps/``): a killed report rerun on
   the same folder recomputes none of the finished points.
3. **Equal velocity** for each myelinated size: the unmyelinated diameter that
   conducts as fast is found by root-finding on simulated velocity
   (:func:`cablemodels.sweep.unmyelinated_at_velocity`), never extrapolated.
4. **What myelin costs to keep**: both axons' resting costs (physiological leaks)
   (the double cable's, whose axolemma leaks in full under the sheath) plus an explicit,
   adjustable glial term; where the cost lines cross and on which side myelin is cheaper
   (:func:`break_even`) and the largest glial cost myelin can carry at a rate
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

import hashlib
import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from cablemodels import parameters as P
from cablemodels import sweep
from cablemodels.axon import MyelinatedAxonParams, UnmyelinatedAxonParams
from cablemodels.mrg import mrg_geometry

from .common import (PALETTE, Row, Section, context, declared, departure_legend, figure,
                     judge_condition, not_measured, save_data, save_figure)

#: Failures that mean "this configuration does not conduct, its nodes do not overshoot,
#: it fires on its own, or it needs a wider axon than the builders make", which the report
#: lists; any other error in a point is a bug and stops the analysis (:func:`_expected`).
EXPECTED_FAILURES = ("PropagationError", "MeasurementError", "DiameterLimitError")
#: A RuntimeError is expected only for a cell that fires on its own (it never settles).
NOT_SETTLED = "has not settled"
#: Squid nodes at HH's own densities do not overshoot in these fibres (peaks -20 to -7 mV),
#: so the squid comparison uses 3x HH's nodal densities (Na+ 0.36, K+ 0.108 S/cm2; Na+
#: alone at 3x makes the nodes fire spontaneously): a labelled thought experiment.
SQUID_NODE_GNABAR_S_CM2, SQUID_NODE_GKBAR_S_CM2 = 0.36, 0.108
#: Hallermann et al. 2012's L5 model: ATP per um2 of node per action potential
#: (ModelDB 144526 readme, "Required ATP molecules to pump Na ions out per um^2":
#: node 3.517895e4, myelin 2.081271e2, initial segment 5.531797e4).
HALLERMANN_NODE_ATP_PER_UM2 = 35179.0
#: Nodal Na+ density (S/cm2, no nodal K+) of the cheapest MS96 node the report simulates:
#: about 44,000 ATP per um2 per spike at 1 um, still overshooting (0.05 S/cm2 does not).
#: MS96 nodes cannot reach Hallermann's 35,179 and overshoot, so that node is
#: extrapolated (:func:`ratio_with_node_cost`) and this one checks the extrapolation.
CHEAP_NODE_GNABAR_S_CM2 = 0.1
#: Myelin capacitance per membrane: MRG 2002's 0.1 uF/cm2 per lamella membrane (our
#: default) and 0.9 uF/cm2, the value of ordinary neuronal membrane (Gentet et al.
#: 2000) that Arancibia-Carcamo et al. 2017 use for each myelin membrane.
MYELIN_CM_OPTIONS_UF_CM2 = (0.1, 0.9)
#: The glial term: ATP per second per um of myelinated axon spent by the myelinating
#: glia at rest. Harris & Attwell 2012 estimate the oligodendrocyte's resting-potential
#: cost, but their numbers could not be retrieved here, so no value is taken from them:
#: the report gives the break-even rate for no glial cost and for glial costs equal to 1x
#: and 3x what the unmyelinated axon of the same diameter spends at rest (stated in ATP/s
#: per um), and the largest glial cost myelin can carry at each firing rate
#: (:func:`max_glia_cost`), which any published estimate can be set against.
GLIA_MULTIPLES_OF_UNMY_REST = (0.0, 1.0, 3.0)
#: Contour levels of the maps (x cheaper).
CONTOURS = (1, 3, 10, 30, 100, 300)
#: The claim's number, and the band a ratio must fall in to be "about" it: half a decade
#: either side (33-300x) for supported, a decade either side (10-1000x) for partly.
CLAIM_RATIO = 100.0
ABOUT = (100.0 / 3, 300.0)
NEAR = (10.0, 1000.0)


def _expected(error: str) -> bool:
    """Whether a failed point's error is one the report lists rather than a bug."""
    return error.startswith(EXPECTED_FAILURES) or (
        error.startswith("RuntimeError") and NOT_SETTLED in error)


# --------------------------------------------------------------------------- numbers
def decompose(unmyelinated: dict, myelinated: dict, u_params: UnmyelinatedAxonParams,
              m_params: MyelinatedAxonParams) -> dict:
    """Split one equal-diameter ratio into its factors.

    ratio = R_cap x E_unmy / E_my, with R_cap = (C'_u / C'_m) x (dV_u / dV_m).

    Parameters
    ----------
    unmyelinated, myelinated : dict
        Results of the ``unmyelinated_ap`` and ``myelinated_ap`` sweep protocols (per
        role: ``ROLE_amplitude_mV``, ``ROLE_excess``; ``atp_per_um``, ``excess_factor``,
        ``cap_min_C_per_um``).
    u_params, m_params
        The parameter objects they were built from (single-cable myelin).

    Returns
    -------
    dict
        ``c_ratio``: capacitance per um, unmyelinated over myelinated, from the geometry
        alone (:meth:`~cablemodels.axon.MyelinatedAxonParams.capacitance_per_um_F`);
        ``swing_ratio``: the spike's amplitude above rest, unmyelinated over the
        myelinated membrane's (each role's capacitance weighting its middle segment's
        amplitude); ``r_cap`` = c_ratio x swing_ratio, the capacitive bound;
        ``r_cap_simulated`` (the ratio of the measured capacitive minima, every segment's
        cm x area x (peak - rest)); ``unmy_excess``, ``my_excess`` (Na+ over the
        capacitive minimum: of the unmyelinated membrane, of the whole myelinated period);
        ``node_excess`` (nodal Na+ over the node's own capacitive minimum) and
        ``node_charge_share`` (the node's part of the period's capacitive charge);
        ``product`` = r_cap x unmy_excess / my_excess and ``ratio`` (simulated);
        ``node_atp_per_um2``.

    Raises
    ------
    ValueError
        If a result lacks the columns of that axon type, or the parameters are not an
        unmyelinated and a single-cable myelinated axon.
    """
    if not isinstance(u_params, UnmyelinatedAxonParams) or not isinstance(
            m_params, MyelinatedAxonParams):
        raise ValueError("decompose needs UnmyelinatedAxonParams and MyelinatedAxonParams "
                         f"(got {type(u_params).__name__}, {type(m_params).__name__})")
    caps = m_params.capacitance_per_um_F()
    need = {"unmyelinated": ("atp_per_um", "excess_factor", "cap_min_C_per_um",
                             "axon_amplitude_mV"),
            "myelinated": ("atp_per_um", "excess_factor", "cap_min_C_per_um", "node_excess",
                           *(f"{role}_amplitude_mV" for role in caps))}
    for name, result in (("unmyelinated", unmyelinated), ("myelinated", myelinated)):
        missing = [k for k in need[name] if k not in result]
        if missing:
            raise ValueError(f"decompose: the {name} result has no {', '.join(missing)} (give "
                             f"the result of the {name}_ap sweep protocol for that axon)")
    cu = u_params.capacitance_per_um_F()["axon"]
    cm = sum(caps.values())
    charge = {role: c * myelinated[f"{role}_amplitude_mV"] for role, c in caps.items()}
    swing_m = sum(charge.values()) / cm
    out = {"c_ratio": cu / cm, "swing_ratio": unmyelinated["axon_amplitude_mV"] / swing_m}
    out["r_cap"] = out["c_ratio"] * out["swing_ratio"]
    out.update({
        "r_cap_simulated": unmyelinated["cap_min_C_per_um"] / myelinated["cap_min_C_per_um"],
        "unmy_excess": unmyelinated["excess_factor"], "my_excess": myelinated["excess_factor"],
        "node_excess": myelinated["node_excess"],
        "node_charge_share": charge["node"] / sum(charge.values()),
        "node_atp_per_um2": myelinated.get("node_atp_per_um2", float("nan"))})
    out["product"] = out["r_cap"] * out["unmy_excess"] / out["my_excess"]
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
    axon's simulated ATP/um). An extrapolation from the decomposition, not a simulation:
    it holds the spike's amplitude and the internode's load as simulated."""
    for name, value in (("unmy_atp_per_um", unmy_atp_per_um),
                        ("node_atp_per_um2", node_atp_per_um2)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise ValueError(f"ratio_with_node_cost: {name} must be a positive number "
                             f"(got {value!r})")
    rest_of_axon = myelinated["atp_per_um"] - myelinated["node_atp_per_um"]
    return unmy_atp_per_um / (node_area_per_um(params) * node_atp_per_um2 + rest_of_axon)


def _check_costs(**values) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) \
                or not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number >= 0 (got {value!r})")


def break_even(unmy_atp_per_spike_um: float, unmy_rest_atp_per_s_um: float,
               my_atp_per_spike_um: float, my_rest_atp_per_s_um: float,
               glia_atp_per_s_per_um: float = 0.0) -> dict:
    """Where the two cost lines ``rest (+ glia) + rate x spike`` cross, and on which side
    the myelinated axon (glia included) is the cheaper one.

    Returns
    -------
    dict
        ``rate_hz`` (the crossing; nan when the lines do not cross at a positive rate) and
        ``myelin_cheaper``: "above" (the rate), "below", "always" or "never".

    Raises
    ------
    ValueError
        For a cost that is negative, not finite or not a number.
    """
    _check_costs(unmy_atp_per_spike_um=unmy_atp_per_spike_um,
                 unmy_rest_atp_per_s_um=unmy_rest_atp_per_s_um,
                 my_atp_per_spike_um=my_atp_per_spike_um,
                 my_rest_atp_per_s_um=my_rest_atp_per_s_um,
                 glia_atp_per_s_per_um=glia_atp_per_s_per_um)
    saving_per_spike = unmy_atp_per_spike_um - my_atp_per_spike_um
    extra_rest = my_rest_atp_per_s_um + glia_atp_per_s_per_um - unmy_rest_atp_per_s_um
    if extra_rest <= 0 and saving_per_spike >= 0:
        return {"rate_hz": float("nan"), "myelin_cheaper": "always"}
    if extra_rest >= 0 and saving_per_spike <= 0:
        return {"rate_hz": float("nan"), "myelin_cheaper": "never"}
    rate = extra_rest / saving_per_spike
    return {"rate_hz": rate, "myelin_cheaper": "above" if saving_per_spike > 0 else "below"}


def break_even_rate_hz(*costs, glia_atp_per_s_per_um: float = 0.0) -> float:
    """Mean firing rate (Hz) above which the myelinated axon, glia included, is cheaper
    (arguments as :func:`break_even`): 0 if it is cheaper at every rate, inf if at none.

    Raises
    ------
    ValueError
        When myelin is cheaper only *below* a rate (cheaper at rest, dearer per spike): no
        rate "above which" exists; use :func:`break_even`.
    """
    found = break_even(*costs, glia_atp_per_s_per_um=glia_atp_per_s_per_um)
    if found["myelin_cheaper"] == "below":
        raise ValueError(f"myelin is cheaper only below {found['rate_hz']:.3g} Hz (cheaper at "
                         "rest, dearer per spike); use break_even() for both sides")
    return {"always": 0.0, "never": math.inf}.get(found["myelin_cheaper"], found["rate_hz"])


def max_glia_cost(rate_hz: float, unmy_atp_per_spike_um: float, unmy_rest_atp_per_s_um: float,
                  my_atp_per_spike_um: float, my_rest_atp_per_s_um: float) -> float:
    """The largest glial resting cost (ATP/s per um) at which myelin still saves energy
    at ``rate_hz`` (negative: it costs more even without glia)."""
    _check_costs(rate_hz=rate_hz, unmy_atp_per_spike_um=unmy_atp_per_spike_um,
                 unmy_rest_atp_per_s_um=unmy_rest_atp_per_s_um,
                 my_atp_per_spike_um=my_atp_per_spike_um,
                 my_rest_atp_per_s_um=my_rest_atp_per_s_um)
    return ((unmy_atp_per_spike_um - my_atp_per_spike_um) * rate_hz
            + unmy_rest_atp_per_s_um - my_rest_atp_per_s_um)


def judge_span(value, span, what: str) -> dict:
    """Outcome of one comparison over a range of conditions (``span``: its ratios). The
    claim says "about 100x" with no condition: supported only if every condition is within
    half a decade of it (33-300x); partly if 100x lies within the range (it holds under
    some of the conditions); otherwise not supported. ``value`` is the row's own number
    (not finite: not measured)."""
    span = [float(v) for v in span if math.isfinite(float(v))]
    rule = (f"supported if every {what} gives {ABOUT[0]:.0f}-{ABOUT[1]:.0f}x (within half a "
            f"decade of the claim's {CLAIM_RATIO:.0f}x); partly if {CLAIM_RATIO:.0f}x lies "
            "within the range; else not supported")
    if not span:
        return not_measured(f"no finite ratio ({rule})")
    return judge_condition(value, ABOUT[0] <= min(span) and max(span) <= ABOUT[1], rule,
                           partly=min(span) <= CLAIM_RATIO <= max(span))


def judge_single(value) -> dict:
    """Outcome of a ratio measured under one set of conditions: supported within half a
    decade of the claim's 100x (33-300x), partly within a decade (10-1000x), otherwise not
    supported."""
    def within(band):
        try:
            return math.isfinite(float(value)) and band[0] <= float(value) <= band[1]
        except (TypeError, ValueError):
            return False

    return judge_condition(value, within(ABOUT),
                           f"supported if {ABOUT[0]:.0f}-{ABOUT[1]:.0f}x (within half a decade "
                           f"of the claim's {CLAIM_RATIO:.0f}x); partly if "
                           f"{NEAR[0]:.0f}-{NEAR[1]:.0f}x; else not supported",
                           partly=within(NEAR))


def _when_cheaper(found: dict) -> str:
    """Where myelin is the cheaper axon, in words, from a :func:`break_even` result."""
    return {"always": "at every firing rate", "never": "at no firing rate",
            "above": f"above {found['rate_hz']:.2g} Hz",
            "below": f"only below {found['rate_hz']:.2g} Hz"}[found["myelin_cheaper"]]


def headline(equal_diameter: pd.DataFrame, equal_velocity: pd.DataFrame, calibrated_1um: float,
             break_evens: dict) -> str:
    """The E1 answer as one sentence with its conditions, from the numbers.

    ``break_evens``: glial multiple of the unmyelinated axon's resting cost ->
    (glial cost in ATP/s per um, :func:`break_even` result), for the 1 um pair."""
    eq = equal_diameter.sort_values("diameter_um")
    at1 = eq.loc[np.isclose(eq["diameter_um"], 1.0), "ratio"]
    ev = equal_velocity["ratio"].dropna()
    parts = [f"equal diameter: {_span(eq['ratio'].min(), eq['ratio'].max(), '.3g')}x over "
             f"{_span(eq['diameter_um'].min(), eq['diameter_um'].max(), 'g')} um with the "
             "default (Mainen-Sejnowski) nodes"
             + (f" (about {at1.iloc[0]:.3g}x at 1 um" if len(at1) else " (")
             + (f"; about {calibrated_1um:.3g}x, extrapolated, if the nodes cost what "
                "Hallermann et al. 2012's do)" if math.isfinite(calibrated_1um) else ")")]
    if len(ev):
        sizes = equal_velocity.loc[ev.index, "diameter_um"]
        parts.append(f"equal velocity: {_span(ev.min(), ev.max(), '.3g')}x over myelinated "
                     f"axons of {_span(sizes.min(), sizes.max(), 'g')} um")

    when = _when_cheaper
    if 0.0 in break_evens:
        text = (f"with both axons' resting costs, myelin pays off "
                f"{when(break_evens[0.0][1])} at 1 um without glia")
        glial = [f"{when(found)} with glia spending {glia:,.0f} ATP/s per um ({k:g}x the "
                 "unmyelinated axon's resting cost)" for k, (glia, found) in break_evens.items()
                 if k > 0]
        parts.append(text + ("; " + ", ".join(glial) if glial else ""))
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
    folder. A folder this function wrote under other code (its name has that form and its
    spec.json names this protocol) is removed: its points can never be reused; anything
    else in data/sweeps/NAME is left alone. Failed points are retried on a resume (a
    crash or a timeout is not final). Expected failures are listed; any other error stops
    the analysis."""
    unique = {sweep.point_key(protocol, p): p for p in points}
    spec = sweep.SweepSpec(protocol, points=tuple(unique.values()))
    code = hashlib.sha256(json.dumps(sweep.stamp(), sort_keys=True).encode()).hexdigest()[:8]
    parent = Path(out_dir) / "data" / "sweeps" / name
    folder = parent / f"{spec.digest()[:12]}-{code}"
    for old in parent.glob("*") if parent.is_dir() else []:
        if (old.is_dir() and re.fullmatch(r"[0-9a-f]{12}-[0-9a-f]{8}", old.name)
                and not old.name.endswith(f"-{code}") and _written_by_us(old, protocol)):
            shutil.rmtree(old)  # computed by other code: never reusable
    frame = sweep.run(spec, folder, jobs=jobs, progress=False, retry_failed=True)
    if len(frame) != len(unique):
        raise RuntimeError(f"E1 sweep {name}: {len(frame)} of {len(unique)} points came back "
                           f"(see the warnings above and {folder})")
    frame["key"] = [sweep.point_key(protocol, p) for p in unique.values()]
    for _, row in frame[frame["status"] != "ok"].iterrows():
        if not _expected(str(row["error"])):
            raise RuntimeError(f"E1 sweep {name} point {row['point']} failed: {row['error']}")
        failures.append(f"{name} {row['point']}: {str(row['error'])[:160]}")
    return frame.set_index("key")


def _written_by_us(folder: Path, protocol: str) -> bool:
    try:
        return json.loads((folder / "spec.json").read_text())["spec"]["protocol"] == protocol
    except (OSError, ValueError, KeyError, TypeError):
        return False


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
    ev_diameters = [1.0] if quick else [0.2, 0.6, 1.0, 2.0, 3.5, 6.0, 10.0]
    default_gna = MyelinatedAxonParams.mammalian().node_membrane.gnabar_S_cm2
    default_g_ratio = MyelinatedAxonParams.mammalian().g_ratio
    mrg_fibres = [10.0] if quick else [5.7, 10.0, 16.0]
    cns_regions = [] if quick else ["optic_nerve", "cortex"]
    mrg_d = {f: mrg_geometry(f).axon_diameter_um for f in mrg_fibres}

    # ---- points -------------------------------------------------------------------
    # the default fibre (nodal gNa 3 S/cm2, g-ratio 0.6) is one point in both maps
    map_a = {(d, g): _my(d) if g == default_gna else _my(d, node_gnabar_S_cm2=g)
             for d in diameters for g in gnas}
    map_b = {(d, g): _my(d) if g == default_g_ratio else _my(d, g_ratio=g)
             for d in diameters for g in g_ratios}
    map_b = {k: p for k, p in map_b.items() if _buildable("myelinated_ap", p)}
    default = {d: _my(d) for d in diameters}
    wb_nodes = {d: _my(d, "wb") for d in diameters}
    # points equal to the default fibre or axon are that point, not a second simulation
    default_t = MyelinatedAxonParams.mammalian().temperature_degC
    default_cm = MyelinatedAxonParams.mammalian().cm_per_lamella_membrane_uF_cm2
    temp_my = {t: _my(1.0) if t == default_t else _my(1.0, temperature=t) for t in temperatures}
    temp_un = {t: _unmy(1.0) if t == default_t else _unmy(1.0, temperature=t)
               for t in temperatures}
    cm_points = {(d, c): _my(d) if c == default_cm else _my(d, cm_per_lamella_membrane_uF_cm2=c)
                 for d in thin for c in MYELIN_CM_OPTIONS_UF_CM2}
    double = {"double": _my(1.0, representation="double")}
    # the cheapest MS96 nodes we can simulate (no nodal K+, low Na+; they still overshoot):
    # a check of the extrapolation to Hallermann's cost from a simulated node near it
    cheap = {"cheap": _my(1.0, node_gnabar_S_cm2=CHEAP_NODE_GNABAR_S_CM2, node_gkbar_S_cm2=0.0)}
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
                 + list(double.values()) + list(cheap.values()) + list(squid_my.values()))
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
    # check: extrapolate the default fibre to the cheap node's simulated cost, and compare
    # with that node's simulated ratio
    cheap_check = None
    u1, m1, c1 = U(_unmy(1.0)), M(default.get(1.0, _my(1.0))), M(cheap["cheap"])
    if u1 is not None and m1 is not None and c1 is not None:
        cheap_check = {
            "node_atp_per_um2": c1["node_atp_per_um2"],
            "simulated": u1["atp_per_um"] / c1["atp_per_um"],
            "extrapolated": ratio_with_node_cost(
                u1["atp_per_um"], m1, sweep.point_params("myelinated_ap", _my(1.0)),
                c1["node_atp_per_um2"]),
            "velocity_m_s": c1["velocity_m_s"]}

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
                 "g_ratio": default_g_ratio, "ratio": grid_a[gnas.index(g), diameters.index(d)]}
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
        ok_r = r is not None
        ev_rows.append({"diameter_um": d, "my_velocity_m_s": m["velocity_m_s"],
                        "my_atp_per_um": m["atp_per_um"],
                        "unmy_diameter_um": r["diameter_um"] if ok_r else np.nan,
                        "unmy_velocity_m_s": r["velocity_m_s"] if ok_r else np.nan,
                        "unmy_atp_per_um": r["atp_per_um"] if ok_r else np.nan,
                        "evaluations": r["evaluations"] if ok_r else np.nan,
                        "ratio": r["atp_per_um"] / m["atp_per_um"] if ok_r else np.nan,
                        "not_simulated": "" if ok_r else str(ev.loc[sweep.point_key(
                            "unmyelinated_at_velocity", point), "error"])})
    equal_v = pd.DataFrame(ev_rows, columns=["diameter_um", "my_velocity_m_s", "my_atp_per_um",
                                             "unmy_diameter_um", "unmy_velocity_m_s",
                                             "unmy_atp_per_um", "evaluations", "ratio",
                                             "not_simulated"])

    # ---- 4. resting costs, glia, break-even ---------------------------------------
    # The single cable folds the axolemma and the sheath into one membrane, which is right
    # for the spike but scales the axolemma's resting Na+ and K+ leak down by the sheath's
    # series factor; at rest that leak flows in full. So the break-even uses the double
    # cable (axolemma under the sheath as its own membrane), spike and rest alike.
    ref = ms96.loc[1.0] if 1.0 in ms96.index else None
    dbl = M(double["double"])
    costs, break_evens = [], {}
    if ref is not None and dbl is not None:
        args = (float(ref["unmy_atp_per_um"]), float(ref["unmy_rest_atp_per_s_per_um"]),
                float(dbl["atp_per_um"]), float(dbl["rest_atp_per_s_per_um"]))
        for k in GLIA_MULTIPLES_OF_UNMY_REST:
            glia = k * args[1]
            break_evens[k] = (glia, break_even(*args, glia_atp_per_s_per_um=glia))
        for rate in np.logspace(-2, 2, 41):
            costs.append({"rate_hz": rate,
                          "unmy_atp_per_s_per_um": args[1] + rate * args[0],
                          "my_atp_per_s_per_um": args[3] + rate * args[2],
                          "max_glia_atp_per_s_per_um": max_glia_cost(rate, *args)})
    costs = pd.DataFrame(costs)
    glia_rows = pd.DataFrame([{"glia_multiple_of_unmyelinated_rest": k,
                               "glia_atp_per_s_per_um": g, "break_even_hz": f["rate_hz"],
                               "myelin_cheaper": f["myelin_cheaper"]}
                              for k, (g, f) in break_evens.items()])

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
        err = ("" if m is not None and u is not None else
               str(my.loc[sweep.point_key("myelinated_ap", point), "error"]) if m is None
               else "the unmyelinated squid axon failed (see the failures)")
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
                     label="nodes at Hallermann 2012 cost (extrapolated)")
    ax[0].set(xlabel="axon diameter (um)", ylabel="ATP/um unmyelinated / myelinated",
              title="What sets the equal-diameter ratio")
    ax[0].legend()
    ax[1].semilogx(dec["diameter_um"], dec["unmy_excess"], "o-", c=PALETTE["unmyelinated"],
                   label="unmyelinated axon (WB)")
    ax[1].semilogx(dec["diameter_um"], dec["my_excess"], "s-", c=PALETTE["myelinated"],
                   label="myelinated axon, whole period")
    ax[1].semilogx(dec["diameter_um"], dec["node_excess"], "^:", c=PALETTE["myelinated"],
                   label="its nodes alone")
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
        "Hallermann et al. 2012's 35,179 ATP per um2 (extrapolated from the decomposition, "
        "not simulated). Right: the excess factors (Na+ entry over the capacitive minimum): of "
        "the unmyelinated membrane, of the myelinated axon's whole node + internode period, "
        "and of its nodes' own membrane.")))

    fig, ax = figure(2, 4.4, 3.8)
    # rows at their simulated nodal cost (ATP per um2 of node per spike, mean over the
    # diameters; it varies by a few % with diameter), sorted; Hallermann's node as a line
    cost_rows = sorted((float(np.mean(node_cost[g])), i) for i, g in enumerate(gnas)
                       if g in node_cost)
    ys_a = [c for c, _ in cost_rows]
    mesh = _map_panel(ax[0], diameters, ys_a, grid_a[[i for _, i in cost_rows]],
                      "Nodal cost (MS96 nodes, gNa swept)", "nodal ATP per um2 per spike", fig)
    ax[0].axhline(HALLERMANN_NODE_ATP_PER_UM2, ls="--", c="white", lw=1)
    ax[0].text(diameters[0], HALLERMANN_NODE_ATP_PER_UM2 * 1.06, "Hallermann 2012 node",
               color="white", fontsize=8, va="bottom")
    ax[0].set_ylim(min(ys_a[0], HALLERMANN_NODE_ATP_PER_UM2) / 1.4, ys_a[-1] * 1.4)
    norm = mesh.norm
    letters = "ABCDEF"
    for i, (_, p) in enumerate(presets.iterrows()):
        face = mesh.cmap(norm(p["ratio"]))
        for axis, y in ((ax[0], p["node_atp_per_um2"]), (ax[1], p["g_ratio"])):
            axis.plot(p["diameter_um"], y, "o", mfc=face, mec="red", ms=8)
            axis.annotate(letters[i], (p["diameter_um"], y), textcoords="offset points",
                          xytext=(5, 3) if i % 2 == 0 else (-11, -12), color="red",
                          fontsize=8, fontweight="bold")
    _map_panel(ax[1], diameters, g_ratios, grid_b, "g-ratio (default nodes)", "g-ratio", fig,
               log_y=False)
    fig.colorbar(mesh, ax=ax[1], label="x cheaper (equal diameter)")
    figs.append(save_figure(fig, out_dir, "myelin_maps", caption=(
        "Equal-diameter ratio (ATP per um per spike, WB unmyelinated axon over the single-"
        "cable myelinated axon, g-ratio 0.6 unless varied, 37 degC): left, over axon diameter "
        "and the nodes' cost per spike (MS96 nodes with nodal Na+ density "
        + ", ".join(f"{gnas[i]:g}" for _, i in cost_rows) + " S/cm2, each row placed at its "
        "simulated cost); right, over diameter and g-ratio with the default nodes. Contours "
        "at " + ", ".join(f"{c:g}" for c in CONTOURS) + "x; grey: no verified spike or no "
        "buildable sheath; dashed: the nodal cost of Hallermann et al. 2012's L5 model "
        "(35,179 ATP per um2). Circles: published fibres with their own nodal kinetics, "
        "filled with their own ratio on the same colour scale, at their axon diameter, "
        "simulated nodal cost and g-ratio: "
        + "; ".join(f"{letters[i]} {p['preset']} ({p['ratio']:.3g}x)"
                    for i, (_, p) in enumerate(presets.iterrows())) + ".")))

    fig, ax = figure(2, 4.4, 3.6)
    ok = equal_v.dropna(subset=["ratio"])
    ax[0].loglog(ok["diameter_um"], ok["ratio"], "o-", c=PALETTE["myelinated"],
                 label="equal velocity (simulated)")
    if len(ms96):
        ax[0].loglog(ms96.index, ms96["ratio"], "s--", c=PALETTE["claim"], label="equal diameter")
    ax[0].set(xlabel="myelinated axon diameter (um)", ylabel="ATP/um unmyelinated / myelinated",
              title="Equal velocity")
    if len(ok):
        ax[0].set_ylim(top=float(ok["ratio"].max()) * 30)  # room for the legend
    ax[0].legend(loc="upper left")
    ax[1].loglog(ok["diameter_um"], ok["unmy_diameter_um"], "o-", c=PALETTE["unmyelinated"])
    for _, r in ok.iterrows():
        ax[1].annotate(f"{r['my_velocity_m_s']:.3g} m/s", (r["diameter_um"], r["unmy_diameter_um"]),
                       textcoords="offset points", xytext=(5, 2), fontsize=8)
    ax[1].set(xlabel="myelinated axon diameter (um)", ylabel="unmyelinated diameter (um)",
              title="Unmyelinated diameter, same velocity")
    figs.append(save_figure(fig, out_dir, "myelin_equal_velocity", caption=(
        "Left: ATP per um per action potential of an unmyelinated WB axon conducting as fast "
        "as each myelinated axon (MS96 nodes, g-ratio 0.6, 37 degC) over the myelinated "
        "axon's; its diameter was found by root-finding on simulated velocity (within "
        "0.25%). Dashed: the equal-diameter ratio. Right: the unmyelinated diameter needed, "
        "with the shared velocity."
        + ("" if not (equal_v["not_simulated"] != "").any() else " Not simulated: "
           + "; ".join(f"{r['diameter_um']:g} um ({r['my_velocity_m_s']:.3g} m/s), whose "
                       "unmyelinated match is wider than the builders' 5 mm"
                       for _, r in equal_v[equal_v["not_simulated"] != ""].iterrows()) + "."))))

    if len(costs):
        fig, ax = figure(2, 4.4, 3.6)
        ax[0].loglog(costs["rate_hz"], costs["unmy_atp_per_s_per_um"], "-",
                     c=PALETTE["unmyelinated"], label="unmyelinated 1 um")
        for k, (glia, f) in break_evens.items():
            ax[0].loglog(costs["rate_hz"], costs["my_atp_per_s_per_um"] + glia,
                         "-" if k == 0 else "--", c=PALETTE["myelinated"], alpha=1 - 0.25 * k / 3,
                         label=f"myelinated + glia {glia / 1e3:,.0f}k"
                         + (f" (break-even {f['rate_hz']:.2g} Hz)"
                            if math.isfinite(f["rate_hz"]) else ""))
        top = max(costs["unmy_atp_per_s_per_um"].max(), costs["my_atp_per_s_per_um"].max()
                  + max(g for g, _ in break_evens.values()))
        ax[0].set_ylim(top=top * 6)  # room for the legend above the curves
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
            "unmyelinated; double-cable myelinated axon with MS96 nodes, whose axolemma leaks "
            "in full under the sheath), with a glial resting term (ATP/s per um) of 0, 1 and "
            "3 times the unmyelinated axon's resting cost. Right: the largest glial resting "
            "cost at which the myelinated axon is still the cheaper one.")))

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
    sentence = headline(ms96.reset_index(), equal_v, cal1, break_evens)
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
        rows.append(Row("E1", "ATP/um ratio at 1 um with nodes at Hallermann et al. 2012's cost "
                        "(extrapolated)", cal1, "ratio", "about 100", "35,179 ATP per um2 of node",
                        "Hallermann et al. 2012 (ModelDB 144526)",
                        f"about {cal1:.3g}x, extrapolated from the decomposition (the nodes' "
                        "Na+ replaced by the published per-area cost; amplitude and internode "
                        "load held as simulated), not simulated"
                        + (f"; the same extrapolation to a simulated node costing "
                           f"{cheap_check['node_atp_per_um2']:,.0f} ATP per um2 gives "
                           f"{cheap_check['extrapolated']:.3g}x, its simulation "
                           f"{cheap_check['simulated']:.3g}x" if cheap_check else ""),
                        "MS96 fibre geometry; " + dep, comparison="equal diameter",
                        **context(judge_single(cal1))))
    if break_evens:
        g1, f1 = break_evens[1.0]
        g3, f3 = break_evens[3.0]
        f0 = break_evens[0.0][1]

        said = _when_cheaper
        value = f1["rate_hz"] if f1["myelin_cheaper"] == "above" else np.nan
        rule = ("with glia spending as much as the unmyelinated axon at rest: supported if "
                "myelin pays off at 1 Hz or less (a typical cortical mean rate); partly if at 10 "
                "Hz or less; else not supported")
        rows.append(Row("E1", "break-even mean firing rate, 1 um, rest + spikes + glia",
                        value, "Hz", "", "myelination saves energy only above a firing rate",
                        "Harris & Attwell 2012 (their conclusion; numbers not retrieved here)",
                        f"myelin pays off {said(f0)} without glia, {said(f1)} with glia spending "
                        f"{g1:,.0f} ATP/s per um (the unmyelinated axon's own resting cost), "
                        f"{said(f3)} with {g3:,.0f}",
                        "double-cable myelinated axon (its axolemma leaks in full under the "
                        "sheath); rest = pump cost of the resting Na+ influx; the glial term is "
                        "not a published number; " + dep,
                        comparison="equal diameter with resting cost",
                        **context(judge_condition(value, np.isfinite(value) and value <= 1.0,
                                                  rule, partly=np.isfinite(value)
                                                  and value <= 10.0)
                                  if np.isfinite(value) else not_measured(
                                      f"myelin is cheaper {said(f1)}: no break-even rate "
                                      f"above which it pays off ({rule})"))))
    t_range = t_ok["temperature_degC"]
    t_label = (f"{t_range.min():g}-{t_range.max():g} degC" if len(t_ok) else "no temperature")
    rows.append(Row(
        "E1", f"ATP/um ratio, 1 um, {t_label} (mammalian kinetics)",
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
                f"{b['ratio']:.3g}x at {b['velocity_m_s']:.3g} m/s (0.9)",
                "a sensitivity of the default fibre; " + dep, comparison="equal diameter",
                **context(judge_single(b["ratio"]))))
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
                            comparison="equal diameter",
                            **context(not_measured(r["error"][:200]))))
            continue
        rows.append(Row("E1", label, r["ratio"], "ratio", "about 100", "", lit,
                        f"{r['ratio']:.3g}x at {r['my_velocity_m_s']:.3g} m/s",
                        "squid HH on both sides; a thought experiment, not a mammalian fibre"
                        + ("" if r["node_gnabar_S_cm2"] == 0.12 else
                           "; nodal densities raised so the nodes overshoot"),
                        comparison="equal diameter",
                        **context(judge_single(r["ratio"]))))

    notes = [f"**Answer:** {sentence}"]
    d1 = decomposition[(decomposition["comparison"] == "WB axon vs MS96 nodes")
                       & np.isclose(decomposition["diameter_um"], 1.0)]
    if len(d1):
        x = d1.iloc[0]
        notes.append(
            f"Why (1 um, MS96 nodes): the capacitive bound is {x['r_cap']:.0f}x: "
            f"{x['c_ratio']:.0f}x less capacitance per um (geometry alone) times "
            f"{x['swing_ratio']:.2f} for the spike's smaller swing on the unmyelinated axon "
            "(it rests higher). The unmyelinated WB axon spends "
            f"{x['unmy_excess']:.2f} times its capacitive minimum; the myelinated axon "
            f"{x['my_excess']:.0f} times the minimum of its whole period (its nodes "
            f"{x['node_excess']:.0f} times their own, carrying {x['node_charge_share']:.0%} of "
            f"the period's capacitive charge; {x['node_atp_per_um2']:,.0f} ATP per um2 of node "
            f"per spike, against {HALLERMANN_NODE_ATP_PER_UM2:,.0f} in Hallermann et al. "
            f"2012's L5 model). {x['r_cap']:.0f} x {x['unmy_excess']:.2f} / "
            f"{x['my_excess']:.0f} = {x['product']:.2f}; simulated {x['ratio']:.2f}. The "
            "product is the ratio by construction; the checks are that the geometric "
            "capacitance equals NEURON's (tests) and what each factor says.")
    if len(ok):
        skipped = equal_v[equal_v["not_simulated"] != ""]
        notes.append("Equal velocity needs unmyelinated axons of " + ", ".join(
            f"{r['unmy_diameter_um']:.3g} um for {r['my_velocity_m_s']:.3g} m/s"
            for _, r in ok.iterrows()) + " (velocity grows as the square root of diameter, so "
            "the search converges in two simulations)" + ("; not simulated: " + "; ".join(
                f"{r['diameter_um']:g} um myelinated ({r['my_velocity_m_s']:.3g} m/s): "
                + r["not_simulated"].split(": ", 1)[-1] for _, r in skipped.iterrows())
                if len(skipped) else "") + ".")
    if len(glia_rows):
        notes.append(
            "Resting costs and glia (1 um): the unmyelinated WB axon's resting cost is "
            f"{args[1]:,.0f} ATP/s per um (WB's leak is 0.1 mS/cm2, a somatic value), the "
            f"myelinated (double-cable) axon's {args[3]:,.0f}; the single cable books only "
            f"{ref['my_rest_atp_per_s_per_um']:,.0f}, because folding the sheath in series "
            "scales the axolemma's resting leak down, so resting costs come from the double "
            "cable. Harris & Attwell 2012 (J Neurosci 32:356) estimate the myelinating "
            "oligodendrocyte's resting-potential cost and conclude that myelin saves energy "
            "only above a firing rate; their numbers could not be retrieved here, so the glial "
            "term is a stated assumption (0, 1x and 3x the unmyelinated axon's resting cost), "
            "and data/myelin_costs_vs_rate.csv gives the largest glial cost myelin can carry "
            f"at each rate ({max_glia_cost(1.0, *args):,.0f} ATP/s per um at 1 Hz, "
            f"{max_glia_cost(10.0, *args):,.0f} at 10 Hz), against which any published "
            "estimate can be set.")
    bad = temps[~temps["conducts"]]
    why_bad = []
    for t in bad["temperature_degC"]:
        u_err = (un.loc[sweep.point_key("unmyelinated_ap", temp_un[t]), "error"]
                 if U(temp_un[t]) is None else "")
        why_bad.append(f"{t:g} degC (" + ("the WB unmyelinated axon fires on its own"
                                         if NOT_SETTLED in str(u_err) else
                                         "no verified spike in one of the axons") + ")")
    notes.append("Temperature: both mammalian axons give a verified spike at " + ", ".join(
        f"{t:g}" for t in t_range) + " degC" + ("; no ratio at " + ", ".join(why_bad)
                                                 if why_bad else "")
                 + ". WB's Na+ activation is instantaneous and its inactivation and K+ "
                 "activation scale with q10 3 (an assumption stated in cm_na_wb.mod), so the "
                 "unmyelinated velocity barely changes with temperature while the MS96 nodes "
                 "speed up. Squid kinetics appear only as a thought experiment (context rows), "
                 "with nodes raised to 3x HH's densities so that they overshoot.")
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
                   f"{min(temperatures):g}-{max(temperatures):g} degC; myelin capacitance 0.1 vs 0.9 uF/cm2; squid kinetics as a "
                   "thought experiment.", rows, figs, data, notes,
                   answers={"E1": sentence[0].upper() + sentence[1:]})
