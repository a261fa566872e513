"""MkDocs hook: the mechanisms page shows each .mod file's COMMENT block, read at build time."""

from __future__ import annotations

import re
from pathlib import Path

MARKER = "<!-- cablemodels:mod-comments -->"
MOD_DIR = Path(__file__).resolve().parent.parent / "mod"  # scripts/ -> repository root


def _sections() -> str:
    out = []
    for path in sorted(MOD_DIR.glob("*.mod")):
        text = path.read_text()
        title = re.search(r"^\s*TITLE\s+(.+)$", text, re.M)
        comment = re.search(r"^\s*COMMENT\s*\n(.*?)^\s*ENDCOMMENT", text, re.S | re.M)
        heading = title.group(1).strip() if title else path.stem
        out.append(f"### `{path.stem}`\n\n{heading.split(': ', 1)[-1]}\n")
        if comment:
            out.append("```text\n" + comment.group(1).rstrip() + "\n```\n")
        else:
            raise ValueError(f"{path.name} has no COMMENT block; every mechanism documents its sources")
    return "\n".join(out)


def on_page_markdown(markdown: str, page, config, files) -> str:  # noqa: ARG001 (MkDocs API)
    if MARKER in markdown:
        return markdown.replace(MARKER, _sections())
    return markdown
