"""``cablemodels reproduce``: run every analysis and write the claims report.

Top layer (with the CLI): it imports the analyses, which use the public API.
Writes ``report.md`` and a self-contained ``report.html`` (figures embedded), both
rendered by Jinja2 from one data structure (:func:`build_context`) with the templates in
``cablemodels/templates``; ``claims.csv`` (one row per measured number), ``figures/``
(PNG at 200 dpi and SVG), ``data/``, ``provenance.json`` and, when an analysis failed,
``failures.log`` with the tracebacks.

The front page answers each claim in one row: the claim, what the model shows (a
sentence computed from the rows' numbers, :func:`answer`), and a claim-level outcome
combined from the rows' outcomes by :data:`CLAIM_RULE` (:func:`claim_outcome`).
"""

from __future__ import annotations

import base64
import importlib
import json
import math
import platform
import re
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import pandas as pd

from . import __version__, claims as claims_data, mechanisms

#: Claims that need no simulation, with the reason (from cablemodels/data/claims.toml).
OUT_OF_SCOPE = {c.id: c.reason for c in claims_data.load() if not c.in_scope}
#: Core and in-scope claim ids (from cablemodels/data/claims.toml), in order.
IN_SCOPE = [c.id for c in claims_data.load() if c.in_scope]

#: How the rows' outcomes combine into one outcome per claim.
CLAIM_RULE = ("A claim is supported if every measured row is supported; not supported if no "
              "measured row is supported or partly supported; partly otherwise; not measured "
              "if none of its rows could be measured; out of scope if a cable model cannot "
              "test it. Context rows (thought experiments, sensitivities, estimates that are "
              "not simulations) are shown with their own outcome but not counted.")
#: What the audit is, for the front page.
AUDIT_STATEMENT = (
    "This report audits, claim by claim, the quantitative statements of two Chinese texts on "
    "how neurons keep electrical signalling cheap ({documents}). Every number comes from a "
    "multicompartment cable model simulated in NEURON with cablemodels' own mechanisms: "
    "measured spikes are verified to overshoot and propagate, passive numbers to be "
    "subthreshold and linear. Each measured number sits next to the claim's value and, where "
    "one exists, a published value, with a categorical outcome from a rule stated beside it. "
    "The rows are in claims.csv; the figures' numbers in data/.")


def _run_one(name: str, out_dir: str, quick: bool):
    start = time.perf_counter()
    try:
        module = importlib.import_module(f"cablemodels.analyses.{name}")
        section = module.main(Path(out_dir), quick=quick)
        return name, section, None, time.perf_counter() - start
    except Exception:  # reported in the report, never hidden
        return name, None, traceback.format_exc(), time.perf_counter() - start


def reproduce(out_dir="report", quick: bool = False, jobs: int = 1, only=None) -> Path:
    """Run the analyses and write the report; returns the path of report.md."""
    from tqdm.auto import tqdm

    from .analyses import MODULES

    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    info = mechanisms.build()  # compile once, before worker processes start
    names = [m for m in MODULES if only is None or m in only]
    start = time.perf_counter()
    results = {}
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(_run_one, n, str(out), quick) for n in names]
            for fut in tqdm(as_completed(futures), total=len(futures), desc="analyses"):
                name, section, error, seconds = fut.result()
                results[name] = (section, error, seconds)
    else:
        for n in tqdm(names, desc="analyses"):
            name, section, error, seconds = _run_one(n, str(out), quick)
            results[name] = (section, error, seconds)
    elapsed = time.perf_counter() - start
    sections = [(n, *results[n]) for n in names]
    frames = [s.frame() for _, s, _, _ in sections if s is not None]
    from .analyses.common import COLUMNS

    claims = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    claims.to_csv(out / "claims.csv", index=False)
    provenance = {"cablemodels_version": __version__, "neuron_version": info.neuron_version,
                  "mechanism_hash": info.source_hash, "python": platform.python_version(),
                  "quick": quick, "mode": "quick" if quick else "full", "jobs": jobs,
                  "run_time_s": round(elapsed, 1),
                  "analysis_time_s": {n: round(t, 1) for n, _, _, t in sections},
                  "parameters": "cablemodels/parameters.py (every value with its source)",
                  "claims": "cablemodels/data/claims.toml"}
    (out / "provenance.json").write_text(json.dumps(provenance, indent=2))
    log = out / "failures.log"
    failed = [(n, e) for n, s, e, _ in sections if s is None]
    if failed:
        log.write_text("".join(f"== {n} ==\n{e.strip()}\n\n" for n, e in failed))
    elif log.exists():
        log.unlink()
    md, page = render(build_context(sections, claims, provenance, out))
    (out / "report.md").write_text(md, encoding="utf-8")
    (out / "report.html").write_text(page, encoding="utf-8")
    return out / "report.md"




