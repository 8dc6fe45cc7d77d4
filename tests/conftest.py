"""Shared fixtures: one strict build of the whole site per session, and how a
static host (GitHub Pages) answers requests for it."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Request,
    Route,
    sync_playwright,
)

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _loader() -> type[yaml.SafeLoader]:
    """A YAML loader that reads mkdocs.yml without importing its !!python tags."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)
    return Loader


@functools.cache
def languages() -> dict[str, str]:
    """Language code -> config file, default language first (extra.languages)."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_loader())
    return config["extra"]["languages"]


def default_language() -> str:
    return next(iter(languages()))


def prefix(lang: str) -> str:
    """Where a language lives below the site root: "" or "en/"."""
    return "" if lang == default_language() else f"{lang}/"


@dataclass(frozen=True)
class Build:
    site: Path
    log: str


def build_env() -> dict[str, str]:
    """The environment `make build` gives mkdocs: a fixed build date (the Makefile
    uses the commit's), so that two builds of one commit are identical."""
    return {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "0"),
    }


def build_site(site: Path) -> Build:
    """`mkdocs build --strict` of every language into `site`."""
    env = build_env()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"strict build failed:\n{log[-6000:]}"
    return Build(site, log)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return build_site(tmp_path_factory.mktemp("build") / "site")


@pytest.fixture(scope="session")
def site(request: pytest.FixtureRequest) -> Path:
    """The built site. DLKB_SITE=<dir> reuses a finished build, to iterate on
    the browser tests alone (`make test` never sets it: it always builds)."""
    if os.environ.get("DLKB_SITE"):
        return Path(os.environ["DLKB_SITE"])
    built: Build = request.getfixturevalue("built")
    return built.site


@functools.cache
def site_url() -> str:
    """Where the site is published (mkdocs.yml `site_url`): a GitHub Pages origin."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_loader())
    return config["site_url"]


MIME = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".xml": "application/xml",
    ".ipynb": "application/x-ipynb+json",
    ".txt": "text/plain; charset=utf-8",
}


def resolve(site: Path, path: str) -> tuple[int, Path]:
    """What GitHub Pages answers for a URL path below the site: the file, the
    directory's index.html, or the root 404.html with status 404."""
    target = site / unquote(path).lstrip("/")
    if target.is_dir():
        target = target / "index.html"
    if target.is_file():
        return 200, target
    return 404, site / "404.html"


def chromium_path() -> str | None:
    """The system's Chromium if present, else None (Playwright's own browser)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


# --- a reader's browser (Playwright + headless Chromium), shared by the browser tests ---

# Flags for a sandboxed root container with no network beyond loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


def launch(playwright: Playwright, *args: str) -> Browser:
    """The Debian Chromium, headless, with CHROMIUM_ARGS and `args`."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=[*CHROMIUM_ARGS, *args])


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = launch(playwright)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def screen_reader(playwright: Playwright) -> Iterator[Browser]:
    """Chromium as it runs for a screen reader's user: with its accessibility
    tree on for the whole page, as when assistive technology is active
    (--force-renderer-accessibility). Without it, a snapshot of the tree
    leaves out what the browser skipped laying out (off-screen blocks,
    extra.css), which a screen reader still gets."""
    browser = launch(playwright, "--force-renderer-accessibility")
    yield browser
    browser.close()


# Every block drawn, as without the skipping of blocks off screen (extra.css;
# a formula's box is the same drawn or not: it is sized by MathJax). Resolves
# after two frames (the browser lays the page out, then reports new sizes),
# or 5 s: a headless Chromium that stops producing frames (see the
# skipped-yet-placed test) then fails a check instead of hanging the suite.
DRAW_BLOCKS = """() => {
    const style = document.createElement('style');
    style.textContent = '.md-typeset :not(mjx-math) { content-visibility: visible !important }';
    document.head.append(style);
    const frame = () => new Promise(done => requestAnimationFrame(done));
    return Promise.race([frame().then(frame), new Promise(done => setTimeout(done, 5000))]);
}"""

