"""Where and when did mineral nucleate? A look at one run directory's event log.

Usage::

    python analysis/nucleation_report.py runs/ckd [--out runs/ckd/nucleation.png]

Reads ``nucleation_events.csv`` and ``metadata.json`` written by ``python run.py run`` and draws
(a) cumulative events over time by source, (b) the saturation ratio at each event against time,
(c) the event map on the lattice (depth from the lumen vs position along the wall, in um), and
prints a per-source table (count, first day, median S, median inhibitor factor).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("--out", type=Path, default=None, help="figure path (default RUN_DIR/nucleation.png)")
    args = ap.parse_args(argv)
    events_path = args.run_dir / "nucleation_events.csv"
    meta_path = args.run_dir / "metadata.json"
    if not events_path.is_file() or not meta_path.is_file():
        print(f"error: {args.run_dir} is not a vcsim run directory (no nucleation_events.csv/metadata.json)",
              file=sys.stderr)
        return 2
    ev = pd.read_csv(events_path)
    meta = json.loads(meta_path.read_text())
    p = meta["parameters"] if "parameters" in meta else meta.get("params", {})
    dx = float(p.get("site_spacing_um", 10.0))
    rows, cols = int(p.get("lattice_rows", 30)), int(p.get("lattice_cols", 100))

    fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
    if ev.empty:
        for a in ax:
            a.text(0.5, 0.5, "no nucleation events", ha="center", va="center", transform=a.transAxes)
    for source, grp in ev.groupby("source"):
        day = grp["time_h"].to_numpy() / 24.0
        ax[0].step(day, np.arange(1, len(day) + 1), where="post", label=source)
        ax[1].scatter(day, np.log10(grp["saturation_ratio"]), s=6, label=source)
        ax[2].scatter((grp["col"] + 0.5) * dx, (grp["row"] + 0.5) * dx, s=6, label=source)
    ax[0].set(xlabel="time (days)", ylabel="cumulative events (count)", title="(a) nucleation events")
    ax[1].set(xlabel="time (days)", ylabel="log10 S (HAP, per formula unit)", title="(b) supersaturation at events")
    ax[2].set(xlabel="along the wall (um)", ylabel="depth from the lumen (um)", title="(c) where",
              xlim=(0, cols * dx), ylim=(rows * dx, 0))
    for a in ax:
        if a.get_legend_handles_labels()[0]:
            a.legend(fontsize=8)
    fig.tight_layout()
    out = args.out or args.run_dir / "nucleation.png"
    fig.savefig(out, dpi=120)
    if not ev.empty:
        table = ev.groupby("source").agg(
            count=("step", "size"), first_day=("time_h", lambda t: t.min() / 24.0),
            median_S=("saturation_ratio", "median"), median_inhibitor_factor=("inhibitor_factor", "median"))
        print(table.to_string())
    print(f"figure: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
