"""Where runs execute (in process, a local process pool, Dask), and the sweep loop that feeds
their results to the files.

Every executor has ``map(job, tasks)``, yielding one :class:`RunRecord` per task in completion
order; a run that raises is already a failed record (:func:`vcsim.sweep.runner.execute_run`),
and each executor turns its own infrastructure failures into failed records too:

- :class:`SerialExecutor`: runs in the calling process (debugging, notebooks).
- :class:`LocalPoolExecutor`: a ``concurrent.futures`` process pool, one worker per core by
  default, at most one run per worker in flight. A worker that dies (SIGKILL, out of memory,
  segfault) breaks the pool: the runs in flight become failed records and the pool is
  recreated; the sweep goes on.
- :class:`DaskExecutor`: ``dask.distributed`` on an existing scheduler (a cluster, or HPC
  through dask-jobqueue) or a ``LocalCluster`` it starts. Dask reruns a task whose worker
  died; after ``distributed.scheduler.allowed-failures`` deaths it is a failed record.
  Needs the ``vcsim[distributed]`` extra, imported only when used.

The records are identical whatever the executor: seeds come from the spec, not the worker.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from vcsim import __version__
from vcsim.sweep import results as res
from vcsim.sweep.runner import (
    RunFunction,
    RunRecord,
    SweepContext,
    execute_run,
    failed_record,
    faults_from_env,
    one_line,
    resolve_spec,
    run_model,
)
from vcsim.sweep.spec import SEED_SCHEME, RunTask, SweepError, SweepSpec

Job = Callable[[RunTask], RunRecord]
WORKER_DIED = (
    "worker process died while this run was in flight (killed by a signal, out of memory or "
    "crashed); --resume retries it"
)


def available_cores() -> int:
    """Cores this process may use (the affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class Executor(Protocol):
    def map(self, job: Job, tasks: Iterable[RunTask]) -> Iterator[RunRecord]: ...

    def describe(self) -> dict[str, Any]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """Runs every task in the calling process, one after another."""

    def map(self, job: Job, tasks: Iterable[RunTask]) -> Iterator[RunRecord]:
        for task in tasks:
            yield job(task)

    def describe(self) -> dict[str, Any]:
        return {"kind": "serial", "workers": 1}

    def close(self) -> None:
        pass


def _mp_context() -> multiprocessing.context.BaseContext:
    # forkserver: workers fork from a clean single-threaded server with vcsim preloaded
    # (fork from the parent is unsafe once threads exist; spawn re-imports everything)
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["vcsim.sweep.runner", "vcsim.model", "vcsim.sweep.preload"])
        return ctx
    return multiprocessing.get_context("spawn")


