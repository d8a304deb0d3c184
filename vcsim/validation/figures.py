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
    names = ["healthy", "ckd", "ckd_3ma", "ckd_rapamycin", "ckd_4pba", "ckd_anti_tnf",
             "ckd_atf4_ko", "ckd_xbp1_ko"]
    _bar(axes[0], table, names, CA, labels)
    axes[0].set_ylabel("Ca (ug / mg protein)")
    _bar(axes[1], table, names, "avg_mean_grp78", labels, color="tab:orange")
    axes[1].set_ylabel("GRP78 (run mean)")
    _bar(axes[2], table, names, "avg_mean_chop", labels, color="tab:red")
    axes[2].set_ylabel("CHOP (run mean)")
    fig.suptitle("Autophagy and ER-stress interventions and genotypes in CKD (3-MA, rapamycin, "
                 "4-PBA, anti-TNF, SMC Atf4-/-, Xbp1-/-)", fontsize=9)
    save(fig, "upr")

    # inhibitors
    fig, ax = plt.subplots(figsize=(6, 3.6))
    names = ["healthy", "healthy_mgp_ko", "healthy_enpp1_ko", "healthy_low_plasma_ppi",
             "healthy_fetuin_ko", "ckd",
             "ckd_low_fetuin", "ckd_low_ppi", "ckd_low_mg", "ckd_magnesium"]
    _bar(ax, table, names, CA, labels)
    ax.set_ylabel("Ca (ug / mg protein)")
    fig.suptitle("Inhibitors: genotypes on a healthy wall; failing inhibitors in CKD", fontsize=9)
    save(fig, "inhibitors")

    # ranking
    means = {n: float(table.loc[n, CA].mean()) for n in ranked}
    order = sorted(means, key=means.get, reverse=True)
    fig, ax = plt.subplots(figsize=(9, 4))
    _bar(ax, table, order, CA, labels, color="tab:purple")
    ax.set_ylabel(f"Ca (ug / mg protein), day {cfg.days_in_vivo:g}")
    fig.suptitle("Scenario ranking (in vivo)", fontsize=9)
    save(fig, "ranking")

    _timescales(plt, ts, cfg, save)
    return paths


#: Literature points of the timescale figure: (day, value, low, high, label). In vitro: calcium
#: content of bovine VSMCs in calcifying medium (Chen et al. 2006 Nephrol Dial Transplant
#: 21:3435, 5 mM glucose, mean +- SD); the onset window of Jono et al. 2000 (days 6-9).
IN_VITRO_CALCIUM = ((7.0, 54.1, 32.1, 76.2, "Chen 2006, bovine VSMC"),
                    (14.0, 125.0, 88.2, 161.9, "Chen 2006, bovine VSMC"))
IN_VITRO_ONSET_DAYS = (6.0, 9.0)
#: In vivo: the window in which medial calcification becomes significant in uraemic mice on high
#: Pi (Pai et al. 2011 Am J Pathol 178:764: high Pi from week 3, phenotype change by week 4,
#: calcification significant by week 8, i.e. 5 weeks of hyperphosphataemia) and the first
#: calcification under warfarin in rats (Price, Faus & Williamson 1998 ATVB 18:1400: 2 weeks).
IN_VIVO_CKD_SIGNIFICANT_DAYS = (28.0, 35.0)
IN_VIVO_WARFARIN_FIRST_DAY = 14.0


def _band(ax, frames: list[pd.DataFrame], col: str, label: str, color: str) -> None:
    if not frames:
        return
    arr = np.array([f[col].values for f in frames])
    day = frames[0]["day"].values
    ax.plot(day, np.nanmean(arr, axis=0), color=color, label=label)
    if len(frames) > 1:
        ax.fill_between(day, np.nanmin(arr, axis=0), np.nanmax(arr, axis=0), color=color,
                        alpha=0.2, linewidth=0)


def _timescales(plt: Any, ts: Mapping[str, list[pd.DataFrame]], cfg: SuiteConfig, save: Any) -> None:
    """Calcium content and osteogenic fraction over time, in vitro and in vivo, against the
    literature points above (model: mean and seed range)."""
    fig, axes = plt.subplots(2, 2, figsize=(11, 7))
    ax = axes[0, 0]
    _band(ax, ts.get("iv_pi2.0", []), CA, "model, 2.0 mM Pi", "tab:blue")
    for i, (day, mean, lo, hi, label) in enumerate(IN_VITRO_CALCIUM):
        ax.errorbar([day], [mean], yerr=[[mean - lo], [hi - mean]], fmt="s", color="k", capsize=3,
                    label=label if i == 0 else None)
    ax.axvspan(*IN_VITRO_ONSET_DAYS, color="0.85", zorder=0, label="onset, Jono 2000 (days 6-9)")
    ax.set_yscale("log")  # zeros are masked: the model's first mineral shows where it starts
    ax.set_ylim(1e-3, 1e3)
    ax.set_ylabel("Ca (ug / mg protein), log scale")
    ax.set_title("in vitro: calcium content", fontsize=9)
    ax.legend(fontsize=7)
    ax = axes[0, 1]
    _band(ax, ts.get("iv_pi2.0", []), "fraction_osteogenic", "2.0 mM Pi", "tab:blue")
    _band(ax, ts.get("iv_pi1.0", []), "fraction_osteogenic", "1.0 mM Pi", "tab:gray")
    ax.set_ylabel("osteogenic fraction of cells")
    ax.set_title("in vitro: osteogenic VSMCs (no published share to compare)", fontsize=9)
    ax.legend(fontsize=7)
    ax = axes[1, 0]
    _band(ax, ts.get("ckd", []), CALC_FRAC, "model, ckd", "tab:red")
    _band(ax, ts.get("warfarin", []), CALC_FRAC, "model, warfarin", "tab:green")
    _band(ax, ts.get("healthy", []), CALC_FRAC, "model, healthy", "tab:gray")
    ax.axvspan(*IN_VIVO_CKD_SIGNIFICANT_DAYS, color="mistyrose", zorder=0,
               label="CKD mice: significant after 4-5 wk of high Pi (Pai 2011)")
    ax.axvline(IN_VIVO_WARFARIN_FIRST_DAY, color="tab:green", linestyle=":",
               label="warfarin rats: first seen at 2 wk (Price 1998)")
    ax.set_xlim(0, max(cfg.days_in_vivo, IN_VIVO_CKD_SIGNIFICANT_DAYS[1]) + 1)
    ax.set_ylabel("calcified area fraction")
    ax.set_title("in vivo: calcified media", fontsize=9)
    ax.legend(fontsize=7, loc="upper left", framealpha=0.6)
    ax = axes[1, 1]
    _band(ax, ts.get("ckd", []), "fraction_osteogenic", "ckd", "tab:red")
    _band(ax, ts.get("healthy", []), "fraction_osteogenic", "healthy", "tab:gray")
    ax.set_ylabel("osteogenic fraction of cells")
    ax.set_title("in vivo: osteogenic VSMCs (a minority in rodent CKD media)", fontsize=9)
    ax.set_xlim(0, max(cfg.days_in_vivo, IN_VIVO_CKD_SIGNIFICANT_DAYS[1]) + 1)
    ax.legend(fontsize=7)
    for a in axes.ravel():
        a.set_xlabel("day")
    fig.suptitle("Timescales against the literature (model: mean and range over seeds)", fontsize=9)
    save(fig, "timescales")
