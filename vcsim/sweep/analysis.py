"""Analyse a finished sweep folder: replicate statistics, sensitivity indices and figures.

Everything goes to ``DIR/analysis/``:

- ``summary.csv``: per design point and metric, over the replicates that finished ok: n, mean,
  sd (n - 1) and the Student-t confidence interval mean +- t_{(1+c)/2, n-1} sd / sqrt(n).
- sobol designs: ``sobol_indices.csv`` (metric, parameter, S1, S1_conf, ST, ST_conf) and, with
  ``second_order``, ``sobol_second_order.csv`` (S2, S2_conf), from
  ``SALib.analyze.sobol.analyze`` (Saltelli 2002 / Saltelli et al. 2010 estimators; Jansen
  1999 for ST); ``*_conf`` is the half-width of the bootstrap confidence interval at
  ``conf_level``. The output of a design point is the mean over its replicates.
- morris designs: ``morris_indices.csv`` (metric, parameter, mu, mu_star, mu_star_conf,
  sigma) from ``SALib.analyze.morris.analyze`` (Morris 1991; mu* of Campolongo et al. 2007).
  Elementary effects are taken on the unit hypercube, so mu and mu* are in metric units per
  whole range (in probability) of the input.
- figures: ``dose_response_<parameter>.png`` for grids (mean with a band of +-sd or the CI
  over replicates, the replicates as dots; with two parameters one curve per level of the
  other; with more, the main effect averaged over the others), ``heatmap_<metric>.png`` for
  two-parameter grids, ``scatter_<parameter>.png`` for random/lhs designs,
  ``sobol_indices.png`` / ``morris_indices.png`` (bars with confidence-interval error bars).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from vcsim.sweep import results as res
from vcsim.sweep.spec import SweepError, SweepSpec

ANALYSIS_DIR = "analysis"
BANDS = ("sd", "ci")


@dataclass
class AnalysisResult:
    """Paths written and the tables computed by :func:`analyze`."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    summary: pd.DataFrame | None = None
    indices: pd.DataFrame | None = None
    second_order: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def replicate_summary(results: pd.DataFrame, names: Sequence[str], metrics: Sequence[str],
                      conf_level: float = 0.95) -> pd.DataFrame:
    """Long table: point, parameters, metric, n, mean, sd, ci_low, ci_high over ok replicates."""
    from scipy.stats import t as student_t

    ok = results[results["status"] == "ok"]
    rows = []
    for point, group in ok.groupby("point", sort=True):
        first = group.iloc[0]
        for m in metrics:
            y = group[m].to_numpy(dtype=np.float64)
            n = len(y)
            mean = float(y.mean())
            sd = float(y.std(ddof=1)) if n > 1 else math.nan
            half = (float(student_t.ppf(0.5 + conf_level / 2, n - 1)) * sd / math.sqrt(n)
                    if n > 1 else math.nan)
            rows.append({"point": int(point), **{p: first[p] for p in names}, "metric": m,
                         "n": n, "mean": mean, "sd": sd,
                         "ci_low": mean - half, "ci_high": mean + half})
    return pd.DataFrame(rows)


def _point_means(results: pd.DataFrame, n_points: int, metric: str) -> np.ndarray:
    ok = results[results["status"] == "ok"]
    means = ok.groupby("point")[metric].mean()
    missing = n_points - int(means.index.isin(range(n_points)).sum())
    if missing:
        raise SweepError(
            f"{missing} of {n_points} design points have no finished run; "
            "finish the sweep (sweep --resume) before computing indices"
        )
    return means.reindex(range(n_points)).to_numpy(dtype=np.float64)


def salib_seed(seed: int) -> int:
    """The seed SALib's bootstrap gets for ``seed``: ``seed + 1``, because SALib takes a falsy
    seed (0, vcsim's default) as "no seed" and the confidence intervals would differ from one
    analysis of the same sweep to the next."""
    return int(seed) + 1


