"""Where, when and on what did mineral nucleate? Statistics of a run's nucleation event log.

Reads ``nucleation_events.csv`` (one row per event: time_h, step, row, col, saturation_ratio,
source, inhibitor_factor) and ``metadata.json`` (lattice size, site spacing, laminae, run
length) of a run directory; ``timeseries.csv`` is optional (it names every source the model
has, so sources with no event still appear with 0, and its ``nucleation_events_cumulative``
is checked against the log).

Definitions:

- time bins of ``--bin-days`` days from day 0: an event belongs to the bin holding the start
  of its step (``time_h``), so bin [d, d + b) holds the steps that end in (d, d + b];
- share of a source in a bin = its events / all events of the bin (empty when the bin has no
  event); cumulative share = its events so far / all events so far;
- saturation ratio S = IAP / Ksp of hydroxyapatite per formula unit at the site when it
  nucleated, reported as log10 S; inhibitor factor = the multiplier (0-1) the local inhibitors
  (fetuin-A, MGP, PPi, Mg, vesicle loading) put on the nucleation rate (1 = uninhibited);
- depth of a row = (row + 0.5) x site spacing from the lumen; laminae are the rows
  ``r % lamina_every_rows == 0``; the distance to the nearest lamina is centre to centre.

Outputs in ``--out`` (default RUN_DIR/analysis): ``nucleation_by_day.csv`` (day_start,
day_end, source, events, cumulative, share, cumulative_share), ``nucleation_by_source.csv``
(source, events, share, first_day, last_day, log10_S median/q25/q75, inhibitor_factor
median/q25/q75, median distance to the nearest lamina), ``nucleation_by_depth.csv`` (row,
depth_um, lamina, events per source, total, events_per_site) and ``nucleation_statistics.png``
(events per bin by source, cumulative events, share by source, log10 S and inhibitor factor by
source, events by depth with the laminae marked, and the event map with a scale bar).

This replaces ``analysis/nucleation_report.py``: the per-source table it printed is printed
here too.

Example::

    python analysis/nucleation_statistics.py runs/ckd --bin-days 2
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
    LAMINA_COLOUR,
    SOURCE_COLOURS,
    AnalysisError,
    Geometry,
    draw_laminae_on_map,
    empty_panel,
    finish_map,
    make_parser,
    new_figure,
    ordered,
    out_dir,
    positive_float,
    read_json,
    read_optional_table,
    read_table,
    require_dir,
    run_cli,
    save_figure,
    source_colour,
    write_csv,
)
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

EVENT_COLUMNS = ("time_h", "step", "row", "col", "saturation_ratio", "source",
                 "inhibitor_factor")
SOURCE_ORDER = tuple(SOURCE_COLOURS)


def run_length_days(meta: dict, ts: pd.DataFrame | None, events: pd.DataFrame) -> float:
    """Simulated days: metadata ``simulated_days``, else the time series' last day, else the
    day after the last event."""
    days = meta.get("simulated_days")
    if isinstance(days, int | float) and math.isfinite(days) and days > 0:
        return float(days)
    if ts is not None and len(ts) and "day" in ts:
        return float(ts["day"].max())
    if len(events):
        return float(math.floor(events["time_h"].max() / 24.0) + 1)
    return 1.0


def sources_of(events: pd.DataFrame, ts: pd.DataFrame | None) -> list[str]:
    """Sources in the model's order: those the time series has columns for
    (``nucleation_events_new_<source>``) and those in the log."""
    names = set(events["source"].astype(str)) if len(events) else set()
    if ts is not None:
        prefix = "nucleation_events_new_"
        names |= {c[len(prefix):] for c in ts.columns if c.startswith(prefix)}
    return ordered(names, SOURCE_ORDER)


def by_day(events: pd.DataFrame, sources: list[str], bin_days: float, days: float
           ) -> pd.DataFrame:
    """Events per time bin and source, cumulative counts and shares (see the module doc)."""
    n_bins = max(1, math.ceil(days / bin_days - 1e-9))
    if len(events):  # an event after the stated run length still gets a bin
        n_bins = max(n_bins, int(events["time_h"].max() / 24.0 // bin_days) + 1)
    index = (events["time_h"].to_numpy(dtype=float) / 24.0 // bin_days).astype(int)
    counts = np.zeros((n_bins, len(sources)), dtype=int)
    src = events["source"].astype(str).to_numpy()
    for j, s in enumerate(sources):
        np.add.at(counts[:, j], index[src == s], 1)
    cumulative = counts.cumsum(axis=0)
    total = counts.sum(axis=1, keepdims=True)
    cum_total = cumulative.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, counts / np.maximum(total, 1), np.nan)
        cum_share = np.where(cum_total > 0, cumulative / np.maximum(cum_total, 1), np.nan)
    starts = np.arange(n_bins) * bin_days
    rows = [{"day_start": starts[i], "day_end": starts[i] + bin_days, "source": s,
             "events": int(counts[i, j]), "cumulative": int(cumulative[i, j]),
             "share": share[i, j], "cumulative_share": cum_share[i, j]}
            for i in range(n_bins) for j, s in enumerate(sources)]
    return pd.DataFrame(rows)


def _q(x: pd.Series, q: float) -> float:
    return float(x.quantile(q)) if len(x) else math.nan


def by_source(events: pd.DataFrame, sources: list[str], geom: Geometry) -> pd.DataFrame:
    """One row per source: count, share, first and last day, quartiles of log10 S and of the
    inhibitor factor, median distance to the nearest lamina (um)."""
    total = len(events)
    dist = geom.row_distance_to_lamina_um()
    rows = []
    for s in sources:
        ev = events[events["source"].astype(str) == s]
        log_s = np.log10(ev["saturation_ratio"].astype(float).clip(lower=1e-300))
        inh = ev["inhibitor_factor"].astype(float)
        r = ev["row"].astype(int).clip(0, geom.rows - 1).to_numpy()
        rows.append({
            "source": s, "events": len(ev), "share": len(ev) / total if total else math.nan,
            "first_day": ev["time_h"].min() / 24.0 if len(ev) else math.nan,
            "last_day": ev["time_h"].max() / 24.0 if len(ev) else math.nan,
            "log10_S_median": _q(log_s, 0.5), "log10_S_q25": _q(log_s, 0.25),
            "log10_S_q75": _q(log_s, 0.75),
            "inhibitor_factor_median": _q(inh, 0.5), "inhibitor_factor_q25": _q(inh, 0.25),
            "inhibitor_factor_q75": _q(inh, 0.75),
            "median_distance_to_lamina_um": float(np.median(dist[r])) if len(r) else math.nan,
        })
    return pd.DataFrame(rows)


def by_depth(events: pd.DataFrame, sources: list[str], geom: Geometry) -> pd.DataFrame:
    """Events per lattice row (depth) and source; events_per_site = total / lattice_cols."""
    table = pd.DataFrame({"row": np.arange(geom.rows), "depth_um": geom.depth_um(),
                          "lamina": geom.is_lamina_row()})
    r = events["row"].astype(int).to_numpy()
    src = events["source"].astype(str).to_numpy()
    for s in sources:
        table[s] = np.bincount(r[src == s], minlength=geom.rows)[: geom.rows]
    table["total"] = table[sources].sum(axis=1) if sources else 0
    table["events_per_site"] = table["total"] / geom.cols
    return table


# ---------------------------------------------------------------------- figure
def _strip(ax, values_by_source: list[tuple[str, np.ndarray]], sources: list[str],
           ylabel: str, title: str) -> None:
    """Box plot per source with the events as dots (so a source with 3 events is not a box)."""
    present = [(s, v) for s, v in values_by_source if v.size]
    if not present:
        empty_panel(ax, "no events")
    for k, (s, v) in enumerate(present):
        colour = source_colour(s, sources)
        if v.size >= 5:
            ax.boxplot([v], positions=[k], widths=0.5, showfliers=False,
                       medianprops={"color": "black"},
                       boxprops={"color": colour}, whiskerprops={"color": colour},
                       capprops={"color": colour})
        # deterministic spread of the dots (no random jitter: the figure is reproducible)
        spread = ((np.arange(v.size) * 0.618034) % 1.0 - 0.5) * 0.5
        ax.scatter(k + spread, v, s=6, color=colour, alpha=0.5, lw=0)
    ax.set_xticks(range(len(present)), [s for s, _ in present], fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)


def draw(events: pd.DataFrame, daily: pd.DataFrame, depth: pd.DataFrame, sources: list[str],
         geom: Geometry, bin_days: float, title: str) -> Figure:
    map_height = 3.2 * geom.rows / max(geom.cols, 1) * 3.0
    fig = new_figure(14.5, 8.2 + min(max(map_height, 2.2), 6.0))
    grid = fig.add_gridspec(3, 3, height_ratios=[1, 1, min(max(map_height / 3.6, 0.7), 1.6)])
    fig.suptitle(title)
    colours = {s: source_colour(s, sources) for s in sources}
    n_bins = daily["day_start"].nunique()
    starts = np.sort(daily["day_start"].unique())
    unit = "day" if bin_days == 1 else f"{bin_days:g} days"

    ax = fig.add_subplot(grid[0, 0])
    bottom = np.zeros(n_bins)
    for s in sources:
        c = daily[daily["source"] == s].sort_values("day_start")["events"].to_numpy()
        if c.sum():
            ax.bar(starts, c, width=bin_days * 0.9, bottom=bottom, align="edge",
                   color=colours[s], label=s)
        bottom += c
    ax.set(xlabel="time (days)", ylabel=f"events per {unit} (count)")
    ax.set_title("(a) new nucleation events by source", fontsize=10)
    if not bottom.sum():
        empty_panel(ax, "no nucleation events")

    ax = fig.add_subplot(grid[0, 1])
    for s in sources:
        t = np.sort(events.loc[events["source"].astype(str) == s, "time_h"].to_numpy()) / 24.0
        if t.size:
            ax.step(np.r_[0.0, t], np.arange(t.size + 1), where="post", color=colours[s],
                    label=s)
    ax.set(xlabel="time (days)", ylabel="cumulative events (count)")
    ax.set_title("(b) cumulative events", fontsize=10)
    ax.set_xlim(0, starts[-1] + bin_days)
    if not len(events):
        empty_panel(ax, "no nucleation events")

    ax = fig.add_subplot(grid[0, 2])
    bottom = np.zeros(n_bins)
    for s in sources:
        sh = daily[daily["source"] == s].sort_values("day_start")["share"].to_numpy(dtype=float)
        sh = np.nan_to_num(sh)
        if sh.sum():
            ax.bar(starts, sh, width=bin_days * 0.9, bottom=bottom, align="edge",
                   color=colours[s])
        bottom += sh
    ax.set(xlabel="time (days)", ylabel="share of the bin's events (1)", ylim=(0, 1.0))
    ax.set_title(f"(c) share by source per {unit} (empty: no event)", fontsize=10)

    log_s = [(s, np.log10(events.loc[events["source"].astype(str) == s, "saturation_ratio"]
                          .to_numpy(dtype=float).clip(1e-300))) for s in sources]
    _strip(fig.add_subplot(grid[1, 0]), log_s, sources, "log10 S (HAP, per formula unit)",
           "(d) supersaturation at the events")
    inh = [(s, events.loc[events["source"].astype(str) == s, "inhibitor_factor"]
            .to_numpy(dtype=float)) for s in sources]
    ax = fig.add_subplot(grid[1, 1])
    _strip(ax, inh, sources, "inhibitor factor on the rate (1 = none)",
           "(e) inhibition at the events")
    ax.set_ylim(bottom=0)

    ax = fig.add_subplot(grid[1, 2])
    left = np.zeros(geom.rows)
    depth_um = depth["depth_um"].to_numpy()
    for s in sources:
        c = depth[s].to_numpy()
        if c.sum():
            ax.barh(depth_um, c, height=geom.spacing_um * 0.85, left=left, color=colours[s])
        left += c
    for r in geom.lamina_rows():
        ax.axhspan(r * geom.spacing_um, (r + 1) * geom.spacing_um, color=LAMINA_COLOUR,
                   alpha=0.35, lw=0, zorder=0)
    ax.set_ylim(geom.rows * geom.spacing_um, 0)
    ax.set(xlabel="events (count)", ylabel="depth from the lumen (um)")
    ax.set_title("(f) events by depth (shaded: elastic laminae)", fontsize=10)
    if not left.sum():
        empty_panel(ax, "no nucleation events")

    ax = fig.add_subplot(grid[2, :])
    draw_laminae_on_map(ax, geom)
    for s in sources:
        ev = events[events["source"].astype(str) == s]
        if len(ev):
            ax.scatter((ev["col"] + 0.5) * geom.spacing_um, (ev["row"] + 0.5) * geom.spacing_um,
                       s=9, color=colours[s], lw=0, alpha=0.8)
    finish_map(ax, geom, "(g) event sites (shaded rows: elastic laminae)")

    counts = events["source"].astype(str).value_counts()
    handles = [Patch(facecolor=colours[s], label=f"{s} ({int(counts.get(s, 0))})")
               for s in sources]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(sources),
               frameon=False, title="nucleation source (events)")
    return fig


# ---------------------------------------------------------------------- main
def build_parser():
    p = make_parser(__doc__, "nucleation_statistics.py")
    p.add_argument("run_dir", type=Path, metavar="RUN_DIR",
                   help="a run directory (python run.py run ... --out RUN_DIR)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="output directory (default: RUN_DIR/analysis)")
    p.add_argument("--bin-days", type=positive_float, default=1.0, metavar="DAYS",
                   help="width of the time bins of the per-period counts and shares, in days")
    return p


def analyse(args) -> int:
    run_dir = require_dir(args.run_dir, "RUN_DIR")
    events = read_table(run_dir / "nucleation_events.csv", EVENT_COLUMNS, "the event log",
                        numeric=[c for c in EVENT_COLUMNS if c != "source"])
    meta = read_json(run_dir / "metadata.json")
    geom = Geometry.from_metadata(meta, run_dir / "metadata.json")
    ts = read_optional_table(run_dir / "timeseries.csv",
                             numeric=("day", "nucleation_events_cumulative"))
    if len(events):
        bad = events[(events["row"] < 0) | (events["row"] >= geom.rows)
                     | (events["col"] < 0) | (events["col"] >= geom.cols)]
        if len(bad):
            raise AnalysisError(f"{run_dir / 'nucleation_events.csv'}: {len(bad)} event(s) "
                                f"outside the {geom.rows} x {geom.cols} lattice")
    events = events.assign(source=events["source"].astype(str))
    sources = sources_of(events, ts)
    days = run_length_days(meta, ts, events)
    if ts is not None and "nucleation_events_cumulative" in ts and len(ts):
        logged = int(ts["nucleation_events_cumulative"].iloc[-1])
        if logged != len(events):
            print(f"warning: timeseries.csv counts {logged} events, the log has {len(events)}",
                  file=sys.stderr)

    daily = by_day(events, sources, args.bin_days, days)
    per_source = by_source(events, sources, geom)
    depth = by_depth(events, sources, geom)
    out = out_dir(args.out, run_dir / "analysis")
    write_csv(daily, out / "nucleation_by_day.csv")
    write_csv(per_source, out / "nucleation_by_source.csv")
    write_csv(depth, out / "nucleation_by_depth.csv")
    name = (meta.get("scenario") or {}).get("name", run_dir.name)
    title = (f"nucleation in {name} (seed {meta.get('seed', '?')}): {len(events)} events in "
             f"{days:g} d, {geom.rows} x {geom.cols} sites of {geom.spacing_um:g} um")
    save_figure(draw(events, daily, depth, sources, geom, args.bin_days, title),
                out / "nucleation_statistics.png")
    cols = ["source", "events", "share", "first_day", "log10_S_median",
            "inhibitor_factor_median"]
    print(per_source[cols].to_string(index=False, float_format="%.4g"))
    print(f"tables and figure: {out}/nucleation_*.csv, {out / 'nucleation_statistics.png'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_cli(analyse, build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
