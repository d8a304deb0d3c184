"""Shared helpers of the analysis scripts in ``analysis/``: reading run and sweep outputs,
replicate statistics, figure furniture (scale bars, laminae, colours) and one-line errors.

The scripts depend only on the files a run or a sweep writes (README, "Outputs" and "Sweeps"),
never on ``vcsim`` itself, so they keep working on old output directories and while the
package internals change. What they rely on:

- a run directory: ``timeseries.csv``, ``nucleation_events.csv``, ``transitions.csv``,
  ``metadata.json`` (``parameters``: ``lattice_rows``, ``lattice_cols``, ``site_spacing_um``,
  ``lamina_every_rows``, ``dt_h``, ``calcified_threshold_mmol_per_L``; ``seed``,
  ``simulated_days``), ``snapshots/day_XXX.npz``;
- a sweep directory: ``results.csv``, ``timeseries.csv`` (long: run_id, step, day, metric,
  value), ``sweep.json`` (``parameters``: the varied names).

Geometry (from ``vcsim/lattice.py``): row 0 faces the lumen, depth grows with the row index,
columns run along the wall and are periodic, and an elastic lamina occupies every row ``r``
with ``r % lamina_every_rows == 0`` (row 0 is the internal elastic lamina; 0 = no laminae).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.offsetbox import AnchoredOffsetbox, AuxTransformBox, TextArea, VPacker
from matplotlib.patches import Rectangle
from scipy import stats

#: Phenotype names and colours, the same as ``vcsim/figures.py`` (kept here so the scripts
#: need only the output files).
PHENOTYPE_COLOURS: dict[str, str] = {
    "contractile": "#c44e52",
    "osteogenic": "#4c72b0",
    "autophagic": "#55a868",
    "apoptotic": "#222222",
    "empty": "#bbbbbb",
}
LAMINA_COLOUR = "#c9b68c"

#: Nucleation sources in the model's order (``vcsim/chemistry/lattice.py``) and colours.
SOURCE_COLOURS: dict[str, str] = {
    "vesicle": "#1f77b4",
    "apoptotic_body": "#444444",
    "elastin": "#c9a227",
    "homogeneous": "#9467bd",
    "secondary": "#d62728",
}
EXTRA_COLOURS = ("#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#ff7f0e", "#2ca02c")

#: Units read from a column name's suffix, longest first: vcsim's own table (vcsim.figures)
from vcsim.figures import UNIT_SUFFIXES  # noqa: E402


class AnalysisError(Exception):
    """Bad input to an analysis script: reported as one line, exit status 2."""


# ---------------------------------------------------------------------- command line
class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """The description (the module docstring) kept as written; an option's default appended
    to its help unless the help already states it or there is none to state."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        unset = action.default is None or action.default is False or action.default == [] \
            or action.default == argparse.SUPPRESS  # 0 is a real default, False is a flag's
        if "default" in text or unset or action.required or not action.option_strings:
            return text
        return f"{text} (default: %(default)s)"


