"""The cells' event clocks (random time change): right distributions, and a seed's sample that
does not depend on the step."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vcsim import load_scenario
from vcsim.cells import clocks
from vcsim.model import VascularModel


def _fresh(n_sites: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    clock = np.zeros((n_sites, clocks.N_CHANNELS))
    draws = np.zeros((n_sites, clocks.N_CHANNELS), dtype=np.int64)
    clocks.start_clocks(clock, draws, seed)
    return clock, draws


def test_first_thresholds_are_unit_exponential_and_independent_across_channels():
    clock, _ = _fresh(20000)
    for ch in range(clocks.N_CHANNELS):
        assert clock[:, ch].mean() == pytest.approx(1.0, abs=0.03)
        assert clock[:, ch].var() == pytest.approx(1.0, abs=0.06)
    assert abs(np.corrcoef(clock[:, 0], clock[:, 1])[0, 1]) < 0.03


def test_a_one_off_event_at_a_constant_rate_waits_an_exponential_time_at_any_step():
    # P(event by t) = 1 - exp(-r t), whatever dt; the same seed gives the same step for each
    # site to within one step
    n, rate, key = 2000, 0.05, clocks.clock_key(1)
    times = {}
    for dt in (1.0, 0.25):
        clock, draws = _fresh(n)
        t_event = np.full(n, np.inf)
        for step in range(int(round(100 / dt))):
            for i in np.flatnonzero(~np.isfinite(t_event)):
                if clocks.fire(clock, draws, i, clocks.TRANSITION, rate * dt, key, n):
                    t_event[i] = (step + 1) * dt
        times[dt] = t_event
    for t in times.values():
        assert np.isfinite(t).mean() == pytest.approx(1 - math.exp(-rate * 100), abs=0.02)
    both = np.isfinite(times[1.0]) & np.isfinite(times[0.25])
    assert np.all(np.abs(times[1.0][both] - times[0.25][both]) < 1.0 + 1e-9)


def test_counted_events_at_a_constant_rate_are_poisson():
    n, mean, key = 20000, 2.5, clocks.clock_key(2)
    clock, draws = _fresh(n, seed=2)
    counts = np.array([clocks.count_events(clock, draws, i, clocks.VESICLE, mean, key, n) for i in range(n)])
    assert counts.mean() == pytest.approx(mean, abs=0.05)
    assert counts.var() == pytest.approx(mean, rel=0.05)
    assert np.all(draws[:, clocks.VESICLE] == counts)


def _ckd(dt: float) -> VascularModel:
    sc = load_scenario("ckd")
    m = VascularModel(seed=3, schedule=sc.schedule.to_records(), params=sc.params, lattice_rows=16,
                      lattice_cols=40, dt_h=dt, threads=1)
    for _ in range(int(round(7 * 24 / dt))):
        m.step()
    return m


def test_a_seed_gives_nearly_the_same_transitions_and_mineral_at_every_step():
    # a transition is drawn where its site's clock runs out, so at dt = 1 h and 0.25 h a seed
    # has (almost) the same transitions; the rest drift apart through small differences of
    # the cell states (each step reads its signals at the start). With draws made anew each
    # step (before), only chance coincidences matched
    models = {dt: _ckd(dt) for dt in (1.0, 0.25)}
    logs = {dt: m.transition_log.to_frame() for dt, m in models.items()}
    # the whole model at dt = 1 h against 0.25 h on a small wall: the same calcium content
    # and nucleation count to a few per cent
    ca = {dt: m.stats["calcium_content_ug_per_mg_protein"] for dt, m in models.items()}
    nuc = {dt: m.stats["nucleation_events_cumulative"] for dt, m in models.items()}
    assert ca[0.25] > 0 and nuc[0.25] > 10
    assert ca[1.0] == pytest.approx(ca[0.25], rel=0.05)
    assert nuc[1.0] == pytest.approx(nuc[0.25], rel=0.05)
    coarse: dict[tuple, list[float]] = {}
    for r in logs[1.0].itertuples():
        coarse.setdefault((r.row, r.col, r.from_phenotype, r.to_phenotype), []).append(r.time_h)
    fine = logs[0.25]
    assert len(fine) > 300
    assert len(logs[1.0]) == pytest.approx(len(fine), rel=0.05)
    matched = sum(any(abs(t - r.time_h) <= 2.0 for t in coarse.get((r.row, r.col, r.from_phenotype, r.to_phenotype), ()))
                  for r in fine.itertuples())
    assert matched / len(fine) > 0.85
