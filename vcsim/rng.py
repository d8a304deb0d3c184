"""Counter-based random numbers keyed by (seed, step, cell, purpose).

Both engines must draw the same numbers whatever the order in which cells are visited, so a
draw is a pure function of its key rather than the next value of a stream. The mixing
function is SplitMix64's finaliser (Steele, Lea & Flood 2014, "Fast splittable pseudorandom
number generators", OOPSLA), applied to a combination of the four key words; it passes
BigCrush as a counter-based generator when keys are distinct. All arithmetic is uint64
(wrapping).

A draw is two stages: :func:`stream_key` mixes (seed, step, purpose) once per batch, and
:func:`uniform_at` mixes the cell index into it (compiled; called inside the cell and site
kernels). :func:`uniform` and :func:`normal` are the array forms of the same functions.

Usage::

    u = uniform(seed, 0, cells, Purpose.INITIAL_OCCUPANCY)   # one U[0,1) per cell index

Events (nucleation, the cells' transitions, divisions and vesicles) are drawn by random time
change, with streams keyed by (seed, purpose) and the cell index carrying the site and the
event's draw index (:mod:`vcsim.cells.clocks`, :mod:`vcsim.processes.nucleation`), so that a
seed's sample does not depend on the step.
"""

from __future__ import annotations

import math
import os
import warnings
from enum import IntEnum

import numpy as np

from vcsim.compiled import jit

if os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
    # run as plain Python, numpy warns of the uint64 wrap-around the mixing relies on
    warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning, module=__name__)

_GOLDEN = 0x9E3779B97F4A7C15
_MASK = 0xFFFFFFFFFFFFFFFF
_TO_UNIT = 1.0 / float(1 << 53)


class Purpose(IntEnum):
    """What a draw is for; each purpose is an independent stream. (Values 1-5, 8 and 9 were the
    per-step draws of transitions, divisions, nucleation, vesicles and mineral death, now drawn
    by event clocks: not reused, so the remaining streams keep their keys.)"""

    INITIAL_STATE = 6
    INITIAL_OCCUPANCY = 7
    NUCLEATION_CLOCK = 10
    NUCLEATION_SOURCE = 11
    CELL_CLOCK = 12
    CELL_CHOICE = 13


@jit
def _mix(z):
    """SplitMix64 finaliser (bijective on uint64)."""
    z = z ^ (z >> np.uint64(30))
    z = z * np.uint64(0xBF58476D1CE4E5B9)
    z = z ^ (z >> np.uint64(27))
    z = z * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def stream_key(seed: int, step: int, purpose: int) -> np.uint64:
    """The key of one (seed, step, purpose) stream: ``mix(mix(seed G + purpose) + step G)``."""
    k = int(_mix(np.uint64(((seed & _MASK) * _GOLDEN + int(purpose)) & _MASK)))
    # a compiled function hands uint64 back as a Python int: keep the key typed as uint64
    return np.uint64(int(_mix(np.uint64((k + (step & _MASK) * _GOLDEN) & _MASK))))


@jit
def bits_at(key, cell):
    """64 random bits of ``cell`` in the stream ``key``: ``mix((cell + 1) G + key)``."""
    return _mix((np.uint64(cell) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15) + key)


@jit
def uniform_at(key, cell):
    """U[0, 1) (53-bit resolution) of ``cell`` in the stream ``key``."""
    return np.float64(bits_at(key, cell) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@jit
def normal_at(key_a, key_b, cell):
    """Standard normal deviate by Box-Muller from two independent uniforms of ``cell``."""
    u1 = uniform_at(key_a, cell)
    u2 = uniform_at(key_b, cell)
    return math.sqrt(-2.0 * math.log1p(-u1)) * math.cos(2.0 * math.pi * u2)


@jit
def _uniform_loop(key, cells, out):
    for j in range(cells.size):
        out[j] = uniform_at(key, cells[j])


@jit
def _normal_loop(key_a, key_b, cells, out):
    for j in range(cells.size):
        out[j] = normal_at(key_a, key_b, cells[j])


def _cells(cells: np.ndarray | int) -> tuple[np.ndarray, bool]:
    arr = np.asarray(cells)
    return np.ascontiguousarray(arr.reshape(-1), dtype=np.int64), arr.ndim == 0


def uniform(seed: int, step: int, cells: np.ndarray | int, purpose: int) -> np.ndarray:
    """U[0, 1) doubles (53-bit resolution), one per cell index."""
    flat, scalar = _cells(cells)
    out = np.empty(flat.size)
    _uniform_loop(stream_key(seed, step, purpose), flat, out)
    return out[0] if scalar else out.reshape(np.shape(cells))


def exponential_at_events(seed: int, sites: np.ndarray, events: np.ndarray, n_sites: int,
                          purpose: int) -> np.ndarray:
    """Unit exponential deviates ``-ln(1 - u)``, one per (site, event index) pair: the draws of
    a site's own sequence of events, independent of the step at which each event falls (the
    stream is keyed by (seed, purpose) alone, the cell index by ``site + n_sites * event``)."""
    return -np.log1p(-uniform_at_events(seed, sites, events, n_sites, purpose))


def uniform_at_events(seed: int, sites: np.ndarray, events: np.ndarray, n_sites: int,
                      purpose: int) -> np.ndarray:
    """U[0, 1) per (site, event index) pair, keyed as :func:`exponential_at_events`."""
    cells = np.asarray(sites, dtype=np.int64) + np.int64(n_sites) * np.asarray(events, dtype=np.int64)
    return uniform(seed, 0, cells, purpose)


def normal(seed: int, step: int, cells: np.ndarray | int, purpose: int) -> np.ndarray:
    """Standard normal deviates (Box-Muller; the second uniform uses ``purpose + 1000``)."""
    flat, scalar = _cells(cells)
    out = np.empty(flat.size)
    _normal_loop(stream_key(seed, step, purpose), stream_key(seed, step, purpose + 1000), flat, out)
    return out[0] if scalar else out.reshape(np.shape(cells))


__all__ = ["Purpose", "bits_at", "exponential_at_events", "normal", "normal_at", "stream_key", "uniform", "uniform_at", "uniform_at_events"]
