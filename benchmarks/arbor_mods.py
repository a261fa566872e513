"""Adapt cablemodels' NMODL files to Arbor's modcc, for the benchmark only.

Arbor compiles NMODL itself, but its dialect differs from NEURON's: no TABLE, no
limits on PARAMETERs, GLOBAL only for parameters, no CONDUCTANCE hint, no unit
constants such as FARADAY. The adapted copies keep the same equations; the charge
counters (qna, qk, qcl) are dropped because the Arbor script measures Na+ entry
the usual way there, by probing every CV's current.

    python benchmarks/arbor_mods.py OUT_DIR cm_na_ms96 cm_k_ms96 cm_leak
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

MOD = Path(__file__).resolve().parent.parent / "mod"
FARADAY_C_PER_MOL = 96485.33212  # CODATA 2018
R_J_PER_K_MOL = 8.314462618      # CODATA 2018


def adapt(text: str) -> str:
    text = re.sub(r"COMMENT.*?ENDCOMMENT", "", text, flags=re.S)
    out = []
    params = set(re.findall(r"^\s*(\w+)\s*=", re.search(r"PARAMETER\s*{(.*?)}", text, re.S)
                            .group(1), re.M)) if "PARAMETER" in text else set()
    ion_vars = {name for line in re.findall(r"USEION[^\n]*", text)
                for name in re.findall(r"\w+", re.sub(r"USEION\s+\w+|READ|WRITE|VALENCE\s+\S+",
                                                        " ", line))}
    code = False
    for line in text.splitlines():
        stripped = line.strip()
        if re.match(r"(PROCEDURE|FUNCTION|BREAKPOINT|DERIVATIVE|INITIAL|KINETIC)\b", stripped):
            code = True
            if stripped.startswith(("PROCEDURE", "FUNCTION")):  # units of arguments
                line = re.sub(r"([\w)])\s+\([^()]*\)", r"\1", line)
        elif line.startswith("}"):
            code = False
        elif code:  # unit annotations on numbers inside code: 10 (degC) -> 10
            line = re.sub(r"(\d[\d.]*(?:[eE][+-]?\d+)?)\s*\([^()]*\)", r"\1", line)
        if stripped.startswith(("TABLE", "THREADSAFE", "CONDUCTANCE")):
            continue
        if re.match(r"q(na|k|cl)('?\s*=|\s*\()", stripped):
            continue  # charge counters
        if stripped.startswith("GLOBAL"):
            keep = [g for g in re.findall(r"\w+", stripped[6:]) if g in params]
            if not keep:
                continue
            line = "    GLOBAL " + ", ".join(keep)
        first = re.match(r"(\w+)\s*\(", stripped)
        if first and not code and (first.group(1) in ("v", "celsius")
                                   or first.group(1) in ion_vars):
            continue  # builtins in Arbor, not ASSIGNED
        if stripped.startswith("FARADAY ="):
            continue
        if stripped.startswith("R =") and "joule" in stripped:
            continue
        line = re.sub(r"<[^>]*>", "", line)
        out.append(line)
    text = "\n".join(out) + "\n"
    text = re.sub(r"\bFARADAY\b", f"{FARADAY_C_PER_MOL}", text)
    text = re.sub(r"(?<![\w.])R\*", f"{R_J_PER_K_MOL}*", text)
    # Arbor gives procedures no access to celsius: pass it as an argument
    for match in list(re.finditer(r"^(PROCEDURE|FUNCTION) (\w+)\((.*?)\)(.*?)^}", text,
                                  re.S | re.M)):
        kind, name, args, body = match.groups()
        if "celsius" not in body:
            continue
        new = f"{kind} {name}({args}, tcelsius){body.replace('celsius', 'tcelsius')}}}"
        text = text.replace(match.group(0), new)
        text = re.sub(rf"\b{name}\(([^()]*)\)(?!\s*{{)",
                      lambda m: m.group(0) if "tcelsius" in m.group(1)
                      else f"{name}({m.group(1)}, celsius)", text)
    return text


#: cm_leak for Arbor, whose procedures cannot touch ion variables: the same GHK
#: equations as mod/cm_leak.mod (one exponential for all ions), inlined in BREAKPOINT.
ARBOR_LEAK = f"""
NEURON {{
    SUFFIX cm_leak
    USEION na READ nai, nao WRITE ina
    USEION k READ ki, ko WRITE ik
    USEION cl READ cli, clo WRITE icl VALENCE -1
    RANGE pna, pk, pcl
}}

PARAMETER {{
    pna = 0 (cm/s)
    pk = 0 (cm/s)
    pcl = 0 (cm/s)
}}

BREAKPOINT {{
    LOCAL u, eu, s, f
    u = 0.001*{FARADAY_C_PER_MOL}*v/({R_J_PER_K_MOL}*(celsius + 273.15))
    eu = exp(-u)
    s = u/(1 - eu)
    if (fabs(u) < 1e-6) {{
        s = 1 + u/2
    }}
    f = 0.001*{FARADAY_C_PER_MOL}*s
    ina = pna*f*(nai - nao*eu)
    ik = pk*f*(ki - ko*eu)
    icl = pcl*f*(clo - cli*eu)
}}
"""


def main(out_dir: str, *names: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        text = ARBOR_LEAK if name == "cm_leak" else adapt((MOD / f"{name}.mod").read_text())
        (out / f"{name}.mod").write_text(text)


if __name__ == "__main__":
    main(*sys.argv[1:])
