"""Whole-model magnesium dose response on the CKD background, and which Mg routes carry it.

Like ``analysis/convergence.py`` this script runs the model, through its public API only
(``load_scenario``, ``Scenario.make_model``, ``step``, ``time_h``, ``timeseries_frame``,
``processes.table()``), so it measures whatever the checkout's vcsim does.

Runs: scenario ``ckd`` with ``serum_magnesium_mM`` at each dose (default 0.5, 0.85, 1.5, 2 and
3 mM; the site fluid follows serum Mg through the lumen boundary), seeds 1-3, to day 21 on a
24 x 60 lattice. Read at the end time (the last time-series row, at exactly ``days`` x 24 h):
calcium content, ER store filling, cytosolic free Mg2+, CHOP, the osteogenic and autophagic
shares of sites, the cumulative nucleation count and the mean HAP saturation index.

Knock-outs (``--knockouts``), at the low and high doses only (default 0.5 and 3 mM), each
removing one Mg route of the wall model with parameter values inside their bounds:

- ``serca``: SERCA's Mg-ATP dependence. ``serca_mgatp_km_mM`` at its lower bound (0.001 mM)
  makes Mg-ATP saturating (SERCA Mg-ATP activity 0.9996 at cytosolic Mg 0.47 and at 0.88 mM,
  against 0.929 and 0.933 intact). Because that also raises SERCA everywhere by ~7 %,
  ``serca_vmax_amol_per_h`` is recalibrated with the model's own calibration
  (:func:`vcsim.cells.vsmc.calcium.calibrate` at that K_m), so the healthy reference store
  is unchanged and only the Mg dependence goes;
- ``nucleation``: the nucleation factor ``1/(1 + (Mg/K)^h)``: ``mg_nucleation_half_mM`` = 20
  and ``mg_nucleation_hill_factor`` = 4 (both upper bounds) leave it >= 0.9995 up to 3 mM;
- ``growth``: the Langmuir growth factor term ``Mg/K_mg``: ``mg_growth_half_mM`` = 50 (upper
  bound; there is no Hill exponent) leaves ``Mg/K_mg`` = 0.01-0.06 at 0.5-3 mM (0.25-1.5
  intact): most, not all, of the route is removed;
- ``all``: the three together; what is left is ion pairing (Mg taking phosphate into
  MgHPO4/MgH2PO4+/MgPO4-, lowering the HAP saturation index, and lowering the lumen's total Ca
  that gives the serum's ionised Ca), which no parameter can remove: its constants are fixed
  thermodynamic data (``vcsim/chemistry/equilibria.py``).

The intact arm at the knock-out doses is the dose-response run itself (same seeds). The
response is the fold ``L = log10(Ca(low) / Ca(high))`` per seed, and a route's share of it is
``1 - L_knock-out / L_intact``, paired by seed: the Mg factors multiply the rates, so their
effects add on a log scale (an absolute difference is not additive: removing one route raises
calcification at both doses and can widen the absolute gap while it narrows the fold).

Outputs in ``--out``: ``magnesium_dose_response_runs.csv`` (one row per run: arm, dose, seed,
metrics, cost), ``magnesium_dose_response_summary.csv`` (mean and SD over seeds per arm and
dose) and ``magnesium_dose_response.md`` (the report, also printed).

Example::

    python analysis/magnesium_dose_response.py --out runs/mg-dose
    python analysis/magnesium_dose_response.py --mg 0.5 3 --seeds 1 --days 2 --rows 6 \\
        --cols 12 --knockouts --out runs/mg-dose-smoke
"""

from __future__ import annotations

