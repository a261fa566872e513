"""``cablemodels reproduce``: run every analysis and write the claims report.

Top layer (with the CLI): it imports the analyses, which use the public API.
Writes ``report.md``, a self-contained ``report.html`` (figures embedded),
``claims.csv``, ``figures/``, ``data/`` and ``provenance.json`` into the output folder.
"""

from __future__ import annotations

import base64
import html
import importlib
import json
import platform
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import pandas as pd

from . import __version__, mechanisms

#: Claims that need no simulation, with the reason (CLAIMS.md, E12).
OUT_OF_SCOPE = {"E12": "Synaptic vesicles, glutamate recycling, glia, gap junctions, sparse "
                       "coding, sleep, neuromodulators, epilepsy and Alzheimer's: network, "
                       "synaptic or metabolic biochemistry that no cable model answers."}
#: Core and in-scope claim ids (CLAIMS.md).
IN_SCOPE = [f"E{i}" for i in range(1, 12)] + [f"L{i}" for i in range(1, 11)]


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
    claims = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    claims.to_csv(out / "claims.csv", index=False)
    provenance = {"cablemodels_version": __version__, "neuron_version": info.neuron_version,
                  "mechanism_hash": info.source_hash, "python": platform.python_version(),
                  "quick": quick, "jobs": jobs, "run_time_s": round(elapsed, 1),
                  "analysis_time_s": {n: round(t, 1) for n, _, _, t in sections},
                  "parameters": "cablemodels/parameters.py (every value with its source)"}
    (out / "provenance.json").write_text(json.dumps(provenance, indent=2))
    md = _markdown(sections, claims, provenance)
    (out / "report.md").write_text(md)
    (out / "report.html").write_text(_html(sections, claims, provenance, out))
    return out / "report.md"


def _number(value) -> str:
    """A model value as printed: four significant digits, "not measured" for NaN."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "not measured"
    if v != v or v in (float("inf"), float("-inf")):
        return "not measured"
    return "0" if v == 0 else f"{v:.4g}"  # no "-0"


def _summary(claims: pd.DataFrame) -> list[str]:
    lines = ["| claim | measured | unit | claim's value | outcome | verdict |",
             "|---|---|---|---|---|---|"]
    for cid in IN_SCOPE:
        sub = claims[claims["claim_id"] == cid] if len(claims) else claims
        if sub is None or not len(sub):
            lines.append(f"| {cid} | not measured | | | not measured | no analysis produced a "
                         "number |")
            continue
        r = sub.iloc[0]
        lines.append(f"| {cid} | {_number(r['model_value'])} | {r['unit']} | {r['claim_value']} | "
                     f"{r['outcome']} | {r['verdict']} |")
    for cid, why in OUT_OF_SCOPE.items():
        lines.append(f"| {cid} | out of scope | | | out of scope | {why} |")
    return lines


def _markdown(sections, claims, provenance) -> str:
    out = ["# cablemodels claims report", "",
           f"cablemodels {provenance['cablemodels_version']}, NEURON "
           f"{provenance['neuron_version']}, mechanisms {provenance['mechanism_hash'][:12]}, "
           f"{'quick' if provenance['quick'] else 'full'} mode, {provenance['run_time_s']} s.",
           "", "## Summary (first row per claim; all rows in claims.csv)", ""]
    out += _summary(claims)
    for name, section, error, seconds in sections:
        if section is None:
            out += ["", f"## {name}: the analysis failed", "", "```", error.strip(), "```"]
            continue
        out += ["", f"## {section.title}", ""]
        out += [f"- **{cid}**: {text}" for cid, text in section.claims.items()]
        out += ["", f"**Simulated.** {section.simulated}", ""]
        out += [f"![{Path(f).stem}]({f})" for f in section.figures]
        out += ["", "| claim | quantity | model | unit | claim | literature | outcome | verdict | "
                "conditions | rule |", "|---|---|---|---|---|---|---|---|---|---|"]
        for r in section.rows:
            lit = f"{r.literature_value} ({r.literature_source})" if r.literature_value else r.literature_source
            out.append(f"| {r.claim_id} | {r.quantity} | {_number(r.model_value)} | {r.unit} | "
                       f"{r.claim_value} | {lit} | {r.outcome} | {r.verdict} | {r.conditions} | "
                       f"{r.rule} |")
        out += [""] + [f"- {n}" for n in section.notes]
        out += ["", f"Data: {', '.join(section.data)}. Run time {seconds:.1f} s."]
    out += ["", "## Out of scope", ""] + [f"- **{k}**: {v}" for k, v in OUT_OF_SCOPE.items()]
    out += ["", "## Provenance", "", "```json", json.dumps(provenance, indent=2), "```", ""]
    return "\n".join(out)


def _html(sections, claims, provenance, out: Path) -> str:
    def esc(x):
        return html.escape(str(x))

    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>cablemodels claims report"
             "</title><style>body{font-family:sans-serif;max-width:1100px;margin:auto}"
             "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #bbb;"
             "padding:3px 6px;vertical-align:top}img{max-width:100%}</style></head><body>",
             "<h1>cablemodels claims report</h1>",
             f"<p>cablemodels {esc(provenance['cablemodels_version'])}, NEURON "
             f"{esc(provenance['neuron_version'])}, {provenance['run_time_s']} s</p>",
             "<h2>Summary</h2><table><tr><th>claim</th><th>measured</th><th>unit</th>"
             "<th>claim's value</th><th>outcome</th><th>verdict</th></tr>"]
    for line in _summary(claims)[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        parts.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
    parts.append("</table>")
    for name, section, error, _ in sections:
        if section is None:
            parts.append(f"<h2>{esc(name)}: the analysis failed</h2><pre>{esc(error)}</pre>")
            continue
        parts.append(f"<h2>{esc(section.title)}</h2><ul>")
        parts += [f"<li><b>{esc(c)}</b>: {esc(t)}</li>" for c, t in section.claims.items()]
        parts.append(f"</ul><p><b>Simulated.</b> {esc(section.simulated)}</p>")
        for f in section.figures:
            data = base64.b64encode((out / f).read_bytes()).decode()
            parts.append(f"<img alt='{esc(f)}' src='data:image/png;base64,{data}'>")
        parts.append("<table><tr><th>claim</th><th>quantity</th><th>model</th><th>unit</th>"
                     "<th>claim</th><th>literature</th><th>outcome</th><th>verdict</th>"
                     "<th>conditions</th><th>rule</th></tr>")
        for r in section.rows:
            parts.append("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in (
                r.claim_id, r.quantity, _number(r.model_value), r.unit, r.claim_value,
                f"{r.literature_value} {r.literature_source}", r.outcome, r.verdict,
                r.conditions, r.rule)) + "</tr>")
        parts.append("</table><ul>" + "".join(f"<li>{esc(n)}</li>" for n in section.notes) + "</ul>")
    parts.append("<h2>Out of scope</h2><ul>" + "".join(
        f"<li><b>{k}</b>: {esc(v)}</li>" for k, v in OUT_OF_SCOPE.items()) + "</ul>")
    parts.append(f"<h2>Provenance</h2><pre>{esc(json.dumps(provenance, indent=2))}</pre>")
    parts.append("</body></html>")
    return "\n".join(parts)
