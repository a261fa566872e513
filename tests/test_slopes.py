"""Currents and the slopes NEURON linearises them with, against the GHK equation (issue 20).

``cm_leak``, ``cm_hcn`` and ``cm_nakpump`` hand NEURON their exact dI/dV as a
``CONDUCTANCE`` (NEURON then evaluates BREAKPOINT once per step instead of twice
for a difference quotient). These tests check, on one plain NEURON compartment,
that each current is the Goldman-Hodgkin-Katz current (Hille 2001, ch. 14, eq.
14-6) written out here independently of the mod files, and that the ion's
``di/dv`` that NEURON uses equals the derivative of that equation, taken here by
a central difference over +-1 uV (truncation ~(1e-3/25)^2/6 ~ 3e-10 relative; the
1 uV forward difference NEURON would use without the hint is off by ~2e-5 relative,
so the tolerance of 1e-7 tells the two apart).
"""

from __future__ import annotations

import math

import pytest

from cablemodels import biophysics as B

MAMMALIAN = B.Ions.preset("mammalian")
#: Voltages (mV) spanning hyperpolarisation to a spike's peak, and the removable
#: singularity of the GHK equation at 0 mV.
VOLTAGES = (-120.0, -80.0, -65.3, -20.0, -0.01, -2e-5, 0.0, 1e-5, 0.02, 30.0, 60.0)
CELSIUS = 37.0


def ghk_mA_cm2(h, p_cm_s, v_mV, ci_mM, co_mM, z):
    """GHK current density, outward positive: P z^2 F^2 V/(RT) (ci - co e^-u)/(1 - e^-u)."""
    u = z * h.FARADAY * v_mV * 1e-3 / (h.R * (CELSIUS + 273.15))
    factor = 1.0 if u == 0 else u / -math.expm1(-u)
    # mM = mol/m3 = 1e-6 mol/cm3; (cm/s)(C/mol)(mol/cm3) = A/cm2 -> x1e3 mA/cm2
    return p_cm_s * z * h.FARADAY * factor * (ci_mM - co_mM * math.exp(-u)) * 1e-6 * 1e3


def slope_S_cm2(h, p_cm_s, v_mV, ci_mM, co_mM, z, dv_mV=1e-3):
    """dI/dV of :func:`ghk_mA_cm2` by a central difference (mA/cm2/mV = S/cm2)."""
    return (ghk_mA_cm2(h, p_cm_s, v_mV + dv_mV, ci_mM, co_mM, z)
            - ghk_mA_cm2(h, p_cm_s, v_mV - dv_mV, ci_mM, co_mM, z)) / (2 * dv_mV)


def compartment(h, mech):
    sec = h.Section(name="slope")
    sec.L = sec.diam = 20.0
    sec.insert(mech)
    seg = sec(0.5)
    for ion in ("na", "k", "cl"):
        if hasattr(seg, f"{ion}_ion"):
            setattr(seg, f"{ion}i", MAMMALIAN.inside(ion))
            setattr(seg, f"{ion}o", MAMMALIAN.outside(ion))
            h.ion_style(f"{ion}_ion", 1, 2, 1, 0, 0, sec=sec)
    return sec, seg


def at(h, v_mV):
    """Initialise at ``v_mV`` and fill currents and each ion's di/dv (fcurrent)."""
    h.celsius = CELSIUS
    h.finitialize(v_mV)
    h.fcurrent()


@pytest.mark.parametrize("v_mV", VOLTAGES)
def test_leak_currents_and_slopes_are_ghk(h, v_mV):
    sec, seg = compartment(h, "cm_leak")
    perm = {"na": 2e-8, "k": 5e-7, "cl": 1e-7}
    seg.cm_leak.pna, seg.cm_leak.pk, seg.cm_leak.pcl = perm["na"], perm["k"], perm["cl"]
    at(h, v_mV)
    for ion, z in (("na", 1), ("k", 1), ("cl", -1)):
        args = (perm[ion], v_mV, MAMMALIAN.inside(ion), MAMMALIAN.outside(ion), z)
        current = getattr(seg.cm_leak, f"i{ion}")
        assert current == pytest.approx(ghk_mA_cm2(h, *args), rel=1e-10, abs=1e-18), ion
        slope = getattr(getattr(seg, f"{ion}_ion"), f"di{ion}_dv_")
        assert slope == pytest.approx(slope_S_cm2(h, *args), rel=1e-7), ion
    h.delete_section(sec=sec)


@pytest.mark.parametrize("v_mV", VOLTAGES)
def test_hcn_currents_and_slopes_are_ghk(h, v_mV):
    sec, seg = compartment(h, "cm_hcn")
    pbar, pnak = 3e-7, 0.25
    seg.cm_hcn.pbar, seg.cm_hcn.pnak = pbar, pnak
    at(h, v_mV)
    o = seg.cm_hcn.o
    assert 0 < o < 1
    for ion, p in (("k", pbar * o), ("na", pbar * o * pnak)):
        args = (p, v_mV, MAMMALIAN.inside(ion), MAMMALIAN.outside(ion), 1)
        current = getattr(seg.cm_hcn, f"i{ion}")
        assert current == pytest.approx(ghk_mA_cm2(h, *args), rel=1e-10, abs=1e-18), ion
        slope = getattr(getattr(seg, f"{ion}_ion"), f"di{ion}_dv_")
        assert slope == pytest.approx(slope_S_cm2(h, *args), rel=1e-7), ion
    h.delete_section(sec=sec)


def test_pump_has_no_voltage_slope(h):
    """The pump's turnover depends on [Na]i and [K]o only (Kager et al. 2000 eq. 3)."""
    sec, seg = compartment(h, "cm_nakpump")
    seg.cm_nakpump.imax = 0.01
    at(h, -70.0)
    nai, ko = MAMMALIAN.inside("na"), MAMMALIAN.outside("k")
    ipump = 0.01 / ((1 + 3.5 / ko) ** 2 * (1 + 10.0 / nai) ** 3)
    assert seg.cm_nakpump.ina == pytest.approx(3 * ipump, rel=1e-12)
    assert seg.cm_nakpump.ik == pytest.approx(-2 * ipump, rel=1e-12)
    assert seg.na_ion.dina_dv_ == 0.0 and seg.k_ion.dik_dv_ == 0.0
    h.delete_section(sec=sec)
