"""The page in a real browser: ``python run.py viz`` driven by headless Chromium.

Starts the server on a free port of 127.0.0.1 as its own process group, opens the page with
Debian's Chromium through Python playwright (never ``playwright install``), checks the
controls and the seven figures, steps the model and sees the counter and the figures change,
switches the heatmap, picks a scenario, moves a slider, resets, and checks that nothing left
127.0.0.1: every request the page made went to the server, none failed, and the server itself
opened no outside connection (its HTTP(S) proxy is a local listener that counts connections,
so a CDN fallback, a version check or telemetry would be caught). The server is stopped by
killing its process group.

A screenshot goes to the test's tmp directory; set ``VCSIM_VIZ_SCREENSHOT=docs/viz_screenshot.png``
to refresh the README's screenshot as well.

Skipped, with the reason, when /usr/bin/chromium (or the browser named by ``VCSIM_CHROMIUM``)
or the playwright package is missing (``apt-get install chromium``;
``pip install -e '.[browser-test]'``).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("VCSIM_CHROMIUM", "/usr/bin/chromium"))  # Debian's chromium package
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]
STARTUP_TIMEOUT_S = 90
UI_TIMEOUT_MS = 60_000

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found (apt-get install chromium)"),
    pytest.mark.skipif(sync_playwright is None,
                       reason="playwright not installed (pip install -e '.[browser-test]')"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ConnectionCounter:
    """A local TCP listener that counts and drops every connection (the server's proxy)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(1.0)
                try:
                    self.connections.append(conn.recv(200))  # e.g. b"CONNECT pypi.org:443 ..."
                except OSError:
                    self.connections.append(b"?")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``python run.py viz`` on a free port; yields (url, log path, connection counter)."""
    port = free_port()
    counter = ConnectionCounter()
    log_path = tmp_path_factory.mktemp("viz") / "server.log"
    proxy = f"http://127.0.0.1:{counter.port}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1",
           "HTTP_PROXY": proxy, "HTTPS_PROXY": proxy, "http_proxy": proxy, "https_proxy": proxy,
           "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "run.py", "viz", "--port", str(port)], cwd=REPO,
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_serving(url, proc, log_path)
        yield url, log_path, counter
    finally:
        _stop(proc)
        counter.close()


def _wait_until_serving(url: str, proc: subprocess.Popen, log_path: Path) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"viz server exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            with opener.open(url + "/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    pytest.fail(f"viz server did not answer within {STARTUP_TIMEOUT_S} s:\n{log_path.read_text()}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server's process group (SIGTERM, then SIGKILL) and check nothing is left."""
    pgid = proc.pid  # start_new_session: the server leads its own group
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(pgid, signal.SIGKILL)
        proc.wait(timeout=15)
    for _ in range(50):
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(pgid, signal.SIGKILL)
    pytest.fail("processes of the viz server were still running after it stopped")


def _select(page, label: str, option: str) -> None:
    """Pick ``option`` in the Vuetify select labelled ``label``."""
    page.locator(".v-select", has=page.get_by_text(label, exact=True)).locator(".v-select__slot").click()
    page.get_by_role("option", name=option, exact=True).click()


def _pictures(images) -> list[bytes]:
    return [images.nth(i).screenshot() for i in range(images.count())]


def _wait_for_change(images, before: list[bytes], indices: list[int], timeout_s: float = 20.0) -> list[bytes]:
    """Screenshots of the figures once every one in ``indices`` differs from ``before``."""
    deadline = time.monotonic() + timeout_s
    while True:
        now = _pictures(images)
        if all(now[i] != before[i] for i in indices) or time.monotonic() > deadline:
            return now
        time.sleep(0.25)


def _run_table(page) -> dict[str, tuple[str, str]]:
    """The run panel: input -> (value running, value on Reset)."""
    rows = page.locator("table tr")
    out = {}
    for i in range(1, rows.count()):
        cells = [c.strip() for c in rows.nth(i).locator("td").all_inner_texts()]
        out[cells[0]] = (cells[1], cells[2])
    return out


def test_page_steps_resets_and_stays_on_this_machine(server, tmp_path):
    url, log_path, counter = server
    outside, failed = [], []

    def only_local(route):
        if route.request.url.startswith(url) or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1250})
            page.set_default_timeout(UI_TIMEOUT_MS)
            page.route("**/*", only_local)
            page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
            page.on("response", lambda r: failed.append(f"{r.url} ({r.status})") if r.status >= 400 else None)
            page.goto(url + "/")

            # the page, its controls and its seven figures (the patient's says there is none)
            expect(page.get_by_text("Step: 0")).to_be_visible()
            images = page.locator("img.solara-image")
            expect(images).to_have_count(7)
            for name in ("Reset", "Step", "▶"):
                expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()
            seed = page.get_by_label("seed (0-9999; applies on Reset)")
            expect(seed).to_have_value("1")
            for label in ("lattice rows (sites)", "lattice columns (sites)", "serum Pi (mM)",
                          "serum Ca (mM)", "serum Mg (mM)", "fetuin-A (g/L)", "glucose (mM)",
                          "TNF-a (pg/mL)", "vitamin K index", "warfarin", "rapamycin", "4-PBA", "3-MA"):
                expect(page.get_by_role("slider", name=label, exact=True)).to_have_count(1)
            for label in ("scenario (sets the inputs below)", "glucose mode", "geometry", "heatmap of"):
                expect(page.locator(".v-select label", has_text=re.compile(f"^{re.escape(label)}$"))).to_be_visible()
            assert _run_table(page)["scenario"] == ("ckd", "")

            # Step: the counter and the figures move (lattice title, time series)
            before = _pictures(images)
            for k in range(1, 4):
                page.get_by_role("button", name="Step", exact=True).click()
                expect(page.get_by_text(f"Step: {k}")).to_be_visible()
            after = _wait_for_change(images, before, [0, 2, 3, 4, 5])
            changed = [i for i in range(6) if after[i] != before[i]]
            assert {0, 2, 3, 4, 5} <= set(changed), changed

            # Play runs on by itself until paused
            page.get_by_role("button", name="▶", exact=True).click()
            expect(page.get_by_text(re.compile(r"^Step: ([6-9]|\d\d+)$"))).to_be_visible()
            page.get_by_role("button", name="❚❚", exact=True).click()
            expect(page.get_by_role("button", name="Step", exact=True)).to_be_enabled()
            after = _pictures(images)

            # the heatmap selector
            _select(page, "heatmap of", "CHOP (cells) [relative level, 0-1]")
            after_field = _wait_for_change(images, after, [1])
            assert after_field[1] != after[1]

            # scenario picker, then a slider on top, then Reset
            pi = page.get_by_role("slider", name="serum Pi (mM)", exact=True)
            expect(pi).to_have_attribute("aria-valuenow", "2.2")
            _select(page, "scenario (sets the inputs below)", "healthy")
            expect(pi).to_have_attribute("aria-valuenow", "1.1")  # the inputs follow the scenario
            pi.focus()
            pi.press("ArrowRight")
            pi.press("ArrowRight")
            expect(pi).to_have_attribute("aria-valuenow", "1.2")
            expect(page.locator("table tr", has_text="serum_phosphate_mM")).to_contain_text("1.2")
            seed.fill("4242")  # an exact seed, typed
            seed.press("Enter")
            expect(page.locator("table tr", has_text="seed")).to_contain_text("4242")
            page.get_by_role("button", name="Reset", exact=True).click()
            expect(page.get_by_text("Step: 0")).to_be_visible()
            expect(page.locator("table tr", has_text="scenario")).to_contain_text("healthy")
            table = _run_table(page)
            assert table["scenario"] == ("healthy", "")
            assert table["serum_phosphate_mM"] == ("1.2", "")  # the slider, over the scenario
            assert table["tnf_alpha_pg_per_mL"] == ("2", "")  # the scenario's own value
            assert table["seed"] == ("4242", "")

            # a later state for the screenshot: calciphylaxis, many steps per click
            _select(page, "scenario (sets the inputs below)", "calciphylaxis")
            page.get_by_role("button", name="Reset", exact=True).click()
            expect(page.locator("table tr", has_text="scenario")).to_contain_text("calciphylaxis")
            interval = page.get_by_role("slider", name="Render Interval (steps)", exact=True)
            interval.focus()
            interval.press("End")
            per_click = int(float(interval.get_attribute("aria-valuenow")))
            assert per_click > 1
            for k in range(1, 3):
                page.get_by_role("button", name="Step", exact=True).click()
                # many model steps per click: allow for the step's cost (speed is the benchmarks')
                expect(page.get_by_text(f"Step: {k * per_click}", exact=True)).to_be_visible(timeout=120_000)
            _select(page, "heatmap of", "phosphate (Pi), pore fluid [mM]")
            time.sleep(1.0)  # let the last figures arrive
            page.mouse.move(800, 400)
            page.mouse.wheel(0, -5000)  # back to the top of the page (the select scrolled it)
            page.evaluate("window.scrollTo(0, 0)")
            time.sleep(0.5)
            shot = tmp_path / "viz_screenshot.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            target = os.environ.get("VCSIM_VIZ_SCREENSHOT")
            if target:
                page.screenshot(path=str(REPO / target))
            errors = page.locator(".v-alert.error")
            assert errors.count() == 0, errors.all_inner_texts()
        finally:
            browser.close()

    assert outside == [], f"the page asked for files outside {url}: {outside}"
    assert failed == [], f"requests failed: {failed}"
    assert counter.connections == [], f"the server tried to reach the network: {counter.connections}"
    log = log_path.read_text()
    assert not re.search(r"Could not load URL|Traceback", log), log


