"""Optional compiled kernels (numba) for the array primitives of a step, with numpy's bits.

The model's equations are written once, in numpy (``vcsim.cells``, ``vcsim.chemistry``,
``vcsim.transport``). Numpy spends one pass over memory per arithmetic operation, and a step
does about a thousand of them per cell. The kernels here run the *generic* machinery the
equations go through as single compiled loops:

- the Hill function, exact relaxation with a fixed time constant, clipping to [0, 1];
- the rules table: base values, each term, the competing-risk choice of a transition;
- the counter-based uniform draws (:mod:`vcsim.rng`);
- the gather / round / scatter of cell rows;
- the tridiagonal solve of the transport (:mod:`vcsim.transport`);
- and, in :mod:`vcsim.chemistry.speciation_compiled`, the speciation block solve.

Each kernel does **the same IEEE operations in the same order** as the numpy code it replaces:
no fast-math, no fused multiply-add, numpy's semantics for ``maximum`` with NaN and -0.0,
constants in the precision numpy's scalar promotion gives. Transcendental functions whose
implementations differ between libraries (numpy's SIMD ``exp``, ``expm1``, ``log``) stay in
numpy. So a kernel returns the same bits as the numpy path and a run is identical, to the bit,
with or without numba. ``tests/test_kernels.py`` checks every kernel against the numpy path on
random inputs (hypothesis, with NaN, infinities and signed zeros) and whole model runs.

Install with ``pip install 'vcsim[fast]'`` (numba). The numpy path is always there and is what
runs without numba. Choose with the ``VCSIM_KERNELS`` environment variable:

- ``auto`` (default): numba when it imports, else numpy;
- ``numpy``: never use the compiled kernels;
- ``numba``: require them (ImportError naming the extra when numba is missing).

Only float64 arrays of at least :data:`MIN_SIZE` elements and integer Hill exponents 1-64 take
the compiled path (numba's ``pow`` may differ from numpy's in the last bit, so a non-integer
exponent stays on numpy). Kernels are specialised on their constant settings (a Hill exponent
known at compile time lets the compiler unroll the power and vectorise the loop), compiled on
first use and cached on disk by numba (``__pycache__``; a cold cache costs a few seconds once).
They release the GIL, so the block threads of :mod:`vcsim.parallel` run them side by side.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

#: environment variable choosing the backend (auto | numpy | numba)
KERNELS_ENV = "VCSIM_KERNELS"
BACKENDS = ("auto", "numpy", "numba")
#: arrays shorter than this stay on the numpy path (the call overhead is not worth it)
MIN_SIZE = 64

#: whether numba is installed (found, not imported: the numpy path never pays its import)
HAVE_NUMBA = importlib.util.find_spec("numba") is not None
_nb: Any = None


def _numba() -> Any:
    """The numba module, imported on first use (and ``_ipow`` compiled with it)."""
    global _nb, _ipow
    if _nb is None:
        import numba

        _ipow = numba.njit(inline="always", error_model="numpy", cache=True)(_ipow_py)
        _nb = numba
    return _nb


def _choose(value: str | None) -> bool:
    want = (value or "auto").strip().lower() or "auto"
    if want not in BACKENDS:
        raise ValueError(f"{KERNELS_ENV}: {want!r} is not allowed; expected one of {', '.join(BACKENDS)}")
    if want == "numba" and not HAVE_NUMBA:
        raise ImportError(f"{KERNELS_ENV}=numba but numba is not installed; pip install 'vcsim[fast]'")
    return want != "numpy" and HAVE_NUMBA


def _from_environment() -> tuple[bool, str | None]:
    # a bad value must not break ``import vcsim``: it is reported (one line) when a model is
    # built, by check_environment(); until then the numpy path is used
    try:
        return _choose(os.environ.get(KERNELS_ENV)), None
    except (ValueError, ImportError) as exc:
        return False, str(exc)


#: whether the compiled kernels are in use (set from $VCSIM_KERNELS at import)
ENABLED, _ENV_ERROR = _from_environment()


def check_environment() -> None:
    """Raise ValueError (one line naming the variable, its value and what is allowed) when
    ``$VCSIM_KERNELS`` is malformed or asks for numba that is not installed."""
    if _ENV_ERROR is not None:
        raise ValueError(_ENV_ERROR)


def backend() -> str:
    """The kernel backend in use, "numba" or "numpy" (recorded in run metadata)."""
    return "numba" if ENABLED else "numpy"


def set_enabled(enabled: bool) -> bool:
    """Switch the compiled kernels on or off (tests compare the two paths); returns the old
    setting. Switching on needs numba."""
    global ENABLED
    old = ENABLED
    if enabled and not HAVE_NUMBA:
        raise ImportError("numba is not installed; pip install 'vcsim[fast]'")
    ENABLED = bool(enabled)
    return old


def int_exponent(n: float) -> int:
    """``n`` as an int when it is an integer in 1..64 (a power by multiplications), else 0."""
    return int(n) if float(n).is_integer() and 1 <= n <= 64 else 0


def applies(a: Any) -> bool:
    """True when the compiled path applies to the 1-D array ``a``: kernels on and at least
    :data:`MIN_SIZE` elements (shorter arrays are not worth the call)."""
    return ENABLED and np.ndim(a) == 1 and np.size(a) >= MIN_SIZE


def usable(*arrays: Any) -> bool:
    """:func:`applies` to every one of ``arrays``, and each a float64 ndarray."""
    return all(isinstance(a, np.ndarray) and a.dtype == np.float64 and applies(a) for a in arrays)


# ------------------------------------------------------------------------------ kernel makers
_cache: dict[tuple[str, int], Callable[..., None]] = {}
_lock = threading.Lock()


def _jit(fn: Callable[..., None]) -> Callable[..., None]:
    # error_model="numpy": no zero-division checks (IEEE results, as numpy), so loops vectorise;
    # fastmath stays off: the operations are done as written, in order
    return _numba().njit(nogil=True, error_model="numpy", fastmath=False, cache=True)(fn)


def _ipow(r: float, n: int) -> float:
    """``r**n`` by repeated squaring, multiplications in the order of
    :func:`vcsim.cells.signals._int_power_inplace`; inlined into the kernels, where ``n`` is a
    compile-time constant (the loop unrolls)."""
    acc = r
    first = True
    while True:
        if n & 1:
            if first:
                acc = r
                first = False
            else:
                acc = acc * r
        n >>= 1
        if n == 0:
            return acc
        r = r * r


_ipow_py = _ipow  # the plain function; _numba() replaces the module's _ipow by its compiled form


def _kernel(kind: str, n: int = 0) -> Callable[..., None]:
    key = (kind, n)
    fn = _cache.get(key)
    if fn is None:
        with _lock:
            fn = _cache.get(key)
            if fn is None:
                fn = _cache[key] = _MAKERS[kind](n)
    return fn


def _make_hill(n: int) -> Callable[..., None]:
    def hill(x, half_max, out):
        for i in range(x.size):
            v = x[i]
            r = v if (v > 0.0 or v != v) else 0.0  # np.maximum(v, 0.0): NaN kept, -0.0 -> 0.0
            r = _ipow(r / half_max, n)
            out[i] = r / (r + 1.0)

    return _jit(hill)


def _make_rule_term(variant: int) -> Callable[..., None]:
    # variant = 4 n + 2 increases + everyone: all three are compile-time constants, so the
    # loop has no per-cell branch on them and vectorises
    n, increases, everyone = variant // 4, bool(variant & 2), bool(variant & 1)

    def term(b, b0, sig, covered, half_max, saturation):
        # b += H(sig) * (saturation - ref) where the rule covers the cell (covered[i])
        for i in range(b.size):
            v = sig[i]
            r = v if (v > 0.0 or v != v) else 0.0
            r = _ipow(r / half_max, n)
            h = r / (r + 1.0)
            old = b[i]
            ref = b0[i] if increases else old
            new = old + h * (saturation - ref)
            if everyone:
                b[i] = new
            else:
                b[i] = new if covered[i] else old

    return _jit(term)


def _make_relax_tau(_: int) -> Callable[..., None]:
    def relax(x, target, decay, out):
        for i in range(x.size):
            t = target[i]
            out[i] = t + (x[i] - t) * decay

    return _jit(relax)


def _make_clip(upper: int) -> Callable[..., None]:
    # in place: max(x, 0) then (when upper) min(x, 1), numpy's NaN/-0.0 semantics
    def clip(x):
        for i in range(x.size):
            v = x[i]
            v = v if (v > 0.0 or v != v) else 0.0
            if upper:
                v = v if (v < 1.0 or v != v) else 1.0
            x[i] = v

    return _jit(clip)


def _make_gather(_: int) -> Callable[..., None]:
    def gather(src, idx, out):
        for i in range(idx.size):
            out[i] = src[idx[i]]

    return _jit(gather)


def _make_scatter(_: int) -> Callable[..., None]:
    def scatter(dst, idx, values):
        for i in range(idx.size):
            dst[idx[i]] = values[i]  # float64 -> storage dtype: round to nearest, as astype

    return _jit(scatter)


def _make_uniform(_: int) -> Callable[..., None]:
    # vcsim.rng.uniform: SplitMix64 finaliser of (cell + 1) * golden + key, top 53 bits / 2^53;
    # every integer constant is uint64 so the arithmetic stays uint64 (wrapping), as numpy's
    golden, m1, m2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
    one, s30, s27, s31, s11 = np.uint64(1), np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
    to_unit = 1.0 / float(1 << 53)

    def uniform(cells, key, out):
        for i in range(cells.size):
            z = (np.uint64(cells[i]) + one) * golden + key
            z ^= z >> s30
            z *= m1
            z ^= z >> s27
            z *= m2
            z ^= z >> s31
            out[i] = np.float64(z >> s11) * to_unit

    return _jit(uniform)


def _make_pttrs(_: int) -> Callable[..., None]:
    # LAPACK zptts2 (upper) for a real factorisation U^H D U and a complex right-hand side
    # viewed as (n, 2) float64: real arithmetic on both parts, which is what the complex
    # operations with a real e and d reduce to (the same values; e's zero imaginary part only
    # adds exact zeros)
    def pttrs(d, e, b):
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

    return _jit(pttrs)


def _make_rule_start(_: int) -> Callable[..., None]:
    def start(codes, base_lut, b0, b, present):
        # b0 = b = base value of each cell's phenotype; which phenotype codes occur
        for i in range(codes.size):
            c = codes[i]
            v = base_lut[c]
            b0[i] = v
            b[i] = v
            present[c] = True

    return _jit(start)


def _make_competing_rates(_: int) -> Callable[..., None]:
    def rates(ph, r0, r1, r2, r3, t0, t1, t2, t3, total):
        # a cell's rate toward its own phenotype is 0; total = ((r0 + r1) + r2) + r3
        for i in range(ph.size):
            c = ph[i]
            a = 0.0 if c == t0 else r0[i]
            b = 0.0 if c == t1 else r1[i]
            d = 0.0 if c == t2 else r2[i]
            e = 0.0 if c == t3 else r3[i]
            r0[i] = a
            r1[i] = b
            r2[i] = d
            r3[i] = e
            total[i] = ((a + b) + d) + e

    return _jit(rates)


def _make_competing_choice(_: int) -> Callable[..., None]:
    def choice(ph, alive, r0, r1, r2, r3, t0, t1, t2, t3, total, p_min, p_move, p_clear,
               u_min, u_move, u_choice, apoptotic, empty, new, died):
        # vcsim.cells.phenotype.transition after the rates: death from mineral, the move and
        # its target (first cumulative rate above the pick; round-off guard: the last
        # non-zero rate), clearance of apoptotic cells
        for i in range(ph.size):
            c = ph[i]
            killed = alive[i] and u_min[i] < p_min[i]
            moves = alive[i] and not killed and u_move[i] < p_move[i]
            pick = u_choice[i] * total[i]
            chosen = -1
            cum = r0[i]
            if pick < cum:
                chosen = t0
            cum = cum + r1[i]
            if chosen < 0 and pick < cum:
                chosen = t1
            cum = cum + r2[i]
            if chosen < 0 and pick < cum:
                chosen = t2
            cum = cum + r3[i]
            if chosen < 0 and pick < cum:
                chosen = t3
            if chosen < 0:
                last = -1
                if r0[i] > 0:
                    last = t0
                if r1[i] > 0:
                    last = t1
                if r2[i] > 0:
                    last = t2
                if r3[i] > 0:
                    last = t3
                chosen = last
            moves = moves and chosen >= 0
            out = c
            if moves:
                out = chosen
            if killed:
                out = apoptotic
            if c == apoptotic and u_move[i] < p_clear[i]:
                out = empty
            new[i] = out
            died[i] = killed or (moves and chosen == apoptotic)

    return _jit(choice)


_MAKERS: dict[str, Callable[[int], Callable[..., None]]] = {
    "competing_rates": _make_competing_rates,
    "competing_choice": _make_competing_choice,
    "rule_start": _make_rule_start,
    "pttrs": _make_pttrs,
    "uniform": _make_uniform,
    "hill": _make_hill, "rule_term": _make_rule_term, "relax_tau": _make_relax_tau,
    "clip": _make_clip, "gather": _make_gather, "scatter": _make_scatter,
}


# --------------------------------------------------------------------------------- wrappers
def hill(x: np.ndarray, half_max: float, n_int: int) -> np.ndarray:
    """Compiled :func:`vcsim.cells.signals.hill` (integer exponent ``n_int``): same bits."""
    out = np.empty(x.size)
    _kernel("hill", n_int)(x, float(half_max), out)
    return out


def relax_tau(x: np.ndarray, target: np.ndarray, decay: float) -> np.ndarray:
    """``target + (x - target) * decay`` in one pass: same bits as the numpy expression."""
    out = np.empty(x.size)
    _kernel("relax_tau")(x, target, float(decay), out)
    return out


def clip_inplace(x: np.ndarray, upper: bool) -> np.ndarray:
    """``maximum(x, 0)`` (then ``minimum(x, 1)`` when ``upper``) in place, one pass."""
    _kernel("clip", int(bool(upper)))(x)
    return x


def gather(src: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``src[idx]`` as float64 in one pass (gather and widen)."""
    out = np.empty(idx.size)
    _kernel("gather")(src, idx, out)
    return out


