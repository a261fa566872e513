"""Shared by the analyses: the row and section types, outcome rules and figure saving.

Every row of the report carries a categorical ``outcome`` (one of :data:`OUTCOMES`)
computed from its number by an explicit ``rule`` (stated in words next to it),
besides the prose verdict. The rule helpers below (:func:`judge_range`,
:func:`judge_condition`, :func:`not_measured`) return both; a row whose value is
missing or not finite is "not measured", whatever the rule would say.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

COLUMNS = ["claim_id", "quantity", "model_value", "unit", "claim_value", "literature_value",
           "literature_source", "verdict", "conditions", "outcome", "rule"]

#: The categorical outcomes a row can have.
OUTCOMES = ("supported", "partly", "not supported", "not measured", "out of scope")


def _finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def not_measured(reason: str) -> dict:
    """Outcome for a number that could not be measured, with the reason."""
    return {"outcome": "not measured", "rule": reason}


def judge_range(value, lo: float, hi: float, partly: tuple[float, float] | None = None,
                unit: str = "") -> dict:
    """Supported when ``lo <= value <= hi``; partly inside the wider band ``partly``;
    otherwise not supported. Not finite: not measured."""
    u = f" {unit}" if unit else ""
    rule = f"supported if {lo:g}-{hi:g}{u}"
    if partly is not None:
        rule += f"; partly if {partly[0]:g}-{partly[1]:g}{u}"
    rule += "; else not supported"
    if not _finite(value):
        return not_measured(f"no finite value ({rule})")
    v = float(value)
    if lo <= v <= hi:
        return {"outcome": "supported", "rule": rule}
    if partly is not None and partly[0] <= v <= partly[1]:
        return {"outcome": "partly", "rule": rule}
    return {"outcome": "not supported", "rule": rule}


def declared(*configs) -> str:
    """The departures from the published models behind a row (for its conditions), from
    the membranes, parameter classes or cells it was measured on
    (:func:`cablemodels.biophysics.departures`)."""
    from cablemodels.biophysics import departures

    names = sorted({name for c in configs for name in departures(c)})
    return ("departures from the published models: " + ", ".join(names) if names
            else "published configurations, no departures")


def departure_legend(*configs) -> str:
    """One sentence naming every departure behind a section's rows and what it means."""
    from cablemodels.biophysics import DEPARTURES, departures

    names = sorted({name for c in configs for name in departures(c)})
    if not names:
        return "Every model in this section runs in its published configuration."
    return "Departures from the published models: " + "; ".join(
        f"{n}: {DEPARTURES[n]}" for n in names) + "."


def judge_condition(value, supported: bool, rule: str, partly: bool = False) -> dict:
    """Outcome of an explicit test on the numbers, ``rule`` saying what the test is."""
    if not _finite(value):
        return not_measured(f"no finite value ({rule})")
    outcome = "supported" if supported else "partly" if partly else "not supported"
    return {"outcome": outcome, "rule": rule}


@dataclass(frozen=True)
class Row:
    """One line of claims.csv: a measured number next to the claim's and the literature's,
    with its categorical outcome and the rule that gave it.

    Raises
    ------
    ValueError
        For an outcome outside :data:`OUTCOMES`, an empty rule, or a missing or
        non-finite value whose outcome is not "not measured".
    """

    claim_id: str
    quantity: str
    model_value: float
    unit: str
    claim_value: str
    literature_value: str
    literature_source: str
    verdict: str
    conditions: str
    outcome: str = ""
    rule: str = ""

    def __post_init__(self):
        if self.outcome not in OUTCOMES:
            raise ValueError(f"row {self.claim_id} {self.quantity!r}: outcome must be one of "
                             f"{OUTCOMES} (got {self.outcome!r})")
        if not self.rule:
            raise ValueError(f"row {self.claim_id} {self.quantity!r}: state the rule behind "
                             "its outcome")
        if not _finite(self.model_value) and self.outcome != "not measured":
            raise ValueError(f"row {self.claim_id} {self.quantity!r}: value "
                             f"{self.model_value!r} is not a measurement, so its outcome must "
                             f"be 'not measured' (got {self.outcome!r})")


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