def _page_timing():
    import importlib.util

    spec = importlib.util.spec_from_file_location("page_timing", REPO / "benchmarks" / "page_timing.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_page_timings_are_measured(server, capsys):
    """Step-to-redraw, Play and Reset, measured as ``make bench`` does (benchmarks/page_timing.py)
    and reported; no wall-clock threshold is asserted here (speed lives in the benchmarks)."""
    url, _, _ = server
    timing = _page_timing()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1250})
            page.set_default_timeout(UI_TIMEOUT_MS)
            page.goto(url + "/")
            expect(page.get_by_text("Step: 0")).to_be_visible()
            expect(page.locator("img.solara-image")).to_have_count(7)
            result = timing.measure_page(page, clicks=5, play_s=3.0)
            # the running model's time series, downloaded from the page
            page.get_by_role("button", name="Step", exact=True).click()
            expect(page.get_by_text("Step: 1", exact=True)).to_be_visible()
            with page.expect_download() as info:
                page.get_by_text("Download this run's time series (CSV)").click()
            download = info.value
            assert re.fullmatch(r"vcsim_ckd_seed\d+_step1\.csv", download.suggested_filename)
            lines = Path(download.path()).read_text().splitlines()
            assert lines[0].startswith("step,time_h,day,") and len(lines) == 3  # header, step 0, step 1
            # another scenario side by side: two more pictures, stepped with the page
            _select(page, "compare side by side with (steps with the page; doubles a step's cost)", "healthy")
            expect(page.locator("img.solara-image")).to_have_count(9)
            page.get_by_role("button", name="Step", exact=True).click()
            expect(page.get_by_text("Step: 2", exact=True)).to_be_visible()
        finally:
            browser.close()
    with capsys.disabled():
        print("\npage timings:", {k: round(v, 3) for k, v in result.items()})
    assert result["page_step_clicks"] == 5
    for key in ("page_step_s", "page_step_max_s", "page_reset_s"):
        assert 0.0 < result[key] < 60.0, result
    assert result["page_play_steps_per_s"] > 0.0, result
