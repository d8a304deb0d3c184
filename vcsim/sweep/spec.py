"""Sweep specifications: a TOML file naming a base scenario, what to vary, and a design.

The simplest spec::

    scenario = "ckd"
    days = 14
    replicates = 3
    design = "grid"
    [parameters]
    serum_phosphate_mM = [1.0, 1.5, 2.0, 2.5, 3.0]

Top-level keys (all but ``[parameters]`` optional):

- ``scenario``: a scenario name or TOML path (relative paths are read from the spec's folder);
  omitted = every parameter at its default, no schedule.
- ``days``: simulated days per run (default: the scenario's own ``days``).
- ``replicates`` (1): runs per design point, each with its own seed.
- ``design`` ("grid"): ``grid``, ``random``, ``lhs``, ``sobol`` or ``morris``.
- ``n`` (or ``samples``): points for random/lhs, the base sample N for sobol, trajectories for
  morris.
- ``seed`` (0): the sweep seed. Design sampling and every run seed derive from it.
- ``common_random_numbers`` (false): when true, replicate r uses the same seed at every design
  point (smoother dose-response differences); otherwise each run has its own seed.
- ``metrics``: names of :meth:`VascularModel.summary_metrics` to export, or ``"all"``
  (default :data:`DEFAULT_METRICS`).
- ``timeseries`` ("none"): ``"summary"`` (the exported metrics once a day) or ``"full"``
  (every time-series column at every step) into ``timeseries.csv``.
- ``engine`` ("vector"); ``second_order`` (true, sobol); ``levels`` (4) and
  ``optimal_trajectories`` (morris); ``description`` (free text).
- ``[set]``: fixed overrides for every run (``lattice_rows = 6``).
- ``[parameters]``: one entry per varied parameter, either a list of values or a range table
  ``{min, max, steps, distribution, mean, sd}``:

  - ``[1.0, 1.5, 2.0]``: these levels (grid); random/lhs pick among them.
  - ``{min = 1.0, max = 3.0, steps = 5}``: grid levels evenly spaced (``loguniform``:
    geometrically); random/lhs/sobol/morris sample the range.
  - ``distribution = "uniform" | "loguniform" | "normal"`` (normal: ``mean``, ``sd``, truncated
    to ``min``/``max`` or else to the parameter's own bounds).

  Keys that belong to another design (``steps`` under lhs, ``n`` under grid) are accepted and
  ignored, so one file can switch designs; unknown keys are errors.

Every fixed value, every level, every range bound and every sampled value is validated by the
parameter schema: a bad one is a one-line :class:`ParameterError` naming the key, the value and
what is allowed.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vcsim.params import ParameterError, read_toml, validate_value
from vcsim.params.schema import Param, Scalar, Schema

DESIGNS = ("grid", "random", "lhs", "sobol", "morris")
DISTRIBUTIONS = ("uniform", "loguniform", "normal")
TIMESERIES_MODES = ("none", "summary", "full")
ENGINES = ("vector", "agents")
DEFAULT_METRICS = (
    "calcified_fraction",
    "calcium_content_ug_per_mg_protein",
    "fraction_osteogenic",
    "fraction_apoptotic",
    "mean_chop",
    "nucleation_events_total",
)
TOP_KEYS = (
    "scenario", "days", "replicates", "design", "n", "samples", "seed", "common_random_numbers",
    "metrics", "timeseries", "engine", "second_order", "levels", "optimal_trajectories",
    "description", "set", "parameters",
)
RANGE_KEYS = ("min", "max", "steps", "distribution", "mean", "sd")

#: How run seeds are made; recorded in sweep.json.
SEED_SCHEME = (
    "seed = blake2b(key, digest_size=8) as a big-endian integer >> 1 (63 bits), with key = "
    "'vcsim-sweep/{spec seed}/run/{run_id}' (or 'vcsim-sweep/{spec seed}/replicate/{replicate}' "
    "when common_random_numbers = true); run_id = point * replicates + replicate; design "
    "sampling uses numpy/SALib seeded with the same hash of key 'vcsim-sweep/{spec seed}/design'"
)


class SweepError(RuntimeError):
    """A sweep cannot start, continue or be analysed (the message is one line for the user)."""


def _hash63(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") >> 1


def run_seed(spec_seed: int, run_id: int, replicate: int, common_random_numbers: bool = False) -> int:
    """The model seed of one run: a 63-bit hash of (spec seed, run id) (see :data:`SEED_SCHEME`).

    It depends on nothing but the spec, so every executor and worker count gives the same seeds.
    """
    if common_random_numbers:
        return _hash63(f"vcsim-sweep/{spec_seed}/replicate/{replicate}")
    return _hash63(f"vcsim-sweep/{spec_seed}/run/{run_id}")


def design_seed(spec_seed: int) -> int:
    """Seed of the design sampler (random, lhs, sobol scrambling, morris trajectories)."""
    return _hash63(f"vcsim-sweep/{spec_seed}/design")


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _fmt(x: Any) -> str:
    return repr(x) if not isinstance(x, float) else f"{x:g}"


@dataclass(frozen=True)
class Factor:
    """One varied parameter: explicit ``levels``, or a range (``min``/``max``/``distribution``)."""

    param: Param = field(repr=False, compare=False)
    name: str
    levels: tuple[Scalar, ...] | None = None
    min: float | None = None
    max: float | None = None
    steps: int | None = None
    distribution: str = "uniform"
    mean: float | None = None
    sd: float | None = None

    @property
    def is_range(self) -> bool:
        return self.levels is None

    def truncation(self) -> tuple[float, float]:
        """Lower and upper limits of the sampled values (range, else the parameter's bounds)."""
        lo = self.min if self.min is not None else self.param.lower
        hi = self.max if self.max is not None else self.param.upper
        return (-math.inf if lo is None else float(lo)), (math.inf if hi is None else float(hi))

    def _checked(self, value: Any) -> Scalar:
        if self.param.kind is int and _is_number(value):
            value = int(round(float(value)))
        return validate_value(self.param, value)

    def grid_values(self) -> list[Scalar]:
        """The grid levels: the list as given, or ``steps`` points from ``min`` to ``max``
        (evenly spaced; geometrically for ``loguniform``)."""
        if self.levels is not None:
            return list(self.levels)
        if self.distribution == "normal" or self.steps is None:
            raise ParameterError(
                f"parameter '{self.name}': a grid needs a list of values or {{min, max, steps}}"
                + ("; a normal distribution has no grid" if self.distribution == "normal" else "")
            )
        space = np.geomspace if self.distribution == "loguniform" else np.linspace
        values = [self._checked(float(v)) for v in space(self.min, self.max, self.steps)]
        if len(set(values)) != len(values):
            raise ParameterError(
                f"parameter '{self.name}': steps = {self.steps} repeats integer values {values}; "
                "use fewer steps"
            )
        return values

    def from_unit(self, u: np.ndarray) -> list[Scalar]:
        """Map unit-interval coordinates ``u`` to values by the inverse CDF of the factor.

        levels: the k-th of K levels for u in [k/K, (k+1)/K); uniform: min + u (max - min);
        loguniform: min (max/min)^u; normal: the quantile u of N(mean, sd^2) truncated to
        [lower, upper]. Integers are rounded; every value is validated by the schema.
        """
        u = np.asarray(u, dtype=np.float64)
        if self.levels is not None:
            k = len(self.levels)
            idx = np.minimum((u * k).astype(np.intp), k - 1)
            return [self.levels[int(i)] for i in idx]
        if self.distribution == "uniform":
            x = np.clip(self.min + u * (self.max - self.min), self.min, self.max)
        elif self.distribution == "loguniform":
            x = np.exp(math.log(self.min) + u * (math.log(self.max) - math.log(self.min)))
            x = np.clip(x, self.min, self.max)  # exp(log(max)) may miss max by an ulp
            x[u >= 1.0] = self.max
        else:
            from scipy.stats import truncnorm

            lo, hi = self.truncation()
            a, b = (lo - self.mean) / self.sd, (hi - self.mean) / self.sd
            x = truncnorm.ppf(np.clip(u, 1e-12, 1 - 1e-12), a, b, loc=self.mean, scale=self.sd)
            x = np.clip(x, lo, hi)  # ppf round-off must not step outside the bounds
        return [self._checked(float(v)) for v in x]

    def to_dict(self) -> list[Scalar] | dict[str, Any]:
        """The factor as it is written in a spec (lists stay lists)."""
        if self.levels is not None:
            return list(self.levels)
        out: dict[str, Any] = {}
        for key in RANGE_KEYS:
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


def parse_factor(schema: Schema, name: str, raw: Any, where: str) -> Factor:
    """Validate one ``[parameters]`` entry against the schema."""
    p = schema.lookup(name)
    if isinstance(raw, list):
        if not raw:
            raise ParameterError(f"{where}: parameter '{name}' has an empty list of values")
        levels = tuple(validate_value(p, v) for v in raw)
        if len(set(levels)) != len(levels):
            raise ParameterError(f"{where}: parameter '{name}' lists a value twice: {list(raw)}")
        return Factor(p, name, levels=levels)
    if not isinstance(raw, dict):
        raise ParameterError(
            f"{where}: parameter '{name}' = {raw!r} is not allowed; expected a list of values or "
            "a range {min, max, ...} (a single value belongs in [set])"
        )
    unknown = sorted(set(raw) - set(RANGE_KEYS))
    if unknown:
        raise ParameterError(
            f"{where}: parameter '{name}': unknown range key '{unknown[0]}'; allowed: "
            + ", ".join(RANGE_KEYS)
        )
    if p.kind not in (int, float):
        raise ParameterError(
            f"{where}: parameter '{name}' takes {p.allowed()}; give a list of values, not a range"
        )
    dist = raw.get("distribution", "uniform")
    if dist not in DISTRIBUTIONS:
        raise ParameterError(
            f"{where}: parameter '{name}': distribution = {dist!r} is not allowed; expected one "
            f"of {', '.join(DISTRIBUTIONS)}"
        )
    lo = float(validate_value(p, raw["min"])) if "min" in raw else None
    hi = float(validate_value(p, raw["max"])) if "max" in raw else None
    steps = raw.get("steps")
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps < 2):
        raise ParameterError(
            f"{where}: parameter '{name}': steps = {steps!r} is not allowed; expected an integer >= 2"
        )
    mean = sd = None
    if dist == "normal":
        missing = [k for k in ("mean", "sd") if k not in raw]
        if missing:
            raise ParameterError(f"{where}: parameter '{name}': a normal distribution needs '{missing[0]}'")
        mean = float(validate_value(p, raw["mean"]))
        sd = raw["sd"]
        if not _is_number(sd) or not math.isfinite(sd) or sd <= 0:
            raise ParameterError(
                f"{where}: parameter '{name}': sd = {sd!r} is not allowed; expected a number > 0"
            )
        sd = float(sd)
    else:
        for key in ("mean", "sd"):
            if key in raw:
                raise ParameterError(
                    f"{where}: parameter '{name}': '{key}' applies to distribution = \"normal\" only"
                )
        if lo is None or hi is None:
            raise ParameterError(
                f"{where}: parameter '{name}': a {dist} range needs both min and max "
                f"(allowed: {p.allowed()})"
            )
        if dist == "loguniform" and lo <= 0:
            raise ParameterError(
                f"{where}: parameter '{name}': loguniform needs min > 0, got {_fmt(lo)}"
            )
    if lo is not None and hi is not None and not lo < hi:
        raise ParameterError(
            f"{where}: parameter '{name}': min = {_fmt(lo)} must be below max = {_fmt(hi)}"
        )
    f = Factor(p, name, min=lo, max=hi, steps=steps, distribution=dist, mean=mean, sd=sd)
    if mean is not None:
        a, b = f.truncation()
        if not a <= mean <= b:
            raise ParameterError(
                f"{where}: parameter '{name}': mean = {_fmt(mean)} lies outside [{_fmt(a)}, {_fmt(b)}]"
            )
    return f