def sobol_indices(spec: SweepSpec, results: pd.DataFrame, metrics: Sequence[str], n_points: int,
                  conf_level: float = 0.95, num_resamples: int = 1000, seed: int = 0
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """First-order, total and (optionally) second-order Sobol' indices of every metric."""
    from SALib.analyze import sobol

    problem = spec.salib_problem()
    first, second = [], []
    for m in metrics:
        y = _point_means(results, n_points, m)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            si = sobol.analyze(problem, y, calc_second_order=spec.second_order,
                               num_resamples=num_resamples, conf_level=conf_level,
                               seed=salib_seed(seed))
        variance = float(np.var(y))
        # a constant output has no variance to apportion: NaN, not a misleading 0
        keep = (lambda v: float(v)) if variance > 0 else (lambda v: math.nan)
        for i, name in enumerate(spec.names):
            first.append({"metric": m, "parameter": name, "S1": keep(si["S1"][i]),
                          "S1_conf": keep(si["S1_conf"][i]), "ST": keep(si["ST"][i]),
                          "ST_conf": keep(si["ST_conf"][i]), "output_variance": variance})
        if spec.second_order:
            for i in range(len(spec.names)):
                for j in range(i + 1, len(spec.names)):
                    second.append({"metric": m, "parameter_1": spec.names[i],
                                   "parameter_2": spec.names[j], "S2": keep(si["S2"][i, j]),
                                   "S2_conf": keep(si["S2_conf"][i, j])})
    return pd.DataFrame(first), pd.DataFrame(second)


def morris_indices(spec: SweepSpec, results: pd.DataFrame, design: pd.DataFrame,
                   metrics: Sequence[str], conf_level: float = 0.95, num_resamples: int = 1000,
                   seed: int = 0) -> pd.DataFrame:
    """Morris mu, mu*, its confidence half-width, and sigma of every metric."""
    from SALib.analyze import morris

    problem = spec.salib_problem()
    x = design[[f"unit:{n}" for n in spec.names]].to_numpy(dtype=np.float64)
    rows = []
    for m in metrics:
        y = _point_means(results, len(design), m)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            si = morris.analyze(problem, x, y, num_resamples=num_resamples,
                                conf_level=conf_level, num_levels=spec.levels,
                                seed=salib_seed(seed))
        for i, name in enumerate(spec.names):
            rows.append({"metric": m, "parameter": name, "mu": si["mu"][i],
                         "mu_star": si["mu_star"][i], "mu_star_conf": si["mu_star_conf"][i],
                         "sigma": si["sigma"][i]})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------- figures
def _grid_shape(k: int) -> tuple[int, int]:
    cols = min(3, k)
    return math.ceil(k / cols), cols


def _panels(k: int, width: float = 4.2, height: float = 3.2) -> tuple[Figure, list]:
    rows, cols = _grid_shape(k)
    fig = Figure(figsize=(width * cols, height * rows), layout="constrained")
    axes = [fig.add_subplot(rows, cols, i + 1) for i in range(k)]
    return fig, axes


#: name endings of metrics that cannot be negative: amounts, concentrations, counts, times
_NON_NEGATIVE = ("_count", "_umol", "_ug_per_mg_protein", "_mM", "_uM", "_nM", "_pg_per_mL",
                 "_g_per_L", "_min", "_h", "_amol", "events_cumulative", "events_new")
#: cell means that are indices >= 0, not relative levels in [0, 1]
_INDICES = ("unfolded_load", "unfolded_load_max", "_ros", "_ros_max")


def metric_domain(name: str) -> tuple[float, float]:
    """The values a metric can take, from its name: fractions and relative markers in [0, 1],
    amounts, concentrations, counts and times >= 0, anything else unbounded. A band drawn
    around a mean is clipped to it (a sd band of a fraction near 0 would dip below 0)."""
    base = name.removeprefix("avg_")
    if base.endswith(_NON_NEGATIVE) or base.startswith("n_") or base.endswith(_INDICES):
        return 0.0, math.inf
    if base.startswith(("fraction_", "mean_")) or base.endswith(("_fraction", "_fraction_max")):
        return 0.0, 1.0
    return -math.inf, math.inf


def _band(stats: pd.DataFrame, band: str, metric: str = "") -> tuple[np.ndarray, np.ndarray]:
    if band == "ci":
        lo, hi = stats["ci_low"].to_numpy(), stats["ci_high"].to_numpy()
    else:
        sd = stats["sd"].fillna(0.0).to_numpy()
        lo, hi = stats["mean"].to_numpy() - sd, stats["mean"].to_numpy() + sd
    low, high = metric_domain(metric)
    return np.clip(lo, low, high), np.clip(hi, low, high)


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def dose_response_figure(summary: pd.DataFrame, results: pd.DataFrame, names: Sequence[str],
                         metrics: Sequence[str], param: str, band: str = "sd",
                         conf_level: float = 0.95) -> Figure:
    """Metric against ``param``: mean with a band (sd or CI over replicates) and the replicates;
    one curve per level of the other parameter for two-parameter grids, else the main effect."""
    others = [n for n in names if n != param]
    fig, axes = _panels(len(metrics))
    ok = results[results["status"] == "ok"]
    numeric = _is_numeric(ok[param]) if len(ok) else True
    label = "mean ± sd" if band == "sd" else f"mean, {conf_level:.0%} CI"
    for ax, m in zip(axes, metrics, strict=True):
        stats = summary[summary["metric"] == m]
        if len(others) == 1:
            groups = [(f"{lv:g}" if isinstance(lv, float) else str(lv),
                       stats[stats[others[0]] == lv], ok[ok[others[0]] == lv])
                      for lv in sorted(stats[others[0]].unique())]
        elif not others:
            groups = [(label, stats, ok)]
        else:  # main effect: pool every run at each level of param
            pooled = replicate_summary(ok, [param], [m], conf_level)
            groups = [(f"{label} (main effect)", pooled, ok)]
        for text, st, runs in groups:
            st = st.sort_values(param)
            x = st[param].to_numpy() if numeric else np.arange(len(st))
            lo, hi = _band(st, band, m)
            mean = st["mean"].to_numpy()
            if len(groups) <= 3:  # shaded bands stay readable for a few curves
                line = ax.plot(x, mean, marker="o", label=text)[0]
                ax.fill_between(x, lo, hi, alpha=0.2, color=line.get_color(), linewidth=0)
            else:
                line = ax.errorbar(x, mean, yerr=[mean - lo, hi - mean], marker="o",
                                   markersize=4, capsize=2, linewidth=1.2, label=text).lines[0]
            if numeric:
                ax.plot(runs[param], runs[m], ".", color=line.get_color(), alpha=0.5, markersize=4)
        if not numeric:
            ticks = sorted(stats[param].unique())
            ax.set_xticks(range(len(ticks)), [str(t) for t in ticks])
        ax.set_xlabel(param)
        ax.set_ylabel(m)
    if len(others) == 1:  # the same curves in every panel: one legend for the figure
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, title=others[0], loc="outside right upper", fontsize=8,
                   title_fontsize=8)
    else:
        axes[0].legend(fontsize=7)
    fig.suptitle(f"dose-response: {param} ({label} over replicates)")
    return fig