def claim_outcome(outcomes) -> str:
    """One outcome for a claim from its rows' outcomes (:data:`CLAIM_RULE`).

    Parameters
    ----------
    outcomes : iterable of str
        The rows' outcomes (each one of ``analyses.common.OUTCOMES``).

    Returns
    -------
    str
        "supported", "partly", "not supported" or "not measured".
    """
    measured = [o for o in outcomes if o not in ("not measured", "out of scope")]
    if not measured:
        return "not measured"
    if all(o == "supported" for o in measured):
        return "supported"
    if not any(o in ("supported", "partly") for o in measured):
        return "not supported"
    return "partly"


def format_number(value) -> str:
    """A number as printed: three significant digits; exponent notation below 1e-3 and
    from 1e5; thousands separated; "" for a missing or non-finite value; never "-0"."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(v):
        return ""
    if v == 0:
        return "0"
    if abs(v) >= 1e5 or abs(v) < 1e-3:
        mantissa, exponent = f"{v:.2e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(exponent)}"
    r = float(f"{v:.3g}")
    return f"{r:,.0f}" if abs(r) >= 1000 else f"{r:g}"


_NEG_ZERO = re.compile(r"(?<![\w.])-(0(?:\.0+)?)(?![\d.])")
_NAN = re.compile(r"\b(nan|inf)\b", re.IGNORECASE)


_ERROR_CLASS = re.compile(r"^\w+(?:Error|Exception): ")


def clean_text(text) -> str:
    """Text from an analysis as printed: "-0" (a rounded tiny negative) becomes "0" and a
    stray "nan"/"inf" becomes "not measured"; None and NaN give ""."""
    if text is None or (isinstance(text, float) and not math.isfinite(text)):
        return ""
    return _NAN.sub("not measured", _NEG_ZERO.sub(r"\1", str(text)))


def with_unit(value, unit: str) -> str:
    """A number with its unit for prose: ratios as "6.1x", fractions as a percentage,
    exponents and counts bare or with the count's noun."""
    if unit == "ratio":
        return f"{format_number(value)}x"
    if unit == "fraction":
        return f"{format_number(float(value) * 100)}%"
    if unit == "exponent":
        return format_number(value)
    return f"{format_number(value)} {unit}"


def _span(lo, hi, unit: str) -> str:
    a, b = with_unit(lo, unit), with_unit(hi, unit)
    if a == b:
        return a
    sep = " to " if min(lo, hi) < 0 else "-"
    suffix = {"ratio": "x", "fraction": "%", "exponent": ""}.get(unit, f" {unit}")
    return f"{a[:len(a) - len(suffix)] if suffix else a}{sep}{b}"


def _measured(rows: pd.DataFrame) -> pd.DataFrame:
    finite = rows["model_value"].apply(lambda v: math.isfinite(float(v)))
    return rows[finite & (rows["outcome"] != "not measured")]


def answer(rows: pd.DataFrame) -> str:
    """What the model shows for one claim, in a sentence computed from its rows.

    Rows with a comparison basis (E1) are summarised per comparison ("depending on the
    comparison, 4.6-60x at equal diameter, 453x at equal velocity, ..."); otherwise rows
    are grouped by unit and by the quantity's text before its first comma, each group given as a value or as a range across
    conditions with the conditions at its ends. At most three groups are named.
    """
    measured = _measured(rows)
    if not len(measured):
        reasons = [clean_text(r) for r in rows["rule"]] if len(rows) else []
        return ("Not measured" + (f": {reasons[0]}" if reasons else ": no analysis produced "
                                  "a number") + ".")
    parts = []
    compared = measured[measured["comparison"].fillna("") != ""]
    if len(compared):
        unit = compared.iloc[0]["unit"]
        same = compared[compared["unit"] == unit]
        by = [(c, g) for c, g in same.groupby("comparison", sort=False)]
        detail = ", ".join(f"{_span(g['model_value'].min(), g['model_value'].max(), unit)} at {c}"
                           for c, g in by)
        parts.append(f"depending on the comparison, {detail}")
        measured = measured.drop(same.index)
    groups = {}
    for i, r in measured.iterrows():
        groups.setdefault((r["quantity"].split(", ", 1)[0], r["unit"]), []).append(i)
    for (prefix, unit), index in groups.items():
        g = measured.loc[index]
        if len(g) == 1:
            r = g.iloc[0]
            parts.append(f"{clean_text(r['quantity'])}: {with_unit(r['model_value'], unit)}")
            continue
        values = g["model_value"].astype(float)
        lo, hi = g.loc[values.idxmin()], g.loc[values.idxmax()]
        ends = [r["quantity"].split(", ", 1)[1] if ", " in r["quantity"] else r["quantity"]
                for r in (lo, hi)]
        parts.append(f"{clean_text(prefix)}: {_span(values.min(), values.max(), unit)} across "
                     f"{len(g)} conditions ({clean_text(ends[0])} lowest, "
                     f"{clean_text(ends[1])} highest)")
    more = len(parts) - 3
    text = "; ".join(parts[:3]) + (f"; and {more} more (see its section)" if more > 0 else "")
    return text[0].upper() + text[1:] + "."


