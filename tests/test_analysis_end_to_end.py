"""Every analysis script on real, tiny model runs and a tiny sweep (vcsim's own CLI in-process),
checked against what the runs themselves recorded."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from analysis_scripts import ROOT, load

from vcsim.cli import main as vcsim_main

SCRIPTS = ("compare_runs", "nucleation_statistics", "mineral_spatial", "transition_flows")
SMALL = ["--set", "lattice_rows=12", "--set", "lattice_cols=20", "--quiet", "--no-figure"]



@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """calciphylaxis (calcifies within days) and healthy, seeds 1 and 2, 3 days, daily
    snapshots; and a 2 x 2 sweep with common random numbers."""
    base = tmp_path_factory.mktemp("runs")
    for scenario in ("calciphylaxis", "healthy"):
        for seed in (1, 2):
            code = vcsim_main(["run", scenario, "--days", "3", "--seed", str(seed),
                               "--snapshot-every", "1", "--out",
                               str(base / f"{scenario}-seed{seed}"), *SMALL])
            assert code == 0
    spec = base / "sweep.toml"
    spec.write_text('scenario = "calciphylaxis"\ndays = 1\nreplicates = 2\ndesign = "grid"\n'
                    'common_random_numbers = true\ntimeseries = "summary"\n'
                    '[parameters]\nserum_phosphate_mM = [1.5, 3.0]\n'
                    '[set]\nlattice_rows = 6\nlattice_cols = 10\n')
    assert vcsim_main(["sweep", str(spec), "--out", str(base / "sweep"), "--workers", "0",
                       "--quiet"]) == 0
    return base


def test_nucleation_statistics_matches_the_event_log(runs, tmp_path):
    run = runs / "calciphylaxis-seed2"
    out = tmp_path / "nuc"
    # as a user runs it: a separate process, from any directory
    proc = subprocess.run([sys.executable, str(ROOT / "analysis" / "nucleation_statistics.py"),
                           str(run), "--out", str(out)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr
    events = pd.read_csv(run / "nucleation_events.csv")
    ts = pd.read_csv(run / "timeseries.csv")
    by_source = pd.read_csv(out / "nucleation_by_source.csv")
    assert len(events) > 0
    assert by_source["events"].sum() == len(events) == ts["nucleation_events_cumulative"].iloc[-1]
    daily = pd.read_csv(out / "nucleation_by_day.csv")
    for source, n in events["source"].value_counts().items():
        assert daily.loc[daily.source == source, "events"].sum() == n
        # the time series counts the same events per source
        assert ts[f"nucleation_events_new_{source}"].sum() == n


def test_mineral_spatial_agrees_with_the_models_calcified_fraction(runs, tmp_path):
    # the seed whose wall has calcified sites by day 3 (12 x 20 sites: one of the two may not)
    run = max((runs / f"calciphylaxis-seed{s}" for s in (1, 2)),
              key=lambda r: float(pd.read_csv(r / "timeseries.csv")["calcified_fraction"].iloc[-1]))
    assert load("mineral_spatial").main([str(run), "--out", str(tmp_path),
                                         "--permutations", "99"]) == 0
    summary = pd.read_csv(tmp_path / "mineral_spatial.csv")
    assert summary["day"].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert summary["calcified_fraction"].tolist() == \
        pytest.approx(summary["calcified_fraction_timeseries"].tolist(), abs=1e-12)
    assert summary["calcified_sites"].iloc[-1] > 0
    clusters = pd.read_csv(tmp_path / "mineral_clusters.csv")
    last = clusters[clusters.day == 3.0]
    assert last["sites"].sum() == summary["calcified_sites"].iloc[-1]
    assert (tmp_path / "mineral_spatial.png").is_file()


def test_transition_flows_reconstruct_the_models_phenotype_counts(runs, tmp_path, capsys):
    run = runs / "calciphylaxis-seed1"
    assert load("transition_flows").main([str(run), "--period-days", "1",
                                          "--out", str(tmp_path)]) == 0
    assert "warning" not in capsys.readouterr().err
    states = pd.read_csv(tmp_path / "transition_states.csv")
    assert states["step"].unique().tolist() == [0, 24, 48, 72]
    assert (states["sites"] == states["timeseries_sites"]).all()
    flows = pd.read_csv(tmp_path / "transition_flows.csv")
    assert flows["transitions"].sum() == len(pd.read_csv(run / "transitions.csv"))


def test_compare_runs_on_runs_and_on_a_sweep(runs, tmp_path):
    cr = load("compare_runs")
    out = tmp_path / "groups"
    assert cr.main(["--group", f"calciphylaxis={runs}/calciphylaxis-seed*",
                    "--group", f"healthy={runs}/healthy-seed*", "--reference", "healthy",
                    "--out", str(out)]) == 0
    ep = pd.read_csv(out / "compare_endpoint.csv")
    row = ep[(ep.group == "calciphylaxis") & (ep.metric == "calcified_fraction")].iloc[0]
    finals = [pd.read_csv(runs / f"calciphylaxis-seed{s}" / "timeseries.csv")
              ["calcified_fraction"].iloc[-1] for s in (1, 2)]
    assert row["n"] == 2 and row["day"] == 3.0
    assert row["mean"] == pytest.approx(sum(finals) / 2)
    diff = pd.read_csv(out / "compare_differences.csv")
    assert set(diff["method"]) == {"paired"} and set(diff["seeds"]) == {"1 2"}

    out = tmp_path / "sweep"
    assert cr.main(["--sweep", str(runs / "sweep"), "--out", str(out)]) == 0
    ep = pd.read_csv(out / "compare_endpoint.csv")
    assert set(ep["group"]) == {"serum_phosphate_mM=1.5", "serum_phosphate_mM=3"}
    assert set(ep["n"]) == {2}
    assert set(pd.read_csv(out / "compare_differences.csv")["method"]) == {"paired"}


@pytest.mark.parametrize("name", SCRIPTS)
def test_help_documents_every_option(name, capsys):
    module = load(name)
    assert module.main(["--help"]) == 0
    text = capsys.readouterr().out
    for action in module.build_parser()._actions:
        assert action.help, f"{name}: {action.dest} has no help"
        for flag in action.option_strings:
            assert flag in text
    assert "Example" in text  # the module docstring is the description, not cut short