def scatter(dst: np.ndarray, idx: np.ndarray, values: np.ndarray) -> None:
    """``dst[idx] = values.astype(dst.dtype)`` in one pass (round and scatter)."""
    _kernel("scatter")(dst, idx, values)


def rule_term(b: np.ndarray, b0: np.ndarray, sig: np.ndarray, covered: np.ndarray | None,
              half_max: float, n_int: int, saturation: float, increases: bool) -> None:
    """One rules-table term in place: ``b += H(sig; K, n) * (saturation - ref)`` on the cells
    where ``covered`` (bool per cell; None: every cell); ``ref`` is ``b0`` (increases) or
    ``b`` (decreases)."""
    variant = 4 * n_int + 2 * bool(increases) + (covered is None)
    mask = np.ones(1, dtype=np.bool_) if covered is None else covered
    _kernel("rule_term", variant)(b, b0, sig, mask, float(half_max), float(saturation))


def uniform(cells: np.ndarray, key: np.uint64) -> np.ndarray:
    """:func:`vcsim.rng.uniform` for 1-D int cell indices with the draw's ``key`` (same bits)."""
    out = np.empty(cells.size)
    _kernel("uniform")(cells, np.uint64(key), out)
    return out


def tridiagonal_solve(d: np.ndarray, e: np.ndarray, b: np.ndarray) -> None:
    """Solve ``U^H D U x = b`` in place for a complex ``b`` (LAPACK ``zpttrs`` with real
    factors ``d``, ``e`` from ``dpttrf``), in the same order as LAPACK: the same bits."""
    _kernel("pttrs")(d, e, b.reshape(-1).view(np.float64).reshape(-1, 2))


