"""Validation suite: virtual experiments for behaviours of vascular calcification reported in
the literature.

``python run.py validate [--quick] [--out DIR] [--workers N]`` runs a set of *arms* (a scenario
with parameter overrides, run for the in-vitro or in-vivo number of days) for several replicate
seeds, then checks each *claim* by comparing a metric between arms (paired by seed, t-based 95%
confidence intervals; the kinds ``diff``, ``below``, ``above``, ``remaining`` and ``top`` are
described in :mod:`vcsim.validation.statistics`).

Arms, claims and the two suite sizes (quick, full) are data: ``claims.toml`` beside this file,
loaded and checked by :mod:`vcsim.validation.table`. A claim's text is a template filled from
the parameters its arms really run with (``{ref.fetuin_a_g_per_L:g}``), and its source is the
paper the behaviour comes from.

Modules:

- :mod:`~vcsim.validation.design`: the ``Arm``, ``Claim`` and ``SuiteConfig`` objects.
- :mod:`~vcsim.validation.table`: reading, checking and filling ``claims.toml``.
- :mod:`~vcsim.validation.suite`: running arms x seeds, evaluating, writing the outputs.
- :mod:`~vcsim.validation.statistics`: t intervals, effects and pass rules.
- :mod:`~vcsim.validation.report`: ``report.md``; :mod:`~vcsim.validation.figures`: ``fig_*.png``.
- :mod:`~vcsim.validation.cli`: the ``validate`` subcommand.

Calcium content: the model reports ``calcium_content_ug_per_mg_protein`` = mineral Ca
(10 Ca per HAP formula unit, 40.078 g/mol) over the protein of a confluent layer, i.e. the
number of cell sites x ``protein_per_cell_ng`` (0.4 ng) (``VascularModel._compute_stats``),
the unit of the in-vitro calcium assays normalised to protein (Jono et al. 2000).

Outputs (``--out DIR``): ``report.md``, ``validation.csv`` (one row per claim: id, claim,
source, metric, simulated_effect, ci_low, ci_high, passed), ``arms.csv`` (final metrics of every
run) and the figures ``fig_*.png``.

``QUICK`` and ``FULL`` (the suite sizes), ``DOSES_QUICK``, ``DOSES_FULL`` and ``RANKED`` are
read from the shipped table when first used.
"""

from __future__ import annotations

from typing import Any

from vcsim.validation.cli import ValidateCommand
from vcsim.validation.design import CA, CALC_FRAC, Arm, Claim, SuiteConfig
from vcsim.validation.figures import make_figures
from vcsim.validation.report import summary_table_md, write_report
from vcsim.validation.statistics import evaluate, evaluate_claims, t_interval
from vcsim.validation.suite import (
    TS_COLUMNS,
    arms,
    claims,
    evaluate_all,
    metric_table,
    run_arm,
    run_suite,
    validate,
)
from vcsim.validation.table import (
    AVERAGED_SECTIONS,
    TableError,
    ValidationTable,
    averaged,
    load_table,
    shipped_table,
)


def __getattr__(name: str) -> Any:
    """``QUICK``, ``FULL``, ``DOSES_QUICK``, ``DOSES_FULL``, ``RANKED`` from the shipped table."""
    if name in ("QUICK", "FULL"):
        return shipped_table().suite(name.lower())
    if name in ("DOSES_QUICK", "DOSES_FULL"):
        return shipped_table().suite(name.removeprefix("DOSES_").lower()).doses
    if name == "RANKED":
        return tuple(a.name for a in shipped_table().fixed_arms if a.ranked)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Arm", "Claim", "SuiteConfig", "QUICK", "FULL", "arms", "claims", "run_arm", "run_suite",
           "evaluate", "evaluate_all", "validate", "ValidateCommand", "t_interval",
           "AVERAGED_SECTIONS", "averaged", "CA", "CALC_FRAC", "DOSES_FULL", "DOSES_QUICK", "RANKED", "TS_COLUMNS",
           "TableError", "ValidationTable", "evaluate_claims", "load_table", "make_figures",
           "metric_table", "shipped_table", "summary_table_md", "write_report"]