def heatmap_figure(summary: pd.DataFrame, names: Sequence[str], metric: str) -> Figure:
    """Mean of ``metric`` over a two-parameter grid (first parameter across, second up)."""
    px, py = names
    table = summary[summary["metric"] == metric].pivot_table(index=py, columns=px, values="mean")
    fig = Figure(figsize=(1.0 + 0.9 * max(4, table.shape[1]), 1.0 + 0.7 * max(4, table.shape[0])),
                 layout="constrained")
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(table.to_numpy(), cmap="viridis")
    fig.colorbar(mesh, ax=ax, label=f"{metric} (mean over replicates)")
    ax.set_xticks(np.arange(table.shape[1]) + 0.5, [f"{v:g}" if isinstance(v, float) else str(v)
                                                      for v in table.columns], rotation=45)
    ax.set_yticks(np.arange(table.shape[0]) + 0.5, [f"{v:g}" if isinstance(v, float) else str(v)
                                                      for v in table.index])
    ax.set_xlabel(px)
    ax.set_ylabel(py)
    if table.size <= 144:
        finite = table.to_numpy()[np.isfinite(table.to_numpy())]
        mid = float(np.mean([finite.min(), finite.max()])) if finite.size else 0.0
        for (i, j), v in np.ndenumerate(table.to_numpy()):
            ax.text(j + 0.5, i + 0.5, f"{v:.3g}", ha="center", va="center", fontsize=7,
                    color="white" if v < mid else "black")
    ax.set_title(metric)
    return fig


def scatter_figure(results: pd.DataFrame, metrics: Sequence[str], param: str) -> Figure:
    """Every finished run's metrics against ``param`` (random and Latin-hypercube designs)."""
    ok = results[results["status"] == "ok"]
    fig, axes = _panels(len(metrics))
    for ax, m in zip(axes, metrics, strict=True):
        ax.plot(ok[param], ok[m], ".", alpha=0.6)
        ax.set_xlabel(param)
        ax.set_ylabel(m)
    fig.suptitle(f"{param}: every finished run")
    return fig