def rule_start(codes: np.ndarray, base_lut: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(b0, b, present)``: the base value ``base_lut[codes]`` twice (the reference and the
    accumulator of the rules terms) and a bool per phenotype code that occurs, in one pass.
    ``codes`` are int8 phenotype codes (0 <= code < len(base_lut))."""
    b0, b = np.empty(codes.size), np.empty(codes.size)
    present = np.zeros(base_lut.size, dtype=np.bool_)
    _kernel("rule_start")(codes, np.ascontiguousarray(base_lut, dtype=np.float64), b0, b, present)
    return b0, b, present


def competing_rates(ph: np.ndarray, rates: list[np.ndarray], targets: tuple[int, ...]) -> np.ndarray:
    """Zero each cell's rate toward its own phenotype (in place in ``rates``, 4 float64 arrays)
    and return the total ``((r0 + r1) + r2) + r3``, in one pass."""
    total = np.empty(ph.size)
    _kernel("competing_rates")(ph, *rates, *(np.int8(t) for t in targets), total)
    return total


def competing_choice(ph: np.ndarray, alive: np.ndarray, rates: list[np.ndarray], targets: tuple[int, ...],
                     total: np.ndarray, p_min: np.ndarray, p_move: np.ndarray, p_clear: np.ndarray,
                     u_min: np.ndarray, u_move: np.ndarray, u_choice: np.ndarray, apoptotic: int,
                     empty: int) -> tuple[np.ndarray, np.ndarray]:
    """New phenotype codes and died flags of :func:`vcsim.cells.phenotype.transition` from its
    rates, probabilities and draws, in one pass."""
    new = np.empty(ph.size, dtype=np.int8)
    died = np.empty(ph.size, dtype=np.bool_)
    _kernel("competing_choice")(ph, alive, *rates, *(np.int8(t) for t in targets), total, p_min, p_move,
                                p_clear, u_min, u_move, u_choice, np.int8(apoptotic), np.int8(empty),
                                new, died)
    return new, died
