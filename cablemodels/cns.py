"""Thin CNS myelinated axons from a measured geometry (rat optic nerve and cortex).

Arancibia-Carcamo et al. (2017, eLife 6:e23329) measured node length and
diameter, internode length, axon diameter and g-ratio in adult rat optic nerve
and layer V cortex, and modelled both axons (their Table 1; the same values are
in the authors' model files, ``Carcamo2017OpticNerveAxon.m`` and
``Carcamo2017CortexAxon.m`` of AttwellLab/MyelinatedAxonModel). Every value is
in :data:`cablemodels.parameters.TABLE` under ``cns.*``.

:func:`cns_myelinated_params` returns an :class:`~cablemodels.axon.MyelinatedAxonParams`
(double cable) with that geometry and the myelin capacitance per membrane as an
explicit parameter: 0.9 uF/cm2 in the CNS model, 0.1 uF/cm2 in MRG 2002; the
choice changes a thin axon's velocity severalfold, so it is never implicit.

Departures from the authors' model (listed by :func:`departures`):

* Nodal channels: the authors use Richardson et al. (2000) fast Na+, persistent
  Na+ and slow K+ kinetics with a leak tuned for rest at -82 mV; here the node is
  one of our channel sets (``Membrane.mammalian("node", kinetics)``, MS96 by
  default) with 0.9 uF/cm2, because :class:`~cablemodels.biophysics.Membrane`
  cannot carry other kinetics.
* The periaxonal space narrows in the paranodal segments of the authors' model
  (7.7 nm optic nerve, 12.3 nm cortex, against 15 nm); ``MyelinatedAxonParams``
  has one periaxonal width.
* The lamella count: the authors take ``ceil((R - r - w) / period)`` lamellae and
  recompute the g-ratio from them; ``MyelinatedAxonParams`` takes the whole
  lamellae that fit. The preset passes the authors' recomputed g-ratio, so both
  give the authors' count (7 in optic nerve, 5 in cortex).
* 21 nodes (the authors use 51); velocity is timed between interior nodes.
"""

from __future__ import annotations

import math

from . import parameters as P
from .axon import MyelinatedAxonParams
from .biophysics import Ions, Membrane, check_positive

REGIONS = ("optic_nerve", "cortex")


def _check_region(region: str) -> None:
    if region not in REGIONS:
        raise ValueError(f"unknown CNS region {region!r}; choose one of {REGIONS}")


def n_lamellae(region: str) -> int:
    """Lamellae of the authors' model: ``ceil((R - r - w) / period)`` with R the outer
    radius from the measured g-ratio, r the axon radius, w the periaxonal space."""
    _check_region(region)
    r = P.value(f"cns.{region}.axon_diameter_um") / 2
    outer = r / P.value(f"cns.{region}.g_ratio")
    width = outer - r - P.value("cns.periaxonal_space_um")
    return math.ceil(width / P.value("cns.lamella_period_um"))


def model_g_ratio(region: str) -> float:
    """The g-ratio the authors' model recomputes from its whole lamellae: axon
    diameter over (axon + 2 periaxonal space + 2 (lamellae - 0.5) periods)."""
    d = P.value(f"cns.{region}.axon_diameter_um")
    width = (n_lamellae(region) - 0.5) * P.value("cns.lamella_period_um")
    return d / (d + 2 * width + 2 * P.value("cns.periaxonal_space_um"))


def cns_myelinated_params(region: str = "optic_nerve", kinetics: str = "ms96",
                          myelin_cm_per_membrane_uF_cm2: float | None = None,
                          n_nodes: int = 21, **changes) -> MyelinatedAxonParams:
    """A rat CNS myelinated axon of Arancibia-Carcamo et al. (2017), double cable.

    Parameters
    ----------
    region : str
        ``"optic_nerve"`` or ``"cortex"``.
    kinetics : str
        Nodal channel set (``"ms96"`` default, ``"wb"``): a departure (module docstring).
    myelin_cm_per_membrane_uF_cm2 : float or None
        Capacitance of each myelin membrane; None: the CNS model's 0.9 uF/cm2
        (``cns.myelin_cm_per_membrane_uF_cm2``); MRG 2002 use 0.1.
    n_nodes : int
    **changes
        Other :class:`MyelinatedAxonParams` fields.

    Raises
    ------
    ValueError
        Unknown region or kinetics, or a non-positive capacitance.
    """
    _check_region(region)
    cm_myelin = (P.value("cns.myelin_cm_per_membrane_uF_cm2")
                 if myelin_cm_per_membrane_uF_cm2 is None else myelin_cm_per_membrane_uF_cm2)
    check_positive("myelin_cm_per_membrane_uF_cm2", cm_myelin, " in cns_myelinated_params")
    ions = Ions.preset("mammalian")
    temperature = P.value("mammalian.temperature_degC")
    cm = P.value("cns.axolemma_cm_uF_cm2")
    node = Membrane.mammalian("node", kinetics, ions, temperature, cm_uF_cm2=cm)
    # Internodal axolemma: the CNS model's 0.1 mS/cm2, reversing where the node's leak does,
    # booked to Na+ and K+ as a GHK leak.
    e_leak = P.value("ms96.eleak_mV" if kinetics == "ms96" else "wb.eleak_mV")
    axolemma = Membrane.passive(1.0 / P.value("cns.axolemma_g_S_cm2"), e_leak, cm, ions,
                                temperature)
    base = dict(
        axon_diameter_um=P.value(f"cns.{region}.axon_diameter_um"),
        g_ratio=model_g_ratio(region),
        n_nodes=n_nodes,
        internode_length_um=P.value(f"cns.{region}.internode_length_um"),
        node_length_um=P.value(f"cns.{region}.node_length_um"),
        node_diameter_um=P.value(f"cns.{region}.node_diameter_um"),
        lamella_period_um=P.value("cns.lamella_period_um"),
        cm_per_lamella_membrane_uF_cm2=cm_myelin,
        g_per_lamella_membrane_S_cm2=P.value("cns.myelin_g_per_membrane_S_cm2"),
        periaxonal_space_um=P.value("cns.periaxonal_space_um"),
        node_membrane=node, internode_membrane=axolemma, representation="double",
        temperature_degC=temperature, ions=ions, ra_ohm_cm=P.value("cns.ra_ohm_cm"))
    base.update(changes)
    return MyelinatedAxonParams(**base)


def departures(region: str, kinetics: str = "ms96") -> tuple[str, ...]:
    """How :func:`cns_myelinated_params` departs from the authors' model."""
    _check_region(region)
    return (f"nodal channels: {kinetics} instead of Richardson et al. 2000 "
            "(fast Na+, persistent Na+, slow K+)",
            "one periaxonal width (no paranodal narrowing)",
            "21 nodes instead of 51")
