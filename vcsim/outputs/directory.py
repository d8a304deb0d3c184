"""The run directory: the files of one run, written atomically, and its checkpoint.

A run directory holds::

    timeseries.csv          one row per step (step 0 = initial state), units in column names
    nucleation_events.csv   one row per nucleation event (time, site, S, source, inhibition)
    transitions.csv         one row per phenotype transition
    metadata.json           provenance: version, git commit, parameters, schedule, rules
                            overrides, seed, engine, scenario, times, platform, status
    summary.png             the summary figure (:mod:`vcsim.figures`)
    snapshots/day_XXX.npz   lattice fields and cell state every ``snapshot_every_days``
    checkpoint.npz/.json    the state to continue from (``--resume``); arrays + JSON, no pickle
"""

from __future__ import annotations

import contextlib
import json
import secrets
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vcsim.outputs.atomic import (
    atomic_save_npz,
    atomic_write_bytes,
    atomic_write_csv,
    atomic_write_json,
    load_npz,
)
from vcsim.scenario import ScenarioError

TIMESERIES = "timeseries.csv"
NUCLEATION_EVENTS = "nucleation_events.csv"
TRANSITIONS = "transitions.csv"
METADATA = "metadata.json"
FIGURE = "summary.png"
SNAPSHOT_DIR = "snapshots"
CHECKPOINT_ARRAYS = "checkpoint.npz"
CHECKPOINT_META = "checkpoint.json"

#: Files (and the snapshot directory) a run writes; ``--force`` removes only these.
RUN_FILES = (TIMESERIES, NUCLEATION_EVENTS, TRANSITIONS, METADATA, FIGURE,
             CHECKPOINT_ARRAYS, CHECKPOINT_META)




class OutputError(ScenarioError):
    """The output directory cannot be used as asked (exists, no checkpoint, mismatch)."""


def snapshot_name(day: float) -> str:
    """``day_007.npz`` for whole days, ``day_007.500.npz`` otherwise."""
    if abs(day - round(day)) < 1e-9:
        return f"day_{int(round(day)):03d}.npz"
    return f"day_{day:07.3f}.npz"


