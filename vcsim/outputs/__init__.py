"""Outputs: the registry of reported quantities, run directories, checkpoints and provenance.

- :mod:`~vcsim.outputs.registry`: :class:`Output`, :class:`OutputRegistry` (name, units, meaning,
  how it is computed);
- :mod:`~vcsim.outputs.runs`: run directories written atomically, checkpoints, provenance,
  :func:`run_to_directory`.

The run-directory names are re-exported here (``from vcsim.outputs import run_to_directory``),
imported on first use so that the registry can be read without loading the model.
"""

from __future__ import annotations

from typing import Any

from vcsim.outputs.registry import Output, OutputGroup, OutputRegistry


def __getattr__(name: str) -> Any:
    import importlib

    runs = importlib.import_module("vcsim.outputs.runs")
    try:
        return getattr(runs, name)
    except AttributeError:
        raise AttributeError(f"module 'vcsim.outputs' has no attribute {name!r}") from None


__all__ = ["Output", "OutputGroup", "OutputRegistry"]
