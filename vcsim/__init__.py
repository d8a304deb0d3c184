"""vcsim: an agent-based simulator of medial vascular calcification.

    from vcsim import VascularModel, run, load_scenario
    model = run(load_scenario("ckd").make_model(seed=1), days=7)
"""

from __future__ import annotations

from typing import Any

__version__ = "0.2.0"

_LAZY = {"VascularModel": "vcsim.model", "run": "vcsim.model", "load_scenario": "vcsim.scenario",
         "Scenario": "vcsim.scenario"}


def __getattr__(name: str) -> Any:
    # the model (and numba) load on first use, so ``import vcsim`` stays light
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'vcsim' has no attribute {name!r}")


__all__ = ["Scenario", "VascularModel", "__version__", "load_scenario", "run"]
