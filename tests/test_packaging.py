"""Packaging without building anything: the program name in messages, where the shipped
scenarios are found in a checkout and in an installed wheel, ``--version``, one version
everywhere. (``test_wheel.py`` builds and installs the real wheel.)"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import vcsim
import vcsim.scenario as scenario
from vcsim.cli import main
from vcsim.progname import program_name
from vcsim.scenario import (
    ScenarioError,
    find_scenario_dir,
    load_scenario,
    scenario_names,
    sweep_names,
    sweep_spec_path,
)

REPO = Path(__file__).resolve().parent.parent
PACKAGE = Path(vcsim.__file__).resolve().parent


# ---------------------------------------------------------------------- the program name
@pytest.mark.parametrize("argv0, expected", [
    ("run.py", "python run.py"),
    ("./run.py", "python ./run.py"),
    ("/home/me/my vcsim/run.py", "python '/home/me/my vcsim/run.py'"),
    ("/home/me/.venv/bin/vcsim", "vcsim"),
    ("vcsim", "vcsim"),
    ("-c", "vcsim"),
    ("", "vcsim"),
    ("/usr/lib/python3/site-packages/pytest/__main__.py", "vcsim"),
    (str(PACKAGE / "cli.py"), "python -m vcsim.cli"),
    (str(PACKAGE / "sweep" / "__main__.py"), "python -m vcsim"),  # has no 'list'
    (str(PACKAGE / "__main__.py"), "python -m vcsim"),
])
def test_program_name_is_how_the_user_started_vcsim(argv0, expected):
    assert program_name(argv0) == expected


def test_program_name_of_a_module_names_the_module_for_its_own_subcommands():
    assert program_name(str(PACKAGE / "sweep" / "__main__.py"), main=False) == "python -m vcsim.sweep"
    assert program_name("run.py", main=False) == "python run.py"


def test_no_message_in_the_package_hard_codes_run_py():
    """Every ``python run.py`` left in vcsim/ is in a docstring or comment, never in a message."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#")[0]
            if "run.py" in code and ('f"' in code or "help=" in code or "print(" in code
                                     or "Error(" in code):
                offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


# ---------------------------------------------------------------------- where the scenarios are
def _tree(root: Path, files: list[str]) -> None:
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("")


def test_a_checkout_reads_the_top_level_scenarios(tmp_path):
    _tree(tmp_path, ["pyproject.toml", "scenarios/ckd.toml", "vcsim/__init__.py"])
    assert find_scenario_dir(tmp_path / "vcsim") == tmp_path / "scenarios"
    assert scenario.SCENARIO_DIR == REPO / "scenarios"  # this test suite runs from a checkout


def test_an_installed_wheel_reads_its_packaged_copy(tmp_path):
    # site-packages: no pyproject.toml beside the package, even if a stray scenarios/ exists
    _tree(tmp_path, ["vcsim/__init__.py", "vcsim/scenarios/ckd.toml", "scenarios/other.toml"])
    assert find_scenario_dir(tmp_path / "vcsim") == tmp_path / "vcsim" / "scenarios"


def test_no_copy_of_the_scenarios_is_kept_in_the_package_source():
    assert not (PACKAGE / "scenarios").exists()  # only a built wheel holds vcsim/scenarios/


def test_a_user_file_anywhere_extends_a_shipped_scenario_by_name(tmp_path):
    user = tmp_path / "elsewhere" / "mine.toml"
    user.parent.mkdir()
    user.write_text('extends = "ckd"\n[parameters]\nserum_phosphate_mM = 2.7\n')
    sc = load_scenario(user)
    assert sc.source_files[-2] == str(scenario.SCENARIO_DIR / "ckd.toml")
    assert sc.params.changed()["serum_phosphate_mM"] == 2.7


def test_without_shipped_scenarios_the_error_says_where_vcsim_looked(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(scenario, "SCENARIO_DIR", tmp_path / "none")
    with pytest.raises(ScenarioError, match="no shipped scenarios in"):
        load_scenario("ckd")
    assert main(["list"]) == 1
    assert "no shipped scenarios in" in capsys.readouterr().err


# ---------------------------------------------------------------------- sweep specs by name
def test_a_shipped_sweep_spec_is_found_by_name():
    assert "ckd_phosphate" in sweep_names()
    assert sweep_spec_path("ckd_phosphate") == scenario.SCENARIO_DIR / "sweeps" / "ckd_phosphate.toml"
    assert sweep_spec_path("some/where.toml") == Path("some/where.toml")  # a path as given
    with pytest.raises(ScenarioError, match="did you mean 'ckd_phosphate'"):
        sweep_spec_path("ckd_phosphat")


def test_list_sweeps_shows_every_shipped_spec(capsys):
    assert main(["list", "--sweeps"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [ln.split()[0] for ln in lines] == sweep_names()
    assert all("cannot load" not in ln and "runs)" in ln for ln in lines)


def test_unknown_scenario_names_the_command(capsys):
    assert main(["run", "ckdd"]) == 2
    err = capsys.readouterr().err  # in-process (argv[0] is pytest's): the installed name
    assert f"did you mean 'ckd'? (vcsim list shows all {len(scenario_names())})" in err


# ---------------------------------------------------------------------- version
@pytest.mark.parametrize("command", [["run.py"], ["-m", "vcsim.cli"], ["-m", "vcsim"]])
def test_version_prints_and_exits_zero(command):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, *command, "--version"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"vcsim {vcsim.__version__}"


def test_one_version_everywhere():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "version" in project["project"]["dynamic"] and "version" not in project["project"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "vcsim.__version__"}
    citation = (REPO / "CITATION.cff").read_text()
    assert f"\nversion: {vcsim.__version__}\n" in citation
    assert f"{vcsim.__version__}" in (REPO / "CHANGELOG.md").read_text()


def test_citation_file_is_valid_yaml_with_the_required_fields():
    yaml = pytest.importorskip("yaml")
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text())
    for key in ("cff-version", "message", "title", "authors", "version", "date-released",
                "license", "references"):
        assert key in cff, key
    assert cff["cff-version"] == "1.2.0" and cff["license"] == "MIT"
    assert all({"type", "authors", "title", "year"} <= set(ref) for ref in cff["references"])
