"""The validation table (``claims.toml``): load it, check it, fill the claim texts.

Format (every key is checked; an unknown one is an error)::

    [suites.quick]            # and [suites.full]: the two sizes of the suite
    seeds = [1, 2, 3]         # replicate seeds (>= 2: the CIs need two)
    lattice_rows = 24
    lattice_cols = 100
    days_in_vitro = 14.0
    days_in_vivo = 21.0
    doses = [1.0, 1.4, 2.0, 3.0]

    [dose_response]           # one in-vitro arm per dose of the suite
    scenario = "invitro_pi"
    parameter = "serum_phosphate_mM"         # set to the dose
    name = "iv_pi{serum_phosphate_mM:.1f}"   # templates over the arm's own parameters
    label = "Pi {serum_phosphate_mM:.1f} mM"

    [ranking]                 # one arm per scenario, named after it; ranked by calcium
    scenarios = ["healthy", "ckd", ...]

    [[arms]]                  # further arms
    name = "ckd_low_fetuin"
    scenario = "ckd"
    overrides = ["fetuin_a_g_per_L=0.15"]
    setting = "in_vivo"       # optional; must match the scenario's `setting` parameter
    label = "ckd + fetuin-A {fetuin_a_g_per_L:g} g/L"
    days = 56.0               # optional; run length when it is not the suite's

    [[claims]]
    id = "low_fetuin_raises"
    role = "validation"       # validation | calibration (then sets = [parameters it sets])
    text = "Low fetuin-A raises Ca ({ref.fetuin_a_g_per_L:g} -> {treat.fetuin_a_g_per_L:g} g/L)"
    source = "Ketteler et al. 2003 Lancet 361:827"
    metric = "calcium_content_ug_per_mg_protein"
    kind = "diff"             # diff | below | above | remaining | top
    treat = "ckd_low_fetuin"
    ref = "ckd"
    direction = "higher"      # diff only: higher | lower
    figure = "inhibitors"

Every claim has ``id``, ``role``, ``text``, ``source``, ``metric``, ``kind`` and optionally
``figure`` (one of :data:`~vcsim.validation.design.FIGURES`) and ``note``. ``role`` is
``validation`` (a behaviour no parameter was tuned to) or ``calibration`` (an anchor; ``sets``
lists the parameters it sets, and each of them names the anchor's id in its ``calibrated_by``,
which ``tests/test_validation_claims.py`` checks both ways). The other keys depend on the kind
(required ones first, then optional): ``diff``: treat, ref; direction ("higher"), margin (0);
``below``/``above``: treat, threshold; ``remaining``: treat, ref, base, threshold; ``top``:
treat, others (a list of arms); ``within``: treat, low, high (a published range for the level);
``ratio``: treat, ref, low, high (a published fold change treat / ref); ``equivalent``: treat,
ref, low, high (no change: the fold change's CI within a margin around 1).

A metric is an output of the model, ``avg_<output>`` (the run average of a marker or cell
output), or ``<column>@day<N>``: the arm's daily time course (a column of
:data:`vcsim.validation.suite.TS_COLUMNS`) at day N, which every arm of the claim must reach.

Templates: a claim's ``text`` names ``{treat.<parameter>}``, ``{ref.<parameter>}``,
``{base.<parameter>}`` (the resolved parameters of that arm: its scenario with its overrides,
:func:`vcsim.scenario.load_scenario`), ``{threshold}``, ``{margin}``, ``{low}`` or ``{high}``, each with an optional
format (``:g``, ``:.1f``). So a text shows the values the arms really run with.

Checks at load time, each a one-line :class:`TableError` (or the schema's
:class:`vcsim.params.ParameterError` for a bad override) naming the entry, the field, the value
and what is allowed: unknown or missing keys, wrong types, unknown scenario, malformed or
unknown override, unknown kind or direction, unknown metric (an output of the model's registry,
:attr:`vcsim.model.VascularModel.outputs`, or ``avg_<output>`` of :func:`averaged`), unknown
figure, a claim naming an arm that is not in every suite, duplicate arm names or claim ids,
template names that do not resolve.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from vcsim.outputs.registry import closest_name
from vcsim.params import ParameterError, Parameters, read_toml
from vcsim.scenario import ScenarioError, load_scenario, validate_days
from vcsim.validation.design import (
    AT_DAY,
    DIRECTIONS,
    FIGURES,
    KINDS,
    SETTINGS,
    Arm,
    Claim,
    SuiteConfig,
    TableError,
)
from vcsim.validation.design import (
    ROLES as CLAIM_ROLES,
)
from vcsim.validation.templates import fill

#: The table shipped with the package.
TABLE_PATH = Path(__file__).with_name("claims.toml")

#: Output sections whose outputs the suite also averages over the run (time-average of the
#: per-step values, after step 0): a claim's metric ``avg_<output>`` reads one.
AVERAGED_SECTIONS = ("markers", "cells")


def averaged(outputs: Any) -> tuple[str, ...]:
    """The step outputs of the registry ``outputs`` that have a run average ``avg_<name>``."""
    return tuple(o.name for o in outputs.ordered("step") if o.section in AVERAGED_SECTIONS)

TOP_KEYS = ("suites", "dose_response", "ranking", "arms", "claims")
SUITES = ("quick", "full")
SUITE_KEYS = ("seeds", "lattice_rows", "lattice_cols", "days_in_vitro", "days_in_vivo", "doses")
DOSE_KEYS = ("scenario", "parameter", "name", "label", "overrides", "setting")
ARM_KEYS = ("name", "scenario", "overrides", "setting", "label", "days")
CLAIM_KEYS = ("id", "role", "text", "source", "metric", "kind", "figure", "sets", "note")
#: claim keys beyond CLAIM_KEYS, by kind (KIND_REQUIRED: those that must be given)
KIND_KEYS = {"diff": ("treat", "ref", "direction", "margin"), "below": ("treat", "threshold"),
             "above": ("treat", "threshold"),
             "remaining": ("treat", "ref", "base", "threshold"), "top": ("treat", "others"),
             "within": ("treat", "low", "high"), "ratio": ("treat", "ref", "low", "high"),
             "equivalent": ("treat", "ref", "low", "high")}
KIND_REQUIRED = {"diff": ("treat", "ref"), "below": ("treat", "threshold"),
                 "above": ("treat", "threshold"),
                 "remaining": ("treat", "ref", "base", "threshold"), "top": ("treat", "others"),
                 "within": ("treat", "low", "high"), "ratio": ("treat", "ref", "low", "high"),
                 "equivalent": ("treat", "ref", "low", "high")}
ROLES = ("treat", "ref", "base")
#: what an arm's name or label template may name
ARM_NAMES = "the arm's parameters (python run.py params)"


@dataclass(frozen=True)
class ValidationTable:
    """The loaded, checked table: suites, the arms they run and the claims (texts filled)."""

    path: Path
    suites: Mapping[str, SuiteConfig]
    claims: tuple[Claim, ...]
    #: arms other than the dose response, in order (ranking first)
    fixed_arms: tuple[Arm, ...]
    dose_spec: Mapping[str, Any]
    params: Mapping[str, Parameters] = field(repr=False)

    def suite(self, name: str) -> SuiteConfig:
        return self.suites[name]

    def arms(self, cfg: SuiteConfig) -> list[Arm]:
        """Every arm of ``cfg``: the dose response at its doses, then the other arms."""
        doses = cfg.doses or self.suites["quick" if cfg.quick else "full"].doses
        return [self._dose_arm(d) for d in doses] + list(self.fixed_arms)

    def _dose_arm(self, dose: float) -> Arm:
        return _dose_arms(self.path, self.dose_spec, (dose,))[0][0]


# ---------------------------------------------------------------------- small checks
def _where(path: Path, what: str) -> str:
    return f"{path.name}: {what}"


def _keys(where: str, entry: Any, allowed: Sequence[str], required: Sequence[str] = ()) -> None:
    if not isinstance(entry, dict):
        raise TableError(f"{where}: expected a table, got {entry!r}")
    for key in entry:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise TableError(f"{where}: unknown key '{key}'{hint}; allowed: {', '.join(allowed)}")
    for key in required:
        if key not in entry:
            raise TableError(f"{where}: missing key '{key}'")


def _str(where: str, entry: Mapping[str, Any], key: str, default: str | None = None) -> str:
    value = entry.get(key, default)
    if not isinstance(value, str) or (not value and default is None):
        raise TableError(f"{where}: {key} = {value!r} is not allowed; expected a non-empty string")
    return value


def _number(where: str, entry: Mapping[str, Any], key: str, default: float = 0.0) -> float:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TableError(f"{where}: {key} = {value!r} is not allowed; expected a number")
    return float(value)


def _strings(where: str, entry: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise TableError(f"{where}: {key} = {value!r} is not allowed; expected a list of strings")
    return tuple(value)


def _choice(where: str, key: str, value: Any, allowed: Sequence[str]) -> str:
    if value not in allowed:
        close = difflib.get_close_matches(str(value), allowed, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise TableError(f"{where}: {key} = {value!r} is not allowed{hint}; allowed: "
                         f"{', '.join(allowed)}")
    return value


# ---------------------------------------------------------------------- arms
@cache
def _resolve(scenario: str, overrides: tuple[str, ...]) -> Parameters:
    return load_scenario(scenario, overrides=list(overrides)).params


def _arm_params(where: str, scenario: str, overrides: tuple[str, ...]) -> Parameters:
    try:
        return _resolve(scenario, overrides)
    except ParameterError as exc:
        raise ParameterError(f"{where}: {exc}") from None
    except ScenarioError as exc:
        raise TableError(f"{where}: {exc}") from None


def _setting(where: str, entry: Mapping[str, Any], params: Parameters) -> bool:
    actual = params["setting"]
    given = _choice(where, "setting", entry.get("setting", actual), SETTINGS)
    if given != actual:
        raise TableError(f"{where}: setting = {given!r} but the scenario runs {actual!r}; "
                         f"remove the key or make them agree")
    return given == "in_vivo"


def _dose_arms(path: Path, spec: Mapping[str, Any], doses: Sequence[float]
               ) -> list[tuple[Arm, Parameters]]:
    where = _where(path, "[dose_response]")
    scenario = _str(where, spec, "scenario")
    parameter = _str(where, spec, "parameter")
    extra = _strings(where, spec, "overrides")
    out = []
    for dose in doses:
        overrides = (f"{parameter}={dose}", *extra)
        params = _arm_params(f"{where} dose {dose:g}", scenario, overrides)
        vivo = _setting(where, spec, params)
        name = fill(f"{where} name", _str(where, spec, "name"), params, ARM_NAMES)
        label = fill(f"{where} label", _str(where, spec, "label", ""), params, ARM_NAMES)
        arm = Arm(name, scenario, overrides, vivo=vivo, label=label, dose=float(dose))
        out.append((arm, params))
    return out


def _fixed_arms(path: Path, data: Mapping[str, Any]) -> list[tuple[Arm, Parameters]]:
    out = []
    ranking = data.get("ranking", {})
    _keys(_where(path, "[ranking]"), ranking, ("scenarios",))
    for name in _strings(_where(path, "[ranking]"), ranking, "scenarios"):
        params = _arm_params(_where(path, f"[ranking] '{name}'"), name, ())
        out.append((Arm(name, name, vivo=params["setting"] == "in_vivo", label=name, ranked=True),
                    params))
    entries = data.get("arms", [])
    if not isinstance(entries, list):
        raise TableError(_where(path, "'arms' must be an array of tables: [[arms]]"))
    for i, entry in enumerate(entries):
        where = _where(path, f"arm {i + 1}")
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"]:
            where = _where(path, f"arm '{entry['name']}'")
        _keys(where, entry, ARM_KEYS, ("name", "scenario"))
        name = _str(where, entry, "name")
        scenario = _str(where, entry, "scenario")
        overrides = _strings(where, entry, "overrides")
        params = _arm_params(where, scenario, overrides)
        vivo = _setting(where, entry, params)
        label = fill(f"{where}: label", _str(where, entry, "label", ""), params, ARM_NAMES)
        run_days = None
        if "days" in entry:
            try:
                run_days = validate_days(entry["days"], f"{where}: days")
            except ScenarioError as exc:
                raise TableError(str(exc)) from None
        out.append((Arm(name, scenario, overrides, vivo=vivo, label=label or name,
                        run_days=run_days), params))
    return out


# ---------------------------------------------------------------------- suites
def _days(where: str, entry: Mapping[str, Any], key: str) -> float:
    try:
        return validate_days(entry[key], f"{where} {key}")
    except ScenarioError as exc:
        raise TableError(str(exc)) from None


def _suites(path: Path, data: Mapping[str, Any]) -> dict[str, SuiteConfig]:
    tables = data.get("suites")
    _keys(_where(path, "[suites]"), tables, SUITES, SUITES)
    out = {}
    for name in SUITES:
        where = _where(path, f"[suites.{name}]")
        entry = tables[name]
        _keys(where, entry, SUITE_KEYS, SUITE_KEYS)
        seeds = entry["seeds"]
        if (not isinstance(seeds, list) or len(seeds) < 2 or len(set(seeds)) != len(seeds)
                or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                           for s in seeds)):
            raise TableError(f"{where}: seeds = {seeds!r} is not allowed; expected 2 or more "
                             "distinct integers >= 0 (a confidence interval needs 2)")
        for key in ("lattice_rows", "lattice_cols"):
            if isinstance(entry[key], bool) or not isinstance(entry[key], int):
                raise TableError(f"{where}: {key} = {entry[key]!r} is not allowed; expected an "
                                 "integer")
        doses = entry["doses"]
        if not isinstance(doses, list) or not doses or not all(
                isinstance(d, int | float) and not isinstance(d, bool) for d in doses):
            raise TableError(f"{where}: doses = {doses!r} is not allowed; expected a list of "
                             "numbers")
        cfg = SuiteConfig(
            quick=name == "quick", seeds=tuple(seeds),
            lattice_rows=entry["lattice_rows"], lattice_cols=entry["lattice_cols"],
            days_in_vitro=_days(where, entry, "days_in_vitro"),
            days_in_vivo=_days(where, entry, "days_in_vivo"),
            doses=tuple(float(d) for d in doses), name=name)
        try:
            _resolve("healthy", cfg.lattice_overrides)
        except ParameterError as exc:
            raise ParameterError(f"{where}: {exc}") from None
        out[name] = cfg
    return out


# ---------------------------------------------------------------------- claims
@cache
def metric_names() -> tuple[str, ...]:
    """Every metric a claim may name: the model's outputs (step and summary) and the run
    averages ``avg_<marker>`` the suite computes (from a tiny model's registry)."""
    from vcsim.model import VascularModel

    model = VascularModel(seed=1, lattice_rows=3, lattice_cols=3)
    return (*model.outputs.names(None), *(f"avg_{m}" for m in averaged(model.outputs)))


def _metric(where: str, metric: str, metrics: Sequence[str]) -> tuple[str, int | None]:
    """The metric and, for ``<column>@day<N>``, the day N it reads."""
    from vcsim.validation.suite import TS_COLUMNS

    if AT_DAY in metric:
        column, _, day = metric.partition(AT_DAY)
        columns = TS_COLUMNS[1:]
        if column not in columns or not day.isdigit():
            raise TableError(f"{where}: metric = {metric!r} is not allowed; a time-course metric is "
                             f"<column>{AT_DAY}<whole day>, column one of {', '.join(columns)}")
        return metric, int(day)
    if metric not in metrics:
        close = closest_name(metric, list(metrics))
        hint = f"; did you mean '{close}'?" if close else ""
        raise TableError(f"{where}: metric = {metric!r} is not an output of the model{hint} "
                         "(outputs: model.outputs.names(None), avg_ + a marker or cell output, or "
                         f"<column>{AT_DAY}<N>)")
    return metric, None


def _claim(path: Path, i: int, entry: Any, arm_sets: Mapping[str, Mapping[str, Arm]],
           suites: Mapping[str, SuiteConfig], params: Mapping[str, Parameters],
           metrics: Sequence[str]) -> Claim:
    from vcsim.params import schema

    where = _where(path, f"claim {i + 1}")
    if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"]:
        where = _where(path, f"claim '{entry['id']}'")
    _keys(where, entry, (*CLAIM_KEYS, *sorted({k for ks in KIND_KEYS.values() for k in ks})),
          ("id", "role", "text", "source", "metric", "kind"))
    cid = _str(where, entry, "id")
    kind = _choice(where, "kind", entry["kind"], KINDS)
    _keys(where, entry, (*CLAIM_KEYS, *KIND_KEYS[kind]), KIND_REQUIRED[kind])
    role = _choice(where, "role", entry["role"], CLAIM_ROLES)
    sets = _strings(where, entry, "sets")
    if role == "calibration" and not sets:
        raise TableError(f"{where}: a calibration anchor needs sets = [the parameters it sets]")
    if role == "validation" and sets:
        raise TableError(f"{where}: sets = {list(sets)!r} is not allowed on a validation claim "
                         "(no parameter may be tuned to it); make it role = \"calibration\"")
    for name in sets:
        try:
            schema().lookup(name)
        except ParameterError as exc:
            raise TableError(f"{where}: sets: {exc}") from None
    metric, day = _metric(where, _str(where, entry, "metric"), metrics)
    roles = {r: _str(where, entry, r) for r in ROLES if r in entry}
    others = _strings(where, entry, "others")
    if kind == "top" and not others:
        raise TableError(f"{where}: others = [] is not allowed; expected the arms to rank against")
    for role_name, arm in [*roles.items(), *(("others", o) for o in others)]:
        for suite, names in arm_sets.items():
            if arm not in names:
                close = difflib.get_close_matches(arm, sorted(names), n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                raise TableError(f"{where}: {role_name} = {arm!r} is not an arm of suite "
                                 f"'{suite}'{hint}")
            length = names[arm].days(suites[suite])
            if day is not None and day > length:
                raise TableError(f"{where}: metric {metric!r} reads day {day}, but arm {arm!r} "
                                 f"runs {length:g} days in suite '{suite}'")
    if roles.get("ref") == roles["treat"] or roles["treat"] in others:
        raise TableError(f"{where}: treat = {roles['treat']!r} is also its own reference")
    direction = DIRECTIONS[_choice(where, "direction", entry.get("direction", "higher"),
                                   tuple(DIRECTIONS))]
    threshold = _number(where, entry, "threshold")
    margin = _number(where, entry, "margin")
    low = _number(where, entry, "low")
    high = _number(where, entry, "high")
    if kind in ("within", "ratio", "equivalent") and not low < high:
        raise TableError(f"{where}: low = {low:g}, high = {high:g} is not allowed; expected "
                         "low < high")
    if kind == "ratio" and low < 1.0 < high:
        raise TableError(f"{where}: a ratio range [{low:g}, {high:g}] must not contain 1 (the claim "
                         "is a change; kind = \"equivalent\" claims no change)")
    if kind == "equivalent" and not low < 1.0 < high:
        raise TableError(f"{where}: an equivalence range [{low:g}, {high:g}] must contain 1")
    figure = _choice(where, "figure", entry["figure"], FIGURES) if "figure" in entry else ""
    template = _str(where, entry, "text")
    names: dict[str, Any] = {r: params[a] for r, a in roles.items()}
    names.update({k: v for k, v in (("threshold", threshold), ("margin", margin), ("low", low),
                                    ("high", high)) if k in KIND_KEYS[kind]})
    text = fill(f"{where}: text", template, names)
    note = _str(where, entry, "note", "")
    return Claim(cid, text, _str(where, entry, "source"), metric, kind, roles["treat"],
                 ref=roles.get("ref", ""), base=roles.get("base", ""), direction=direction,
                 threshold=threshold, margin=margin, others=others, figure=figure,
                 template=template, role=role, sets=sets, low=low, high=high, note=note)


# ---------------------------------------------------------------------- loading
def load_table(path: str | Path | None = None) -> ValidationTable:
    """Load and check a validation table (default: the shipped ``claims.toml``)."""
    path = TABLE_PATH if path is None else Path(path)
    data = read_toml(path)
    _keys(path.name, data, TOP_KEYS, ("suites", "dose_response", "claims"))
    suites = _suites(path, data)
    spec = data["dose_response"]
    _keys(_where(path, "[dose_response]"), spec, DOSE_KEYS, ("scenario", "parameter", "name"))
    fixed = _fixed_arms(path, data)
    params: dict[str, Parameters] = {}
    arm_sets: dict[str, dict[str, Arm]] = {}
    for name, cfg in suites.items():
        arms = [*_dose_arms(path, spec, cfg.doses), *fixed]
        seen: dict[str, Arm] = {}
        for arm, p in arms:
            if arm.name in seen:
                raise TableError(_where(path, f"arm '{arm.name}' is defined twice "
                                              f"(suite '{name}')"))
            seen[arm.name] = arm
            params[arm.name] = p
        arm_sets[name] = seen
    entries = data["claims"]
    if not isinstance(entries, list) or not entries:
        raise TableError(_where(path, "'claims' must be a non-empty array of tables: [[claims]]"))
    metrics = metric_names()
    claims = [_claim(path, i, e, arm_sets, suites, params, metrics)
              for i, e in enumerate(entries)]
    ids = [c.id for c in claims]
    for cid in ids:
        if ids.count(cid) > 1:
            raise TableError(_where(path, f"claim id '{cid}' is used {ids.count(cid)} times; "
                                          "ids must be unique"))
    return ValidationTable(path, suites, tuple(claims), tuple(a for a, _ in fixed), dict(spec),
                           params)


@cache
def shipped_table() -> ValidationTable:
    """The shipped table, loaded once per process."""
    return load_table()
