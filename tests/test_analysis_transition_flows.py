"""analysis/transition_flows.py on a transitions table with a known flow matrix."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from analysis_scripts import load

tf = load("transition_flows")

#: (step, row, col, from, to). Site (1,1): contractile -> autophagic (step 2) -> osteogenic
#: (step 30); site (1,2): contractile -> osteogenic at step 24, the last step of period 0;
#: site (2,3) starts osteogenic, dies at step 40 and is cleared at step 47.
TRANSITIONS = [
    (2, 1, 1, "contractile", "autophagic"),
    (24, 1, 2, "contractile", "osteogenic"),
    (30, 1, 1, "autophagic", "osteogenic"),
    (40, 2, 3, "osteogenic", "apoptotic"),
    (47, 2, 3, "apoptotic", "empty"),
]
PHENOTYPES = ("contractile", "autophagic", "osteogenic", "apoptotic", "empty")


def write_run(path: Path, initial: dict[str, int] | None = None, with_ts: bool = True) -> Path:
    path.mkdir(parents=True)
    tr = pd.DataFrame(TRANSITIONS, columns=["step", "row", "col", "from_phenotype",
                                            "to_phenotype"])
    tr.insert(0, "time_h", (tr["step"] - 1) * 1.0)
    tr.to_csv(path / "transitions.csv", index=False)
    meta = {"seed": 3, "steps_completed": 48, "scenario": {"name": "synthetic"},
            "parameters": {"dt_h": 1.0, "lattice_rows": 6, "lattice_cols": 5}}
    (path / "metadata.json").write_text(json.dumps(meta))
    if with_ts:
        counts = initial or {"contractile": 10, "osteogenic": 1}
        ts = pd.DataFrame({"step": np.arange(49), "time_h": np.arange(49.0)})
        ts["day"] = ts["time_h"] / 24.0
        for p in PHENOTYPES:
            ts[f"n_{p}"] = counts.get(p, 0)
        # the true counts after steps 24 and 48, for the script's cross-check
        for step, now in ((24, {"contractile": 8, "autophagic": 1, "osteogenic": 2}),
                          (48, {"contractile": 8, "osteogenic": 2, "empty": 1})):
            for p in PHENOTYPES:
                ts.loc[step, f"n_{p}"] = now.get(p, 0)
        ts.to_csv(path / "timeseries.csv", index=False)
    return path


def test_flows_per_period_matrix_and_alluvial(tmp_path, capsys):
    run = write_run(tmp_path / "run")
    out = tmp_path / "out"
    assert tf.main([str(run), "--periods", "2", "--out", str(out)]) == 0
    flows = pd.read_csv(out / "transition_flows.csv")
    got = {(r.period, r.from_phenotype, r.to_phenotype): r.transitions
           for r in flows.itertuples()}
    assert got == {(0, "contractile", "autophagic"): 1, (0, "contractile", "osteogenic"): 1,
                   (1, "autophagic", "osteogenic"): 1, (1, "osteogenic", "apoptotic"): 1,
                   (1, "apoptotic", "empty"): 1}
    assert flows["day_end"].max() == 2.0
    assert flows.loc[flows.period == 0, "per_day"].tolist() == [1.0, 1.0]

    matrix = pd.read_csv(out / "transition_matrix.csv").set_index("from_phenotype")
    expected = pd.DataFrame(0, index=list(PHENOTYPES), columns=list(PHENOTYPES))
    for _, _, _, a, b in TRANSITIONS:
        expected.loc[a, b] += 1
    assert matrix.loc[list(PHENOTYPES), list(PHENOTYPES)].equals(expected)

    alluvial = pd.read_csv(out / "transition_alluvial.csv")
    got = {(r.period, r.state_start, r.state_end): r.sites for r in alluvial.itertuples()}
    assert got == {
        (0, "contractile", "contractile"): 8, (0, "contractile", "autophagic"): 1,
        (0, "contractile", "osteogenic"): 1, (0, "osteogenic", "osteogenic"): 1,
        (1, "contractile", "contractile"): 8, (1, "autophagic", "osteogenic"): 1,
        (1, "osteogenic", "osteogenic"): 1, (1, "osteogenic", "empty"): 1,
    }
    states = pd.read_csv(out / "transition_states.csv")
    end = states[states.step == 48].set_index("phenotype")["sites"].to_dict()
    assert end == {"contractile": 8, "autophagic": 0, "osteogenic": 2, "apoptotic": 0,
                   "empty": 1}
    checked = states.dropna(subset=["timeseries_sites"])
    assert (checked["sites"] == checked["timeseries_sites"]).all()
    assert "warning" not in capsys.readouterr().err
    assert (out / "transition_flows.png").stat().st_size > 40_000

    ts = pd.read_csv(run / "timeseries.csv")
    ts.loc[24, "n_autophagic"] = 0  # no longer what the transitions say
    ts.to_csv(run / "timeseries.csv", index=False)
    assert tf.main([str(run), "--periods", "2", "--out", str(out)]) == 0
    assert "reconstructed counts differ from timeseries.csv at 1" in capsys.readouterr().err


def test_period_days_and_without_time_series(tmp_path):
    run = write_run(tmp_path / "run", with_ts=False)
    out = tmp_path / "out"
    assert tf.main([str(run), "--period-days", "0.5", "--out", str(out)]) == 0
    flows = pd.read_csv(out / "transition_flows.csv")
    assert sorted(flows["period"].unique()) == [0, 1, 2, 3]
    assert flows.groupby("period")["transitions"].sum().tolist() == [1, 1, 1, 2]
    states = pd.read_csv(out / "transition_states.csv")
    # only the three sites that changed are followed
    assert states.groupby("step")["sites"].sum().unique().tolist() == [3]
    assert "timeseries_sites" not in states


def test_inconsistent_or_bad_input_exits_2(tmp_path, capsys):
    run = write_run(tmp_path / "run", initial={"contractile": 10})  # no osteogenic site at 0
    assert tf.main([str(run)]) == 2
    err = capsys.readouterr().err
    assert "not from the same run" in err and err.count("\n") == 1
    assert tf.main([str(run), "--periods", "2", "--period-days", "1"]) == 2
    assert "not allowed with" in capsys.readouterr().err
    (run / "transitions.csv").unlink()
    assert tf.main([str(run)]) == 2
    assert "transitions.csv: no such file" in capsys.readouterr().err
