"""The built wheel works on its own: build it, install it in a fresh virtual environment and use
the ``vcsim`` command from a directory outside the checkout, as a user who ran
``pip install <the repository>`` would.

The wheel is built (``pip wheel --no-deps``, PEP 517 with build isolation, as ``pip install``
does) from a copy of the working tree, so nothing is written into the checkout. The new
environment sees the test environment's dependencies through a ``.pth`` file (a venv made with
``--system-site-packages`` from inside a venv would see the base interpreter's packages, not
this one's), but its own site-packages comes first on ``sys.path``: the test checks that
``vcsim`` is imported from the wheel, with ``PYTHONPATH`` unset and the working directory
outside the checkout. The first run compiles the numba kernels into the new install's
``__pycache__`` (the disk cache lives beside the installed source), which is most of the time.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest

import vcsim
from vcsim.scenario import scenario_names, sweep_names

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
SMALL = ["--set", "lattice_rows=6", "--set", "lattice_cols=10"]

#: Seconds each step took (printed at the end of the module with ``pytest -s``).
TIMES: dict[str, float] = {}


def _copy_source(dest: Path) -> None:
    """The working tree as it is (tracked and untracked files that git does not ignore), without
    build leftovers; everything when the checkout is not a git work tree."""
    files = None
    if shutil.which("git") and (REPO / ".git").exists():
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=REPO, capture_output=True, check=False)
        if out.returncode == 0:
            files = [f for f in out.stdout.decode().split("\0") if f]
    if files is None:
        shutil.copytree(REPO, dest, ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "runs"))
        shutil.rmtree(dest / "vcsim" / "scenarios", ignore_errors=True)  # a stray build copy
        return
    for name in files:
        src = REPO / name
        if src.is_file():  # a tracked file deleted in the work tree is skipped
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)


def _run(cmd: list[str] | str, *, env: dict[str, str] | None = None, cwd: Path | None = None,
         timeout: float = 600, check: bool = True, shell: bool = False,
         ) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          shell=shell, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} exited {proc.returncode}\n--- stdout\n{proc.stdout[-3000:]}"
                             f"\n--- stderr\n{proc.stderr[-3000:]}")
    return proc


class Install:
    """A fresh virtual environment with the wheel installed, and a working directory in tmp."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.venv = root / "venv"
        self.bin = self.venv / ("Scripts" if os.name == "nt" else "bin")
        self.python = self.bin / ("python.exe" if os.name == "nt" else "python")
        self.work = root / "work"
        self.work.mkdir()
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")}
        env.update(PATH=f"{self.bin}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(self.venv),
                   MPLBACKEND="Agg", PYTHONUNBUFFERED="1")
        self.env = env

    def vcsim(self, *args: str, check: bool = True, timeout: float = 600,
              ) -> subprocess.CompletedProcess:
        return _run([str(self.bin / "vcsim"), *args], env=self.env, cwd=self.work, check=check,
                    timeout=timeout)


