"""The catalogue of bad inputs: scenario TOML, sweep specs, checkpoints and the Python API.

Every case must end in one clear line naming the field, the value and what is allowed (exit
status 2 from the command line; one exception of vcsim's own from the Python API), and leave
nothing half-written. ``tests/test_cli.py`` holds the command-line cases (``BAD_INPUTS``); this
file the rest, so that a regression in any entry point shows.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from vcsim import VascularModel, load_scenario, run
from vcsim.cli import main
from vcsim.params import ParameterError
from vcsim.scenario import ScenarioError

SMALL = ["--set", "lattice_rows=6", "--set", "lattice_cols=8"]
TINY = {"lattice_rows": 4, "lattice_cols": 4}


def _one_line(code: int, stderr: str, expected: str) -> None:
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert lines[0].startswith("vcsim: error: "), lines[0]
    assert expected in lines[0], lines[0]


# ------------------------------------------------------------------ scenario TOML files
SCHEDULE = '[[schedule]]\nparameter = "phosphate_binder_fraction"\n'
NEW_RULE = ('[[rules]]\nid = "new_rule"\nphenotype = "osteogenic"\nhalf_max = 1\nhill = 2\n'
            'direction = "increases"\nsaturation = 0.1\n')
TOML_CASES = {
    "unknown top-level key": ('paramters = {}\n', "unknown key 'paramters'; did you mean 'parameters'"),
    "parameters not a table": ("parameters = 3\n", "'parameters' must be a table"),
    "not a lattice parameter": ("[lattice]\nserum_phosphate_mM = 2\n", "is not a lattice parameter"),
    "negative days": ("days = -3\n", "days: -3 is not allowed"),
    "days not a number": ('days = "x"\n', "days: 'x' is not a number of days"),
    "extends an unknown scenario": ('extends = "nosuch"\n', "unknown scenario 'nosuch'"),
    "description not a string": ("description = 5\n", "'description' must be a string"),
    "schedule without a value": (SCHEDULE, "schedule entry 1: needs 'parameter' and 'value'"),
    "schedule of an unknown parameter": ('[[schedule]]\nparameter = "phosphate_bindr_fraction"\nvalue = 0.5\n',
                                         "did you mean 'phosphate_binder_fraction'"),
    "schedule of a constant": ('[[schedule]]\nparameter = "dt_h"\nvalue = 0.5\n',
                               "parameter 'dt_h' cannot vary in time"),
    "schedule value out of range": (SCHEDULE + "value = 3\n", "expected a finite number in [0, 1]"),
    "schedule as a table": ('[schedule]\nparameter = "phosphate_binder_fraction"\nvalue = 0.5\n',
                            "'schedule' must be an array of tables"),
    "schedule unknown field": (SCHEDULE + "value = 0.5\nstart = 3\n", "unknown field 'start'"),
    "ramp of an integer": ('[[schedule]]\nparameter = "haemodialysis_sessions_per_week"\nvalue = 2\n'
                           "ramp_days = 2\n", "cannot ramp"),
    "ramp longer than its window": (SCHEDULE + "value = 0.5\nstart_day = 1\nend_day = 2\nramp_days = 3\n",
                                    "ramp of 3 days is longer than its window"),
    "rule with a misspelt id": ('[[rules]]\nid = "apoptosis_bse"\nsaturation = 1\n',
                                "no rule has id 'apoptosis_bse'; did you mean 'apoptosis_base'"),
    "rule with an unknown field": ('[[rules]]\nid = "apoptosis_base"\nsatur = 1\n', "unknown field 'satur'"),
    "rule with an unknown signal": (NEW_RULE + 'behaviour = "to_apoptotic"\nsignal = "nothing"\n',
                                    "unknown signal 'nothing'"),
    "rule with an unknown behaviour": (NEW_RULE + 'behaviour = "fly"\nsignal = "ros"\n',
                                       "unknown behaviour 'fly'"),
    "rule with a negative saturation": ('[[rules]]\nid = "apoptosis_base"\nsaturation = -1\n',
                                        "saturation -1.0 must be a finite number >= 0"),
    "serum value under a coupled patient": ('[parameters]\nserum_phosphate_mM = 2.0\n',
                                            "with patient_coupled = true the patient's serum sets it"),
}


@pytest.mark.parametrize("case", sorted(TOML_CASES))
def test_a_bad_scenario_file_is_one_line_and_writes_nothing(case, tmp_path, capsys):
    body, expected = TOML_CASES[case]
    base = "patient_haemodialysis" if "coupled" in case else "ckd"
    text = body if body.startswith("extends") else f'extends = "{base}"\n{body}'
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "out"
    code = main(["run", str(path), "--days", "1", *SMALL, "--out", str(out)])
    _one_line(code, capsys.readouterr().err, expected)
    assert not out.exists()


# ------------------------------------------------------------------ sweep specs
SPEC = 'scenario = "ckd"\ndays = 0.1\nreplicates = 1\n'
SET = "[set]\nlattice_rows = 4\nlattice_cols = 4\n"
PI = "[parameters]\nserum_phosphate_mM = [1.0, 2.0]\n"
SWEEP_CASES = {
    "unknown design": (SPEC + 'design = "grd"\n' + SET + PI,
                       "design = 'grd' is not allowed; expected one of grid, random, lhs, sobol, morris"),
    "sobol n not a power of 2": (SPEC + 'design = "sobol"\nn = 6\n' + SET +
                                 "[parameters]\nserum_phosphate_mM = {min = 1.0, max = 2.0}\n"
                                 "serum_calcium_mM = {min = 1.0, max = 1.5}\n", "expected a power of 2"),
    "value out of bounds": (SPEC + 'design = "grid"\n' + SET + "[parameters]\nserum_phosphate_mM = [1.0, 200.0]\n",
                            "'serum_phosphate_mM': 200.0 is not allowed; expected a finite number in [0.2, 6]"),
    "min above max": (SPEC + 'design = "random"\nn = 4\n' + SET +
                      "[parameters]\nserum_phosphate_mM = {min = 3.0, max = 1.0}\n", "min = 3 must be below max = 1"),
    "unknown distribution": (SPEC + 'design = "random"\nn = 4\n' + SET +
                             '[parameters]\nserum_phosphate_mM = {min = 1.0, max = 2.0, distribution = "gamma"}\n',
                             "distribution = 'gamma' is not allowed"),
    "normal without sd": (SPEC + 'design = "random"\nn = 4\n' + SET +
                          '[parameters]\nserum_phosphate_mM = {distribution = "normal", mean = 1.5}\n',
                          "a normal distribution needs 'sd'"),
    "grid range without steps": (SPEC + 'design = "grid"\n' + SET +
                                 "[parameters]\nserum_phosphate_mM = {min = 1.0, max = 2.0}\n",
                                 "a grid needs a list of values or {min, max, steps}"),
    "zero replicates": ('scenario = "ckd"\ndays = 0.1\nreplicates = 0\ndesign = "grid"\n' + SET + PI,
                        "replicates = 0 is not allowed; expected an integer >= 1"),
    "misspelt metric": (SPEC + 'design = "grid"\nmetrics = ["calcium_contnt"]\n' + SET + PI,
                        "metric 'calcium_contnt' is not an output of the model; did you mean "
                        "'calcium_content_ug_per_mg_protein'"),
    "nothing varied": (SPEC + 'design = "grid"\n' + SET, "[parameters] must list at least one parameter"),
    "unknown key": (SPEC + 'design = "grid"\nreplicate = 2\n' + SET + PI, "unknown key 'replicate'"),
    "unknown scenario": ('scenario = "ckdd"\ndays = 0.1\nreplicates = 1\ndesign = "grid"\n' + SET + PI,
                         "unknown scenario 'ckdd'; did you mean 'ckd'"),
    "unknown parameter": (SPEC + 'design = "grid"\n' + SET + "[parameters]\nserum_phosphat_mM = [1.0]\n",
                          "did you mean 'serum_phosphate_mM'"),
    "bad timeseries mode": (SPEC + 'design = "grid"\ntimeseries = "some"\n' + SET + PI,
                            "timeseries = 'some' is not allowed; expected one of none, summary, full"),
}


@pytest.mark.parametrize("case", sorted(SWEEP_CASES))
def test_a_bad_sweep_spec_is_one_line_and_writes_nothing(case, tmp_path, capsys):
    body, expected = SWEEP_CASES[case]
    spec = tmp_path / "spec.toml"
    spec.write_text(body)
    out = tmp_path / "sweep"
    code = main(["sweep", str(spec), "--out", str(out), "--workers", "0"])
    _one_line(code, capsys.readouterr().err, expected)
    assert not out.exists()


def test_sweep_and_analyze_without_a_sweep_are_one_line(tmp_path, capsys):
    _one_line(main(["sweep", "--out", str(tmp_path / "none"), "--resume"]), capsys.readouterr().err,
              "give a SPEC file (or --resume an existing --out)")
    _one_line(main(["analyze", str(tmp_path)]), capsys.readouterr().err, "holds no sweep")
    _one_line(main(["validate", "--robustness", "1", "--lattice", "6by20"]), capsys.readouterr().err,
              "--lattice: '6by20' is not allowed; expected ROWSxCOLS")


# ------------------------------------------------------------------ checkpoints
@pytest.fixture(scope="module")
def interrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("ckpt") / "run"
    assert main(["run", "ckd", "--days", "0.5", *SMALL, "--out", str(out), "--quiet"]) == 0
    return out


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _drop_model_field(d: Path, key: str) -> None:
    record = json.loads((d / "checkpoint.json").read_text())
    record["model"].pop(key)
    (d / "checkpoint.json").write_text(json.dumps(record))


CHECKPOINT_CASES = {
    "truncated npz": (lambda d: (d / "checkpoint.npz").write_bytes((d / "checkpoint.npz").read_bytes()[:500]),
                      (), "it is damaged"),
    "bit-flipped npz": (lambda d: _flip(d / "checkpoint.npz"), (), "it is damaged"),
    "empty npz": (lambda d: (d / "checkpoint.npz").write_bytes(b""), (), "it is damaged"),
    "npz missing": (lambda d: (d / "checkpoint.npz").unlink(), (), "it is damaged"),
    "json garbled": (lambda d: (d / "checkpoint.json").write_text("{not json"), (), "JSONDecodeError"),
    "json missing": (lambda d: (d / "checkpoint.json").unlink(), (), "no checkpoint"),
    "json without its model table": (
        lambda d: (d / "checkpoint.json").write_text(json.dumps(
            {k: v for k, v in json.loads((d / "checkpoint.json").read_text()).items() if k != "model"})),
        (), "has no 'model' table"),
    "json without the seed": (lambda d: _drop_model_field(d, "seed"), (), "field 'seed' missing"),
    "npz of another run": (lambda d: (d / "checkpoint.json").write_text(
        (d / "checkpoint.json").read_text().replace('"checkpoint_token": "', '"checkpoint_token": "x')),
        (), "do not belong together"),
    "another seed": (lambda d: None, ("--seed", "7"), "has seed 1, not 7"),
    "another engine": (lambda d: None, ("--engine", "agents"), "used engine 'vector', not 'agents'"),
    "another parameter": (lambda d: None, ("--set", "serum_phosphate_mM=2.5"),
                          "parameter 'serum_phosphate_mM' is 2.5 here but 2.2 in the checkpoint"),
    "fewer days than done": (lambda d: None, ("--days", "0.25"), "past the 0.25 days asked for"),
}


@pytest.mark.parametrize("case", sorted(CHECKPOINT_CASES))
def test_a_bad_resume_is_one_line_and_leaves_the_run_as_it_was(case, interrupted, tmp_path, capsys):
    damage, extra, expected = CHECKPOINT_CASES[case]
    d = tmp_path / "run"
    shutil.copytree(interrupted, d)
    damage(d)
    before = {p.name: p.read_bytes() for p in d.iterdir() if p.is_file()}
    days = () if "--days" in extra else ("--days", "1")
    code = main(["run", "ckd", *days, *SMALL, "--out", str(d), "--resume", "--quiet", *extra])
    _one_line(code, capsys.readouterr().err, expected)
    assert {p.name: p.read_bytes() for p in d.iterdir() if p.is_file()} == before


# ------------------------------------------------------------------ the Python API
API_CASES = {
    "unknown keyword": (lambda: VascularModel(seed=1, serum_phosphat_mM=2), ParameterError,
                        "unknown parameter 'serum_phosphat_mM'; did you mean 'serum_phosphate_mM'"),
    "seed and rng": (lambda: VascularModel(seed=1, rng=2, **TINY), ParameterError, "give one of them"),
    "fractional seed": (lambda: VascularModel(seed=1.5, **TINY), ParameterError, "seed: 1.5 is not allowed"),
    "negative seed": (lambda: load_scenario("ckd").make_model(seed=-1), ParameterError, "seed: -1"),
    "unknown engine": (lambda: VascularModel(engine="gpu", **TINY), ParameterError,
                       "engine: 'gpu' is not allowed; expected one of vector, agents"),
    "schedule as a string": (lambda: VascularModel(schedule="x", **TINY), ParameterError,
                             "schedule: 'x' is not allowed"),
    "schedule entry with an unknown field": (
        lambda: VascularModel(schedule=[{"parameter": "phosphate_binder_fraction", "value": 0.5, "start": 3}],
                              **TINY), ParameterError, "unknown field 'start'"),
    "schedule of a lattice size": (lambda: VascularModel(schedule=[{"parameter": "lattice_rows", "value": 5}],
                                                         **TINY), ParameterError, "cannot vary in time"),
    "rules as a string": (lambda: VascularModel(rules_overrides="x", **TINY), ParameterError,
                          "rules_overrides: 'x' is not allowed"),
    "rules with a misspelt id": (
        lambda: VascularModel(rules_overrides=[{"id": "osteo_swich_commitment", "saturation": 0.1}], **TINY),
        ParameterError, "did you mean 'osteo_switch_commitment'"),
    "processes not a list or function": (lambda: VascularModel(processes=5, **TINY), ParameterError,
                                         "processes: 5 is not allowed"),
    "a bool for a number": (lambda: VascularModel(serum_phosphate_mM=True, **TINY), ParameterError,
                            "'serum_phosphate_mM': True is not allowed"),
    "a fraction for an integer": (lambda: VascularModel(lattice_rows=4.5, lattice_cols=4), ParameterError,
                                  "'lattice_rows': 4.5 is not allowed; expected an integer in [1, 4000]"),
    "infinity": (lambda: VascularModel(serum_phosphate_mM=float("inf"), **TINY), ParameterError,
                 "inf is not allowed"),
    "negative days": (lambda: run(VascularModel(**TINY), days=-1), ParameterError, "days: -1 is not allowed"),
    "days as a string": (lambda: run(VascularModel(**TINY), days="3"), ParameterError, "days: '3'"),
    "unknown scenario": (lambda: load_scenario("ckdd"), ScenarioError, "did you mean 'ckd'"),
    "overrides as one string": (lambda: load_scenario("ckd", overrides="serum_phosphate_mM=2"), ParameterError,
                                "overrides: 'serum_phosphate_mM=2' is a string"),
    "override without a value": (lambda: load_scenario("ckd", overrides=["serum_phosphate_mM"]), ParameterError,
                                 "is not of the form key=value"),
    "misspelt output": (lambda: VascularModel(**TINY).stat("calcified_fractoin"), KeyError,
                        "did you mean 'calcified_fraction'"),
    "time step too long": (lambda: VascularModel(dt_h=100, **TINY), ParameterError, "'dt_h': 100 is not allowed"),
    "serum value under a coupled patient": (
        lambda: VascularModel(patient_coupled=True, serum_phosphate_mM=2, **TINY), ParameterError,
        "with patient_coupled = true the patient's serum sets it"),
}


@pytest.mark.parametrize("case", sorted(API_CASES))
def test_bad_python_api_input_is_one_clear_exception(case):
    make, error, expected = API_CASES[case]
    with pytest.raises(error) as info:
        make()
    message = info.value.args[0] if isinstance(info.value, KeyError) else str(info.value)
    assert expected in message and len(message.splitlines()) == 1, message


def test_numpy_scalars_and_mesa_rng_are_accepted():
    m = VascularModel(lattice_rows=np.int64(4), lattice_cols=np.int32(4), serum_phosphate_mM=np.float32(2.0),
                      rng=np.int64(3))
    assert m.params.lattice_rows == 4 and isinstance(m.params.lattice_rows, int)
    rules = VascularModel(rules_overrides={"apoptosis_base": {"saturation": 2e-5}}, **TINY)
    assert rules.rules_overrides == [{"saturation": 2e-5, "id": "apoptosis_base"}]


def test_the_catalogue_holds_at_least_sixty_cases():
    from tests.test_cli import BAD_INPUTS

    n = len(BAD_INPUTS) + len(TOML_CASES) + len(SWEEP_CASES) + 3 + len(CHECKPOINT_CASES) + len(API_CASES)
    assert n >= 60, n
