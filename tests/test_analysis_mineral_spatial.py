"""analysis/mineral_spatial.py: deposits, shapes and laminae on synthetic snapshots."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from analysis_scripts import load

ms = load("mineral_spatial")
common = sys.modules["analysis_common"]
GEOM = common.Geometry(rows=12, cols=10, spacing_um=10.0, lamina_every_rows=6)
RULES = ms.ShapeRules(min_sites=3, sheet_aspect=3.0, lamina_reach_rows=1)


def test_two_known_clusters_give_their_sizes():
    mask = np.zeros((12, 10), dtype=bool)
    mask[2:4, 2:5] = True  # 6 sites
    mask[8, 6:8] = True  # 2 sites
    labels, n = ms.label_periodic(mask, 4)
    assert n == 2
    assert [int((labels == k).sum()) for k in (1, 2)] == [6, 2]
    assert set(np.unique(labels[mask])) == {1, 2} and (labels[~mask] == 0).all()


def test_columns_are_periodic_and_connectivity_matters():
    mask = np.zeros((12, 10), dtype=bool)
    mask[5, [0, 1, 8, 9]] = True  # one deposit across the seam
    labels, n = ms.label_periodic(mask, 4)
    assert n == 1
    assert ms.extent_along(np.nonzero(labels[5])[0], 10) == 4
    diag = np.zeros((12, 10), dtype=bool)
    diag[3, 9] = diag[4, 0] = diag[5, 1] = True  # corner neighbours, the first across the seam
    assert ms.label_periodic(diag, 4)[1] == 3
    assert ms.label_periodic(diag, 8)[1] == 1


def test_extent_along_a_periodic_wall():
    assert ms.extent_along(np.array([2, 3, 4]), 10) == 3
    assert ms.extent_along(np.array([0, 9]), 10) == 2  # across the seam, not 10
    assert ms.extent_along(np.array([0, 5]), 10) == 6  # the shorter way round
    assert ms.extent_along(np.arange(10), 10) == 10


def test_shapes_sheet_along_a_lamina_nodule_speck_and_circumferential():
    m = np.zeros((12, 10))
    m[6, 1:9] = 20.0  # a sheet on the lamina at row 6: 8 along x 1 across
    m[2:5, 2:5] = 20.0  # a 3 x 3 nodule in the media
    m[10, 8] = 20.0  # a speck
    m[11, :] = 20.0  # a full row: closes around the wall
    m[10, 8] = 0.0
    m[9, 0] = 20.0  # a speck (it does not touch row 11)
    calcified = m >= 5.0
    table, labels = ms.clusters_table(m, calcified, GEOM, RULES, 4)
    by_size = table.set_index("sites")
    assert sorted(table["sites"]) == [1, 8, 9, 10]
    sheet = by_size.loc[8]
    assert sheet["class"] == "sheet"
    assert sheet["extent_along_um"] == 80.0 and sheet["extent_across_um"] == 10.0
    assert sheet["lamina_fraction"] == 1.0 and sheet["lamina_associated"]
    assert sheet["mean_distance_to_lamina_um"] == 0.0
    nodule = by_size.loc[9]
    assert nodule["class"] == "nodule" and nodule["aspect"] == 1.0
    assert nodule["lamina_fraction"] == pytest.approx(0.0)  # rows 2-4 are >= 2 rows from one
    assert by_size.loc[10, "class"] == "circumferential" and by_size.loc[10, "circumferential"]
    assert by_size.loc[1, "class"] == "speck"
    assert table["cluster"].tolist() == [1, 2, 3, 4]  # numbered largest first
    assert int((labels == 1).sum()) == 10


def test_distance_to_laminae_against_the_random_baseline():
    rng = np.random.default_rng(1)
    m = np.zeros((12, 10))
    m[6, :] = 10.0  # all mineral on a lamina
    m[0, :5] = 10.0
    stats = ms.distance_statistics(m, m >= 5.0, GEOM, 999, rng)
    assert stats["distance_calcified_um"] == 0.0
    assert stats["distance_mineral_um"] == 0.0
    # the baseline of random placement is the mean row distance over the lattice:
    # rows 0..11 with laminae at rows 0 and 6 (none below row 11)
    expected = np.mean([0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 4, 5]) * 10.0
    assert stats["baseline_calcified_um"] == pytest.approx(expected, rel=0.03)
    assert stats["baseline_mineral_um"] == pytest.approx(expected, rel=0.03)
    assert stats["p_closer_calcified"] == pytest.approx(1 / 1000)
    far = np.zeros((12, 10))
    far[3, :] = far[9, :] = 10.0  # as far from the laminae as the lattice allows
    far_stats = ms.distance_statistics(far, far >= 5.0, GEOM, 199, rng)
    assert far_stats["distance_calcified_um"] == 30.0
    assert far_stats["p_closer_calcified"] == 1.0


def write_run(path: Path, grids: dict[float, np.ndarray]) -> Path:
    (path / "snapshots").mkdir(parents=True)
    meta = {"seed": 1, "parameters": {"lattice_rows": 12, "lattice_cols": 10,
                                      "site_spacing_um": 10.0, "lamina_every_rows": 6,
                                      "calcified_threshold_mmol_per_L": 5.0}}
    (path / "metadata.json").write_text(json.dumps(meta))
    for day, hap in grids.items():
        np.savez(path / "snapshots" / f"day_{int(day):03d}.npz", mineral_hap_mM=hap,
                 time_h=np.float64(24.0 * day))
    return path


def test_the_script_over_time(tmp_path):
    early = np.zeros((12, 10))
    early[6, 2] = 0.6  # mineral Ca 6 mmol/L >= 5: calcified
    early[3, 3] = 0.4  # 4 mmol/L: mineral but not calcified
    late = early.copy()
    late[6, 1:9] = 1.0
    late[2:5, 2:5] = 1.0
    run = write_run(tmp_path / "run", {0.0: np.zeros((12, 10)), 2.0: early, 4.0: late})
    out = tmp_path / "out"
    assert ms.main([str(run), "--out", str(out), "--permutations", "99"]) == 0
    summary = pd.read_csv(out / "mineral_spatial.csv")
    assert summary["day"].tolist() == [0.0, 2.0, 4.0]
    assert summary["calcified_sites"].tolist() == [0, 1, 17]
    assert summary["clusters"].tolist() == [0, 1, 2]
    assert summary["largest_sites"].tolist() == [0, 1, 9]
    assert summary.loc[2, ["n_speck", "n_nodule", "n_sheet"]].tolist() == [0, 1, 1]
    assert summary.loc[2, "area_fraction_sheet"] == pytest.approx(8 / 120)
    clusters = pd.read_csv(out / "mineral_clusters.csv")
    assert clusters[clusters.day == 4.0]["class"].tolist() == ["nodule", "sheet"]
    depth = pd.read_csv(out / "mineral_depth.csv")
    row6 = depth[(depth.day == 4.0) & (depth.row == 6)].iloc[0]
    assert row6["mean_mineral_ca_mmol_per_L"] == pytest.approx(8 * 10.0 / 10)
    assert row6["calcified_fraction"] == pytest.approx(0.8) and row6["lamina"]
    assert (out / "mineral_spatial.png").stat().st_size > 50_000
    # a lower threshold turns the 4 mmol/L site into a deposit
    assert ms.main([str(run), "--out", str(out), "--threshold", "3", "--permutations", "0"]) == 0
    assert pd.read_csv(out / "mineral_spatial.csv")["calcified_sites"].tolist()[1] == 2


def test_missing_snapshots_exit_2(tmp_path, capsys):
    run = write_run(tmp_path / "run", {})
    assert ms.main([str(run)]) == 2
    err = capsys.readouterr().err
    assert "no snapshots" in err and err.count("\n") == 1
    wrong = write_run(tmp_path / "wrong", {0.0: np.zeros((5, 5))})
    assert ms.main([str(wrong)]) == 2
    assert "metadata says 12 x 10" in capsys.readouterr().err
