"""PHREEQC (phreeqc.dat) reference speciation for ``tests/test_speciation_reference.py``.

Runs IPhreeqc 3.7 through ``phreeqpython`` (PyPI; it ships ``phreeqc.dat``) on the fluids of
:data:`GRID` and returns log activities, molalities, ionic strength and saturation indices.
Parkhurst & Appelo 2013, Description of input and examples for PHREEQC version 3, USGS
Techniques and Methods 6-A43.

Two set-ups (``mode``):

``"matched"``
    the constants of phreeqc.dat, taken from the shipped file itself, but vcsim's assumptions:
    every charged species with the Davies equation (phreeqc.dat's ``-gamma`` WATEQ
    Debye-Hueckel parameters removed; PHREEQC uses Davies for a charged species without
    ``-gamma``), neutral species with gamma = 1 (``-gamma 0 0``; PHREEQC's default for a
    neutral species is ``log gamma = 0.1 I``), and the species vcsim does not have
    (``CaOH+``, ``MgOH+``, ``NaOH``) suppressed (``log_k -99``).
``"phreeqc"``
    phreeqc.dat as shipped: WATEQ Debye-Hueckel ``log g = -A z^2 sqrt(I)/(1 + B a sqrt(I)) + b I``
    for the species with ``-gamma a b``, Davies for the others, ``0.1 I`` for neutral species,
    and all its species.

In both, pH is fixed (``pH 7.4`` without ``charge``), totals are given in mmol/kgw with the
numbers vcsim takes in mM, and the solution is made electroneutral by an inert monovalent ion
with no complexes (``Xp+`` or ``Xm-``, Davies), as vcsim's counter-ion: the sign is taken from
a first run without it (PHREEQC's ``CHARGE_BALANCE``).

The phases are not phreeqc.dat's (it has only ``Hydroxyapatite``, WATEQ4F, ~4 log units more
soluble per Ca5(PO4)3OH than McDowell et al. 1977) but the literature solubility products
vcsim uses, each with the ion activity product its source defines (:data:`PHASES`).

Run as a script (``python tests/phreeqc_reference.py``) to print the comparison tables of
``docs/speciation_reference.md``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

T25_K = 298.15
T37_K = 310.15


@dataclass(frozen=True)
class Fluid:
    """One fluid: totals in mM (vcsim) = mmol/kgw (PHREEQC), pH (activity scale), C."""

    ca_mM: float
    pi_mM: float
    ph: float
    temperature_c: float
    mg_mM: float
    nacl_mM: float

    def label(self) -> str:
        return (f"Ca {self.ca_mM:g} Pi {self.pi_mM:g} Mg {self.mg_mM:g} pH {self.ph:g} "
                f"{self.temperature_c:g}C NaCl {self.nacl_mM:g}")


#: serum-like ultrafiltrate as vcsim takes it by default (vcsim.params.systemic)
SERUM = Fluid(1.2, 1.1, 7.4, 37.0, 0.85, 140.0)

_LEVELS = {  # (low, high) of each factor of the grid
    "ca_mM": (0.5, 5.0), "pi_mM": (0.3, 6.0), "mg_mM": (0.0, 3.0), "ph": (6.8, 7.8),
    "temperature_c": (25.0, 37.0), "nacl_mM": (100.0, 150.0),
}


def _halton(i: int, base: int) -> float:
    f, r = 1.0, 0.0
    while i > 0:
        f /= base
        r += f * (i % base)
        i //= base
    return r


def _grid() -> tuple[Fluid, ...]:
    """48 fluids: the 32 corners of a 2^(6-1) half fraction (NaCl level = product of the
    other five signs) and 16 interior points of a Halton sequence (bases 2, 3, 5, 7, 11),
    Ca and Pi spaced logarithmically, temperature alternating 25 / 37 C."""
    names = list(_LEVELS)
    out = []
    for k in range(32):
        signs = [(k >> j) & 1 for j in range(5)]
        signs.append(sum(signs) % 2)
        vals = {n: _LEVELS[n][s] for n, s in zip(names, signs, strict=True)}
        out.append(Fluid(**vals))
    for i in range(1, 17):
        u = [_halton(i, b) for b in (2, 3, 5, 7, 11)]
        lo_ca, hi_ca = _LEVELS["ca_mM"]
        lo_p, hi_p = _LEVELS["pi_mM"]
        out.append(Fluid(
            ca_mM=round(lo_ca * (hi_ca / lo_ca) ** u[0], 4),
            pi_mM=round(lo_p * (hi_p / lo_p) ** u[1], 4),
            ph=round(6.8 + 1.0 * u[2], 3),
            temperature_c=25.0 if i % 2 else 37.0,
            mg_mM=round(3.0 * u[3], 4),
            nacl_mM=round(100.0 + 50.0 * u[4], 2),
        ))
    return tuple(out)


GRID: tuple[Fluid, ...] = _grid()

#: species read back from PHREEQC (vcsim's, plus the hydroxo complexes phreeqc.dat adds)
SPECIES = ("Ca+2", "Mg+2", "Na+", "Cl-", "H+", "OH-", "H3PO4", "H2PO4-", "HPO4-2", "PO4-3",
           "CaHPO4", "CaH2PO4+", "CaPO4-", "MgHPO4", "MgH2PO4+", "MgPO4-", "NaHPO4-",
           "CaOH+", "MgOH+")
#: species of phreeqc.dat in this system that vcsim does not have (suppressed in "matched")
EXTRA_SPECIES = ("CaOH+", "MgOH+", "NaOH")
_NEUTRAL = ("H3PO4", "CaHPO4", "MgHPO4")
_KEEP = ("Ca+2", "Mg+2", "Na+", "Cl-", "H+", "PO4-3", "OH-", "HPO4-2", "H2PO4-", "H3PO4",
         "CaPO4-", "CaHPO4", "CaH2PO4+", "MgPO4-", "MgHPO4", "MgH2PO4+", "NaHPO4-")


@dataclass(frozen=True)
class LiteraturePhase:
    """A solubility product as its source defines it: the dissolution reaction (hence the IAP)
    and ``pKsp`` at 25 and 37 C (log Ksp linear in 1/T between them, as vcsim)."""

    reaction: str
    pksp_25c: float
    pksp_37c: float
    source: str

    def log_ksp(self, temperature_c: float) -> float:
        w = (1.0 / (temperature_c + 273.15) - 1.0 / T25_K) / (1.0 / T37_K - 1.0 / T25_K)
        return -(self.pksp_25c + w * (self.pksp_37c - self.pksp_25c))

    def analytic(self) -> tuple[float, float]:
        """PHREEQC ``-analytic A1 0 A3``: ``log K = A1 + A3 / T`` through both values."""
        a3 = (self.pksp_25c - self.pksp_37c) / (1.0 / T37_K - 1.0 / T25_K)
        return -self.pksp_25c - a3 / T25_K, a3


#: Dorozhkin 2009 (Materials 2:399) table 1 values; the IAP of each as its source defines it.
PHASES: dict[str, LiteraturePhase] = {
    "HAP": LiteraturePhase(
        "Ca10(PO4)6(OH)2 = 10 Ca+2 + 6 PO4-3 + 2 OH-", 116.8, 117.2,
        "McDowell, Gregory & Brown 1977 (J Res NBS 81A:273): Ksp of Ca5(PO4)3OH = "
        "a_Ca^5 a_PO4^3 a_OH, pKsp 58.4 (25 C), 58.6 (37 C); doubled for Ca10(PO4)6(OH)2"),
    "OCP": LiteraturePhase(
        "Ca8H2(PO4)6 = 8 Ca+2 + 2 H+ + 6 PO4-3", 96.6, 95.9,
        "Tung, Eidelman, Sieck & Brown 1988 (J Res NBS 93:613): Ksp of Ca4H(PO4)3.2.5H2O = "
        "a_Ca^4 a_H a_PO4^3, pKsp 48.3 (25 C), 47.95 (37 C); doubled for Ca8H2(PO4)6.5H2O"),
    "brushite": LiteraturePhase(
        "CaHPO4 = Ca+2 + HPO4-2", 6.59, 6.63,
        "Gregory, Moreno & Brown 1970 (J Res NBS 74A:461): Ksp = a_Ca a_HPO4"),
    "ACP": LiteraturePhase(
        "Ca3(PO4)2 = 3 Ca+2 + 2 PO4-3", 25.7, 25.7,
        "Christoffersen et al. 1990 (J Cryst Growth 106:349) via Dorozhkin 2009: a_Ca^3 a_PO4^2, "
        "pKsp 25.7 at pH 7.40 and 37 C (apparent: 29.9 at pH 6.0); 25 C taken equal"),
}


def database_path() -> Path:
    """phreeqc.dat as shipped by phreeqpython."""
    import phreeqpython

    return Path(phreeqpython.__file__).parent / "database" / "phreeqc.dat"


def parse_reaction(reaction: str) -> tuple[dict[str, float], dict[str, float]]:
    """``"Ca+2 + H2O = CaOH+ + H+"`` -> ({"Ca+2": 1, "H2O": 1}, {"CaOH+": 1, "H+": 1})."""
    sides = []
    for side in reaction.split("=", 1):
        terms: dict[str, float] = {}
        for term in re.split(r"\s\+\s", " " + side.strip() + " "):
            term = term.strip()
            if not term:
                continue
            m = re.match(r"^(\d+(?:\.\d*)?)\s*(\S+)$", term)
            n, sp = (float(m.group(1)), m.group(2)) if m else (1.0, term)
            terms[sp] = terms.get(sp, 0.0) + n
        sides.append(terms)
    return sides[0], sides[1]


def defined_species(reaction: str) -> str:
    """The species a PHREEQC reaction defines: the first on the right-hand side."""
    rhs = reaction.split("=", 1)[1]
    first = re.split(r"\s\+\s", " " + rhs.strip() + " ")[0].strip()
    return re.sub(r"^\d+(?:\.\d*)?\s*", "", first)


def reaction_log_k(reaction: str, log_a: dict[str, float]) -> float:
    """log10 K of ``reaction`` from log10 activities (``H2O`` and ``e-`` taken as 0)."""
    lhs, rhs = parse_reaction(reaction)
    val = 0.0
    for sign, side in ((1.0, rhs), (-1.0, lhs)):
        for sp, n in side.items():
            if sp not in ("H2O", "e-"):
                val += sign * n * log_a[sp]
    return val


def _species_blocks(text: str) -> list[tuple[str, list[str]]]:
    """(reaction line, option lines) of every SOLUTION_SPECIES entry of a database."""
    lines = text.splitlines()
    start = lines.index("SOLUTION_SPECIES") + 1
    blocks: list[tuple[str, list[str]]] = []
    for raw in lines[start:]:
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if re.match(r"^[A-Z_]+$", line):  # next keyword block
            break
        if line[0] in " \t" or line.lstrip().startswith("-"):
            if blocks:
                blocks[-1][1].append(line.strip())
        else:
            blocks.append((line.strip(), []))
    return blocks


@cache
def _database_text() -> str:
    return database_path().read_bytes().decode("latin-1")


@cache
def species_options(species: str) -> tuple[str, tuple[str, ...]]:
    """The phreeqc.dat reaction and option lines defining ``species``."""
    for reaction, opts in _species_blocks(_database_text()):
        if defined_species(reaction) == species:
            return reaction, tuple(opts)
    raise KeyError(species)


def wateq_parameters(species: str) -> tuple[float, float] | None:
    """phreeqc.dat's ``-gamma a b`` of a species (the last one given), or None: Davies."""
    found = None
    for o in species_options(species)[1]:
        if o.lower().startswith("-gamma"):
            a, b = o.split()[1:3]
            found = (float(a), float(b))
    return found


