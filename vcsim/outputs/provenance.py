"""Provenance of a run: version, git commit, library versions, parameters, seed (metadata.json)."""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import platform
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import vcsim


def git_commit(repo: str | Path | None = None) -> str | None:
    """``git rev-parse HEAD`` of the source tree vcsim runs from, or None (no git, no repo, or
    an installed package: a wheel installed in a virtual environment that happens to sit inside
    some git work tree does not report that tree's commit)."""
    repo = Path(repo) if repo is not None else Path(vcsim.__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel", "HEAD"], cwd=repo, capture_output=True,
            text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.stdout.split("\n")
    if out.returncode != 0 or len(lines) < 2:
        return None
    try:
        same_tree = Path(lines[0].strip()).resolve() == repo.resolve()
    except OSError:
        return None
    commit = lines[1].strip()
    return commit if same_tree and len(commit) >= 40 else None


def environment() -> dict[str, Any]:
    """Platform and library versions."""
    import matplotlib
    import mesa

    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "mesa": mesa.__version__,
        "matplotlib": matplotlib.__version__,
        "numba": _numba_version(),
    }


def _numba_version() -> str | None:
    try:
        return importlib.metadata.version("numba")
    except importlib.metadata.PackageNotFoundError:
        return None


def now_iso() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def build_metadata(scenario: Any, model: Any, *, status: str, days: float,
                   started: str, wall_time_s: float, extra: Mapping[str, Any] | None = None,
                   ) -> dict[str, Any]:
    """The metadata.json record of a run (generic over the model's public attributes)."""
    params = model.params
    schema = params.schema
    meta: dict[str, Any] = {
        "vcsim_version": vcsim.__version__,
        "git_commit": git_commit(),
        "status": status,
        "scenario": scenario.to_dict() if scenario is not None else None,
        "seed": int(model.seed),
        "engine": model.engine,
        "days_requested": days,
        "steps_completed": int(model.steps),
        "simulated_days": float(model.time_h) / 24.0,
        "start_time": started,
        "end_time": now_iso() if status != "running" else None,
        "wall_time_s": round(float(wall_time_s), 3),
        **environment(),
        "command": list(sys.argv),
        "parameters": params.to_dict(),
        "parameter_units": {p.name: p.units for p in schema},
        "changed_parameters": params.changed(),
        "schedule": model.schedule.to_records(),
        "rules_overrides": [dict(e) for e in getattr(model, "rules_overrides", [])],
    }
    if extra:
        meta.update(extra)
    return meta
