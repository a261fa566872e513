"""The quick-start demo: one propagating action potential and its velocity."""

from __future__ import annotations

from . import parameters as P
from .axon import UnmyelinatedAxonParams, build_unmyelinated_axon
from .protocols import axon_velocity


def run_demo() -> float:
    """Hodgkin & Huxley's propagated action potential, recomputed.

    A squid axon of the 1952 paper's diameter (476 um) at 18.5 degC; prints the
    conduction velocity next to the paper's computed 18.8 m/s and returns it.
    """
    diameter = P.value("squid.giant_axon_diameter_um")
    params = UnmyelinatedAxonParams(diameter_um=diameter, length_um=40000.0,
                                    temperature_degC=18.5)
    axon = build_unmyelinated_axon(params)
    velocity = axon_velocity(axon)
    print(f"squid axon, {diameter:.0f} um, 18.5 degC, {axon.nseg_total()} segments")
    print(f"conduction velocity: {velocity.velocity_m_s:.2f} m/s "
          f"(Hodgkin & Huxley 1952 computed {P.value('squid.hh_velocity_m_s')} m/s)")
    axon.delete()
    return velocity.velocity_m_s
