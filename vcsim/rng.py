"""Counter-based random numbers keyed by (seed, step, cell, purpose).

Both engines must draw the same numbers whatever the order in which cells are visited, so a
draw is a pure function of its key rather than the next value of a stream. The mixing
function is SplitMix64's finaliser (Steele, Lea & Flood 2014, "Fast splittable pseudorandom
number generators", OOPSLA), applied to a combination of the four key words; it passes
BigCrush as a counter-based generator when keys are distinct. Everything is uint64 numpy
arithmetic (wrapping), vectorised over cells.

Usage::

    u = uniform(seed, step, cells, Purpose.TRANSITION)   # one U[0,1) per cell index
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from vcsim import kernels

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_SHIFT11 = np.uint64(11)
_TO_UNIT = 1.0 / float(1 << 53)


class Purpose(IntEnum):
    """What a draw is for; each purpose is an independent stream."""

    TRANSITION = 1
    TRANSITION_CHOICE = 2
    DIVISION = 3
    DIVISION_TARGET = 4
    NUCLEATION = 5
    INITIAL_STATE = 6
    INITIAL_OCCUPANCY = 7
    VESICLE = 8
    MINERAL_DEATH = 9


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser (bijective on uint64), in place on a fresh array."""
    z ^= z >> _S30
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


def _key(seed: int, step: int, purpose: int) -> np.uint64:
    with np.errstate(over="ignore"):
        k = np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64)
        k = _mix(k * _GOLDEN + np.uint64(purpose))
        k = _mix(k + np.uint64(step & 0xFFFFFFFFFFFFFFFF) * _GOLDEN)
    return k[0]


def random_bits(seed: int, step: int, cells: np.ndarray | int, purpose: int) -> np.ndarray:
    """64 random bits per cell index, a pure function of (seed, step, cell, purpose)."""
    idx = np.asarray(cells, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (idx + np.uint64(1)) * _GOLDEN + _key(seed, step, purpose)
        return _mix(z)


def uniform(seed: int, step: int, cells: np.ndarray | int, purpose: int) -> np.ndarray:
    """U[0, 1) doubles (53-bit resolution), one per cell index."""
    if isinstance(cells, np.ndarray) and cells.dtype.kind == "i" and kernels.applies(cells):
        return kernels.uniform(cells, _key(seed, step, purpose))  # one pass, same bits
    return (random_bits(seed, step, cells, purpose) >> _SHIFT11).astype(np.float64) * _TO_UNIT


def normal(seed: int, step: int, cells: np.ndarray | int, purpose: int) -> np.ndarray:
    """Standard normal deviates by Box-Muller from two independent uniforms per cell."""
    u1 = uniform(seed, step, cells, purpose)
    u2 = uniform(seed, step, cells, purpose + 1000)
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)
