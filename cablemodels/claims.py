"""The claims cablemodels audits, read from the shipped data file ``data/claims.toml``.

The report and the tests read the same list, and a pip user has it::

    from cablemodels import claims
    for claim in claims.load():
        print(claim.id, claim.scope, claim.statement)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

#: Scopes a claim can have.
SCOPES = ("core", "in scope", "out of scope")


@dataclass(frozen=True)
class Document:
    """A source document the claims come from (both are in Chinese)."""

    key: str
    title_zh: str
    title_en: str
    language: str
    note: str

    @property
    def citation(self) -> str:
        """Title in the original and in English translation, e.g.
        ``神经元漏泄通道 ("Neuronal leak channels")``."""
        return f"{self.title_zh} (\u201c{self.title_en}\u201d)"


@dataclass(frozen=True)
class Claim:
    """One claim: its ID, its text, what the model measures, its scope and its source."""

    id: str
    statement: str
    summary: str
    measures: str
    scope: str
    source: Document
    reason: str = ""

    @property
    def in_scope(self) -> bool:
        return self.scope != "out of scope"


class ClaimsFileError(ValueError):
    """The claims data file is malformed (names the entry and the field)."""


def _parse(text: str, where: str) -> tuple[Claim, ...]:
    data = tomllib.loads(text)
    docs = {}
    for key, d in data.get("documents", {}).items():
        try:
            docs[key] = Document(key, d["title_zh"], d["title_en"], d["language"], d["note"])
        except KeyError as err:
            raise ClaimsFileError(f"{where}: document {key!r} lacks field {err}") from None
    out, seen = [], set()
    for i, c in enumerate(data.get("claims", [])):
        name = c.get("id", f"entry {i + 1}")
        for fld in ("id", "statement", "summary", "measures", "scope", "source"):
            if not str(c.get(fld, "")).strip():
                raise ClaimsFileError(f"{where}: claim {name} has no {fld!r}")
        if c["id"] in seen:
            raise ClaimsFileError(f"{where}: claim {name} appears twice")
        if c["scope"] not in SCOPES:
            raise ClaimsFileError(f"{where}: claim {name} has scope {c['scope']!r}; use one of "
                                  f"{SCOPES}")
        if c["source"] not in docs:
            raise ClaimsFileError(f"{where}: claim {name} cites unknown document "
                                  f"{c['source']!r} (known: {sorted(docs)})")
        if c["scope"] == "out of scope" and not c.get("reason", "").strip():
            raise ClaimsFileError(f"{where}: out-of-scope claim {name} needs a 'reason'")
        seen.add(c["id"])
        out.append(Claim(c["id"], c["statement"], c["summary"], c["measures"], c["scope"],
                         docs[c["source"]], c.get("reason", "")))
    if not out:
        raise ClaimsFileError(f"{where}: no [[claims]] entries")
    return tuple(out)


@functools.cache
def load() -> tuple[Claim, ...]:
    """All claims, in the order of the data file.

    Raises
    ------
    ClaimsFileError
        If the shipped file is malformed (a missing field, a duplicate ID, an unknown
        scope or source document, an out-of-scope claim without its reason).
    """
    text = resources.files("cablemodels").joinpath("data", "claims.toml").read_text("utf-8")
    return _parse(text, "cablemodels/data/claims.toml")


def documents() -> tuple[Document, ...]:
    """The source documents the claims cite, in order of first citation."""
    return tuple(dict.fromkeys(c.source for c in load()))