@cache
def matched_species_input() -> str:
    """SOLUTION_SPECIES redefining phreeqc.dat's species with vcsim's activity model."""
    out = ["SOLUTION_SPECIES"]
    for sp in _KEEP:
        reaction, opts = species_options(sp)
        out.append(reaction)
        out += ["    " + o for o in opts if not o.lower().startswith("-gamma")]
        if sp in _NEUTRAL:
            out.append("    -gamma 0 0")
    for sp in EXTRA_SPECIES:
        out += [species_options(sp)[0], "    -log_k -99"]
    return "\n".join(out) + "\n"


_COMMON = """
SOLUTION_MASTER_SPECIES
Xp   Xp+   0   1   1
Xm   Xm-   0   1   1
SOLUTION_SPECIES
Xp+ = Xp+
    log_k 0
Xm- = Xm-
    log_k 0
"""


def _phases_input() -> str:
    out = ["PHASES"]
    for name, ph in PHASES.items():
        a1, a3 = ph.analytic()
        out += [f"{name}_lit", "    " + ph.reaction, f"    -log_k {-ph.pksp_25c}",
                f"    -analytic {a1:.15g} 0 {a3:.15g}"]
    return "\n".join(out) + "\n"


def _punch_input() -> str:
    cols = {"mu": "MU", "cb": "CHARGE_BALANCE", "law": 'LA("H2O")', "xp": 'TOT("Xp")',
            "xm": 'TOT("Xm")', "lk_hap_wateq": 'LK_PHASE("Hydroxyapatite")',
            "si_Hydroxyapatite": 'SI("Hydroxyapatite")'}
    for sp in SPECIES:
        cols |= {f"la_{sp}": f'LA("{sp}")', f"m_{sp}": f'MOL("{sp}")',
                 f"lg_{sp}": f'LG("{sp}")'}
    for sp in _KEEP:
        cols[f"lk_{sp}"] = f'LK_SPECIES("{sp}")'
    for name in PHASES:
        cols[f"si_{name}"] = f'SI("{name}_lit")'
    body = [f"{10 * (i + 1)} PUNCH {c}" for i, c in enumerate(cols.values())]
    return ("SELECTED_OUTPUT\n    -reset false\n    -high_precision true\nUSER_PUNCH\n"
            "    -headings " + " ".join(cols) + "\n    -start\n" + "\n".join(body)
            + "\n    -end\n")