@pytest.fixture(scope="module")
def install(tmp_path_factory) -> Install:
    root = tmp_path_factory.mktemp("wheel")
    src, wheelhouse = root / "src", root / "dist"
    _copy_source(src)
    assert not (src / "vcsim" / "scenarios").exists(), "the scenario copy must not be in git"

    t0 = time.perf_counter()
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir",
          str(wheelhouse), str(src)], cwd=root)
    TIMES["build wheel"] = time.perf_counter() - t0
    wheels = sorted(wheelhouse.glob("vcsim-*.whl"))
    assert [w.name for w in wheels] == [f"vcsim-{vcsim.__version__}-py3-none-any.whl"]

    inst = Install(root)
    t0 = time.perf_counter()
    _run([sys.executable, "-m", "venv", "--without-pip", str(inst.venv)])
    purelib = Path(_run([str(inst.python), "-c",
                         "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        env=inst.env, cwd=inst.work).stdout.strip())
    deps = [*site.getsitepackages(), sysconfig.get_paths()["purelib"]]
    if site.ENABLE_USER_SITE and Path(site.getusersitepackages()).is_dir():
        deps.append(site.getusersitepackages())
    # appended after the venv's own site-packages: the wheel's vcsim comes first
    (purelib / "zz_vcsim_test_dependencies.pth").write_text(
        "".join(f"{d}\n" for d in dict.fromkeys(deps)))
    _run([sys.executable, "-m", "pip", "--python", str(inst.python), "install", "--quiet",
          "--no-deps", "--no-index", str(wheels[0])], env=inst.env, cwd=inst.work)
    TIMES["venv + install"] = time.perf_counter() - t0
    inst.purelib = purelib  # type: ignore[attr-defined]
    inst.wheel = wheels[0]  # type: ignore[attr-defined]
    inst.src = src  # type: ignore[attr-defined]
    return inst


def test_the_wheel_holds_the_scenarios_sweep_specs_and_every_data_file(install):
    with zipfile.ZipFile(install.wheel) as whl:
        names = set(whl.namelist())
    src = install.src
    expected = {f"vcsim/scenarios/{p.name}" for p in (src / "scenarios").glob("*.toml")}
    expected |= {f"vcsim/scenarios/sweeps/{p.name}"
                 for p in (src / "scenarios" / "sweeps").glob("*.toml")}
    # data files of the package itself (vcsim/cells/rules.csv, ...): whatever is not Python
    expected |= {p.relative_to(src).as_posix() for p in (src / "vcsim").rglob("*")
                 if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}
    assert "vcsim/cells/rules.csv" in expected and "vcsim/scenarios/ckd.toml" in expected
    assert expected <= names, sorted(expected - names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not any(n.startswith(("scenarios/", "tests/")) for n in names)  # only the package


def test_vcsim_is_imported_from_the_installed_wheel(install):
    out = _run([str(install.python), "-c",
                "import vcsim, vcsim.scenario as s; print(vcsim.__file__); print(s.SCENARIO_DIR)"],
               env=install.env, cwd=install.work).stdout.split("\n")
    package = Path(out[0]).resolve().parent
    assert package == (install.purelib / "vcsim").resolve(), out
    assert REPO not in package.parents
    assert Path(out[1]).resolve() == package / "scenarios"


def test_version(install):
    proc = install.vcsim("--version")
    assert proc.stdout.strip() == f"vcsim {vcsim.__version__}"


def test_list_shows_the_shipped_scenarios_and_sweep_specs(install):
    lines = install.vcsim("list").stdout.strip().splitlines()
    assert [ln.split()[0] for ln in lines] == scenario_names()
    assert "ckd" in scenario_names() and all("cannot load" not in ln for ln in lines)
    sweeps = install.vcsim("list", "--sweeps").stdout.strip().splitlines()
    assert [ln.split()[0] for ln in sweeps] == sweep_names() and sweep_names()


def test_run_a_shipped_scenario(install):
    out = install.work / "r"
    t0 = time.perf_counter()
    proc = install.vcsim("run", "ckd", "--days", "0.25", *SMALL, "--out", str(out), "--quiet")
    TIMES["first run (numba compiles)"] = time.perf_counter() - t0
    assert "ckd: complete" in proc.stdout, proc.stdout
    assert (out / "timeseries.csv").read_text().count("\n") >= 2
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["vcsim_version"] == vcsim.__version__
    assert meta["git_commit"] is None  # an installed package is no git checkout
    assert Path(meta["scenario"]["source_files"][0]).is_relative_to(install.venv)
    # numba's disk cache is beside the installed source
    assert list((install.purelib / "vcsim").rglob("__pycache__/*.nbi"))


def test_a_user_scenario_outside_the_repository_extends_a_shipped_one(install):
    user = install.work / "my_ckd.toml"
    user.write_text('description = "my CKD"\nextends = "ckd"\ndays = 0.25\n\n'
                    "[parameters]\nserum_phosphate_mM = 2.6\n\n"
                    "[lattice]\nlattice_rows = 6\nlattice_cols = 10\n")
    out = install.work / "r_user"
    t0 = time.perf_counter()
    proc = install.vcsim("run", "my_ckd.toml", "--out", str(out), "--quiet", "--no-figure")
    TIMES["second run (cached kernels)"] = time.perf_counter() - t0
    assert "my_ckd: complete at day 0.25" in proc.stdout, proc.stdout
    meta = json.loads((out / "metadata.json").read_text())["scenario"]
    *shipped, mine = (Path(f) for f in meta["source_files"])  # base first
    assert shipped[-1].name == "ckd.toml" and all(f.is_relative_to(install.venv) for f in shipped)
    assert mine == user.resolve()
    assert meta["changed_parameters"]["serum_phosphate_mM"] == 2.6


def test_messages_name_the_installed_command(install):
    proc = install.vcsim("run", "ckdd", check=False)
    assert proc.returncode == 2
    assert f"did you mean 'ckd'? (vcsim list shows all {len(scenario_names())})" in proc.stderr
    help_text = install.vcsim("sweep", "--help").stdout
    assert "vcsim list --sweeps" in help_text and "run.py" not in help_text
    assert install.vcsim("run", "--help").stdout.startswith("usage: vcsim run")


def test_sweep_a_shipped_spec_by_name(install):
    proc = install.vcsim("sweep", "ckd_phosphate", "--out", str(install.work / "sw"), "--dry-run")
    assert "design grid, 5 points x 3 replicates" in proc.stdout, proc.stdout


def test_params_of_a_scenario_through_a_pipe(install):
    proc = _run(f'"{install.bin / "vcsim"}" params --scenario ckd | head -n 4', shell=True,
                env=install.env, cwd=install.work)
    lines = proc.stdout.splitlines()
    assert len(lines) == 4 and lines[0].startswith("| name | group | default")
    assert proc.stderr == ""  # the closed pipe is no error or traceback


def test_report_times(install):
    print("\nwheel test times: " + ", ".join(f"{k} {v:.1f} s" for k, v in TIMES.items()))
