"""Time-step convergence study: end-point outputs of the model at several steps dt, the
observed order of convergence, and the default step's error against a Richardson estimate.

Unlike the other scripts here, which read run outputs, this one runs the model, through its
public API only (``load_scenario``, ``Scenario.make_model``, ``step``, ``dt_h``, ``time_h``,
``timeseries_frame``, ``processes.table()``): it tests whatever scheme the checkout's vcsim
runs, and the report lists that scheme's processes.

Cases: in-vitro 2 mM Pi (scenario ``invitro_pi``, ``serum_phosphate_mM = 2.0``, 14 days) and
CKD (scenario ``ckd``, 21 days). Metrics, read at the end time T (the same *time* at every dt,
not the same row): calcium content, calcified fraction, the four phenotype fractions, the
cumulative nucleation count and the mean tissue PPi.

For each metric q, with steps h_1 > h_2 > ... of one ratio r (2 by default: 2, 1, 0.5, 0.25,
0.125 h):

- q(h): mean and standard error over seeds;
- the observed order from three successive steps (r^2 h, r h, h) (Roache 1998, ch. 5)::

      p = log[(q(r^2 h) - q(r h)) / (q(r h) - q(h))] / log r

- the Richardson extrapolate from the two finest steps (Richardson 1911)::

      q0 = q(h) + (q(h) - q(r h)) / (r^p - 1)

  with the observed order of the three finest steps when it is usable (both differences
  resolved beyond noise, of one sign, 0.5 < p < 3), else the formal order 1 of the model's
  sequential operator splitting;
- the error of the default step (the scenario's ``dt_h``) against q0: (q(dt) - q0) / |q0|.

Noise: nucleation and phenotype transitions draw from counter-based streams keyed by (seed,
step, site), so a different dt means different draws and the difference between two steps
mixes discretisation error with sampling noise. Differences are taken per seed (paired: a
seed's initial state is the same at every dt) and averaged; a difference within
``--noise-se`` standard errors of zero is flagged "within noise" and its order is not used.
q0 and the errors get standard errors from the per-seed extrapolates (p held fixed).

Target (issue 14): at the default dt, calcium content within ``--tolerance`` (5%) of q0; one
PASS/FAIL line per case.

Outputs in ``--out``: ``convergence.csv`` (long: case, metric, dt_h, seed, value),
``convergence_summary.csv`` (one row per case and metric: mean and se per dt, the observed
orders and their flags, the order used, q0, the default step's error, the verdict),
``convergence.md`` (the report), ``convergence_dt.png`` (each metric against dt, with the
Richardson estimate) and ``convergence_timecourse.png`` (calcium content over time per dt).

Example::

    python analysis/convergence.py --out docs          # what `make convergence` runs
    python analysis/convergence.py --quick --out runs/convergence-quick

References: L. F. Richardson (1911) Phil Trans R Soc A 210:307-357; P. J. Roache (1998)
Verification and Validation in Computational Science and Engineering, Hermosa, ch. 5.
"""

from __future__ import annotations

