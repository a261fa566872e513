"""Shared by the analyses: the row and section types and figure saving."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

COLUMNS = ["claim_id", "quantity", "model_value", "unit", "claim_value", "literature_value",
           "literature_source", "verdict", "conditions"]


@dataclass(frozen=True)
class Row:
    """One line of claims.csv: a measured number next to the claim's and the literature's."""

    claim_id: str
    quantity: str
    model_value: float
    unit: str
    claim_value: str
    literature_value: str
    literature_source: str
    verdict: str
    conditions: str


@dataclass
class Section:
    """What one analysis contributes to the report."""

    title: str
    claims: dict            # claim id -> statement (paraphrased from CLAIMS.md)
    simulated: str          # what was simulated, in prose
    rows: list = field(default_factory=list)
    figures: list = field(default_factory=list)   # paths relative to out_dir
    data: list = field(default_factory=list)      # paths relative to out_dir
    notes: list = field(default_factory=list)     # extra findings, prose

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(r) for r in self.rows], columns=COLUMNS)


def save_figure(fig, out_dir: Path, name: str) -> str:
    """Save ``fig`` as figures/NAME.png under ``out_dir``; return the relative path."""
    folder = Path(out_dir) / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(folder / f"{name}.png", dpi=110)
    plt.close(fig)
    return f"figures/{name}.png"


def save_data(frame: pd.DataFrame, out_dir: Path, name: str) -> str:
    """Save the numbers behind a figure as data/NAME.csv; return the relative path."""
    folder = Path(out_dir) / "data"
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / f"{name}.csv", index=False)
    return f"data/{name}.csv"


def figure(ncols=1, width=5.0, height=3.6):
    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height))
    return fig, axes
