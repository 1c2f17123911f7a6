"""Fixtures for the tests that drive Debian's chromium through Playwright, shared by every
browser test module (loaded by tests/conftest.py as a plugin).

One real uvicorn (on a free loopback port, serving the repository's dataset) per session and one
chromium per module are started lazily: a run that selects no browser test starts neither. Without
chromium the tests that ask for them are skipped, except under CI (`CI` set), where that is a
failure. Screenshots the README shows are written to docs/screenshots/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from publisher.config import PROJECT_ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
STARTUP_LIMIT = 120.0  # seconds to wait for the server before giving up (not an assertion)
PHONE = {"width": 390, "height": 844}  # the viewport the phone layouts are checked at


def require_chromium() -> None:
    """Skip (or fail under CI) when Debian's chromium is not installed."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's `chromium` package", pytrace=False)
    pytest.skip(f"{CHROMIUM} is missing (apt install chromium); CI would fail here")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn serving the repository's data; yields its origin."""
    require_chromium()
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUBLISHER_")}
    env |= {"PUBLISHER_HOST": "127.0.0.1", "PUBLISHER_PORT": str(port)}
    env["PUBLISHER_DUMP_DIR"] = str(tmp_path_factory.mktemp("dumps"))
    log = tmp_path_factory.mktemp("server") / "uvicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "publisher.web.app:create_app",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait_until_up(origin, process, log)
            yield origin
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(origin: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited: {log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(origin + "/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer /health: {log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One chromium per test module: Playwright's sync API runs an event loop on this thread
    while it is open, which a later module's in-process client (anyio) would trip over."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Tab:
    """A page that records console errors and uncaught exceptions."""

    def __init__(self, browser: Browser, origin: str, width: int = 1280, height: int = 900):
        self.origin = origin
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} at {message.location}")

    def open(self, path: str, status: int = 200) -> Page:
        response = self.page.goto(self.origin + path)
        assert response is not None and response.status == status, path
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser: Browser, server: str) -> Iterator[Tab]:
    """A desktop-sized tab; the test fails if the page logged an error."""
    opened = Tab(browser, server)
    yield opened
    opened.close()
    assert not opened.errors, opened.errors


@pytest.fixture
def phone_tab(browser: Browser, server: str) -> Iterator[Tab]:
    """A 390-px-wide tab (a phone); the test fails if the page logged an error."""
    opened = Tab(browser, server, **PHONE)
    yield opened
    opened.close()
    assert not opened.errors, opened.errors


def screenshot(page: Page, name: str) -> None:
    """Save a screenshot the README may show (docs/screenshots/NAME.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
