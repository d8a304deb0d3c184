"""The optional compiled kernels give the same bits as the numpy code they replace.

Each kernel is compared with the numpy path on random inputs (hypothesis), including the
special values whose handling differs between naive compiled code and numpy (NaN, +-inf,
-0.0), and whole model runs are compared step by step. The numpy path itself is what the rest
of the suite tests when numba is absent, and with ``VCSIM_KERNELS=numpy``.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from vcsim import kernels
from vcsim.cells import signals
from vcsim.cells.rules import BEHAVIOURS, load_rules
from vcsim.cells.state import CellState, Phenotype
from vcsim.cells.step import _bounded

pytest.importorskip("numba")


@contextmanager
def kernels_on(enabled: bool):
    old = kernels.set_enabled(enabled)
    try:
        yield
    finally:
        kernels.set_enabled(old)


def numpy_path():
    return kernels_on(False)


def compiled_path():
    return kernels_on(True)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


SPECIAL = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1e-300, -1e-300, 5e-324, 1e300])
values = st.floats(allow_nan=True, allow_infinity=True, width=64)
vectors = arrays(np.float64, st.integers(kernels.MIN_SIZE, 400), elements=values)


def with_specials(x: np.ndarray) -> np.ndarray:
    x = x.copy()
    x[: SPECIAL.size] = SPECIAL[: min(SPECIAL.size, x.size)]
    return x


@settings(max_examples=60, deadline=None)
@given(x=vectors, half_max=st.floats(1e-3, 1e3), n=st.integers(1, 12))
def test_hill_kernel_same_bits(x, half_max, n):
    x = with_specials(x)
    with compiled_path(), np.errstate(all="ignore"):
        fast = signals.hill(x, half_max, n)
    with numpy_path(), np.errstate(all="ignore"):
        ref = signals.hill(x, half_max, n)
    assert same_bits(fast, ref)


def test_hill_non_integer_exponent_stays_on_numpy():
    x = np.linspace(0.0, 3.0, 1000)
    with compiled_path():
        fast = signals.hill(x, 0.7, 2.5)
    with numpy_path():
        ref = signals.hill(x, 0.7, 2.5)
    assert same_bits(fast, ref)


@settings(max_examples=40, deadline=None)
@given(x=vectors, t=vectors, tau=st.floats(0.01, 1e4), dt=st.floats(0.0, 24.0))
def test_relax_tau_kernel_same_bits(x, t, tau, dt):
    m = min(x.size, t.size)
    x, t = with_specials(x[:m]), t[:m]
    with compiled_path(), np.errstate(all="ignore"):
        fast = signals.relax_tau(x, t, tau, dt)
    with numpy_path(), np.errstate(all="ignore"):
        ref = signals.relax_tau(x, t, tau, dt)
    assert same_bits(fast, ref)


@settings(max_examples=40, deadline=None)
@given(x=vectors, name=st.sampled_from(["grp78", "ros", "time_since_death_h"]))
def test_bounds_kernel_same_bits(x, name):
    x = with_specials(x)
    with compiled_path():
        fast = _bounded(name, x.copy())
    with numpy_path():
        ref = _bounded(name, x.copy())
    assert same_bits(fast, ref)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(kernels.MIN_SIZE, 3000),
       signal_scale=st.floats(0.0, 10.0), scalar_signal=st.booleans())
def test_rules_evaluation_same_bits(seed, n, signal_scale, scalar_signal):
    rng = np.random.default_rng(seed)
    table = load_rules()
    codes = rng.choice(np.array([int(p) for p in Phenotype], dtype=np.int8), n)
    sig = {s: rng.uniform(-0.5, 1.0, n) * signal_scale for s in table.signals_used()}
    sig["perk"][: SPECIAL.size] = SPECIAL  # NaN, inf and signed zeros through a rule
    if scalar_signal:
        sig["mineral_hap_mM"] = 0.0  # a uniform (0-d) signal, as the model passes some
    for behaviour in BEHAVIOURS:
        with compiled_path(), np.errstate(all="ignore"):
            fast = table.evaluate(behaviour, codes, sig)
        with numpy_path(), np.errstate(all="ignore"):
            ref = table.evaluate(behaviour, codes, sig)
        assert same_bits(fast, ref), behaviour


def test_rules_overrides_with_a_non_integer_exponent_stay_on_numpy():
    table = load_rules().override([{"id": "apoptosis_caspase12", "hill": 2.5}])
    rng = np.random.default_rng(1)
    codes = np.full(500, Phenotype.CONTRACTILE, dtype=np.int8)
    sig = {s: rng.uniform(0, 1, 500) for s in table.signals_used()}
    with compiled_path():
        fast = table.evaluate("to_apoptotic", codes, sig)
    with numpy_path():
        ref = table.evaluate("to_apoptotic", codes, sig)
    assert same_bits(fast, ref)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_sites=st.integers(kernels.MIN_SIZE, 2000))
def test_rows_gather_and_write_scatter_same_bits(seed, n_sites):
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(n_sites, size=rng.integers(kernels.MIN_SIZE, n_sites + 1), replace=False))
    values = {name: with_specials(rng.normal(0.0, 1e3, idx.size)) for name in CellState.VARIABLES}
    states = []
    for path in (compiled_path, numpy_path):
        state = CellState.zeros(n_sites)
        with path(), np.errstate(over="ignore"):
            state.write(idx, values)
            rows = state.rows(idx)
        states.append((state, rows))
    (fast, fast_rows), (ref, ref_rows) = states
    for name in CellState.VARIABLES:
        assert same_bits(getattr(fast, name), getattr(ref, name)), name
        assert same_bits(fast_rows[name], ref_rows[name]), name


@pytest.mark.parametrize("threads", [1, 2])
def test_model_runs_identical_with_and_without_kernels(threads):
    from vcsim.model import VascularModel

    def run(path):
        with path():
            m = VascularModel(seed=5, lattice_rows=40, lattice_cols=100, threads=threads,
                              serum_phosphate_mM=2.4, tnf_alpha_pg_per_mL=15.0)
            for _ in range(30):
                m.step()
        return m

    fast, ref = run(compiled_path), run(numpy_path)
    for name, arr in fast.cells.arrays().items():
        assert same_bits(arr, ref.cells.arrays()[name]), name
    for name, arr in fast.lattice.fields.items():
        assert same_bits(arr, ref.lattice.fields[name]), name
    a = fast.datacollector.get_model_vars_dataframe()
    b = ref.datacollector.get_model_vars_dataframe()
    assert a.equals(b)
    assert len(fast.nucleation_log) == len(ref.nucleation_log)


def test_backend_choice_from_the_environment(monkeypatch):
    assert kernels._choose("numpy") is False
    assert kernels._choose("auto") is True
    assert kernels._choose("") is True
    assert kernels._choose("numba") is True
    with pytest.raises(ValueError, match="VCSIM_KERNELS: 'cuda' is not allowed; expected one of auto, numpy, numba"):
        kernels._choose("cuda")
    monkeypatch.setattr(kernels, "HAVE_NUMBA", False)
    assert kernels._choose("auto") is False
    with pytest.raises(ImportError, match=r"numba is not installed; pip install 'vcsim\[fast\]'"):
        kernels._choose("numba")
    with pytest.raises(ImportError, match="numba is not installed"):
        kernels.set_enabled(True)


def test_bad_backend_is_reported_when_a_model_is_built(monkeypatch):
    from vcsim.model import VascularModel
    from vcsim.params import ParameterError

    msg = "VCSIM_KERNELS: 'gpu' is not allowed; expected one of auto, numpy, numba"
    monkeypatch.setattr(kernels, "_ENV_ERROR", msg)
    with pytest.raises(ValueError, match=msg):
        kernels.check_environment()
    with pytest.raises(ParameterError, match=msg):
        VascularModel(seed=1, lattice_rows=4, lattice_cols=4)


def test_backend_is_recorded():
    from vcsim.outputs import environment

    with compiled_path():
        assert environment()["kernels"] == "numba"
    with numpy_path():
        assert environment()["kernels"] == "numpy"


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), step=st.integers(0, 10**7), purpose=st.integers(1, 2000),
       start=st.integers(0, 2**40), n=st.integers(kernels.MIN_SIZE, 2000))
def test_uniform_draws_same_bits(seed, step, purpose, start, n):
    from vcsim.rng import uniform

    cells = np.arange(start, start + n, dtype=np.intp)
    with compiled_path():
        fast = uniform(seed, step, cells, purpose)
    with numpy_path():
        ref = uniform(seed, step, cells, purpose)
    assert same_bits(fast, ref)
    assert fast.min() >= 0.0 and fast.max() < 1.0


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 3000),
       dtype=st.sampled_from([np.float32, np.float64]), ph=st.floats(6.8, 7.8),
       temperature=st.floats(20.0, 40.0), nacl=st.floats(0.0, 200.0),
       scale=st.sampled_from([1e-3, 1.0, 10.0]))
def test_compiled_speciation_same_bits(seed, n, dtype, ph, temperature, nacl, scale):
    from vcsim.chemistry import speciation

    rng = np.random.default_rng(seed)
    ca, pi, mg = (rng.uniform(0.0, 3.0, n) * scale for _ in range(3))
    ca[rng.random(n) < 0.05] = 0.0  # absent ions too
    pi[rng.random(n) < 0.05] = 0.0
    results = []
    for path in (compiled_path, numpy_path):
        with path(), np.errstate(all="ignore"):
            results.append(speciation.speciate(ca, pi, ph, temperature, mg, nacl, solve_dtype=dtype))
    fast, ref = results
    assert fast.iterations == ref.iterations and fast.residual == ref.residual
    for key in speciation.CORE_SPECIES:
        assert same_bits(fast._core[key], ref._core[key]), key
    assert same_bits(fast.saturation_index("HAP"), ref.saturation_index("HAP"))


def test_compiled_speciation_threads_and_workspace_same_bits():
    from vcsim.chemistry import speciation

    rng = np.random.default_rng(7)
    n = 3 * speciation.SOLVE_BLOCK + 123
    ca, pi, mg = rng.uniform(1.0, 1.4, n), rng.uniform(0.8, 3.0, n), rng.uniform(0.5, 1.0, n)
    with numpy_path():
        ref = speciation.speciate(ca, pi, 7.4, 37.0, mg, 140.0, solve_dtype=np.float32)
    ws: dict = {}
    for threads in (1, 2, 2):  # the second 2-thread call reuses the workspace
        with compiled_path():
            fast = speciation.speciate(ca, pi, 7.4, 37.0, mg, 140.0, solve_dtype=np.float32,
                                       workspace=ws, threads=threads)
        for key in speciation.CORE_SPECIES:
            assert same_bits(fast._core[key], ref._core[key]), (threads, key)
            assert np.shares_memory(fast._core[key], ws[key])


@pytest.mark.parametrize("threads", [1, 2])
def test_transport_compiled_solve_same_bits(threads):
    from vcsim.transport import Transport

    rng = np.random.default_rng(threads)
    names = {"a": 900.0, "b": 300.0, "c": 50.0}
    results = []
    for path, th in ((numpy_path, 1), (compiled_path, threads)):
        tr = Transport((37, 64), 10.0, 1.0, names, "noflux")
        fields = {n: rng.uniform(0.0, 2.0, (37, 64)) for n in names}
        rng = np.random.default_rng(threads)  # the same fields for both paths
        with path():
            for _ in range(3):
                entered = tr.step(fields, {n: 1.0 for n in names}, threads=th)
        results.append((fields, entered, tr.last_exchange))
    (ref, ref_in, ref_ex), (fast, fast_in, fast_ex) = results
    for n in names:
        assert same_bits(fast[n], ref[n]), n
    assert fast_in == ref_in and fast_ex == ref_ex


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(kernels.MIN_SIZE, 3000),
       dt=st.sampled_from([0.25, 1.0, 24.0, 500.0]), step=st.integers(0, 10**6))
def test_transition_same_bits(seed, n, dt, step):
    from vcsim.cells.phenotype import transition

    rng = np.random.default_rng(seed)
    table = load_rules()
    ph = rng.choice(np.array([int(p) for p in Phenotype], dtype=np.int8), n)
    sig = {s: rng.uniform(0.0, 1.0, n) for s in table.signals_used()}
    sig["mineral_hap_mM"] = rng.uniform(0.0, 300.0, n)  # mineral deaths too
    sig["time_since_death_h"] = rng.uniform(0.0, 100.0, n)  # and clearance
    idx = np.sort(rng.choice(10 * n, n, replace=False)).astype(np.intp)
    with compiled_path():
        fast = transition(ph, sig, table, dt, seed, step, idx)
    with numpy_path():
        ref = transition(ph, sig, table, dt, seed, step, idx)
    assert same_bits(fast[0], ref[0]) and same_bits(fast[1], ref[1])
    assert len(np.unique(fast[0])) > 1


def test_cli_runs_give_the_same_files_with_either_backend(tmp_path):
    """End to end: ``VCSIM_KERNELS=numpy`` and ``=numba`` write byte-identical results, and
    each run's metadata names its backend; a bad value is one clear line and exit 2."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    run_py = Path(__file__).resolve().parent.parent / "run.py"
    files = {}
    for backend in ("numpy", "numba"):
        out = tmp_path / backend
        env = dict(os.environ, MPLBACKEND="Agg", VCSIM_KERNELS=backend)
        proc = subprocess.run([sys.executable, str(run_py), "run", "ckd", "--days", "4", "--seed", "3",
                               "--set", "lattice_rows=20", "--set", "lattice_cols=40", "--out", str(out)],
                              capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr
        files[backend] = {n: (out / n).read_bytes()
                          for n in ("timeseries.csv", "nucleation_events.csv", "transitions.csv")}
        assert json.loads((out / "metadata.json").read_text())["kernels"] == backend
    assert files["numpy"] == files["numba"]
    env = dict(os.environ, VCSIM_KERNELS="gpu")
    proc = subprocess.run([sys.executable, str(run_py), "run", "ckd", "--days", "1", "--set", "lattice_rows=8",
                           "--set", "lattice_cols=12", "--out", str(tmp_path / "bad")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "vcsim: error: VCSIM_KERNELS: 'gpu' is not allowed; expected one of auto, numpy, numba")
    assert not (tmp_path / "bad" / "timeseries.csv").exists()
