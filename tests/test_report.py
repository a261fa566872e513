"""`cablemodels reproduce --quick` (issues 6 and 17): every file, every claim, headline
numbers against independent references (GHK, cable theory, Faraday, the pump's
stoichiometry, Hursh 1939, NEURON's own hh excess of about 4.9 at 18.5 degC), and the
rendered report: Markdown and HTML agree cell for cell, no NaN/inf/-0, every figure at
200 dpi with a caption, the HTML's links and anchors resolve.

The claims list comes from the shipped data file (cablemodels/data/claims.toml, read
here with tomllib, not through the code under test), cross-checked with the project's
shared CLAIMS.md when a copy sits beside the repository (../shared, as in CI).
"""

from __future__ import annotations

import math
import os
import re
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from cablemodels.biophysics import AVOGADRO, Ions, ghk_voltage_mV

ROOT = Path(__file__).resolve().parents[1]
CLAIMS_FILE = ROOT / "cablemodels" / "data" / "claims.toml"
SHIPPED = tomllib.loads(CLAIMS_FILE.read_text("utf-8"))
IN_SCOPE = [c["id"] for c in SHIPPED["claims"] if c["scope"] != "out of scope"]
OUT_OF_SCOPE = {c["id"]: c["reason"] for c in SHIPPED["claims"] if c["scope"] == "out of scope"}
OUTCOMES = {"supported", "partly", "not supported", "not measured", "out of scope"}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    proc = subprocess.run([sys.executable, "-m", "cablemodels.cli", "reproduce", "--quick",
                           "--out", str(out), "--jobs", "2"], capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (out / "stdout.txt").write_text(proc.stdout)
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
    assert not (report / "failures.log").exists(), (report / "failures.log").read_text()
    for cid in OUT_OF_SCOPE:
        assert cid in md


def test_claims_csv_answers_every_in_scope_claim(claims):
    assert list(claims.columns) == ["claim_id", "quantity", "comparison", "model_value", "unit",
                                    "claim_value", "literature_value", "literature_source",
                                    "verdict", "conditions", "outcome", "rule", "in_verdict"]
    assert claims["in_verdict"].dtype == bool
    # a context row says so in its rule; every claim keeps at least one counted row
    context = claims[~claims["in_verdict"]]
    assert context["rule"].str.contains("context row: not counted").all()
    for cid in IN_SCOPE:
        assert claims.loc[claims["claim_id"] == cid, "in_verdict"].any(), cid
    for cid in IN_SCOPE:
        rows = claims[claims["claim_id"] == cid]
        assert len(rows), f"{cid} missing"
        assert rows["verdict"].notna().all() and (rows["verdict"].str.len() > 0).all()
        assert rows["model_value"].notna().any(), f"{cid} has no model value"
    # units are units: a physical unit or "ratio", "fraction", "exponent", ..., never "1"
    assert claims["unit"].notna().all() and not set(claims["unit"]) & {"1", "", "-"}
    e1 = claims[claims["claim_id"] == "E1"]
    assert set(e1["comparison"]) <= {"equal diameter", "equal velocity",
                                     "equal diameter with resting cost"}
    assert claims.loc[claims["claim_id"] != "E1", "comparison"].isna().all()


def test_every_row_has_an_outcome_from_a_stated_rule(claims):
    """Outcomes are categorical, each with its rule; a missing value is never anything
    but "not measured"."""
    assert set(claims["outcome"]) <= OUTCOMES
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
    # E1: every counted ratio is positive, a break-even rate is >= 0 Hz; the equal-velocity
    # ratio exceeds the equal-diameter one (both at 1 um)
    e1 = claims[(claims["claim_id"] == "E1") & (claims["outcome"] != "not measured")]
    assert (e1.loc[e1["unit"] == "ratio", "model_value"] > 0).all()
    assert (e1.loc[e1["unit"] == "Hz", "model_value"] >= 0).all()
    assert value(claims, "E1", "equal velocity") > value(claims, "E1", "equal diameter, range")



# --- the claims list: shipped data file vs the project's CLAIMS.md ---------------------------

def _shared_claims_md() -> Path | None:
    """CLAIMS.md in the shared folder beside the repository (CI keeps a copy at ../shared);
    CABLEMODELS_SHARED_DIR names another place."""
    for folder in (os.environ.get("CABLEMODELS_SHARED_DIR"), ROOT.parent / "shared"):
        if folder and (Path(folder) / "CLAIMS.md").is_file():
            return Path(folder) / "CLAIMS.md"
    return None


def _parse_claims_md(text: str) -> list[dict]:
    """Rows of CLAIMS.md's claim tables: id, statement (bold removed), measures, scope,
    reason, and the document number of the heading above the table."""
    rows, document = [], None
    for line in text.splitlines():
        heading = re.match(r"^## .*\(document (\d+)\)", line)
        if heading:
            document = heading.group(1)
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and re.fullmatch(r"[EL]\d+", cells[0]):
            scope = re.fullmatch(r"(core|in scope|out of scope)(?: \((.*)\))?", cells[3])
            assert scope, f"CLAIMS.md: unreadable scope {cells[3]!r} for {cells[0]}"
            rows.append({"id": cells[0], "statement": cells[1].replace("**", ""),
                         "measures": cells[2], "scope": scope.group(1),
                         "reason": scope.group(2) or "", "document": document})
    return rows


def test_shipped_claims_file_is_complete():
    """Every claim has its text, summary, scope and a cited source document with a title in
    the original and in English; out-of-scope claims give the reason."""
    docs = SHIPPED["documents"]
    assert len(docs) == 2
    for key, d in docs.items():
        assert re.search(r"[\u4e00-\u9fff]", d["title_zh"]), key    # the original, Chinese
        assert re.fullmatch(r"[A-Za-z' ,-]+", d["title_en"]), key     # English translation
        assert "document 0" not in d["note"]
    ids = [c["id"] for c in SHIPPED["claims"]]
    assert len(ids) == len(set(ids)) == 22
    for c in SHIPPED["claims"]:
        assert c["source"] in docs, c["id"]
        assert c["scope"] in ("core", "in scope", "out of scope"), c["id"]
        assert c["statement"] and c["summary"] and c["measures"], c["id"]
        assert c["summary"].count(". ") == 0, f"{c['id']}: summary is one sentence"
        assert (c["scope"] == "out of scope") == bool(c.get("reason")), c["id"]


def test_shipped_claims_match_claims_md():
    path = _shared_claims_md()
    if path is None:
        pytest.skip("no shared/CLAIMS.md beside the repository (../shared) and "
                    "CABLEMODELS_SHARED_DIR unset: the comparison with the project's claim "
                    "table needs it")
    table = _parse_claims_md(path.read_text("utf-8"))
    shipped = {c["id"]: c for c in SHIPPED["claims"]}
    assert [r["id"] for r in table] == list(shipped)
    by_document = {}
    for r in table:
        c = shipped[r["id"]]
        assert c["statement"] == r["statement"], r["id"]
        assert c["measures"] == r["measures"], r["id"]
        assert c["scope"] == r["scope"], r["id"]
        assert c.get("reason", "") == r["reason"], r["id"]
        by_document.setdefault(r["document"], set()).add(c["source"])
    # one source key per document of CLAIMS.md, and different documents, different keys
    assert all(len(keys) == 1 for keys in by_document.values()), by_document
    assert len({next(iter(k)) for k in by_document.values()}) == len(by_document)


def test_the_report_reads_the_shipped_claims():
    from cablemodels import report

    assert report.IN_SCOPE == IN_SCOPE
    assert report.OUT_OF_SCOPE == OUT_OF_SCOPE


# --- the rendered report ---------------------------------------------------------------------

class _Html(HTMLParser):
    """Tables (rows of cell texts), ids, internal links, other links, images and figure
    captions of an HTML page."""

    def __init__(self):
        super().__init__()
        self.tables, self.ids, self.hrefs, self.images, self.captions = [], set(), [], [], []
        self._cell = self._caption = None
        self._stack = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            assert a["id"] not in self.ids, f"duplicate id {a['id']}"
            self.ids.add(a["id"])
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        elif tag == "img":
            self.images.append(a.get("src", ""))
        elif tag == "figcaption":
            self._caption = []
        elif tag in ("span", "br") and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "figcaption":
            self.captions.append(" ".join("".join(self._caption).split()))
            self._caption = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._caption is not None:
            self._caption.append(data)


def _md_tables(md: str) -> list[list[list[str]]]:
    """Tables of a Markdown page as rows of cell texts (links and emphasis reduced to their
    text, escaped characters restored, separator rows dropped)."""
    tables, current = [], None
    for line in md.splitlines():
        if not line.startswith("|"):
            current = None
            continue
        if current is None:
            current = []
            tables.append(current)
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]
        if all(re.fullmatch(r"-+", c) for c in cells):
            continue
        cells = [re.sub(r"(?<!\\)\[([^\]]*)(?<!\\)\]\([^)]*\)", r"\1", c).replace("**", "")
                 for c in cells]
        cells = [re.sub(r"\\([\\|\[\]<])", r"\1", c) for c in cells]
        current.append([" ".join(c.split()) for c in cells])
    return tables