import datetime
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
# the checkout's own vcsim first: the study is of the scheme in this source tree, not of
# whichever vcsim the environment happens to have installed
for _path in (str(_HERE.parent), str(_HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from analysis_common import (  # noqa: E402
    AnalysisError,
    clip_to,
    make_parser,
    metric_domain,
    new_figure,
    nonnegative_int,
    out_dir,
    positive_float,
    run_cli,
    save_figure,
    t_interval,
    units_of,
    write_csv,
)
from matplotlib.figure import Figure  # noqa: E402

import vcsim  # noqa: E402


@dataclass(frozen=True)
class Case:
    """A scenario with parameter overrides, run to ``days``."""

    name: str
    scenario: str
    overrides: dict[str, Any]
    days: float
    title: str


CASES: dict[str, Case] = {c.name: c for c in (
    Case("invitro_2mM_pi", "invitro_pi", {"serum_phosphate_mM": 2.0}, 14.0, "in vitro, 2 mM Pi"),
    Case("ckd", "ckd", {}, 21.0, "CKD"),
)}

#: (output column, what it is): see docs/outputs.md
METRICS: dict[str, str] = {
    "calcium_content_ug_per_mg_protein": "calcium content",
    "calcified_fraction": "calcified fraction",
    "fraction_contractile": "contractile fraction",
    "fraction_osteogenic": "osteogenic fraction",
    "fraction_autophagic": "autophagic fraction",
    "fraction_apoptotic": "apoptotic fraction",
    "nucleation_events_cumulative": "nucleation events (cumulative)",
    "pyrophosphate_mean_uM": "tissue PPi (pore-fluid mean)",
}
TARGET_METRIC = "calcium_content_ug_per_mg_protein"

FULL = {"dt": (2.0, 1.0, 0.5, 0.25, 0.125), "seeds": (1, 2, 3), "lattice": (24, 60),
        "days": None}
QUICK = {"dt": (1.0, 0.5, 0.25), "seeds": (1, 2), "lattice": (12, 20), "days": 3.0}

FORMAL_ORDER = 1.0  # sequential (Lie) operator splitting, first order in dt
ORDER_RANGE = (0.5, 3.0)  # an observed order outside this is not trusted for extrapolation


# ---------------------------------------------------------------------- convergence arithmetic
def observed_order(q_coarse: float, q_mid: float, q_fine: float, ratio: float = 2.0) -> float:
    """Observed order p from q at steps r^2 h, r h, h:
    p = log[(q(r^2 h) - q(r h)) / (q(r h) - q(h))] / log r (Roache 1998, ch. 5).
    NaN when the ratio of differences is not positive (a sign change, or a zero difference)."""
    coarse, fine = q_coarse - q_mid, q_mid - q_fine
    if fine == 0 or coarse == 0 or coarse * fine < 0 or not math.isfinite(coarse / fine):
        return math.nan
    return math.log(coarse / fine) / math.log(ratio)


def richardson(q_fine: Any, q_coarse: Any, order: float, ratio: float = 2.0) -> Any:
    """Richardson extrapolate q0 = q(h) + (q(h) - q(r h)) / (r^p - 1): exact for
    q(h) = q0 + c h^p. Works on scalars and on per-seed arrays."""
    return q_fine + (q_fine - q_coarse) / (ratio ** order - 1.0)


@dataclass(frozen=True)
class Difference:
    """Mean over seeds of a paired difference, its standard error (NaN with one seed)."""

    mean: float
    se: float


def paired_difference(a: np.ndarray, b: np.ndarray) -> Difference:
    """mean(a - b) over seeds (same seed at both steps) and its standard error."""
    iv = t_interval(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))
    return Difference(iv.mean, iv.se)


@dataclass(frozen=True)
class OrderEstimate:
    """The observed order of three successive steps ``steps`` = (r^2 h, r h, h), the two
    differences it comes from, and why it is not usable (``flags``; empty when it is)."""

    steps: tuple[float, float, float]
    coarse: Difference  # q(r^2 h) - q(r h)
    fine: Difference    # q(r h) - q(h)
    order: float
    flags: tuple[str, ...]

    @property
    def usable(self) -> bool:
        return not self.flags


def estimate_order(steps: Sequence[float], values: Sequence[np.ndarray], ratio: float,
                   noise_se: float = 2.0, order_range: tuple[float, float] = ORDER_RANGE
                   ) -> OrderEstimate:
    """:class:`OrderEstimate` from per-seed values at three steps (coarse to fine, seeds in
    the same order at each step). Flags: "no change" (q the same at all three),
    "sign change", "zero difference", "within noise" (a difference within ``noise_se``
    standard errors of zero; not assessed with one seed) and "p outside (lo, hi)"."""
    coarse = paired_difference(values[0], values[1])
    fine = paired_difference(values[1], values[2])
    order = observed_order(float(np.mean(values[0])), float(np.mean(values[1])),
                           float(np.mean(values[2])), ratio)
    flags = []
    if coarse.mean == 0 and fine.mean == 0:
        flags.append("no change")
    elif coarse.mean * fine.mean < 0:
        flags.append("sign change")
    elif coarse.mean == 0 or fine.mean == 0:
        flags.append("zero difference")
    if any(d.se > 0 and abs(d.mean) <= noise_se * d.se for d in (coarse, fine)):
        flags.append("within noise")
    if math.isfinite(order) and not order_range[0] < order < order_range[1]:
        flags.append(f"p outside ({order_range[0]:g}, {order_range[1]:g})")
    return OrderEstimate((steps[0], steps[1], steps[2]), coarse, fine, order, tuple(flags))


@dataclass(frozen=True)
class Convergence:
    """Convergence of one metric: per-step mean and se, the observed orders of every three
    successive steps, the Richardson estimate q0 and the default step's error against it."""

    steps: tuple[float, ...]
    means: tuple[float, ...]
    ses: tuple[float, ...]
    orders: tuple[OrderEstimate, ...]
    order_used: float
    order_source: str  # "observed" or "formal"
    order_reason: str  # why the formal order, "" when observed
    q0: float
    q0_se: float
    default_dt: float
    default_value: float
    abs_error: float
    abs_error_se: float
    rel_error: float
    rel_error_se: float


def analyse_convergence(steps: Sequence[float], values: Sequence[np.ndarray], default_dt: float,
                        noise_se: float = 2.0, formal_order: float = FORMAL_ORDER,
                        order_range: tuple[float, float] = ORDER_RANGE) -> Convergence:
    """:class:`Convergence` from per-seed values (``values[i]`` at ``steps[i]``; steps from
    coarse to fine, one ratio; the same seeds in the same order at every step)."""
    steps = tuple(float(h) for h in steps)
    values = [np.asarray(v, dtype=float) for v in values]
    if len(steps) < 2 or len(values) != len(steps):
        raise ValueError("need values at two or more steps")
    ratio = steps[0] / steps[1]
    stats = [t_interval(v) for v in values]
    orders = tuple(estimate_order(steps[i:i + 3], values[i:i + 3], ratio, noise_se, order_range)
                   for i in range(len(steps) - 2))
    if orders and orders[-1].usable:
        order, source, reason = orders[-1].order, "observed", ""
    else:
        order, source = formal_order, "formal"
        reason = ("three steps are needed for an observed order" if not orders
                  else "the finest observed order is not usable: " + ", ".join(orders[-1].flags))
    q0_per_seed = richardson(values[-1], values[-2], order, ratio)
    q0 = t_interval(q0_per_seed)
    hit = [i for i, h in enumerate(steps) if math.isclose(h, default_dt, rel_tol=1e-9)]
    if hit:
        err = t_interval(values[hit[0]] - q0_per_seed)
        default_value, abs_error, abs_error_se = stats[hit[0]].mean, err.mean, err.se
    else:
        default_value = abs_error = abs_error_se = math.nan
    scale = abs(q0.mean)
    rel, rel_se = ((abs_error / scale, abs_error_se / scale) if scale > 0 and math.isfinite(scale)
                   else (math.nan, math.nan))
    return Convergence(steps, tuple(s.mean for s in stats), tuple(s.se for s in stats), orders,
                       order, source, reason, q0.mean, q0.se, float(default_dt), default_value,
                       abs_error, abs_error_se, rel, rel_se)


def verdict(conv: Convergence, tolerance: float, noise_se: float = 2.0) -> str:
    """PASS / FAIL of |q(default dt) - q0| / |q0| <= tolerance, with its caveats."""
    if not math.isfinite(conv.rel_error):
        why = ("the default step is not among the steps" if not math.isfinite(conv.abs_error)
               else "the Richardson estimate is 0")
        return f"n/a ({why})"
    word = "PASS" if abs(conv.rel_error) <= tolerance else "FAIL"
    notes = []
    finest = conv.orders[-1] if conv.orders else None
    if finest is not None and finest.order < 0 and "within noise" not in finest.flags:
        notes.append(f"not converging: observed order {fmt(finest.order, 2)} < 0, the "
                     "differences grow as dt shrinks, so q0 is no dt -> 0 limit")
    if math.isfinite(conv.rel_error_se):
        lo = abs(conv.rel_error) - noise_se * conv.rel_error_se
        hi = abs(conv.rel_error) + noise_se * conv.rel_error_se
        if lo <= tolerance <= hi:
            notes.append(f"not resolved by the seeds: |error| +/- {noise_se:g} SE spans "
                         f"{100 * tolerance:g}%")
    if conv.order_source == "formal":
        notes.append(f"q0 with the formal order {conv.order_used:g}")
    return word + (f" ({'; '.join(notes)})" if notes else "")


# ---------------------------------------------------------------------- the runs
@dataclass(frozen=True)
class Task:
    """One model run: a case at one step and seed."""

    case: str
    scenario: str
    overrides: tuple[tuple[str, Any], ...]  # (name, value) pairs: a task is a dict key
    days: float
    dt_h: float
    seed: int
    rows: int
    cols: int


@dataclass
class RunResult:
    task: Task
    values: dict[str, float]
    day: np.ndarray     # time course, for the figure
    calcium: np.ndarray
    steps: int
    wall_s: float
    cpu_s: float  # CPU time of the run: unlike wall time, not inflated by a busy machine
    processes: list[tuple[str, str, str]] = field(default_factory=list)


def process_rows(model: Any) -> list[tuple[str, str, str]]:
    """(name, class, what it does) of each process the model runs, in step order."""
    procs = model.processes
    if hasattr(procs, "table"):
        return [(str(r.get("name", "")), str(r.get("class", "")), str(r.get("doc", "")))
                for r in procs.table()]
    return [(getattr(p, "name", ""), f"{type(p).__module__}.{type(p).__qualname__}", "")
            for p in procs]


def run_one(task: Task) -> RunResult:
    """Run one case at one step and seed to its end time; the metrics at that time."""
    t0, c0 = time.perf_counter(), time.process_time()
    sc = vcsim.load_scenario(task.scenario)
    model = sc.make_model(seed=task.seed, lattice_rows=task.rows, lattice_cols=task.cols,
                          dt_h=task.dt_h, **dict(task.overrides))
    if not math.isclose(model.dt_h, task.dt_h, rel_tol=1e-12):
        raise AnalysisError(f"{task.case}: the model steps {model.dt_h:g} h, not {task.dt_h:g} h")
    end_h = task.days * 24.0
    n = round(end_h / model.dt_h)
    for _ in range(n):
        model.step()
    if not math.isclose(model.time_h, end_h, rel_tol=1e-9, abs_tol=1e-9):
        raise AnalysisError(f"{task.case} dt {task.dt_h:g} h: {n} steps end at "
                            f"{model.time_h:g} h, not {end_h:g} h")
    frame = model.timeseries_frame()
    missing = [m for m in (*METRICS, "time_h") if m not in frame.columns]
    if missing:
        raise AnalysisError(f"the model's time series has no {', '.join(missing)} (see "
                            "docs/outputs.md; update METRICS in analysis/convergence.py)")
    at_end = frame[np.isclose(frame["time_h"], end_h, rtol=1e-9, atol=1e-9)]
    if at_end.empty:
        raise AnalysisError(f"{task.case} dt {task.dt_h:g} h: no time-series row at {end_h:g} h")
    row = at_end.iloc[-1]
    return RunResult(task, {m: float(row[m]) for m in METRICS},
                     frame["time_h"].to_numpy(float) / 24.0,
                     frame[TARGET_METRIC].to_numpy(float), n, time.perf_counter() - t0,
                     time.process_time() - c0, process_rows(model))


def _worker_init() -> None:
    # the pool's processes already use the cores: one block thread each
    os.environ["VCSIM_THREADS"] = "1"


def run_all(tasks: Sequence[Task], jobs: int,
            on_done: Callable[[int, RunResult], None] | None = None) -> list[RunResult]:
    """Every task, on ``jobs`` processes (in this process when jobs <= 1), in task order."""
    results: dict[Task, RunResult] = {}

    def done(r: RunResult) -> None:
        results[r.task] = r
        if on_done is not None:
            on_done(len(results), r)

    if jobs <= 1 or len(tasks) <= 1:
        for t in tasks:
            done(run_one(t))
    else:
        # fork: the workers find run_one however this script was loaded (run as a script, or
        # imported by the tests under another module name); this process has stepped no model
        ctx = (multiprocessing.get_context("fork")
               if "fork" in multiprocessing.get_all_start_methods() else None)
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx,
                                 initializer=_worker_init) as pool:
            futures = [pool.submit(run_one, t) for t in tasks]
            for fut in as_completed(futures):
                done(fut.result())
    return [results[t] for t in tasks]


