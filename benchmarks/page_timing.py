"""How fast the browser page keeps up: Step-to-redraw, Play rate and Reset, in headless Chromium.

Used by ``make bench`` (:func:`bench_page`: starts ``vcsim viz`` on a free 127.0.0.1 port, drives
Debian's Chromium through playwright, stops the server by its process group) and by
``tests/test_viz_browser.py`` (:func:`measure_page` on the test's own server; the test reports
the numbers and asserts none: speed lives in the benchmarks).

- ``page_step_s``: median time from a click on *Step* until the counter shows the new step
  and every figure that changes each step (the lattice and the four time series) shows a new
  picture; ``page_step_max_s`` the slowest of the clicks.
- ``page_play_steps_per_s``: steps per second with *Play* running for ``play_s`` seconds.
- ``page_reset_s``: from a click on *Reset* until the counter is back at 0 and the figures are
  redrawn.

Targets (issue "the user's day"): step <= 0.25 s, Play >= 4 steps/s, Reset < 1 s on the
default lattice.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = Path(os.environ.get("VCSIM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]
#: page order of the figures that change at every step (vcsim.viz.components.PAGE_VIEWS)
EVERY_STEP = (0, 2, 3, 4, 5)

_SNAPSHOT = "() => { window.__vcsim_before = Array.from(document.querySelectorAll('img.solara-image'), i => i.src); }"
_REDRAWN = """([k, indices]) => {
  const text = document.body.innerText;
  if (!new RegExp('Step: ' + k + '(\\\\D|$)').test(text)) return false;
  const now = Array.from(document.querySelectorAll('img.solara-image'), i => i.src);
  return indices.every(i => now[i] !== undefined && now[i] !== window.__vcsim_before[i]);
}"""


def _step_count(page) -> int:
    match = re.search(r"Step: (\d+)", page.inner_text("body"))
    return int(match.group(1)) if match else -1


def measure_page(page, clicks: int = 10, play_s: float = 5.0, timeout_ms: int = 60_000) -> dict:
    """Time Step, Play and Reset on a loaded page at step 0 (a playwright ``Page``)."""
    step_button = page.get_by_role("button", name="Step", exact=True)
    start = _step_count(page)
    times = []
    for k in range(start + 1, start + clicks + 1):
        page.evaluate(_SNAPSHOT)
        t0 = time.perf_counter()
        step_button.click()
        page.wait_for_function(_REDRAWN, arg=[k, list(EVERY_STEP)], timeout=timeout_ms, polling=10)
        times.append(time.perf_counter() - t0)

    before = _step_count(page)
    t0 = time.perf_counter()
    page.get_by_role("button", name="▶", exact=True).click()
    time.sleep(play_s)
    page.get_by_role("button", name="❚❚", exact=True).click()
    elapsed = time.perf_counter() - t0
    page.get_by_role("button", name="Step", exact=True).wait_for(state="visible", timeout=timeout_ms)
    played = _step_count(page) - before

    page.evaluate(_SNAPSHOT)
    t0 = time.perf_counter()
    page.get_by_role("button", name="Reset", exact=True).click()
    page.wait_for_function(_REDRAWN, arg=[0, list(EVERY_STEP)], timeout=timeout_ms, polling=10)
    reset = time.perf_counter() - t0
    return {"page_step_s": statistics.median(times), "page_step_max_s": max(times),
            "page_step_clicks": clicks, "page_play_steps_per_s": played / elapsed,
            "page_reset_s": reset}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(port: int, log) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "vcsim.cli", "viz", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _wait(url: str, proc: subprocess.Popen, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"vcsim viz exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"vcsim viz did not answer at {url} within {timeout_s:.0f} s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def bench_page(clicks: int = 10, play_s: float = 5.0, warm_steps: int = 3) -> dict:
    """The page figures on the default scenario and lattice, or ``page_error`` saying why not."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"page_error": "playwright not installed (pip install -e '.[browser-test]')"}
    if not CHROMIUM.exists():
        return {"page_error": f"{CHROMIUM} not found (apt-get install chromium)"}
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"vcsim-bench-viz-{port}.log"
    with open(log_path, "wb") as log:
        proc = _serve(port, log)
    try:
        _wait(url, proc)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page(viewport={"width": 1600, "height": 1250})
                page.goto(url + "/")
                page.get_by_text("Step: 0").wait_for(timeout=120_000)
                for k in range(1, warm_steps + 1):  # compiled kernels, first full draws
                    page.evaluate(_SNAPSHOT)
                    page.get_by_role("button", name="Step", exact=True).click()
                    page.wait_for_function(_REDRAWN, arg=[k, list(EVERY_STEP)], timeout=120_000)
                page.get_by_role("button", name="Reset", exact=True).click()
                page.get_by_text("Step: 0").wait_for(timeout=60_000)
                time.sleep(1.0)
                return measure_page(page, clicks=clicks, play_s=play_s)
            finally:
                browser.close()
    except Exception as exc:  # the benchmark reports why, the other figures still count
        return {"page_error": f"{type(exc).__name__}: {exc}".splitlines()[0]}
    finally:
        _stop(proc)
        log_path.unlink(missing_ok=True)


if __name__ == "__main__":
    print(bench_page())
