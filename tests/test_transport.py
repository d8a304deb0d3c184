"""The implicit diffusion step: analytic profiles, spreading, conservation, monotonicity, ledger."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from vcsim.geometry import RingGeometry, SlabGeometry, geometry_from_params
from vcsim.lattice import FieldSpec, Lattice
from vcsim.params import Parameters, default_parameters
from vcsim.transport import (
    Transport,
    effective_diffusivities,
    stokes_einstein_factor,
    water_viscosity_Pa_s,
)

D_CA = 790.0  # um2/s, free Ca2+ at 25 degC
DX = 10.0  # um
DEPTH = 10.0  # um
V_SITE_L = DX * DX * DEPTH * 1e-15  # what a site's concentration is multiplied by for an amount


def slab(shape: tuple[int, int], dx: float = DX) -> SlabGeometry:
    return SlabGeometry(shape[0], shape[1], dx, DEPTH)


def lattice(rows: int, cols: int) -> Lattice:
    lat = Lattice(slab((rows, cols)))
    for name in ("calcium_mM", "phosphate_mM", "mineral_hap_mM"):
        lat.add_field(FieldSpec(name, "mM", name), 1.0 if name != "mineral_hap_mM" else 0.0)
    return lat


def params(**overrides: object) -> Parameters:
    """Default parameters with ``overrides`` applied (validated by the schema)."""
    return default_parameters().updated(overrides)


def dt_for(a: float, d: float = D_CA, dx: float = DX) -> float:
    """Step (h) giving the dimensionless coupling a = D dt / dx^2."""
    return a * dx**2 / d / 3600.0


# ---- analytic steady states ----------------------------------------------------------------


def test_two_serum_sides_reach_the_linear_profile() -> None:
    """Dirichlet at both faces: c(x) = c_L + (c_A - c_L) x / L at cell centres x = (r + 1/2) dx.

    The face-centred finite-volume discretisation reproduces the linear profile exactly, so
    the tolerance is round-off. (A boundary value placed a whole site away would give
    (r + 1)/(R + 1) instead, off by ~1/R.)
    """
    rows, cols = 20, 8
    tr = Transport(slab((rows, cols)), 1.0, {"calcium_mM": D_CA}, "serum")
    field = np.random.default_rng(0).uniform(0.0, 5.0, (rows, cols))
    for _ in range(10):  # slowest mode decays by ~1/(1 + a pi^2 / R^2) ~ 1/700 per hour
        tr.step({"calcium_mM": field}, {"calcium_mM": 1.2}, adventitia_values={"calcium_mM": 3.0})
    x_over_l = (np.arange(rows) + 0.5) / rows
    expected = 1.2 + (3.0 - 1.2) * x_over_l
    np.testing.assert_allclose(field, np.repeat(expected[:, None], cols, axis=1), rtol=0, atol=1e-12)


def _sink_profile(rows: int, lam_sites: float) -> np.ndarray:
    k_per_h = D_CA / (lam_sites * DX) ** 2 * 3600.0
    tr = Transport(slab((rows, 4)), 1.0, {"phosphate_mM": D_CA}, "noflux")
    field = np.zeros((rows, 4))
    for _ in range(5):
        tr.step({"phosphate_mM": field}, {"phosphate_mM": 1.0}, decay_per_h={"phosphate_mM": k_per_h})
    assert np.ptp(field, axis=1).max() < 1e-12  # uniform along the wall
    return field[:, 0]


def test_uniform_sink_with_closed_adventitia_gives_the_cosh_profile() -> None:
    """D c'' = k c, c(0) = c0, c'(L) = 0: c = c0 cosh((L - x)/lam) / cosh(L/lam), lam = sqrt(D/k).

    Crank 1975 ("The Mathematics of Diffusion", 2nd ed., ch. 14, reaction with first-order
    removal). Two checks: (1) the solver matches the exact solution of the same discrete
    problem (dense solve) to round-off; (2) against the continuum solution the error is the
    second-order discretisation error, O((dx/lam)^2): the five-point Laplacian's truncation
    error is (dx^2/12) c'''' = (dx/lam)^2 c''/12, and the half-site Dirichlet face adds an
    error of the same order. So the max error must be < 0.15 (dx/lam)^2 c0 and must fall ~4x
    each time dx/lam halves (same physical problem on a finer lattice).
    """
    rows, lam = 20, 3.0
    c = _sink_profile(rows, lam)
    # (1) exact discrete problem, in units of D/dx^2: path-graph Laplacian + 1/lam^2 on the
    # diagonal, and the lumen face half a site above row 0 (coupling 2, value 1).
    path = np.diag(np.r_[1.0, np.full(rows - 2, 2.0), 1.0]) - np.eye(rows, k=1) - np.eye(rows, k=-1)
    a = path + np.eye(rows) / lam**2
    a[0, 0] += 2.0
    rhs = np.zeros(rows)
    rhs[0] = 2.0
    np.testing.assert_allclose(c, np.linalg.solve(a, rhs), rtol=1e-10, atol=1e-13)

    # (2) continuum solution, second-order convergence
    def error(rows: int, lam: float) -> float:
        x = np.arange(rows) + 0.5
        exact = np.cosh((rows - x) / lam) / np.cosh(rows / lam)
        return float(np.abs(_sink_profile(rows, lam) - exact).max())

    e1, e2, e3 = error(20, 3.0), error(40, 6.0), error(80, 12.0)
    assert e1 < 0.15 * (1 / 3.0) ** 2
    assert 3.0 < e1 / e2 < 5.0 and 3.0 < e2 / e3 < 5.0


# ---- spreading -----------------------------------------------------------------------------


def test_line_pulse_variance_grows_as_2_d_t_and_mass_stays() -> None:
    """Backward Euler keeps the variance of a pulse exactly 2 D t on an unbounded lattice.

    Per step the Fourier symbol is 1 / (1 + a s(theta)), s = 4 sin^2(theta/2) = theta^2 + ...,
    so the second cumulant after n steps is n * 2a (sites^2) = 2 D t / dx^2 exactly; the
    periodic domain (400 sites vs sigma = 20) truncates only ~e^-40 of the tails.
    """
    cols, a, n = 400, 20.0, 10
    tr = Transport(slab((3, cols)), dt_for(a), {"calcium_mM": D_CA}, "noflux", lumen="noflux")
    field = np.zeros((3, cols))
    field[:, cols // 2] = 1.0
    for _ in range(n):
        tr.step({"calcium_mM": field})
    offset = np.arange(cols) - cols // 2
    p = field[0] / field[0].sum()
    assert (p * offset).sum() == pytest.approx(0.0, abs=1e-10)
    assert (p * offset**2).sum() == pytest.approx(2 * D_CA * n * dt_for(a) * 3600 / DX**2, rel=1e-9)
    assert field.sum() == pytest.approx(3.0, rel=1e-13)


def test_point_pulse_spreads_equally_along_rows_and_columns() -> None:
    rows, cols, a, n = 201, 256, 4.0, 5
    tr = Transport(slab((rows, cols)), dt_for(a), {"calcium_mM": D_CA}, "noflux", lumen="noflux")
    field = np.zeros((rows, cols))
    field[100, 128] = 1.0
    for _ in range(n):
        tr.step({"calcium_mM": field})
    two_dt = 2 * n * a
    assert ((field.sum(axis=1)) * (np.arange(rows) - 100) ** 2).sum() == pytest.approx(two_dt, rel=1e-9)
    assert ((field.sum(axis=0)) * (np.arange(cols) - 128) ** 2).sum() == pytest.approx(two_dt, rel=1e-9)
    assert field.sum() == pytest.approx(1.0, rel=1e-13)


def test_pulse_crossing_the_periodic_seam_behaves_as_in_the_middle() -> None:
    rows, cols = 6, 64
    tr = Transport(slab((rows, cols)), dt_for(3.0), {"calcium_mM": D_CA}, "serum")
    middle = np.full((rows, cols), 1.0)
    seam = middle.copy()
    middle[2, cols // 2] = 50.0
    seam[2, 0] = 50.0
    for _ in range(4):
        tr.step({"calcium_mM": middle}, {"calcium_mM": 1.0})
        tr.step({"calcium_mM": seam}, {"calcium_mM": 1.0})
    np.testing.assert_allclose(np.roll(seam, cols // 2, axis=1), middle, rtol=0, atol=1e-12)
    assert seam[2, cols - 1] == pytest.approx(seam[2, 1], rel=1e-12)  # symmetric across the seam
    assert seam[2, cols - 1] > 1.1  # and something did cross it


# ---- conservation and monotonicity ---------------------------------------------------------

shapes = st.tuples(st.integers(1, 12), st.integers(1, 12))


@st.composite
def closed_problems(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, float, float, float]:
    rows, cols = draw(shapes)
    values = st.floats(0.0, 10.0, allow_nan=False, allow_infinity=False)
    ca = draw(arrays(np.float64, (rows, cols), elements=values))
    pi = draw(arrays(np.float64, (rows, cols), elements=values))
    d1 = draw(st.floats(1.0, 2000.0))
    d2 = draw(st.floats(0.0, 2000.0))
    dt_h = draw(st.sampled_from([1e-4, 0.01, 1.0, 24.0]))
    return ca, pi, d1, d2, dt_h


@settings(max_examples=40, deadline=None)
@given(closed_problems())
def test_closed_boundaries_conserve_totals(problem: tuple) -> None:
    ca, pi, d1, d2, dt_h = problem
    tr = Transport(slab(ca.shape), dt_h, {"calcium_mM": d1, "phosphate_mM": d2}, "noflux", lumen="noflux")
    fields = {"calcium_mM": ca.copy(), "phosphate_mM": pi.copy()}
    for _ in range(50):
        change = tr.step(fields)
        assert change == {"calcium_mM": pytest.approx(0.0, abs=1e-12 * (1 + ca.sum()) * V_SITE_L),
                          "phosphate_mM": pytest.approx(0.0, abs=1e-12 * (1 + pi.sum()) * V_SITE_L)}
    for name, before in (("calcium_mM", ca), ("phosphate_mM", pi)):
        assert abs(fields[name].sum() - before.sum()) <= 1e-10 * max(before.sum(), 1e-300)


@settings(max_examples=40, deadline=None)
@given(closed_problems(), st.booleans())
def test_max_principle_holds_at_any_step(problem: tuple, open_sides: bool) -> None:
    """Discrete maximum principle of backward Euler (an M-matrix step): the new field lies
    within [min(old, c_b), max(old, c_b)], c_b the boundary value of an open side."""
    ca, _, d1, _, dt_h = problem
    lo, hi = float(ca.min()), float(ca.max())
    side = "serum" if open_sides else "noflux"
    tr = Transport(slab(ca.shape), dt_h, {"calcium_mM": d1}, side, lumen=side)
    boundary = {"calcium_mM": 0.5 * (lo + hi)}
    field = ca.copy()
    tol = 1e-12 * max(hi, 1.0)
    for _ in range(10):
        prev_lo, prev_hi = field.min(), field.max()
        if open_sides:
            prev_lo = min(prev_lo, boundary["calcium_mM"])
            prev_hi = max(prev_hi, boundary["calcium_mM"])
        tr.step({"calcium_mM": field}, boundary)
        assert field.max() <= prev_hi + tol
        assert field.min() >= prev_lo - tol


@pytest.mark.parametrize("a", [0.5, 3e4])
def test_step_function_stays_monotone(a: float) -> None:
    """No overshoot or ringing from a sharp front, in rows and across the periodic columns."""
    rows, cols = 40, 48
    tr = Transport(slab((rows, cols)), dt_for(a), {"calcium_mM": D_CA}, "noflux", lumen="noflux")
    field = np.zeros((rows, cols))
    field[rows // 2 :, :] = 1.0  # front across the rows
    field[:, : cols // 2] += 1.0  # and one along the periodic columns
    for _ in range(3):
        tr.step({"calcium_mM": field})
        assert field.min() >= 0.0 and field.max() <= 2.0
        assert np.all(np.diff(field, axis=0) >= -1e-12)  # rows: non-decreasing towards adventitia
        half = field[:, cols // 4 : 3 * cols // 4]  # from the high half into the low half
        assert np.all(np.diff(half, axis=1) <= 1e-12)


def test_no_negative_values_at_one_hour() -> None:
    """A zero field, a hot spot and serum at the lumen: nothing negative beyond round-off.

    The step sets round-off negatives to zero and reports how much it clipped; the clipped
    amount must be round-off, i.e. the solver itself does not undershoot.
    """
    rows, cols = 30, 100
    tr = Transport(slab((rows, cols)), 1.0, {"calcium_mM": D_CA, "pyrophosphate_uM": 640.0}, "noflux")
    ca = np.zeros((rows, cols))
    ppi = np.zeros((rows, cols))
    ca[15, 50] = 500.0
    for _ in range(5):
        tr.step({"calcium_mM": ca, "pyrophosphate_uM": ppi}, {"calcium_mM": 1.2, "pyrophosphate_uM": 2.5})
        for name, field in (("calcium_mM", ca), ("pyrophosphate_uM", ppi)):
            assert field.min() >= 0.0
            assert tr.last_exchange[name]["clipped"] <= 1e-15 * field.max() * field.size * V_SITE_L


# ---- ledger and scope ----------------------------------------------------------------------


@pytest.mark.parametrize("dt_h", [0.001, 1.0])
@pytest.mark.parametrize("adventitia", ["noflux", "serum"])
def test_returned_boundary_amounts_equal_the_change_of_totals(dt_h: float, adventitia: str) -> None:
    rows, cols = 25, 30
    rng = np.random.default_rng(3)
    tr = Transport(slab((rows, cols)), dt_h, {"calcium_mM": D_CA, "phosphate_mM": 780.0}, adventitia)
    fields = {"calcium_mM": rng.uniform(0, 3, (rows, cols)), "phosphate_mM": np.zeros((rows, cols))}
    boundary = {"calcium_mM": 1.2, "phosphate_mM": 2.0}
    adventitial = {"calcium_mM": 0.8, "phosphate_mM": 1.0}
    for _ in range(5):
        before = {k: v.sum() for k, v in fields.items()}
        entered = tr.step(fields, boundary, adventitia_values=adventitial)
        for name, field in fields.items():
            assert entered[name] == pytest.approx((field.sum() - before[name]) * V_SITE_L, rel=1e-10,
                                                  abs=1e-10 * V_SITE_L)
            split = tr.last_exchange[name]
            assert split["lumen"] + split["adventitia"] == pytest.approx(entered[name], abs=1e-9 * V_SITE_L)
            if adventitia == "noflux":
                assert split["adventitia"] == 0.0
    assert entered["phosphate_mM"] > 0.0  # phosphate flows into the empty media


def test_returned_amount_with_a_sink_is_inflow_minus_decay() -> None:
    tr = Transport(slab((10, 6)), 1.0, {"phosphate_mM": 780.0}, "noflux")
    field = np.ones((10, 6))
    before = field.sum()
    entered = tr.step({"phosphate_mM": field}, {"phosphate_mM": 1.0}, decay_per_h={"phosphate_mM": 0.5})[
        "phosphate_mM"
    ]
    decayed = tr.last_exchange["phosphate_mM"]["decayed"]
    assert decayed > 0 and entered > 0
    assert (field.sum() - before) * V_SITE_L == pytest.approx(entered - decayed, rel=1e-12)


def test_fields_without_a_diffusivity_are_untouched() -> None:
    lat = lattice(8, 10)
    lat.fields["mineral_hap_mM"][3, 4] = 7.0
    lat.fields["calcium_mM"][3, 4] = 9.0
    mineral = lat.fields["mineral_hap_mM"].copy()
    tr = Transport(lat.geometry, 1.0, {"calcium_mM": D_CA}, "noflux")
    tr.step(lat.fields, {"calcium_mM": 1.2})
    np.testing.assert_array_equal(lat.fields["mineral_hap_mM"], mineral)
    assert lat.fields["calcium_mM"][3, 4] < 2.0
    with pytest.raises(KeyError):
        tr.step({"phosphate_mM": np.ones((8, 10))}, {"calcium_mM": 1.2})


def test_the_layer_sees_the_transported_field() -> None:
    lat = lattice(6, 6)
    lat.fields["calcium_mM"][...] = 0.0
    Transport(lat.geometry, 1.0, {"calcium_mM": D_CA}, "noflux").step(lat.fields, {"calcium_mM": 1.2})
    assert lat.property_layers["calcium_mM"].data.min() > 0.0


def test_mass_transfer_lumen_limits_inflow_and_tends_to_serum() -> None:
    shape = (12, 5)
    d = {"calcium_mM": D_CA}
    open_lumen = Transport(slab(shape), 0.01, d, "noflux")
    barrier = Transport(slab(shape), 0.01, d, "noflux", lumen="mass_transfer", lumen_permeability_um_per_s=0.1)
    leaky = Transport(slab(shape), 0.01, d, "noflux", lumen="mass_transfer", lumen_permeability_um_per_s=1e9)
    results = []
    for tr in (open_lumen, barrier, leaky):
        field = np.zeros(shape)
        results.append((tr.step({"calcium_mM": field}, {"calcium_mM": 1.2})["calcium_mM"], field))
    (q_open, f_open), (q_barrier, _), (q_leaky, f_leaky) = results
    assert 0 < q_barrier < q_open
    np.testing.assert_allclose(f_leaky, f_open, rtol=1e-5)
    # barrier-limited: g = dt / (dx^2/(2D) + dx/P) couples row 0 to the serum
    c = barrier.coupling()["calcium_mM"]
    assert c["lumen"] == pytest.approx(36.0 / (DX**2 / (2 * D_CA) + DX / 0.1)) and c["adventitia"] == 0.0


# ---- parameters ------------------------------------------------------------------------------


def test_stokes_einstein_carries_25c_diffusivities_to_body_temperature() -> None:
    assert water_viscosity_Pa_s(25.0) == pytest.approx(8.90e-4, rel=0.01)
    assert water_viscosity_Pa_s(37.0) == pytest.approx(6.92e-4, rel=0.02)
    # (310.15 / 298.15) * (0.890 / 0.692) = 1.338
    assert stokes_einstein_factor(37.0) == pytest.approx(1.338, rel=0.01)
    assert stokes_einstein_factor(25.0) == 1.0


def test_from_params_resolves_the_adventitia_from_the_setting() -> None:
    geometry = geometry_from_params(params())
    in_vivo = Transport.from_params(params(), geometry)
    in_vitro = Transport.from_params(params(setting="in_vitro"), geometry)
    forced = Transport.from_params(params(setting="in_vitro", adventitia_boundary="noflux"), geometry)
    assert (in_vivo.adventitia, in_vitro.adventitia, forced.adventitia) == ("noflux", "serum", "noflux")
    assert in_vivo.lumen == "serum" and in_vivo.dt_h == 1.0
    d = effective_diffusivities(params())
    assert set(in_vivo.names) == set(d) == {"calcium_mM", "phosphate_mM", "pyrophosphate_uM", "magnesium_mM"}
    assert d["calcium_mM"] == pytest.approx(792.0 * stokes_einstein_factor(37.0) / 1.6**2)
    # the stiffness the solver is built for: D dt / dx^2 ~ 1e4 - 1e5 at 1 h and 10 um
    a = in_vivo.coupling()["calcium_mM"]["radial"][0]
    assert 1e4 < a < 1e5


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        Transport(slab((5, 5)), 1.0, {"calcium_mM": D_CA}, "open")
    with pytest.raises(ValueError):
        Transport(slab((5, 5)), 1.0, {"calcium_mM": D_CA}, "noflux", lumen="mass_transfer")
    with pytest.raises(TypeError):
        Transport((5, 5), 1.0, {"calcium_mM": D_CA}, "noflux")  # a geometry, not a shape
    tr = Transport(slab((5, 5)), 1.0, {"calcium_mM": D_CA}, "noflux")
    with pytest.raises(KeyError):
        tr.step({"calcium_mM": np.ones((5, 5))}, {})  # lumen value missing
    with pytest.raises(ValueError):
        tr.step({"calcium_mM": np.ones((5, 5), dtype=np.float32)}, {"calcium_mM": 1.0})


# ---- the ring: radial transport against analytic profiles ------------------------------------


def _ring_steady(rings: int, dr: float, d: float, k_per_h: float, lumen_value: float = 1.0,
                 adventitia: str = "noflux", outer: float = 0.0, r0: float = 20.0, cols: int = 16):
    g = RingGeometry(rings, cols, dr, DEPTH, inner_radius_um=r0)
    tr = Transport(g, 1.0, {"c": d}, adventitia)
    field = {"c": np.zeros(g.shape)}
    for _ in range(100):
        tr.step(field, {"c": lumen_value}, adventitia_values={"c": outer},
                decay_per_h={"c": k_per_h} if k_per_h else None)
    assert np.ptp(field["c"], axis=1).max() < 1e-10  # radially symmetric
    return g, field["c"][:, 0]


def test_ring_with_a_sink_and_a_closed_outer_wall_gives_the_bessel_profile() -> None:
    """Steady ``D (c'' + c'/r) = k c`` on R0 < r < R1, c(R0) = 1, c'(R1) = 0:
    ``c = A I0(a r) + B K0(a r)`` with ``a = sqrt(k / D)`` (modified Bessel functions)."""
    from scipy.special import i0, i1, k0, k1

    d, k = 100.0, 0.05  # um2/s, 1/s: a decay length of 45 um
    errors = []
    for dr in (4.0, 2.0, 1.0):
        g, c = _ring_steady(int(round(80.0 / dr)), dr, d, k * 3600.0)
        a = np.sqrt(k / d)
        r0, r1 = g.inner_radius_um, g.outer_radius_um
        b = 1.0 / (i0(a * r0) * k1(a * r1) / i1(a * r1) + k0(a * r0))
        exact = b * k1(a * r1) / i1(a * r1) * i0(a * g.centre_radius_um()) + b * k0(a * g.centre_radius_um())
        errors.append(np.max(np.abs(c - exact)))
    assert errors[-1] < 2e-3
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(orders > 1.7)  # second order in the radial step


def test_ring_between_two_held_walls_gives_the_logarithmic_profile() -> None:
    """Steady ``(r c')' = 0`` with c(R0) = 1, c(R1) = 0: ``c = ln(R1/r) / ln(R1/R0)``."""
    errors = []
    for dr in (2.0, 1.0, 0.5):
        g, c = _ring_steady(int(round(40.0 / dr)), dr, 200.0, 0.0, adventitia="serum", outer=0.0, r0=10.0)
        r0, r1 = g.inner_radius_um, g.outer_radius_um
        errors.append(np.max(np.abs(c - np.log(r1 / g.centre_radius_um()) / np.log(r1 / r0))))
    assert errors[-1] < 2.5e-4
    assert np.all(np.log2(np.array(errors[:-1]) / np.array(errors[1:])) > 1.7)


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 12), st.integers(3, 17), st.floats(1.0, 300.0), st.floats(0.0, 2000.0),
       st.sampled_from([0.01, 1.0, 24.0]))
def test_a_closed_ring_conserves_its_volume_weighted_total(rings, cols, r0, d, dt_h) -> None:
    g = RingGeometry(rings, cols, 5.0, DEPTH, inner_radius_um=r0)
    field = np.random.default_rng(rings * cols).uniform(0.0, 3.0, g.shape)
    total = g.integrate(field)
    tr = Transport(g, dt_h, {"c": d}, "noflux", lumen="noflux")
    for _ in range(20):
        tr.step({"c": field})
    assert g.integrate(field) == pytest.approx(total, rel=1e-12)
    assert field.min() >= 0.0


def test_ring_inflow_is_the_change_of_the_volume_weighted_total() -> None:
    g = RingGeometry(10, 12, 5.0, DEPTH, inner_radius_um=30.0)
    tr = Transport(g, 0.05, {"c": 500.0}, "noflux")
    field = {"c": np.zeros(g.shape)}
    before = g.integrate(field["c"])
    entered = tr.step(field, {"c": 2.0})["c"]
    assert entered == pytest.approx(g.integrate(field["c"]) - before, rel=1e-10)
    assert entered > 0