class ArgumentParser(argparse.ArgumentParser):
    """argparse with a one-line error (``error: ...``) and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def make_parser(doc: str | None, prog: str) -> ArgumentParser:
    return ArgumentParser(prog=prog, description=doc, formatter_class=HelpFormatter)


def run_cli(body: Callable[[argparse.Namespace], int], parser: ArgumentParser,
            argv: Sequence[str] | None) -> int:
    """Parse ``argv`` and run ``body``; an :class:`AnalysisError` becomes one line on stderr
    and exit status 2."""
    try:
        args = parser.parse_args(None if argv is None else list(argv))
    except SystemExit as exc:  # --help (0) or a usage error (2): return, do not raise
        return int(exc.code or 0)
    try:
        return body(args)
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number")
    return value


def nonnegative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 0")
    return value


def confidence_level(text: str) -> float:
    value = positive_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be between 0 and 1, e.g. 0.95")
    return value


# ---------------------------------------------------------------------- reading outputs
def read_table(path: Path, required: Iterable[str] = (), what: str = "",
               numeric: Iterable[str] = ()) -> pd.DataFrame:
    """A CSV output; a missing file, unreadable text, a missing column or a non-numeric value
    in a ``numeric`` column is an :class:`AnalysisError` naming the file. Extra columns are
    kept."""
    if not path.is_file():
        raise AnalysisError(f"{path}: no such file{f' ({what})' if what else ''}")
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise AnalysisError(f"{path}: cannot be read as CSV ({str(exc).splitlines()[0]})") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise AnalysisError(f"{path}: missing column(s) {', '.join(missing)}")
    for column in numeric:
        if column in frame and len(frame) and not pd.api.types.is_numeric_dtype(frame[column]):
            raise AnalysisError(f"{path}: column {column} holds non-numeric values")
    return frame


def read_optional_table(path: Path, required: Iterable[str] = (),
                        numeric: Iterable[str] = ()) -> pd.DataFrame | None:
    """Like :func:`read_table` but None when the file is absent."""
    return read_table(path, required, numeric=numeric) if path.is_file() else None


def read_json(path: Path, required: bool = True) -> dict[str, Any] | None:
    if not path.is_file():
        if required:
            raise AnalysisError(f"{path}: no such file")
        return None
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
        raise AnalysisError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise AnalysisError(f"{path}: expected a JSON object")
    return data


def require_dir(path: Path, what: str) -> Path:
    if not path.is_dir():
        raise AnalysisError(f"{path}: not a directory ({what})")
    return path


def parameters_of(meta: dict[str, Any]) -> dict[str, Any]:
    """The resolved parameters of a run's metadata.json (``parameters``; ``params`` in
    checkpoints)."""
    params = meta.get("parameters", meta.get("params"))
    return params if isinstance(params, dict) else {}


@dataclass(frozen=True)
class Geometry:
    """The lattice of a run: ``rows`` x ``cols`` sites of ``spacing_um``; laminae every
    ``lamina_every_rows`` rows from row 0 (0 = none)."""

    rows: int
    cols: int
    spacing_um: float
    lamina_every_rows: int

    @classmethod
    def from_metadata(cls, meta: dict[str, Any], where: Path) -> Geometry:
        p = parameters_of(meta)
        try:
            return cls(int(p["lattice_rows"]), int(p["lattice_cols"]),
                       float(p.get("site_spacing_um", 10.0)), int(p.get("lamina_every_rows", 0)))
        except (KeyError, TypeError, ValueError) as exc:
            raise AnalysisError(f"{where}: parameters lack the lattice size ({exc})") from None

    def lamina_rows(self) -> np.ndarray:
        """Row indices of the elastic laminae."""
        if self.lamina_every_rows <= 0:
            return np.zeros(0, dtype=int)
        return np.arange(0, self.rows, self.lamina_every_rows)

    def is_lamina_row(self) -> np.ndarray:
        out = np.zeros(self.rows, dtype=bool)
        out[self.lamina_rows()] = True
        return out

    def row_distance_to_lamina_um(self) -> np.ndarray:
        """Centre-to-centre distance from each row to the nearest lamina row (um); NaN when
        the lattice has no laminae. Laminae are whole rows, so the distance depends on the row
        only: d(r) = min_L |r - L| x spacing."""
        laminae = self.lamina_rows()
        if laminae.size == 0:
            return np.full(self.rows, np.nan)
        r = np.arange(self.rows)[:, None]
        return np.abs(r - laminae[None, :]).min(axis=1) * self.spacing_um

    def depth_um(self) -> np.ndarray:
        """Depth of each row's centre from the lumen (um)."""
        return (np.arange(self.rows) + 0.5) * self.spacing_um


def units_of(column: str) -> str:
    """Units of an output column from its name's suffix; ``1`` for fractions and relative
    levels (the convention of ``vcsim/figures.py``)."""
    for suffix, units in UNIT_SUFFIXES:
        if column.endswith(suffix):
            return units
    if column.startswith(("n_", "nucleation_events")):
        return "count"
    return "1"


def label_of(column: str) -> str:
    """``calcified_fraction (1)``: a column name with its units, for axis labels."""
    return f"{column} ({units_of(column)})"


def source_colour(source: str, order: Sequence[str]) -> str:
    if source in SOURCE_COLOURS:
        return SOURCE_COLOURS[source]
    extras = [s for s in order if s not in SOURCE_COLOURS]
    return EXTRA_COLOURS[extras.index(source) % len(EXTRA_COLOURS)] if source in extras \
        else EXTRA_COLOURS[0]


def ordered(names: Iterable[str], preferred: Sequence[str]) -> list[str]:
    """``names`` with the ``preferred`` ones first, in that order, then the rest sorted."""
    names = list(dict.fromkeys(str(n) for n in names))
    return [n for n in preferred if n in names] + sorted(n for n in names if n not in preferred)


