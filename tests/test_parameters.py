"""The published-parameter table and closed-form physics (no simulation)."""

from __future__ import annotations

import math
import re

import pytest

from cablemodels import parameters as P
from cablemodels.biophysics import Ions, thermal_voltage_mV


@pytest.mark.parametrize("key", sorted(P.TABLE))
def test_every_published_value_has_a_source(key):
    entry = P.TABLE[key]
    assert math.isfinite(entry.value)
    assert re.search(r"(18|19|20)\d\d", entry.source), f"{key}: no year in its source"
    assert "_" in key.split(".")[-1] or key.split(".")[-1] in ("phi", "g_ratio", "q10", "pna_pk"), \
        f"{key}: unit missing from the name"


def test_unknown_key_names_the_known_ones():
    with pytest.raises(KeyError, match="known squid"):
        P.value("squid.nonexistent_mV")


def test_thermal_voltage_and_nernst():
    """RT/F at 37 degC = 26.73 mV (CODATA constants); E_K with Purves's 140/5 mM = -89.1 mV."""
    assert thermal_voltage_mV(37.0) == pytest.approx(26.7268, abs=1e-3)
    assert Ions.preset("mammalian").nernst_mV("k", 37.0) == pytest.approx(
        26.7268 * math.log(5 / 140), abs=1e-3)
    assert Ions.preset("mammalian").nernst_mV("cl", 37.0) == pytest.approx(
        -26.7268 * math.log(110 / 10), abs=1e-3)
