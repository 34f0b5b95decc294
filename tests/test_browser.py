"""The built book in a real browser, with the network cut off.

``_build/html`` is served on localhost and opened in headless Chromium. Every request
to another host is recorded and aborted, so a page that needs the internet fails here.
Each page must: log no console error, render its math with the book's own MathJax,
load every image, and link only to sidebar pages that exist. Full-page screenshots go
to ``_build/screenshots/``. An axe-core audit (WCAG 2 A and AA rules, axe-core bundled
by the PyPI package ``axe-playwright-python``) must find no violation on a sample of
pages, at desktop width and at a phone's 390 px.

The built book is read from ``_build/html``; the environment variable
``NNSCRATCH_BOOK_HTML`` points the tests at another build's ``html`` folder.

Needs ``/usr/bin/chromium`` (Debian package ``chromium``); without it the tests fail
with a message saying so (``make test`` checks for it first).
"""

from __future__ import annotations

import functools
import os
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.toc import chapter_stems

pytestmark = [pytest.mark.book, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("NNSCRATCH_BOOK_HTML", ROOT / "_build" / "html")).resolve()
SCREENSHOTS = HTML.parent / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

STEMS = chapter_stems()
# page (relative to _build/html) -> screenshot name
PAGES = {
    "intro.html": "intro",
    "notation.html": "notation",
    **{f"chapters/{stem}.html": f"chapter_{stem}" for stem in STEMS},
    "exercises/01_initialization.html": "exercise_01_initialization",
    "instructor_guide.html": "instructor_guide",
    "search.html?q=gradient": "search",
}

MATH_TIMEOUT_MS = 30_000

