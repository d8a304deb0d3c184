"""analysis/patient_year.py: the dialysis patient's year, with and without a binder (small run)."""

from analysis_scripts import load

py = load("patient_year")


def test_patient_year_draws_the_figure_and_the_table(tmp_path, capsys):
    out = tmp_path / "patient_year.png"
    py.main(["--lattice", "4x6", "--days", "9", "--runs", str(tmp_path / "runs"), "--out", str(out)])
    assert "patient_haemodialysis: 9 days on 4x6" in capsys.readouterr().err
    assert out.read_bytes().startswith(b"\x89PNG")
    table = out.with_suffix(".md").read_text()
    assert "| pre-dialysis Pi (mM) |" in table and "| PTH (pg/mL) |" in table
    assert (tmp_path / "runs" / "patient_haemodialysis" / "timeseries.csv").exists()
    # the binder starts at day 30: within 9 days both patients are the same
    rows = {line.split("|")[1].strip(): line.split("|")[2:4] for line in table.splitlines()[2:]}
    no_binder, binder = (float(v) for v in rows["pre-dialysis Pi (mM)"])
    assert no_binder == binder
    # a second call reuses the runs: nothing is simulated again
    py.main(["--lattice", "4x6", "--days", "9", "--runs", str(tmp_path / "runs"), "--out", str(out)])
    assert "days on" not in capsys.readouterr().err


def test_pre_dialysis_rows_are_the_session_starts():
    import pandas as pd

    t = pd.DataFrame({"time_h": [0.0, 8.0, 10.0, 56.0, 104.0, 176.0]})
    assert py.pre_dialysis(t)["time_h"].tolist() == [8.0, 56.0, 104.0, 176.0]