# ---------------------------------------------------------------------- statistics
@dataclass(frozen=True)
class Interval:
    """Replicate statistics of one quantity: n, mean, sample sd (ddof 1), standard error and
    the t-based confidence interval ``mean +/- t_{(1+level)/2, n-1} * sd / sqrt(n)``
    (Student 1908). With n < 2 the spread and the interval are NaN."""

    n: int
    mean: float
    sd: float
    se: float
    ci_low: float
    ci_high: float


def t_interval(values: Iterable[float], level: float = 0.95) -> Interval:
    """:class:`Interval` of the finite ``values`` (NaN are dropped)."""
    x = np.asarray([v for v in values], dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return Interval(0, math.nan, math.nan, math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n < 2:
        return Interval(1, mean, math.nan, math.nan, math.nan, math.nan)
    sd = float(x.std(ddof=1))
    se = sd / math.sqrt(n)
    half = float(stats.t.ppf(0.5 + level / 2.0, n - 1)) * se
    return Interval(n, mean, sd, se, mean - half, mean + half)


def welch_interval(a: Sequence[float], b: Sequence[float], level: float = 0.95
                   ) -> tuple[float, float, float, float]:
    """Unpaired difference mean(a) - mean(b) with Welch's t interval (Welch 1947, Biometrika
    34:28): se = sqrt(s_a^2/n_a + s_b^2/n_b), Welch-Satterthwaite degrees of freedom
    df = se^4 / ((s_a^2/n_a)^2/(n_a-1) + (s_b^2/n_b)^2/(n_b-1)).
    Returns (difference, se, ci_low, ci_high); NaN spread when a group has fewer than 2."""
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    if x.size == 0 or y.size == 0:
        return math.nan, math.nan, math.nan, math.nan
    diff = float(x.mean() - y.mean())
    if x.size < 2 or y.size < 2:
        return diff, math.nan, math.nan, math.nan
    va, vb = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, 0.0, diff, diff
    df = (va + vb) ** 2 / (va**2 / (x.size - 1) + vb**2 / (y.size - 1))
    half = float(stats.t.ppf(0.5 + level / 2.0, df)) * se
    return diff, se, diff - half, diff + half


def metric_domain(name: str) -> tuple[float, float]:
    """The values a time-series metric can take, used to clip confidence bands:

    - fractions (``fraction_*``, ``*_fraction``, ``calcified_fraction``) in [0, 1];
    - counts (``n_*``, ``nucleation_events*``, ``*_count``), amounts and concentrations
      (``*_umol``, ``*_mM``, ``*_uM``, ``*_nM``, ``*_ug_per_mg_protein``, ``*_mmol_per_L``,
      ``*_g_per_L``, ``*_pg_per_mL``) and mean cell markers (``mean_*``, relative levels) >= 0;
    - anything else (e.g. ``hap_saturation_index_*``, a log10, and the Ca/P ledger terms
      ``boundary_*_in_umol``, which are net fluxes and can be negative) unbounded.
    """
    if name.startswith("boundary_"):
        return -math.inf, math.inf
    if name.startswith("fraction_") or name.endswith("_fraction") or "_fraction_" in name:
        return 0.0, 1.0
    if name.startswith(("n_", "nucleation_events", "mean_")):
        return 0.0, math.inf
    nonnegative = ("_count", "_umol", "_mM", "_uM", "_nM", "_ug_per_mg_protein",
                   "_mmol_per_L", "_g_per_L", "_pg_per_mL", "_max", "_total")
    if name.endswith(nonnegative) and not name.startswith("hap_saturation_index"):
        return 0.0, math.inf
    return -math.inf, math.inf


def clip_to(values: np.ndarray | float, domain: tuple[float, float]) -> np.ndarray:
    return np.clip(np.asarray(values, dtype=float), domain[0], domain[1])


def permutation_p_value(observed: float, null: np.ndarray, alternative: str = "less") -> float:
    """Monte-Carlo permutation p-value with the +1 correction of Phipson & Smyth (2010, Stat
    Appl Genet Mol Biol 9:39): p = (1 + #{null <= observed}) / (1 + n) for ``"less"``
    (``>=`` for ``"greater"``), never 0."""
    null = np.asarray(null, dtype=float)
    if not math.isfinite(observed) or null.size == 0:
        return math.nan
    tol = 1e-12 * max(1.0, abs(observed))  # ties count as at least as extreme
    hits = np.sum(null <= observed + tol) if alternative == "less" \
        else np.sum(null >= observed - tol)
    return float((1 + hits) / (1 + null.size))


# ---------------------------------------------------------------------- figures
def new_figure(width: float, height: float) -> Figure:
    """A bare Figure on the Agg canvas (no pyplot state), constrained layout, 110 dpi."""
    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def nice_length(span: float, fraction: float = 0.2) -> float:
    """A 1-2-5 x 10^k length close to ``fraction`` of ``span`` (for scale bars)."""
    target = max(span * fraction, 1e-12)
    power = 10.0 ** math.floor(math.log10(target))
    for step in (5.0, 2.0, 1.0):
        if step * power <= target:
            return step * power
    return power


def add_scale_bar(ax: Axes, length_um: float, colour: str = "black") -> None:
    """A horizontal scale bar of ``length_um`` (data units are um) with its label, drawn just
    above the top right corner of the axes so it never covers data."""
    box = AuxTransformBox(ax.transData)
    box.add_artist(Rectangle((0, 0), length_um, 0, edgecolor=colour, linewidth=3))
    label = f"{length_um:g} um" if length_um < 1000 else f"{length_um / 1000:g} mm"
    packed = VPacker(children=[TextArea(label, textprops={"color": colour, "size": 8}), box],
                     align="center", pad=0, sep=2)
    ax.add_artist(AnchoredOffsetbox(loc="lower right", child=packed, pad=0.1, borderpad=0.2,
                                    frameon=False, bbox_to_anchor=(1.0, 1.0),
                                    bbox_transform=ax.transAxes))


def map_extent(geom: Geometry) -> tuple[float, float, float, float]:
    """imshow extent in um with row 0 (the lumen side) at the top."""
    return (0.0, geom.cols * geom.spacing_um, geom.rows * geom.spacing_um, 0.0)


def draw_laminae_on_map(ax: Axes, geom: Geometry, filled: bool = True) -> None:
    """Mark each lamina row on a map in um: a shaded band the row's height (``filled``, under
    scatter plots) or its outline (over images, which shading would tint)."""
    for r in geom.lamina_rows():
        y0, y1 = r * geom.spacing_um, (r + 1) * geom.spacing_um
        if filled:
            ax.axhspan(y0, y1, facecolor=LAMINA_COLOUR, alpha=0.45, lw=0, zorder=0)
        else:
            ax.axhspan(y0, y1, facecolor="none", edgecolor=LAMINA_COLOUR, lw=0.9, zorder=3)


def finish_map(ax: Axes, geom: Geometry, title: str) -> None:
    ax.set_aspect("equal")
    ax.set_xlim(0, geom.cols * geom.spacing_um)
    ax.set_ylim(geom.rows * geom.spacing_um, 0)
    ax.set_xlabel("along the wall (um)")
    ax.set_ylabel("depth from the lumen (um)")
    ax.set_title(title, fontsize=10, loc="left")
    add_scale_bar(ax, nice_length(geom.cols * geom.spacing_um))


def outline_segments(mask: np.ndarray, geom: Geometry) -> list[list[tuple[float, float]]]:
    """Edges between masked and unmasked sites, in um, as line segments (exact site borders,
    unlike a contour). The column seam is periodic: a region crossing it stays open there."""
    mask = np.asarray(mask, dtype=bool)
    dx = geom.spacing_um
    segs: list[list[tuple[float, float]]] = []
    rows, cols = np.nonzero(mask[:, :-1] != mask[:, 1:])  # vertical edges inside
    segs += [[((c + 1) * dx, r * dx), ((c + 1) * dx, (r + 1) * dx)] for r, c in zip(rows, cols,
                                                                                   strict=True)]
    seam = mask[:, 0] != mask[:, -1]
    for r in np.flatnonzero(seam):
        x = 0.0 if mask[r, 0] else geom.cols * dx
        segs.append([(x, r * dx), (x, (r + 1) * dx)])
    padded = np.vstack([np.zeros((1, mask.shape[1]), bool), mask,
                        np.zeros((1, mask.shape[1]), bool)])
    rows, cols = np.nonzero(padded[:-1] != padded[1:])  # horizontal edges, top and bottom too
    segs += [[(c * dx, r * dx), ((c + 1) * dx, r * dx)] for r, c in zip(rows, cols, strict=True)]
    return segs


def empty_panel(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="#888888")


def out_dir(path: Path | None, default: Path) -> Path:
    out = path if path is not None else default
    if out.exists() and not out.is_dir():
        raise AnalysisError(f"{out}: exists and is not a directory (--out)")
    out.mkdir(parents=True, exist_ok=True)
    return out
