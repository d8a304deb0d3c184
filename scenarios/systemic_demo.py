"""Systemic CKD-MBD demo: GFR 90 -> 10 mL/min over 5 years, then a year of haemodialysis.

Writes ``docs/systemic_demo.png`` (and prints a short table): serum phosphate, PTH, FGF23,
calcitriol and T50 through the whole course, and phosphate through one dialysis week at
15-minute resolution. Default parameters: no binders, no vitamin D, default diet (an untreated
course, to show the model's own dynamics). Residual GFR falls from 10 to 3 mL/min during the
dialysis year. Runs in a few minutes on one core.

    python scenarios/systemic_demo.py [--out docs/systemic_demo.png]
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from vcsim.params import default_parameters  # noqa: E402
from vcsim.systemic import (  # noqa: E402
    PiecewiseLinear,
    SystemicInputs,
    advance,
    serum,
    steady_state,
)
from vcsim.systemic.dialysis import on_haemodialysis  # noqa: E402

DAY, YEAR = 24.0, 24.0 * 365.0
KEYS = (
    "serum_phosphate_mM",
    "serum_total_calcium_mM",
    "pth_pg_per_mL",
    "fgf23_pg_per_mL",
    "calcitriol_pmol_per_L",
    "t50_min",
)


def run() -> dict:
    p = default_parameters()
    t_hd = 5.0 * YEAR
    gfr = PiecewiseLinear([(0.0, 90.0), (t_hd, 10.0), (t_hd + YEAR, 3.0)])
    inputs = SystemicInputs(gfr_mL_per_min=gfr)
    state = steady_state(p, inputs, t_h=0.0)
    series = {"t_years": [], "gfr": [], **{k: [] for k in KEYS}}

    def record(t: float, st, params) -> None:
        s = serum(st, params)
        series["t_years"].append(t / YEAR)
        series["gfr"].append(gfr(t))
        for k in KEYS:
            series[k].append(s[k])

    t = 0.0
    record(t, state, p)
    while t < t_hd - 1e-9:  # CKD: one call per day
        state = advance(state, t, DAY, inputs, p)
        t += DAY
        record(t, state, p)
    hd = p.updated({"haemodialysis_sessions_per_week": 3})
    week_start = (math.floor((t_hd + YEAR) / (7.0 * DAY)) - 1) * 7.0 * DAY  # last full Mon-Sun week
    week = {"t_h": [], "pi": [], "on": []}
    while t < t_hd + YEAR - 1e-9:  # haemodialysis: 4-h calls, 15-min calls in the last week
        dt = 0.25 if week_start <= t < week_start + 7.0 * DAY else 4.0
        state = advance(state, t, dt, inputs, hd)
        t += dt
        if week_start < t <= week_start + 7.0 * DAY:
            week["t_h"].append(t - week_start)
            week["pi"].append(serum(state, hd)["serum_phosphate_mM"])
            week["on"].append(on_haemodialysis(t - 1e-6, hd))
        if (
            abs((t % (7 * DAY)) - (2 * DAY + 8.0)) < 1e-9
        ):  # mid-week pre-dialysis sample (Wed 08:00)
            record(t, state, hd)
    return {"series": series, "week": week, "t_hd_years": t_hd / YEAR}


def figure(result: dict, out: Path) -> None:
    s, w, t_hd = result["series"], result["week"], result["t_hd_years"]
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.2), constrained_layout=True)
    panels = [
        ("serum_phosphate_mM", "serum phosphate (mM)", (0.8, 1.45), False),
        ("pth_pg_per_mL", "intact PTH (pg/mL)", (10.0, 65.0), True),
        ("fgf23_pg_per_mL", "intact FGF23 (pg/mL)", (28.0, 100.0), True),
        ("calcitriol_pmol_per_L", "calcitriol (pmol/L)", (40.0, 150.0), False),
        ("t50_min", "T50-like propensity (min)", (271.0, 387.0), False),
    ]
    for ax, (key, label, ref, log) in zip(axes.flat, panels, strict=False):
        ax.axhspan(*ref, color="0.9", label="reference range")
        ax.plot(s["t_years"], s[key], color="C0", lw=1.2)
        ax.axvline(t_hd, color="C3", ls="--", lw=1, label="haemodialysis starts")
        if log:
            ax.set_yscale("log")
        ax.set_xlabel("years (after 5: mid-week pre-dialysis samples)")
        ax.set_ylabel(label)
        top = ax.secondary_xaxis(
            "top", functions=(lambda y: 90.0 - 16.0 * y, lambda g: (90.0 - g) / 16.0)
        )
        top.set_xticks([90, 70, 50, 30, 10])
        top.set_xlabel("GFR during CKD (mL/min)")
    axes.flat[0].legend(loc="upper left", fontsize=8)
    ax = axes.flat[5]
    ax.plot([x / 24.0 for x in w["t_h"]], w["pi"], color="C0", lw=1.2)
    for i, on in enumerate(w["on"]):
        if on:
            ax.axvspan(
                (w["t_h"][i] - 0.25) / 24.0, w["t_h"][i] / 24.0, color="C3", alpha=0.15, lw=0
            )
    ax.axhspan(0.8, 1.45, color="0.9")
    ax.set_xlabel("days from Monday 00:00, last full week on dialysis")
    ax.set_ylabel("serum phosphate (mM)")
    ax.set_title("3 x 4 h haemodialysis (shaded)", fontsize=9)
    fig.suptitle(
        "vcsim.systemic: untreated CKD progression (GFR 90 -> 10 mL/min over 5 years), "
        "then a year of haemodialysis",
        fontsize=11,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--out", default=str(Path(__file__).resolve().parents[1] / "docs" / "systemic_demo.png")
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    result = run()
    figure(result, Path(args.out))
    s = result["series"]
    print(f"{'years':>6} {'GFR':>5} " + " ".join(f"{k[:14]:>14}" for k in KEYS))
    marks = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 5.5, 6.0]
    for i in [min(range(len(s["t_years"])), key=lambda j: abs(s["t_years"][j] - m)) for m in marks]:
        print(
            f"{s['t_years'][i]:6.1f} {s['gfr'][i]:5.1f} "
            + " ".join(f"{s[k][i]:14.3g}" for k in KEYS)
        )
    print(f"wrote {args.out} in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
