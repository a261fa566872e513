"""E10: passive dendrites attenuate and sum inputs; only the soma's threshold fires.

Sources: Rall 1967 J Neurophysiol 30:1138 (EPSP attenuation in passive
dendrites); Stuart & Spruston 1998 J Neurosci 18:3501 (dendritic attenuation).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cablemodels.biophysics import Membrane
from cablemodels.cell import hoc
from cablemodels.dendrite import Branch
from cablemodels.protocols import rest_mV
from cablemodels import simulation as sim
from cablemodels.soma import NeuronParams, build_neuron

from .common import (Row, Section, figure, judge_condition, judge_range, save_data, save_figure,
                     size_colours)


def _epsp(cell, segs, weight_uS=0.001):
    """Peak somatic and local depolarisation for an AMPA-like synapse at ``segs``."""
    h = hoc()
    syns, stims, ncs = [], [], []
    for seg in segs:
        syn = h.Exp2Syn(seg)
        syn.tau1, syn.tau2, syn.e = 0.2, 2.0, 0.0
        stim = h.NetStim()
        stim.number, stim.start = 1, 20.0
        nc = h.NetCon(stim, syn)
        nc.weight[0] = weight_uS
        syns.append(syn), stims.append(stim), ncs.append(nc)
    soma = cell.origin()
    vs = h.Vector().record(soma._ref_v, 0.05)
    vl = h.Vector().record(segs[0]._ref_v, 0.05)
    rest = rest_mV(cell)
    sim.start(cell, sim.Integrator(), rest)
    sim.advance(80.0)
    return np.array(vs).max() - rest, np.array(vl).max() - rest


def main(out_dir, quick=False) -> Section:
    passive = Membrane.mammalian("soma").with_(kinetics=None)
    rows_data = []
    for d in ([1.0, 4.0] if quick else [0.5, 1.0, 2.0, 4.0]):
        cell = build_neuron(NeuronParams(soma_diameter_um=20.0, membrane=passive,
                                         dendrites=(Branch(800.0, d),)))
        dend = cell.sections("dendrite")[0]
        for x in ([0.1, 0.5, 0.95] if quick else [0.05, 0.25, 0.5, 0.75, 0.95]):
            soma_dv, local_dv = _epsp(cell, [dend(x)])
            rows_data.append({"diameter_um": d, "distance_um": x * 800.0, "soma_mV": soma_dv,
                              "local_mV": local_dv, "attenuation": local_dv / soma_dv})
        cell.delete()
    frame = pd.DataFrame(rows_data)
    cell = build_neuron(NeuronParams(soma_diameter_um=20.0, membrane=passive,
                                     dendrites=(Branch(800.0, 1.0), Branch(800.0, 1.0))))
    d0, d1 = cell.sections("dendrite")
    one, _ = _epsp(cell, [d0(0.9)])
    two, _ = _epsp(cell, [d0(0.9), d1(0.9)])
    same, _ = _epsp(cell, [d0(0.9), d0(0.9)])
    cell.delete()

    fig, ax = figure(1, 5.0)
    groups = list(frame.groupby("diameter_um"))
    for (d, g), c in zip(groups, size_colours(len(groups))):
        ax.semilogy(g["distance_um"], g["attenuation"], "o-", c=c, label=f"{d:g} um dendrite")
    ax.set(xlabel="synapse distance from soma (um)", ylabel="local / somatic EPSP",
           title="E10: dendritic attenuation")
    ax.legend()
    figs = [save_figure(fig, out_dir, "dendrites", caption=(
        "Attenuation of a single AMPA-like conductance input (1 nS, rise 0.2 ms, decay 2 ms) "
        "from the synapse to the soma: peak local depolarisation divided by peak somatic "
        "depolarisation, against the synapse's distance along an 800 um passive dendrite of "
        f"{', '.join(f'{d:g}' for d, _ in groups)} um diameter on a 20 um passive soma "
        "(mammalian leak, 37 degC)."))]
    data = [save_data(frame, out_dir, "dendritic_attenuation")]
    far = frame[frame["distance_um"] == frame["distance_um"].max()]
    rows = [Row("E10", f"local/somatic EPSP at {r['distance_um']:.0f} um, {r['diameter_um']:g} um "
                "dendrite", r["attenuation"], "ratio", "passive dendrites integrate by cable "
                "properties", "", "Rall 1967; Stuart & Spruston 1998",
                f"attenuates {r['attenuation']:.1f}x to the soma ({r['soma_mV']:.2f} mV there)",
                "passive 800 um dendrite, 20 um soma, 1 nS AMPA-like input",
                **judge_condition(r["attenuation"], r["attenuation"] > 1.5,
                                  "supported if a distal input attenuates by more than 1.5x on "
                                  "its way to the soma (cable filtering)"))
            for _, r in far.iterrows()]
    rows.append(Row("E10", "two inputs on different branches / 2 x one input", two / (2 * one), "ratio",
                    "summation", "1 (linear)", "cable theory", f"{two / (2 * one):.3f}: near-linear "
                    f"summation across branches; {same / (2 * one):.3f} on the same branch "
                    "(shared driving force)", "passive dendrites",
                    **judge_range(two / (2 * one), 0.95, 1.05, partly=(0.8, 1.2))))
    return Section("Dendritic integration (E10)",
                   {"E10": "Passive dendrites integrate inputs by cable properties; only threshold "
                           "crossings at the soma trigger spikes."},
                   "A 20 um passive soma with an 800 um passive dendrite of several diameters; "
                   "one conductance synapse (1 nS, AMPA-like) at several distances; two inputs on "
                   "different or the same branch.", rows, figs, data)
