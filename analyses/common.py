"""Shared by the analyses: the row, figure and section types, outcome rules, figure style
and saving.

Every row of the report carries a categorical ``outcome`` (one of :data:`OUTCOMES`)
computed from its number by an explicit ``rule`` (stated in words next to it),
besides the prose verdict. The rule helpers below (:func:`judge_range`,
:func:`judge_condition`, :func:`not_measured`) return both; a row whose value is
missing or not finite is "not measured", whatever the rule would say.

Figures are styled in one place (:data:`STYLE`, applied at import): sized for print (at
most :data:`MAX_WIDTH_IN`, a journal's two-column width) with every font at least 8 pt at
that size; :data:`PALETTE` gives each configuration (kinetics, axon type, channel) the same
colour in every figure; :func:`save_figure` writes PNG at 200 dpi and SVG, with a caption.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import LogFormatter, LogFormatterSciNotation, NullFormatter  # noqa: E402

#: Matplotlib settings for every report figure: fonts in points at print size.
STYLE = {"font.size": 9, "axes.titlesize": 9, "axes.labelsize": 9, "xtick.labelsize": 8,
         "ytick.labelsize": 8, "legend.fontsize": 8, "legend.title_fontsize": 8,
         "figure.titlesize": 9, "legend.frameon": False, "axes.spines.top": False,
         "axes.spines.right": False, "savefig.dpi": 200, "svg.fonttype": "none",
         # colours not named in PALETTE cycle through the same colour-blind-safe set
         "axes.prop_cycle": matplotlib.cycler(color=["#0072B2", "#D55E00", "#009E73",
                                                     "#CC79A7", "#E69F00", "#56B4E9",
                                                     "#000000", "#F0E442"])}
plt.rcParams.update(STYLE)

#: Widest figure, inches (a journal's two-column width); :func:`figure` scales down to it.
MAX_WIDTH_IN = 7.0
#: PNG resolution, dots per inch.
DPI = 200

#: One colour per configuration, the same in every figure (Okabe & Ito's colour-blind-safe
#: set). Keys: kinetics (``squid``, ``wb``, ``ms96``), axon types (``unmyelinated`` = WB
#: membrane, ``myelinated`` = MS96 nodes), channels, and references.
PALETTE = {"squid": "#CC79A7", "wb": "#0072B2", "ms96": "#D55E00", "unmyelinated": "#0072B2",
           "myelinated": "#D55E00", "passive": "#56B4E9", "hcn1": "#009E73",
           "hcn2": "#E69F00", "leak": "#56B4E9", "theory": "#000000", "claim": "#666666"}
_KEYWORDS = (("ms96", "ms96"), ("mainen", "ms96"), ("unmyelinated", "unmyelinated"),
             ("myelinated", "myelinated"), ("squid", "squid"), ("hh k+", "squid"),
             ("wang-buzsaki", "wb"), ("wb", "wb"), ("hcn2", "hcn2"), ("hcn1", "hcn1"),
             ("blocked", "passive"), ("passive", "passive"), ("leak", "leak"),
             ("ghk", "theory"), ("theory", "theory"), ("sqrt", "theory"), ("claim", "claim"))


def colour(label: str, default: str | None = None) -> str | None:
    """The :data:`PALETTE` colour of the configuration a label names (first keyword that
    matches, case-insensitive: "WB axon vs MS96 nodes" is ``ms96``), else ``default``."""
    low = label.lower()
    return next((PALETTE[key] for word, key in _KEYWORDS if word in low), default)


def size_colours(n: int) -> list:
    """``n`` colours for an ordered series (cell sizes, diameters), small to large."""
    return [plt.get_cmap("viridis")(x) for x in ([0.1] if n == 1 else
                                                  [0.1 + 0.75 * i / (n - 1) for i in range(n)])]

COLUMNS = ["claim_id", "quantity", "comparison", "model_value", "unit", "claim_value",
           "literature_value", "literature_source", "verdict", "conditions", "outcome", "rule",
           "in_verdict"]

#: The categorical outcomes a row can have.
OUTCOMES = ("supported", "partly", "not supported", "not measured", "out of scope")


def _finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def context(outcome: dict) -> dict:
    """An outcome (from a rule helper) for a context row: kept, with its rule saying it is
    not counted, and ``in_verdict=False``."""
    return {**outcome, "rule": outcome["rule"] + " (context row: not counted in the claim's "
            "outcome)", "in_verdict": False}


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
    comparison: str = ""    # basis of a ratio, e.g. "equal diameter" (E1); else empty
    #: False for a context row (a thought experiment, a sensitivity, an estimate that is
    #: not a simulation): shown with its own outcome, not counted in the claim's outcome.
    in_verdict: bool = True

    def __post_init__(self):
        if self.outcome not in OUTCOMES:
            raise ValueError(f"row {self.claim_id} {self.quantity!r}: outcome must be one of "
                             f"{OUTCOMES} (got {self.outcome!r})")
        if not self.rule:
            raise ValueError(f"row {self.claim_id} {self.quantity!r}: state the rule behind "
                             "its outcome")
        if not isinstance(self.in_verdict, bool):
            raise ValueError(f"row {self.claim_id} {self.quantity!r}: in_verdict must be True "
                             f"or False (got {self.in_verdict!r})")
        if not _finite(self.model_value) and self.outcome != "not measured":
            raise ValueError(f"row {self.claim_id} {self.quantity!r}: value "
                             f"{self.model_value!r} is not a measurement, so its outcome must "
                             f"be 'not measured' (got {self.outcome!r})")


@dataclass(frozen=True)
class Figure:
    """A saved figure: ``path`` (PNG, relative to the output folder; the SVG sits beside
    it) and its caption (what is plotted and under which conditions; the report's tests
    require one for every figure)."""

    path: str
    caption: str = ""

    @property
    def svg(self) -> str:
        return str(Path(self.path).with_suffix(".svg"))


def with_caption(fig: Figure, caption: str) -> Figure:
    """The same saved figure with ``caption``."""
    return replace(fig, caption=caption)


@dataclass
class Section:
    """What one analysis contributes to the report."""

    title: str
    claims: dict            # claim id -> statement (short; full text in data/claims.toml)
    simulated: str          # what was simulated, in prose
    rows: list = field(default_factory=list)
    figures: list = field(default_factory=list)   # Figure objects
    data: list = field(default_factory=list)      # paths relative to out_dir
    notes: list = field(default_factory=list)     # extra findings, prose
    #: claim id -> the front page's answer for it, a sentence the analysis computed from
    #: its numbers (issue 14: E1's headline); claims without one get report.answer(rows)
    answers: dict = field(default_factory=dict)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(r) for r in self.rows], columns=COLUMNS)


def _plain_number(x: float) -> str:
    """A tick value without mathtext: "0.001", "20", "2e6"."""
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e5:
        return f"{x:g}"
    mantissa, exponent = f"{x:.1e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


class PlainLogFormatter(LogFormatter):
    """Log-axis labels as plain numbers ("0.01", "1e6"): matplotlib's default writes
    10^n in mathtext, whose exponents print below 8 pt."""

    def _num_to_string(self, x, vmin, vmax):
        return _plain_number(x)


def _plain_log_labels(fig) -> None:
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() != "log":
                continue
            if isinstance(axis.get_major_formatter(), LogFormatterSciNotation):
                axis.set_major_formatter(PlainLogFormatter(10))
            if isinstance(axis.get_minor_formatter(), LogFormatterSciNotation):
                axis.set_minor_formatter(PlainLogFormatter(10, labelOnlyBase=False))


def tick_label_overlaps(fig) -> list[tuple]:
    """Pairs of horizontal tick labels that overlap on the drawn figure, as
    ``(axis, "axes 1 x: '20' and '30'")`` (rotated labels are not checked)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    found = []
    for i, ax in enumerate(fig.axes):
        for name, axis, lim in (("x", ax.xaxis, ax.get_xlim()), ("y", ax.yaxis, ax.get_ylim())):
            lo, hi = min(lim), max(lim)
            labels = []
            for t in axis.get_ticklabels(which="both"):
                pos = t.get_position()[0 if name == "x" else 1]
                if (t.get_visible() and t.get_text() and t.get_rotation() == 0
                        and lo <= pos <= hi):
                    labels.append((t.get_text(), t.get_window_extent(renderer)))
            for (ta, a), (tb, b) in itertools.combinations(labels, 2):
                if a.overlaps(b):
                    found.append((axis, f"axes {i + 1} {name}: {ta!r} and {tb!r}"))
    return found


