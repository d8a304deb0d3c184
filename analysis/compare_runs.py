"""Compare groups of runs (and sweep points) with replicate statistics.

Each group is a set of replicate runs: run directories matched by globs
(``--group ckd='runs/ckd-seed*'``) or the design points of a sweep (``--sweep runs/sweep-pi``:
one group per point, named by its parameter values). For every chosen metric the script gives,
over the replicates of each group,

- the time course: n, mean, sd and the t-based confidence interval
  mean +/- t_{(1+level)/2, n-1} sd / sqrt(n) at every time point;
- the end point (the last time every replicate of the group reached, or ``--at-day``), with
  the same statistics;
- the difference of each group from the reference group (``--reference``, default the first)
  at the end point: **paired** over the seeds both groups share (d_i = x_group(seed_i) -
  x_ref(seed_i), t interval of the d_i; common random numbers make such differences far more
  precise), or, when no seed is shared, Welch's unpaired difference of means.

Bands and intervals are clipped to the metric's domain (fractions to [0, 1], counts, amounts
and concentrations to >= 0; see ``metric_domain`` in ``analysis_common.py``), so a band never
shows an impossible value; means are never altered.

Outputs in ``--out``: ``compare_timecourse.csv`` (group, metric, day, n, mean, sd, ci_low,
ci_high), ``compare_endpoint.csv`` (group, metric, day, n, mean, sd, se, ci_low, ci_high,
values), ``compare_differences.csv`` (group, reference, metric, method (paired or welch),
n_pairs, n_group, n_reference, difference, se, ci_low, ci_high, seeds) and ``compare_runs.png`` (per metric: time courses with CI bands, and an
end-point dot plot of the replicates with mean and CI).

Example::

    python analysis/compare_runs.py --group ckd='runs/ckd-seed*' \\
        --group vitamin_k='runs/ckd_vitamin_k-seed*' --out runs/compare
    python analysis/compare_runs.py --sweep runs/sweep-pi --metrics calcified_fraction \\
        --out runs/sweep-pi/compare

Replicates are matched by seed (``metadata.json`` ``seed``; the ``seed`` column of a sweep's
``results.csv``). Runs of a group need not be equally long: the time course uses the
replicates present at each time (n is in the table) and the end point is the last time all of
them reached.
"""

from __future__ import annotations

import glob
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:  # the shared helpers live next to this script
    sys.path.insert(0, _HERE)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from analysis_common import (  # noqa: E402
    AnalysisError,
    clip_to,
    confidence_level,
    empty_panel,
    make_parser,
    metric_domain,
    new_figure,
    nonnegative_int,
    out_dir,
    read_json,
    read_optional_table,
    read_table,
    run_cli,
    save_figure,
    t_interval,
    units_of,
    welch_interval,
    write_csv,
)
from matplotlib.figure import Figure  # noqa: E402
from scipy import stats  # noqa: E402

DEFAULT_METRICS = ("calcified_fraction", "calcium_content_ug_per_mg_protein",
                   "fraction_osteogenic", "nucleation_events_cumulative")
GROUP_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf",
                 "#e377c2", "#7f7f7f", "#bcbd22")
DAY_DECIMALS = 6  # days are k * dt_h / 24; rounding aligns equal times read from text


@dataclass
class Replicate:
    """One run of a group: its seed (None when unknown), time series (``day`` plus metric
    columns, may be empty) and end-point values it carries itself (a sweep's results.csv)."""

    group: str
    label: str
    seed: int | None
    series: pd.DataFrame
    final: dict[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------------- reading
def parse_group(text: str) -> tuple[str, list[str]]:
    """``NAME=PATTERN[,PATTERN...]`` -> (name, patterns)."""
    name, sep, patterns = text.partition("=")
    name = name.strip()
    if not sep or not name or not patterns.strip():
        raise AnalysisError(f"--group {text!r}: expected NAME=GLOB[,GLOB...]")
    return name, [p for p in (s.strip() for s in patterns.split(",")) if p]


def _seed_of(meta: dict | None) -> int | None:
    if not meta:
        return None
    seed = meta.get("seed")
    try:
        return None if seed is None else int(seed)
    except (TypeError, ValueError):
        return None


def read_run(run_dir: Path, group: str) -> Replicate:
    """A run directory: ``timeseries.csv`` (required) and ``metadata.json`` (optional: the
    seed)."""
    if not run_dir.is_dir():
        raise AnalysisError(f"{run_dir}: not a run directory (group {group!r})")
    ts = read_table(run_dir / "timeseries.csv", what=f"group {group!r}",
                    numeric=("day", "time_h"))
    if "day" not in ts:
        if "time_h" not in ts:
            raise AnalysisError(f"{run_dir / 'timeseries.csv'}: no day or time_h column")
        ts = ts.assign(day=ts["time_h"] / 24.0)
    ts = ts.assign(day=ts["day"].astype(float).round(DAY_DECIMALS))
    meta = read_json(run_dir / "metadata.json", required=False)
    return Replicate(group, str(run_dir), _seed_of(meta), ts)


def expand_group(name: str, patterns: list[str]) -> list[Replicate]:
    dirs: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern))
        if not matches:
            raise AnalysisError(f"group {name!r}: {pattern!r} matches nothing")
        dirs += [Path(m) for m in matches if Path(m) not in dirs]
    return [read_run(d, name) for d in dirs]