# ---------------------------------------------------------------------- tables
def long_table(results: Sequence[RunResult]) -> pd.DataFrame:
    rows = [{"case": r.task.case, "metric": m, "dt_h": r.task.dt_h, "seed": r.task.seed,
             "value": v} for r in results for m, v in r.values.items()]
    return pd.DataFrame(rows, columns=["case", "metric", "dt_h", "seed", "value"])


def per_seed(long: pd.DataFrame, case: str, metric: str, steps: Sequence[float]
             ) -> list[np.ndarray]:
    """Values at each step, seeds in one order (so differences pair by seed)."""
    sub = long[(long["case"] == case) & (long["metric"] == metric)]
    wide = sub.pivot_table(index="seed", columns="dt_h", values="value", aggfunc="first")
    return [wide[h].to_numpy(float) for h in steps]


def step_tag(*steps: float) -> str:
    return "-".join(f"{h:g}" for h in steps) + "h"


def summary_row(case: Case, metric: str, conv: Convergence, n_seeds: int, end_day: float,
                tolerance: float, noise_se: float) -> dict[str, Any]:
    row: dict[str, Any] = {"case": case.name, "metric": metric, "units": units_of(metric),
                           "end_day": end_day, "n_seeds": n_seeds}
    for h, m, s in zip(conv.steps, conv.means, conv.ses, strict=True):
        row[f"mean_dt{step_tag(h)}"] = m
        row[f"se_dt{step_tag(h)}"] = s
    for o in conv.orders:
        row[f"order_dt{step_tag(*o.steps)}"] = o.order
        row[f"flags_dt{step_tag(*o.steps)}"] = "; ".join(o.flags)
    row.update({"order_used": conv.order_used, "order_source": conv.order_source,
                "richardson_estimate": conv.q0, "richardson_se": conv.q0_se,
                "default_dt_h": conv.default_dt, "default_value": conv.default_value,
                "default_abs_error": conv.abs_error, "default_abs_error_se": conv.abs_error_se,
                "default_rel_error": conv.rel_error,
                "default_rel_error_se": conv.rel_error_se,
                "verdict": verdict(conv, tolerance, noise_se) if metric == TARGET_METRIC
                else ""})
    return row


