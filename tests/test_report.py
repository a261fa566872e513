"""`cablemodels reproduce --quick` (issue 6): every file, every claim, and headline
numbers against independent references (GHK, cable theory, Faraday, the pump's
stoichiometry, Hursh 1939, NEURON's own hh excess of about 4.9 at 18.5 degC).
"""

from __future__ import annotations

import math
import subprocess
import sys

import pandas as pd
import pytest

from cablemodels.biophysics import AVOGADRO, Ions, ghk_voltage_mV
from cablemodels.report import IN_SCOPE, OUT_OF_SCOPE


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    proc = subprocess.run([sys.executable, "-m", "cablemodels.cli", "reproduce", "--quick",
                           "--out", str(out), "--jobs", "2"], capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.fixture(scope="module")
def claims(report):
    return pd.read_csv(report / "claims.csv")


def value(claims, claim, contains):
    rows = claims[(claims["claim_id"] == claim) & claims["quantity"].str.contains(contains, regex=False)]
    assert len(rows), f"no {claim} row containing {contains!r}"
    return float(rows.iloc[0]["model_value"])


def test_every_output_file_exists(report):
    for name in ("report.md", "report.html", "claims.csv", "provenance.json"):
        assert (report / name).is_file(), name
    figures = list((report / "figures").glob("*.png"))
    data = list((report / "data").glob("*.csv"))
    assert len(figures) >= 9 and len(data) >= 9
    html = (report / "report.html").read_text()
    assert html.count("data:image/png;base64,") == len(figures)
    md = (report / "report.md").read_text()
    assert "the analysis failed" not in md
    for cid in OUT_OF_SCOPE:
        assert cid in md


def test_claims_csv_answers_every_in_scope_claim(claims):
    assert list(claims.columns) == ["claim_id", "quantity", "model_value", "unit", "claim_value",
                                    "literature_value", "literature_source", "verdict",
                                    "conditions", "outcome", "rule"]
    for cid in IN_SCOPE:
        rows = claims[claims["claim_id"] == cid]
        assert len(rows), f"{cid} missing"
        assert rows["verdict"].notna().all() and (rows["verdict"].str.len() > 0).all()
        assert rows["model_value"].notna().any(), f"{cid} has no model value"


def test_every_row_has_an_outcome_from_a_stated_rule(claims):
    """Outcomes are categorical, each with its rule; a missing value is never anything
    but "not measured"."""
    allowed = {"supported", "partly", "not supported", "not measured", "out of scope"}
    assert set(claims["outcome"]) <= allowed
    assert claims["rule"].notna().all() and (claims["rule"].str.len() > 10).all()
    missing = claims[~claims["model_value"].apply(lambda v: math.isfinite(float(v)))]
    assert (missing["outcome"] == "not measured").all(), missing[["quantity", "outcome"]]
    for cid in IN_SCOPE:
        assert claims.loc[claims["claim_id"] == cid, "outcome"].notna().all(), cid


def test_report_prints_no_nan_or_negative_zero(report):
    md = (report / "report.md").read_text()
    cells = [c.strip() for line in md.splitlines() if line.startswith("|")
             for c in line.strip("|").split("|")]
    assert not {"nan", "-nan", "inf", "-inf", "-0"} & {c.lower() for c in cells}


def test_headline_numbers_against_independent_references(claims):
    ions = Ions.preset("mammalian")
    # L3: simulated rest equals the GHK voltage equation
    assert value(claims, "L3", "0.05") == pytest.approx(ghk_voltage_mV(1, 0.05, 0, ions, 37.0), abs=0.1)
    # E2: lambda ~ d^0.5; myelinated velocity ~ 6 m/s per um fibre (Hursh 1939)
    assert value(claims, "E2", "lambda exponent") == pytest.approx(0.5, abs=0.01)
    assert value(claims, "E2", "per um fibre") == pytest.approx(6.0, rel=0.5)
    # E3: passive length constant of a 1 mm squid axon from HH's Rm and Ri
    lam_mm = math.sqrt((1 / 0.0003) * 0.1 / (4 * 35.4)) * 10
    assert value(claims, "E3", "passive length") == pytest.approx(lam_mm, rel=1e-6)
    # E5: squid 18.5 degC propagating excess (NEURON's hh: about 4.9)
    assert 4.0 <= value(claims, "E5", "squid 18.5") <= 5.5
    # E7: 1e8 ATP at 57 kJ/mol
    assert value(claims, "E7", "1e8 ATP") == pytest.approx(1e8 * 57e3 / AVOGADRO * 1e12, rel=1e-9)
    # L10: stoichiometry and Faraday
    assert value(claims, "L10", "flux") == pytest.approx(1.5, rel=1e-12)
    assert value(claims, "L10", "F x ATP") == pytest.approx(1.0, rel=1e-9)
    # L5: run-down time scales with volume/area (Faraday's law)
    assert value(claims, "L5", "ratio") == pytest.approx(1.0, rel=0.15)
    # E1: every counted ratio is positive; the equal-velocity ratio exceeds the equal-diameter one
    e1 = claims[(claims["claim_id"] == "E1") & (claims["outcome"] != "not measured")]
    assert (e1["model_value"] > 0).all()
    assert value(claims, "E1", "equal velocity") > value(claims, "E1", "equal diameter, 1 um (WB axon vs MS96")
