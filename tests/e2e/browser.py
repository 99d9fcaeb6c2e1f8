"""What browser tests share: Debian's Chromium driven by Playwright, and the app on a live local server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "src" / "entrypoints" / "static" / "vendor"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("critical", "serious")
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 860}


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium for the module, or a skip that says how to get one."""
    if not CHROMIUM.is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium); CI installs it")
    if not (VENDOR / "bootstrap" / "bootstrap.min.css").is_file():
        pytest.fail("front-end assets are missing: run `npm ci && npm run vendor`")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 on a free port, in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


class ConsoleWatch:
    """Collects what a page reports as an error: console errors and uncaught exceptions."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")


def fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"))


def screenshot(page: Any, name: str) -> None:
    """A full-page picture named after the page, its language unless English, and the screen's width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    language = page.evaluate("document.documentElement.lang")
    suffix = "" if language in ("", "en") else f"-{language}"
    page.evaluate("window.scrollTo(0, 0)")  # a sticky navbar belongs at the top of a full-page picture
    page.screenshot(path=str(SCREENSHOTS / f"{name}{suffix}-{width}.png"), full_page=True)


def accessibility_violations(page: Any) -> list[dict[str, Any]]:
    """What axe-core finds against WCAG 2 A and AA on the page as it stands.

    axe is evaluated rather than added as a <script>: the panel's Content-Security-Policy refuses
    inline scripts, and the tests keep that policy in force rather than bypass it.
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    found: list[dict[str, Any]] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(result => result.violations)",
        WCAG_A_AA,
    )
    return found


@cache
def _axe_source() -> str:
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `npm ci`")
    return AXE.read_text(encoding="utf-8")


def assert_accessible(page: Any, name: str) -> None:
    """No critical or serious axe-core violation on the page; the failure names each rule and node."""
    blocking = [v for v in accessibility_violations(page) if v["impact"] in BLOCKING_IMPACTS]
    where = f"{name} at {page.viewport_size['width']} px in {page.evaluate('document.documentElement.lang')}"
    found = "\n".join(f"  {v['id']} ({v['impact']}): {_targets(v)}" for v in blocking)
    assert not blocking, f"{where}:\n{found}"


def _targets(violation: dict[str, Any]) -> str:
    return ", ".join(" ".join(map(str, node["target"])) for node in violation["nodes"])