# ---------------------------------------------------------------------- report
def fmt(x: float, digits: int = 4) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.{digits}g}"


def pm(mean: float, se: float) -> str:
    return fmt(mean) if not math.isfinite(se) else f"{fmt(mean)} ± {fmt(se, 2)}"


def pct(x: float, se: float = math.nan) -> str:
    if not math.isfinite(x):
        return "n/a"
    return f"{100 * x:+.2f}%" + (f" ± {100 * se:.2f}%" if math.isfinite(se) else "")


def order_text(o: OrderEstimate) -> str:
    return fmt(o.order, 3) + (f" ({', '.join(o.flags)})" if o.flags else "")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(r) + " |" for r in rows)]


def git_commit() -> str | None:
    try:
        from vcsim.outputs.provenance import git_commit as commit
    except ImportError:
        return None
    return commit()


def vcsim_source() -> str:
    src = Path(vcsim.__file__).resolve().parent
    try:
        return f"`{src.relative_to(_HERE.parent)}/` of this checkout"
    except ValueError:
        return f"`{src}` (not this checkout)"


def report(args: Any, cases: Sequence[Case], steps: Sequence[float], convs: dict,
           results: Sequence[RunResult], wall_s: float, defaults: dict[str, float]) -> str:
    seeds = list(args.seeds)
    commit = git_commit()
    lines = ["# Time-step convergence study", "",
             f"Generated by `{command_line(args)}` (analysis/convergence.py, issue 14) on "
             f"{datetime.date.today().isoformat()}; wall time {wall_s:.0f} s on "
             f"{max(args.jobs, 1)} process(es). Regenerate with `make convergence` after the scheme "
             "changes.", "",
             f"- vcsim {vcsim.__version__}"
             + (f", git commit `{commit[:12]}`" if commit else "") + f", from {vcsim_source()}",
             f"- lattice {args.lattice[0]} x {args.lattice[1]} sites; seeds "
             f"{', '.join(map(str, seeds))}; steps dt = {', '.join(f'{h:g}' for h in steps)} h",
             "- cases: " + "; ".join(
                 f"{c.title} (scenario `{c.scenario}`"
                 + "".join(f", `{k} = {v}`" for k, v in c.overrides.items())
                 + f", to day {end_day(c, args):g}, default dt {defaults[c.name]:g} h)"
                 for c in cases),
             ""]
    if args.quick:
        lines += ["**Quick run** (`--quick`): a smoke test of the tool, not a result.", ""]
    lines += ["## Verdict", "",
              f"Target: at the default dt, calcium content within {100 * args.tolerance:g}% "
              "of the dt -> 0 (Richardson) estimate.", ""]
    for c in cases:
        conv = convs[(c.name, TARGET_METRIC)]
        lines.append(f"- **{c.title}**: {verdict(conv, args.tolerance, args.noise_se)}: "
                     f"calcium content {fmt(conv.default_value)} at dt = {conv.default_dt:g} h, "
                     f"q0 = {pm(conv.q0, conv.q0_se)} {units_of(TARGET_METRIC)}, error "
                     f"{pct(conv.rel_error, conv.rel_error_se)}; order used "
                     f"{fmt(conv.order_used, 3)} ({conv.order_source})")
    lines += ["", "## Method", "",
              "Each case is run to its end time T at every step dt and every seed; each metric "
              "is read at time T (the same time, not the same row, at every dt). Values are "
              f"means ± standard errors over the {len(seeds)} seed(s).", "",
              "- observed order from three successive steps (r^2 h, r h, h): "
              "p = log[(q(r^2 h) - q(r h)) / (q(r h) - q(h))] / log r (Roache 1998, ch. 5); "
              "p < 0 means the differences grow as dt shrinks (not converging);",
              "- Richardson estimate from the two finest steps: "
              "q0 = q(h) + (q(h) - q(r h)) / (r^p - 1) (Richardson 1911), with the observed "
              f"order of the three finest steps when it is usable (no flag: both differences "
              f"beyond noise, of one sign, {ORDER_RANGE[0]:g} < p < {ORDER_RANGE[1]:g}), else the "
              f"formal order {FORMAL_ORDER:g} of sequential operator splitting;",
              "- error of the default step: (q(dt) - q0) / |q0|.", "",
              "**Sampling noise.** Nucleation, phenotype transitions, divisions and vesicle "
              "counts are stochastic. They are drawn by random time change (each site's event "
              "clocks, thresholds keyed by (seed, site, channel, draw index), not by the step), "
              "so a seed is the same sample at every dt and its differences between steps "
              "are discretisation error, up to events whose timing a small change of the state "
              "moves past a threshold. Differences are taken per seed and averaged over seeds; "
              "a difference within "
              f"{args.noise_se:g} standard errors of zero is flagged *within noise* and its "
              "order is not used. "
              + ("With one seed the noise is not assessed. " if len(seeds) < 2 else "")
              + "q0 and the errors carry standard errors from the per-seed extrapolates "
              "(p held fixed).", ""]
    for c in cases:
        lines += [f"## {c.title}", "", f"End point: day {end_day(c, args):g}.", ""]
        header = ["metric", *(f"dt = {h:g} h" for h in steps)]
        lines += markdown_table(header, [
            [f"{METRICS[m]} ({units_of(m)})",
             *(pm(mu, se) for mu, se in zip(convs[(c.name, m)].means, convs[(c.name, m)].ses,
                                            strict=True))]
            for m in METRICS])
        lines.append("")
        first = convs[(c.name, TARGET_METRIC)]
        header = ["metric", *(f"p ({step_tag(*o.steps)})" for o in first.orders),
                  "order used", "q0 (Richardson)", f"error at dt = {defaults[c.name]:g} h"]
        lines += markdown_table(header, [
            [METRICS[m], *(order_text(o) for o in conv.orders),
             f"{fmt(conv.order_used, 3)} ({conv.order_source})", pm(conv.q0, conv.q0_se),
             pct(conv.rel_error, conv.rel_error_se)]
            for m in METRICS for conv in [convs[(c.name, m)]]])
        lines.append("")
        reason = convs[(c.name, TARGET_METRIC)].order_reason
        if reason:
            lines += [f"Calcium content: formal order, as {reason}.", ""]
    lines += ["## Figures", "",
              "![each metric against dt, mean ± SE over seeds, the Richardson estimate dashed]"
              "(convergence_dt.png)", "",
              "![calcium content over time at each dt](convergence_timecourse.png)", ""]
    lines += process_section(cases, results)
    lines += ["## Cost", "",
              f"Wall time {wall_s:.0f} s on {max(args.jobs, 1)} process(es). The runs took "
              f"{sum(r.cpu_s for r in results):.0f} s of CPU time in all (about "
              f"{sum(r.cpu_s for r in results) / max(args.jobs, 1):.0f} s of wall time on "
              f"{max(args.jobs, 1)} idle core(s)); the first run of each worker includes "
              "loading the compiled kernels.", ""]
    cost = []
    for c in cases:
        for h in steps:
            rs = [r for r in results if r.task.case == c.name and r.task.dt_h == h]
            cost.append([c.title, f"{h:g}", str(rs[0].steps),
                         f"{np.mean([r.wall_s for r in rs]):.1f}",
                         f"{np.mean([r.cpu_s for r in rs]):.1f}"])
    lines += markdown_table(["case", "dt (h)", "steps", "wall time per run (s)",
                             "CPU time per run (s)"], cost)
    lines += ["", "References: L. F. Richardson (1911) Phil Trans R Soc A 210:307-357; "
              "P. J. Roache (1998) Verification and Validation in Computational Science and "
              "Engineering, Hermosa, ch. 5.", ""]
    return "\n".join(lines)


