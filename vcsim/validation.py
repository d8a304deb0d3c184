"""Validation suite: virtual experiments for every behaviour of MODEL.md section 6.

``python run.py validate [--quick] [--out DIR] [--workers N]`` runs a set of *arms* (a scenario
with parameter overrides, run for a number of days) for several replicate seeds, then checks
each *claim* by comparing a metric between arms:

- ``diff``: the treatment-minus-reference difference of the metric, paired by seed (both arms
  share a seed, hence the same initial layer); the effect is the mean paired difference with a
  t-based 95% confidence interval over replicates. The claim passes when the interval lies on
  the expected side of zero (and beyond ``margin``, a minimal effect size).
- ``below`` / ``above``: the level of the metric in one arm with its t-based 95% CI; passes when
  the whole interval is below (above) a threshold.
- ``remaining``: the share of a reference effect that is left, ``(treat - base) / (ref - base)``
  per seed (e.g. the Pi effect left under the Pit-1 blocker); passes when the CI lies below
  ``threshold``.
- ``top``: the arm's metric minus the largest metric of the other arms, per seed; passes when
  the CI lies above zero (the arm ranks first).

Nothing here feeds back into the model: the arms are ordinary scenarios (``scenarios/*.toml``)
with ordinary parameter overrides, so every behaviour must come from the mechanism.

Calcium content: the model reports ``calcium_content_ug_per_mg_protein`` = mineral Ca
(10 Ca per HAP formula unit, 40.078 g/mol) over the protein of a confluent layer, i.e. the
number of cell sites x ``protein_per_cell_ng`` (0.4 ng) (``VascularModel._compute_stats``),
the unit of the in-vitro calcium assays normalised to protein (Jono et al. 2000).

Outputs (``--out DIR``): ``report.md``, ``validation.csv`` (one row per claim: id, claim,
source, metric, simulated_effect, ci_low, ci_high, passed), ``arms.csv`` (final metrics of every
run) and the figures ``fig_*.png``.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vcsim.parallel import map_processes

# --------------------------------------------------------------------------- sources
JONO = "Jono et al. 2000 Circ Res 87:e10 (MODEL.md s6 anchor)"
LI2006 = "Li, Yang & Giachelli 2006 Circ Res 98:905 (Pit-1 knock-down)"
SEED001 = "seed 001 (calcification triad: inhibitors, vitamin K, calciphylaxis)"
SEED003 = "seed 003 (ER stress / UPR in VSMC calcification review)"
MODEL6 = "MODEL.md s6"

CA = "calcium_content_ug_per_mg_protein"
CALC_FRAC = "calcified_fraction"

#: Markers averaged over the whole run (time-average of the per-step viable-cell means).
AVG_MARKERS = ("mean_grp78", "mean_chop", "mean_atf4", "mean_perk", "mean_runx2", "mean_tnap",
               "mean_mgp_carboxylated_fraction", "mean_autophagy_flux", "mean_unfolded_load",
               "fraction_osteogenic")
#: Time-course columns kept (daily) for the figures.
TS_COLUMNS = ("day", CA, CALC_FRAC, "fraction_osteogenic", "mean_grp78", "mean_chop", "mean_atf4",
              "mean_runx2", "mean_tnap", "mean_mgp_carboxylated_fraction")


# --------------------------------------------------------------------------- experiment design
@dataclass(frozen=True)
class Arm:
    """One arm: a scenario with overrides, run for ``days`` (in vitro or in vivo)."""

    name: str
    scenario: str
    overrides: tuple[str, ...] = ()
    vivo: bool = False  # in vivo arms run longer (weeks)
    label: str = ""

    def days(self, cfg: SuiteConfig) -> float:
        return cfg.days_in_vivo if self.vivo else cfg.days_in_vitro


@dataclass(frozen=True)
class Claim:
    """One behaviour of MODEL.md s6 as a comparison of arms (see the module docstring)."""

    id: str
    claim: str
    source: str
    metric: str
    kind: str  # diff | below | above | remaining | top
    treat: str
    ref: str = ""
    base: str = ""  # for "remaining"
    direction: int = 1  # diff: +1 treatment higher, -1 lower
    threshold: float = 0.0  # below/above/remaining
    margin: float = 0.0  # diff: minimal |effect|
    others: tuple[str, ...] = ()  # for "top"
    figure: str = ""


@dataclass(frozen=True)
class SuiteConfig:
    quick: bool
    seeds: tuple[int, ...]
    lattice_rows: int
    lattice_cols: int
    days_in_vitro: float
    days_in_vivo: float

    @property
    def lattice_overrides(self) -> tuple[str, ...]:
        return (f"lattice_rows={self.lattice_rows}", f"lattice_cols={self.lattice_cols}")


QUICK = SuiteConfig(quick=True, seeds=(1, 2, 3), lattice_rows=24, lattice_cols=100,
                    days_in_vitro=14.0, days_in_vivo=21.0)
FULL = SuiteConfig(quick=False, seeds=(1, 2, 3, 4), lattice_rows=30, lattice_cols=100,
                   days_in_vitro=14.0, days_in_vivo=28.0)

#: Medium Pi of the in-vitro dose response (Jono et al. 2000 used 1.0-3.0 mM).
DOSES_QUICK = (1.0, 1.4, 2.0, 3.0)
DOSES_FULL = (1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.5, 3.0)

#: Scenarios of the ranking (in vivo; invitro_pi is culture medium, shown apart).
RANKED = ("healthy", "ckd", "diabetes_constant", "diabetes_fluctuating", "inflammation", "warfarin",
          "calciphylaxis", "hypomagnesaemia", "ckd_phosphate_binder", "ckd_vitamin_k", "ckd_magnesium",
          "ckd_rapamycin", "ckd_4pba", "ckd_3ma", "ckd_anti_tnf")


def _pi(x: float) -> str:
    return f"iv_pi{x:.1f}"


def arms(cfg: SuiteConfig) -> list[Arm]:
    """Every arm of the suite."""
    doses = DOSES_QUICK if cfg.quick else DOSES_FULL
    out = [Arm(_pi(d), "invitro_pi", (f"serum_phosphate_mM={d}",), label=f"Pi {d:.1f} mM") for d in doses]
    iv2 = ("serum_phosphate_mM=2.0",)
    out += [
        Arm("iv_pi2.0_pfa", "invitro_pi", (*iv2, "pit1_blocker_fraction=0.95"), label="Pi 2.0 + PFA"),
        Arm("iv_pi2.0_atf4kd", "invitro_pi", (*iv2, "atf4_knockdown_fraction=0.8"), label="Pi 2.0 + ATF4 kd"),
        Arm("iv_glc25", "invitro_pi", (*iv2, "glucose_mM=25.0"), label="glucose 25 mM"),
        Arm("iv_glcfl", "invitro_pi", (*iv2, "glucose_mM=25.0", "glucose_mode=fluctuating",
                                        "glucose_low_mM=5.0", "glucose_period_h=48.0"), label="glucose 5<->25 mM"),
        Arm("iv_tnf", "invitro_pi", (*iv2, "tnf_alpha_pg_per_mL=30.0"), label="Pi 2.0 + TNF-a"),
        Arm("iv_tnf_anti", "invitro_pi", (*iv2, "tnf_alpha_pg_per_mL=30.0", "anti_tnf_fraction=0.9"),
            label="Pi 2.0 + TNF-a + anti-TNF"),
    ]
    out += [Arm(name, name, vivo=True, label=name) for name in RANKED]
    out += [
        Arm("ckd_warfarin", "ckd", ("warfarin_vkorc1_inhibition_fraction=0.9",), vivo=True, label="ckd + warfarin"),
        Arm("ckd_tudca", "ckd", ("tudca_chaperone_fraction=0.8",), vivo=True, label="ckd + TUDCA"),
        Arm("ckd_low_fetuin", "ckd", ("fetuin_a_g_per_L=0.15",), vivo=True, label="ckd + fetuin-A 0.15 g/L"),
        Arm("ckd_low_ppi", "ckd", ("serum_ppi_uM=0.3",), vivo=True, label="ckd + PPi 0.3 uM"),
        Arm("ckd_low_mg", "ckd", ("serum_magnesium_mM=0.5",), vivo=True, label="ckd + Mg 0.5 mM"),
    ]
    return out


def claims(cfg: SuiteConfig) -> list[Claim]:
    """Every claim of MODEL.md s6 as a comparison of arms."""
    others = tuple(a for a in RANKED if a != "calciphylaxis")
    return [
        Claim("healthy_no_calcification", "Healthy inputs give essentially no calcification over weeks",
              MODEL6 + "; " + SEED001, CALC_FRAC, "below", "healthy", threshold=0.01, figure="ranking"),
        Claim("pi_1_4_little", "Cultured VSMCs at 1.4 mM Pi show little mineral within 2 weeks",
              JONO, CALC_FRAC, "below", "iv_pi1.4", threshold=0.02, figure="dose_response"),
        Claim("pi_2_0_clear", "At 2.0 mM Pi clear mineral within 1-2 weeks", JONO, CALC_FRAC, "above",
              "iv_pi2.0", threshold=0.05, figure="dose_response"),
        Claim("pi_threshold_rise", "Steep, threshold-like rise of calcium content between 1.4 and 2.0 mM Pi",
              JONO, CA, "diff", "iv_pi2.0", "iv_pi1.4", margin=0.1, figure="dose_response"),
        Claim("pi_dose_monotonic", "Calcium content keeps rising with Pi above the threshold (3.0 > 2.0 mM)",
              JONO, CA, "diff", "iv_pi3.0", "iv_pi2.0", figure="dose_response"),
        Claim("pit1_blocker_abolishes", "The Pit-1 blocker (PFA) abolishes the Pi effect on calcium content "
              "(share of the 1.0 -> 2.0 mM effect left < 0.2)", JONO + "; " + LI2006, CA, "remaining",
              "iv_pi2.0_pfa", "iv_pi2.0", base="iv_pi1.0", threshold=0.2, figure="dose_response"),
        Claim("pit1_blocker_markers", "The Pit-1 blocker prevents the osteogenic switch (Runx2) at 2.0 mM Pi",
              JONO, "avg_mean_runx2", "diff", "iv_pi2.0_pfa", "iv_pi2.0", direction=-1, figure="dose_response"),
        Claim("upr_grp78_with_pi", "GRP78 rises in calcifying conditions (2.0 vs 1.0 mM Pi)", SEED003,
              "avg_mean_grp78", "diff", "iv_pi2.0", "iv_pi1.0", figure="time_courses"),
        Claim("upr_chop_with_pi", "CHOP rises in calcifying conditions (2.0 vs 1.0 mM Pi)", SEED003,
              "avg_mean_chop", "diff", "iv_pi2.0", "iv_pi1.0", figure="time_courses"),
        Claim("osteo_markers_with_pi", "Osteogenic markers (Runx2) rise together with ER stress (2.0 vs 1.0 mM Pi)",
              SEED003 + "; " + JONO, "avg_mean_runx2", "diff", "iv_pi2.0", "iv_pi1.0", figure="time_courses"),
        Claim("atf4_kd_markers", "ATF4 knock-down lowers osteogenic markers (TNAP/ALP) at 2.0 mM Pi", SEED003,
              "avg_mean_tnap", "diff", "iv_pi2.0_atf4kd", "iv_pi2.0", direction=-1, figure="upr"),
        Claim("atf4_kd_calcification", "ATF4 knock-down lowers calcification at 2.0 mM Pi", SEED003, CA, "diff",
              "iv_pi2.0_atf4kd", "iv_pi2.0", direction=-1, figure="upr"),
        Claim("glucose_high_vs_normal", "High glucose (25 mM) calcifies more than normal glucose (5.5 mM)",
              SEED003, CA, "diff", "iv_glc25", "iv_pi2.0", figure="glucose"),
        Claim("glucose_fluct_vs_constant", "Fluctuating glucose (5<->25 mM) calcifies more than constant 25 mM",
              SEED003, CA, "diff", "iv_glcfl", "iv_glc25", figure="glucose"),
        Claim("tnf_raises_perk", "TNF-a raises PERK signalling", SEED003, "avg_mean_perk", "diff", "iv_tnf",
              "iv_pi2.0", figure="upr"),
        Claim("tnf_raises_atf4", "TNF-a raises ATF4", SEED003, "avg_mean_atf4", "diff", "iv_tnf", "iv_pi2.0",
              figure="upr"),
        Claim("tnf_raises_chop", "TNF-a raises CHOP", SEED003, "avg_mean_chop", "diff", "iv_tnf", "iv_pi2.0",
              figure="upr"),
        Claim("tnf_raises_calcification", "TNF-a raises calcification", SEED003, CA, "diff", "iv_tnf", "iv_pi2.0",
              figure="upr"),
        Claim("anti_tnf_lowers_chop", "Neutralising TNF-a lowers PERK-ATF4-CHOP (CHOP) in CKD", SEED003,
              "avg_mean_chop", "diff", "ckd_anti_tnf", "ckd", direction=-1, figure="upr"),
        Claim("anti_tnf_lowers_calcification", "Neutralising TNF-a lowers calcification in CKD", SEED003, CA,
              "diff", "ckd_anti_tnf", "ckd", direction=-1, figure="upr"),
        Claim("warfarin_lowers_cmgp", "Warfarin lowers carboxylated MGP (CKD background)", SEED001,
              "avg_mean_mgp_carboxylated_fraction", "diff", "ckd_warfarin", "ckd", direction=-1, figure="vitamin_k"),
        Claim("warfarin_raises_calcification", "Warfarin raises calcification (CKD background)", SEED001, CA,
              "diff", "ckd_warfarin", "ckd", figure="vitamin_k"),
        Claim("vitamin_k_lowers_calcification", "Vitamin K supplementation lowers calcification in CKD", SEED001,
              CA, "diff", "ckd_vitamin_k", "ckd", direction=-1, figure="vitamin_k"),
        Claim("three_ma_raises_er_stress", "Blocking autophagy (3-MA) raises ER stress (GRP78) in CKD", SEED003,
              "avg_mean_grp78", "diff", "ckd_3ma", "ckd", figure="upr"),
        Claim("three_ma_raises_calcification", "Blocking autophagy (3-MA) raises calcification in CKD", SEED003,
              CA, "diff", "ckd_3ma", "ckd", figure="upr"),
        Claim("rapamycin_lowers_calcification", "Rapamycin lowers calcification toward normal in CKD "
              "(share of the healthy -> CKD excess left < 1)", SEED003, CA, "remaining", "ckd_rapamycin", "ckd",
              base="healthy", threshold=1.0, figure="upr"),
        Claim("pba4_lowers_calcification", "4-PBA lowers calcification in CKD", SEED003, CA, "diff", "ckd_4pba",
              "ckd", direction=-1, figure="upr"),
        Claim("tudca_lowers_calcification", "TUDCA lowers calcification in CKD", SEED003, CA, "diff", "ckd_tudca",
              "ckd", direction=-1, figure="upr"),
        Claim("low_fetuin_raises", "Low fetuin-A raises calcification (CKD, 0.4 -> 0.15 g/L)", SEED001, CA, "diff",
              "ckd_low_fetuin", "ckd", figure="inhibitors"),
        Claim("low_ppi_raises", "Low PPi raises calcification (CKD, 1.2 -> 0.3 uM)", SEED001, CA, "diff",
              "ckd_low_ppi", "ckd", figure="inhibitors"),
        Claim("low_mg_raises", "Low Mg raises calcification (CKD, 0.9 -> 0.5 mM)", SEED001 + "; seed 002", CA,
              "diff", "ckd_low_mg", "ckd", figure="inhibitors"),
        Claim("calciphylaxis_most_severe", "Calciphylaxis is the most severe scenario (calcium content above "
              "every other in-vivo scenario)", SEED001, CA, "top", "calciphylaxis", others=others,
              figure="ranking"),
    ]


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
    metrics = {k: float(v) for k, v in final.items() if isinstance(v, (int, float, np.integer, np.floating))}
    for key in AVG_MARKERS:
        metrics[f"avg_{key}"] = float(ts[key].iloc[1:].mean())
    steps_per_day = max(int(round(24.0 / model.dt_h)), 1)
    daily = ts.iloc[::steps_per_day][list(TS_COLUMNS)].reset_index(drop=True)
    return {"arm": arm.name, "seed": seed, "metrics": metrics, "timeseries": daily,
            "seconds": time.perf_counter() - t0}


def run_suite(cfg: SuiteConfig, workers: int | None = None,
              progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run every arm x seed (process pool of ``workers``; 1 = in this process)."""
    jobs = [(arm, seed, cfg) for arm in arms(cfg) for seed in cfg.seeds]
    # longest first for a better load balance
    jobs.sort(key=lambda j: -j[0].days(cfg))
    t0 = time.perf_counter()

    def report(i: int, r: dict[str, Any]) -> None:
        if progress:
            progress(f"[{i}/{len(jobs)}] {r['arm']} seed {r['seed']} ({r['seconds']:.1f} s)")

    results = map_processes(run_arm, jobs, workers or os.cpu_count() or 1, report)
    results.sort(key=lambda r: (r["arm"], r["seed"]))
    return {"config": cfg, "results": results, "wall_seconds": time.perf_counter() - t0}