def _solution(n: int, f: Fluid, counter: str | None, extra: tuple[str, ...] = ()) -> str:
    lines = [f"SOLUTION {n}", f"    temp {f.temperature_c!r}", f"    pH {f.ph!r}",
             "    units mmol/kgw", f"    Ca {f.ca_mM!r}", f"    P {f.pi_mM!r}",
             f"    Na {f.nacl_mM!r}", f"    Cl {f.nacl_mM!r}"]
    if f.mg_mM > 0:
        lines.append(f"    Mg {f.mg_mM!r}")
    lines += [f"    {x}" for x in extra]
    if counter:
        lines.append(f"    {counter} 1 charge")
    return "\n".join(lines) + "\n"


@cache
def _engine(mode: str):
    if mode not in ("matched", "phreeqc"):
        raise ValueError(f"mode must be 'matched' or 'phreeqc', not {mode!r}")
    from phreeqpython.viphreeqc import VIPhreeqc

    ip = VIPhreeqc()
    ip.load_database(str(database_path()))
    head = _COMMON + (matched_species_input() if mode == "matched" else "") + _phases_input()
    return ip, head


def _run(mode: str, fluids: tuple[Fluid, ...], counters, extra=()) -> list[dict]:
    ip, head = _engine(mode)
    text = head + _punch_input() + "".join(
        _solution(i + 1, f, c, extra) for i, (f, c) in enumerate(zip(fluids, counters, strict=True))
    ) + "END\n"
    ip.run_string(text)
    table = ip.get_selected_output_array()
    return [dict(zip(table[0], row, strict=True)) for row in table[1:]]


