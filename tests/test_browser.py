"""What a reader sees, in headless Chromium (Playwright), with every request to
a host other than the site's own origin blocked and counted.

The site is served at its published origin (https://<user>.github.io/<repo>/,
answered from the build through Playwright's routing), because Material's
instant navigation only engages for URLs that match its sitemap: on a
loopback port every click would be a full reload, and the reader's path
(swapped pages) would go untested."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import (
    DOCS,
    MIME,
    chromium_path,
    default_language,
    languages,
    prefix,
    resolve,
    site_url,
)
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Request,
    Route,
    expect,
    sync_playwright,
)

LANGS = list(languages())
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


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


ORIGIN = site_url()
PHONE = {"width": 390, "height": 844}


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
    with reader(
        browser, site, viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True
    ) as tab:
        yield tab


def url(lang: str, path: str = "") -> str:
    return f"{ORIGIN}{prefix(lang)}{path}"


def mark_document(page: Page) -> None:
    """Tag the loaded document, to tell instant navigation from a reload."""
    page.evaluate("() => { window.__dlkbDocument = true; }")


def same_document(page: Page) -> bool:
    """True if the tab still holds the marked document: the last click was
    handled by instant navigation (a swap), not a full page load."""
    return page.evaluate("() => window.__dlkbDocument === true")


def wait_for_math(page: Page) -> None:
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("() => MathJax.startup.promise")


def assert_math_typeset(page: Page) -> None:
    wait_for_math(page)
    # MathJax re-typesets after instant navigation asynchronously: wait for it.
    page.wait_for_function(
        "() => [...document.querySelectorAll('article .arithmatex')]"
        ".every(el => el.querySelector('mjx-container'))",
        timeout=15_000,
    )
    total = page.locator("article .arithmatex").count()
    assert total > 0, f"{page.url}: no math on the page"
    assert page.locator("mjx-merror").count() == 0, f"{page.url}: MathJax errors"
    raw = page.evaluate(
        "() => [...document.querySelectorAll('article .arithmatex')]"
        ".filter(el => /\\\\[()\\[\\]]/.test(el.textContent.replace(/\\s/g, '')) &&"
        " !el.querySelector('mjx-container')).length"
    )
    assert raw == 0, f"{page.url}: {raw} formulas left as raw TeX"
    # Typeset is not drawn: every glyph needs its CSS rule and its web font.
    blank = page.evaluate(
        "() => [...document.querySelectorAll('article mjx-c')]"
        ".filter(c => getComputedStyle(c, '::before').content === 'none').length"
    )
    assert blank == 0, f"{page.url}: {blank} math glyphs have nothing to draw"
    page.wait_for_function("() => document.fonts.ready.then(() => true)")
    fonts = page.evaluate(
        "() => [...document.fonts].filter(f => f.family.startsWith('MJXTEX') "
        "&& f.status === 'loaded').length"
    )
    assert fonts > 0, f"{page.url}: no MathJax font loaded"


def _pages_using(command: str) -> list[str]:
    """Pages (relative paths in the default language) whose source uses `command`."""
    found = sorted(
        p.relative_to(DOCS / default_language()).as_posix()
        for p in (DOCS / default_language()).rglob("*.md")
        if command in p.read_text(encoding="utf-8")
    )
    assert found, f"no page uses {command}; the math test needs one"
    return found


def _url_path(rel: str) -> str:
    rel = rel.removesuffix(".md")
    return "" if rel == "index" else re.sub(r"(^|/)index$", r"\1", rel) + "/"


MATH_PAGES = sorted(
    {
        _pages_using(r"\begin{align")[0],
        _pages_using(r"\boldsymbol")[0],
        _pages_using(r"\operatorname")[0],
        "activations.md",
        "notebooks/optimizers.md",
    }
)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("rel", MATH_PAGES)
def test_math_is_typeset(page: Page, lang: str, rel: str) -> None:
    page.goto(url(lang, _url_path(rel)))
    assert_math_typeset(page)


@pytest.mark.parametrize("lang", LANGS)
def test_math_is_typeset_after_instant_navigation(page: Page, lang: str) -> None:
    page.goto(url(lang))
    wait_for_math(page)
    mark_document(page)
    page.locator("a[href$='optimization/']:visible").first.click()
    page.wait_for_url(re.compile(r"optimization/$"))
    assert same_document(page), "the click reloaded the page: instant navigation is off"
    assert_math_typeset(page)


SEARCHES = [
    ("zh", "梯度消失", "foundations/"),
    ("zh", "批归一化", "normalization/"),
    ("zh", "过拟合", "regularization/"),
    ("zh", "激活函数", "activations/"),
    ("zh", "Adam", "optimization/"),
    ("zh", "ReLU", "activations/"),
    ("zh", "BatchNorm", "normalization/"),
    ("zh", "Dropout", "regularization/"),
    ("en", "attention", "architectures/sequence/"),
    ("en", "overfitting", "regularization/"),
    ("en", "optimizer", "optimization/"),
]


@pytest.mark.parametrize("lang,query,expected", SEARCHES)
def test_search_finds_the_page_in_its_language(
    page: Page, lang: str, query: str, expected: str
) -> None:
    page.goto(url(lang))
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").fill(query)
    results = page.locator(".md-search-result__item > a")
    expect(results.first).to_be_attached(timeout=15_000)
    hrefs = [urlsplit(h).path for h in results.evaluate_all("els => els.map(a => a.href)")]
    want = "/" + prefix(lang) + expected
    assert any(h == want for h in hrefs), f"{query!r}: {want} not in {hrefs}"
    for href in hrefs:
        under = [o for o in LANGS if prefix(o) and href.startswith("/" + prefix(o))]
        assert under == ([lang] if prefix(lang) else []), f"{query!r}: {href} is not {lang}"


def _switch(page: Page, lang: str) -> None:
    page.locator(".md-header__option .md-select").first.hover()
    page.locator(f".md-select__link[hreflang='{lang}']").click()


@pytest.mark.parametrize("source,target", [(a, b) for a in LANGS for b in LANGS if a != b])
def test_language_switch_keeps_the_page(page: Page, source: str, target: str) -> None:
    page.goto(url(source, "architectures/cnn/"))
    _switch(page, target)
    page.wait_for_url(url(target, "architectures/cnn/"))
    assert page.evaluate("() => document.documentElement.lang") == target


@pytest.mark.parametrize("source,target", [(a, b) for a in LANGS for b in LANGS if a != b])
def test_language_switch_after_instant_navigation(page: Page, source: str, target: str) -> None:
    """Keeps the page and the question the reader was on."""
    page.goto(url(source))
    page.locator("a[href$='normalization/']:visible").first.click()
    page.wait_for_url(re.compile(r"normalization/$"))
    third = page.locator("article h2[id]").nth(2)
    third.locator("a.headerlink").click()
    _switch(page, target)
    page.wait_for_url(re.compile(re.escape(url(target, "normalization/")) + "#.+"))
    landed = page.evaluate("() => decodeURIComponent(location.hash.slice(1))")
    ids = page.locator("article h2[id]").evaluate_all("els => els.map(e => e.id)")
    assert ids.index(landed) == 2, f"landed on #{landed}, expected the third question"


def test_quiz_mode_hides_answers_across_pages(page: Page) -> None:
    page.goto(url(default_language(), "activations/"))
    answers = page.locator("details.answer")
    assert answers.count() > 3
    assert all(answers.evaluate_all("els => els.map(e => e.open)"))
    page.locator(".quiz-toggle").click()
    assert not any(answers.evaluate_all("els => els.map(e => e.open)"))
    answers.first.locator("summary").click()
    assert answers.first.evaluate("e => e.open")
    page.locator("a[href$='optimization/']:visible").first.click()
    page.wait_for_url(re.compile(r"optimization/$"))
    expect(page.locator(".quiz-toggle")).to_have_attribute("aria-pressed", "true")
    assert not any(page.locator("details.answer").evaluate_all("els => els.map(e => e.open)"))


def test_notebook_figures_load(page: Page) -> None:
    for lang in LANGS:
        page.goto(url(lang, "notebooks/activations/"))
        figures = page.locator("img.nb-figure")
        assert figures.count() > 0
        for img in figures.all():
            img.scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete", arg=img.element_handle())
            assert img.evaluate("img => img.naturalWidth") > 0, img.get_attribute("src")
            assert len(img.get_attribute("alt") or "") > 10


def test_figures_are_inverted_for_the_dark_scheme(browser: Browser, site: Path) -> None:
    with reader(browser, site, color_scheme="dark") as page:
        page.goto(url(default_language(), "notebooks/activations/"))
        scheme = page.evaluate("() => document.body.dataset.mdColorScheme")
        figure_filter = page.locator("img.nb-figure").first.evaluate(
            "e => getComputedStyle(e).filter"
        )
    assert scheme == "slate"
    assert "invert" in figure_filter


def test_404_page_offers_both_languages(page: Page) -> None:
    response = page.goto(url(default_language(), "404.html"))
    assert response is not None and response.ok
    hreflangs = page.locator("article a.md-button").evaluate_all("els => els.map(a => a.hreflang)")
    assert hreflangs == LANGS


def test_site_works_without_any_network(page: Page, site: Path) -> None:
    """The fixture blocks and counts foreign requests; load the heaviest pages."""
    for lang in LANGS:
        for rel in ("", "notebooks/optimizers/", "architectures/sequence/"):
            page.goto(url(lang, rel))
            page.wait_for_load_state("networkidle")
    assert (site / "assets" / "javascripts" / "mathjax" / "tex-chtml-full.js").is_file()
