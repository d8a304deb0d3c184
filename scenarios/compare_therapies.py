#!/usr/bin/env python3
"""Compare the therapies applied to CKD: every ``ckd_*`` scenario against untreated CKD.

Runs healthy, ckd and each shipped ``ckd_<therapy>`` scenario for the same number of days with
the same seed, and writes

    <out>/therapies.csv      final metrics, one row per scenario
    <out>/therapies.png      calcium content over time and final values per scenario

Uses only the public API (:func:`vcsim.scenario.load_scenario`, ``Scenario.make_model``,
``model.step``, ``model.timeseries_frame``, ``model.summary_metrics``)::

    python scenarios/compare_therapies.py --days 21 --jobs 2
    python scenarios/compare_therapies.py --days 7 --set lattice_rows=12 --set lattice_cols=40
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--days", type=float, default=21.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--out", type=Path, default=Path("runs/compare_therapies"))
    ap.add_argument("--jobs", type=int, default=1, help="scenarios run in parallel processes")
    args = ap.parse_args(argv)

    names = ["healthy", "ckd"] + [n for n in scenario_names() if n.startswith("ckd_")]
    for name in names:  # fail on a bad --set before starting anything
        load_scenario(name, args.overrides)
    jobs = [(n, args.days, args.seed, args.overrides) for n in names]
    results = map_processes(simulate, jobs, args.jobs,
                            lambda i, r: print(f"[{i}/{len(jobs)}] {r[0]} done", file=sys.stderr))

    rows = []
    for name, metrics, _ in results:
        rows.append({"scenario": name, **{m: metrics.get(m, np.nan) for m in METRICS}})
    table = pd.DataFrame(rows)
    ckd_ca = float(table.loc[table.scenario == "ckd", METRICS[0]].iloc[0])
    table["calcium_relative_to_ckd"] = table[METRICS[0]] / ckd_ca if ckd_ca > 0 else np.nan
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_csv(args.out / "therapies.csv", table)

    fig = Figure(figsize=(13, 5), layout="constrained")
    FigureCanvasAgg(fig)
    ax_t, ax_b = fig.subplots(1, 2)
    for name, _, ts in results:
        style = "k-" if name == "ckd" else ("k:" if name == "healthy" else "-")
        ax_t.plot(ts["day"], ts[METRICS[0]], style, label=name)
    ax_t.set_xlabel("time (days)")
    ax_t.set_ylabel("calcium content (ug Ca / mg protein)")
    ax_t.legend(fontsize="small", frameon=False)
    ax_t.set_title(f"CKD therapies, seed {args.seed}")
    ax_b.barh(table["scenario"], table[METRICS[0]], color="#8c2d04")
    ax_b.set_xlabel(f"calcium content at day {args.days:g} (ug Ca / mg protein)")
    ax_b.invert_yaxis()
    png = args.out / "therapies.png"
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    atomic_write_bytes(png, buf.getvalue())

    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"\nresults: {args.out / 'therapies.csv'}\nfigure:  {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
