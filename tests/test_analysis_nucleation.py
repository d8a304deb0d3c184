"""analysis/nucleation_statistics.py on a synthetic event log with known counts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from analysis_scripts import load

ns = load("nucleation_statistics")

#: (time_h, row, col, S, source, inhibitor factor): day 0 two vesicle events, day 1 one
#: vesicle and three elastin events on the lamina at row 6, day 3 one secondary event.
EVENTS = [
    (2.0, 3, 4, 1e20, "vesicle", 0.5),
    (20.0, 4, 4, 1e22, "vesicle", 0.3),
    (30.0, 8, 1, 1e21, "vesicle", 0.1),
    (31.0, 6, 0, 1e19, "elastin", 0.9),
    (32.0, 6, 5, 1e19, "elastin", 0.8),
    (47.0, 6, 9, 1e19, "elastin", 0.7),
    (80.0, 3, 5, 1e21, "secondary", 0.2),
]


def write_run(path: Path, events=EVENTS, days: float = 4.0, with_ts: bool = True) -> Path:
    path.mkdir(parents=True)
    frame = pd.DataFrame(events, columns=["time_h", "row", "col", "saturation_ratio",
                                          "source", "inhibitor_factor"])
    frame.insert(1, "step", (frame["time_h"] + 1).astype(int))
    frame.to_csv(path / "nucleation_events.csv", index=False)
    meta = {"seed": 4, "simulated_days": days, "scenario": {"name": "synthetic"},
            "parameters": {"lattice_rows": 12, "lattice_cols": 10, "site_spacing_um": 10.0,
                           "lamina_every_rows": 6}}
    (path / "metadata.json").write_text(json.dumps(meta))
    if with_ts:
        steps = np.arange(int(days * 24) + 1)
        ts = pd.DataFrame({"step": steps, "time_h": steps * 1.0, "day": steps / 24.0})
        for src in ("vesicle", "apoptotic_body", "elastin", "homogeneous", "secondary"):
            ts[f"nucleation_events_new_{src}"] = 0
        ts["nucleation_events_cumulative"] = np.searchsorted(frame["step"], steps, "right")
        ts.to_csv(path / "timeseries.csv", index=False)
    return path


def test_counts_per_day_share_and_cumulative(tmp_path):
    run = write_run(tmp_path / "run")
    out = tmp_path / "out"
    assert ns.main([str(run), "--out", str(out)]) == 0
    daily = pd.read_csv(out / "nucleation_by_day.csv")
    table = daily.pivot(index="day_start", columns="source", values="events")
    # sources with no event (named by the time series) are listed with zeros
    assert list(table.columns) == sorted(["vesicle", "apoptotic_body", "elastin",
                                          "homogeneous", "secondary"])
    assert table["vesicle"].tolist() == [2, 1, 0, 0]
    assert table["elastin"].tolist() == [0, 3, 0, 0]
    assert table["secondary"].tolist() == [0, 0, 0, 1]
    assert table["apoptotic_body"].sum() == 0
    day1 = daily[daily.day_start == 1.0].set_index("source")
    assert day1.loc["elastin", "share"] == pytest.approx(0.75)
    assert day1.loc["vesicle", "cumulative"] == 3
    assert day1.loc["vesicle", "cumulative_share"] == pytest.approx(0.5)
    assert daily[daily.day_start == 2.0]["share"].isna().all()  # no event that day

    by_source = pd.read_csv(out / "nucleation_by_source.csv").set_index("source")
    assert by_source.loc["vesicle", "events"] == 3
    assert by_source.loc["vesicle", "first_day"] == pytest.approx(2.0 / 24)
    assert by_source.loc["vesicle", "log10_S_median"] == pytest.approx(21.0)
    assert by_source.loc["elastin", "inhibitor_factor_median"] == pytest.approx(0.8)
    assert by_source.loc["elastin", "median_distance_to_lamina_um"] == 0.0
    assert by_source.loc["secondary", "share"] == pytest.approx(1 / 7)

    depth = pd.read_csv(out / "nucleation_by_depth.csv").set_index("row")
    assert depth["lamina"].tolist() == [r % 6 == 0 for r in range(12)]
    assert depth.loc[6, "elastin"] == 3 and depth.loc[6, "total"] == 3
    assert depth.loc[4, "vesicle"] == 1 and depth.loc[3, "total"] == 2
    assert depth.loc[6, "depth_um"] == 65.0
    assert depth["total"].sum() == len(EVENTS)
    assert (out / "nucleation_statistics.png").stat().st_size > 30_000


def test_two_day_bins_and_no_time_series(tmp_path):
    run = write_run(tmp_path / "run", with_ts=False)
    assert ns.main([str(run), "--bin-days", "2", "--out", str(tmp_path / "o")]) == 0
    daily = pd.read_csv(tmp_path / "o" / "nucleation_by_day.csv")
    totals = daily.groupby("day_start")["events"].sum()
    assert totals.to_dict() == {0.0: 6, 2.0: 1}
    assert set(daily["source"]) == {"vesicle", "elastin", "secondary"}  # only the logged ones


def test_a_run_without_events(tmp_path):
    run = write_run(tmp_path / "run", events=[])
    assert ns.main([str(run)]) == 0  # default --out RUN_DIR/analysis
    daily = pd.read_csv(run / "analysis" / "nucleation_by_day.csv")
    assert daily["events"].sum() == 0 and len(daily) == 4 * 5


def test_bad_inputs_exit_2_with_one_line(tmp_path, capsys):
    run = write_run(tmp_path / "run")
    (run / "nucleation_events.csv").unlink()
    assert ns.main([str(run)]) == 2
    assert "nucleation_events.csv: no such file" in capsys.readouterr().err
    outside = write_run(tmp_path / "outside", events=[(1.0, 12, 0, 1e20, "vesicle", 1.0)])
    assert ns.main([str(outside)]) == 2
    err = capsys.readouterr().err
    assert "outside the 12 x 10 lattice" in err and err.count("\n") == 1
    garbled = write_run(tmp_path / "garbled")
    text = (garbled / "nucleation_events.csv").read_text().replace(",3,4,", ",three,4,")
    (garbled / "nucleation_events.csv").write_text(text)
    assert ns.main([str(garbled)]) == 2
    assert "column row holds non-numeric values" in capsys.readouterr().err