def metric_table(results: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per (arm, seed), one column per metric."""
    rows = [{"arm": r["arm"], "seed": r["seed"], **r["metrics"]} for r in results]
    return pd.DataFrame(rows).set_index(["arm", "seed"]).sort_index()


# --------------------------------------------------------------------------- statistics
def t_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t-based confidence interval over replicates."""
    from scipy import stats

    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return (math.nan, math.nan, math.nan)
    m = float(x.mean())
    if n == 1:
        return (m, math.nan, math.nan)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return (m, m - half, m + half)


def _per_seed(table: pd.DataFrame, arm: str, metric: str) -> pd.Series:
    return table.loc[arm, metric]


def evaluate(claim: Claim, table: pd.DataFrame) -> dict[str, Any]:
    """The claim's simulated effect, its 95% CI and pass/fail."""
    m = claim.metric
    t = _per_seed(table, claim.treat, m)
    detail = ""
    if claim.kind in ("below", "above"):
        mean, lo, hi = t_interval(t.values)
        passed = (hi < claim.threshold) if claim.kind == "below" else (lo > claim.threshold)
        detail = f"{claim.treat} level; threshold {claim.threshold:g}"
    elif claim.kind == "diff":
        r = _per_seed(table, claim.ref, m)
        d = (t - r.reindex(t.index)).values
        mean, lo, hi = t_interval(d)
        if claim.direction > 0:
            passed = lo > 0 and mean > claim.margin
        else:
            passed = hi < 0 and mean < -claim.margin
        detail = (f"{claim.treat} - {claim.ref}; arm means {float(t.mean()):.4g} vs {float(r.mean()):.4g}")
    elif claim.kind == "remaining":
        r = _per_seed(table, claim.ref, m)
        b = _per_seed(table, claim.base, m)
        denom = (r - b).values
        with np.errstate(divide="ignore", invalid="ignore"):
            share = (t.values - b.values) / np.where(np.abs(denom) > 0, denom, np.nan)
        mean, lo, hi = t_interval(share)
        passed = bool(np.isfinite(hi) and hi < claim.threshold)
        detail = (f"({claim.treat} - {claim.base}) / ({claim.ref} - {claim.base}); arm means "
                  f"{float(t.mean()):.4g}, {float(r.mean()):.4g}, {float(b.mean()):.4g}")
    elif claim.kind == "top":
        others = pd.concat([_per_seed(table, o, m).rename(o) for o in claim.others], axis=1)
        best_other = others.max(axis=1)
        d = (t - best_other.reindex(t.index)).values
        mean, lo, hi = t_interval(d)
        passed = bool(lo > 0)
        runner_up = others.mean().idxmax()
        detail = f"{claim.treat} - max(other scenarios); runner-up {runner_up}"
    else:  # pragma: no cover - programming error
        raise ValueError(f"unknown claim kind {claim.kind}")
    return {"id": claim.id, "claim": claim.claim, "source": claim.source, "metric": m,
            "comparison": detail, "simulated_effect": mean, "ci_low": lo, "ci_high": hi,
            "passed": bool(passed and np.isfinite(mean))}


def evaluate_all(cfg: SuiteConfig, table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame([evaluate(c, table) for c in claims(cfg)])


# --------------------------------------------------------------------------- figures
def _bar(ax, table: pd.DataFrame, names: Sequence[str], metric: str, labels: Mapping[str, str],
         color: str = "tab:blue") -> None:
    means, errs = [], []
    for n in names:
        mean, lo, hi = t_interval(table.loc[n, metric].values)
        means.append(mean)
        errs.append(0.0 if not np.isfinite(hi) else hi - mean)
    x = np.arange(len(names))
    ax.bar(x, means, yerr=errs, capsize=3, color=color)
    ax.set_xticks(x, [labels.get(n, n) for n in names], rotation=35, ha="right", fontsize=8)


def make_figures(suite: Mapping[str, Any], table: pd.DataFrame, out: Path) -> dict[str, Path]:
    """Write the figures; returns name -> path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cfg: SuiteConfig = suite["config"]
    labels = {a.name: (a.label or a.name) for a in arms(cfg)}
    doses = DOSES_QUICK if cfg.quick else DOSES_FULL
    paths: dict[str, Path] = {}

    def save(fig, name: str) -> None:
        p = out / f"fig_{name}.png"
        fig.tight_layout()
        fig.savefig(p, dpi=120)
        plt.close(fig)
        paths[name] = p

    # dose response
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
    for ax, metric, ylabel in zip(axes, (CA, CALC_FRAC, "avg_mean_runx2"),
                                  ("Ca (ug / mg protein), day 14", "calcified area fraction, day 14",
                                   "Runx2 (run mean)"), strict=True):
        stats = [t_interval(table.loc[_pi(d), metric].values) for d in doses]
        mean = np.array([s[0] for s in stats])
        lo = np.array([s[1] for s in stats])
        hi = np.array([s[2] for s in stats])
        ax.errorbar(doses, mean, yerr=[np.nan_to_num(mean - lo), np.nan_to_num(hi - mean)], marker="o",
                    capsize=3, label="medium Pi")
        pfa = t_interval(table.loc["iv_pi2.0_pfa", metric].values)
        ax.errorbar([2.0], [pfa[0]], yerr=[[np.nan_to_num(pfa[0] - pfa[1])], [np.nan_to_num(pfa[2] - pfa[0])]],
                    marker="s", color="tab:red", capsize=3, linestyle="none", label="2.0 mM + PFA")
        ax.axvspan(1.0, 1.4, color="0.9", zorder=0)
        ax.set_xlabel("medium phosphate (mM)")
        ax.set_ylabel(ylabel)
    axes[0].legend(fontsize=8)
    fig.suptitle("In-vitro Pi dose response (Jono et al. 2000: none at <= 1.4 mM, clear at 2.0 mM); "
                 "95% t-CI over seeds", fontsize=9)
    save(fig, "dose_response")

    # time courses of calcium content and markers
    ts = {}
    for r in suite["results"]:
        ts.setdefault(r["arm"], []).append(r["timeseries"])
    cols = (CA, "fraction_osteogenic", "mean_grp78", "mean_chop", "mean_runx2", "mean_tnap")
    fig, axes = plt.subplots(2, 3, figsize=(12, 6.5))
    for ax, col in zip(axes.ravel(), cols, strict=True):
        for d in doses:
            frames = ts.get(_pi(d), [])
            if not frames:
                continue
            arr = np.array([f[col].values for f in frames])
            ax.plot(frames[0]["day"], np.nanmean(arr, axis=0), label=f"{d:.1f} mM")
        ax.set_title(col, fontsize=9)
        ax.set_xlabel("day")
    axes[0, 0].legend(fontsize=7)
    fig.suptitle("In-vitro time courses by medium Pi (mean over seeds)", fontsize=9)
    save(fig, "time_courses")

    # glucose
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.6))
    names = ["iv_pi2.0", "iv_glc25", "iv_glcfl"]
    lab = {**labels, "iv_pi2.0": "glucose 5.5 mM"}
    _bar(axes[0], table, names, CA, lab)
    axes[0].set_ylabel("Ca (ug / mg protein)")
    _bar(axes[1], table, names, "avg_mean_grp78", lab, color="tab:orange")
    axes[1].set_ylabel("GRP78 (run mean)")
    fig.suptitle("Glucose in calcifying medium (2.0 mM Pi): constant vs fluctuating", fontsize=9)
    save(fig, "glucose")

    # warfarin and vitamin K
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.6))
    names = ["healthy", "warfarin", "ckd", "ckd_warfarin", "ckd_vitamin_k"]
    _bar(axes[0], table, names, CA, labels)
    axes[0].set_ylabel("Ca (ug / mg protein)")
    _bar(axes[1], table, names, "avg_mean_mgp_carboxylated_fraction", labels, color="tab:green")
    axes[1].set_ylabel("carboxylated MGP fraction (run mean)")
    fig.suptitle("Warfarin and vitamin K (in vivo)", fontsize=9)
    save(fig, "vitamin_k")

    # autophagy / ER-stress interventions
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
    names = ["healthy", "ckd", "ckd_3ma", "ckd_rapamycin", "ckd_4pba", "ckd_tudca", "ckd_anti_tnf"]
    _bar(axes[0], table, names, CA, labels)
    axes[0].set_ylabel("Ca (ug / mg protein)")
    _bar(axes[1], table, names, "avg_mean_grp78", labels, color="tab:orange")
    axes[1].set_ylabel("GRP78 (run mean)")
    _bar(axes[2], table, names, "avg_mean_chop", labels, color="tab:red")
    axes[2].set_ylabel("CHOP (run mean)")
    fig.suptitle("Autophagy and ER-stress interventions in CKD (3-MA, rapamycin, 4-PBA, TUDCA, anti-TNF)",
                 fontsize=9)
    save(fig, "upr")

    # inhibitors
    fig, ax = plt.subplots(figsize=(6, 3.6))
    names = ["ckd", "ckd_low_fetuin", "ckd_low_ppi", "ckd_low_mg", "ckd_magnesium"]
    _bar(ax, table, names, CA, labels)
    ax.set_ylabel("Ca (ug / mg protein)")
    fig.suptitle("Failing inhibitors in CKD: fetuin-A, PPi, Mg", fontsize=9)
    save(fig, "inhibitors")

    # ranking
    means = {n: float(table.loc[n, CA].mean()) for n in RANKED}
    order = sorted(means, key=means.get, reverse=True)
    fig, ax = plt.subplots(figsize=(9, 4))
    _bar(ax, table, order, CA, labels, color="tab:purple")
    ax.set_ylabel(f"Ca (ug / mg protein), day {cfg.days_in_vivo:g}")
    fig.suptitle("Scenario ranking (in vivo); calciphylaxis expected on top", fontsize=9)
    save(fig, "ranking")
    return paths


# --------------------------------------------------------------------------- report
def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    return f"{x:.3g}"


def summary_table_md(validation: pd.DataFrame) -> str:
    lines = ["| id | claim | metric | effect | 95% CI | pass |", "|---|---|---|---|---|---|"]
    for _, r in validation.iterrows():
        lines.append(f"| {r['id']} | {r['claim']} | {r['metric']} | {_fmt(r['simulated_effect'])} | "
                     f"[{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}] | {'PASS' if r['passed'] else 'FAIL'} |")
    return "\n".join(lines)


def write_report(suite: Mapping[str, Any], validation: pd.DataFrame, table: pd.DataFrame,
                 figures: Mapping[str, Path], out: Path) -> Path:
    cfg: SuiteConfig = suite["config"]
    n_pass = int(validation["passed"].sum())
    lines = [
        "# vcsim validation report",
        "",
        f"Mode: {'quick' if cfg.quick else 'full'}; lattice {cfg.lattice_rows} x {cfg.lattice_cols}; "
        f"seeds {', '.join(map(str, cfg.seeds))}; in vitro {cfg.days_in_vitro:g} days, in vivo "
        f"{cfg.days_in_vivo:g} days; {len(suite['results'])} runs in {suite['wall_seconds']:.0f} s.",
        "",
        f"**{n_pass} of {len(validation)} claims pass.**",
        "",
        "Each claim compares arms (scenarios of `scenarios/` with parameter overrides) run with the same "
        "seeds; effects are paired by seed, the 95% CI is t-based over replicates (see "
        "`vcsim/validation.py`). Markers named `avg_*` are means over the run of the viable-cell means; "
        "calcium content and calcified fraction are final values.",
        "",
        "Calcium content: `calcium_content_ug_per_mg_protein` = mineral calcium (10 Ca per "
        "Ca10(PO4)6(OH)2, 40.078 g/mol) divided by the protein of a confluent layer (number of cell "
        "sites x `protein_per_cell_ng` = 0.4 ng), as in calcium assays normalised to protein "
        "(Jono et al. 2000). Calcified fraction: share of sites whose mineral Ca exceeds "
        "`calcified_threshold_mmol_per_L` (5 mmol/L tissue, a staining-like threshold).",
        "",
        "## Summary",
        "",
        summary_table_md(validation),
        "",
        "## Claims in detail",
        "",
    ]
    for _, r in validation.iterrows():
        lines += [f"### {r['id']}: {'PASS' if r['passed'] else 'FAIL'}", "",
                  f"- claim: {r['claim']}", f"- source: {r['source']}", f"- metric: `{r['metric']}`",
                  f"- comparison: {r['comparison']}",
                  f"- simulated effect: {_fmt(r['simulated_effect'])} (95% CI {_fmt(r['ci_low'])} to "
                  f"{_fmt(r['ci_high'])})", ""]
    lines += ["## Figures", ""]
    for name, p in figures.items():
        lines += [f"![{name}]({p.name})", ""]
    lines += ["## Arm means", "",
              "| arm | " + " | ".join((CA, CALC_FRAC, "fraction_osteogenic", "avg_mean_grp78", "avg_mean_chop",
                                       "avg_mean_runx2")) + " |",
              "|---" * 7 + "|"]
    for arm in table.index.get_level_values(0).unique():
        sub = table.loc[arm]
        vals = [sub[c].mean() for c in (CA, CALC_FRAC, "fraction_osteogenic", "avg_mean_grp78", "avg_mean_chop",
                                        "avg_mean_runx2")]
        lines.append(f"| {arm} | " + " | ".join(_fmt(v) for v in vals) + " |")
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def validate(cfg: SuiteConfig, out: Path | None = None, workers: int | None = None,
             progress: Callable[[str], None] | None = None, figures: bool = True) -> dict[str, Any]:
    """Run the suite and (with ``out``) write report.md, validation.csv, arms.csv and figures."""
    suite = run_suite(cfg, workers=workers, progress=progress)
    table = metric_table(suite["results"])
    validation = evaluate_all(cfg, table)
    result = {"suite": suite, "table": table, "validation": validation}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        validation[["id", "claim", "source", "metric", "simulated_effect", "ci_low", "ci_high", "passed"]].to_csv(
            out / "validation.csv", index=False)
        table.to_csv(out / "arms.csv")
        figs = make_figures(suite, table, out) if figures else {}
        result["report"] = write_report(suite, validation, table, figs, out)
        result["figures"] = figs
    return result


# --------------------------------------------------------------------------- command line
class ValidateCommand:
    """``validate``: run the validation suite and write its report."""

    @staticmethod
    def add_arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument("--quick", action="store_true",
                       help=f"CI size: {QUICK.lattice_rows} x {QUICK.lattice_cols} lattice, "
                            f"{len(QUICK.seeds)} seeds, in vivo {QUICK.days_in_vivo:g} days")
        p.add_argument("--out", type=Path, default=Path("runs/validation"),
                       help="output directory (default runs/validation)")
        p.add_argument("--workers", type=int, default=None,
                       help="processes (default: number of cores)")
        p.add_argument("--quiet", action="store_true", help="no progress lines")

    @staticmethod
    def run(args: argparse.Namespace) -> int:
        import sys

        cfg = QUICK if args.quick else FULL
        if args.workers is not None and args.workers < 1:
            print(f"--workers: {args.workers} is not allowed; expected >= 1", file=sys.stderr)
            return 2

        def progress(msg: str) -> None:
            if not args.quiet:
                print(msg, file=sys.stderr, flush=True)

        result = validate(cfg, out=args.out, workers=args.workers, progress=progress)
        v = result["validation"]
        print(summary_table_md(v))
        print(f"\n{int(v['passed'].sum())}/{len(v)} claims pass; report: {result['report']}")
        return 0


__all__ = ["Arm", "Claim", "SuiteConfig", "QUICK", "FULL", "arms", "claims", "run_arm", "run_suite",
           "evaluate", "evaluate_all", "validate", "ValidateCommand", "t_interval"]
