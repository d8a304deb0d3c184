"""Event clocks of the cells: every stochastic cell event drawn by random time change.

A cell event of rate ``r(t)`` (1/h) happens when the integrated rate reaches a unit
exponential threshold: ``N(t) = Y(integral of r)`` with ``Y`` a unit-rate Poisson process
(Kurtz's representation; Anderson 2007 J Chem Phys 127:214107, the modified next reaction
method). Each site has one clock per channel (:data:`CHANNELS`): ``clock`` is the internal time
left to the channel's next event, ``draws`` how many thresholds the site has drawn on it. A
step spends ``r dt`` of the clock; when it reaches 0 the event happens and the next threshold
is drawn, keyed by (seed, site, channel, draw index) and never by the step. So a seed gives the
same sequence of thresholds at every dt, a run's cell events converge to those of the
continuous-time process as dt shrinks (first order: the rate is read at the start of the step,
and an event's overshoot within its step is dropped), and a study in dt compares like with like.
(Drawing ``u < 1 - exp(-r dt)`` anew each step has the same distribution for one event, but a
different sample at every dt.)

Sequences belong to sites, not to cells: a daughter placed in an empty site, or the next cell
at a cleared site, draws fresh thresholds further along that site's sequences (exponential
waiting times are memoryless, so a fresh threshold is as good as the old one).

- one-off events (death from mineral, a phenotype transition, clearance, division):
  :func:`fire` returns whether the event happens this step; after it, a fresh threshold;
- counts (matrix vesicles): :func:`count_events` returns the number of thresholds the step
  spends (a Poisson count of mean ``r dt`` when ``r`` is constant), capped at
  :data:`MAX_EVENTS_PER_STEP`.

Choices made at an event (which phenotype, which neighbour) use :func:`choice_uniform`, a
uniform of the same (site, channel, draw index) in a second stream.
"""

from __future__ import annotations

import math

import numpy as np

from vcsim.compiled import jit
from vcsim.rng import Purpose, stream_key, uniform_at

#: the cell event channels, one clock each per site
CHANNELS: tuple[str, ...] = ("mineral_death", "transition", "clearance", "division", "vesicle")
MINERAL_DEATH, TRANSITION, CLEARANCE, DIVISION, VESICLE = range(len(CHANNELS))
N_CHANNELS = len(CHANNELS)
#: at most this many counted events per site, channel and step
MAX_EVENTS_PER_STEP = 200


def clock_key(seed: int) -> np.uint64:
    """The stream of the thresholds (independent of the step)."""
    return stream_key(seed, 0, Purpose.CELL_CLOCK)


def choice_key(seed: int) -> np.uint64:
    """The stream of the choices made at events (independent of the step)."""
    return stream_key(seed, 0, Purpose.CELL_CHOICE)


@jit
def _draw_index(site, channel, k, n_sites):
    return (k * N_CHANNELS + channel) * n_sites + site


@jit
def threshold(key, site, channel, k, n_sites):
    """The ``k``-th unit exponential threshold of ``site``'s ``channel``: ``-ln(1 - u)``."""
    return -math.log1p(-uniform_at(key, _draw_index(site, channel, k, n_sites)))


@jit
def choice_uniform(key, site, channel, k, n_sites):
    """U[0, 1) for the choice made at the ``k``-th event of ``site``'s ``channel``."""
    return uniform_at(key, _draw_index(site, channel, k, n_sites))


@jit
def renew(clock, draws, site, channel, key, n_sites):
    """A fresh threshold for ``site``'s ``channel`` (the next of its sequence)."""
    draws[site, channel] += 1
    clock[site, channel] = threshold(key, site, channel, draws[site, channel], n_sites)


@jit
def fire(clock, draws, site, channel, hazard, key, n_sites):
    """Spend ``hazard`` (= rate x dt) of the clock; True if the event happens this step (then
    the clock is renewed: any overshoot within the step is dropped)."""
    left = clock[site, channel] - hazard
    if left > 0.0:
        clock[site, channel] = left
        return False
    renew(clock, draws, site, channel, key, n_sites)
    return True


@jit
def count_events(clock, draws, site, channel, hazard, key, n_sites):
    """Spend ``hazard`` of the clock; the number of thresholds crossed (events this step)."""
    left = clock[site, channel] - hazard
    n = 0
    while left <= 0.0 and n < MAX_EVENTS_PER_STEP:
        n += 1
        draws[site, channel] += 1
        left += threshold(key, site, channel, draws[site, channel], n_sites)
    clock[site, channel] = left if left > 0.0 else 0.0
    return float(n)


@jit
def _start(clock, draws, sites, key, n_sites):
    for j in range(sites.size):
        i = sites[j]
        for ch in range(N_CHANNELS):
            draws[i, ch] = 0
            clock[i, ch] = threshold(key, i, ch, 0, n_sites)


@jit
def _renew_all(clock, draws, sites, key, n_sites):
    for j in range(sites.size):
        for ch in range(N_CHANNELS):
            renew(clock, draws, sites[j], ch, key, n_sites)


def start_clocks(clock: np.ndarray, draws: np.ndarray, seed: int) -> None:
    """Every site's first thresholds (draw index 0), at the start of a run."""
    n = clock.shape[0]
    _start(clock, draws, np.arange(n, dtype=np.int64), clock_key(seed), n)


def renew_clocks(clock: np.ndarray, draws: np.ndarray, sites: np.ndarray, seed: int) -> None:
    """Fresh thresholds on every channel of ``sites`` (a new cell arrived there)."""
    _renew_all(clock, draws, np.ascontiguousarray(sites, dtype=np.int64), clock_key(seed), clock.shape[0])


__all__ = ["CHANNELS", "CLEARANCE", "DIVISION", "MAX_EVENTS_PER_STEP", "MINERAL_DEATH", "N_CHANNELS",
           "TRANSITION", "VESICLE", "choice_key", "choice_uniform", "clock_key", "count_events", "fire",
           "renew", "renew_clocks", "start_clocks", "threshold"]