@dataclass
class Result:
    """PHREEQC's answer for one fluid (molal: mol/kgw; logs are log10)."""

    fluid: Fluid
    ionic_strength: float
    log_a: dict[str, float]
    molality: dict[str, float]
    log_gamma: dict[str, float]
    log_k: dict[str, float]
    si: dict[str, float]
    log_water_activity: float
    counter_ion: tuple[str, float]
    log_k_hydroxyapatite_wateq: float


def run(fluids, mode: str = "matched", extra: tuple[str, ...] = ()) -> list[Result]:
    """Speciate ``fluids`` with PHREEQC in ``mode`` ("matched" or "phreeqc"); ``extra`` adds
    lines to every SOLUTION (e.g. ``("C(4) 25",)``)."""
    fluids = tuple(fluids)
    first = _run(mode, fluids, [None] * len(fluids), extra)
    counters = ["Xm" if row["cb"] > 0 else "Xp" for row in first]
    rows = _run(mode, fluids, counters, extra)
    out = []
    for f, c, row in zip(fluids, counters, rows, strict=True):
        if abs(row["cb"]) > 1e-12:
            raise RuntimeError(f"PHREEQC did not balance the charge of {f.label()}: {row['cb']}")
        out.append(Result(
            fluid=f,
            ionic_strength=row["mu"],
            log_a={sp: row[f"la_{sp}"] for sp in SPECIES},
            molality={sp: row[f"m_{sp}"] for sp in SPECIES},
            log_gamma={sp: row[f"lg_{sp}"] for sp in SPECIES},
            log_k={sp: row[f"lk_{sp}"] for sp in _KEEP},
            si={name: row[f"si_{name}"] for name in PHASES}
            | {"Hydroxyapatite_wateq": row["si_Hydroxyapatite"]},
            log_water_activity=row["law"],
            counter_ion=(c + ("+" if c == "Xp" else "-"), row["xp"] if c == "Xp" else row["xm"]),
            log_k_hydroxyapatite_wateq=row["lk_hap_wateq"],
        ))
    return out