@dataclass
class RunDirectory:
    """The files of one run under ``path``."""

    path: Path

    def __post_init__(self) -> None:
        self.path = Path(self.path)

    def file(self, name: str) -> Path:
        return self.path / name

    def is_nonempty(self) -> bool:
        return self.path.is_dir() and any(self.path.iterdir())

    def check(self, *, force: bool = False, resume: bool = False) -> None:
        """Refuse what :meth:`prepare` would refuse, touching nothing (so a run can check its
        directory, then build its model, and only then change the disk)."""
        if self.path.exists() and not self.path.is_dir():
            raise OutputError(f"output path {self.path} exists and is not a directory")
        if resume:
            if force:
                raise OutputError("--resume and --force contradict each other; choose one")
            if not self.file(CHECKPOINT_META).is_file():
                raise OutputError(f"no checkpoint in {self.path} to resume from")
            return
        if self.is_nonempty() and not force:
            raise OutputError(
                f"output directory {self.path} exists and is not empty; "
                "use --force to overwrite or --resume to continue"
            )

    def prepare(self, *, force: bool = False, resume: bool = False) -> None:
        """Create the directory; refuse to overwrite a non-empty one unless ``force``.

        ``force`` removes only the files a run writes (and ``snapshots/day_*.npz``), never
        anything else the directory may hold.
        """
        self.check(force=force, resume=resume)
        if resume:
            return
        if self.is_nonempty():
            for name in RUN_FILES:
                with contextlib.suppress(FileNotFoundError):
                    self.file(name).unlink()
            snaps = self.file(SNAPSHOT_DIR)
            if snaps.is_dir():
                for f in snaps.glob("day_*.npz"):
                    f.unlink()
                with contextlib.suppress(OSError):
                    snaps.rmdir()
        self.path.mkdir(parents=True, exist_ok=True)

    # -- results
    def write_results(self, model: Any, dtypes: Mapping[str, str] | None = None) -> list[Path]:
        """timeseries.csv, nucleation_events.csv, transitions.csv from the model's logs.

        ``dtypes`` (column -> dtype, recorded with the checkpoint) restores integer columns a
        checkpoint round trip stored as floats, so a resumed run writes the same text
        (``12``, not ``12.0``) as an uninterrupted one.
        """
        return [
            atomic_write_csv(self.file(TIMESERIES), _with_dtypes(model.timeseries_frame(), dtypes)),
            atomic_write_csv(self.file(NUCLEATION_EVENTS), model.nucleation_log.to_frame()),
            atomic_write_csv(self.file(TRANSITIONS), model.transition_log.to_frame()),
        ]

    def write_metadata(self, meta: Mapping[str, Any]) -> Path:
        return atomic_write_json(self.file(METADATA), meta)

    def read_metadata(self) -> dict[str, Any]:
        return json.loads(self.file(METADATA).read_text(encoding="utf-8"))

    def write_snapshot(self, model: Any) -> Path:
        arrays = dict(model.snapshot_fields())
        arrays["time_h"] = np.float64(model.time_h)
        arrays["step"] = np.int64(model.steps)
        return atomic_save_npz(self.file(SNAPSHOT_DIR) / snapshot_name(model.time_h / 24.0), arrays)

    def write_figure(self, model: Any, title: str = "") -> Path:
        from vcsim.chemistry.phases import HAP_CALCIUM
        from vcsim.figures import summary_png

        lattice = model.lattice
        mineral = lattice.fields.get("mineral_hap_mM")
        p = model.params
        data = summary_png(
            model.timeseries_frame(), model.phenotype_grid(),
            None if mineral is None else HAP_CALCIUM * mineral,
            lamina=getattr(lattice, "lamina", None),
            site_spacing_um=p.get("site_spacing_um"),
            calcified_threshold_mmol_per_L=p.get("calcified_threshold_mmol_per_L"),
            title=title, geometry=getattr(model, "geometry", None),
            labels={o.name: o.label for o in model.outputs} if hasattr(model, "outputs") else None,
            cell_type=model.cells.cell_type,
        )
        return atomic_write_bytes(self.file(FIGURE), data)

    # -- checkpoints
    def write_checkpoint(self, model: Any, run_info: Mapping[str, Any],
                         dtypes: Mapping[str, str] | None = None) -> None:
        """``checkpoint.npz`` (arrays) then ``checkpoint.json`` (metadata): the JSON is written
        last and names the arrays file's token, so a crash between the two is detected.

        The JSON also records the time series' column dtypes (see :meth:`write_results`).
        """
        arrays, meta = model.checkpoint()
        token = secrets.token_hex(8)
        arrays = dict(arrays)
        arrays["checkpoint_token"] = np.array(token)
        if dtypes is None:
            dtypes = {c: str(t) for c, t in model.timeseries_frame().dtypes.items()}
        atomic_save_npz(self.file(CHECKPOINT_ARRAYS), arrays)
        atomic_write_json(self.file(CHECKPOINT_META),
                          {"model": meta, "run": dict(run_info), "timeseries_dtypes": dict(dtypes),
                           "checkpoint_token": token})

    def read_checkpoint(self) -> tuple[dict[str, np.ndarray], dict[str, Any], dict[str, Any]]:
        """(arrays, model meta, run info) of the checkpoint."""
        try:
            record = json.loads(self.file(CHECKPOINT_META).read_text(encoding="utf-8"))
            arrays = load_npz(self.file(CHECKPOINT_ARRAYS))
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as exc:
            # truncated or bit-flipped files raise any of these from zipfile / zlib / numpy
            raise OutputError(f"cannot read the checkpoint in {self.path} ({type(exc).__name__}: {exc}); "
                              "it is damaged: rerun without --resume and with --force to start again") from None
        if not isinstance(record, dict) or not isinstance(record.get("model"), dict):
            raise OutputError(f"cannot read the checkpoint in {self.path} (checkpoint.json has no "
                              "'model' table); it is damaged: rerun without --resume and with --force "
                              "to start again")
        token = arrays.pop("checkpoint_token", None)
        if token is None or str(token) != record.get("checkpoint_token"):
            raise OutputError(f"{self.path}: checkpoint.npz and checkpoint.json do not belong together")
        run = dict(record.get("run", {}))
        run["timeseries_dtypes"] = record.get("timeseries_dtypes")
        return arrays, record["model"], run


def _with_dtypes(frame: pd.DataFrame, dtypes: Mapping[str, str] | None) -> pd.DataFrame:
    """Cast float columns back to the integer dtype they had, where the values allow it exactly."""
    if not dtypes:
        return frame
    frame = frame.copy()
    for col, dtype in dtypes.items():
        if col not in frame or str(frame[col].dtype) == dtype:
            continue
        kind = np.dtype(dtype).kind
        values = frame[col].to_numpy()
        if kind in "iu" and np.all(np.isfinite(values)) and np.all(values == np.round(values)):
            frame[col] = values.astype(dtype)
    return frame