def process_section(cases: Sequence[Case], results: Sequence[RunResult]) -> list[str]:
    """The scheme under test: the process list each case's model ran."""
    tables: dict[tuple, list[str]] = {}
    for c in cases:
        rows = next(r.processes for r in results if r.task.case == c.name)
        tables.setdefault(tuple(rows), []).append(c.title)
    lines = ["## The scheme under test", "",
             "Whatever the model runs: its process list (`model.processes.table()`), in step "
             "order.", ""]
    for rows, titles in tables.items():
        if len(tables) > 1:
            lines += [f"{', '.join(titles)}:", ""]
        lines += markdown_table(["process", "class", "what it does"],
                                [[f"`{n}`", f"`{k}`", d] for n, k, d in rows])
        lines.append("")
    return lines


def command_line(args: Any) -> str:
    parts = ["python analysis/convergence.py"]
    if args.quick:
        parts.append("--quick")
    parts += ["--cases", *args.cases, "--dt", *(f"{h:g}" for h in args.dt),
              "--seeds", *map(str, args.seeds), "--lattice", *map(str, args.lattice)]
    if args.days is not None:
        parts += ["--days", f"{args.days:g}"]
    parts += ["--out", str(args.out)]
    return " ".join(parts)


# ---------------------------------------------------------------------- figures
def draw_metrics(cases: Sequence[Case], convs: dict, defaults: dict[str, float]) -> Figure:
    metrics = list(METRICS)
    fig = new_figure(4.6 * len(cases) + 0.4, 2.25 * len(metrics) + 0.3)
    axes = fig.subplots(len(metrics), len(cases), squeeze=False)
    for j, c in enumerate(cases):
        for i, m in enumerate(metrics):
            ax = axes[i, j]
            conv = convs[(c.name, m)]
            yerr = [s if math.isfinite(s) else 0.0 for s in conv.ses]
            ax.errorbar(conv.steps, conv.means, yerr=yerr, fmt="o-", ms=4, capsize=3,
                        color="#1f77b4", label="mean ± SE over seeds")
            if math.isfinite(conv.q0):
                ax.axhline(conv.q0, ls="--", color="#444444", lw=1.1,
                           label=f"dt -> 0 (Richardson, p = {fmt(conv.order_used, 2)})")
                if math.isfinite(conv.q0_se) and conv.q0_se > 0:
                    ax.axhspan(conv.q0 - conv.q0_se, conv.q0 + conv.q0_se, color="#888888",
                               alpha=0.15, lw=0)
            ax.axvline(defaults[c.name], ls=":", color="#d62728", lw=1)
            ax.set_xscale("log", base=2)
            ax.set_xticks(conv.steps, [f"{h:g}" for h in conv.steps])
            ax.minorticks_off()
            ax.set_xlim(min(conv.steps) / 1.4, max(conv.steps) * 1.4)
            ax.set_ylabel(f"{METRICS[m]}\n({units_of(m)})", fontsize=8)
            ax.tick_params(labelsize=8)
            ax.set_title(f"{c.title}: error at {defaults[c.name]:g} h "
                         f"{pct(conv.rel_error)} (p {conv.order_source})", fontsize=8)
            if i == len(metrics) - 1:
                ax.set_xlabel("time step dt (h); dotted: default")
            if i == 0:
                ax.legend(fontsize=7, frameon=False)
    return fig


