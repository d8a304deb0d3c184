"""The command line: exit codes, one-line errors, list, params, real runs, --force, resume."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vcsim.cli import SUBCOMMANDS, main
from vcsim.params import schema
from vcsim.scenario import scenario_names

REPO = Path(__file__).resolve().parent.parent
RUN_PY = REPO / "run.py"
SMALL = ["--set", "lattice_rows=8", "--set", "lattice_cols=12"]
RESULTS = ("timeseries.csv", "nucleation_events.csv", "transitions.csv")


def cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, str(RUN_PY), *args], capture_output=True, text=True,
                          cwd=cwd or REPO, timeout=timeout, env=env)


def _results(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in RESULTS}


# ---------------------------------------------------------------------- bad input
@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    (d / "bad_toml.toml").write_text("[parameters]\nserum_phosphate_mM = = 2\n")
    (d / "typo.toml").write_text("[parameters]\nserum_phosphat_mM = 2.0\n")
    (d / "cycle.toml").write_text('extends = "cycle.toml"\n')
    (d / "binary.toml").write_bytes(b"\xff\xfe\x00 not utf-8")
    (d / "nonempty").mkdir()
    (d / "nonempty" / "x.txt").write_text("keep me")
    (d / "afile").write_text("not a directory")
    (d / "spec.toml").write_text('scenario = "ckd"\ndays = 0.1\nreplicates = 1\ndesign = "grid"\n'
                                 "[set]\nlattice_rows = 4\nlattice_cols = 4\n"
                                 "[parameters]\nserum_phosphate_mM = [1.0, 2.0]\n")
    (d / "window.toml").write_text('extends = "ckd"\n[[schedule]]\nparameter = "phosphate_binder_fraction"\n'
                                   "value = 0.5\nstart_day = 5\nend_day = 2\n")
    return d


BAD_INPUTS = {
    "unknown scenario": (["run", "ckdd"], "unknown scenario 'ckdd'; did you mean 'ckd'"),
    "unknown key": (["run", "ckd", "--set", "serum_phosphat_mM=2"], "did you mean 'serum_phosphate_mM'"),
    "out of range": (["run", "ckd", "--set", "serum_phosphate_mM=100"], "serum_phosphate_mM"),
    "not a number": (["run", "ckd", "--set", "serum_phosphate_mM=lots"], "serum_phosphate_mM"),
    "nan": (["run", "ckd", "--set", "serum_phosphate_mM=nan"], "finite"),
    "bad key=value": (["run", "ckd", "--set", "serum_phosphate_mM"], "key=value"),
    "negative days": (["run", "ckd", "--days", "-1"], "--days"),
    "days not a number": (["run", "ckd", "--days", "many"], "--days"),
    "bad engine": (["run", "ckd", "--engine", "gpu"], "--engine"),
    "negative seed": (["run", "ckd", "--seed", "-4"], "--seed"),
    "bad snapshot interval": (["run", "ckd", "--days", "1", "--snapshot-every", "-2", "--out", "{d}/s"],
                              "snapshot"),
    "missing file": (["run", "{d}/missing.toml"], "not found"),
    "directory as file": (["run", "{d}/nonempty"], "is not a file"),
    "undecodable file": (["run", "{d}/binary.toml"], "cannot read"),
    "malformed TOML": (["run", "{d}/bad_toml.toml"], "line 2"),
    "typo in file": (["run", "{d}/typo.toml"], "typo.toml: unknown parameter 'serum_phosphat_mM'"),
    "extends cycle": (["run", "{d}/cycle.toml"], "cycle"),
    "existing output": (["run", "ckd", "--out", "{d}/nonempty"], "exists and is not empty"),
    "resume without checkpoint": (["run", "ckd", "--out", "{d}/nonempty", "--resume"], "no checkpoint"),
    "unknown subcommand": (["frobnicate"], "invalid choice"),
    "no subcommand": ([], "required"),
    "params unknown scenario": (["params", "--scenario", "nope"], "unknown scenario"),
    "params bad format": (["params", "--format", "xls"], "--format"),
    "sweep out is a file": (["sweep", "{d}/spec.toml", "--out", "{d}/afile"],
                            "--out: {d}/afile exists and is not a directory"),
    "schedule window backwards": (["run", "{d}/window.toml"], "window from day 5 to day 2 must start"),
    "fraction out of range": (["run", "ckd", "--set", "phosphate_binder_fraction=2"],
                              "expected a finite number in [0, 1]"),
}


def _check_one_line_error(code: int, stderr: str, expected: str) -> None:
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith("vcsim: error: ")
    assert expected in lines[0]


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_returns_2_with_one_line(case, bad_files, capsys):
    args, expected = BAD_INPUTS[case]
    code = main([a.replace("{d}", str(bad_files)) for a in args])
    captured = capsys.readouterr()
    _check_one_line_error(code, captured.err, expected.replace("{d}", str(bad_files)))
    assert not captured.err.rstrip().endswith("] 1")  # no stray unit after a dimensionless range
    assert captured.out == ""
    assert (bad_files / "nonempty" / "x.txt").read_text() == "keep me"


@pytest.mark.parametrize("case", ["unknown scenario", "out of range", "negative days",
                                  "malformed TOML", "existing output", "unknown subcommand"])
def test_bad_input_exits_2_with_one_line_from_the_process(case, bad_files):
    args, expected = BAD_INPUTS[case]
    proc = cli(*[a.replace("{d}", str(bad_files)) for a in args])
    _check_one_line_error(proc.returncode, proc.stderr, expected)


def test_a_lattice_that_will_not_fit_is_refused_before_anything_is_written(tmp_path, capsys, monkeypatch):
    from vcsim import memory

    monkeypatch.setattr(memory, "available_bytes", lambda: 8e9)   # an 8-GB machine
    out = tmp_path / "huge"
    code = main(["run", "ckd", "--set", "lattice_rows=4000", "--set", "lattice_cols=4000", "--out", str(out)])
    _check_one_line_error(code, capsys.readouterr().err,
                          "lattice_rows x lattice_cols = 4000 x 4000 (16,000,000 sites) needs about 25.9 GB")
    assert not out.exists()
    with pytest.raises(Exception, match="--no-memory-check"):
        from vcsim import VascularModel
        VascularModel(lattice_rows=4000, lattice_cols=4000)
    assert memory.estimate_bytes(30, 100) < 1e9
    memory.check({"lattice_rows": 1000, "lattice_cols": 1000}, available=4e9)   # fits: no error


def test_a_damaged_checkpoint_is_a_one_line_error(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "healthy", "--days", "0.1", *SMALL, "--out", str(out), "--quiet", "--no-figure"]) == 0
    capsys.readouterr()
    npz = out / "checkpoint.npz"
    data = npz.read_bytes()
    for damaged in (data[:500], data[:200] + bytes(b ^ 0xFF for b in data[200:400]) + data[400:]):
        npz.write_bytes(damaged)
        code = main(["run", "healthy", "--days", "0.2", "--out", str(out), "--resume", "--quiet"])
        _check_one_line_error(code, capsys.readouterr().err, "it is damaged: rerun without --resume")


def test_outputs_respect_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "run"
        assert main(["run", "healthy", "--days", "0.1", *SMALL, "--out", str(out), "--quiet", "--no-figure"]) == 0
    finally:
        os.umask(old)
    for name in (*RESULTS, "metadata.json", "checkpoint.npz"):
        assert (out / name).stat().st_mode & 0o777 == 0o644, name


def test_an_unreadable_scenario_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "secret.toml"
    path.write_text("days = 3\n")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who can read anything (root)")
        proc = cli("run", str(path))
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
        assert "cannot read" in proc.stderr
    finally:
        path.chmod(0o644)


def test_a_directory_given_as_scenario_file_is_a_one_line_error(tmp_path):
    d = tmp_path / "dir.toml"
    d.mkdir()
    assert main(["run", str(d)]) == 2


# ---------------------------------------------------------------------- list and params
def test_list_shows_every_scenario_with_its_description():
    proc = cli("list")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert [ln.split()[0] for ln in lines] == scenario_names()
    assert all(len(ln.split(None, 1)) == 2 for ln in lines)


def test_params_prints_the_markdown_table_of_every_parameter(capsys):
    assert main(["params"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("| name | group | default | units")
    assert len(out) == 2 + len(schema().params)


def test_params_csv_shows_the_scenario_values(capsys):
    assert main(["params", "--scenario", "ckd", "--set", "lattice_rows=9", "--format", "csv"]) == 0
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert set(rows) == set(schema().params)
    assert rows["serum_phosphate_mM"]["default"] == "2.2"
    assert rows["lattice_rows"]["default"] == "9"


def test_help_lists_every_subcommand():
    proc = cli("--help")
    assert proc.returncode == 0
    for cmd in SUBCOMMANDS:
        assert cmd.name in proc.stdout


def test_subcommands_have_the_registry_interface():
    for cmd in SUBCOMMANDS:
        handler = cmd.load()
        assert callable(handler.add_arguments) and callable(handler.run), cmd.name


# ---------------------------------------------------------------------- real runs
def test_short_run_writes_every_output_file_and_says_where(tmp_path):
    out = tmp_path / "ckd"
    proc = cli("run", "ckd", "--days", "2", *SMALL, "--out", str(out), "--snapshot-every", "1")
    assert proc.returncode == 0, proc.stderr
    for name in (*RESULTS, "metadata.json", "summary.png", "checkpoint.npz", "checkpoint.json"):
        assert (out / name).is_file(), name
    assert sorted(p.name for p in (out / "snapshots").iterdir()) == [
        "day_000.npz", "day_001.npz", "day_002.npz"]
    assert str(out / "summary.png") in proc.stdout and str(out) in proc.stdout
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["status"] == "complete" and meta["simulated_days"] == 2.0
    assert meta["parameters"]["lattice_cols"] == 12 and meta["seed"] == 1
    assert "day" in proc.stderr  # the progress bar shows the simulated day


def test_default_output_directory_is_runs_scenario_seed(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "healthy", "--days", "0.25", *SMALL, "--seed", "4", "--quiet",
                 "--no-figure"]) == 0
    assert (tmp_path / "runs" / "healthy-seed4" / "timeseries.csv").is_file()
    assert capsys.readouterr().err == ""  # --quiet: no progress bar


def test_force_is_needed_to_overwrite_a_run(tmp_path, capsys):
    out = tmp_path / "r"
    base = ["run", "healthy", "--days", "0.25", *SMALL, "--out", str(out), "--quiet", "--no-figure"]
    assert main(base) == 0
    capsys.readouterr()
    assert main(base) == 2 and "--force" in capsys.readouterr().err
    assert main([*base, "--force", "--seed", "2"]) == 0
    assert json.loads((out / "metadata.json").read_text())["seed"] == 2


def test_stop_then_resume_equals_the_uninterrupted_run(tmp_path, capsys):
    common = ["run", "ckd", "--days", "1", *SMALL, "--set", "serum_phosphate_mM=3", "--quiet",
              "--no-figure"]
    assert main([*common, "--out", str(tmp_path / "a")]) == 0
    capsys.readouterr()
    assert main([*common, "--out", str(tmp_path / "b"), "--stop-after-steps", "10"]) == 128 + signal.SIGINT
    hint = capsys.readouterr().err
    assert "--resume" in hint and "--set serum_phosphate_mM=3" in hint
    assert json.loads((tmp_path / "b" / "metadata.json").read_text())["status"] == "interrupted"
    # without --days, the resumed run goes on to the length the interrupted one asked for
    resume = [a for a in common if a not in ("--days", "1")]
    assert main([*resume, "--out", str(tmp_path / "b"), "--resume"]) == 0
    assert _results(tmp_path / "a") == _results(tmp_path / "b")


def test_sigterm_to_a_running_process_then_resume_equals_the_uninterrupted_run(tmp_path):
    days = "3"
    common = ["run", "ckd", *SMALL, "--set", "serum_phosphate_mM=3", "--quiet", "--no-figure"]
    out = tmp_path / "b"
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.Popen(
        [sys.executable, str(RUN_PY), *common, "--days", "30", "--out", str(out),
         "--snapshot-every", "0.125"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        # the first snapshot after day 0 shows the loop is running with the handler installed
        while not (out / "snapshots" / "day_000.125.npz").exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the run did not start"
            time.sleep(0.01)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["status"] == "interrupted"
    steps = json.loads((out / "checkpoint.json").read_text())["model"]["steps"]
    assert 3 <= steps < 72, "stopped at the end of a step soon after the signal"

    resumed = cli(*common, "--days", days, "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert cli(*common, "--days", days, "--out", str(tmp_path / "a")).returncode == 0
    assert _results(tmp_path / "a") == _results(out)


def test_sigterm_during_start_up_leaves_nothing_that_blocks_the_next_run(tmp_path):
    """A run stopped while its model is being built (a large lattice takes seconds) writes
    nothing: the model is built before the run directory is touched."""
    out = tmp_path / "big"
    proc = subprocess.Popen(
        [sys.executable, str(RUN_PY), "run", "ckd", "--set", "lattice_rows=500", "--set",
         "lattice_cols=500", "--days", "1", "--quiet", "--out", str(out)],
        cwd=REPO, env=dict(os.environ, MPLBACKEND="Agg"), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(2.5)  # past the imports, inside the model's construction
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0
    if out.exists():  # stopped after the model was built: an interrupted run, never "running"
        meta = json.loads((out / "metadata.json").read_text())
        assert meta["status"] == "interrupted", meta["status"]
    else:
        rerun = cli("run", "ckd", *SMALL, "--days", "0.1", "--quiet", "--no-figure", "--out", str(out))
        assert rerun.returncode == 0, rerun.stderr  # no --force needed
