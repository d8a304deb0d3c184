"""The scenario scripts: replicates with confidence intervals, documented options, figures."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--set", "lattice_rows=6", "--set", "lattice_cols=8"]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scenarios" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["compare_therapies", "phosphate_dose_response"])
def test_every_option_is_documented_and_the_description_is_whole(name, capsys):
    with pytest.raises(SystemExit):
        _script(name).main(["--help"])
    out = capsys.readouterr().out
    description = out.split("options:")[0]
    assert description.rstrip().endswith(")") or description.rstrip().endswith("."), description
    for line in out.split("options:")[1].splitlines():
        if line.strip().startswith("--") and "--help" not in line:
            assert "(default:" in line or len(line.split()) > 2, line


def test_compare_therapies_reports_paired_replicate_intervals(tmp_path, capsys):
    out = tmp_path / "ct"
    assert _script("compare_therapies").main(["--days", "1", "--seeds", "2", *TINY, "--out", str(out)]) == 0
    table = pd.read_csv(out / "therapies.csv")
    runs = pd.read_csv(out / "runs.csv")
    assert {"healthy", "ckd", "ckd_vitamin_k"} <= set(table.scenario)
    assert (table.n == 2).all() and len(runs) == 2 * len(table)
    content = "calcium_content_ug_per_mg_protein"
    for col in (content, f"{content}_ci_low", f"{content}_ci_high", "calcium_minus_ckd"):
        assert col in table
    # the table's means are the runs' means
    means = runs.groupby("scenario", sort=False)[content].mean()
    assert np.allclose(table.set_index("scenario")[content], means.loc[table.scenario].to_numpy())
    assert (out / "therapies.png").stat().st_size > 10_000
    with pytest.raises(SystemExit):
        _script("compare_therapies").main(["--seeds", "1", "--out", str(tmp_path / "x")])
    assert "--seeds: 1 is not allowed" in capsys.readouterr().err


def test_phosphate_dose_response_reports_every_dose_with_its_interval(tmp_path):
    out = tmp_path / "pd"
    args = ["--days", "1", "--seeds", "2", "--pi", "1.0", "2.4", "--pfa", "0", *TINY, "--out", str(out)]
    assert _script("phosphate_dose_response").main(args) == 0
    table = pd.read_csv(out / "dose_response.csv")
    assert list(table.serum_phosphate_mM) == [1.0, 2.4] and (table.n == 2).all()
    assert (table["mean_runx2_ci_low"] <= table["mean_runx2"]).all()
    assert table.loc[1, "mean_runx2"] > table.loc[0, "mean_runx2"]  # Pi drives Runx2
    assert (out / "dose_response.png").stat().st_size > 10_000
