#!/usr/bin/env python3
"""Compare the therapies applied to CKD: every ``ckd_*`` scenario against untreated CKD,
with replicates and 95% confidence intervals.

Runs healthy, ckd and each shipped ``ckd_<therapy>`` scenario for the same number of days with
``--seeds`` replicate seeds (the same seeds in every scenario, so differences are paired), and
writes

    <out>/therapies.csv      per scenario: mean and 95% t-interval of each final metric over
                             the seeds, and the paired difference in calcium content to CKD
    <out>/runs.csv           every run's final metrics (scenario, seed)
    <out>/therapies.png      calcium content over time (mean, band: 95% CI) and at the end

Nucleation is a Poisson process, so one seed is one draw: read a difference only where its
interval excludes 0. Uses only the public API (:func:`vcsim.scenario.load_scenario`,
``Scenario.make_model``, :func:`vcsim.run`, ``model.timeseries_frame``,
``model.summary_metrics``)::

    python scenarios/compare_therapies.py --days 21 --seeds 4 --jobs 2
    python scenarios/compare_therapies.py --days 7 --seeds 3 --set lattice_rows=12 --set lattice_cols=40
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from vcsim.model import run
from vcsim.outputs import atomic_write_bytes, atomic_write_csv
from vcsim.parallel import map_processes
from vcsim.scenario import load_scenario, scenario_names

METRICS = ("calcium_content_ug_per_mg_protein", "calcified_fraction", "fraction_osteogenic",
           "fraction_apoptotic", "mean_grp78", "mean_chop", "mean_runx2",
           "nucleation_events_cumulative")


def simulate(name: str, days: float, seed: int, overrides: list[str]) -> tuple[str, dict, pd.DataFrame]:
    """Run one scenario in memory; return its final metrics and its time series."""
    scenario = load_scenario(name, overrides)
    model = run(scenario.make_model(seed=seed), days)
    return name, model.summary_metrics(), model.timeseries_frame()


def _interval(values) -> tuple[float, float, float]:
    from vcsim.validation.statistics import t_interval

    return t_interval(list(values))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "),
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--days", type=float, default=21.0, help="simulated days of every run")
    ap.add_argument("--seeds", type=int, default=3,
                    help="replicate seeds per scenario (the same in every scenario: paired)")
    ap.add_argument("--seed", type=int, default=1, help="the first seed; replicates use seed, seed+1, ...")
    ap.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                    help="a parameter for every run (repeatable), e.g. --set lattice_rows=12")
    ap.add_argument("--out", type=Path, default=Path("runs/compare_therapies"),
                    help="output folder (therapies.csv, runs.csv, therapies.png)")
    ap.add_argument("--jobs", type=int, default=1, help="runs in parallel processes")
    args = ap.parse_args(argv)
    if args.seeds < 2:
        ap.error(f"--seeds: {args.seeds} is not allowed; expected at least 2 (a confidence interval needs replicates)")
    if args.days <= 0 or args.jobs < 1 or args.seed < 0:
        ap.error("--days must be > 0, --jobs >= 1 and --seed >= 0")

    names = ["healthy", "ckd"] + [n for n in scenario_names() if n.startswith("ckd_")]
    for name in names:  # fail on a bad --set before starting anything
        load_scenario(name, args.overrides)
    seeds = list(range(args.seed, args.seed + args.seeds))
    jobs = [(n, args.days, seed, args.overrides) for n in names for seed in seeds]
    results = map_processes(simulate, jobs, args.jobs,
                            lambda i, r: print(f"[{i}/{len(jobs)}] {r[0]} done", file=sys.stderr))

    runs = pd.DataFrame([{"scenario": name, "seed": seed, **{m: metrics.get(m, np.nan) for m in METRICS}}
                         for (name, metrics, _), (_, _, seed, _) in zip(results, jobs, strict=True)])
    ckd = runs[runs.scenario == "ckd"].set_index("seed")[METRICS[0]]
    rows = []
    for name in names:
        one = runs[runs.scenario == name].set_index("seed")
        row: dict = {"scenario": name, "n": len(one)}
        for m in METRICS:
            row[m], row[f"{m}_ci_low"], row[f"{m}_ci_high"] = _interval(one[m])
        diff = one[METRICS[0]] - ckd.loc[one.index]
        row["calcium_minus_ckd"], row["calcium_minus_ckd_ci_low"], row["calcium_minus_ckd_ci_high"] = \
            _interval(diff) if name != "ckd" else (0.0, np.nan, np.nan)
        rows.append(row)
    table = pd.DataFrame(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_csv(args.out / "therapies.csv", table)
    atomic_write_csv(args.out / "runs.csv", runs)

    fig = Figure(figsize=(13, 5.5), layout="constrained")
    FigureCanvasAgg(fig)
    ax_t, ax_b = fig.subplots(1, 2)
    colours = iter(["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4"])
    for name in names:
        series = [ts for (n, _, ts) in results if n == name]
        day = series[0]["day"].to_numpy()
        values = np.vstack([ts[METRICS[0]].to_numpy() for ts in series])
        mean = values.mean(axis=0)
        stats = [_interval(col) for col in values.T]
        low = np.maximum(np.array([s[1] for s in stats]), 0.0)  # content cannot be negative
        high = np.array([s[2] for s in stats])
        if name == "ckd":
            style = {"color": "black", "lw": 2.4, "zorder": 10}
        elif name == "healthy":
            style = {"color": "#777777", "lw": 1.5, "ls": ":", "zorder": 9}
        else:
            style = {"color": next(colours, None), "lw": 1.3, "zorder": 5}
        (line,) = ax_t.plot(day, mean, label=name, **style)
        ax_t.fill_between(day, low, high, color=line.get_color(), alpha=0.15, lw=0, zorder=style["zorder"] - 1)
    ax_t.set_xlabel("time (days)")
    ax_t.set_ylabel("calcium content (ug Ca / mg protein)")
    ax_t.legend(fontsize="small", frameon=False, loc="upper left")
    ax_t.set_title(f"CKD therapies: mean of {args.seeds} seeds, band 95% CI")
    y = np.arange(len(table))
    err = np.vstack([table[METRICS[0]] - table[f"{METRICS[0]}_ci_low"],
                     table[f"{METRICS[0]}_ci_high"] - table[METRICS[0]]])
    ax_b.barh(y, table[METRICS[0]], xerr=np.nan_to_num(err), color="#8c2d04", ecolor="black", capsize=3)
    ax_b.set_yticks(y, table["scenario"])
    ax_b.set_xlabel(f"calcium content at day {args.days:g} (ug Ca / mg protein; mean, 95% CI)")
    ax_b.set_xlim(left=0.0)
    ax_b.invert_yaxis()
    png = args.out / "therapies.png"
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    atomic_write_bytes(png, buf.getvalue())

    shown = ["scenario", "n", METRICS[0], f"{METRICS[0]}_ci_low", f"{METRICS[0]}_ci_high",
             "calcium_minus_ckd", "calcium_minus_ckd_ci_low", "calcium_minus_ckd_ci_high"]
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table[shown].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"\nresults: {args.out / 'therapies.csv'} ({args.out / 'runs.csv'} per run)\nfigure:  {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
