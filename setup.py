"""Build step that puts the shipped scenarios into the wheel (everything else is in pyproject.toml).

The repository keeps the scenario files at the top level, ``scenarios/*.toml`` and the sweep
specs ``scenarios/sweeps/*.toml``, where users read and edit them. A wheel holds only the
``vcsim`` package, so ``build_py`` copies those files into the built package as
``vcsim/scenarios/`` and ``vcsim/scenarios/sweeps/``; :func:`vcsim.scenario.find_scenario_dir`
reads that copy in an installed wheel and the top-level folder in a checkout. The files are in
git once (``vcsim/scenarios/`` is ignored), and the sdist carries them through ``MANIFEST.in``.
An editable install copies nothing: it reads the top-level folder, so edits take effect at once.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent

#: (folder in the repository, pattern, folder inside the package) of the files to ship.
SHIPPED = (
    ("scenarios", "*.toml", "vcsim/scenarios"),
    ("scenarios/sweeps", "*.toml", "vcsim/scenarios/sweeps"),
)


def shipped_files() -> list[tuple[Path, str]]:
    """``(source file, path inside the wheel)`` of every shipped scenario and sweep spec."""
    files = []
    for folder, pattern, target in SHIPPED:
        for src in sorted((HERE / folder).glob(pattern)):
            files.append((src, f"{target}/{src.name}"))
    return files


class BuildPyWithScenarios(build_py):
    """``build_py`` that also copies the top-level scenario files into the package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        files = shipped_files()
        if not files:
            raise SystemExit(f"setup.py: no scenario files under {HERE / 'scenarios'}")
        for src, rel in files:
            dest = Path(self.build_lib) / rel
            self.mkpath(str(dest.parent))
            self.copy_file(str(src), str(dest))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not getattr(self, "editable_mode", False):
            outputs += [str(Path(self.build_lib) / rel) for _, rel in shipped_files()]
        return outputs


setup(cmdclass={"build_py": BuildPyWithScenarios})