@dataclass(frozen=True)
class RunTask:
    """One run of a sweep: design point, replicate, seed and the varied values (picklable)."""

    run_id: int
    point: int
    replicate: int
    seed: int
    values: dict[str, Scalar]


@dataclass(frozen=True)
class Design:
    """The design points in run order; ``unit`` holds the unit-hypercube coordinates of the
    sample (sobol, morris, lhs, random; None for a grid), one row per point."""

    names: tuple[str, ...]
    points: list[dict[str, Scalar]]
    unit: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.points)


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep specification (see the module docstring for the TOML keys)."""

    factors: tuple[Factor, ...]
    scenario: str | None = None
    days: float | None = None
    replicates: int = 1
    design: str = "grid"
    n: int | None = None
    seed: int = 0
    common_random_numbers: bool = False
    metrics: tuple[str, ...] | str = DEFAULT_METRICS
    timeseries: str = "none"
    engine: str = "vector"
    second_order: bool = True
    levels: int = 4
    optimal_trajectories: int | None = None
    fixed: dict[str, Scalar] = field(default_factory=dict)
    description: str = ""
    source: str = field(default="", compare=False)

    # ------------------------------------------------------------------ reading
    @classmethod
    def from_toml(cls, path: str | Path, schema: Schema | None = None) -> SweepSpec:
        """Read and validate a spec file."""
        path = Path(path)
        return cls.from_dict(read_toml(path), where=str(path), base_dir=path.parent, schema=schema)

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        where: str = "sweep spec",
        base_dir: str | Path | None = None,
        schema: Schema | None = None,
    ) -> SweepSpec:
        """Validate a spec given as a dict (the parsed TOML, or ``to_dict()`` output)."""
        if schema is None:
            from vcsim.params import schema as full_schema

            schema = full_schema()
        unknown = sorted(set(data) - set(TOP_KEYS))
        if unknown:
            raise ParameterError(
                f"{where}: unknown key '{unknown[0]}'; allowed: {', '.join(TOP_KEYS)}"
            )

        def bad(key: str, value: Any, allowed: str) -> ParameterError:
            return ParameterError(f"{where}: {key} = {value!r} is not allowed; expected {allowed}")

        def integer(key: str, default: int | None, low: int) -> int | None:
            value = data.get(key, default)
            if value is None:
                return None
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise bad(key, value, f"an integer >= {low}")
            return value

        def boolean(key: str, default: bool) -> bool:
            value = data.get(key, default)
            if not isinstance(value, bool):
                raise bad(key, value, "true or false")
            return value

        def choice(key: str, default: str, allowed: Sequence[str]) -> str:
            value = data.get(key, default)
            if value not in allowed:
                raise bad(key, value, "one of " + ", ".join(allowed))
            return value

        scenario = data.get("scenario")
        if scenario is not None:
            if not isinstance(scenario, str) or not scenario:
                raise bad("scenario", scenario, "a scenario name or a path to a scenario TOML")
            if scenario.endswith(".toml") and base_dir is not None and not Path(scenario).is_absolute():
                candidate = Path(base_dir) / scenario
                if candidate.exists():
                    scenario = str(candidate.resolve())
        days = data.get("days")
        if days is not None and (not _is_number(days) or not math.isfinite(days) or days <= 0):
            raise bad("days", days, "a number of days > 0")
        design = choice("design", "grid", DESIGNS)
        if "n" in data and "samples" in data:
            raise ParameterError(f"{where}: give 'n' or 'samples', not both")
        n = integer("n" if "n" in data else "samples", None, 1)
        seed = integer("seed", 0, 0)
        replicates = integer("replicates", 1, 1)
        levels = integer("levels", 4, 2)
        optimal = integer("optimal_trajectories", None, 2)
        metrics_raw = data.get("metrics", list(DEFAULT_METRICS))
        if metrics_raw == "all":
            metrics: tuple[str, ...] | str = "all"
        elif (isinstance(metrics_raw, list) and metrics_raw
              and all(isinstance(m, str) and m for m in metrics_raw)
              and len(set(metrics_raw)) == len(metrics_raw)):
            metrics = tuple(metrics_raw)
        else:
            raise bad("metrics", metrics_raw, 'a list of distinct metric names, or "all"')
        description = data.get("description", "")
        if not isinstance(description, str):
            raise bad("description", description, "a string")

        fixed_raw = data.get("set", {})
        if not isinstance(fixed_raw, dict):
            raise ParameterError(f"{where}: [set] must be a table of key = value")
        fixed: dict[str, Scalar] = {}
        for key, value in fixed_raw.items():
            if isinstance(value, (dict, list)):
                raise ParameterError(
                    f"{where}: [set] {key} must be a single value; vary it under [parameters]"
                )
            fixed[key] = validate_value(schema.lookup(key), value)

        params_raw = data.get("parameters")
        if not isinstance(params_raw, dict) or not params_raw:
            raise ParameterError(f"{where}: [parameters] must list at least one parameter to vary")
        factors = []
        for key, raw in params_raw.items():
            if key in fixed:
                raise ParameterError(f"{where}: parameter '{key}' is both in [set] and [parameters]")
            factors.append(parse_factor(schema, key, raw, where))

        spec = cls(
            factors=tuple(factors),
            scenario=scenario,
            days=float(days) if days is not None else None,
            replicates=replicates,
            design=design,
            n=n,
            seed=seed,
            common_random_numbers=boolean("common_random_numbers", False),
            metrics=metrics,
            timeseries=choice("timeseries", "none", TIMESERIES_MODES),
            engine=choice("engine", "vector", ENGINES),
            second_order=boolean("second_order", True),
            levels=levels,
            optimal_trajectories=optimal,
            fixed=fixed,
            description=description,
            source=where,
        )
        spec._check_design(where)
        return spec

    def _check_design(self, where: str) -> None:
        if self.design == "grid":
            for f in self.factors:
                f.grid_values()  # raises for a range without steps, or repeated integers
            return
        if self.n is None:
            raise ParameterError(
                f"{where}: design = \"{self.design}\" needs n (points"
                + {"sobol": "; the base sample N, a power of 2",
                   "morris": "; the number of trajectories"}.get(self.design, "")
                + ")"
            )
        if self.design in ("sobol", "morris"):
            for f in self.factors:
                if not f.is_range:
                    raise ParameterError(
                        f"{where}: design = \"{self.design}\" needs ranges; parameter '{f.name}' "
                        "is a list (give {min, max})"
                    )
                if f.param.kind is not float:
                    raise ParameterError(
                        f"{where}: design = \"{self.design}\" needs continuous parameters; "
                        f"'{f.name}' is an integer"
                    )
        if self.design == "sobol":
            if self.n & (self.n - 1):
                lower = 1 << (self.n.bit_length() - 1)
                raise ParameterError(
                    f"{where}: n = {self.n} is not allowed for sobol; expected a power of 2 "
                    f"(e.g. {lower} or {2 * lower}; Sobol' sequences balance only at 2^k points)"
                )
            if len(self.factors) < 2:
                raise ParameterError(f"{where}: design = \"sobol\" needs at least 2 parameters")
        if self.design == "morris":
            for f in self.factors:
                lo, hi = f.truncation()
                if not (math.isfinite(lo) and math.isfinite(hi)):
                    raise ParameterError(
                        f"{where}: parameter '{f.name}': morris samples the ends of each range; "
                        "give the normal distribution finite min and max"
                    )
            if self.optimal_trajectories is not None and not (
                2 <= self.optimal_trajectories < self.n
            ):
                raise ParameterError(
                    f"{where}: optimal_trajectories = {self.optimal_trajectories} is not allowed; "
                    f"expected an integer in [2, n - 1 = {self.n - 1}]"
                )

    # ------------------------------------------------------------------ writing
    def to_dict(self) -> dict[str, Any]:
        """The spec as a TOML-shaped dict; ``from_dict(to_dict())`` gives the same spec."""
        out: dict[str, Any] = {}
        if self.scenario is not None:
            out["scenario"] = self.scenario
        if self.days is not None:
            out["days"] = self.days
        out.update(replicates=self.replicates, design=self.design)
        if self.n is not None:
            out["n"] = self.n
        out.update(
            seed=self.seed,
            common_random_numbers=self.common_random_numbers,
            metrics=self.metrics if isinstance(self.metrics, str) else list(self.metrics),
            timeseries=self.timeseries,
            engine=self.engine,
        )
        if self.design == "sobol":
            out["second_order"] = self.second_order
        if self.design == "morris":
            out["levels"] = self.levels
            if self.optimal_trajectories is not None:
                out["optimal_trajectories"] = self.optimal_trajectories
        if self.description:
            out["description"] = self.description
        out["set"] = dict(self.fixed)
        out["parameters"] = {f.name: f.to_dict() for f in self.factors}
        return out

    def replace(self, **changes: Any) -> SweepSpec:
        """A copy with fields changed (no re-validation; for resolved days and metrics)."""
        import dataclasses

        return dataclasses.replace(self, **changes)

    # ------------------------------------------------------------------ designs
    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.factors)

    def salib_problem(self) -> dict[str, Any]:
        """The SALib problem: the sample is drawn on the unit hypercube, then each column is
        mapped through its factor's inverse CDF (:meth:`Factor.from_unit`)."""
        d = len(self.factors)
        return {"num_vars": d, "names": list(self.names), "bounds": [[0.0, 1.0]] * d}

    def design_points(self) -> Design:
        """Expand the design into its points (in run order). See :func:`expand_design`."""
        return expand_design(self)

    def runs(self, design: Design | None = None) -> list[RunTask]:
        """Every run: ``run_id = point * replicates + replicate``, seeds from :func:`run_seed`."""
        design = design if design is not None else self.design_points()
        tasks = []
        for point, values in enumerate(design.points):
            for rep in range(self.replicates):
                run_id = point * self.replicates + rep
                seed = run_seed(self.seed, run_id, rep, self.common_random_numbers)
                tasks.append(RunTask(run_id, point, rep, seed, dict(values)))
        return tasks

    def n_points(self) -> int:
        """Design points before replicates (without sampling)."""
        d, n = len(self.factors), self.n or 0
        if self.design == "grid":
            return math.prod(len(f.grid_values()) for f in self.factors)
        if self.design == "sobol":
            return n * (2 * d + 2 if self.second_order else d + 2)
        if self.design == "morris":
            return (self.optimal_trajectories or n) * (d + 1)
        return n