def indices_figure(table: pd.DataFrame, kind: str, conf_level: float) -> Figure:
    """Bar charts, one panel per metric: S1 and ST (sobol) or mu* (morris), with CI bars."""
    metrics = list(dict.fromkeys(table["metric"]))
    fig, axes = _panels(len(metrics), width=4.6)
    for ax, m in zip(axes, metrics, strict=True):
        t = table[table["metric"] == m]
        x = np.arange(len(t))
        if kind == "sobol":
            ax.bar(x - 0.2, t["S1"], 0.4, yerr=t["S1_conf"], capsize=3, label="S1 (first order)")
            ax.bar(x + 0.2, t["ST"], 0.4, yerr=t["ST_conf"], capsize=3, label="ST (total)")
            ax.set_ylabel("Sobol' index")
            if not np.isfinite(t["S1"].to_numpy(dtype=float)).any():
                ax.text(0.5, 0.5, "constant output:\nno indices", transform=ax.transAxes,
                        ha="center", va="center")
        else:
            ax.bar(x, t["mu_star"], 0.6, yerr=t["mu_star_conf"], capsize=3, label="mu*")
            ax.plot(x, t["sigma"], "kD", markersize=4, label="sigma")
            ax.set_ylabel("effect per whole input range")
        ax.set_xticks(x, list(t["parameter"]), rotation=30, ha="right", fontsize=8)
        ax.set_title(m, fontsize=9)
        ax.axhline(0, color="0.5", linewidth=0.5)
        if m == metrics[0]:
            ax.legend(fontsize=7)
    fig.suptitle(f"{'Sobol' if kind == 'sobol' else 'Morris'} indices "
                 f"(error bars: {conf_level:.0%} CI, bootstrap)")
    return fig


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


# ---------------------------------------------------------------------- the entry point
def analyze(out: str | Path, *, metrics: Sequence[str] | None = None, conf_level: float = 0.95,
            num_resamples: int = 1000, band: str = "sd", figures: bool = True,
            seed: int = 0) -> AnalysisResult:
    """Analyse the sweep in ``out``; write tables and figures to ``out/analysis``."""
    out = Path(out)
    if not (out / res.SWEEP_JSON).exists() or not (out / res.RESULTS).exists():
        raise SweepError(f"{out} holds no sweep (no {res.SWEEP_JSON} or {res.RESULTS})")
    if band not in BANDS:
        raise SweepError(f"band = {band!r} is not allowed; expected one of {', '.join(BANDS)}")
    if not 0 < conf_level < 1:
        raise SweepError(f"conf_level = {conf_level!r} is not allowed; expected a number in (0, 1)")
    meta = res.read_json(out / res.SWEEP_JSON)
    spec = SweepSpec.from_dict(meta["spec"], where=str(out / res.SWEEP_JSON))
    exported = list(meta["metrics"])
    metrics = list(metrics) if metrics else exported
    for m in metrics:
        if m not in exported:
            raise SweepError(f"metric '{m}' was not exported by this sweep; it has: "
                             + ", ".join(exported))
    names = list(spec.names)
    results = res.read_results(out)
    design = res.read_design(out)
    folder = out / ANALYSIS_DIR
    folder.mkdir(exist_ok=True)
    result = AnalysisResult(folder)

    def save_table(frame: pd.DataFrame, name: str) -> None:
        path = folder / name
        frame.to_csv(path, index=False)
        result.files.append(path)

    def save_figure(fig: Figure, name: str) -> None:
        path = folder / name
        fig.savefig(path, dpi=120)
        result.files.append(path)

    n_failed = int((results["status"] != "ok").sum())
    if n_failed:
        result.notes.append(f"{n_failed} run(s) failed and are left out (sweep --resume retries them)")
    missing = int(meta["n_runs"]) - len(results)
    if missing > 0:
        result.notes.append(f"{missing} run(s) have not run yet")

    summary = replicate_summary(results, names, metrics, conf_level)
    result.summary = summary
    save_table(summary, "summary.csv")

    if spec.design == "sobol":
        first, second = sobol_indices(spec, results, metrics, len(design), conf_level,
                                      num_resamples, seed)
        result.indices, result.second_order = first, second
        save_table(first, "sobol_indices.csv")
        if spec.second_order:
            save_table(second, "sobol_second_order.csv")
        constant = sorted(set(first.loc[first["output_variance"] == 0, "metric"]))
        if constant:
            result.notes.append("constant over the design (no indices): " + ", ".join(constant))
    elif spec.design == "morris":
        result.indices = morris_indices(spec, results, design, metrics, conf_level,
                                        num_resamples, seed)
        save_table(result.indices, "morris_indices.csv")

    if figures and len(summary):
        if spec.design == "grid":
            for p in names:
                save_figure(dose_response_figure(summary, results, names, metrics, p, band,
                                                 conf_level), f"dose_response_{_safe(p)}.png")
            if len(names) == 2:
                for m in metrics:
                    save_figure(heatmap_figure(summary, names, m), f"heatmap_{_safe(m)}.png")
        elif spec.design in ("random", "lhs"):
            for p in names:
                save_figure(scatter_figure(results, metrics, p), f"scatter_{_safe(p)}.png")
        if result.indices is not None:
            save_figure(indices_figure(result.indices, spec.design, conf_level),
                        f"{spec.design}_indices.png")
    return result
