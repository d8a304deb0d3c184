"""Literature behaviours of the whole model (cells + chemistry + transport on the lattice)."""

from __future__ import annotations

import numpy as np
import pytest

from vcsim.model import VascularModel, run
from vcsim.scenario import load_scenario

SEEDS = (1, 2)


def _in_vitro(pi_mM: float, seed: int, days: float, *extra: str) -> VascularModel:
    sc = load_scenario("invitro_pi", overrides=[f"serum_phosphate_mM={pi_mM}", *extra])
    return run(sc.make_model(seed=seed), days)


@pytest.fixture(scope="module")
def jono_dose_response() -> dict[float, list[dict]]:
    """Calcified fraction and calcium content at day 7 and 14 for each Pi, two seeds."""
    out: dict[float, list[dict]] = {}
    for pi in (1.0, 1.4, 2.0, 3.0):
        rows = []
        for seed in SEEDS:
            m = _in_vitro(pi, seed, 7)
            d7 = m.summary_metrics()
            run(m, 7)
            rows.append({"d7": d7, "d14": m.summary_metrics()})
        out[pi] = rows
    return out


def test_jono_2000_no_mineral_at_1_0_to_1_4_mM_phosphate(jono_dose_response):
    for pi in (1.0, 1.4):
        for r in jono_dose_response[pi]:
            assert r["d14"]["calcified_fraction"] < 0.02, (pi, r["d14"]["calcified_fraction"])


def test_jono_2000_mineral_within_7_to_14_days_at_2_to_3_mM_phosphate(jono_dose_response):
    for pi in (2.0, 3.0):
        for r in jono_dose_response[pi]:
            assert r["d14"]["calcified_fraction"] > 0.05, (pi, r["d14"]["calcified_fraction"])
            # measurable by the end of the first week and still rising to day 14
            assert r["d7"]["calcium_content_ug_per_mg_protein"] > 0
            assert r["d14"]["calcium_content_ug_per_mg_protein"] > 2 * r["d7"]["calcium_content_ug_per_mg_protein"]


def test_phosphate_dose_response_is_steep_and_monotonic(jono_dose_response):
    mean = {pi: np.mean([r["d14"]["calcified_fraction"] for r in rows])
            for pi, rows in jono_dose_response.items()}
    assert mean[1.0] <= mean[1.4] < mean[2.0] < mean[3.0]
    assert mean[2.0] > 5 * max(mean[1.4], 1e-3)  # threshold-like between 1.4 and 2.0 mM


def test_runx2_and_osteogenic_fraction_rise_with_phosphate_together_with_er_stress(jono_dose_response):
    ost = {pi: np.mean([r["d14"]["fraction_osteogenic"] for r in rows])
           for pi, rows in jono_dose_response.items()}
    grp78 = {pi: np.mean([r["d14"]["mean_grp78"] for r in rows]) for pi, rows in jono_dose_response.items()}
    chop = {pi: np.mean([r["d14"]["mean_chop"] for r in rows]) for pi, rows in jono_dose_response.items()}
    assert ost[1.0] < ost[2.0] < ost[3.0]
    assert grp78[1.0] < grp78[3.0] and chop[1.0] < chop[3.0]


def test_pit1_blocker_abolishes_phosphate_calcification():
    for seed in SEEDS:
        blocked = _in_vitro(2.5, seed, 14, "pit1_blocker_fraction=0.95").summary_metrics()
        plain = _in_vitro(2.5, seed, 14).summary_metrics()
        assert blocked["fraction_osteogenic"] < 0.2 * plain["fraction_osteogenic"]
        assert blocked["calcified_fraction"] < 0.3 * plain["calcified_fraction"]


def test_healthy_media_stay_calm_for_21_days():
    for seed in SEEDS:
        m = run(load_scenario("healthy").make_model(seed=seed), 21)
        ts = m.timeseries_frame()
        assert ts["calcified_fraction"].iloc[-1] < 0.005
        assert ts["fraction_apoptotic"].max() < 0.03
        assert ts["fraction_contractile"].iloc[-1] > 0.85
