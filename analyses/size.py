"""L7-L8: input resistance, excitability, and the size principle.

Sources: Henneman 1957 Science 126:1345 (size principle); Rall 1959; soma sizes
in cablemodels/parameters.py (Delvendahl 2015, Freund & Buzsaki 1996, Spruston
2008, Cullheim 1987).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from cablemodels.biophysics import HCN, Leak, Membrane
from cablemodels.morphology import SwcParams, load_swc, shipped
from cablemodels.protocols import MeasurementError, input_resistance, rheobase, time_constant
from cablemodels.soma import SOMA_PRESETS, NeuronParams, build_neuron

from .common import PALETTE, Row, Section, declared, figure, judge_condition, save_data, save_figure


def _k_halved(membrane: Membrane) -> Membrane:
    leak = membrane.leak
    return membrane.with_(leak=Leak(leak.pk_cm_s / 2, leak.pna_cm_s, leak.pcl_cm_s))


def _measure(params):
    """R_in (verified subthreshold and linear) and rheobase (nan for a passive cell); a
    cell that fires without input has neither (nan, 0, flagged)."""
    cell = build_neuron(params)
    try:
        excitable = params.membrane.kinetics is not None
        return {"rin_MOhm": input_resistance(cell).value,
                "rheobase_nA": rheobase(cell).value if excitable else float("nan"),
                "spontaneous": False}
    except MeasurementError:
        raise
    except RuntimeError as err:
        if "not settled" not in str(err):
            raise
        return {"rin_MOhm": float("nan"), "rheobase_nA": 0.0, "spontaneous": True}
    finally:
        cell.delete()


def main(out_dir, quick=False) -> Section:
    base = Membrane.mammalian("soma")
    passive = base.with_(kinetics=None)
    hcn = HCN.preset("hcn1", 1e-7)
    l7 = []
    for label, membrane in (("passive, K+-dominated leak", passive),
                            ("passive, HCN open at rest", passive.with_(hcn=hcn)),
                            ("excitable (Wang-Buzsaki)", base)):
        before = _measure(NeuronParams(soma_diameter_um=20.0, membrane=membrane))
        after = _measure(NeuronParams(soma_diameter_um=20.0, membrane=_k_halved(membrane)))
        l7.append({"cell": label, "rin_before": before["rin_MOhm"], "rin_after": after["rin_MOhm"],
                   "rheo_before": before["rheobase_nA"], "rheo_after": after["rheobase_nA"],
                   "fires_spontaneously_after": after["spontaneous"]})
    l7 = pd.DataFrame(l7)

    l8 = []
    for name in SOMA_PRESETS:
        params = NeuronParams.preset(name)
        cell = build_neuron(params)
        l8.append({"cell": name, "soma_diameter_um": params.soma_diameter_um,
                   "area_um2": cell.area_um2(),
                   "rin_MOhm": input_resistance(cell).value, "tau_ms": time_constant(cell).value,
                   "rheobase_nA": rheobase(cell).value})
        cell.delete()
    swc = []
    for name in (["interneuron_small", "motoneuron_large"] if quick else
                 ["interneuron_small", "pyramidal_myelinated", "motoneuron_large"]):
        cell = load_swc(SwcParams(shipped(name)))
        swc.append({"cell": name, "area_um2": cell.area_um2(), "rin_MOhm": input_resistance(cell).value,
                    "rheobase_nA": rheobase(cell).value})
        cell.delete()
    l8, swc = pd.DataFrame(l8), pd.DataFrame(swc)
    rin_area = l8["rin_MOhm"] * l8["area_um2"]
    spread = float(rin_area.max() / rin_area.min() - 1)
    shared = float(l8["rheobase_nA"].median())
    recruited = list(l8.loc[l8["rheobase_nA"] <= shared, "cell"])
    smallest = list(l8.sort_values("area_um2")["cell"][:len(recruited)])
    swc_sorted = swc.sort_values("area_um2")
    swc_monotone = bool((swc_sorted["rin_MOhm"].diff().dropna() < 0).all())

    fig, ax = figure(2, 4.8)
    ax[0].loglog(l8["soma_diameter_um"], l8["rin_MOhm"], "o-", c=PALETTE["wb"], label="soma only")
    ax[0].set(xlabel="soma diameter (um)", ylabel="input resistance (MOhm)", title="L8: R_in vs size")
    ax[1].loglog(l8["soma_diameter_um"], l8["rheobase_nA"], "o-", c=PALETTE["wb"])
    ax[1].axhline(shared, ls=":", c=PALETTE["theory"], label=f"shared input {shared:.2g} nA")
    ax[1].set(xlabel="soma diameter (um)", ylabel="rheobase (nA)", title="L8: recruitment order")
    ax[1].legend()
    for a in ax:  # label decades and 2, 5 between them only: log minor labels collide
        for axis in (a.xaxis, a.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            marks = [m * 10.0 ** e for e in range(-6, 7) for m in (1, 2, 5)]
            axis.set_major_locator(FixedLocator([m for m in marks if lo <= m <= hi]))
            axis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
            axis.set_minor_formatter(NullFormatter())
    figs = [save_figure(fig, out_dir, "size", caption=(
        "Input resistance (left) and rheobase (right: smallest 200 ms current step that fires) of "
        "Wang-Buzsaki somata without dendrites, from granule-cell to motoneuron size, against soma diameter (log "
        "axes; equal channel density, 37 degC). R_in falls as 1/area; the dotted line is a "
        "shared input at the median rheobase: the cells below it fire, the smallest first."))]
    data = [save_data(l7, out_dir, "k_leak_halved"), save_data(l8, out_dir, "size_somata"),
            save_data(swc, out_dir, "size_swc")]
    rows = []
    l7_rule = ("supported if halving the K+ leak raises R_in by at least 20% (or makes the cell "
               "fire without input); partly if by 5-20%")
    for _, r in l7.iterrows():
        if r["fires_spontaneously_after"]:
            rows.append(Row("L7", f"rheobase with K+ leak halved, {r['cell']}", 0.0, "nA",
                            "more excitable", "", "dV = I R_in",
                            "with half the K+ leak the cell depolarises past threshold and fires "
                            "without input (rheobase 0)",
                            f"20 um soma, 37 degC; rheobase before {r['rheo_before']:.3g} nA",
                            **judge_condition(0.0, True, l7_rule)))
            continue
        ratio = r["rin_after"] / r["rin_before"]
        rows.append(Row("L7", f"R_in ratio with K+ leak halved, {r['cell']}", ratio, "ratio",
                        "significantly higher R_in", "up to 2 if K+ leak is the only conductance",
                        "dV = I R_in",
                        f"R_in x{ratio:.2f} ({r['rin_before']:.0f} -> {r['rin_after']:.0f} MOhm)",
                        "20 um soma, 37 degC; K+ permeability halved, Na+ unchanged",
                        **judge_condition(ratio, ratio >= 1.2, l7_rule, partly=ratio >= 1.05)))
    l8_rule = ("supported if R_in x membrane area is the same for every soma preset within 1% "
               "(R_in ~ 1/area at equal channel density)")
    for _, r in l8.iterrows():
        rows.append(Row("L8", f"R_in, {r['cell']} soma ({r['soma_diameter_um']:g} um)", r["rin_MOhm"],
                        "MOhm", "larger neuron, lower R_in", "R_in ~ 1/d^2 at equal density",
                        "Rm / area", f"tau {r['tau_ms']:.1f} ms (size-independent), rheobase "
                        f"{r['rheobase_nA'] * 1e3:.3g} pA; R_in measured below threshold",
                        "WB soma, no dendrites; " + declared(NeuronParams.preset(r["cell"])),
                        **judge_condition(r["rin_MOhm"], spread <= 0.01, l8_rule)))
    rows.append(Row("L8", "spread of R_in x area across the soma presets", spread, "ratio",
                    "larger neuron, lower R_in", "0 (R_in ~ 1/area)", "Rm / area",
                    f"R_in x area varies by {spread:.2%} from granule to motoneuron size",
                    "WB soma presets, R_in from two subthreshold steps",
                    **judge_condition(spread, spread <= 0.01, l8_rule)))
    swc_rule = "supported if R_in falls as membrane area grows across the shipped SWC cells"
    for _, r in swc.iterrows():
        rows.append(Row("L8", f"R_in with dendrites, {r['cell']}", r["rin_MOhm"], "MOhm",
                        "larger neuron, lower R_in", "", "",
                        f"rheobase {r['rheobase_nA']:.3g} nA, area {r['area_um2']:.0f} um2",
                        "shipped SWC, passive dendrites",
                        **judge_condition(r["rin_MOhm"], swc_monotone, swc_rule)))
    rows.append(Row("L8", "cells recruited by a shared input at the median rheobase",
                    len(recruited), "cells", "small neurons first", "", "Henneman 1957",
                    f"{', '.join(recruited)} fire first", "soma presets",
                    **judge_condition(len(recruited), sorted(recruited) == sorted(smallest),
                                      "supported if the cells a shared input recruits are the "
                                      "smallest ones")))
    return Section("Input resistance and the size principle (L7-L8)",
                   {"L7": "Input resistance sets excitability; halving K+ leak channels raises "
                          "R_in and excitability significantly.",
                    "L8": "At equal channel density a larger neuron has lower R_in and needs more "
                          "input; small neurons are recruited first."},
                   "Wang-Buzsaki somata with the K+ leak permeability halved (with and without "
                   "HCN open at rest); soma presets from granule to motoneuron size; the shipped "
                   "SWC cells with passive dendrites.", rows, figs, data)
