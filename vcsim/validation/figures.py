"""The figures ``fig_*.png`` of the report (names: :data:`vcsim.validation.design.FIGURES`).

Dose-response arms and the ranked scenarios come from the table (``Arm.dose``, ``Arm.ranked``);
the other panels name the arms they show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vcsim.validation.design import CA, CALC_FRAC, SuiteConfig
from vcsim.validation.statistics import t_interval
from vcsim.validation.table import ValidationTable, shipped_table


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
    """Write the figures into ``out``; returns name -> path.

    ``suite``: the result of :func:`vcsim.validation.suite.run_suite`; ``table``: its
    :func:`vcsim.validation.suite.metric_table`.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cfg: SuiteConfig = suite["config"]
    design: ValidationTable = suite.get("design") or shipped_table()
    suite_arms = suite.get("arms") or design.arms(cfg)
    labels = {a.name: (a.label or a.name) for a in suite_arms}
    dose_arms = {a.dose: a.name for a in suite_arms if a.dose is not None}
    doses = list(dose_arms)
    ranked = [a.name for a in suite_arms if a.ranked]
    pfa_pi = design.params["iv_pi2.0_pfa"]["serum_phosphate_mM"]
    medium = design.params["iv_pi2.0"]
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
                                  ("Ca (ug / mg protein), day 14",
                                   "calcified area fraction, day 14", "Runx2 (run mean)"),
                                  strict=True):
        stats = [t_interval(table.loc[dose_arms[d], metric].values) for d in doses]
        mean = np.array([s[0] for s in stats])
        lo = np.array([s[1] for s in stats])
        hi = np.array([s[2] for s in stats])
        ax.errorbar(doses, mean, yerr=[np.nan_to_num(mean - lo), np.nan_to_num(hi - mean)],
                    marker="o", capsize=3, label="medium Pi")
        pfa = t_interval(table.loc["iv_pi2.0_pfa", metric].values)
        ax.errorbar([pfa_pi], [pfa[0]],
                    yerr=[[np.nan_to_num(pfa[0] - pfa[1])], [np.nan_to_num(pfa[2] - pfa[0])]],
                    marker="s", color="tab:red", capsize=3, linestyle="none",
                    label=f"{pfa_pi:.1f} mM + PFA")
        ax.axvspan(1.0, 1.4, color="0.9", zorder=0)
        ax.set_xlabel("medium phosphate (mM)")
        ax.set_ylabel(ylabel)
    axes[0].legend(fontsize=8)
    fig.suptitle("In-vitro Pi dose response (Jono et al. 2000: none at <= 1.4 mM, clear at "
                 "2.0 mM); "
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
            frames = ts.get(dose_arms[d], [])
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
    lab = {**labels, "iv_pi2.0": f"glucose {medium['glucose_mM']:g} mM"}
    _bar(axes[0], table, names, CA, lab)
    axes[0].set_ylabel("Ca (ug / mg protein)")
    _bar(axes[1], table, names, "avg_mean_grp78", lab, color="tab:orange")
    axes[1].set_ylabel("GRP78 (run mean)")
    fig.suptitle(f"Glucose in calcifying medium ({medium['serum_phosphate_mM']:.1f} mM Pi): "
                 "constant vs fluctuating", fontsize=9)
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
    fig.suptitle("Autophagy and ER-stress interventions in CKD (3-MA, rapamycin, 4-PBA, TUDCA, "
                 "anti-TNF)", fontsize=9)
    save(fig, "upr")

    # inhibitors
    fig, ax = plt.subplots(figsize=(6, 3.6))
    names = ["ckd", "ckd_low_fetuin", "ckd_low_ppi", "ckd_low_mg", "ckd_magnesium"]
    _bar(ax, table, names, CA, labels)
    ax.set_ylabel("Ca (ug / mg protein)")
    fig.suptitle("Failing inhibitors in CKD: fetuin-A, PPi, Mg", fontsize=9)
    save(fig, "inhibitors")

    # ranking
    means = {n: float(table.loc[n, CA].mean()) for n in ranked}
    order = sorted(means, key=means.get, reverse=True)
    fig, ax = plt.subplots(figsize=(9, 4))
    _bar(ax, table, order, CA, labels, color="tab:purple")
    ax.set_ylabel(f"Ca (ug / mg protein), day {cfg.days_in_vivo:g}")
    fig.suptitle("Scenario ranking (in vivo); calciphylaxis expected on top", fontsize=9)
    save(fig, "ranking")
    return paths