import datetime
import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
# the checkout's own vcsim first: the study is of the model in this source tree
for _path in (str(_HERE.parent), str(_HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from analysis_common import (  # noqa: E402
    AnalysisError,
    make_parser,
    nonnegative_int,
    out_dir,
    positive_float,
    run_cli,
    write_csv,
)

import vcsim  # noqa: E402

SCENARIO = "ckd"
MG_PARAMETER = "serum_magnesium_mM"
MG_LEVELS = (0.5, 0.85, 1.5, 2.0, 3.0)
KNOCKOUT_LEVELS = (0.5, 3.0)
SEEDS = (1, 2, 3)
DAYS = 21.0
LATTICE = (24, 60)

#: time-series column -> (label in the report, digits)
METRICS: dict[str, tuple[str, int]] = {
    "calcium_content_ug_per_mg_protein": ("calcium content (ug/mg protein)", 3),
    "mean_er_calcium_fraction": ("ER store filling", 4),
    "mean_cytosol_magnesium_mM": ("cytosolic free Mg (mM)", 3),
    "mean_chop": ("CHOP", 4),
    "fraction_osteogenic": ("osteogenic share", 4),
    "fraction_autophagic": ("autophagic share", 4),
    "nucleation_events_cumulative": ("nucleation events (cumulative)", 1),
    "hap_saturation_index_mean": ("HAP saturation index (mean)", 3),
}
TARGET = "calcium_content_ug_per_mg_protein"

#: the SERCA arm's K_m: the lower bound of serca_mgatp_km_mM (Mg-ATP saturating)
SERCA_KM_KNOCKOUT_mM = 0.001


@dataclass(frozen=True)
class Arm:
    """One set of parameter overrides on top of the scenario and the Mg dose."""

    name: str
    title: str
    overrides: tuple[tuple[str, Any], ...]  # (name, value): hashable, ordered
    removes: str


def serca_knockout_overrides() -> dict[str, float]:
    """``serca_mgatp_km_mM`` at its lower bound and ``serca_vmax_amol_per_h`` recalibrated at it
    (:func:`vcsim.cells.vsmc.calcium.calibrate`), so the healthy reference store is unchanged
    and SERCA no longer depends on Mg-ATP."""
    from vcsim.cells.vsmc.calcium import calibrate

    km = {"serca_mgatp_km_mM": SERCA_KM_KNOCKOUT_mM}
    return {**km, "serca_vmax_amol_per_h": calibrate(km)["serca_vmax_amol_per_h"]}


def knockout_arms() -> dict[str, Arm]:
    """The arms of the study by name: ``intact`` and one per removed route (module docstring)."""
    serca = serca_knockout_overrides()
    nucleation = {"mg_nucleation_half_mM": 20.0, "mg_nucleation_hill_factor": 4.0}
    growth = {"mg_growth_half_mM": 50.0}
    arms = (
        Arm("intact", "intact", (), "nothing"),
        Arm("serca", "SERCA Mg-ATP dependence removed", tuple(serca.items()),
            "fluid Mg -> cytosolic Mg -> Mg-ATP -> SERCA -> ER store"),
        Arm("nucleation", "nucleation Mg factor removed", tuple(nucleation.items()),
            "Mg factor of every nucleation source"),
        Arm("growth", "growth Mg factor removed (to 1/25)", tuple(growth.items()),
            "Mg term of the Langmuir growth inhibition"),
        Arm("all", "SERCA + nucleation + growth removed", tuple({**serca, **nucleation,
                                                                 **growth}.items()),
            "all three; ion pairing is left"),
    )
    return {a.name: a for a in arms}


@dataclass(frozen=True)
class Task:
    """One model run."""

    arm: str
    overrides: tuple[tuple[str, Any], ...]
    magnesium_mM: float
    seed: int
    days: float
    rows: int
    cols: int
    scenario: str = SCENARIO


def validate(tasks: Sequence[Task]) -> None:
    """Refuse a bad value before any run, in one line naming it (the package's own parameter
    validation: :meth:`vcsim.params.Parameters.updated`).

    Raises:
        AnalysisError: a value outside its bounds, an unknown name or a scenario that does not
            load.
    """
    for t in {(t.scenario, t.arm, t.overrides, t.magnesium_mM, t.rows, t.cols) for t in tasks}:
        scenario, arm, overrides, mg, rows, cols = t
        try:
            sc = vcsim.load_scenario(scenario)
            sc.params.updated({"lattice_rows": rows, "lattice_cols": cols,
                               MG_PARAMETER: mg, **dict(overrides)})
        except (ValueError, KeyError) as exc:
            raise AnalysisError(f"{MG_PARAMETER} = {mg:g}, arm {arm}: "
                                f"{str(exc).splitlines()[0]}") from None


def run_one(task: Task) -> dict[str, Any]:
    """Run one task to its end time; the metrics at that time, its processes and its cost."""
    t0, c0 = time.perf_counter(), time.process_time()
    sc = vcsim.load_scenario(task.scenario)
    model = sc.make_model(seed=task.seed, lattice_rows=task.rows, lattice_cols=task.cols,
                          **{MG_PARAMETER: task.magnesium_mM}, **dict(task.overrides))
    end_h = task.days * 24.0
    n = round(end_h / model.dt_h)
    if not math.isclose(n * model.dt_h, end_h, rel_tol=1e-9, abs_tol=1e-9):
        raise AnalysisError(f"--days {task.days:g}: not a whole number of "
                            f"{model.dt_h:g} h steps")
    for _ in range(n):
        model.step()
    frame = model.timeseries_frame()
    missing = [m for m in (*METRICS, "time_h") if m not in frame.columns]
    if missing:
        raise AnalysisError(f"the model's time series has no {', '.join(missing)} (see "
                            "docs/outputs.md; update METRICS in "
                            "analysis/magnesium_dose_response.py)")
    row = frame.iloc[-1]
    if not math.isclose(float(row["time_h"]), end_h, rel_tol=1e-9, abs_tol=1e-9):
        raise AnalysisError(f"the last time-series row is at {row['time_h']:g} h, "
                            f"not {end_h:g} h")
    out: dict[str, Any] = {"arm": task.arm, MG_PARAMETER: task.magnesium_mM, "seed": task.seed,
                           "day": task.days}
    out.update({m: float(row[m]) for m in METRICS})
    out.update({"steps": n, "wall_s": time.perf_counter() - t0,
                "cpu_s": time.process_time() - c0,
                "processes": ";".join(str(r.get("class", "")) for r in model.processes.table())})
    return out


def plan(mg_levels: Sequence[float], seeds: Sequence[int], days: float, rows: int, cols: int,
         knockouts: Sequence[str] = (), knockout_levels: Sequence[float] = KNOCKOUT_LEVELS
         ) -> list[Task]:
    """The runs: every dose x seed intact, and every knock-out arm at ``knockout_levels`` x
    seed. A knock-out dose must be one of ``mg_levels`` (its intact run is the reference).

    Raises:
        AnalysisError: an unknown arm, no doses or seeds, a knock-out dose not among the doses.
    """
    arms = knockout_arms()
    if not mg_levels:
        raise AnalysisError("--mg: give at least one dose")
    if not seeds:
        raise AnalysisError("--seeds: give at least one seed")
    unknown = [k for k in knockouts if k not in arms or k == "intact"]
    if unknown:
        raise AnalysisError(f"--knockouts: unknown arm(s) {', '.join(unknown)}; choose from "
                            f"{', '.join(a for a in arms if a != 'intact')}")
    if knockouts:
        extra = [m for m in knockout_levels if not any(math.isclose(m, x) for x in mg_levels)]
        if extra:
            raise AnalysisError(f"--knockout-mg {' '.join(f'{m:g}' for m in extra)}: not among "
                                "the --mg doses (the intact run there is the reference)")
    mg_levels = list(dict.fromkeys(float(m) for m in mg_levels))
    seeds = list(dict.fromkeys(int(s) for s in seeds))
    tasks = [Task("intact", (), m, s, days, rows, cols) for m in mg_levels for s in seeds]
    for k in dict.fromkeys(knockouts):
        tasks += [Task(k, arms[k].overrides, float(m), s, days, rows, cols)
                  for m in knockout_levels for s in seeds]
    return tasks


def dose_response(mg_levels: Sequence[float] = MG_LEVELS, seeds: Sequence[int] = SEEDS,
                  days: float = DAYS, rows: int = LATTICE[0], cols: int = LATTICE[1],
                  knockouts: Sequence[str] = (),
                  knockout_levels: Sequence[float] = KNOCKOUT_LEVELS,
                  progress: Callable[[int, int, dict[str, Any]], None] | None = None
                  ) -> pd.DataFrame:
    """Run the study (one process, runs in sequence) and return one row per run: ``arm``,
    ``serum_magnesium_mM``, ``seed``, ``day``, every metric of :data:`METRICS`, ``steps``,
    ``wall_s``, ``cpu_s``, ``processes``. Every value is validated before the first run.

    Raises:
        AnalysisError: a bad dose, arm, seed list or end time (one line).
    """
    if not (math.isfinite(days) and days > 0):
        raise AnalysisError(f"--days {days:g}: must be a positive number")
    if rows < 1 or cols < 1:
        raise AnalysisError("--rows/--cols: must be >= 1")
    tasks = plan(mg_levels, seeds, days, rows, cols, knockouts, knockout_levels)
    validate(tasks)
    rows_out = []
    for i, t in enumerate(tasks, 1):
        r = run_one(t)
        rows_out.append(r)
        if progress is not None:
            progress(i, len(tasks), r)
    return pd.DataFrame(rows_out)


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and sample SD (ddof 1; NaN with one seed) over seeds of every metric, per arm and
    dose: columns ``arm``, ``serum_magnesium_mM``, ``n_seeds``, ``<metric>_mean``,
    ``<metric>_sd``."""
    out = []
    for (arm, mg), g in runs.groupby(["arm", MG_PARAMETER], sort=False):
        row: dict[str, Any] = {"arm": arm, MG_PARAMETER: mg, "n_seeds": len(g)}
        for m in METRICS:
            x = g[m].to_numpy(float)
            row[f"{m}_mean"] = float(x.mean())
            row[f"{m}_sd"] = float(x.std(ddof=1)) if x.size > 1 else math.nan
        out.append(row)
    return pd.DataFrame(out)


@dataclass(frozen=True)
class Response:
    """A per-seed quantity of one arm: mean, sample SD over seeds (NaN with one), per seed."""

    mean: float
    sd: float
    per_seed: tuple[float, ...]

    @classmethod
    def of(cls, values: pd.Series) -> Response:
        x = values.dropna().to_numpy(float)
        return cls(float(x.mean()) if x.size else math.nan,
                   float(x.std(ddof=1)) if x.size > 1 else math.nan, tuple(float(v) for v in x))


def _per_seed(runs: pd.DataFrame, arm: str, metric: str) -> pd.DataFrame:
    return runs[runs["arm"] == arm].pivot_table(index="seed", columns=MG_PARAMETER,
                                                values=metric, aggfunc="first")


def paired_response(runs: pd.DataFrame, arm: str, low: float, high: float,
                    metric: str = TARGET) -> Response:
    """The absolute response ``q(low) - q(high)`` of ``arm``, per seed."""
    sub = _per_seed(runs, arm, metric)
    return Response.of(sub[_column(sub, low)] - sub[_column(sub, high)])


def log_fold(runs: pd.DataFrame, arm: str, low: float, high: float,
             metric: str = TARGET) -> Response:
    """The fold response on a log scale, ``log10(q(low) / q(high))`` of ``arm``, per seed
    (NaN where either value is not positive)."""
    sub = _per_seed(runs, arm, metric)
    lo, hi = sub[_column(sub, low)], sub[_column(sub, high)]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log10(lo.where(lo > 0) / hi.where(hi > 0))
    return Response.of(ratio)


def share_carried(runs: pd.DataFrame, arm: str, low: float, high: float,
                  metric: str = TARGET) -> Response:
    """The share of the intact log fold response that removing the arm's route takes away,
    paired by seed: ``1 - L_arm / L_intact`` with ``L = log10(q(low) / q(high))``.

    The Mg factors of the model multiply the rates (nucleation ``k phi_nuc(Mg)``, growth
    ``k_g phi_g(Mg)``), so their effects add on a log scale; an absolute difference is not
    additive: removing one route raises calcification at both doses and can widen the
    absolute gap while narrowing the fold."""
    intact, other = _per_seed(runs, "intact", metric), _per_seed(runs, arm, metric)

    def logs(sub: pd.DataFrame) -> pd.Series:
        lo, hi = sub[_column(sub, low)], sub[_column(sub, high)]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(lo.where(lo > 0) / hi.where(hi > 0))

    li, la = logs(intact), logs(other)
    return Response.of((1.0 - la / li.where(li != 0)).dropna())


def _column(frame: pd.DataFrame, value: float) -> Any:
    for c in frame.columns:
        if math.isclose(float(c), value):
            return c
    raise AnalysisError(f"no runs at {MG_PARAMETER} = {value:g}")


def monotone(values: Sequence[float]) -> str:
    """"decreasing", "increasing" or "not monotone" (strict, in the given order)."""
    d = np.diff(np.asarray(values, dtype=float))
    if d.size and np.all(d < 0):
        return "decreasing"
    if d.size and np.all(d > 0):
        return "increasing"
    return "not monotone"


# ---------------------------------------------------------------------- report
def fmt(x: float, digits: int = 3) -> str:
    """``digits`` decimals; three significant figures when that would show 0."""
    if x is None or not math.isfinite(x):
        return "n/a"
    if 0 < abs(x) < 10.0 ** -digits:
        return f"{x:.3g}"
    return f"{x:.{digits}f}"


def duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def pm(mean: float, sd: float, digits: int = 3) -> str:
    return fmt(mean, digits) if not math.isfinite(sd) else \
        f"{fmt(mean, digits)} ± {fmt(sd, digits)}"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(r) + " |" for r in rows)]


def git_commit() -> str | None:
    """The commit of the checkout vcsim runs from (None outside git)."""
    try:
        from vcsim.outputs.provenance import git_commit as commit
    except ImportError:
        return None
    return commit()


def git_dirty() -> bool | None:
    """Whether the checkout has uncommitted changes to tracked files (None outside git)."""
    import subprocess

    try:
        out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                             cwd=_HERE.parent, capture_output=True, text=True, timeout=10,
                             check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(out.stdout.strip()) if out.returncode == 0 else None


def dose_table(summary: pd.DataFrame) -> list[str]:
    intact = summary[summary["arm"] == "intact"].sort_values(MG_PARAMETER)
    header = ["serum Mg (mM)", *(METRICS[m][0] for m in METRICS)]
    return markdown_table(header, [
        [f"{r[MG_PARAMETER]:g}", *(pm(r[f"{m}_mean"], r[f"{m}_sd"], METRICS[m][1])
                                   for m in METRICS)]
        for _, r in intact.iterrows()])


def knockout_table(runs: pd.DataFrame, summary: pd.DataFrame, arms: Mapping[str, Arm],
                   low: float, high: float) -> list[str]:
    names = [a for a in arms if a in set(runs["arm"])]

    def at(arm: str, mg: float, metric: str) -> str:
        r = summary[(summary["arm"] == arm) & np.isclose(summary[MG_PARAMETER], mg)].iloc[0]
        return pm(r[f"{metric}_mean"], r[f"{metric}_sd"], METRICS[metric][1])

    rows = []
    for a in names:
        fold = log_fold(runs, a, low, high)
        share = "" if a == "intact" else pm(*_percent(share_carried(runs, a, low, high)), 0)
        rows.append([arms[a].title, at(a, low, TARGET), at(a, high, TARGET),
                     f"{fmt(10 ** fold.mean, 1)} ({pm(fold.mean, fold.sd, 2)})", share,
                     pm(*_pair(paired_response(runs, a, low, high))),
                     f"{at(a, low, 'mean_er_calcium_fraction')} / "
                     f"{at(a, high, 'mean_er_calcium_fraction')}",
                     f"{at(a, low, 'nucleation_events_cumulative')} / "
                     f"{at(a, high, 'nucleation_events_cumulative')}",
                     f"{at(a, low, 'fraction_osteogenic')} / {at(a, high, 'fraction_osteogenic')}"])
    return markdown_table(
        ["arm", f"Ca at {low:g} mM", f"Ca at {high:g} mM",
         f"fold Ca({low:g}) / Ca({high:g}) (log10 ± SD)",
         "share of the intact log fold carried by the route (%)",
         f"Ca({low:g}) - Ca({high:g})", f"ER store {low:g} / {high:g}",
         f"nucleation events {low:g} / {high:g}", f"osteogenic share {low:g} / {high:g}"], rows)


def _pair(r: Response) -> tuple[float, float]:
    return r.mean, r.sd


def _percent(r: Response) -> tuple[float, float]:
    return 100.0 * r.mean, 100.0 * r.sd


def reading(runs: pd.DataFrame, arms: Mapping[str, Arm], low: float, high: float) -> list[str]:
    """Plain statements of the knock-out results (computed, not written by hand)."""
    lines = []
    fold = log_fold(runs, "intact", low, high)
    lines.append(f"- Intact, calcium content falls {fmt(10 ** fold.mean, 0)}-fold from {low:g} "
                 f"to {high:g} mM serum Mg (log10 {pm(fold.mean, fold.sd, 2)}).")
    shares = {a: share_carried(runs, a, low, high) for a in arms
              if a not in ("intact", "all") and a in set(runs["arm"])}
    for a, r in shares.items():
        lines.append(f"- {arms[a].title}: {pm(*_percent(r), 0)} % of that log fold.")
    if "all" in set(runs["arm"]):
        left = log_fold(runs, "all", low, high)
        share = share_carried(runs, "all", low, high)
        lines.append(f"- With SERCA, nucleation and growth routes all removed, "
                     f"{fmt(10 ** left.mean, 1)}-fold is left ({pm(*_percent(share), 0)} % of "
                     "the log fold removed): what remains is ion pairing (and the 1/25 of the "
                     "growth term the bound leaves).")
    return lines


def route_inventory(processes: str) -> list[str]:
    """Every Mg route of the simulator, where it is, and whether this study can remove it."""
    systemic_wired = any(c.startswith("vcsim.systemic") for c in processes.split(";"))
    rows = [
        ["ion pairing (MgHPO4, MgH2PO4+, MgPO4-)", "`vcsim/chemistry/speciation.py`, "
         "`equilibria.py` (speciation and reaction-transport processes)",
         "lowers the HAP saturation index of the pore fluid; in vivo also the lumen's total Ca "
         "(`vcsim.processes.systemic.lumen_totals`: ionised Ca held at the serum value)",
         "no: fixed thermodynamic constants, not parameters (left in every arm)"],
        ["nucleation", "`vcsim/chemistry/nucleation.py` (`nucleation_inhibitor_factor`)",
         "`1/(1 + (Mg/K)^h)` on every nucleation source", "`mg_nucleation_half_mM` 20, "
         "`mg_nucleation_hill_factor` 4 (upper bounds): factor >= 0.9995 to 3 mM"],
        ["growth", "`vcsim/chemistry/growth.py` (`growth_inhibitor_factor`)",
         "`Mg/K_mg` in `1/(1 + PPi/K_ppi + Mg/K_mg + cMGP/K_mgp)`",
         "partly: `mg_growth_half_mM` 50 (upper bound) leaves Mg/K 0.01-0.06 at 0.5-3 mM"],
        ["SERCA (Mg-ATP)", "`vcsim/cells/vsmc/calcium.py` (`serca_mgatp_activity`), state "
         "`cytosol_magnesium_mM`", "fluid Mg -> cytosolic free Mg -> Mg-ATP -> SERCA -> ER "
         "store -> UPR/CHOP, autophagy", f"`serca_mgatp_km_mM` {SERCA_KM_KNOCKOUT_mM:g} (lower "
         "bound), `serca_vmax_amol_per_h` recalibrated (`calcium.calibrate`)"],
        ["dissolution", "`vcsim/chemistry/dissolution.py`", "none: Mg is not given a factor "
         "(PPi only)", "n/a"],
        ["PTH secretion and action", "`vcsim/systemic/parathyroid.py`, `kidney.py`",
         "Mg2+ on the CaSR and PTH resistance in the standalone systemic model",
         "not in the lattice run: " + ("a `vcsim.systemic` process is in the model's process "
                                       "list" if systemic_wired else
                                       "no `vcsim.systemic` process is in the model's process "
                                       "list; `serum_magnesium_mM` is a fixed input, so PTH "
                                       "plays no part in this study")],
    ]
    return markdown_table(["route", "code", "what Mg does", "knock-out in this study"], rows)


def command_line(args: Any) -> str:
    parts = ["python analysis/magnesium_dose_response.py",
             "--mg", *(f"{m:g}" for m in args.mg), "--seeds", *map(str, args.seeds),
             "--days", f"{args.days:g}", "--rows", str(args.rows), "--cols", str(args.cols)]
    if args.knockouts:
        parts += ["--knockouts", *args.knockouts, "--knockout-mg",
                  *(f"{m:g}" for m in args.knockout_mg)]
    return " ".join([*parts, "--out", str(args.out)])


def report(args: Any, runs: pd.DataFrame, summary: pd.DataFrame, wall_s: float) -> str:
    """The markdown report of a finished study."""
    arms = knockout_arms()
    commit, dirty = git_commit(), git_dirty()
    intact = summary[summary["arm"] == "intact"].sort_values(MG_PARAMETER)
    ca = intact[f"{TARGET}_mean"].to_numpy(float)
    sc = vcsim.load_scenario(SCENARIO)
    lines = ["# Whole-model Mg dose response (CKD background)", "",
             f"Generated by `{command_line(args)}` on {datetime.date.today().isoformat()}; "
             f"wall time {duration(wall_s)} for {len(runs)} runs in one process.", "",
             f"- vcsim {vcsim.__version__}"
             + (f", git commit `{commit[:12]}`" if commit else ", git commit unknown")
             + (" with uncommitted changes" if dirty else ""),
             f"- scenario `{SCENARIO}` ({sc.description}); its own changes from the defaults: "
             + ", ".join(f"`{k} = {v:g}`" if isinstance(v, float) else f"`{k} = {v}`"
                         for k, v in sc.params.changed().items()),
             f"- overridden: `{MG_PARAMETER}` = {', '.join(f'{m:g}' for m in args.mg)} mM "
             "(the lumen value of the site fluid's Mg; the fluid starts there)",
             f"- lattice {args.rows} x {args.cols}; seeds {', '.join(map(str, args.seeds))}; "
             f"{args.days:g} days of the scenario's step; values at day {args.days:g}, "
             "mean ± SD over seeds (SD with ddof 1)",
             ""]
    lines += ["## Net dose response", "",
              "Calcium content is mineral Ca per mg protein; ER store filling, cytosolic Mg "
              "and CHOP are means over live cells; the osteogenic and autophagic shares are "
              "shares of sites; nucleation events are cumulative over the run.", ""]
    lines += dose_table(summary)
    lines += ["", f"Calcium content against serum Mg is **{monotone(ca)}** "
              f"({' -> '.join(fmt(x) for x in ca)} ug/mg protein).", ""]
    if args.knockouts:
        low, high = args.knockout_mg[0], args.knockout_mg[-1]
        lines += [f"## Which routes carry it: knock-outs at {low:g} and {high:g} mM", "",
                  "Each arm removes one route by parameter values inside their bounds; the "
                  "intact row is the dose-response run itself. The response is the fold "
                  f"L = log10(Ca({low:g}) / Ca({high:g})) per seed (the fold shown is "
                  "10^mean(L), the geometric mean over seeds); the share a route carries is "
                  "1 - L_arm / L_intact, paired by seed. Values are mean ± SD over seeds.", ""]
        lines += knockout_table(runs, summary, arms, low, high)
        lines += ["", "Why the log scale: the Mg factors multiply the rates (nucleation "
                  "`k phi_nuc(Mg)`, growth `k_g phi_g(Mg)`), so their effects add on a log "
                  "scale. Removing a route raises calcification at both doses, which can widen "
                  "the absolute gap (column Ca(low) - Ca(high)) while it narrows the fold.", ""]
        lines += reading(runs, arms, low, high)
        lines += ["", "Overrides of each arm:", ""]
        for a in args.knockouts:
            lines.append(f"- {arms[a].title} (`{a}`): "
                         + ", ".join(f"`{k} = {v:.6g}`" for k, v in arms[a].overrides)
                         + f"; removes: {arms[a].removes}")
        lines.append("")
    lines += ["## The Mg routes", ""]
    lines += route_inventory(str(runs["processes"].iloc[0]))
    lines += ["", "## Cost", "",
              f"{len(runs)} runs, {duration(runs['wall_s'].sum())} wall and "
              f"{duration(runs['cpu_s'].sum())} CPU in all; per run "
              f"{runs['wall_s'].mean():.0f} s wall ({runs['cpu_s'].mean():.0f} s CPU, "
              f"{int(runs['steps'].iloc[0])} steps).", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------- main
def build_parser():
    p = make_parser(__doc__, "magnesium_dose_response.py")
    p.add_argument("--mg", type=float, nargs="+", default=list(MG_LEVELS), metavar="MM",
                   help=f"serum Mg doses (mM; {MG_PARAMETER}, validated by the package)")
    p.add_argument("--seeds", type=nonnegative_int, nargs="+", default=list(SEEDS),
                   metavar="SEED", help="seeds of the replicates")
    p.add_argument("--days", type=positive_float, default=DAYS, help="end day of every run")
    p.add_argument("--rows", type=nonnegative_int, default=LATTICE[0], help="lattice rows")
    p.add_argument("--cols", type=nonnegative_int, default=LATTICE[1], help="lattice columns")
    names = [a for a in knockout_arms() if a != "intact"]
    p.add_argument("--knockouts", nargs="*", default=names, metavar="ARM",
                   help=f"knock-out arms ({', '.join(names)}); none: `--knockouts` alone")
    p.add_argument("--knockout-mg", type=float, nargs=2, default=list(KNOCKOUT_LEVELS),
                   metavar=("LOW", "HIGH"), help="doses of the knock-out arms (among --mg)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="output directory")
    return p


def analyse(args: Any) -> int:
    t0 = time.perf_counter()
    args.mg = list(dict.fromkeys(args.mg))
    args.seeds = list(dict.fromkeys(args.seeds))

    def progress(i: int, n: int, r: dict[str, Any]) -> None:
        print(f"  [{i}/{n}] {r['arm']} Mg {r[MG_PARAMETER]:g} mM seed {r['seed']}: "
              f"Ca {r[TARGET]:.3f} ug/mg, {r['wall_s']:.0f} s", file=sys.stderr, flush=True)

    runs = dose_response(args.mg, args.seeds, args.days, args.rows, args.cols, args.knockouts,
                         args.knockout_mg, progress)
    summary = summarise(runs)
    wall = time.perf_counter() - t0
    out = out_dir(args.out, args.out)
    write_csv(runs, out / "magnesium_dose_response_runs.csv")
    write_csv(summary, out / "magnesium_dose_response_summary.csv")
    text = report(args, runs, summary, wall)
    (out / "magnesium_dose_response.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_cli(analyse, build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