# The accessibility audit: axe-core's WCAG 2.0/2.1 level A and AA rules, on one page of
# each kind, at desktop width and at a phone's width (the theme's narrow layout).
AXE_PAGES = {
    "intro.html": "intro",
    "notation.html": "notation",
    f"chapters/{STEMS[0]}.html": f"chapter_{STEMS[0]}",
    f"chapters/{STEMS[4]}.html": f"chapter_{STEMS[4]}",
    f"exercises/{STEMS[0]}.html": f"exercise_{STEMS[0]}",
}
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "390px": {"width": 390, "height": 844}}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def shown(path: Path) -> str:
    """``path`` relative to the repository when it lies inside it (for messages)."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _require_chromium() -> None:
    reason = None
    if not CHROMIUM.is_file():
        reason = f"{CHROMIUM} not found (install the Debian package `chromium`)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the Python package `playwright` is not installed"
    if reason is not None:  # never a silent skip: `make test` must run every test
        pytest.fail(f"the browser tests cannot run: {reason}")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """Base URL of ``_build/html`` served on an ephemeral localhost port."""
    if not (HTML / "intro.html").is_file():
        pytest.fail(f"{shown(HTML)} is missing: run `make book` first")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


class PageVisit:
    """One page opened with the network cut off; what went wrong is recorded."""

    def __init__(self, browser, url: str, viewport: dict | None = None) -> None:
        self.context = browser.new_context(
            viewport=viewport or VIEWPORTS["desktop"], service_workers="block"
        )
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.external_requests: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda err: self.console_errors.append(f"pageerror: {err}"))
        self.page.on("websocket", lambda ws: self._record_if_external(ws.url))
        self.context.route("**/*", self._route)
        self.page.goto(url, wait_until="load")

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def _record_if_external(self, url: str) -> bool:
        scheme, host = urlsplit(url).scheme, urlsplit(url).hostname
        if scheme in ("file", "data", "blob", "about") or host in LOCAL_HOSTS:
            return False
        self.external_requests.append(url)
        return True

    def _route(self, route) -> None:
        if self._record_if_external(route.request.url):
            route.abort()
        else:
            route.continue_()

    def close(self) -> None:
        self.context.close()


@pytest.fixture(params=list(PAGES), ids=list(PAGES.values()))
def visit(request, browser, server) -> Iterator[PageVisit]:
    page_visit = PageVisit(browser, server + request.param)
    if request.param.startswith("search.html"):
        page_visit.page.wait_for_selector("#search-results li", timeout=MATH_TIMEOUT_MS)
    page_visit.relative = request.param
    try:
        yield page_visit
    finally:
        page_visit.close()


def render_math(page) -> dict[str, int]:
    """Wait for MathJax to typeset; count math source elements and rendered formulas."""
    has_math = page.evaluate("() => document.querySelectorAll('.math').length")
    if has_math:
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
            timeout=MATH_TIMEOUT_MS,
        )
        page.evaluate("() => MathJax.startup.promise")
    return page.evaluate(
        """() => ({
            sources: document.querySelectorAll('.math').length,
            rendered: document.querySelectorAll('mjx-container').length,
            errors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
        })"""
    )


def broken_images(page) -> list[str]:
    """Images (lazy ones forced to load) that failed or have no pixels."""
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    return page.evaluate(
        """async () => {
            const imgs = Array.from(document.images);
            imgs.forEach(img => { img.loading = 'eager'; });
            await Promise.all(imgs.map(img => img.complete ? null :
                new Promise(done => { img.onload = img.onerror = done; })));
            return imgs.filter(img => !(img.complete && img.naturalWidth > 0))
                       .map(img => img.currentSrc || img.src);
        }"""
    )


def sidebar_links(page, base: str) -> set[str]:
    hrefs = page.eval_on_selector_all("nav.bd-docs-nav a", "links => links.map(a => a.href)")
    return {urldefrag(href).url for href in hrefs if href.startswith(base)}


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_page_works_offline(visit, server):
    page = visit.page
    math = render_math(page)
    images = broken_images(page)
    links = sidebar_links(page, server)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / f"{PAGES[visit.relative]}.png"), full_page=True)

    assert visit.external_requests == [], "the page tried to reach the internet"
    assert visit.console_errors == [], "the browser console reported errors"
    if visit.relative.startswith("chapters/"):
        assert math["rendered"] > 0, "a chapter should show rendered math"
    assert math["rendered"] >= math["sources"], f"math left unrendered: {math}"
    assert math["errors"] == 0, f"MathJax could not typeset some formulas: {math}"
    assert images == [], f"images that did not load: {images}"
    assert len(links) >= len(PAGES), f"sidebar has too few links: {sorted(links)}"
    dead = {link: code for link in sorted(links) if (code := status(link)) != 200}
    assert dead == {}, f"sidebar links that do not resolve: {dead}"


def test_book_opens_from_the_file_system(browser):
    """Offline reading opens ``_build/html/index.html`` directly: math must still render."""
    if not (HTML / "intro.html").is_file():
        pytest.fail(f"{shown(HTML)} is missing: run `make book` first")
    page_visit = PageVisit(browser, (HTML / "chapters" / f"{STEMS[0]}.html").as_uri())
    try:
        math = render_math(page_visit.page)
        assert page_visit.external_requests == []
        assert page_visit.console_errors == []
        assert math["rendered"] > 0 and math["errors"] == 0, math
    finally:
        page_visit.close()


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2 A/AA violations on the page, one readable line per violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS).response
    lines = []
    for violation in results["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        lines.append(f"{violation['id']} ({violation['impact']}, {len(targets)} elements): "
                     f"{violation['help']}; e.g. {targets[:3]}")
    return lines


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("relative", list(AXE_PAGES), ids=list(AXE_PAGES.values()))
def test_page_passes_the_accessibility_audit(browser, server, relative, viewport):
    """axe-core (WCAG 2 A and AA) finds no violation, with the math already typeset."""
    page_visit = PageVisit(browser, server + relative, VIEWPORTS[viewport])
    try:
        render_math(page_visit.page)
        violations = axe_violations(page_visit.page)
        assert page_visit.external_requests == [], "the page tried to reach the internet"
        assert violations == [], f"{relative} at {viewport}: accessibility violations"
    finally:
        page_visit.close()
