"""Running the suite: every arm for every seed, then the claims, the report and the figures.

Nothing here feeds back into the model: the arms are ordinary scenarios (``scenarios/*.toml``)
with ordinary parameter overrides, so every behaviour must come from the mechanism.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vcsim.parallel import map_processes
from vcsim.validation.design import AT_DAY, CA, CALC_FRAC, Arm, Claim, SuiteConfig
from vcsim.validation.statistics import evaluate_claims
from vcsim.validation.table import ValidationTable, averaged, shipped_table

#: Time-course columns kept (daily) for the figures.
TS_COLUMNS = ("day", CA, CALC_FRAC, "fraction_osteogenic", "fraction_contractile",
              "fraction_apoptotic", "mean_grp78", "mean_chop", "mean_atf4", "mean_perk",
              "mean_xbp1s", "mean_runx2", "mean_tnap", "mean_contractile_markers",
              "mean_mgp_carboxylated_fraction")
#: Columns of validation.csv.
VALIDATION_COLUMNS = ("id", "role", "claim", "source", "metric", "simulated_effect", "ci_low",
                      "ci_high", "passed", "sets")


def arms(cfg: SuiteConfig, design: ValidationTable | None = None) -> list[Arm]:
    """Every arm of the suite ``cfg`` (``design``: the validation table; default: shipped)."""
    return (design or shipped_table()).arms(cfg)


def claims(cfg: SuiteConfig, design: ValidationTable | None = None) -> list[Claim]:
    """Every claim of the table, its text filled from the arms' parameters (the same for every
    suite size)."""
    return list((design or shipped_table()).claims)


# --------------------------------------------------------------------------- running
def run_arm(arm: Arm, seed: int, cfg: SuiteConfig) -> dict[str, Any]:
    """Run one arm for one seed: final metrics, run-averaged markers and a daily time course."""
    from vcsim.model import run
    from vcsim.scenario import load_scenario

    sc = load_scenario(arm.scenario, overrides=[*arm.overrides, *cfg.lattice_overrides])
    t0 = time.perf_counter()
    model = run(sc.make_model(seed=seed), arm.days(cfg))
    final = model.summary_metrics()
    ts = model.timeseries_frame()
    metrics = {k: float(v) for k, v in final.items()
               if isinstance(v, (int, float, np.integer, np.floating))}
    for key in averaged(model.outputs):
        metrics[f"avg_{key}"] = float(ts[key].iloc[1:].mean())
    steps_per_day = max(int(round(24.0 / model.dt_h)), 1)
    daily = ts.iloc[::steps_per_day][list(TS_COLUMNS)].reset_index(drop=True)
    for _, row in daily.iterrows():  # the time-course metrics <column>@day<N>
        for col in TS_COLUMNS[1:]:
            metrics[f"{col}{AT_DAY}{int(round(row['day']))}"] = float(row[col])
    return {"arm": arm.name, "seed": seed, "metrics": metrics, "timeseries": daily,
            "seconds": time.perf_counter() - t0}


def run_suite(cfg: SuiteConfig, workers: int | None = None,
              progress: Callable[[str], None] | None = None,
              design: ValidationTable | None = None) -> dict[str, Any]:
    """Run every arm x seed (process pool of ``workers``; 1 = in this process)."""
    design = design or shipped_table()
    suite_arms = design.arms(cfg)
    jobs = [(arm, seed, cfg) for arm in suite_arms for seed in cfg.seeds]
    # longest first for a better load balance
    jobs.sort(key=lambda j: -j[0].days(cfg))
    t0 = time.perf_counter()

    def report(i: int, r: dict[str, Any]) -> None:
        if progress:
            progress(f"[{i}/{len(jobs)}] {r['arm']} seed {r['seed']} ({r['seconds']:.1f} s)")

    results = map_processes(run_arm, jobs, workers or os.cpu_count() or 1, report)
    results.sort(key=lambda r: (r["arm"], r["seed"]))
    return {"config": cfg, "results": results, "wall_seconds": time.perf_counter() - t0,
            "arms": suite_arms, "design": design}


def metric_table(results: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per (arm, seed), one column per metric."""
    rows = [{"arm": r["arm"], "seed": r["seed"], **r["metrics"]} for r in results]
    return pd.DataFrame(rows).set_index(["arm", "seed"]).sort_index()


def evaluate_all(cfg: SuiteConfig, table: pd.DataFrame,
                 design: ValidationTable | None = None) -> pd.DataFrame:
    """Every claim of the suite evaluated on ``table`` (:func:`metric_table`)."""
    return evaluate_claims(claims(cfg, design), table)


def validate(cfg: SuiteConfig, out: Path | None = None, workers: int | None = None,
             progress: Callable[[str], None] | None = None, figures: bool = True,
             design: ValidationTable | None = None) -> dict[str, Any]:
    """Run the suite and (with ``out``) write report.md, validation.csv, arms.csv and figures."""
    from vcsim.validation.figures import make_figures
    from vcsim.validation.report import write_report

    design = design or shipped_table()
    suite = run_suite(cfg, workers=workers, progress=progress, design=design)
    table = metric_table(suite["results"])
    validation = evaluate_all(cfg, table, design)
    result = {"suite": suite, "table": table, "validation": validation}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        validation[list(VALIDATION_COLUMNS)].to_csv(out / "validation.csv", index=False)
        table.to_csv(out / "arms.csv")
        figs = make_figures(suite, table, out) if figures else {}
        result["report"] = write_report(suite, validation, table, figs, out)
        result["figures"] = figs
    return result
