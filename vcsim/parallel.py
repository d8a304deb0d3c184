"""Threads for the block loops of a step (cell chunks, TNAP, speciation and transport blocks).

The vector path works block by block: cells in chunks of :data:`vcsim.cells.step.CHUNK_CELLS`,
the chemistry in blocks of sites. Each block reads only its own sites and writes
only its own sites, and every random draw is keyed by (seed, step, site, purpose), so the
blocks can run on several threads (numpy releases the GIL inside its loops) and give the same
bits whatever the thread count or the order the blocks finish in. Sums over blocks (PPi
hydrolysed) are taken once, after all blocks, in site order.

Thread count: the ``threads`` argument of :class:`vcsim.model.VascularModel`; by default the
``VCSIM_THREADS`` environment variable, else the CPUs this process may run on. A forked child
(a process-pool worker of a sweep or the validation suite) starts with no block threads and
defaults to one (``VCSIM_THREADS=1`` unless set): the pool already uses the cores.

Measured gain (2 cores, 1000 x 1000): ~1.2x on the cell update and ~1.8x on the TNAP blocks
(long scipy calls) on the numpy path, more with the compiled kernels of :mod:`vcsim.kernels`,
which release the GIL. The speciation blocks and the transport's per-field solves use threads
only when compiled: numpy's operations on 16k-site blocks are so short that handing the GIL
between threads costs more than the overlap gains (0.10 s serial, 0.15 s on two threads).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: environment variable holding the default thread count
THREADS_ENV = "VCSIM_THREADS"
#: at most this many threads (a step has at most a few dozen blocks per loop)
MAX_THREADS = 64

_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS reports one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def resolve_threads(threads: int | None = None) -> int:
    """The thread count to use: ``threads`` if given, else ``$VCSIM_THREADS``, else the CPUs.

    Raises ValueError (one line naming the value) for a count outside 1..MAX_THREADS or a
    malformed environment value.
    """
    source = "threads"
    if threads is None:
        env = os.environ.get(THREADS_ENV, "").strip()
        if not env:
            return min(available_cpus(), MAX_THREADS)
        source = THREADS_ENV
        try:
            threads = int(env)
        except ValueError:
            raise ValueError(f"{THREADS_ENV}: {env!r} is not allowed; expected an integer "
                             f"1-{MAX_THREADS}") from None
    if isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= MAX_THREADS:
        raise ValueError(f"{source}: {threads!r} is not allowed; expected an integer 1-{MAX_THREADS}")
    return threads


def _pool(threads: int) -> ThreadPoolExecutor:
    with _pools_lock:
        pool = _pools.get(threads)
        if pool is None:
            pool = _pools[threads] = ThreadPoolExecutor(max_workers=threads,
                                                        thread_name_prefix="vcsim-block")
        return pool


def map_blocks(fn: Callable[[T], R], items: Iterable[T], threads: int = 1) -> list[R]:
    """``[fn(x) for x in items]``, on up to ``threads`` threads; results in input order.

    ``fn`` must only touch its own block's data. Serial when ``threads == 1`` or there is one
    item, and when called from one of the pool's own threads (no nested waiting). The first
    exception raised by a block is re-raised here.
    """
    seq: Sequence[T] = items if isinstance(items, Sequence) else list(items)
    if threads <= 1 or len(seq) <= 1 or threading.current_thread().name.startswith("vcsim-block"):
        return [fn(x) for x in seq]
    return list(_pool(threads).map(fn, seq))


def map_processes(fn: Callable[..., R], jobs: Sequence[tuple], workers: int = 1,
                  on_result: Callable[[int, R], None] | None = None) -> list[R]:
    """``[fn(*job) for job in jobs]`` on a pool of ``workers`` processes (in this process when
    ``workers <= 1``); results in job order. ``on_result(i, result)`` is called as each result
    arrives (1-based ``i``), e.g. for progress. ``fn`` must be picklable (module level).
    """
    results: list[R] = []

    def collect(it: Iterable[R]) -> list[R]:
        for i, r in enumerate(it, 1):
            results.append(r)
            if on_result is not None:
                on_result(i, r)
        return results

    if workers <= 1 or len(jobs) <= 1:
        return collect(fn(*job) for job in jobs)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return collect(pool.map(fn, *zip(*jobs, strict=True)))


def _after_fork_in_child() -> None:
    # the parent's pool threads do not exist in the child: never submit to them
    global _pools_lock
    _pools.clear()
    _pools_lock = threading.Lock()
    os.environ.setdefault(THREADS_ENV, "1")


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