def _tally(outcomes) -> str:
    measured = [o for o in outcomes if o != "not measured"]
    n_sup = sum(o == "supported" for o in measured)
    n_part = sum(o == "partly" for o in measured)
    text = f"{n_sup} of {len(measured)} measured row{'' if len(measured) == 1 else 's'} supported"
    if n_part:
        text += f", {n_part} partly"
    missing = len(list(outcomes)) - len(measured)
    if missing:
        text += f"; {missing} not measured"
    return text


def _anchor(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _failure_sentence(name: str, error: str) -> str:
    last = [line for line in error.strip().splitlines() if line.strip()][-1]
    kind, _, message = last.partition(": ")
    message = message or kind
    return (f"The {name} analysis stopped with an error ({kind.split('.')[-1]}: "
            f"{message.strip()}). It produced no rows; the claims it covers are reported as "
            "not measured. The traceback is in failures.log.")


def _row_cells(r) -> dict:
    value = format_number(r.model_value)
    return {"claim_id": r.claim_id, "quantity": clean_text(r.quantity),
            "comparison": clean_text(r.comparison), "model": value or "not measured",
            "unit": clean_text(r.unit), "claim_value": clean_text(r.claim_value),
            "literature_value": clean_text(r.literature_value),
            "literature_source": clean_text(r.literature_source), "outcome": r.outcome,
            "verdict": clean_text(r.verdict), "conditions": clean_text(r.conditions),
            "rule": _ERROR_CLASS.sub("", clean_text(r.rule))}


def build_context(sections, claims: pd.DataFrame, provenance: dict, out: Path) -> dict:
    """The one data structure both renderings are made from.

    Parameters
    ----------
    sections : list of (name, Section or None, traceback or None, seconds)
    claims : pandas.DataFrame
        All rows (claims.csv).
    provenance : dict
        As written to provenance.json.
    out : pathlib.Path
        The output folder (figures are read from it to embed them in the HTML).
    """
    docs = claims_data.documents()
    figure_no = 0
    rendered, claim_section, headlines = [], {}, {}
    for name, section, error, seconds in sections:
        anchor = f"sec-{_anchor(name)}"
        if section is None:
            rendered.append({"anchor": anchor, "title": f"{name}: the analysis failed",
                             "failed": True, "failure": _failure_sentence(name, error),
                             "traceback": error.strip(), "seconds": f"{seconds:.1f}"})
            continue
        headlines.update(section.answers)
        ids = list(dict.fromkeys(list(section.claims) + [r.claim_id for r in section.rows]))
        for cid in ids:
            claim_section.setdefault(cid, (anchor, section.title))
        figures = []
        for f in section.figures:
            figure_no += 1
            png = out / f.path
            figures.append({"number": figure_no, "path": f.path, "svg": f.svg,
                            "caption": clean_text(f.caption), "anchor": f"fig-{figure_no}",
                            "data_uri": "data:image/png;base64,"
                            + base64.b64encode(png.read_bytes()).decode()})
        rows = [_row_cells(r) for r in section.rows]
        rendered.append({"anchor": anchor, "title": section.title, "failed": False,
                         "claims": [{"id": c, "text": clean_text(t)}
                                    for c, t in section.claims.items()],
                         "simulated": clean_text(section.simulated), "figures": figures,
                         "rows": rows, "has_comparison": any(r["comparison"] for r in rows),
                         "notes": [clean_text(n) for n in section.notes],
                         "data": list(section.data), "seconds": f"{seconds:.1f}"})
    failed = [s for s in rendered if s["failed"]]
    fallback = ("failures", "Failures") if failed else ("summary", "Summary")
    summary, counts = [], {}
    for c in claims_data.load():
        if not c.in_scope:
            outcome, text, tally = "out of scope", f"Not simulated: {c.reason}.", ""
            link = ("out-of-scope", "Out of scope")
        else:
            rows = claims[claims["claim_id"] == c.id] if len(claims) else claims
            counted = (rows[rows["in_verdict"].fillna(True).astype(bool)]
                       if "in_verdict" in rows else rows)
            outcomes = list(counted["outcome"]) if len(counted) else []
            outcome = claim_outcome(outcomes)
            text = (clean_text(headlines[c.id]) if c.id in headlines and len(rows)
                    else answer(rows) if len(rows) else ("Not measured: no analysis produced a row "
                                                  "for it" + (" (see Failures)." if failed
                                                              else ".")))
            tally = _tally(outcomes) if outcomes else ""
            if len(rows) > len(counted):
                n = len(rows) - len(counted)
                tally += f"; {n} context row{'' if n == 1 else 's'} not counted"
            link = claim_section.get(c.id, fallback)
        counts[outcome] = counts.get(outcome, 0) + 1
        summary.append({"id": c.id, "claim": c.summary, "statement": c.statement,
                        "scope": c.scope, "source": c.source.title_en, "answer": text,
                        "reason": c.reason,
                        "outcome": outcome, "tally": tally, "link": link[0],
                        "section": link[1]})
    toc = ([{"anchor": "summary", "title": "Summary: one answer per claim"}]
           + [{"anchor": s["anchor"], "title": s["title"]} for s in rendered]
           + [{"anchor": "out-of-scope", "title": "Out of scope"},
              {"anchor": "sources", "title": "Source documents"}]
           + ([{"anchor": "failures", "title": "Failures"}] if failed else [])
           + [{"anchor": "provenance", "title": "Provenance"}])
    prov_rows = [("cablemodels", provenance["cablemodels_version"]),
                 ("NEURON", provenance["neuron_version"]),
                 ("mechanism sources (hash)", provenance["mechanism_hash"]),
                 ("Python", provenance["python"]),
                 ("mode", provenance["mode"]),
                 ("processes", str(provenance["jobs"])),
                 ("run time", f"{provenance['run_time_s']:.0f} s"),
                 ("parameters", provenance["parameters"]),
                 ("claims", provenance["claims"])]
    outcomes_order = ["supported", "partly", "not supported", "not measured", "out of scope"]
    return {
        "statement": AUDIT_STATEMENT.format(documents="; ".join(
            f"{d.citation}" for d in docs)),
        "claim_rule": CLAIM_RULE,
        "summary": summary,
        "counts": [(o, counts[o]) for o in outcomes_order if o in counts],
        "toc": toc, "sections": rendered, "failed": failed,
        "out_of_scope": [s for s in summary if s["scope"] == "out of scope"],
        "documents": [{"citation": d.citation, "note": d.note, "language": d.language}
                      for d in docs],
        "provenance": prov_rows, "mode": provenance["mode"],
    }


def _md_escape(text) -> str:
    """Text safe in a Markdown table cell: no line breaks; pipes, brackets and "<" escaped
    (so "node[9](0.5)" stays text, not a link)."""
    return re.sub(r"([\\|\[\]<])", r"\\\1", str(text).replace("\n", " "))


def render(context: dict) -> tuple[str, str]:
    """Markdown and HTML of the report, from the same context and matching templates."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("cablemodels", "templates"),
                             autoescape=jinja2.select_autoescape(["html.j2"]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["md"] = _md_escape
    return (env.get_template("report.md.j2").render(**context),
            env.get_template("report.html.j2").render(**context))


def closing_lines(out_dir) -> list[str]:
    """What the CLI prints after ``reproduce``: the claim-level outcome counts (from
    claims.csv, by :data:`CLAIM_RULE`) and where the report is."""
    out = Path(out_dir)
    rows = pd.read_csv(out / "claims.csv", keep_default_na=False)
    counts = {}
    for c in claims_data.load():
        outcome = (claim_outcome(rows.loc[rows["claim_id"] == c.id, "outcome"])
                   if c.in_scope else "out of scope")
        counts[outcome] = counts.get(outcome, 0) + 1
    order = ["supported", "partly", "not supported", "not measured", "out of scope"]
    tally = ", ".join(f"{counts[o]} {o}" for o in order if o in counts)
    lines = [f"claims: {tally} ({sum(counts.values())} in all)",
             f"report: {out / 'report.html'} (and report.md, claims.csv beside it)"]
    if (out / "failures.log").exists():
        lines.append(f"failures: see {out / 'failures.log'}")
    return lines
