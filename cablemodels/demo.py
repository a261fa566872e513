"""The quick-start demo: one propagating action potential and its velocity."""

from __future__ import annotations

from . import parameters as P
from .axon import UnmyelinatedAxonParams, build_unmyelinated_axon
from .biophysics import Membrane, configuration_label
from .protocols import axon_velocity


def demo_params() -> UnmyelinatedAxonParams:
    """Hodgkin & Huxley's propagated-AP axon in their own (published) configuration.

    476 um squid axon at 18.5 degC with HH's fixed reversals (E_Na +50, E_K -77 mV)
    and ohmic leak (0.3 mS/cm2 at -54.3 mV), the model NEURON's ``hh`` implements,
    so the velocity is comparable with the paper's computed 18.8 m/s.
    """
    return UnmyelinatedAxonParams(
        diameter_um=P.value("squid.giant_axon_diameter_um"), length_um=40000.0,
        membrane=Membrane.squid(config="published"),
        temperature_degC=P.value("squid.propagation_temperature_degC"))


def run_demo() -> float:
    """Hodgkin & Huxley's propagated action potential, recomputed.

    Builds :func:`demo_params`, prints the configuration used and the conduction
    velocity next to the paper's computed 18.8 m/s, and returns the velocity (m/s).
    """
    params = demo_params()
    axon = build_unmyelinated_axon(params)
    try:
        velocity = axon_velocity(axon)
        print(f"squid axon, {params.diameter_um:.0f} um, {params.temperature_degC} degC, "
              f"{axon.nseg_total()} segments")
        print(f"configuration: {configuration_label(params)}: Hodgkin & Huxley 1952 reversals "
              f"E_Na {params.membrane.ena_mV:+.0f} mV, E_K {params.membrane.ek_mV:+.0f} mV, "
              f"ohmic leak {params.membrane.pas_g_S_cm2 * 1e3:.1f} mS/cm2 at "
              f"{params.membrane.pas_e_mV} mV")
        print(f"conduction velocity: {velocity.velocity_m_s:.2f} m/s "
              f"(Hodgkin & Huxley 1952 computed {P.value('squid.hh_velocity_m_s')} m/s)")
    finally:
        axon.delete()
    return velocity.velocity_m_s