def aqueous_species(fluid: Fluid, mode: str = "phreeqc") -> dict[str, float]:
    """Every aqueous species PHREEQC forms in ``fluid`` with its molality (``SYS("aq")``)."""
    ip, head = _engine(mode)
    text = (head + "SELECTED_OUTPUT\n    -reset false\n    -high_precision true\nUSER_PUNCH\n"
            "    -start\n10 n = SYS(\"aq\", count, names$, types$, moles)\n"
            "20 FOR i = 1 TO count\n30 PUNCH names$(i), moles(i)\n40 NEXT i\n    -end\n"
            + _solution(1, fluid, None) + "END\n")
    ip.run_string(text)
    row = ip.get_selected_output_array()[1]
    return {row[i]: row[i + 1] for i in range(0, len(row) - 1, 2)
            if isinstance(row[i], str) and row[i]}


def totals_for_free_ions(target_ca_mM: float, target_mg_mM: float, base: Fluid = SERUM,
                         mode: str = "matched", extra: tuple[str, ...] = (),
                         tol: float = 1e-10) -> tuple[float, float, Result]:
    """Total Ca and Mg (mmol/kgw) that give free Ca2+ and Mg2+ molalities equal to the targets
    (mmol/kgw) in ``base`` (its Pi, pH, temperature, NaCl), with PHREEQC.

    Fixed point ``T <- T * target / free`` on both totals at once: the free fraction depends
    only weakly on the totals (through the phosphate the other metal binds), so each step
    shrinks the error ~100-fold. Returns (Ca_T, Mg_T, PHREEQC result at the solution)."""
    ca_t, mg_t = target_ca_mM, target_mg_mM
    for _ in range(30):
        f = Fluid(ca_t, base.pi_mM, base.ph, base.temperature_c, mg_t, base.nacl_mM)
        res = run([f], mode, extra)[0]
        free_ca, free_mg = res.molality["Ca+2"] * 1e3, res.molality["Mg+2"] * 1e3
        if abs(free_ca / target_ca_mM - 1) < tol and abs(free_mg / target_mg_mM - 1) < tol:
            return ca_t, mg_t, res
        ca_t, mg_t = ca_t * target_ca_mM / free_ca, mg_t * target_mg_mM / free_mg
    raise RuntimeError("totals_for_free_ions did not converge")