def point_label(row: pd.Series, names: list[str]) -> str:
    return ", ".join(f"{n}={row[n]:g}" if isinstance(row[n], float) else f"{n}={row[n]}"
                     for n in names)


def read_sweep(sweep_dir: Path, points: list[int] | None, prefix: str
               ) -> dict[str, list[Replicate]]:
    """One group per design point of a sweep: ``results.csv`` (required; rows with status ok),
    ``timeseries.csv`` (optional, long format) and ``sweep.json`` (optional: the names of the
    varied parameters, for the group names)."""
    if not sweep_dir.is_dir():
        raise AnalysisError(f"{sweep_dir}: not a sweep directory (--sweep)")
    results = read_table(sweep_dir / "results.csv", ("run_id", "point", "seed"), "--sweep",
                         numeric=("run_id", "point", "seed"))
    if "status" in results:
        results = results[results["status"].astype(str) == "ok"]
    # the last row of a run id wins (a retried run; the rule of vcsim/sweep/results.py)
    results = results.drop_duplicates("run_id", keep="last")
    if results.empty:
        raise AnalysisError(f"{sweep_dir / 'results.csv'}: no finished (status ok) runs")
    info = read_json(sweep_dir / "sweep.json", required=False) or {}
    names = [n for n in info.get("parameters", []) if n in results.columns]
    long = read_optional_table(sweep_dir / "timeseries.csv",
                               ("run_id", "day", "metric", "value"),
                               numeric=("run_id", "day", "value"))
    series_by_run: dict[int, pd.DataFrame] = {}
    if long is not None and not long.empty:
        long = long.assign(day=long["day"].astype(float).round(DAY_DECIMALS))
        wide = long.pivot_table(index=["run_id", "day"], columns="metric", values="value",
                                aggfunc="last").reset_index()
        series_by_run = {int(k): g.drop(columns="run_id").reset_index(drop=True)
                         for k, g in wide.groupby("run_id")}
    skip = {"run_id", "point", "replicate", "seed", "status", "error", "wall_time_s", "time_h",
            "day", *names}
    metric_cols = [c for c in results.columns
                   if c not in skip and pd.api.types.is_numeric_dtype(results[c])]
    wanted = set(points) if points is not None else None
    groups: dict[str, list[Replicate]] = {}
    for point, rows in results.groupby("point", sort=True):
        if wanted is not None and int(point) not in wanted:
            continue
        label = point_label(rows.iloc[0], names) if names else f"point {int(point)}"
        label = f"{prefix}{label}"
        groups[label] = [
            Replicate(label, f"{sweep_dir}:run {int(r.run_id)}", int(r.seed),
                      series_by_run.get(int(r.run_id), pd.DataFrame({"day": []})),
                      {c: float(getattr(r, c)) for c in metric_cols})
            for r in rows.itertuples(index=False)
        ]
    if wanted is not None and (missing := sorted(wanted - set(results["point"].astype(int)))):
        raise AnalysisError(f"{sweep_dir}: no finished runs at point(s) {missing}")
    return groups


# ---------------------------------------------------------------------- statistics
def timecourse(reps: list[Replicate], metric: str, level: float) -> pd.DataFrame:
    """n, mean, sd, ci_low, ci_high of ``metric`` over the replicates at every time
    (ci clipped to the metric's domain)."""
    cols = [r.series.set_index("day")[metric].rename(i) for i, r in enumerate(reps)
            if metric in r.series and len(r.series)]
    if not cols:
        return pd.DataFrame(columns=["day", "n", "mean", "sd", "ci_low", "ci_high"])
    table = pd.concat(cols, axis=1).sort_index()
    n = table.count(axis=1).to_numpy()
    mean = table.mean(axis=1).to_numpy(dtype=float)
    sd = table.std(axis=1, ddof=1).to_numpy(dtype=float)  # NaN where n < 2
    tcrit = stats.t.ppf(0.5 + level / 2.0, np.maximum(n - 1, 1))
    half = np.where(n >= 2, tcrit * sd / np.sqrt(np.maximum(n, 1)), np.nan)
    domain = metric_domain(metric)
    return pd.DataFrame({"day": table.index.to_numpy(dtype=float), "n": n, "mean": mean,
                         "sd": sd, "ci_low": clip_to(mean - half, domain),
                         "ci_high": clip_to(mean + half, domain)})


