"""The written outputs: ``report.md`` (summary, every claim in detail, figures, arm means).

``validation.csv`` and ``arms.csv`` are written by :func:`vcsim.validation.suite.validate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vcsim.validation.design import CA, CALC_FRAC, SuiteConfig

#: Columns of the "Arm means" section.
ARM_MEAN_COLUMNS = (CA, CALC_FRAC, "fraction_osteogenic", "avg_mean_grp78", "avg_mean_chop",
                    "avg_mean_runx2")


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    return f"{x:.3g}"


def summary_table_md(validation: pd.DataFrame) -> str:
    """The claims as a Markdown table (also printed by the command line)."""
    lines = ["| id | claim | metric | effect | 95% CI | pass |", "|---|---|---|---|---|---|"]
    for _, r in validation.iterrows():
        lines.append(f"| {r['id']} | {r['claim']} | {r['metric']} | "
                     f"{_fmt(r['simulated_effect'])} | "
                     f"[{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}] | "
                     f"{'PASS' if r['passed'] else 'FAIL'} |")
    return "\n".join(lines)


def write_report(suite: Mapping[str, Any], validation: pd.DataFrame, table: pd.DataFrame,
                 figures: Mapping[str, Path], out: Path) -> Path:
    """Write ``out/report.md``; returns its path."""
    cfg: SuiteConfig = suite["config"]
    n_pass = int(validation["passed"].sum())
    lines = [
        "# vcsim validation report",
        "",
        f"Mode: {'quick' if cfg.quick else 'full'}; lattice {cfg.lattice_rows} x "
        f"{cfg.lattice_cols}; seeds {', '.join(map(str, cfg.seeds))}; in vitro "
        f"{cfg.days_in_vitro:g} days, in vivo {cfg.days_in_vivo:g} days; "
        f"{len(suite['results'])} runs in {suite['wall_seconds']:.0f} s.",
        "",
        f"**{n_pass} of {len(validation)} claims pass.**",
        "",
        "Each claim compares arms (scenarios of `scenarios/` with parameter overrides) run with "
        "the same seeds; effects are paired by seed, the 95% CI is t-based over replicates (see "
        "`vcsim/validation/statistics.py`; arms and claims: `vcsim/validation/claims.toml`). "
        "Markers named `avg_*` are means over the run of the viable-cell means; calcium content "
        "and calcified fraction are final values.",
        "",
        "Calcium content: `calcium_content_ug_per_mg_protein` = mineral calcium (10 Ca per "
        "Ca10(PO4)6(OH)2, 40.078 g/mol) divided by the protein of a confluent layer (number of "
        "cell sites x `protein_per_cell_ng` = 0.4 ng), as in calcium assays normalised to protein "
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
                  f"- claim: {r['claim']}", f"- source: {r['source']}",
                  f"- metric: `{r['metric']}`", f"- comparison: {r['comparison']}",
                  f"- simulated effect: {_fmt(r['simulated_effect'])} (95% CI "
                  f"{_fmt(r['ci_low'])} to {_fmt(r['ci_high'])})", ""]
    lines += ["## Figures", ""]
    for name, p in figures.items():
        lines += [f"![{name}]({p.name})", ""]
    lines += ["## Arm means", "",
              "| arm | " + " | ".join(ARM_MEAN_COLUMNS) + " |",
              "|---" * (len(ARM_MEAN_COLUMNS) + 1) + "|"]
    for arm in table.index.get_level_values(0).unique():
        sub = table.loc[arm]
        vals = [sub[c].mean() for c in ARM_MEAN_COLUMNS]
        lines.append(f"| {arm} | " + " | ".join(_fmt(v) for v in vals) + " |")
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n")
    return path
