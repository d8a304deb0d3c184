"""A dialysis patient's year, with and without a phosphate binder: the patient and the artery.

Runs (or reads) the shipped scenarios ``patient_haemodialysis`` and
``patient_haemodialysis_binder`` (sevelamer 4.8 g/day from day 30) with the patient coupled to
the wall, and draws ``docs/patient_year.png``:

(a) serum Pi through the last full dialysis week (Monday 00:00 to Monday 00:00, 2-h steps);
(b) pre-dialysis serum Pi (before each session) over the year;
(c) PTH over the year;
(d) the T50 calcification propensity over the year;
(e) the media's calcium content over the year;
(f) the calcified area of the media.

It also prints (and writes ``patient_year.md`` beside the figure) a table of the numbers the
README quotes. ::

    python analysis/patient_year.py [--runs DIR] [--lattice 30x100] [--days 365] [--out docs/patient_year.png]

``--runs DIR`` reuses ``DIR/<scenario>/timeseries.csv`` when present and writes new runs there.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from vcsim.model import run  # noqa: E402
from vcsim.scenario import load_scenario  # noqa: E402

SCENARIOS = {"patient_haemodialysis": ("no binder", "#b2182b"),
             "patient_haemodialysis_binder": ("sevelamer 4.8 g/day from day 30", "#2166ac")}
WEEK_H = 168.0
PI = "patient_serum_phosphate_mM"


def simulate(name: str, rows: int, cols: int, days: float, seed: int) -> pd.DataFrame:
    """One run of scenario ``name`` on a rows x cols wall: its time series."""
    sc = load_scenario(name, [f"lattice_rows={rows}", f"lattice_cols={cols}"])
    model = sc.make_model(seed=seed)
    run(model, days)
    return model.timeseries_frame()


def series(name: str, args: argparse.Namespace) -> pd.DataFrame:
    if args.runs:
        path = Path(args.runs) / name / "timeseries.csv"
        if path.exists():
            return pd.read_csv(path)
    t0 = time.perf_counter()
    df = simulate(name, args.rows, args.cols, args.days, args.seed)
    print(f"{name}: {args.days:g} days on {args.rows}x{args.cols} in {time.perf_counter() - t0:.0f} s",
          file=sys.stderr)
    if args.runs:
        path = Path(args.runs) / name / "timeseries.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(path, index=False)
    return df


def pre_dialysis(df: pd.DataFrame, session_start_h: float = 8.0) -> pd.DataFrame:
    """Rows at the start of each session (Mon, Wed, Fri at ``session_start_h``; t = 0 is a
    Monday 00:00), i.e. the pre-dialysis sample."""
    t = df["time_h"].to_numpy()
    in_week = np.mod(t, WEEK_H)
    starts = np.array([0.0, 48.0, 96.0]) + session_start_h
    keep = np.isin(np.round(in_week, 6), starts)
    return df[keep]


def numbers(df: pd.DataFrame) -> dict[str, float]:
    """The figures the README quotes: the last 4 weeks' means and the state at the end."""
    last = df[df["time_h"] >= df["time_h"].iloc[-1] - 4 * WEEK_H]
    pre = pre_dialysis(last)
    return {
        "pre-dialysis Pi (mM)": pre[PI].mean(),
        "time-averaged Pi (mM)": last[PI].mean(),
        "lowest Pi (mM, end of a session)": last[PI].min(),
        "ionised Ca (mM)": last["patient_serum_ionised_calcium_mM"].mean(),
        "PTH (pg/mL)": last["patient_pth_pg_per_mL"].mean(),
        "FGF23 (pg/mL)": last["patient_fgf23_pg_per_mL"].mean(),
        "T50 (min)": last["patient_t50_min"].mean(),
        "media calcium (ug Ca/mg protein)": df["calcium_content_ug_per_mg_protein"].iloc[-1],
        "calcified area (fraction)": df["calcified_fraction"].iloc[-1],
        "osteogenic fraction": df["fraction_osteogenic"].iloc[-1],
    }


