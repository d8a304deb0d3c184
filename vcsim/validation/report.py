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


def summary_table_md(validation: pd.DataFrame, role: str | None = None) -> str:
    """The claims (of one ``role``, or all) as a Markdown table (also printed by the command
    line); calibration anchors list the parameters they set."""
    rows = validation if role is None else validation[validation["role"] == role]
    anchors = role == "calibration"
    head = "| id | claim | metric | effect | 95% CI | pass |" + (" sets |" if anchors else "")
    lines = [head, "|---" * (7 if anchors else 6) + "|"]
    for _, r in rows.iterrows():
        line = (f"| {r['id']} | {r['claim']} | {r['metric']} | {_fmt(r['simulated_effect'])} | "
                f"[{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}] | "
                f"{'PASS' if r['passed'] else 'FAIL'} |")
        if anchors:
            line += " " + ", ".join(f"`{s}`" for s in str(r["sets"]).split()) + " |"
        lines.append(line)
    return "\n".join(lines)


def headline(validation: pd.DataFrame) -> str:
    """``validation: a of b pass; calibration anchors: c of d reproduced``."""
    parts = []
    for role, what in (("validation", "validation claims pass"),
                       ("calibration", "calibration anchors are reproduced")):
        sub = validation[validation["role"] == role]
        parts.append(f"{int(sub['passed'].sum())} of {len(sub)} {what}")
    return "; ".join(parts)


def write_report(suite: Mapping[str, Any], validation: pd.DataFrame, table: pd.DataFrame,
                 figures: Mapping[str, Path], out: Path) -> Path:
    """Write ``out/report.md``; returns its path."""
    cfg: SuiteConfig = suite["config"]
    lines = [
        "# vcsim validation report",
        "",
        f"Mode: {'quick' if cfg.quick else 'full'}; lattice {cfg.lattice_rows} x "
        f"{cfg.lattice_cols}; seeds {', '.join(map(str, cfg.seeds))}; in vitro "
        f"{cfg.days_in_vitro:g} days, in vivo {cfg.days_in_vivo:g} days; "
        f"{len(suite['results'])} runs in {suite['wall_seconds']:.0f} s.",
        "",
        f"**{headline(validation)}.**",
        "",
        "Two tables, kept apart: *validation* claims are behaviours from the literature that no "
        "parameter was tuned to; *calibration* anchors are the experiments that set the "
        "parameters they list (each of which names the anchor in its `calibrated_by`). Only the "
        "validation table measures validity.",
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
        "## Validation (no parameter tuned to these)",
        "",
        summary_table_md(validation, "validation"),
        "",
        "## Calibration anchors (the parameters each one set)",
        "",
        summary_table_md(validation, "calibration"),
        "",
        "## Claims in detail",
        "",
    ]
    for _, r in validation.iterrows():
        lines += [f"### {r['id']} ({r['role']}): {'PASS' if r['passed'] else 'FAIL'}", "",
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
