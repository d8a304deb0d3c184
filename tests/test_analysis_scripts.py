"""The analysis scripts work on a real run directory."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from vcsim.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "analysis" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_nucleation_report_on_a_calcifying_run(tmp_path, capsys):
    run_dir = tmp_path / "run"
    code = cli_main(["run", "invitro_pi", "--days", "10", "--set", "serum_phosphate_mM=3.0",
                     "--set", "lattice_rows=12", "--set", "lattice_cols=30", "--out", str(run_dir),
                     "--quiet", "--no-figure"])
    assert code == 0
    report = _load("nucleation_report")
    assert report.main([str(run_dir)]) == 0
    assert (run_dir / "nucleation.png").stat().st_size > 10_000
    assert "vesicle" in capsys.readouterr().out


def test_nucleation_report_refuses_a_non_run_directory(tmp_path):
    assert _load("nucleation_report").main([str(tmp_path)]) == 2