# ----------------------------------------------------------------------------- the report

FREE_IONS = ("Ca+2", "Mg+2", "HPO4-2", "H2PO4-", "PO4-3", "OH-", "Na+", "Cl-")
PAIRS = ("H3PO4", "CaHPO4", "CaH2PO4+", "CaPO4-", "MgHPO4", "MgH2PO4+", "MgPO4-", "NaHPO4-")


def vcsim_tung_ocp_si(r, temperature_c):
    """SI of OCP from a vcsim result with the IAP of Tung et al. 1988 (a_Ca^8 a_H^2 a_PO4^6)."""
    import numpy as np

    la = {sp: np.log10(r.activities[sp]) for sp in ("Ca+2", "H+", "PO4-3")}
    ph = PHASES["OCP"]
    log_ksp = np.array([ph.log_ksp(t) for t in np.atleast_1d(temperature_c)])
    return 8 * la["Ca+2"] + 2 * la["H+"] + 6 * la["PO4-3"] - log_ksp.reshape(np.shape(la["H+"]))


def vcsim_on(fluids):
    """vcsim's speciation of ``fluids`` (one vectorised call)."""
    import numpy as np

    from vcsim.chemistry.speciation import speciate

    cols = {k: np.array([getattr(f, k) for f in fluids]) for k in
            ("ca_mM", "pi_mM", "ph", "temperature_c", "mg_mM", "nacl_mM")}
    return speciate(cols["ca_mM"], cols["pi_mM"], cols["ph"], cols["temperature_c"],
                    cols["mg_mM"], cols["nacl_mM"])


def differences(fluids, mode: str) -> dict[str, list[tuple[Fluid, float]]]:
    """vcsim minus PHREEQC over ``fluids``: log10 activity of the free ions, log10
    concentration of the pairs and acid forms, relative ionic strength, SI of each phase
    (``OCP`` as vcsim computes it and ``OCP (Tung IAP)`` recomputed from vcsim's activities:
    the same since 0.2.x, which fixed vcsim's OCP ion activity product)."""
    import numpy as np

    fluids = tuple(fluids)
    r = vcsim_on(fluids)
    ref = run(fluids, mode)
    out: dict[str, list[tuple[Fluid, float]]] = {}

    def add(key, i, val):
        out.setdefault(key, []).append((fluids[i], float(val)))

    tung = vcsim_tung_ocp_si(r, [f.temperature_c for f in fluids])
    for i, (f, x) in enumerate(zip(fluids, ref, strict=True)):
        for sp in FREE_IONS + PAIRS:
            if sp.startswith("Mg") and f.mg_mM == 0:
                continue
            if sp in FREE_IONS:
                add(sp, i, np.log10(r.activities[sp][i]) - x.log_a[sp])
            else:
                add(sp, i, np.log10(r.concentrations[sp][i]) - np.log10(x.molality[sp]))
        add("I", i, r.ionic_strength[i] / x.ionic_strength - 1.0)
        for phase in PHASES:
            add(f"SI {phase}", i, r.saturation_index(phase)[i] - x.si[phase])
        add("SI OCP (Tung IAP)", i, tung[i] - x.si["OCP"])
    return out