def _same(cell: str) -> str:
    """A cell's words and numbers, without punctuation that only the layout adds."""
    return re.sub(r"[()\s,;]", "", cell)


@pytest.fixture(scope="module")
def rendered(report):
    md = (report / "report.md").read_text("utf-8")
    page = (report / "report.html").read_text("utf-8")
    parser = _Html()
    parser.feed(page)
    return md, page, parser


def test_markdown_and_html_have_the_same_rows_and_numbers(rendered, claims):
    md, _, html = rendered
    md_tables = _md_tables(md)
    assert len(md_tables) == len(html.tables) >= 10
    for i, (a, b) in enumerate(zip(md_tables, html.tables)):
        assert len(a) == len(b), f"table {i}: {len(a)} Markdown rows, {len(b)} HTML rows"
        for ra, rb in zip(a, b):
            assert [_same(c) for c in ra] == [_same(c) for c in rb], (i, ra, rb)
    # the section tables hold every row of claims.csv, once
    rows = [r for t in md_tables if t[0][:2] == ["claim", "quantity"] for r in t[1:]]
    assert len(rows) == len(claims)
    assert sorted(r[0] for r in rows) == sorted(claims["claim_id"])


def test_front_page_has_one_answer_per_claim(rendered, claims, report):
    """One summary row per shipped claim, with the claim-level outcome that the rule stated
    on the page gives from claims.csv, and a link into the report."""
    md, _, html = rendered
    summary = next(t for t in _md_tables(md) if t[0][0] == "ID")
    assert [r[0] for r in summary[1:]] == [c["id"] for c in SHIPPED["claims"]]
    assert "supported if every measured row is supported" in md
    for r in summary[1:]:
        cid, outcome = r[0], r[4].split(" (")[0]
        counted = claims[(claims["claim_id"] == cid) & claims["in_verdict"].astype(bool)]
        measured = [o for o in counted["outcome"] if o != "not measured"]
        expected = ("out of scope" if cid in OUT_OF_SCOPE else "not measured" if not measured
                    else "supported" if set(measured) == {"supported"}
                    else "partly" if {"supported", "partly"} & set(measured)
                    else "not supported")
        assert outcome == expected, (cid, r)
        assert len(r[3]) > 15 and not r[3].lower().startswith("not measured") or \
            expected in ("not measured", "out of scope"), r
    e1 = summary[1][3]  # E1's answer is the sentence its analysis computed (issue 14)
    assert e1.startswith("Equal diameter: ") and "equal velocity: " in e1, e1
    assert "context row" in summary[1][4], summary[1]
    # the CLI's closing lines give the same counts
    printed = (report / "stdout.txt").read_text()
    counts = re.search(r"claims: (.*) \(22 in all\)", printed)
    assert counts, printed
    for outcome in ("supported", "partly", "not supported"):
        n = sum(1 for r in summary[1:] if r[4].split(" (")[0] == outcome)
        assert (f"{n} {outcome}" in counts.group(1)) == (n > 0), (outcome, counts.group(1))
    assert "report.html" in printed


