"""E2-E3: length constants, conduction velocity vs diameter, the squid axon over 1 m.

Sources: Rall 1959 and Johnston & Wu 1995 ch. 4 (lambda = sqrt(Rm d / 4 Ri));
Hodgkin & Huxley 1952 (squid Rm from g_L = 0.3 mS/cm2, Ri = 35.4 ohm cm, the
476 um axon); Hursh 1939 (6 m/s per um fibre diameter); Rushton 1951
(unmyelinated ~ sqrt(d), myelinated ~ d, crossover near 1 um).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cablemodels import parameters as P
from cablemodels.axon import (MyelinatedAxonParams, UnmyelinatedAxonParams, build_myelinated_axon,
                              build_unmyelinated_axon)
from cablemodels.biophysics import Membrane
from cablemodels.cell import Discretization
from cablemodels.dendrite import Branch, DendriteParams, build_dendrite
from cablemodels.protocols import axon_velocity, length_constant

from .common import (PALETTE, Row, Section, declared, figure, judge_condition, judge_range,
                     save_data, save_figure)


def _lambda_um(rm, d_um, ri):
    return math.sqrt(rm * d_um * 1e-4 / (4 * ri)) * 1e4


def main(out_dir, quick=False) -> Section:
    rm, ri = 20000.0, 100.0
    diameters = np.array([0.5, 2.0, 8.0]) if quick else np.array([0.2, 0.5, 1, 2, 4, 8, 16])
    lam_theory = [_lambda_um(rm, d, ri) for d in diameters]
    lam_sim = []
    for d, lam in zip(diameters, lam_theory):
        c = build_dendrite(DendriteParams(Branch(10 * lam, d), Membrane.passive(rm, -65.0),
                                          ra_ohm_cm=ri, discretization=Discretization(0.02)))
        lam_sim.append(length_constant(c, "dendrite").value)
        c.delete()
    myelin = MyelinatedAxonParams.mammalian(axon_diameter_um=1.0)
    from cablemodels.axon import _leak_slope_S_cm2

    g_my = _leak_slope_S_cm2(myelin.folded_internode(), myelin.ions, 37.0)
    lam_myelin = _lambda_um(1 / g_my, 1.0, myelin.ra_ohm_cm)
    lam_bare = _lambda_um(1 / _leak_slope_S_cm2(myelin.axolemma(), myelin.ions, 37.0), 1.0,
                          myelin.ra_ohm_cm)

    # velocity vs diameter: unmyelinated (WB) and myelinated (MS96 nodes), 37 degC
    vd = [0.2, 0.5, 1.0, 2.0, 5.0] if quick else [0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0]
    v_un, v_my = [], []
    for d in vd:
        c = build_unmyelinated_axon(UnmyelinatedAxonParams.mammalian(
            diameter_um=d, length_um=max(3000.0, 1500 * math.sqrt(d))))
        v_un.append(axon_velocity(c).velocity_m_s)
        c.delete()
        c = build_myelinated_axon(MyelinatedAxonParams.mammalian(axon_diameter_um=d))
        v_my.append(axon_velocity(c).velocity_m_s)
        c.delete()
    v_un, v_my = np.array(v_un), np.array(v_my)
    ku, bu = np.polyfit(np.log(vd), np.log(v_un), 1)
    km, bm = np.polyfit(np.log(vd), np.log(v_my), 1)
    crossover = math.exp((bu - bm) / (km - ku))

    # E3: a squid-sized axon, passive vs active over distance
    d_sq = 1000.0
    lam_sq = _lambda_um(1 / P.value("squid.gleak_S_cm2"), d_sq, P.value("squid.ra_ohm_cm"))
    c = build_unmyelinated_axon(UnmyelinatedAxonParams(diameter_um=d_sq, length_um=60000.0,
                                                       temperature_degC=18.5))
    v_sq = axon_velocity(c)
    c.delete()
    passive_1m = math.exp(-1e6 / lam_sq)

    fig, ax = figure(2, 4.8)
    ax[0].loglog(diameters, lam_theory, "-", c=PALETTE["theory"], label="sqrt(Rm d / 4 Ri)")
    ax[0].loglog(diameters, lam_sim, "o", c=PALETTE["passive"], label="simulated attenuation")
    ax[0].set(xlabel="diameter (um)", ylabel="length constant (um)",
              title="E2: lambda grows as sqrt(d)")
    ax[0].legend()
    ax[1].loglog(vd, v_un, "o-", c=PALETTE["unmyelinated"], label=f"unmyelinated, slope {ku:.2f}")
    ax[1].loglog(vd, v_my, "s-", c=PALETTE["myelinated"], label=f"myelinated, slope {km:.2f}")
    ax[1].axvline(crossover, ls=":", c=PALETTE["theory"], label=f"crossover {crossover:.2f} um")
    ax[1].set(xlabel="axon diameter (um)", ylabel="velocity (m/s)", title="E2: conduction velocity")
    ax[1].legend()
    figs = [save_figure(fig, out_dir, "cable", caption=(
        "Left: length constant of passive cables (Rm 20,000 ohm cm2, Ri 100 ohm cm) against "
        "diameter, fitted to the simulated steady-state attenuation (dots) and from cable theory "
        "(line). Right: conduction velocity at 37 degC against axon diameter for unmyelinated "
        "axons (Wang-Buzsaki membrane) and myelinated axons (Mainen-Sejnowski nodes, g-ratio "
        "0.6, internode 100 x fibre diameter), with power-law slopes; dotted: the fitted "
        "diameter above which myelinated axons conduct faster."))]
    data = [save_data(pd.DataFrame({"diameter_um": diameters, "lambda_theory_um": lam_theory,
                                    "lambda_sim_um": lam_sim}), out_dir, "lambda"),
            save_data(pd.DataFrame({"diameter_um": vd, "v_unmyelinated_m_s": v_un,
                                    "v_myelinated_m_s": v_my}), out_dir, "velocity")]
    err = max(abs(a / b - 1) for a, b in zip(lam_sim, lam_theory))
    lam_exp = float(np.polyfit(np.log(diameters), np.log(lam_sim), 1)[0])
    per_um = float(v_my[vd.index(1.0)] / (1 / 0.6))
    dep = declared(UnmyelinatedAxonParams.mammalian(), MyelinatedAxonParams.mammalian())
    rows = [
        Row("E2", "lambda exponent in diameter", lam_exp,
            "exponent", "larger d, longer lambda", "0.5", "cable theory (Rall 1959)",
            f"lambda ~ d^{lam_exp:.3f} (max error vs theory {100 * err:.2f}%)",
            f"Rm {rm:g} ohm cm2, Ri {ri:g} ohm cm",
            **judge_range(lam_exp, 0.49, 0.51, partly=(0.4, 0.6))),
        Row("E2", "internodal lambda / bare-axolemma lambda, 1 um axon", lam_myelin / lam_bare,
            "ratio", "myelin lengthens lambda", "", "McIntyre et al. 2002 lamella values",
            f"{lam_myelin / lam_bare:.1f}x ({lam_myelin / 1e3:.1f} mm vs "
            f"{lam_bare / 1e3:.2f} mm)", f"g-ratio 0.6, {myelin.n_lamellae} lamellae",
            **judge_condition(lam_myelin / lam_bare, lam_myelin / lam_bare >= 2,
                              "supported if myelin at least doubles the length constant",
                              partly=lam_myelin / lam_bare > 1)),
        Row("E2", "unmyelinated velocity exponent", ku, "exponent", "", "0.5", "Rushton 1951",
            f"{ku:.2f}", "Wang-Buzsaki membrane, 37 degC; " + dep,
            **judge_range(ku, 0.45, 0.55, partly=(0.35, 0.65))),
        Row("E2", "myelinated velocity exponent", km, "exponent", "", "1",
            "Rushton 1951; Hursh 1939", f"{km:.2f}",
            "MS96 nodes, internode 100 x fibre diameter; " + dep,
            **judge_range(km, 0.9, 1.1, partly=(0.75, 1.25))),
        Row("E2", "myelinated velocity per um fibre diameter", per_um,
            "m/s/um", "", "6", "Hursh 1939", f"{per_um:.2f} m/s per um of fibre diameter",
            "1 um axon, g-ratio 0.6; " + dep, **judge_range(per_um, 4.5, 7.5, partly=(3.0, 10.0),
                                                    unit="m/s/um")),
        Row("E2", "crossover diameter (myelin faster above)", crossover, "um", "", "about 0.2-1",
            "Rushton 1951; Waxman & Bennett 1972",
            (f"myelin conducts faster above {crossover:.2f} um" if crossover >= min(vd) else
             f"myelinated faster at every simulated diameter down to {min(vd)} um; the fitted "
             f"crossover ({crossover:.3f} um) is an extrapolation below the range"),
            "37 degC, MS96 nodes vs WB membrane; the crossover depends on both membranes",
            **judge_range(crossover, 0.2, 1.0, unit="um")),
        Row("E3", "passive length constant of a 1 mm squid axon", lam_sq / 1e3, "mm",
            "signal travels 1 m without attenuation", "", "HH 1952 Rm, Ri",
            f"passive spread alone attenuates 1 m by a factor exp(-{1e6 / lam_sq:.0f}) = "
            f"{passive_1m:.1e}; the spike travels because it is regenerated, at "
            f"{v_sq.velocity_m_s:.1f} m/s (peaks {v_sq.peaks_mV[0]:.0f} and "
            f"{v_sq.peaks_mV[1]:.0f} mV)", "18.5 degC; real squid giant axons are ~0.5 mm wide",
            **judge_condition(lam_sq / 1e3, False,
                              "partly if the action potential propagates without attenuation "
                              "(overshooting at both sites) while passive spread alone loses "
                              "over 99.9% of the signal over 1 m",
                              partly=passive_1m < 1e-3 and min(v_sq.peaks_mV) > 0)),
    ]
    return Section("Length constants and conduction (E2-E3)",
                   {"E2": "Larger diameter and myelin lengthen the length constant, so signals "
                          "spread further for less energy.",
                    "E3": "The squid giant axon (1 mm) carries a spike 1 m without attenuation."},
                   "Passive cables (Rm 20,000 ohm cm2, Ri 100 ohm cm) of several diameters, "
                   "attenuation fitted; the folded myelin of a 1 um axon; conduction velocity of "
                   "unmyelinated and myelinated mammalian axons across diameters; a 1 mm squid "
                   "axon at 18.5 degC, active and passive.", rows, figs, data)