class LocalPoolExecutor:
    """A local process pool with ``workers`` processes (default: one per available core)."""

    def __init__(self, workers: int | None = None):
        if workers is not None and workers < 1:
            raise SweepError(f"workers = {workers} is not allowed; expected an integer >= 1")
        self.workers = workers or available_cores()
        self._ctx = _mp_context()
        self._pool: ProcessPoolExecutor | None = None
        self.restarts = 0

    def _new_pool(self) -> ProcessPoolExecutor:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=self._ctx)
        return self._pool

    def map(self, job: Job, tasks: Iterable[RunTask]) -> Iterator[RunRecord]:
        queue = deque(tasks)
        inflight: dict[Future, tuple[RunTask, float]] = {}
        pool = self._pool or self._new_pool()

        def settle(fut: Future, task: RunTask, t0: float) -> tuple[RunRecord, bool]:
            exc = fut.exception()
            if exc is None:
                return fut.result(), False
            wall = time.perf_counter() - t0
            if isinstance(exc, BrokenProcessPool):
                return failed_record(task, WORKER_DIED, wall), True
            return failed_record(task, one_line(exc), wall), False

        while queue or inflight:
            broken = False
            while queue and len(inflight) < self.workers:
                task = queue.popleft()
                try:
                    fut = pool.submit(job, task)
                except BrokenProcessPool:
                    queue.appendleft(task)
                    broken = True
                    break
                inflight[fut] = (task, time.perf_counter())
            if inflight:
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for fut in done:
                    task, t0 = inflight.pop(fut)
                    record, died = settle(fut, task, t0)
                    broken |= died
                    yield record
            if broken:
                # once the pool is broken every run still in flight fails promptly
                wait(inflight)
                for fut, (task, t0) in list(inflight.items()):
                    yield settle(fut, task, t0)[0]
                inflight.clear()
                self.restarts += 1
                pool = self._new_pool()

    def describe(self) -> dict[str, Any]:
        return {"kind": "process-pool", "workers": self.workers,
                "start_method": self._ctx.get_start_method(), "pool_restarts": self.restarts}

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def import_distributed() -> Any:
    """``dask.distributed``, or a one-line error saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise SweepError(
            "the Dask executor needs dask.distributed: pip install 'vcsim[distributed]'"
        ) from None
    return distributed


class DaskExecutor:
    """Runs on Dask: the scheduler at ``address`` (``tcp://host:8786``), or a LocalCluster of
    ``n_workers`` single-threaded worker processes started (and closed) here.

    Workers must run the same vcsim version (each record carries it; a mismatch fails the run).
    """

    def __init__(self, address: str | None = None, n_workers: int | None = None,
                 window: int | None = None):
        distributed = import_distributed()
        self.address = address
        self.cluster = None
        if address:
            try:
                self.client = distributed.Client(address, timeout="30s")
            except OSError as exc:
                raise SweepError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        else:
            self.cluster = distributed.LocalCluster(
                n_workers=n_workers or available_cores(), threads_per_worker=1,
                processes=True, dashboard_address=None,
            )
            self.client = distributed.Client(self.cluster)
        self.window = window

    def _threads(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def map(self, job: Job, tasks: Iterable[RunTask]) -> Iterator[RunRecord]:
        from distributed import as_completed

        window = self.window or max(64, 4 * self._threads())
        todo = iter(tasks)
        submitted: dict[str, tuple[RunTask, float]] = {}
        queue = as_completed()
        token = uuid.uuid4().hex[:8]

        def submit(task: RunTask) -> None:
            fut = self.client.submit(job, task, key=f"vcsim-run-{task.run_id}-{token}", pure=False)
            submitted[fut.key] = (task, time.perf_counter())
            queue.add(fut)

        for task in islice(todo, window):
            submit(task)
        for fut in queue:
            task, t0 = submitted.pop(fut.key)
            try:
                record = fut.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker, lost connection, ...
                record = failed_record(task, "dask: " + one_line(exc), time.perf_counter() - t0)
            fut.release()
            yield record
            nxt = next(todo, None)
            if nxt is not None:
                submit(nxt)

    def describe(self) -> dict[str, Any]:
        return {"kind": "dask", "scheduler": self.client.scheduler.address,
                "local_cluster": self.cluster is not None, "threads": self._threads()}

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


# ---------------------------------------------------------------------- the sweep loop
@dataclass
class SweepSummary:
    """What one call of :func:`run_sweep` did."""

    out: Path
    total: int
    already_ok: int
    ran: int = 0
    ok: int = 0
    failed: int = 0
    wall_time_s: float = 0.0
    failed_ids: list[int] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every run of the sweep finished ok."""
        return self.already_ok + self.ok == self.total


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if a.get(key) != b.get(key):
                return _first_difference(a.get(key), b.get(key), f"{path}.{key}" if path else key)
    return f"{path or 'spec'}: {a!r} before, {b!r} now"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _versions() -> dict[str, str]:
    out = {"vcsim": __version__, "python": platform.python_version()}
    from importlib.metadata import PackageNotFoundError, version

    for name in ("numpy", "pandas", "mesa", "SALib"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    return out


#: a sweep with more runs than this starts with a warning that says how many
LARGE_SWEEP_RUNS = 10_000


def run_sweep(
    spec: SweepSpec,
    out: str | Path,
    *,
    executor: Executor | None = None,
    resume: bool = False,
    run_fn: RunFunction | None = None,
    progress: bool = True,
    warn: Callable[[str], None] | None = None,
) -> SweepSummary:
    """Run (or, with ``resume``, continue) the sweep ``spec`` into the folder ``out``.

    Writes ``sweep.json`` (resolved spec, versions, seed scheme, sessions), ``design.csv``,
    ``results.csv`` and, when asked, ``timeseries.csv`` (see :mod:`vcsim.sweep.results`).
    Resuming skips runs whose last status is ok and retries the others; the spec must resolve
    to the one recorded in ``sweep.json``. ``run_fn`` replaces the vcsim model (tests, derived
    models); ``executor`` defaults to a :class:`LocalPoolExecutor` (closed at the end).
    """
    warn = warn or (lambda msg: print(msg, file=sys.stderr))
    run_fn = run_fn or run_model
    spec = resolve_spec(spec, run_fn, warn)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise SweepError(f"--out: {out} exists and is not a directory; choose a directory for the sweep")
    design = spec.design_points()
    tasks = spec.runs(design)
    if len(tasks) > LARGE_SWEEP_RUNS:
        warn(f"sweep: {len(tasks):,} runs ({len(design):,} points x {spec.replicates} replicates) of "
             f"{spec.days:g} days each; at a few seconds per run this takes "
             f"{len(tasks) * 3.0 / 86400.0:,.0f}+ days of CPU; stop with Ctrl-C and check the design "
             "with --dry-run if this is not what you meant")
    resolved = json.loads(json.dumps(spec.to_dict()))
    meta_path = out / res.SWEEP_JSON
    meta: dict[str, Any]
    if meta_path.exists() or (out / res.RESULTS).exists():
        if not resume:
            raise SweepError(
                f"{out} already holds a sweep; add --resume to continue it, or choose a new --out"
            )
        if not meta_path.exists():
            raise SweepError(f"{out} has {res.RESULTS} but no {res.SWEEP_JSON}; choose a new --out")
        meta = res.read_json(meta_path)
        if meta.get("spec") != resolved:
            raise SweepError(
                f"cannot resume {out}: the spec differs from the one it was started with "
                f"({_first_difference(meta.get('spec'), resolved)}); use a new --out"
            )
        res.compact(out)
    else:
        out.mkdir(parents=True, exist_ok=True)
        meta = {
            "vcsim_version": __version__,
            "versions": _versions(),
            "created": _now(),
            "spec_file": spec.source,
            "spec": resolved,
            "seed_scheme": SEED_SCHEME,
            "n_points": len(design),
            "n_runs": len(tasks),
            "parameters": list(spec.names),
            "metrics": list(spec.metrics),
            "results_columns": res.result_columns(spec.names, spec.metrics),
            "timeseries_format": (
                "none" if spec.timeseries == "none" else
                "long: run_id, step, day, metric, value ("
                + ("exported metrics, once a day" if spec.timeseries == "summary"
                   else "every series, every step") + ")"
            ),
            "results_rule": "one row per run_id; while running, the last row of a run_id wins",
            "sessions": [],
        }
        if spec.design in ("sobol", "morris"):
            meta["salib_problem"] = spec.salib_problem()
        res.write_design(out, design)

    status = res.statuses(out)
    pending = [t for t in tasks if status.get(t.run_id) != "ok"]
    summary = SweepSummary(out, len(tasks), len(tasks) - len(pending))
    own_executor = executor is None
    executor = executor or LocalPoolExecutor()
    session: dict[str, Any] = {"started": _now(), "resumed": bool(status),
                               "executor": executor.describe(), "to_run": len(pending)}
    meta["sessions"].append(session)
    meta["status"] = "running"
    res.write_json(meta_path, meta)

    from tqdm import tqdm

    job = partial(execute_run, run_fn, SweepContext.from_spec(spec, faults_from_env()))
    writer = res.ResultsWriter(out, spec.names, spec.metrics, timeseries=spec.timeseries != "none")
    bar = tqdm(total=len(tasks), initial=summary.already_ok, unit="run", desc="sweep",
               dynamic_ncols=True, file=sys.stderr, disable=None if progress else True)
    t0 = time.perf_counter()
    try:
        for record in executor.map(job, pending):
            if record.vcsim_version != __version__:
                record = failed_record(record.task, f"worker runs vcsim {record.vcsim_version}, "
                                       f"this sweep {__version__}", record.wall_time_s)
            writer.append(record)
            summary.ran += 1
            if record.status == "ok":
                summary.ok += 1
            else:
                summary.failed += 1
                summary.failed_ids.append(record.task.run_id)
            bar.set_postfix_str(f"failed={summary.failed}", refresh=False)
            bar.update(1)
    finally:
        bar.close()
        writer.close()
        summary.wall_time_s = time.perf_counter() - t0
        res.compact(out)
        session.update(finished=_now(), ran=summary.ran, ok=summary.ok, failed=summary.failed,
                       wall_time_s=round(summary.wall_time_s, 3), executor=executor.describe())
        final = res.statuses(out)
        n_ok = sum(1 for s in final.values() if s == "ok")
        meta["status"] = "complete" if n_ok == len(tasks) else "incomplete"
        meta["runs_ok"] = n_ok
        meta["runs_failed"] = len(final) - n_ok
        res.write_json(meta_path, meta)
        if own_executor:
            executor.close()
    return summary
