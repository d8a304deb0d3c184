#!/usr/bin/env python3
"""Phosphate dose-response of cultured VSMCs (the Jono et al. 2000 experiment), with and
without the Pit-1 blocker phosphonoformic acid (PFA).

Runs the ``invitro_pi`` scenario at a range of medium Pi concentrations for ``--days`` (default
14), ``--seeds`` replicate seeds at each (the same seeds at every dose), and writes

    <out>/dose_response.csv   per Pi (and PFA): mean and 95% t-interval over the seeds of the
                              final calcium content, calcified area, osteogenic fraction, Runx2
    <out>/runs.csv            every run's final metrics (Pi, PFA, seed)
    <out>/dose_response.png   calcium content against Pi at the end (mean, 95% CI), and over time

Jono et al. 2000: no mineral at 1.4 mM, mineral rising with dose above it, measurable by day
6-9 at 2.0 mM; PFA blocks it dose-dependently. Uses only the public API::

    python scenarios/phosphate_dose_response.py --days 14 --seeds 3 --jobs 2
    python scenarios/phosphate_dose_response.py --pi 1.0 1.4 2.0 2.6 --pfa 0 1 --seeds 4
"""

from __future__ import annotations

import argparse
import io
import itertools
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from vcsim.model import run
from vcsim.outputs import atomic_write_bytes, atomic_write_csv
from vcsim.parallel import map_processes
from vcsim.scenario import load_scenario

CONTENT = "calcium_content_ug_per_mg_protein"


def simulate(pi_mM: float, pfa: float, days: float, seed: int, overrides: list[str]):
    """One culture: invitro_pi at ``pi_mM`` with ``pfa`` Pit-1 block; final metrics and series."""
    scenario = load_scenario("invitro_pi", [*overrides, f"serum_phosphate_mM={pi_mM}",
                                            f"pit1_blocker_fraction={pfa}"])
    model = run(scenario.make_model(seed=seed), days)
    return pi_mM, pfa, model.summary_metrics(), model.timeseries_frame()


def main(argv: list[str] | None = None) -> int:
    from vcsim.validation.statistics import t_interval

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "),
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--pi", type=float, nargs="+", default=[1.0, 1.4, 1.6, 1.8, 2.0, 2.4, 2.8],
                    help="medium phosphate concentrations (mM)")
    ap.add_argument("--pfa", type=float, nargs="+", default=[0.0, 1.0],
                    help="Pit-1 blocker fractions (0 none, 1 saturating PFA)")
    ap.add_argument("--days", type=float, default=14.0, help="days in culture")
    ap.add_argument("--seeds", type=int, default=3, help="replicate seeds per dose (the same at every dose)")
    ap.add_argument("--seed", type=int, default=1, help="the first seed; replicates use seed, seed+1, ...")
    ap.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                    help="a parameter for every run (repeatable), e.g. --set lattice_rows=12")
    ap.add_argument("--out", type=Path, default=Path("runs/phosphate_dose_response"),
                    help="output folder (dose_response.csv, runs.csv, dose_response.png)")
    ap.add_argument("--jobs", type=int, default=1, help="runs in parallel processes")
    args = ap.parse_args(argv)
    if args.seeds < 1 or args.days <= 0 or args.jobs < 1 or args.seed < 0:
        ap.error("--seeds and --jobs must be >= 1, --days > 0 and --seed >= 0")

    seeds = list(range(args.seed, args.seed + args.seeds))
    jobs = [(pi, pfa, args.days, seed, args.overrides)
            for pfa, pi in itertools.product(args.pfa, args.pi) for seed in seeds]
    for pi, pfa, *_ in jobs:  # fail on bad values before starting anything
        load_scenario("invitro_pi", [*args.overrides, f"serum_phosphate_mM={pi}",
                                     f"pit1_blocker_fraction={pfa}"])
    results = map_processes(simulate, jobs, args.jobs, lambda i, r: print(
        f"[{i}/{len(jobs)}] Pi {r[0]:g} mM, PFA {r[1]:g} done", file=sys.stderr))

    metrics = (CONTENT, "calcified_fraction", "fraction_osteogenic", "mean_runx2")
    runs = pd.DataFrame([
        {"serum_phosphate_mM": pi, "pit1_blocker_fraction": pfa, "seed": job[3],
         **{k: m.get(k) for k in metrics}}
        for (pi, pfa, m, _), job in zip(results, jobs, strict=True)
    ])
    rows = []
    for (pfa, pi), group in runs.groupby(["pit1_blocker_fraction", "serum_phosphate_mM"], sort=False):
        row = {"serum_phosphate_mM": pi, "pit1_blocker_fraction": pfa, "n": len(group)}
        for k in metrics:
            row[k], row[f"{k}_ci_low"], row[f"{k}_ci_high"] = t_interval(group[k].tolist())
        rows.append(row)
    table = pd.DataFrame(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_csv(args.out / "dose_response.csv", table)
    atomic_write_csv(args.out / "runs.csv", runs)

    fig = Figure(figsize=(12, 5), layout="constrained")
    FigureCanvasAgg(fig)
    ax_d, ax_t = fig.subplots(1, 2)
    for pfa, group in table.groupby("pit1_blocker_fraction"):
        low = np.maximum(group[f"{CONTENT}_ci_low"].fillna(group[CONTENT]), 0.0)  # clipped at 0
        high = group[f"{CONTENT}_ci_high"].fillna(group[CONTENT])
        ax_d.errorbar(group["serum_phosphate_mM"], group[CONTENT],
                      yerr=np.vstack([group[CONTENT] - low, high - group[CONTENT]]),
                      fmt="o-", capsize=3, label=f"PFA {pfa:g}")
    ax_d.axvline(1.4, color="#999999", ls=":", lw=1)
    ax_d.set_xlabel("medium phosphate (mM)")
    ax_d.set_ylabel(f"calcium content at day {args.days:g} (ug Ca / mg protein)")
    ax_d.set_ylim(bottom=0.0)
    ax_d.legend(frameon=False)
    ax_d.set_title(f"phosphate dose-response, mean and 95% CI of {args.seeds} seeds\n"
                   "(Jono et al. 2000: none at 1.4 mM)")
    for pi, pfa, _, ts in results[::args.seeds]:  # the first seed of each dose
        if pfa == min(args.pfa):
            ax_t.plot(ts["day"], ts[CONTENT], label=f"{pi:g} mM")
    ax_t.set_xlabel("time (days)")
    ax_t.set_ylabel("calcium content (ug Ca / mg protein)")
    ax_t.set_title(f"over time (seed {args.seed})")
    ax_t.legend(title=f"Pi (PFA {min(args.pfa):g})", fontsize="small", frameon=False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    png = atomic_write_bytes(args.out / "dose_response.png", buf.getvalue())

    shown = ["serum_phosphate_mM", "pit1_blocker_fraction", "n", CONTENT, f"{CONTENT}_ci_low",
             f"{CONTENT}_ci_high", "calcified_fraction", "mean_runx2"]
    print(table[shown].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"\nresults: {args.out / 'dose_response.csv'} ({args.out / 'runs.csv'} per run)\nfigure:  {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
