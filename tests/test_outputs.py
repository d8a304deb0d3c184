"""Run outputs: atomic files, the run directory rules, metadata, snapshots, checkpoints, figure."""

from __future__ import annotations

import json
import os
import signal

import numpy as np
import pandas as pd
import pytest

from vcsim import outputs
from vcsim.figures import summary_png, units_of
from vcsim.outputs import (
    OutputError,
    RunDirectory,
    atomic_save_npz,
    atomic_write_bytes,
    atomic_write_csv,
    atomic_write_json,
    git_commit,
    load_npz,
    run_to_directory,
    snapshot_name,
)
from vcsim.params import schema
from vcsim.scenario import ScenarioError, load_scenario

SMALL = ["lattice_rows=8", "lattice_cols=12"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------- atomic writes
def test_atomic_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "a" / "f.txt"
    atomic_write_bytes(path, b"one")
    atomic_write_bytes(path, b"two")
    assert path.read_bytes() == b"two"
    assert [p.name for p in path.parent.iterdir()] == ["f.txt"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(tmp_path, monkeypatch):
    path = tmp_path / "f.json"
    atomic_write_json(path, {"ok": 1})

    def broken_replace(src, dst):
        raise OSError("disk on fire")

    monkeypatch.setattr(outputs.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk on fire"):
        atomic_write_json(path, {"ok": 2})
    assert json.loads(path.read_text()) == {"ok": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_the_temporary_file_is_in_the_target_directory(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append((os.path.dirname(src), os.path.dirname(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(outputs.os, "replace", spy)
    atomic_write_csv(tmp_path / "t.csv", pd.DataFrame({"a": [1, 2]}))
    assert seen == [(str(tmp_path), str(tmp_path))]  # same filesystem: os.replace is atomic


def test_csv_round_trips_floats_exactly(tmp_path):
    df = pd.DataFrame({"x_mM": [0.1, 1 / 3, 1e-300, 2.0**0.5], "n_count": [1, 2, 3, 4]})
    atomic_write_csv(tmp_path / "t.csv", df)
    back = pd.read_csv(tmp_path / "t.csv")
    pd.testing.assert_frame_equal(df, back)


def test_json_writes_infinity_as_null(tmp_path):
    atomic_write_json(tmp_path / "m.json", {"end_day": float("inf"), "arr": np.arange(2)})
    assert json.loads((tmp_path / "m.json").read_text()) == {"end_day": None, "arr": [0, 1]}


def test_npz_round_trip_without_pickle(tmp_path):
    arrays = {"a": np.arange(6.0).reshape(2, 3), "b": np.int8([1, 2]), "s": np.array("token")}
    atomic_save_npz(tmp_path / "x.npz", arrays)
    back = load_npz(tmp_path / "x.npz")
    for k, v in arrays.items():
        np.testing.assert_array_equal(back[k], v)
    with pytest.raises(TypeError, match="pickle"):
        atomic_save_npz(tmp_path / "y.npz", {"o": np.array([{}, 1], dtype=object)})


def test_snapshot_names():
    assert snapshot_name(0) == "day_000.npz"
    assert snapshot_name(7.0) == "day_007.npz"
    assert snapshot_name(123) == "day_123.npz"
    assert snapshot_name(7.5) == "day_007.500.npz"


def test_git_commit_is_none_outside_a_repository(tmp_path):
    assert git_commit(tmp_path) is None
    commit = git_commit()
    assert commit is None or (len(commit) == 40 and int(commit, 16) >= 0)


# ---------------------------------------------------------------------- the run directory
def test_a_non_empty_directory_is_not_overwritten_without_force(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="exists and is not empty.*--force"):
        RunDirectory(tmp_path).prepare()


def test_force_removes_only_run_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "timeseries.csv").write_text("old")
    (tmp_path / "snapshots").mkdir()
    (tmp_path / "snapshots" / "day_001.npz").write_text("old")
    RunDirectory(tmp_path).prepare(force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_resume_needs_a_checkpoint_and_excludes_force(tmp_path):
    with pytest.raises(OutputError, match="no checkpoint"):
        RunDirectory(tmp_path).prepare(resume=True)
    with pytest.raises(OutputError, match="contradict"):
        RunDirectory(tmp_path).prepare(resume=True, force=True)


def test_output_path_that_is_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputError, match="not a directory"):
        RunDirectory(tmp_path / "f").prepare()


def test_mismatched_checkpoint_halves_are_detected(tmp_path):
    run = RunDirectory(tmp_path)
    atomic_save_npz(run.file("checkpoint.npz"), {"checkpoint_token": np.array("aaaa")})
    atomic_write_json(run.file("checkpoint.json"), {"model": {}, "run": {}, "checkpoint_token": "bbbb"})
    with pytest.raises(OutputError, match="do not belong together"):
        run.read_checkpoint()


# ---------------------------------------------------------------------- the figure
def _fake_timeseries(n=30):
    day = np.arange(n) / 24.0
    return pd.DataFrame({
        "step": np.arange(n), "time_h": day * 24, "day": day,
        "fraction_empty": 0.05, "fraction_contractile": np.linspace(0.95, 0.5, n),
        "fraction_osteogenic": np.linspace(0, 0.4, n), "fraction_autophagic": 0.0,
        "fraction_apoptotic": np.linspace(0, 0.05, n),
        "mean_grp78": np.linspace(0.1, 0.6, n), "mean_chop": np.linspace(0, 0.3, n),
        "mean_runx2": np.linspace(0, 0.7, n), "mean_contractile_markers": np.linspace(1, 0.4, n),
        "calcium_content_ug_per_mg_protein": np.linspace(0, 40, n),
        "calcified_fraction": np.linspace(0, 0.2, n),
    })


def test_summary_figure_renders_a_png_from_whatever_columns_exist():
    rng = np.random.default_rng(0)
    grid = rng.integers(0, 5, size=(8, 12)).astype(np.int8)
    lamina = np.zeros((8, 12), bool)
    lamina[0] = True
    png = summary_png(_fake_timeseries(), grid, rng.random((8, 12)) * 10, lamina=lamina,
                      site_spacing_um=10.0, calcified_threshold_mmol_per_L=5.0, title="test")
    assert png.startswith(PNG_MAGIC)
    # a time series without any of the known columns still gives a figure
    assert summary_png(pd.DataFrame({"time_h": [0.0, 1.0]})).startswith(PNG_MAGIC)


def test_units_are_read_from_column_names():
    assert units_of("calcium_content_ug_per_mg_protein") == "ug Ca / mg protein"
    assert units_of("phosphate_mean_mM") == "mM"
    assert units_of("pyrophosphate_mean_uM") == "uM"
    assert units_of("mineral_calcium_umol") == "umol"
    assert units_of("fraction_osteogenic") == "1"


# ---------------------------------------------------------------------- real runs (small)
def _small(name="ckd", extra=()):
    return load_scenario(name, [*SMALL, *extra])


def _results(path):
    return {n: (path / n).read_bytes() for n in ("timeseries.csv", "nucleation_events.csv", "transitions.csv")}


def test_run_writes_every_output_and_complete_metadata(tmp_path):
    sc = _small("ckd_phosphate_binder")
    res = run_to_directory(sc, tmp_path / "r", seed=5, days=0.5, snapshot_every_days=0.25,
                           progress=False)
    out = tmp_path / "r"
    assert res.status == "complete" and res.steps == 12
    for name in ("timeseries.csv", "nucleation_events.csv", "transitions.csv", "metadata.json",
                 "summary.png", "checkpoint.npz", "checkpoint.json"):
        assert (out / name).is_file(), name
    assert {p.name for p in (out / "snapshots").iterdir()} == {
        "day_000.npz", "day_000.250.npz", "day_000.500.npz"}
    assert (out / "summary.png").read_bytes().startswith(PNG_MAGIC)
    assert not [p for p in out.rglob("*.tmp")]

    ts = pd.read_csv(out / "timeseries.csv")
    assert len(ts) == 13 and ts["time_h"].iloc[-1] == 12.0  # step 0 + 12 steps

    meta = json.loads((out / "metadata.json").read_text())
    for key in ("vcsim_version", "git_commit", "status", "scenario", "seed", "engine",
                "start_time", "end_time", "wall_time_s", "platform", "python", "numpy", "mesa",
                "parameters", "schedule", "rules_overrides", "days_requested",
                "steps_completed", "simulated_days"):
        assert key in meta, key
    assert meta["status"] == "complete" and meta["seed"] == 5 and meta["engine"] == "vector"
    assert meta["scenario"]["name"] == "ckd_phosphate_binder"
    assert set(meta["parameters"]) == {p.name for p in schema()}
    assert meta["parameters"]["lattice_rows"] == 8
    assert meta["schedule"] == [{"parameter": "phosphate_binder_fraction", "value": 0.7, "start_day": 7.0}]
    assert meta["steps_completed"] == 12 and meta["simulated_days"] == 0.5
    assert meta["end_time"] >= meta["start_time"]

    snap = load_npz(out / "snapshots" / "day_000.500.npz")
    assert snap["phenotype"].shape == (8, 12) and float(snap["time_h"]) == 12.0
    assert "mineral_hap_mM" in snap


def test_interrupt_then_resume_gives_exactly_the_uninterrupted_outputs(tmp_path):
    sc = _small("ckd", ["serum_phosphate_mM=3.0"])
    straight = run_to_directory(sc, tmp_path / "a", seed=9, days=1.0, progress=False, figure=False)
    assert straight.status == "complete"

    part = run_to_directory(sc, tmp_path / "b", seed=9, days=1.0, progress=False, figure=False,
                            stop_after_steps=7)
    assert part.status == "interrupted" and part.steps == 7
    assert json.loads((tmp_path / "b" / "metadata.json").read_text())["status"] == "interrupted"
    assert len(pd.read_csv(tmp_path / "b" / "timeseries.csv")) == 8  # flushed so far

    resumed = run_to_directory(sc, tmp_path / "b", days=1.0, progress=False, figure=False, resume=True)
    assert resumed.status == "complete" and resumed.steps == 24
    assert _results(tmp_path / "a") == _results(tmp_path / "b")
    meta = json.loads((tmp_path / "b" / "metadata.json").read_text())
    assert meta["status"] == "complete" and meta["resumed"] is True and meta["seed"] == 9


def test_sigterm_stops_at_the_end_of_the_step_and_checkpoints(tmp_path):
    sc = _small()

    def send_sigterm(model):
        if model.steps == 5:
            os.kill(os.getpid(), signal.SIGTERM)

    before = signal.getsignal(signal.SIGTERM)
    res = run_to_directory(sc, tmp_path / "r", days=1.0, progress=False, figure=False,
                           on_step=send_sigterm)
    assert res.status == "interrupted" and res.steps == 5 and res.signal == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is before  # handler restored
    record = json.loads((tmp_path / "r" / "checkpoint.json").read_text())
    assert record["model"]["steps"] == 5 and record["run"]["status"] == "interrupted"


def test_resume_refuses_a_different_set_up(tmp_path):
    sc = _small()
    run_to_directory(sc, tmp_path / "r", seed=2, days=0.25, progress=False, figure=False,
                     stop_after_steps=2)
    with pytest.raises(OutputError, match="seed"):
        run_to_directory(sc, tmp_path / "r", seed=3, days=0.25, progress=False, resume=True)
    with pytest.raises(OutputError, match="serum_phosphate_mM"):
        run_to_directory(_small("ckd", ["serum_phosphate_mM=1.0"]), tmp_path / "r", days=0.25,
                         progress=False, resume=True)


def test_a_finished_run_can_be_extended_with_resume(tmp_path):
    sc = _small("healthy")
    run_to_directory(sc, tmp_path / "a", days=0.5, progress=False, figure=False)
    run_to_directory(sc, tmp_path / "b", days=0.25, progress=False, figure=False)
    res = run_to_directory(sc, tmp_path / "b", days=0.5, progress=False, figure=False, resume=True)
    assert res.steps == 12
    assert _results(tmp_path / "a") == _results(tmp_path / "b")
    with pytest.raises(OutputError, match="past the"):
        run_to_directory(sc, tmp_path / "b", days=0.25, progress=False, resume=True)


def test_bad_days_and_snapshot_interval(tmp_path):
    sc = _small()
    for kwargs in ({"days": -1}, {"days": float("nan")}, {"days": 0.001},
                   {"days": 1, "snapshot_every_days": 0.001}):
        with pytest.raises(ScenarioError):
            run_to_directory(sc, tmp_path / "r", progress=False, **kwargs)
    assert not (tmp_path / "r").exists()  # nothing written for a bad request


def test_agents_engine_interrupted_and_resumed_writes_what_the_vector_engine_writes(tmp_path):
    sc = _small("ckd", ["serum_phosphate_mM=3.0"])
    run_to_directory(sc, tmp_path / "v", engine="vector", days=0.5, progress=False, figure=False)
    run_to_directory(sc, tmp_path / "a", engine="agents", days=0.5, progress=False, figure=False,
                     stop_after_steps=5)
    res = run_to_directory(sc, tmp_path / "a", days=0.5, progress=False, figure=False, resume=True)
    assert res.status == "complete"
    assert json.loads((tmp_path / "a" / "metadata.json").read_text())["engine"] == "agents"
    assert _results(tmp_path / "v") == _results(tmp_path / "a")


def test_an_error_during_the_run_keeps_the_results_so_far_and_says_failed(tmp_path):
    def boom(model):
        if model.steps == 3:
            raise RuntimeError("model blew up")

    with pytest.raises(RuntimeError, match="blew up"):
        run_to_directory(_small(), tmp_path / "r", days=0.5, progress=False, on_step=boom)
    meta = json.loads((tmp_path / "r" / "metadata.json").read_text())
    assert meta["status"] == "failed" and "model blew up" in meta["error"]
    assert len(pd.read_csv(tmp_path / "r" / "timeseries.csv")) == 4
    assert not (tmp_path / "r" / "checkpoint.json").exists()


def test_an_output_name_without_its_units_suggests_the_full_name():
    from vcsim import VascularModel

    m = VascularModel(seed=1, lattice_rows=3, lattice_cols=3)
    with pytest.raises(KeyError, match="did you mean 'calcium_content_ug_per_mg_protein'"):
        m.stat("calcium_content")
    with pytest.raises(KeyError, match="did you mean 'calcified_fraction'"):
        m.stat("calcified_fracton")


def test_summary_maps_have_equal_aspect_scale_bars_and_one_mineral_scale():
    from matplotlib.colors import LogNorm
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    from vcsim.figures import (
        MINERAL_MAX_MMOL_PER_L,
        MINERAL_MIN_MMOL_PER_L,
        scale_bar_um,
        summary_figure,
    )

    rng = np.random.default_rng(1)
    grid = rng.integers(0, 5, size=(8, 12)).astype(np.int8)
    fig = summary_figure(_fake_timeseries(), grid, rng.random((8, 12)) * 50, site_spacing_um=10.0,
                         calcified_threshold_mmol_per_L=5.0)
    maps = [ax for ax in fig.axes if ax.get_title().startswith(("(e)", "(f)"))]
    assert len(maps) == 2
    for ax in maps:
        assert ax.get_aspect() == 1.0  # 10 um across is drawn as long as 10 um along
        bars = [a for a in ax.artists if isinstance(a, AnchoredSizeBar)]
        assert len(bars) == 1 and bars[0].txt_label.get_text() == "20 um"  # a fifth of 120 um
    mineral = maps[1].collections[0]
    assert isinstance(mineral.norm, LogNorm)
    assert (mineral.norm.vmin, mineral.norm.vmax) == (MINERAL_MIN_MMOL_PER_L, MINERAL_MAX_MMOL_PER_L)
    assert [scale_bar_um(x) for x in (1000, 300, 120, 7)] == [200, 50, 20, 1]