def figure(runs: dict[str, pd.DataFrame], out: Path) -> None:
    fig, axes = plt.subplots(2, 3, figsize=(15, 8), layout="constrained")
    for name, df in runs.items():
        label, colour = SCENARIOS[name]
        days = df["time_h"] / 24.0
        end = df["time_h"].iloc[-1]
        week0 = (np.floor(end / WEEK_H) - 1) * WEEK_H
        wk = df[(df["time_h"] >= week0) & (df["time_h"] <= week0 + WEEK_H)]
        axes[0, 0].plot((wk["time_h"] - week0) / 24.0, wk[PI], color=colour, label=label)
        pre = pre_dialysis(df)
        axes[0, 1].plot(pre["time_h"] / 24.0, pre[PI], color=colour, lw=0.8, label=label)
        axes[0, 2].plot(days, df["patient_pth_pg_per_mL"], color=colour, label=label)
        axes[1, 0].plot(days, df["patient_t50_min"], color=colour, lw=0.6, label=label)
        axes[1, 1].plot(days, df["calcium_content_ug_per_mg_protein"], color=colour, label=label)
        axes[1, 2].plot(days, df["calcified_fraction"], color=colour, label=label)
    titles = [("(a) serum Pi through the last full week", "days from Monday 00:00", "serum Pi (mM)"),
              ("(b) pre-dialysis serum Pi", "time (days)", "serum Pi (mM)"),
              ("(c) PTH (intact)", "time (days)", "PTH (pg/mL)"),
              ("(d) serum calcification propensity", "time (days)", "T50 (min)"),
              ("(e) media calcium content", "time (days)", "calcium (ug Ca / mg protein)"),
              ("(f) calcified area of the media", "time (days)", "fraction of sites (1)")]
    for ax, (title, xl, yl) in zip(axes.flat, titles, strict=True):
        ax.set_title(title)
        ax.set_xlabel(xl)
        ax.set_ylabel(yl)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize="small", frameon=False)
    fig.suptitle("A haemodialysis patient's year (3 x 4 h a week), the patient coupled to a 300 um media")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)


def table(runs: dict[str, pd.DataFrame]) -> str:
    rows = {name: numbers(df) for name, df in runs.items()}
    keys = list(next(iter(rows.values())))
    head = "| last 4 weeks | " + " | ".join(SCENARIOS[n][0] for n in rows) + " |"
    lines = [head, "|---|" + "---|" * len(rows)]
    for k in keys:
        lines.append(f"| {k} | " + " | ".join(f"{rows[n][k]:.3g}" for n in rows) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", help="directory of runs to reuse and write (DIR/<scenario>/timeseries.csv)")
    ap.add_argument("--lattice", default="30x100", help="ROWSxCOLS of the wall (default 30x100)")
    ap.add_argument("--days", type=float, default=365.0, help="simulated days (default 365)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="docs/patient_year.png", help="the figure (default docs/patient_year.png)")
    args = ap.parse_args(argv)
    try:
        args.rows, args.cols = (int(v) for v in args.lattice.lower().split("x"))
    except ValueError:
        ap.error(f"--lattice: {args.lattice!r} is not ROWSxCOLS (e.g. 30x100)")
    runs = {name: series(name, args) for name in SCENARIOS}
    out = Path(args.out)
    figure(runs, out)
    text = table(runs)
    head = (f"Generated by `python analysis/patient_year.py --lattice {args.rows}x{args.cols} --days {args.days:g} "
            f"--seed {args.seed}` on {time.strftime('%Y-%m-%d')}: the last 4 weeks of each run (means; the lowest "
            "Pi is the minimum), the wall at the end.\n\n")
    out.with_suffix(".md").write_text(head + text + "\n")
    print(text)
    print(f"wrote {out} and {out.with_suffix('.md')}")


if __name__ == "__main__":
    main()