def end_day(reps: list[Replicate], at_day: float | None) -> float | None:
    """The end point of a group: ``at_day``, or the last time every replicate reached."""
    lasts = [float(r.series["day"].max()) for r in reps if len(r.series)]
    if at_day is not None:
        return round(at_day, DAY_DECIMALS)
    return min(lasts) if len(lasts) == len(reps) and lasts else None


def endpoint_values(reps: list[Replicate], metric: str, at_day: float | None
                    ) -> tuple[float | None, list[tuple[int | None, float]]]:
    """(day, [(seed, value)]) of ``metric`` at the group's end point. A sweep's own end-point
    value (results.csv) is used when no ``at_day`` is asked for."""
    day = end_day(reps, at_day)
    out: list[tuple[int | None, float]] = []
    for r in reps:
        if at_day is None and metric in r.final:
            out.append((r.seed, r.final[metric]))
            continue
        if metric not in r.series or day is None:
            if at_day is not None and metric in r.final:
                raise AnalysisError(f"{r.label}: no time series to read day {at_day:g} from "
                                    "(the sweep was run with timeseries = \"none\")")
            continue
        hit = r.series.loc[np.isclose(r.series["day"], day, atol=1e-6), metric]
        if hit.empty:
            raise AnalysisError(f"{r.label}: no time point at day {day:g} (--at-day)")
        out.append((r.seed, float(hit.iloc[-1])))
    if day is None and reps and all(metric in r.final for r in reps):
        day = math.nan  # a sweep without time series: the end of its runs
    return day, out


def endpoint_row(group: str, metric: str, day: float | None,
                 values: list[tuple[int | None, float]], level: float) -> dict:
    iv = t_interval([v for _, v in values], level)
    domain = metric_domain(metric)
    return {"group": group, "metric": metric, "day": math.nan if day is None else day,
            "n": iv.n, "mean": iv.mean, "sd": iv.sd, "se": iv.se,
            "ci_low": float(clip_to(iv.ci_low, domain)),
            "ci_high": float(clip_to(iv.ci_high, domain)),
            "values": " ".join(repr(float(v)) for _, v in values)}


def difference(ref: list[tuple[int | None, float]], other: list[tuple[int | None, float]],
               metric: str, level: float) -> dict:
    """other - ref: paired over shared seeds when there are any (and seeds are unique within
    each group), else Welch's unpaired difference. The interval is clipped to the domain of a
    difference, [lo - hi, hi - lo]."""
    lo, hi = metric_domain(metric)
    domain = (lo - hi, hi - lo)
    ref_seeds = [s for s, _ in ref]
    other_seeds = [s for s, _ in other]
    unique = (None not in ref_seeds and None not in other_seeds
              and len(set(ref_seeds)) == len(ref_seeds)
              and len(set(other_seeds)) == len(other_seeds))
    shared = sorted(set(ref_seeds) & set(other_seeds)) if unique else []
    counts = {"n_group": len(other), "n_reference": len(ref)}
    if shared:
        a, b = dict(ref), dict(other)
        iv = t_interval([b[s] - a[s] for s in shared], level)
        return {"method": "paired", "n_pairs": iv.n, **counts, "difference": iv.mean,
                "se": iv.se, "ci_low": float(clip_to(iv.ci_low, domain)),
                "ci_high": float(clip_to(iv.ci_high, domain)),
                "seeds": " ".join(str(s) for s in shared)}
    diff, se, low, high = welch_interval([v for _, v in other], [v for _, v in ref], level)
    return {"method": "welch", "n_pairs": 0, **counts, "difference": diff, "se": se,
            "ci_low": float(clip_to(low, domain)), "ci_high": float(clip_to(high, domain)),
            "seeds": ""}


# ---------------------------------------------------------------------- figure
def _floor_at(ax, lo: float) -> None:
    """Start the y axis at the domain's lower bound, with a little room so a curve lying on
    the bound stays visible."""
    if not math.isfinite(lo):
        return
    top = ax.get_ylim()[1]
    ax.set_ylim(lo - 0.03 * max(top - lo, 1e-12), top)