def save_figure(fig, out_dir: Path, name: str, caption: str = "") -> Figure:
    """Save ``fig`` as figures/NAME.png (200 dpi) and figures/NAME.svg under ``out_dir``.

    Parameters
    ----------
    caption : str
        What is plotted and under which conditions (may be added later with
        :func:`with_caption`; the report requires one).

    Returns
    -------
    Figure
        The PNG's path relative to ``out_dir``, and the caption.

    Raises
    ------
    ValueError
        If tick labels collide even without minor-tick labels (set fewer ticks), or a
        figure is wider than :data:`MAX_WIDTH_IN`.
    """
    folder = Path(out_dir) / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    _plain_log_labels(fig)
    fig.tight_layout()
    width = fig.get_size_inches()[0]
    if width > MAX_WIDTH_IN + 0.01:
        plt.close(fig)
        raise ValueError(f"figure {name}: {width:.2f} in wide, more than {MAX_WIDTH_IN} in")
    crowded = {axis for axis, _ in tick_label_overlaps(fig)}
    for axis in crowded:  # first remedy: drop the minor labels (log axes label 2, 3, 4, ...)
        axis.set_minor_formatter(NullFormatter())
    overlaps = tick_label_overlaps(fig) if crowded else []
    if overlaps:
        plt.close(fig)
        raise ValueError(f"figure {name}: tick labels overlap "
                         f"({'; '.join(text for _, text in overlaps)}); set fewer ticks")
    fig.savefig(folder / f"{name}.png", dpi=DPI)
    fig.savefig(folder / f"{name}.svg")
    plt.close(fig)
    return Figure(f"figures/{name}.png", caption)


def save_data(frame: pd.DataFrame, out_dir: Path, name: str) -> str:
    """Save the numbers behind a figure as data/NAME.csv; return the relative path."""
    folder = Path(out_dir) / "data"
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / f"{name}.csv", index=False)
    return f"data/{name}.csv"


def figure(ncols=1, width=5.0, height=3.6):
    """A row of ``ncols`` axes, each ``width`` x ``height`` inches, scaled down together so
    the figure is at most :data:`MAX_WIDTH_IN` wide (fonts stay at their print size)."""
    scale = min(1.0, MAX_WIDTH_IN / (width * ncols))
    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols * scale, max(height * scale, 2.8)))
    return fig, axes
