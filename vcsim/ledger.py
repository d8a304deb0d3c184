"""The calcium and phosphorus ledger of the wall: what is in it and what crossed its borders.

Pools (umol, summed over the wall with the geometry's site volumes):

- dissolved, in the pore fluid: ``porosity * c * V`` (Ca, Pi, and 2 P per PPi);
- in mineral: 10 Ca and 6 P per HAP formula unit (:mod:`vcsim.chemistry.phases`), mineral held
  per litre of tissue;
- in cells: each cell's phosphate pool and the calcium of its ER store
  (:mod:`vcsim.cells.vsmc.ions`), for every cell type whose variables say so
  (``phosphate_pool_amol``, ``er_calcium_fraction`` x the store's capacity).

Accounts (cumulative, umol): what entered through the boundaries (the reaction-transport
step's face fluxes) and, for information, what cells gave their sites' fluid (net of uptake).
``total(t) - total(0) = boundary in`` closes the balance with every pool counted
(tests/test_reaction_transport.py: closed boxes with deaths and divisions, open walls).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vcsim.chemistry.phases import HAP_CALCIUM, HAP_PHOSPHATE, PPI_PHOSPHORUS

ACCOUNTS = ("boundary_calcium_in_umol", "boundary_phosphorus_in_umol", "cell_phosphorus_released_umol",
            "cell_calcium_released_umol")


class Ledger:
    """Cumulative accounts by name (umol)."""

    def __init__(self, accounts: tuple[str, ...] = ACCOUNTS):
        self.accounts: dict[str, float] = dict.fromkeys(accounts, 0.0)

    def add(self, account: str, amount_umol: float) -> None:
        if account not in self.accounts:
            raise KeyError(f"no ledger account {account!r}; accounts: {', '.join(self.accounts)}")
        self.accounts[account] += float(amount_umol)

    def __getitem__(self, account: str) -> float:
        return self.accounts[account]

    def to_dict(self) -> dict[str, float]:
        return dict(self.accounts)

    def load(self, values: dict[str, float]) -> None:
        for k, v in values.items():
            self.accounts[k] = float(v)


def cell_totals_umol(model: Any) -> dict[str, float]:
    """Calcium and phosphorus the cells hold (umol): phosphate pools and ER stores."""
    from vcsim.cells.vsmc.calcium import store_capacity_amol

    ca = p = 0.0
    for pop in model.populations.values():
        names = pop.cell_type.variable_names
        if "phosphate_pool_amol" in names:
            p += float(pop.state["phosphate_pool_amol"].astype(np.float64).sum())
        if "er_calcium_fraction" in names:
            q = float(store_capacity_amol(model.inputs.array[0]))
            ca += q * float(pop.state["er_calcium_fraction"].astype(np.float64).sum())
    return {"calcium_umol": ca * 1e-12, "phosphorus_umol": p * 1e-12}


def wall_totals_umol(model: Any) -> dict[str, float]:
    """Calcium and phosphorus over the wall (umol): pore fluid, mineral and cells."""
    f, g = model.lattice.fields, model.geometry
    fluid = float(model.params.porosity_fraction) * 1e3  # mM x L of tissue -> umol of fluid
    hap = g.integrate(f["mineral_hap_mM"]) * 1e3
    cells = cell_totals_umol(model)
    return {
        "calcium_umol": g.integrate(f["calcium_mM"]) * fluid + HAP_CALCIUM * hap + cells["calcium_umol"],
        "phosphorus_umol": (g.integrate(f["phosphate_mM"])
                            + PPI_PHOSPHORUS * 1e-3 * g.integrate(f["pyrophosphate_uM"])) * fluid
        + HAP_PHOSPHATE * hap + cells["phosphorus_umol"],
    }


def mineral_calcium_umol(model: Any) -> float:
    """Calcium held in mineral over the wall (umol)."""
    return HAP_CALCIUM * model.geometry.integrate(model.lattice.fields["mineral_hap_mM"]) * 1e3