def report() -> str:  # pragma: no cover - prints the tables of docs/speciation_reference.md
    import numpy as np

    fluids = GRID + (SERUM,)
    lines = []
    diffs = {m: differences(fluids, m) for m in ("matched", "phreeqc")}
    lines.append("| quantity | matched: max abs | matched: median abs | phreeqc.dat: max abs "
                 "| phreeqc.dat: median abs | phreeqc.dat: mean (signed) |")
    lines.append("|---|---|---|---|---|---|")
    keys = [k for k in (*FREE_IONS, *PAIRS, "I") if k in diffs["matched"]]
    keys += [k for k in diffs["matched"] if k.startswith("SI")]
    for key in keys:
        cells = []
        for m in ("matched", "phreeqc"):
            d = np.array([v for _, v in diffs[m][key]])
            cells += [f"{np.abs(d).max():.4f}", f"{np.median(np.abs(d)):.4f}"]
        d = np.array([v for _, v in diffs["phreeqc"][key]])
        lines.append(f"| {key} | " + " | ".join(cells) + f" | {d.mean():+.4f} |")
    for t in (25.0, 37.0):
        d = [v for f, v in diffs["matched"]["H3PO4"] if f.temperature_c == t]
        lines.append(f"\nH3PO4 at {t:g} C (matched): max |d| {max(map(abs, d)):.4f}")
    r = vcsim_on([SERUM])
    lines.append("\nserum SI: vcsim " + ", ".join(
        f"{p} {float(r.saturation_index(p)[0]):.3f}" for p in PHASES)
        + f", vcsim OCP with Tung IAP {float(vcsim_tung_ocp_si(r, 37.0)[0]):.3f}")
    for m in ("matched", "phreeqc"):
        x = run([SERUM], m)[0]
        lines.append(f"serum SI PHREEQC {m}: " + ", ".join(f"{k} {v:.3f}" for k, v in x.si.items())
                     + f"; I {x.ionic_strength:.5f}; log a_w {x.log_water_activity:.5f}; "
                     f"free Ca {x.molality['Ca+2'] * 1e3:.4f} mM, free Mg "
                     f"{x.molality['Mg+2'] * 1e3:.4f} mM; counter-ion {x.counter_ion}")
    for t in (25.0, 37.0):
        x = run([Fluid(1.2, 1.1, 7.4, t, 0.85, 140.0)], "matched")[0]
        lk = x.log_k
        # Ca5(PO4)3OH + 4 H+ = H2O + 3 HPO4-2 + 5 Ca+2 -> Ca5(PO4)3OH = 5 Ca + 3 PO4 + OH
        ksp = x.log_k_hydroxyapatite_wateq - 3 * lk["HPO4-2"] + lk["OH-"]
        s = math.sqrt(x.ionic_strength)
        a_dh = -x.log_gamma["Ca+2"] / (4 * (s / (1 + s) - 0.3 * x.ionic_strength))
        lines.append(f"{t:g} C: phreeqc.dat Hydroxyapatite log Ksp(Ca5(PO4)3OH) {ksp:.3f}; "
                     f"PHREEQC Davies A {a_dh:.5f}")
    for m in ("matched", "phreeqc"):
        for tmg in (0.47, 0.51, 0.55):
            ca, mg, x = totals_for_free_ions(1.2, tmg, mode=m)
            lines.append(f"{m}: free Ca 1.2, free Mg {tmg}: Ca_T {ca:.4f}, Mg_T {mg:.4f}; "
                         f"a_Ca {10 ** x.log_a['Ca+2'] * 1e3:.4f} mM, a_Mg "
                         f"{10 ** x.log_a['Mg+2'] * 1e3:.4f} mM")
    ca, mg, x = totals_for_free_ions(1.2, 0.51, mode="phreeqc", extra=("C(4) 25", "S(6) 0.5"))
    lines.append(f"phreeqc + 25 mM C(4) + 0.5 mM SO4: Ca_T {ca:.4f}, Mg_T {mg:.4f}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    print(report())
