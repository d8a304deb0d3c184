"""Phenotype transition flows of a run: who became what, and when.

Reads ``transitions.csv`` (one row per site whose phenotype changed during a step: time_h,
step, row, col, from_phenotype, to_phenotype) of a run directory. Optional:
``timeseries.csv`` (``n_<phenotype>`` at step 0, the cell sites that never changed, and a
check of the reconstructed counts) and ``metadata.json`` (run length and ``dt_h``).

Definitions:

- the run (steps 0..S) is cut into periods at boundary steps b_0 = 0 < b_1 < ... < b_K = S,
  either ``--periods K`` equal periods (the default, 4) or periods of ``--period-days``
  days (the last one may be shorter); a transition logged at step s (it happened during step
  s, which ends at time s x dt_h) belongs to the period with b_k < s <= b_{k+1};
- **flows** (``transition_flows.csv``): the number of transitions from -> to logged in each
  period; a site may change several times in one period, and each change counts;
- **alluvial flows** (``transition_alluvial.csv``, the diagram): lattice sites by their state
  at the start and at the end of each period. A site's state after step b is the to_phenotype
  of its last transition at a step <= b, or the from_phenotype of its first transition when it
  has not changed yet. Sites that never changed keep their initial state; their number per
  phenotype is n_<phenotype> at step 0 of timeseries.csv minus the changed sites that started
  so. Without timeseries.csv the diagram holds the changed sites only (said in its title);
- states are those of the cell sites (lamina sites never hold cells): contractile,
  autophagic, osteogenic, apoptotic and empty (a dead cell cleared; a daughter cell moving into
  an empty site is empty -> its phenotype). The diagram follows sites, not cell lineages.

Outputs in ``--out`` (default RUN_DIR/analysis): ``transition_flows.csv`` (period,
day_start, day_end, from_phenotype, to_phenotype, transitions, per_day),
``transition_matrix.csv`` (from x to counts over the whole run), ``transition_alluvial.csv``
(period, day_start, day_end, state_start, state_end, sites), ``transition_states.csv`` (day,
step, phenotype, sites, and timeseries_sites when the time series is there) and
``transition_flows.png`` (an alluvial diagram drawn with matplotlib polygons, the from -> to
matrix, and transition rates per period).

Example::

    python analysis/transition_flows.py runs/ckd --period-days 7
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:  # the shared helpers live next to this script
    sys.path.insert(0, _HERE)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from analysis_common import (  # noqa: E402
    PHENOTYPE_COLOURS,
    AnalysisError,
    empty_panel,
    make_parser,
    new_figure,
    nonnegative_int,
    ordered,
    out_dir,
    parameters_of,
    positive_float,
    read_json,
    read_optional_table,
    read_table,
    require_dir,
    run_cli,
    save_figure,
    write_csv,
)
from matplotlib import colormaps  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402

TRANSITION_COLUMNS = ("time_h", "step", "row", "col", "from_phenotype", "to_phenotype")
#: Top-to-bottom order of the states in the diagram (the usual path goes down it).
STATE_ORDER = ("contractile", "autophagic", "osteogenic", "apoptotic", "empty")
EXTRA_STATE_COLOURS = ("#8172b2", "#ccb974", "#64b5cd", "#937860")


# ---------------------------------------------------------------------- time
def step_length_h(meta: dict | None, ts: pd.DataFrame | None, tr: pd.DataFrame) -> float:
    """dt_h: metadata parameters, else the time series, else the log itself (a transition at
    step s is logged with the step's start time, time_h = (s - 1) dt_h)."""
    dt = parameters_of(meta or {}).get("dt_h")
    if isinstance(dt, int | float) and dt > 0:
        return float(dt)
    if ts is not None and {"step", "time_h"} <= set(ts.columns) and len(ts) > 1:
        d = np.diff(ts["time_h"].to_numpy(dtype=float)) / np.diff(ts["step"].to_numpy(dtype=float))
        if np.all(np.isfinite(d)) and d.size and d[0] > 0:
            return float(np.median(d))
    later = tr[tr["step"] > 1]
    if len(later):
        return float(np.median(later["time_h"] / (later["step"] - 1)))
    return 1.0


def last_step(meta: dict | None, ts: pd.DataFrame | None, tr: pd.DataFrame) -> int:
    """Steps completed: metadata, else the time series' last step, else the last transition."""
    if meta and isinstance(meta.get("steps_completed"), int):
        return int(meta["steps_completed"])
    if ts is not None and "step" in ts and len(ts):
        return int(ts["step"].max())
    return int(tr["step"].max()) if len(tr) else 0


def boundaries(total_steps: int, dt_h: float, periods: int | None,
               period_days: float | None) -> np.ndarray:
    """Boundary steps b_0 = 0 < ... < b_K = total_steps."""
    if total_steps <= 0:
        raise AnalysisError("the run has no steps to cut into periods")
    if period_days is not None:
        per = max(1, int(round(period_days * 24.0 / dt_h)))
        b = np.r_[np.arange(0, total_steps, per), total_steps]
    else:
        b = np.round(np.linspace(0, total_steps, periods + 1)).astype(int)
    return np.unique(b)


# ---------------------------------------------------------------------- flows
def period_of(steps: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Index k of the period b_k < step <= b_{k+1}."""
    return np.searchsorted(bounds, steps, side="left") - 1


def flow_table(tr: pd.DataFrame, bounds: np.ndarray, dt_h: float) -> pd.DataFrame:
    """Transitions from -> to logged in each period, with the rate per day."""
    cols = ["period", "day_start", "day_end", "from_phenotype", "to_phenotype", "transitions",
            "per_day"]
    if tr.empty:
        return pd.DataFrame(columns=cols)
    k = period_of(tr["step"].to_numpy(), bounds)
    table = (tr.assign(period=k).groupby(["period", "from_phenotype", "to_phenotype"])
             .size().rename("transitions").reset_index())
    days = bounds * dt_h / 24.0
    table["day_start"] = days[table["period"]]
    table["day_end"] = days[table["period"] + 1]
    table["per_day"] = table["transitions"] / (table["day_end"] - table["day_start"])
    return table[cols].sort_values(["period", "transitions"], ascending=[True, False],
                                   ignore_index=True)


def flow_matrix(tr: pd.DataFrame, states: list[str]) -> pd.DataFrame:
    """Counts of from (rows) -> to (columns) over the whole run."""
    m = pd.crosstab(tr["from_phenotype"], tr["to_phenotype"]) if len(tr) else pd.DataFrame()
    return m.reindex(index=states, columns=states, fill_value=0).fillna(0).astype(int)


def site_states(tr: pd.DataFrame, bounds: np.ndarray) -> tuple[pd.DataFrame, pd.Series]:
    """State of every site that ever changed at each boundary (columns = boundary index), and
    its initial state."""
    tr = tr.sort_values(["step"], kind="stable")
    site = list(zip(tr["row"].astype(int), tr["col"].astype(int), strict=True))
    tr = tr.assign(site=site)
    initial = tr.groupby("site", sort=True)["from_phenotype"].first()
    states = pd.DataFrame(index=initial.index)
    for k, b in enumerate(bounds):
        last = tr[tr["step"] <= b].groupby("site")["to_phenotype"].last()
        col = initial.copy()
        col.loc[last.index] = last
        states[k] = col
    return states, initial


def alluvial(tr: pd.DataFrame, bounds: np.ndarray, states: list[str],
             initial_counts: dict[str, int] | None) -> tuple[np.ndarray, np.ndarray]:
    """(counts, flows): counts[k, i] = sites in state i after step b_k; flows[k, i, j] = sites
    in state i at b_k and j at b_{k+1}. Unchanged sites are added from ``initial_counts``
    (n_<phenotype> at step 0) when given."""
    K, n = len(bounds), len(states)
    index = {s: i for i, s in enumerate(states)}
    counts = np.zeros((K, n), dtype=int)
    flows = np.zeros((max(K - 1, 0), n, n), dtype=int)
    if len(tr):
        by_site, initial = site_states(tr, bounds)
        codes = by_site.apply(lambda c: c.map(index)).to_numpy(dtype=int)
        for k in range(K):
            counts[k] = np.bincount(codes[:, k], minlength=n)
        for k in range(K - 1):
            np.add.at(flows[k], (codes[:, k], codes[:, k + 1]), 1)
        started = initial.map(index).value_counts()
    else:
        started = pd.Series(dtype=int)
    if initial_counts is not None:
        for s, total in initial_counts.items():
            i = index[s]
            still = int(total) - int(started.get(i, 0))
            if still < 0:
                raise AnalysisError(f"timeseries.csv has n_{s} = {total} at step 0 but "
                                    f"{int(started.get(i, 0))} sites start as {s} in "
                                    "transitions.csv: the files are not from the same run")
            counts[:, i] += still
            flows[:, i, i] += still
    return counts, flows


# ---------------------------------------------------------------------- figure
def _colour(state: str, states: list[str]) -> str:
    if state in PHENOTYPE_COLOURS:
        return PHENOTYPE_COLOURS[state]
    extras = [s for s in states if s not in PHENOTYPE_COLOURS]
    return EXTRA_STATE_COLOURS[extras.index(state) % len(EXTRA_STATE_COLOURS)]


def _smooth(t: np.ndarray) -> np.ndarray:
    return t * t * (3.0 - 2.0 * t)  # smoothstep: flat at both ends, so bands leave nodes level


def draw_alluvial(ax, days: np.ndarray, counts: np.ndarray, flows: np.ndarray,
                  states: list[str], min_label: float = 0.035) -> None:
    """Nodes (stacked bars of sites per state at each boundary) joined by bands whose width is
    the number of sites going from one state to the next; band colour = the starting state."""
    total = counts.sum(axis=1).max()
    if total == 0:
        empty_panel(ax, "no sites to follow")
        return
    n = len(states)
    gap = 0.02
    scale = (1.0 - gap * (n - 1)) / total
    span = max(days[-1] - days[0], 1e-9)
    width = 0.018 * span
    top = np.zeros_like(counts, dtype=float)  # top y of each node (y grows upwards, 1 = top)
    for k in range(len(days)):
        y = 1.0
        for i in range(n):
            top[k, i] = y
            y -= counts[k, i] * scale + gap
    x = np.linspace(0.0, 1.0, 40)
    for k in range(len(days) - 1):
        out_off = np.zeros(n)
        in_off = np.zeros(n)
        x0, x1 = days[k] + width / 2, days[k + 1] - width / 2
        for i in range(n):
            for j in range(n):
                f = flows[k, i, j]
                if f == 0:
                    continue
                h = f * scale
                ya = top[k, i] - out_off[i]
                yb = top[k + 1, j] - in_off[j]
                yt = ya + (yb - ya) * _smooth(x)
                ax.fill_between(x0 + (x1 - x0) * x, yt - h, yt, color=_colour(states[i], states),
                                alpha=0.25 if i == j else 0.55, lw=0)
                out_off[i] += h
                in_off[j] += h
    for k, d in enumerate(days):
        for i, s in enumerate(states):
            h = counts[k, i] * scale
            if counts[k, i] == 0:
                continue
            ax.add_patch(Rectangle((d - width / 2, top[k, i] - h), width, h,
                                   facecolor=_colour(s, states), edgecolor="white", lw=0.5))
            if h >= min_label and k in (0, len(days) - 1):
                ax.text(d + (-1 if k == 0 else 1) * width * 0.8, top[k, i] - h / 2,
                        f"{counts[k, i]}", ha="right" if k == 0 else "left", va="center",
                        fontsize=8)
    ax.set_xlim(days[0] - 0.08 * span, days[-1] + 0.08 * span)
    ax.set_ylim(min(top[:, -1].min() - counts[:, -1].max() * scale, 0) - 0.02, 1.02)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xticks(days, [f"{d:g}" for d in days])
    ax.set_xlabel("time (days); bars: sites in each state at the period boundaries "
                  "(numbers: sites), bands: sites moving between them")


def draw(days: np.ndarray, counts: np.ndarray, flows: np.ndarray, matrix: pd.DataFrame,
         table: pd.DataFrame, states: list[str], title: str, complete: bool) -> Figure:
    fig = new_figure(14.0, 10.5)
    grid = fig.add_gridspec(2, 2, height_ratios=[1.25, 1.0], width_ratios=[1.0, 1.25])
    fig.suptitle(title)
    ax = fig.add_subplot(grid[0, :])
    draw_alluvial(ax, days, counts, flows, states)
    who = "all cell sites" if complete else \
        "the sites that changed at least once (no n_<phenotype> at step 0 in timeseries.csv)"
    ax.set_title(f"(a) alluvial diagram of the phenotypes of {who}; band height = sites",
                 fontsize=10, loc="left")
    ax.legend(handles=[Patch(color=_colour(s, states), label=s) for s in states],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9,
              title="state")

    ax = fig.add_subplot(grid[1, 0])
    values = matrix.to_numpy()
    shown = np.where(np.eye(len(states), dtype=bool), np.nan, values)  # no self-transitions
    cmap = colormaps["Blues"].with_extremes(bad="#dddddd")
    im = ax.imshow(shown, cmap=cmap, vmin=0, vmax=max(int(values.max()), 1))
    for (i, j), v in np.ndenumerate(values):
        if i != j:
            ax.text(j, i, str(v), ha="center", va="center", fontsize=8,
                    color="white" if v > 0.6 * values.max() else "black")
    ax.set_xticks(range(len(states)), states, rotation=30, ha="right")
    ax.set_yticks(range(len(states)), states)
    ax.set(xlabel="to phenotype", ylabel="from phenotype")
    ax.set_title("(b) transitions over the whole run (count; grey: same state)", fontsize=10)
    fig.colorbar(im, ax=ax, label="transitions (count)", shrink=0.85)

    ax = fig.add_subplot(grid[1, 1])
    if len(table):
        totals = table.groupby(["from_phenotype", "to_phenotype"])["transitions"].sum()
        top = totals.sort_values(ascending=False).head(8).index
        mids = (days[:-1] + days[1:]) / 2
        palette = colormaps["tab10"].colors
        for c, (f, t) in enumerate(top):
            sub = table[(table["from_phenotype"] == f) & (table["to_phenotype"] == t)]
            rate = np.zeros(len(mids))
            rate[sub["period"].to_numpy()] = sub["per_day"].to_numpy()
            ax.plot(mids, rate, marker="o", ms=4, color=palette[c % len(palette)],
                    label=f"{f} -> {t}")
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.set_ylim(bottom=0)
    else:
        empty_panel(ax, "no transitions")
    ax.set(xlabel="time (days, period midpoints)", ylabel="transitions per day (1/day)")
    ax.set_title("(c) the most frequent transitions, per period", fontsize=10)
    return fig


# ---------------------------------------------------------------------- main
def build_parser():
    p = make_parser(__doc__, "transition_flows.py")
    p.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="a run directory")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="output directory (default: RUN_DIR/analysis)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--periods", type=nonnegative_int, default=None, metavar="K",
                       help="cut the run into K equal periods (default 4)")
    group.add_argument("--period-days", type=positive_float, default=None, metavar="DAYS",
                       help="cut the run into periods of this many days (the last may be "
                            "shorter)")
    return p


def analyse(args) -> int:
    run_dir = require_dir(args.run_dir, "RUN_DIR")
    tr = read_table(run_dir / "transitions.csv", TRANSITION_COLUMNS, "the transition log",
                    numeric=("time_h", "step", "row", "col"))
    if args.periods == 0:
        raise AnalysisError("--periods must be at least 1")
    tr = tr.assign(from_phenotype=tr["from_phenotype"].astype(str),
                   to_phenotype=tr["to_phenotype"].astype(str))
    meta = read_json(run_dir / "metadata.json", required=False)
    ts = read_optional_table(run_dir / "timeseries.csv", numeric=("step", "time_h"))
    dt_h = step_length_h(meta, ts, tr)
    total = last_step(meta, ts, tr)
    if len(tr) and tr["step"].max() > total:
        raise AnalysisError(f"{run_dir / 'transitions.csv'}: a transition at step "
                            f"{int(tr['step'].max())}, after the run's last step {total}")
    bounds = boundaries(total, dt_h, args.periods or (None if args.period_days else 4),
                        args.period_days)
    days = bounds * dt_h / 24.0

    names = set(tr["from_phenotype"]) | set(tr["to_phenotype"])
    initial_counts = None
    if ts is not None and len(ts):
        present = [s for s in ordered(names | set(STATE_ORDER), STATE_ORDER) if f"n_{s}" in ts]
        if present and (names <= set(present)):
            row0 = ts.loc[ts["step"].idxmin()] if "step" in ts else ts.iloc[0]
            initial_counts = {s: int(row0[f"n_{s}"]) for s in present}
            names |= set(present)
    states = ordered(names, STATE_ORDER)

    table = flow_table(tr, bounds, dt_h)
    matrix = flow_matrix(tr, states)
    counts, flows = alluvial(tr, bounds, states, initial_counts)
    period = [{"period": k, "day_start": days[k], "day_end": days[k + 1],
               "state_start": states[i], "state_end": states[j], "sites": int(flows[k, i, j])}
              for k in range(len(bounds) - 1) for i in range(len(states))
              for j in range(len(states)) if flows[k, i, j]]
    state_rows = []
    for k, b in enumerate(bounds):
        for i, s in enumerate(states):
            row = {"day": days[k], "step": int(b), "phenotype": s, "sites": int(counts[k, i])}
            if initial_counts is not None and f"n_{s}" in ts:
                hit = ts.loc[ts["step"] == b, f"n_{s}"] if "step" in ts else pd.Series([])
                row["timeseries_sites"] = int(hit.iloc[0]) if len(hit) else math.nan
            state_rows.append(row)
    states_table = pd.DataFrame(state_rows)
    if "timeseries_sites" in states_table:
        diff = states_table.dropna(subset=["timeseries_sites"])
        bad = diff[diff["sites"] != diff["timeseries_sites"]]
        if len(bad):
            print(f"warning: reconstructed counts differ from timeseries.csv at "
                  f"{len(bad)} (day, phenotype) pairs", file=sys.stderr)

    out = out_dir(args.out, run_dir / "analysis")
    write_csv(table, out / "transition_flows.csv")
    write_csv(matrix.rename_axis("from_phenotype").reset_index(), out / "transition_matrix.csv")
    write_csv(pd.DataFrame(period, columns=["period", "day_start", "day_end", "state_start",
                                            "state_end", "sites"]),
              out / "transition_alluvial.csv")
    write_csv(states_table, out / "transition_states.csv")
    name = ((meta or {}).get("scenario") or {}).get("name", run_dir.name)
    seed = (meta or {}).get("seed", "?")
    title = (f"phenotype transitions in {name} (seed {seed}): {len(tr)} transitions in "
             f"{days[-1]:g} d, {len(bounds) - 1} periods")
    save_figure(draw(days, counts, flows, matrix, table, states, title,
                     initial_counts is not None), out / "transition_flows.png")
    print(matrix.to_string())
    print(f"tables and figure: {out}/transition_*.csv, {out / 'transition_flows.png'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_cli(analyse, build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