ORIGIN = site_url()
PHONE = {"width": 390, "height": 844}
# A phone's tab: its screen, touch, and the mobile viewport.
ON_A_PHONE = {"viewport": PHONE, "is_mobile": True, "has_touch": True}


def open_context(browser: Browser, site: Path, **options) -> tuple[BrowserContext, list[str]]:
    """A browser context in which the site answers at its published origin
    (GitHub Pages: https, no port, so Material's instant navigation is active,
    as readers get it), and every request to any other host is blocked and
    recorded in the returned list."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
    blocked: list[str] = []
    base = urlsplit(ORIGIN)

    def gate(route: Route, request: Request) -> None:
        parts = urlsplit(request.url)
        if request.url.startswith("data:"):
            route.continue_()
        elif parts.netloc == base.netloc and parts.path.startswith(base.path):
            status, path = resolve(site, parts.path[len(base.path) :])
            route.fulfill(status=status, path=path, content_type=MIME.get(path.suffix))
        else:
            blocked.append(request.url)
            route.abort()

    context.route("**/*", gate)
    return context, blocked


@contextmanager
def reader(browser: Browser, site: Path, **options) -> Iterator[Page]:
    """A reader's tab; fails if anything was requested from another host or a
    script threw."""
    context, blocked = open_context(browser, site, **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not blocked, f"requests to third-party hosts: {blocked}"
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def page(browser: Browser, site: Path) -> Iterator[Page]:
    with reader(browser, site) as tab:
        yield tab


@pytest.fixture
def phone(browser: Browser, site: Path) -> Iterator[Page]:
    """A phone: 390 px wide, touch, device scale 3."""
    with reader(browser, site, **ON_A_PHONE, device_scale_factor=3) as tab:
        yield tab


def url(lang: str, path: str = "") -> str:
    return f"{ORIGIN}{prefix(lang)}{path}"


def mark_document(page: Page) -> None:
    """Tag the loaded document, to tell instant navigation from a reload.
    Waits for the network to settle first: Material handles clicks in place
    only once it has fetched its sitemap, and a click before that is an
    ordinary page load."""
    page.wait_for_load_state("networkidle")
    page.evaluate("() => { window.__dlkbDocument = true; }")


def same_document(page: Page) -> bool:
    """True if the tab still holds the marked document: the last click was
    handled by instant navigation (a swap), not a full page load."""
    return page.evaluate("() => window.__dlkbDocument === true")


def swapped(page: Page, move: Callable[[], object]) -> None:
    """Do `move` (a click, back, forward) and wait until instant navigation has
    swapped in the page of the new URL; fail if the document was reloaded."""
    page.evaluate("() => { document.querySelector('article').dataset.left = 'yes'; }")
    before = page.url
    move()
    page.wait_for_function(
        """before => location.href !== before
            && document.querySelector('article:not([data-left])')
            && document.querySelector('link[rel=canonical]').href
                === location.origin + location.pathname""",
        arg=before,
    )
    assert same_document(page), f"{page.url}: the document was reloaded (no instant navigation)"


def slow_pages(page: Page, seconds: float) -> None:
    """From now on each page of the site takes `seconds` to reach the tab, as
    on a slow phone, where fetching a page and parsing it for instant
    navigation takes that long (assets are not slowed)."""

    def late(route: Route) -> None:
        time.sleep(seconds)
        route.fallback()

    page.route(lambda address: urlsplit(address).path.endswith("/"), late)


def visit(page: Page, target: str) -> None:
    """Follow an in-site link to `target`, as a reader's click does."""
    swapped(
        page,
        lambda: page.evaluate(
            """href => {
                const a = document.createElement('a');
                a.href = href;
                document.body.append(a);
                a.click();
                a.remove();
            }""",
            target,
        ),
    )
    assert page.url == target, f"went to {page.url}, not {target}"
