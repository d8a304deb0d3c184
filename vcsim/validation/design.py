"""The experiment design as objects: arms, claims and suite configurations.

These are what :mod:`vcsim.validation.table` builds from ``claims.toml``; the rest of the
package (running, statistics, report, figures) reads only these objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from vcsim.scenario import ScenarioError

#: Calcium content per protein, the unit of the in-vitro calcium assays.
CA = "calcium_content_ug_per_mg_protein"
#: Share of sites whose mineral exceeds the staining-like threshold.
CALC_FRAC = "calcified_fraction"

#: How a claim compares arms (see :mod:`vcsim.validation.statistics`).
KINDS = ("diff", "below", "above", "remaining", "top", "within", "ratio", "equivalent")
#: What a claim is for: a ``calibration`` anchor sets parameters (``sets``, each of which names
#: the anchor in its ``calibrated_by``); a ``validation`` claim is one no parameter was tuned to.
ROLES = ("calibration", "validation")
#: ``direction`` of a ``diff`` claim in the table -> sign of the expected effect.
DIRECTIONS = {"higher": 1, "lower": -1}
#: Figures of :mod:`vcsim.validation.figures`; a claim names the one that shows it.
FIGURES = ("dose_response", "time_courses", "glucose", "vitamin_k", "upr", "inhibitors", "ranking",
           "timescales")
#: A metric ``<column>@day<N>`` reads the arm's daily time course at day N.
AT_DAY = "@day"
#: Run lengths by setting (the ``setting`` parameter of the arm's scenario).
SETTINGS = ("in_vitro", "in_vivo")


class TableError(ScenarioError):
    """The validation table is invalid (one line; a ScenarioError, so the command line reports
    it with exit status 2)."""


@dataclass(frozen=True)
class SuiteConfig:
    """One size of the suite: replicate seeds, lattice and run lengths (``[suites.*]``)."""

    quick: bool
    seeds: tuple[int, ...]
    lattice_rows: int
    lattice_cols: int
    days_in_vitro: float
    days_in_vivo: float
    #: medium Pi of the in-vitro dose response (one arm per dose); empty = the table's
    #: doses of the suite of the same mode (quick or full)
    doses: tuple[float, ...] = ()
    name: str = ""

    @property
    def lattice_overrides(self) -> tuple[str, ...]:
        return (f"lattice_rows={self.lattice_rows}", f"lattice_cols={self.lattice_cols}")


@dataclass(frozen=True)
class Arm:
    """One arm: a scenario with overrides, run for the in-vitro or in-vivo number of days."""

    name: str
    scenario: str
    overrides: tuple[str, ...] = ()
    vivo: bool = False  # in vivo arms run longer (weeks)
    label: str = ""
    #: run length (days) when it differs from the suite's in-vitro / in-vivo length
    run_days: float | None = None
    #: the medium Pi of a dose-response arm (None for other arms)
    dose: float | None = None
    #: one of the scenarios ranked by calcium content (``[ranking]``)
    ranked: bool = False

    def days(self, cfg: SuiteConfig) -> float:
        if self.run_days is not None:
            return self.run_days
        return cfg.days_in_vivo if self.vivo else cfg.days_in_vitro


@dataclass(frozen=True)
class Claim:
    """One behaviour from the literature as a comparison of arms.

    ``claim`` is the text filled from the arms' parameters; ``template`` the text as written
    in the table.
    """

    id: str
    claim: str
    source: str
    metric: str
    kind: str  # one of KINDS
    treat: str
    ref: str = ""
    base: str = ""  # for "remaining"
    direction: int = 1  # diff: +1 treatment higher, -1 lower
    threshold: float = 0.0  # below/above/remaining
    margin: float = 0.0  # diff: minimal |effect|
    others: tuple[str, ...] = ()  # for "top"
    figure: str = ""
    template: str = ""
    role: str = "validation"  # one of ROLES
    #: calibration anchors: the parameters the anchor sets
    sets: tuple[str, ...] = ()
    #: within / ratio: the published range the mean must lie in
    low: float = 0.0
    high: float = 0.0
    #: why a claim has the role it has (e.g. it moved from validation to calibration)
    note: str = ""

    @property
    def arms(self) -> tuple[str, ...]:
        """Every arm the claim reads."""
        return tuple(a for a in (self.treat, self.ref, self.base, *self.others) if a)
