"""The benchmark script runs end to end on tiny lattices and writes every headline key.

No timing is asserted here: speed is reported by ``make bench``, not tested by wall clock.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "run_benchmarks.py"
TINY = {"engines": 8, "steps": (8, 12), "transport": 12, "memory": 10,
        "sweep_rows": 4, "sweep_cols": 6, "sweep_days": 0.125,
        "patient_rows": 4, "patient_cols": 6, "patient_days": 0.25}


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("run_benchmarks", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmarks_write_every_headline_figure(bench, tmp_path, monkeypatch):
    # the sweep figure is exercised on its own below; here a stub keeps the test fast
    monkeypatch.setattr(bench, "bench_sweep", lambda *a, **k: {"sweep_error": "skipped in smoke test"})
    # the page figures drive a browser: tests/test_viz_browser.py measures them
    monkeypatch.setattr(bench, "bench_page", lambda *a, **k: {"page_error": "skipped in smoke test"})
    out = tmp_path / "results.json"
    results = bench.run_all(TINY, out, echo=lambda s: None)
    written = json.loads(out.read_text())
    for key in ("vector_vs_agents_speedup", "step_12_vs_state_copy_ratio",
                "transport_vs_spectral_ratio", "bytes_per_site_10", "sweep_2_vs_1_speedup",
                "years_per_hour_4x6", "raw", "machine"):
        assert key in written
    assert written["vector_vs_agents_speedup"] > 0
    assert written["raw"]["peak_bytes_per_site"] > 0
    assert "load_average_before" in written["machine"]
    assert "| cell-steps/s" in bench.table(results)
    assert written["raw"]["patient_5_years_min"] > 0
    assert 0 < written["raw"]["patient_share_of_step"] < 1
    assert written["raw"]["step_s_12_one_thread"] > 0 and written["raw"]["threads"] >= 1


def test_sweep_benchmark_runs_or_says_why(bench):
    got = bench.bench_sweep(rows=4, cols=6, days=0.125, levels=2, replicates=1, workers=(1,))
    assert "sweep_runs_per_s_1" in got or "sweep_error" in got