def test_no_cell_is_nan_inf_or_negative_zero(rendered):
    md, page, html = rendered
    cells = [c for t in _md_tables(md) + html.tables for r in t for c in r]
    assert cells
    assert not {"nan", "-nan", "inf", "-inf", "-0", "-0.0", "none"} & {c.lower() for c in cells}
    for text in (md, re.sub(r"data:image/png;base64,[^\"']*", "", page)):
        assert "document 0" not in text      # sources are cited by title
        assert not re.search(r"\bnan\b", text, re.IGNORECASE)
        assert not re.search(r"(?<![\w.])-0(?:\.0+)?(?![\d.])", text)


def _png_dpi(path: Path) -> float:
    """Horizontal resolution from the PNG's pHYs chunk (pixels per metre), in dpi."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    pos = 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        assert zlib.crc32(kind + body) == struct.unpack(">I", data[pos + 8 + length:
                                                                  pos + 12 + length])[0]
        if kind == b"pHYs":
            x, _, unit = struct.unpack(">IIB", body)
            assert unit == 1, f"{path}: pHYs unit is not the metre"
            return x * 0.0254
        pos += 12 + length
    raise AssertionError(f"{path}: no pHYs chunk (resolution unknown)")


def test_every_figure_exists_at_200_dpi_with_a_caption(rendered, report):
    md, _, html = rendered
    refs = re.findall(r"^!\[Figure (\d+)\]\((figures/[^)]+\.png)\)$", md, re.MULTILINE)
    assert refs and sorted(p for _, p in refs) == sorted(
        f"figures/{p.name}" for p in (report / "figures").glob("*.png"))
    for number, path in refs:
        png = report / path
        assert png.is_file() and png.with_suffix(".svg").is_file(), path
        assert _png_dpi(png) >= 199.5, f"{path}: {_png_dpi(png):.0f} dpi"
        caption = re.search(rf"^\*\*Figure {number}\.\*\* (.+)$", md, re.MULTILINE)
        assert caption and len(caption.group(1)) > 80, f"figure {number} has no caption"
    assert len(html.captions) == len(refs)
    for (number, _), caption in zip(refs, html.captions):
        assert caption.startswith(f"Figure {number}.") and len(caption) > 80


def test_figures_are_print_sized_with_fonts_of_8_pt_or_more(report):
    """SVG user units are points: every text is >= 8 pt and every figure <= 7 in wide."""
    for svg in (report / "figures").glob("*.svg"):
        text = svg.read_text()
        width = re.search(r'<svg[^>]*width="([\d.]+)pt"', text)
        assert width and float(width.group(1)) <= 7.0 * 72 + 1, svg.name
        sizes = [float(s) for s in re.findall(r"font(?:-size)?:\s*(?:[a-z]+\s+)*([\d.]+)px", text)]
        assert sizes, f"{svg.name}: no text found (svg.fonttype none expected)"
        assert min(sizes) >= 8.0, f"{svg.name}: text at {min(sizes)} pt"


def test_html_structure(rendered, report):
    """Internal links resolve to ids, the table of contents points at sections, images are
    embedded, and relative links point at files that exist."""
    _, page, html = rendered
    internal = [h[1:] for h in html.hrefs if h.startswith("#")]
    assert internal and not set(internal) - html.ids
    toc = re.search(r"<nav>(.*?)</nav>", page, re.DOTALL).group(1)
    anchors = re.findall(r'href="#([^"]+)"', toc)
    assert {"summary", "provenance", "out-of-scope"} <= set(anchors)
    assert all(a in html.ids for a in anchors)
    for a in anchors:  # each TOC entry is a heading
        assert re.search(rf'<h2 id="{re.escape(a)}">', page), a
    assert html.images and all(src.startswith("data:image/png;base64,") for src in html.images)
    for h in html.hrefs:
        if not h.startswith(("#", "http")):
            assert (report / h).is_file(), h
    provenance = html.tables[-1]
    keys = {r[0] for r in provenance}
    assert {"mode", "mechanism sources (hash)", "NEURON"} <= keys
    assert "<script" not in page


# --- rendering pieces, without simulation ----------------------------------------------------

@pytest.mark.parametrize("value, text", [
    (0.0, "0"), (-0.0, "0"), (1.5, "1.5"), (1.500000001, "1.5"), (457.26, "457"),
    (12345.0, "12,300"), (-65.234, "-65.2"), (3.12e7, "3.12e7"), (2e-5, "2e-5"),
    (float("nan"), ""), (float("inf"), ""), (None, ""), ("text", "")])
def test_numbers_are_formatted_by_magnitude(value, text):
    from cablemodels.report import format_number

    assert format_number(value) == text


@pytest.mark.parametrize("outcomes, claim", [
    (["supported", "supported"], "supported"),
    (["supported", "not measured"], "supported"),
    (["supported", "partly"], "partly"),
    (["supported", "not supported"], "partly"),
    (["partly", "not supported"], "partly"),
    (["not supported", "not supported", "not measured"], "not supported"),
    (["not measured"], "not measured"),
    ([], "not measured")])
def test_claim_outcome_follows_the_stated_rule(outcomes, claim):
    """The examples spell out CLAIM_RULE as printed on the front page."""
    from cablemodels.report import CLAIM_RULE, claim_outcome

    assert claim_outcome(outcomes) == claim
    assert "supported if every measured row is supported" in CLAIM_RULE


def test_text_from_analyses_prints_no_negative_zero_or_nan():
    from cablemodels.report import clean_text

    assert (clean_text("Vm -0 mV, shift -0.0 mV, -0.5 mV, 1e-0")
            == "Vm 0 mV, shift 0.0 mV, -0.5 mV, 1e-0")
    assert clean_text("ratio nan at 1 um") == "ratio not measured at 1 um"
    assert clean_text(float("nan")) == ""


def test_a_failed_analysis_reads_as_a_sentence_with_the_traceback_aside(tmp_path):
    """A failure is a plain sentence in both renderings; the traceback goes only into the
    HTML's collapsible block (and failures.log, written by reproduce)."""
    from cablemodels.analyses.common import COLUMNS
    from cablemodels.report import build_context, render

    error = ('Traceback (most recent call last):\n  File "x.py", line 1, in main\n'
             "cablemodels.protocols.PropagationError: the spike did not reach node 9\n")
    provenance = {"cablemodels_version": "0", "neuron_version": "9", "mechanism_hash": "abc",
                  "python": "3", "mode": "quick", "jobs": 1, "run_time_s": 1.0,
                  "parameters": "p", "claims": "c"}
    md, page = render(build_context([("myelin", None, error, 2.0)],
                                    pd.DataFrame(columns=COLUMNS), provenance, tmp_path))
    sentence = ("The myelin analysis stopped with an error (PropagationError: the spike did not "
                "reach node 9).")
    assert sentence in md and sentence in page
    assert "Traceback" not in md and "File " not in md
    assert "<details>" in page and "Traceback (most recent call last)" in page
    e1 = next(line for line in md.splitlines() if line.startswith("| E1 |"))
    assert "**not measured**" in e1 and "(#failures)" in e1