def draw(groups: dict[str, list[Replicate]], metrics: list[str], tc: pd.DataFrame,
         ep: pd.DataFrame, ends: dict, level: float) -> Figure:
    names = list(groups)
    colours = {g: GROUP_COLOURS[i % len(GROUP_COLOURS)] for i, g in enumerate(names)}
    # long names (sweep points) go in the legend only; the dot plot is labelled #1, #2, ...
    short = sum(len(n) for n in names) <= 40
    ticks = names if short else [f"#{k + 1}" for k in range(len(names))]
    legend = {g: (g if short else f"#{k + 1} {g}") for k, g in enumerate(names)}
    fig = new_figure(12.5, 2.9 * len(metrics) + 0.9)
    axes = fig.subplots(len(metrics), 2, squeeze=False, width_ratios=[2.6, 1.0])
    pct = f"{100 * level:g}%"
    for i, metric in enumerate(metrics):
        ax = axes[i, 0]
        drawn = False
        for g in names:
            sub = tc[(tc["group"] == g) & (tc["metric"] == metric)]
            if sub.empty:
                continue
            drawn = True
            ax.plot(sub["day"], sub["mean"], color=colours[g], lw=1.6,
                    label=f"{legend[g]} (n={int(sub['n'].max())})" if i == 0 else None)
            ax.fill_between(sub["day"], sub["ci_low"], sub["ci_high"], color=colours[g],
                            alpha=0.2, lw=0)
        if not drawn:
            empty_panel(ax, "no time series for this metric")
        ax.set_xlabel("time (days)")
        ax.set_ylabel(f"{metric}\n({units_of(metric)})")
        ax.set_title(f"({chr(97 + 2 * i)}) {metric}: mean and {pct} CI over replicates",
                     fontsize=10)
        lo, hi = metric_domain(metric)
        if drawn:
            _floor_at(ax, lo)

        ax = axes[i, 1]
        sub = ep[ep["metric"] == metric]
        for k, g in enumerate(names):
            row = sub[sub["group"] == g]
            if row.empty or not row["values"].iloc[0]:
                continue
            vals = np.array([v for _, v in ends[(g, metric)]], dtype=float)
            # deterministic spread so replicate dots do not hide each other
            jitter = (np.arange(vals.size) - (vals.size - 1) / 2) * min(0.06, 0.3 / vals.size)
            ax.scatter(k - 0.12 + jitter, vals, s=14, color=colours[g], alpha=0.6, lw=0)
            m, low, high = row[["mean", "ci_low", "ci_high"]].iloc[0]
            yerr = None if not np.isfinite(low) else [[m - low], [high - m]]
            ax.errorbar([k + 0.15], [m], yerr=yerr, fmt="D", ms=5, color=colours[g], capsize=4)
        ax.set_xticks(range(len(names)), ticks, fontsize=8)
        ax.set_xlim(-0.6, len(names) - 0.4)
        days = sub["day"].dropna().unique()
        when = f"day {days[0]:g}" if len(days) == 1 else "end"
        ax.set_title(f"({chr(98 + 2 * i)}) {when}: replicates, mean, {pct} CI", fontsize=9)
        ax.set_ylabel(f"{metric}\n({units_of(metric)})", fontsize=8)
        _floor_at(ax, lo)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside upper center",
                   ncol=min(len(names), 4 if short else 2), frameon=False, fontsize=9)
    return fig


# ---------------------------------------------------------------------- main
def build_parser():
    p = make_parser(__doc__, "compare_runs.py")
    p.add_argument("--group", action="append", default=[], metavar="NAME=GLOB[,GLOB...]",
                   help="a group of replicate run directories: a name, '=', and one or more "
                        "comma-separated glob patterns (quote them so the shell does not "
                        "expand them); repeatable, drawn in the order given")
    p.add_argument("--sweep", action="append", default=[], type=Path, metavar="DIR",
                   help="a sweep output directory: adds one group per design point, named "
                        "by its parameter values (from sweep.json); repeatable")
    p.add_argument("--points", type=nonnegative_int, nargs="+", default=None, metavar="P",
                   help="with --sweep: only these design points (the 'point' column of "
                        "results.csv)")
    p.add_argument("--metrics", nargs="+", default=None, metavar="METRIC",
                   help="time-series columns (run timeseries.csv) or sweep metrics to "
                        f"compare; default: those of {', '.join(DEFAULT_METRICS)} present")
    p.add_argument("--reference", default=None, metavar="NAME",
                   help="group the others are compared with (default: the first group)")
    p.add_argument("--at-day", type=float, default=None, metavar="DAY",
                   help="end point day (default: the last time every replicate of a group "
                        "reached; for sweeps, the values in results.csv)")
    p.add_argument("--every", type=float, default=1.0, metavar="DAYS",
                   help="time step of compare_timecourse.csv in days (0 = every time point); "
                        "the figure always uses every time point")
    p.add_argument("--level", type=confidence_level, default=0.95,
                   help="confidence level of the t intervals")
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="output directory for the CSV tables and compare_runs.png")
    return p