def expand_design(spec: SweepSpec) -> Design:
    """The design points of ``spec``.

    - grid: the full factorial product of every factor's levels (the last parameter listed
      varies fastest); size = prod(levels).
    - random: n independent points, each coordinate U(0,1) mapped by the factor's inverse CDF
      (plain Monte Carlo).
    - lhs: Latin hypercube of n points (McKay, Beckman & Conover 1979, Technometrics 21:239):
      each coordinate's [0,1) is cut into n equal strata and every stratum holds exactly one
      point, u_ij = (pi_j(i) + U_ij) / n with an independent random permutation pi_j per
      coordinate; then the inverse CDF.
    - sobol: Saltelli's scheme on a scrambled Sobol' sequence (Saltelli 2002; Saltelli et al.
      2010, Comput. Phys. Commun. 181:259), via ``SALib.sample.sobol.sample``: N (2D + 2)
      points with second-order indices, N (D + 2) without, in the order
      ``SALib.analyze.sobol.analyze`` expects.
    - morris: n one-at-a-time trajectories of D + 1 points on a ``levels``-level grid
      (Morris 1991, Technometrics 33:161), via ``SALib.sample.morris.sample`` (with
      ``optimal_trajectories``: the Campolongo et al. 2007 selection of that many of the n).

    Sampled designs (all but grid) draw on the unit hypercube seeded by :func:`design_seed`,
    so the same spec always gives the same points.
    """
    names = spec.names
    d = len(spec.factors)
    if spec.design == "grid":
        levels = [f.grid_values() for f in spec.factors]
        points = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*levels)]
        return Design(names, points, None)
    seed = design_seed(spec.seed)
    n = int(spec.n or 0)
    if spec.design == "random":
        unit = np.random.default_rng(seed).random((n, d))
    elif spec.design == "lhs":
        rng = np.random.default_rng(seed)
        unit = np.empty((n, d))
        for j in range(d):
            unit[:, j] = (rng.permutation(n) + rng.random(n)) / n
    elif spec.design == "sobol":
        from SALib.sample import sobol

        unit = sobol.sample(spec.salib_problem(), n, calc_second_order=spec.second_order,
                            scramble=True, seed=seed)
    else:
        from SALib.sample import morris

        unit = morris.sample(spec.salib_problem(), n, num_levels=spec.levels,
                             optimal_trajectories=spec.optimal_trajectories,
                             local_optimization=True, seed=seed)
    unit = np.asarray(unit, dtype=np.float64)
    columns = [f.from_unit(unit[:, j]) for j, f in enumerate(spec.factors)]
    points = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    return Design(names, points, unit)


def load_spec(path: str | Path) -> SweepSpec:
    """Read and validate a sweep spec TOML file."""
    return SweepSpec.from_toml(path)