def draw_timecourses(cases: Sequence[Case], steps: Sequence[float],
                     results: Sequence[RunResult]) -> Figure:
    fig = new_figure(5.2 * len(cases) + 0.4, 3.6)
    axes = fig.subplots(1, len(cases), squeeze=False)[0]
    colours = {h: c for h, c in zip(steps, _viridis(len(steps)), strict=True)}
    domain = metric_domain(TARGET_METRIC)
    for ax, c in zip(axes, cases, strict=True):
        for h in steps:
            rs = [r for r in results if r.task.case == c.name and r.task.dt_h == h]
            series = np.vstack([r.calcium for r in rs])
            mean = series.mean(axis=0)
            ax.plot(rs[0].day, mean, color=colours[h], lw=1.4, label=f"dt = {h:g} h")
            if len(rs) > 1:
                se = series.std(axis=0, ddof=1) / math.sqrt(len(rs))
                ax.fill_between(rs[0].day, clip_to(mean - se, domain), mean + se,
                                color=colours[h], alpha=0.2, lw=0)
        ax.set_xlabel("time (days)")
        ax.set_ylabel(f"calcium content ({units_of(TARGET_METRIC)})")
        ax.set_title(f"{c.title}: mean ± SE over seeds", fontsize=10)
        ax.legend(fontsize=8, frameon=False)
    return fig