def analyse(args) -> int:
    groups: dict[str, list[Replicate]] = {}
    for text in args.group:
        name, patterns = parse_group(text)
        if name in groups:
            raise AnalysisError(f"--group {name!r} given twice")
        groups[name] = expand_group(name, patterns)
    if args.points is not None and not args.sweep:
        raise AnalysisError("--points needs --sweep")
    for sweep_dir in args.sweep:
        prefix = f"{sweep_dir.name}: " if len(args.sweep) > 1 else ""
        for name, reps in read_sweep(sweep_dir, args.points, prefix).items():
            if name in groups:
                raise AnalysisError(f"group {name!r} defined twice")
            groups[name] = reps
    if not groups:
        raise AnalysisError("nothing to compare: give --group NAME=GLOB and/or --sweep DIR")
    if args.every < 0:
        raise AnalysisError(f"--every {args.every:g}: must be >= 0")
    reference = args.reference or next(iter(groups))
    if reference not in groups:
        raise AnalysisError(f"--reference {reference!r} is not a group ({', '.join(groups)})")

    available = set()
    for reps in groups.values():
        for r in reps:
            available |= set(r.series.columns) | set(r.final)
    metrics = list(args.metrics) if args.metrics else [m for m in DEFAULT_METRICS
                                                        if m in available]
    unknown = [m for m in metrics if m not in available]
    if unknown:
        raise AnalysisError(f"metric(s) {', '.join(unknown)} in no group's outputs")
    if not metrics:
        raise AnalysisError("none of the default metrics is in the outputs; choose --metrics")
    for g, reps in groups.items():
        for m in metrics:
            if not any(m in r.series or m in r.final for r in reps):
                print(f"warning: group {g!r} has no {m!r}", file=sys.stderr)

    tc_rows, ep_rows, diff_rows = [], [], []
    ends: dict[tuple[str, str], list[tuple[int | None, float]]] = {}
    for g, reps in groups.items():
        for m in metrics:
            t = timecourse(reps, m, args.level)
            if len(t):
                tc_rows.append(t.assign(group=g, metric=m))
            day, values = endpoint_values(reps, m, args.at_day)
            ends[(g, m)] = values
            ep_rows.append(endpoint_row(g, m, day, values, args.level))
    for g in groups:
        if g == reference:
            continue
        for m in metrics:
            if ends[(g, m)] and ends[(reference, m)]:
                diff_rows.append({"group": g, "reference": reference, "metric": m,
                                  **difference(ends[(reference, m)], ends[(g, m)], m,
                                               args.level)})
    tc = (pd.concat(tc_rows, ignore_index=True) if tc_rows
          else pd.DataFrame(columns=["day", "n", "mean", "sd", "ci_low", "ci_high", "group",
                                     "metric"]))
    tc = tc[["group", "metric", "day", "n", "mean", "sd", "ci_low", "ci_high"]]
    ep = pd.DataFrame(ep_rows)
    diffs = pd.DataFrame(diff_rows, columns=["group", "reference", "metric", "method", "n_pairs",
                                             "n_group", "n_reference", "difference", "se",
                                             "ci_low", "ci_high", "seeds"])

    out = out_dir(args.out, args.out)
    table = tc
    if args.every > 0 and len(tc):
        k = tc["day"] / args.every
        table = tc[np.isclose(k, np.round(k), atol=1e-6)]
    write_csv(table, out / "compare_timecourse.csv")
    write_csv(ep, out / "compare_endpoint.csv")
    write_csv(diffs, out / "compare_differences.csv")
    fig = draw(groups, metrics, tc, ep, ends, args.level)
    save_figure(fig, out / "compare_runs.png")
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(ep.drop(columns="values").to_string(index=False, float_format="%.4g"))
        if len(diffs):
            print(diffs.drop(columns="seeds").to_string(index=False, float_format="%.4g"))
    print(f"tables and figure: {out}/compare_*.csv, {out / 'compare_runs.png'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_cli(analyse, build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
