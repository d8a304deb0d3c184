"""Block threads: thread-count resolution, ordering, errors, and same bits for any count."""

from __future__ import annotations

import numpy as np
import pytest

from vcsim.model import VascularModel
from vcsim.parallel import MAX_THREADS, THREADS_ENV, map_blocks, map_processes, resolve_threads
from vcsim.params import ParameterError


def test_explicit_count_wins_and_env_is_the_default(monkeypatch):
    monkeypatch.setenv(THREADS_ENV, "3")
    assert resolve_threads(2) == 2
    assert resolve_threads(None) == 3
    monkeypatch.delenv(THREADS_ENV)
    assert 1 <= resolve_threads(None) <= MAX_THREADS


@pytest.mark.parametrize("bad", [0, -1, MAX_THREADS + 1, 2.0, True, "2"])
def test_bad_thread_counts_are_rejected_with_one_line(bad):
    with pytest.raises(ValueError, match=r"threads: .* is not allowed; expected an integer 1-"):
        resolve_threads(bad)


def test_malformed_environment_value_names_the_variable(monkeypatch):
    monkeypatch.setenv(THREADS_ENV, "many")
    with pytest.raises(ValueError, match=f"{THREADS_ENV}: 'many' is not allowed"):
        resolve_threads(None)
    with pytest.raises(ParameterError, match=THREADS_ENV):
        VascularModel(seed=1, lattice_rows=4, lattice_cols=4)


def test_map_blocks_keeps_input_order_and_reraises():
    assert map_blocks(lambda x: x * x, range(50), threads=4) == [x * x for x in range(50)]

    def boom(x):
        if x == 7:
            raise RuntimeError("block 7 failed")
        return x

    with pytest.raises(RuntimeError, match="block 7 failed"):
        map_blocks(boom, range(20), threads=2)


def test_model_gives_the_same_bits_on_one_and_two_threads():
    # 300 x 300: two cell chunks of 65536 and several speciation blocks per step
    kw = dict(seed=11, lattice_rows=300, lattice_cols=300, serum_phosphate_mM=2.4)
    one, two = VascularModel(threads=1, **kw), VascularModel(threads=2, **kw)
    assert two.threads == 2
    for _ in range(4):
        one.step()
        two.step()
    for name, arr in one.cells.arrays().items():
        assert np.array_equal(arr, two.cells.arrays()[name]), name
    for name, arr in one.lattice.fields.items():
        assert np.array_equal(arr, two.lattice.fields[name]), name
    assert one.datacollector.get_model_vars_dataframe().equals(two.datacollector.get_model_vars_dataframe())


def test_a_forked_child_gets_fresh_pools_and_one_thread_by_default(monkeypatch):
    import multiprocessing

    monkeypatch.delenv(THREADS_ENV, raising=False)
    map_blocks(abs, [-1, -2, -3], threads=2)  # the parent now holds a pool with threads

    def child(q):
        q.put((resolve_threads(None), map_blocks(abs, [-1, -2, -3], threads=2)))

    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    proc = ctx.Process(target=child, args=(q,))
    proc.start()
    result = q.get(timeout=60)
    proc.join(timeout=60)
    assert result == (1, [1, 2, 3])


def _power(x: int, n: int) -> int:
    return x**n


@pytest.mark.parametrize("workers", [1, 2])
def test_map_processes_keeps_job_order_and_reports_each_result(workers):
    seen = []
    jobs = [(x, 2) for x in range(7)]
    out = map_processes(_power, jobs, workers, lambda i, r: seen.append((i, r)))
    assert out == [x * x for x in range(7)]
    assert seen == list(enumerate(out, 1))
