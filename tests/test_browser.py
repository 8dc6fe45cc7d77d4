"""What a reader sees, in headless Chromium (Playwright), with every request to
a host other than the local server blocked and counted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import DOCS, chromium_path, default_language, languages, prefix
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

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


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    """A fresh page; fails the test if anything was requested from elsewhere."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []
    local = urlsplit(server).netloc

    def gate(route, request) -> None:
        if urlsplit(request.url).netloc == local or request.url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(request.url)
            route.abort()

    context.route("**/*", gate)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not blocked, f"requests to third-party hosts: {blocked}"
    assert not errors, f"JavaScript errors: {errors}"


def url(server: str, lang: str, path: str = "") -> str:
    return f"{server}{prefix(lang)}{path}"


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
def test_math_is_typeset(page: Page, server: str, lang: str, rel: str) -> None:
    page.goto(url(server, lang, _url_path(rel)))
    assert_math_typeset(page)


@pytest.mark.parametrize("lang", LANGS)
def test_math_is_typeset_after_instant_navigation(page: Page, server: str, lang: str) -> None:
    page.goto(url(server, lang))
    wait_for_math(page)
    before = page.evaluate("() => performance.getEntriesByType('navigation').length")
    page.locator("a[href$='optimization/']:visible").first.click()
    page.wait_for_url(re.compile(r"optimization/$"))
    # Still the same document: the page was swapped in by instant navigation.
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == before
    assert page.evaluate("() => !!window.document$")
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
    page: Page, server: str, lang: str, query: str, expected: str
) -> None:
    page.goto(url(server, lang))
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
def test_language_switch_keeps_the_page(page: Page, server: str, source: str, target: str) -> None:
    page.goto(url(server, source, "architectures/cnn/"))
    _switch(page, target)
    page.wait_for_url(url(server, target, "architectures/cnn/"))
    assert page.evaluate("() => document.documentElement.lang") == target


@pytest.mark.parametrize("source,target", [(a, b) for a in LANGS for b in LANGS if a != b])
def test_language_switch_after_instant_navigation(
    page: Page, server: str, source: str, target: str
) -> None:
    """Keeps the page and the question the reader was on."""
    page.goto(url(server, source))
    page.locator("a[href$='normalization/']:visible").first.click()
    page.wait_for_url(re.compile(r"normalization/$"))
    third = page.locator("article h2[id]").nth(2)
    third.locator("a.headerlink").click()
    _switch(page, target)
    page.wait_for_url(re.compile(re.escape(url(server, target, "normalization/")) + "#.+"))
    landed = page.evaluate("() => decodeURIComponent(location.hash.slice(1))")
    ids = page.locator("article h2[id]").evaluate_all("els => els.map(e => e.id)")
    assert ids.index(landed) == 2, f"landed on #{landed}, expected the third question"


def test_quiz_mode_hides_answers_across_pages(page: Page, server: str) -> None:
    page.goto(url(server, default_language(), "activations/"))
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


def test_notebook_figures_load(page: Page, server: str) -> None:
    for lang in LANGS:
        page.goto(url(server, lang, "notebooks/activations/"))
        figures = page.locator("img.nb-figure")
        assert figures.count() > 0
        for img in figures.all():
            img.scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete", arg=img.element_handle())
            assert img.evaluate("img => img.naturalWidth") > 0, img.get_attribute("src")
            assert len(img.get_attribute("alt") or "") > 10


def test_figures_are_inverted_for_the_dark_scheme(browser: Browser, server: str) -> None:
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(url(server, default_language(), "notebooks/activations/"))
    scheme = page.evaluate("() => document.body.dataset.mdColorScheme")
    figure_filter = page.locator("img.nb-figure").first.evaluate("e => getComputedStyle(e).filter")
    context.close()
    assert scheme == "slate"
    assert "invert" in figure_filter


def test_404_page_offers_both_languages(page: Page, server: str) -> None:
    response = page.goto(url(server, default_language(), "404.html"))
    assert response is not None and response.ok
    hreflangs = page.locator("article a.md-button").evaluate_all("els => els.map(a => a.hreflang)")
    assert hreflangs == LANGS


def test_site_works_without_any_network(page: Page, server: str, site: Path) -> None:
    """The fixture blocks and counts foreign requests; load the heaviest pages."""
    for lang in LANGS:
        for rel in ("", "notebooks/optimizers/", "architectures/sequence/"):
            page.goto(url(server, lang, rel))
            page.wait_for_load_state("networkidle")
    assert (site / "assets" / "javascripts" / "mathjax" / "tex-chtml-full.js").is_file()
