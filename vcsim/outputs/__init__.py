"""Outputs: the registry of reported quantities, run directories, checkpoints and provenance.

- :mod:`~vcsim.outputs.registry`: :class:`Output`, :class:`OutputRegistry` (name, units, meaning,
  how it is computed);
- :mod:`~vcsim.outputs.atomic`: files written atomically;
- :mod:`~vcsim.outputs.provenance`: what metadata.json records (version, commit, parameters);
- :mod:`~vcsim.outputs.directory`: the run directory, its files and checkpoint;
- :mod:`~vcsim.outputs.runs`: :func:`run_to_directory` (progress, clean stops, resume).

Their names are re-exported here (``from vcsim.outputs import run_to_directory``), imported on
first use so that the registry can be read without loading the model.
"""

from __future__ import annotations

from typing import Any

from vcsim.outputs.registry import Output, OutputGroup, OutputRegistry

_MODULES = ("atomic", "provenance", "directory", "runs")


def __getattr__(name: str) -> Any:
    import importlib

    for module in _MODULES:
        obj = importlib.import_module(f"vcsim.outputs.{module}")
        if hasattr(obj, name):
            return getattr(obj, name)
    raise AttributeError(f"module 'vcsim.outputs' has no attribute {name!r}")


__all__ = ["Output", "OutputGroup", "OutputRegistry", "RunResult", "StopRequest", "run_to_directory"]
