"""Implicit diffusion of the dissolved fields through the wall, on any geometry of
:mod:`vcsim.geometry` (rows across the wall x periodic columns, metrics varying by row).

The problem (per dissolved species, concentration ``c`` in the pore fluid, mM or uM)::

    d c/dt = div(D_eff grad c) - k c          (k = 0 except in tests)

Porosity ``phi`` is uniform, so in ``d(phi c)/dt = -div(phi J)`` it cancels from storage and
flux alike: ``D_eff = D_free / lambda^2`` is the pore-fluid diffusivity (tortuosity ``lambda``)
and a site holds ``phi V c`` of the species.

Space: conservative finite volumes on the geometry's metrics (:mod:`vcsim.geometry.base`):
site volumes ``V_r``, face conductances ``G`` (area / centre distance) between rows and
between columns. For site (r, j)::

    V_r dc/dt = D [G_{r-1/2} (c_{r-1,j} - c_{r,j}) + G_{r+1/2} (c_{r+1,j} - c_{r,j})
                   + H_r (c_{r,j-1} + c_{r,j+1} - 2 c_{r,j})] - k V_r c_{r,j}

with ``j`` taken modulo ``cols``. On a slab every ``G = H = h`` and ``V = dx^2 h``, the
five-point Laplacian; on a ring the metrics follow the radius (Patankar 1980). At a Dirichlet
side (``"serum"``) the boundary value ``c_b`` is held on the outer face of the edge row, half a
site from its centre (face conductance ``G_b``); at a ``"noflux"`` side the face flux is zero;
with ``lumen="mass_transfer"`` an endothelial barrier of permeability ``P`` sits in series with
that half site: conductance ``1 / (1/(D G_b) + 1/(P A))`` with ``A`` the face area.

Time: backward (implicit) Euler, ``(V + dt K) c^{n+1} = V c^n + dt (boundary terms)``, with
``K`` the symmetric, weakly diagonally dominant conductance matrix: unconditionally stable and
monotone for any ``dt`` (an M-matrix with a non-negative inverse: the discrete maximum
principle; Morton & Mayers 2005, "Numerical Solution of Partial Differential Equations", 2nd
ed., ss. 2.10-2.11 and 3.3). At ``dt = 1 h`` and ``dx = 10 um``, ``D dt / dx^2 ~ 3e4``: the
fields relax to their quasi-steady profile within each step, which is the physics (ions
equilibrate across the media in seconds to minutes).

Solver: the metrics do not vary along a row, so the real FFT along the periodic columns
diagonalises the column coupling: mode ``k`` has the eigenvalue ``-s_k`` of the periodic
second difference, ``s_k = 4 sin^2(pi k / cols)`` (Strang 2007, "Computational Science and
Engineering", s. 4.3). For each mode that leaves a symmetric positive-definite tridiagonal
system across the rows (everything divided by the reference volume ``V_0``)::

    -a_{r-1/2} x_{r-1} + (w_r (1 + k dt) + a_{r-1/2} + a_{r+1/2} + b_r s_k) x_r - a_{r+1/2} x_{r+1}
        = w_r rhs_r,        w_r = V_r / V_0,  a = D dt G / V_0,  b_r = D dt H_r / V_0

(edge rows: the boundary coupling ``g`` in place of the missing neighbour). All modes of all
fields form one block-diagonal tridiagonal matrix, factorised once per ``(dt, decay)`` by
LAPACK ``dpttrf`` (L D L^T) and solved each step by :func:`_solve_factored`, one field per
thread. Cost per step: one ``rfft`` and one ``irfft`` per field plus O(rows x cols). The
rounded factors reproduce the matrix only to ~eps * a, which would bias the totals by ~1e-13
per step; a uniform shift of mode 0 re-imposes the discrete conservation law (below) exactly,
so closed totals hold to round-off over any run.

Mass ledger: backward Euler conserves exactly ``sum_r w_r (c^{n+1} - c^n) = boundary face
fluxes (at c^{n+1}) - dt k sum_r w_r c^{n+1}``. :meth:`Transport.step` returns each field's net
inflow as ``sum V (c^{n+1} - c^n) + decay`` in (concentration units) x litres of tissue;
multiply by the porosity for the amount in the pore fluid (mmol for a mM field).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.linalg import lapack

from vcsim.compiled import jit
from vcsim.geometry import Geometry
from vcsim.parallel import map_blocks

#: Dissolved fields and the parameter holding each one's free diffusivity (25 degC).
DIFFUSIVITY_PARAM_OF_FIELD: dict[str, str] = {
    "calcium_mM": "calcium_diffusivity_um2_per_s",
    "phosphate_mM": "phosphate_diffusivity_um2_per_s",
    "pyrophosphate_uM": "pyrophosphate_diffusivity_um2_per_s",
    "magnesium_mM": "magnesium_diffusivity_um2_per_s",
}

SIDES = ("serum", "noflux")
LUMEN_SIDES = ("serum", "noflux", "mass_transfer")

_SECONDS_PER_HOUR = 3600.0
_FACTOR_CACHE_SIZE = 4


def water_viscosity_Pa_s(temperature_c: float) -> float:
    """Dynamic viscosity of liquid water (Pa s).

    Vogel equation ``eta = 2.414e-5 * 10^(247.8 / (T - 140))`` with ``T`` in K, the widely
    tabulated engineering fit for water, within ~2.5 % of measured values from 0 to 370 degC
    (8.90e-4 Pa s at 25 degC, 6.9e-4 at 37 degC).
    """
    t_k = temperature_c + 273.15
    return 2.414e-5 * 10.0 ** (247.8 / (t_k - 140.0))


def stokes_einstein_factor(temperature_c: float, reference_c: float = 25.0) -> float:
    """Ratio ``D(T) / D(T_ref) = (T / T_ref) * eta(T_ref) / eta(T)``.

    Stokes-Einstein, ``D = k_B T / (6 pi eta r)`` (Einstein 1905), at fixed hydrodynamic
    radius; the usual way to carry tabulated 25 degC ionic diffusivities to another
    temperature (Boudreau 1997, "Diagenetic Models and Their Implementation", ch. 4).
    About 1.34 from 25 to 37 degC.
    """
    t, t_ref = temperature_c + 273.15, reference_c + 273.15
    return (t / t_ref) * water_viscosity_Pa_s(reference_c) / water_viscosity_Pa_s(temperature_c)


def effective_diffusivities(params: Mapping[str, Any]) -> dict[str, float]:
    """Pore-fluid diffusivity (um2/s) of each dissolved field at ``temperature_c``.

    ``D_eff = D_free,25C * stokes_einstein_factor(temperature_c) / lambda^2`` with
    ``lambda = media_tortuosity_factor`` (Nicholson & Sykova 1998, Trends Neurosci 21:207:
    ``D* = D / lambda^2`` in a tortuous extracellular space).
    """
    scale = stokes_einstein_factor(float(params["temperature_c"]))
    scale /= float(params["media_tortuosity_factor"]) ** 2
    return {field: float(params[key]) * scale for field, key in DIFFUSIVITY_PARAM_OF_FIELD.items()}


SIDES = ("serum", "noflux")
LUMEN_SIDES = ("serum", "noflux", "mass_transfer")

_SECONDS_PER_HOUR = 3600.0
_FACTOR_CACHE_SIZE = 4


@jit
def _solve_factored(d, e, b):
    """Solve ``L D L^T x = b`` in place for the factors ``d``, ``e`` of LAPACK ``dpttrf`` and a
    complex right-hand side viewed as ``(n, 2)`` float64 (real and imaginary parts; the
    factors are real): forward substitution, diagonal, back substitution (LAPACK ``zptts2``'s
    order)."""
    n = d.size
    for i in range(1, n):
        ei = e[i - 1]
        b[i, 0] = b[i, 0] - b[i - 1, 0] * ei
        b[i, 1] = b[i, 1] - b[i - 1, 1] * ei
    for i in range(n):
        di = d[i]
        b[i, 0] = b[i, 0] / di
        b[i, 1] = b[i, 1] / di
    for i in range(n - 2, -1, -1):
        ei = e[i]
        b[i, 0] = b[i, 0] - b[i + 1, 0] * ei
        b[i, 1] = b[i, 1] - b[i + 1, 1] * ei


@dataclass(frozen=True)
class _Factors:
    """The factorised system of one ``(dt, decay)``: LAPACK ``dpttrf`` factors ``d``, ``e`` of
    every mode of every field, the lumen and adventitia couplings ``g`` per field, and the
    unfactorised diagonal and off-diagonal of mode 0 per field (rows), for the coupled mode-0
    solve of :meth:`ImplicitStep.solve`."""

    d: np.ndarray
    e: np.ndarray
    g_top: np.ndarray
    g_bot: np.ndarray
    diag0: np.ndarray  # (fields, rows)
    off0: np.ndarray  # (fields, rows): coupling of row r and r + 1 (last entry unused)


@jit
def _solve_mode0_coupled(diag0, off0, coupling, rhs):
    """Solve the coupled mode-0 system in place by block Thomas elimination.

    Unknowns ``x[r, f]`` (row sums of field f in row r); equation (f, r)::

        off0[f, r-1] x[r-1, f] + diag0[f, r] x[r, f] + off0[f, r] x[r+1, f]
            + sum_g coupling[r, f, g] x[r, g] = rhs[r, f]

    (the per-field tridiagonals of :class:`Transport` plus a dense ``fields x fields`` block
    per row). ``rhs`` (rows, fields) is overwritten with the solution.
    """
    rows, nf = rhs.shape
    # forward elimination: D'_r = D_r - L_r D'^-1_{r-1} U_{r-1}, b'_r = b_r - L_r D'^-1_{r-1} b'_{r-1}
    dprime = np.empty((rows, nf, nf))
    upper = np.empty((rows, nf, nf))  # D'^-1_r U_r
    for r in range(rows):
        block = coupling[r].copy()
        for f in range(nf):
            block[f, f] += diag0[f, r]
        if r > 0:
            for f in range(nf):
                lo = off0[f, r - 1]
                for g in range(nf):
                    block[f, g] -= lo * upper[r - 1, f, g]
                rhs[r, f] -= lo * rhs[r - 1, f]
        dprime[r] = block
        u = np.zeros((nf, nf))
        for f in range(nf):
            u[f, f] = off0[f, r] if r < rows - 1 else 0.0
        sol = np.linalg.solve(block, np.concatenate((u, rhs[r].reshape(nf, 1)), axis=1))
        upper[r] = sol[:, :nf]
        for f in range(nf):
            rhs[r, f] = sol[f, nf]
    for r in range(rows - 2, -1, -1):
        for f in range(nf):
            acc = rhs[r, f]
            for g in range(nf):
                acc -= upper[r, f, g] * rhs[r + 1, g]
            rhs[r, f] = acc


class ImplicitStep:
    """One backward-Euler transport step from ``c^n``, solvable repeatedly with sources.

    Built by :meth:`Transport.begin`. The right-hand side ``V c^n`` plus the boundary terms is
    transformed once; :meth:`solve` adds a source's transform and solves. Used by the
    reaction-transport process, which iterates on the reaction sources of the same step
    (:mod:`vcsim.processes.reaction_transport`).
    """

    def __init__(self, transport: Transport, arrays: list[np.ndarray], factors: _Factors,
                 kappa: np.ndarray, values_top: np.ndarray, values_bot: np.ndarray, threads: int):
        self.transport = transport
        self.names = transport.names
        self.factors = factors
        self.kappa = kappa
        self.values_top = values_top
        self.values_bot = values_bot
        self.threads = threads
        t = transport
        rows, cols = t.shape
        n_fields = len(arrays)
        self.base = np.empty((n_fields, t.n_modes, rows), dtype=np.complex128)
        w = t._weights

        def forward(i: int) -> None:
            # FFT along the periodic columns, written mode-major (rows fastest) for the solve
            np.fft.rfft(arrays[i].T, axis=0, out=self.base[i])
            if not t._uniform:
                self.base[i] *= w  # the volume-weighted right-hand side V_r / V_0 c^n

        map_blocks(forward, range(n_fields), threads)
        # Mode 0 holds the (weighted) row sums (rfft of a row at k = 0 is its sum).
        self.totals_before = self.base[:, 0, :].real.sum(axis=1)
        # A uniform boundary value enters only the k = 0 mode (its rfft is cols * value).
        self.source_top = cols * factors.g_top * values_top
        self.source_bot = cols * factors.g_bot * values_bot
        self.base[:, 0, 0] += self.source_top
        self.base[:, 0, rows - 1] += self.source_bot

    def mode0(self, arrays: Mapping[str, np.ndarray]) -> np.ndarray:
        """Row sums ``sum_j c[r, j]`` of each field, shape (rows, fields): the mode-0 values
        of an iterate, as :meth:`solve` takes them (``mode0_iterate``)."""
        return np.stack([arrays[n].sum(axis=1) for n in self.names], axis=1)

    def solve(
        self,
        sources: Mapping[str, np.ndarray] | None,
        out: Mapping[str, np.ndarray],
        *,
        mode0_coupling: np.ndarray | None = None,
        mode0_iterate: np.ndarray | None = None,
        conserve: bool = True,
    ) -> dict[str, float]:
        """Solve ``(V (1 + k dt) + dt K) c = V (c^n + s) + boundary terms`` into ``out``.

        Args:
            sources: per field, the amount ``s`` added at each site over the step
                (concentration units), or None.
            out: arrays by field name to write the solution into (may be the fields).
            mode0_coupling: optional ``(rows, fields, fields)`` matrix ``C_r``: the row-mean
                linearisation ``-d s / d c`` of the sources (dimensionless, per unit of the
                row's fields). Mode 0 is then solved as ``(A_0 + w_r C_r) x = rhs_0 + w_r C_r
                x^k`` with ``x^k`` = ``mode0_iterate`` (row sums of the current iterate): a
                Newton correction of the row means, which makes the reaction-transport
                iteration converge when the reactions of whole rows are stiff. At the
                iteration's fixed point ``x = x^k`` and the term cancels.
            conserve: re-impose the discrete conservation law on mode 0 (below) and clip
                round-off negatives; for the final solve of a step (with no coupling).

        Returns:
            Per field the boundary inflow, as :meth:`Transport.step` (meaningful with
            ``conserve=True``; :attr:`Transport.last_exchange` is set then).
        """
        t, fac = self.transport, self.factors
        rows, cols = t.shape
        spectra = t._spectra
        w = t._weights
        n_fields = len(self.names)
        np.copyto(spectra, self.base)
        source_total = np.zeros(n_fields)
        if sources:
            src = []
            for i, name in enumerate(self.names):
                a = sources.get(name)
                if a is not None:
                    src.append((i, np.asarray(a, dtype=np.float64).reshape(t.shape)))
            scratch = np.empty((t.n_modes, rows), dtype=np.complex128) if src else None
            for i, a in src:
                np.fft.rfft(a.T, axis=0, out=scratch)
                if not t._uniform:
                    scratch *= w
                spectra[i] += scratch
                source_total[i] = scratch[0].real.sum()

        per = spectra[0].size
        if fac.e.size == 0:
            spectra.reshape(-1)[:] /= fac.d
        else:
            d_fields = fac.d.reshape(n_fields, per)

            def solve(i: int) -> None:
                _solve_factored(d_fields[i], fac.e[i * per:(i + 1) * per - 1],
                                spectra[i].reshape(-1).view(np.float64).reshape(-1, 2))

            # field by field (they are decoupled: e = 0 between them), on threads
            rhs0 = spectra[:, 0, :].real.T.copy() if mode0_coupling is not None else None
            map_blocks(solve, range(n_fields), self.threads)
            if mode0_coupling is not None:
                c = np.ascontiguousarray(mode0_coupling, dtype=np.float64) * w[:, None, None]
                xk = np.asarray(mode0_iterate, dtype=np.float64).reshape(rows, n_fields)
                rhs0 += np.einsum("rfg,rg->rf", c, xk)
                _solve_mode0_coupled(fac.diag0, fac.off0, c, rhs0)
                spectra[:, 0, :] = rhs0.T

        mode0 = spectra[:, 0, :]
        if conserve:
            # Conservative correction. The computed L D L^T factors reproduce the matrix only
            # to ~eps * a, a systematic bias of ~1e-13 of the total per step. The column sums
            # of the exact matrix give the discrete conservation law of mode 0,
            #   (1 + dt k) sum_r w_r x_r + g_top x_0 + g_bot x_last = sum_r w_r (c_r + s_r) + b,
            # and a uniform shift of mode 0 restores it to round-off.
            weight_sum = float(w.sum())
            weighted = mode0.real @ w if not t._uniform else mode0.real.sum(axis=1)
            residual = (
                self.totals_before + source_total + self.source_top + self.source_bot
                - (1.0 + self.kappa) * weighted
                - fac.g_top * mode0[:, 0].real
                - fac.g_bot * mode0[:, rows - 1].real
            )
            mode0 += (residual / ((1.0 + self.kappa) * weight_sum + fac.g_top + fac.g_bot))[:, None]

        totals_after = mode0.real @ w if not t._uniform else mode0.real.sum(axis=1)
        decayed = self.kappa * totals_after
        inflow = totals_after - self.totals_before - source_total + decayed
        # Adventitial face flux; the lumen share is the rest (the split is for reporting).
        inflow_bot = fac.g_bot * (cols * self.values_bot - mode0[:, rows - 1].real)
        targets = [out[name] for name in self.names]
        for name, a in zip(self.names, targets, strict=True):
            if a.shape != t.shape or a.dtype != np.float64 or not a.flags.writeable:
                raise ValueError(f"output for {name!r} must be a writeable float64 array of shape {t.shape}")

        def inverse(i: int) -> float:
            array = targets[i]
            np.fft.irfft(spectra[i], n=cols, axis=0, out=array.T)
            clipped = 0.0
            if conserve and array.min() < 0.0:  # round-off only: the exact solution is >= 0
                negative = array < 0.0
                clipped = -float((np.where(negative, array, 0.0).sum(axis=1) * w).sum())
                array[negative] = 0.0
            return clipped

        clipped_all = map_blocks(inverse, range(n_fields), self.threads)
        v0 = t._v0_L
        result: dict[str, float] = {}
        if conserve:
            t.last_exchange = {}
        for i, name in enumerate(self.names):
            result[name] = float(inflow[i]) * v0
            if conserve:
                t.last_exchange[name] = {
                    "lumen": float(inflow[i] - inflow_bot[i]) * v0,
                    "adventitia": float(inflow_bot[i]) * v0,
                    "decayed": float(decayed[i]) * v0,
                    "clipped": clipped_all[i] * v0,
                    "sources": float(source_total[i]) * v0,
                }
        return result


class Transport:
    """Backward-Euler diffusion of the dissolved fields on a geometry (module docstring).

    Args:
        geometry: the mesh (:class:`vcsim.geometry.Geometry`).
        dt_h: default time step (h).
        diffusivity_um2_per_s: pore-fluid diffusivity of each field that diffuses; fields not
            named here are never touched (mineral, vesicles, MGP stay where they are).
        adventitia: ``"noflux"`` or ``"serum"`` (Dirichlet at the boundary value).
        lumen: ``"serum"`` (Dirichlet, the default), ``"noflux"`` (a closed box) or
            ``"mass_transfer"`` (needs ``lumen_permeability_um_per_s``).
        lumen_permeability_um_per_s: endothelial permeability ``P`` for ``"mass_transfer"``.

    Attributes:
        last_exchange: per field, the ``lumen``, ``adventitia``, ``decayed`` and ``clipped``
            amounts of the last step (concentration units x L of tissue).
    """

    def __init__(
        self,
        geometry: Geometry,
        dt_h: float,
        diffusivity_um2_per_s: Mapping[str, float],
        adventitia: str = "noflux",
        *,
        lumen: str = "serum",
        lumen_permeability_um_per_s: float | None = None,
    ):
        if not isinstance(geometry, Geometry):
            raise TypeError(f"geometry must be a vcsim.geometry.Geometry, got {type(geometry).__name__}")
        if not dt_h > 0:
            raise ValueError(f"dt_h must be positive, got {dt_h}")
        if adventitia not in SIDES:
            raise ValueError(f"adventitia must be one of {SIDES}, got {adventitia!r}")
        if lumen not in LUMEN_SIDES:
            raise ValueError(f"lumen must be one of {LUMEN_SIDES}, got {lumen!r}")
        if lumen == "mass_transfer" and not (lumen_permeability_um_per_s or 0) > 0:
            raise ValueError("lumen='mass_transfer' needs lumen_permeability_um_per_s > 0")
        if not diffusivity_um2_per_s:
            raise ValueError("diffusivity_um2_per_s names no field")
        for name, d in diffusivity_um2_per_s.items():
            if not (np.isfinite(d) and d >= 0):
                raise ValueError(f"diffusivity of {name!r} must be finite and >= 0, got {d}")

        self.geometry = geometry
        self.shape: tuple[int, int] = geometry.shape
        self.rows, self.cols = self.shape
        self.dt_h = float(dt_h)
        self.diffusivity_um2_per_s: dict[str, float] = {
            k: float(v) for k, v in diffusivity_um2_per_s.items()
        }
        self.names: tuple[str, ...] = tuple(self.diffusivity_um2_per_s)
        self.adventitia = adventitia
        self.lumen = lumen
        self.lumen_permeability_um_per_s = (
            None if lumen_permeability_um_per_s is None else float(lumen_permeability_um_per_s)
        )
        self.n_modes = self.cols // 2 + 1
        v0 = geometry.reference_volume_um3
        self._v0_L = v0 * 1e-15
        self._weights = geometry.row_volume_um3 / v0  # w_r = V_r / V_0 (exactly 1 on a slab)
        self._uniform = bool(np.all(self._weights == 1.0))
        # spectra of all fields, mode-major with the row index fastest: (field, mode, row)
        self._spectra = np.zeros((len(self.names), self.n_modes, self.rows), dtype=np.complex128)
        self._factors: dict[tuple, tuple[np.ndarray, ...]] = {}
        self.last_exchange: dict[str, dict[str, float]] = {}

    @classmethod
    def from_params(cls, params: Mapping[str, Any], geometry: Geometry) -> Transport:
        """Build from parameters: diffusivities, boundaries and ``dt_h``.

        ``adventitia_boundary = "from_setting"`` resolves to ``noflux`` in vivo and ``serum``
        in vitro (the medium bathes both sides).
        """
        adventitia = str(params["adventitia_boundary"])
        if adventitia == "from_setting":
            adventitia = "serum" if params["setting"] == "in_vitro" else "noflux"
        return cls(
            geometry,
            float(params["dt_h"]),
            effective_diffusivities(params),
            adventitia,
            lumen=str(params["lumen_boundary"]),
            lumen_permeability_um_per_s=float(params["lumen_permeability_um_per_s"]),
        )

    def __repr__(self) -> str:
        return (
            f"Transport({self.geometry!r}, dt={self.dt_h:g} h, lumen={self.lumen}, "
            f"adventitia={self.adventitia}, fields={list(self.names)})"
        )

    # ---- coefficients ----------------------------------------------------------------------

    def coupling(self, dt_h: float | None = None) -> dict[str, dict[str, Any]]:
        """Dimensionless coefficients of each field for a step of ``dt_h``:
        ``radial`` (a per row face), ``column`` (b per row), ``lumen`` and ``adventitia``
        (g of the edge rows), all ``D dt G / V_0`` (module docstring)."""
        dt_s = (self.dt_h if dt_h is None else float(dt_h)) * _SECONDS_PER_HOUR
        g = self.geometry
        v0 = g.reference_volume_um3
        out = {}
        for name, d in self.diffusivity_um2_per_s.items():
            scale = d * dt_s / v0
            if self.lumen == "serum":
                g_top = scale * g.lumen_face_um
            elif self.lumen == "noflux":
                g_top = 0.0
            else:
                # half a site of tissue (D G_b) in series with the barrier (P A), A = G_b dx / 2
                area = g.lumen_face_um * g.spacing_um / 2.0
                conductance = 1.0 / ((1.0 / (d * g.lumen_face_um) if d > 0 else np.inf)
                                     + 1.0 / (self.lumen_permeability_um_per_s * area))
                g_top = conductance * dt_s / v0
            g_bot = scale * g.adventitia_face_um if self.adventitia == "serum" else 0.0
            out[name] = {"radial": scale * g.radial_face_um, "column": scale * g.column_face_um,
                         "lumen": g_top, "adventitia": g_bot}
        return out

    def _factorisation(self, dt_h: float, decay: tuple[float, ...]):
        key = (dt_h, decay)
        cached = self._factors.get(key)
        if cached is not None:
            return cached
        rows, n_modes, n_fields = self.rows, self.n_modes, len(self.names)
        coupling = self.coupling(dt_h)
        w = self._weights[None, None, :]
        kappa = (np.asarray(decay) * dt_h)[:, None, None]
        s = (4.0 * np.sin(np.pi * np.arange(n_modes) / self.cols) ** 2)[None, :, None]
        radial = np.zeros((n_fields, 1, rows + 1))  # a at the face above row r (0 at the edges)
        column = np.empty((n_fields, 1, rows))
        g_top = np.empty(n_fields)
        g_bot = np.empty(n_fields)
        for i, name in enumerate(self.names):
            c = coupling[name]
            radial[i, 0, 1:rows] = c["radial"]
            column[i, 0, :] = c["column"]
            g_top[i], g_bot[i] = c["lumen"], c["adventitia"]
        diag = w * (1.0 + kappa) + radial[:, :, :-1] + radial[:, :, 1:] + column * s
        diag = np.broadcast_to(diag, (n_fields, n_modes, rows)).copy()
        diag[:, :, 0] += g_top[:, None]
        diag[:, :, -1] += g_bot[:, None]
        off = np.empty_like(diag)
        off[...] = -radial[:, :, 1:]
        off[:, :, -1] = 0.0  # no coupling between the last row of one mode and the next mode
        if diag.size == 1:  # a single unknown (LAPACK's wrappers refuse an empty e)
            d_fact, e_fact = diag.ravel().copy(), np.empty(0)
        else:
            d_fact, e_fact, info = lapack.dpttrf(diag.ravel(), off.ravel()[:-1])
            if info != 0:  # cannot happen for D >= 0, dt > 0, k >= 0: the matrix is SPD
                raise np.linalg.LinAlgError(f"dpttrf failed (info={info})")
        factors = _Factors(d_fact, np.ascontiguousarray(e_fact, dtype=np.float64), g_top, g_bot,
                           np.ascontiguousarray(diag[:, 0, :]), np.ascontiguousarray(off[:, 0, :]))
        if len(self._factors) >= _FACTOR_CACHE_SIZE:
            self._factors.pop(next(iter(self._factors)))
        self._factors[key] = factors
        return factors

    # ---- the step ----------------------------------------------------------------------------

    def step(
        self,
        fields: Mapping[str, np.ndarray],
        boundary: Mapping[str, float] | None = None,
        *,
        adventitia_values: Mapping[str, float] | None = None,
        decay_per_h: Mapping[str, float] | None = None,
        sources: Mapping[str, np.ndarray] | None = None,
        dt_h: float | None = None,
        threads: int = 1,
    ) -> dict[str, float]:
        """Advance the diffusing fields by one backward-Euler step, in place.

        Args:
            fields: arrays (float64, ``geometry.shape``, writeable) by name; every name with a
                diffusivity must be present, other names are ignored.
            boundary: serum value of each field at the lumen (and at the adventitia when it
                is ``"serum"``). Not needed for closed sides.
            adventitia_values: adventitial boundary values, if they differ from ``boundary``.
            decay_per_h: first-order loss rate ``k`` (1/h) per field, solved implicitly in the
                same system. A test hook (the analytic radial profiles); chemistry does its own
                reactions.
            sources: per field, an amount added at each site over the step (concentration
                units; e.g. what reactions and cells put into the fluid), solved in the same
                system: ``(V + dt K) c^{n+1} = V (c^n + s) + boundary terms``.
            dt_h: step length (h); default the constructor's ``dt_h``.
            threads: transform and solve the fields on up to this many threads; each field is
                one independent task, so the bits are the same for any count.

        Returns:
            Per field, the net amount that entered through the lumen and adventitial faces
            during the step, in (concentration units) x L of tissue (the module docstring's
            ledger). In general ``integrate(after) - integrate(before) = returned + sources -
            decayed + clipped`` (:attr:`last_exchange`; ``clipped`` is the round-off-level
            negative part, set to zero). It is computed from the change of the totals (well
            conditioned) rather than from the face fluxes, whose ``g (c_b - c)`` cancels badly
            when ``g`` is large.
        """
        system = self.begin(fields, boundary, adventitia_values=adventitia_values,
                            decay_per_h=decay_per_h, dt_h=dt_h, threads=threads)
        return system.solve(sources, fields, conserve=True)

    def begin(
        self,
        fields: Mapping[str, np.ndarray],
        boundary: Mapping[str, float] | None = None,
        *,
        adventitia_values: Mapping[str, float] | None = None,
        decay_per_h: Mapping[str, float] | None = None,
        dt_h: float | None = None,
        threads: int = 1,
    ) -> ImplicitStep:
        """Prepare one backward-Euler step from the fields at time t (``c^n``), to be solved
        any number of times with different sources (:class:`ImplicitStep`); ``fields`` are
        read here and not modified. Arguments as :meth:`step`."""
        dt_h = self.dt_h if dt_h is None else float(dt_h)
        if not dt_h > 0:
            raise ValueError(f"dt_h must be positive, got {dt_h}")
        decay = tuple(float((decay_per_h or {}).get(n, 0.0)) for n in self.names)
        if any(k < 0 for k in decay):
            raise ValueError("decay_per_h must be >= 0")
        arrays = []
        for name in self.names:
            if name not in fields:
                raise KeyError(f"field {name!r} has a diffusivity but is not in fields")
            array = fields[name]
            if array.shape != self.shape or array.dtype != np.float64:
                raise ValueError(
                    f"field {name!r} must be a float64 array of shape {self.shape}, "
                    f"got {array.dtype} {array.shape}"
                )
            arrays.append(array)
        factors = self._factorisation(dt_h, decay)
        values_top = self._boundary_values(boundary, factors.g_top, "lumen")
        values_bot = self._boundary_values(
            boundary if adventitia_values is None else adventitia_values, factors.g_bot, "adventitia"
        )
        return ImplicitStep(self, arrays, factors, np.asarray(decay) * dt_h, values_top, values_bot,
                            threads)

    def _boundary_values(
        self, values: Mapping[str, float] | None, coupling: np.ndarray, side: str
    ) -> np.ndarray:
        out = np.zeros(len(self.names))
        for i, name in enumerate(self.names):
            if coupling[i] == 0.0:
                continue
            if values is None or name not in values:
                raise KeyError(f"no {side} boundary value for field {name!r}")
            out[i] = float(values[name])
        return out