def _viridis(n: int) -> list[Any]:
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    return [cmap(x) for x in np.linspace(0.0, 0.85, n)]


# ---------------------------------------------------------------------- main
def end_day(case: Case, args: Any) -> float:
    return case.days if args.days is None else args.days


def build_parser():
    p = make_parser(__doc__, "convergence.py")
    p.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES),
                   help="cases to run")
    p.add_argument("--dt", type=positive_float, nargs="+", default=None, metavar="H",
                   help="time steps in hours, of one ratio (default: 2 1 0.5 0.25 0.125; "
                        "--quick: 1 0.5 0.25)")
    p.add_argument("--seeds", type=nonnegative_int, nargs="+", default=None, metavar="SEED",
                   help="seeds of the replicates (default: 1 2 3; --quick: 1 2)")
    p.add_argument("--lattice", type=nonnegative_int, nargs=2, default=None,
                   metavar=("ROWS", "COLS"), help="lattice size (default: 24 60; --quick: 12 20)")
    p.add_argument("--days", type=positive_float, default=None,
                   help="end day of every case (default: 14 in vitro, 21 CKD; --quick: 3)")
    p.add_argument("--quick", action="store_true",
                   help="a smoke test: 12 x 20 lattice, seeds 1 2, dt 1 0.5 0.25, 3 days "
                        "(options given explicitly win)")
    p.add_argument("--tolerance", type=positive_float, default=0.05,
                   help="target: relative error of calcium content at the default dt")
    p.add_argument("--noise-se", type=positive_float, default=2.0, metavar="K",
                   help="a difference within K standard errors of zero is 'within noise'")
    p.add_argument("--jobs", type=nonnegative_int, default=None,
                   help="worker processes (default: the CPUs available; 0 or 1 = in this "
                        "process)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="output directory (`make convergence`: docs)")
    return p


def resolve(args: Any) -> Any:
    """Fill the defaults (full or --quick) and check the steps, seeds and lattice."""
    base = QUICK if args.quick else FULL
    args.dt = sorted(set(args.dt if args.dt is not None else base["dt"]), reverse=True)
    args.seeds = list(dict.fromkeys(args.seeds if args.seeds is not None else base["seeds"]))
    args.lattice = list(args.lattice if args.lattice is not None else base["lattice"])
    if args.days is None:
        args.days = base["days"]
    if args.jobs is None:
        args.jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
            else (os.cpu_count() or 1)
    if len(args.dt) < 2:
        raise AnalysisError("--dt: give two or more different steps")
    ratios = [a / b for a, b in zip(args.dt, args.dt[1:], strict=False)]
    if not all(math.isclose(r, ratios[0], rel_tol=1e-9) for r in ratios):
        raise AnalysisError(f"--dt {' '.join(f'{h:g}' for h in args.dt)}: successive steps "
                            "must have one ratio (e.g. 2 1 0.5 0.25)")
    if min(args.lattice) < 1:
        raise AnalysisError("--lattice: rows and columns must be >= 1")
    for c in args.cases:
        end_h = end_day(CASES[c], args) * 24.0
        for h in args.dt:
            if not math.isclose(end_h / h, round(end_h / h), rel_tol=0, abs_tol=1e-9):
                raise AnalysisError(f"{c}: {end_h:g} h is not a whole number of {h:g} h steps")
    return args


def analyse(args: Any) -> int:
    t0 = time.perf_counter()
    args = resolve(args)
    cases = [CASES[c] for c in args.cases]
    defaults: dict[str, float] = {}
    for c in cases:  # refuse bad values here, in one line, not in a worker
        try:
            sc = vcsim.load_scenario(c.scenario)
            for h in args.dt:
                sc.params.updated({"lattice_rows": args.lattice[0],
                                   "lattice_cols": args.lattice[1], "dt_h": h, **c.overrides})
        except (ValueError, KeyError) as exc:
            raise AnalysisError(f"{c.name}: {exc}") from None
        defaults[c.name] = float(sc.params.dt_h)
    tasks = [Task(c.name, c.scenario, tuple(c.overrides.items()), end_day(c, args), h, s,
                  args.lattice[0], args.lattice[1])
             for c in cases for h in args.dt for s in args.seeds]
    # longest runs first, so the pool does not end waiting on one of them
    order = sorted(tasks, key=lambda t: -t.days / t.dt_h)
    print(f"{len(tasks)} runs on {max(args.jobs, 1)} process(es)", file=sys.stderr)

    def progress(i: int, r: RunResult) -> None:
        print(f"  [{i}/{len(tasks)}] {r.task.case} dt {r.task.dt_h:g} h seed {r.task.seed}: "
              f"{r.wall_s:.1f} s ({r.cpu_s:.1f} s CPU)", file=sys.stderr)

    done = {r.task: r for r in run_all(order, args.jobs, progress)}
    results = [done[t] for t in tasks]
    long = long_table(results)
    convs: dict[tuple[str, str], Convergence] = {}
    summary = []
    for c in cases:
        for m in METRICS:
            conv = analyse_convergence(args.dt, per_seed(long, c.name, m, args.dt),
                                       defaults[c.name], args.noise_se)
            convs[(c.name, m)] = conv
            summary.append(summary_row(c, m, conv, len(args.seeds), end_day(c, args),
                                       args.tolerance, args.noise_se))
    wall = time.perf_counter() - t0
    out = out_dir(args.out, args.out)
    write_csv(long, out / "convergence.csv")
    write_csv(pd.DataFrame(summary), out / "convergence_summary.csv")
    save_figure(draw_metrics(cases, convs, defaults), out / "convergence_dt.png")
    save_figure(draw_timecourses(cases, args.dt, results), out / "convergence_timecourse.png")
    (out / "convergence.md").write_text(
        report(args, cases, args.dt, convs, results, wall, defaults), encoding="utf-8")
    for c in cases:
        conv = convs[(c.name, TARGET_METRIC)]
        print(f"{c.title}: {verdict(conv, args.tolerance, args.noise_se)}; calcium content "
              f"error at dt {conv.default_dt:g} h {pct(conv.rel_error, conv.rel_error_se)}, "
              f"order used {fmt(conv.order_used, 3)} ({conv.order_source})")
    print(f"wall time {wall:.0f} s; report and tables: {out / 'convergence.md'}, "
          f"{out}/convergence*.csv, {out}/convergence_*.png")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_cli(analyse, build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
