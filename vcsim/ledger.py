"""The calcium and phosphorus ledger of the wall: what is in it and what crossed its borders.

Pools (umol, summed over the wall with the geometry's site volumes):

- dissolved, in the pore fluid: ``porosity * c * V`` (Ca, Pi, and 2 P per PPi);
- in mineral: 10 Ca and 6 P per HAP formula unit (:mod:`vcsim.chemistry.phases`), mineral held
  per litre of tissue.

Accounts (cumulative, umol): what entered through the boundaries (the transport step's face
fluxes), what cells released as PPi. ``total(t) - total(0) = boundary in + cell release``
closes the balance for every pool counted (tests/test_ledger.py).
"""

from __future__ import annotations

from typing import Any

from vcsim.chemistry.phases import HAP_CALCIUM, HAP_PHOSPHATE, PPI_PHOSPHORUS

ACCOUNTS = ("boundary_calcium_in_umol", "boundary_phosphorus_in_umol", "cell_phosphorus_released_umol")


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


def wall_totals_umol(model: Any) -> dict[str, float]:
    """Calcium and phosphorus in the pore fluid plus mineral over the wall (umol)."""
    f, g = model.lattice.fields, model.geometry
    fluid = float(model.params.porosity_fraction) * 1e3  # mM x L of tissue -> umol of fluid
    hap = g.integrate(f["mineral_hap_mM"]) * 1e3
    return {
        "calcium_umol": g.integrate(f["calcium_mM"]) * fluid + HAP_CALCIUM * hap,
        "phosphorus_umol": (g.integrate(f["phosphate_mM"])
                            + PPI_PHOSPHORUS * 1e-3 * g.integrate(f["pyrophosphate_uM"])) * fluid
        + HAP_PHOSPHATE * hap,
    }


def mineral_calcium_umol(model: Any) -> float:
    """Calcium held in mineral over the wall (umol)."""
    return HAP_CALCIUM * model.geometry.integrate(model.lattice.fields["mineral_hap_mM"]) * 1e3
