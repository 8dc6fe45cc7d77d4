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
from urllib.parse import quote

import pytest
from conftest import (
    DRAW_BLOCKS,
    ON_A_PHONE,
    ORIGIN,
    PHONE,
    default_language,
    languages,
    mark_document,
    prefix,
    reader,
    slow_pages,
    swapped,
    url,
    visit,
)
from playwright.sync_api import Browser, Page, expect

LANGS = list(languages())


def _pages(site: Path, lang: str) -> list[str]:
    """URL paths (below the language's root) of every page of the built site."""
    root = site / prefix(lang).rstrip("/") if prefix(lang) else site
    others = [site / prefix(o).rstrip("/") for o in LANGS if prefix(o) and o != lang]
    found = []
    for html in sorted(root.rglob("index.html")):
        if html.is_relative_to(root / "assets") or any(html.is_relative_to(o) for o in others):
            continue
        rel = html.parent.relative_to(root).as_posix()
        found.append("" if rel == "." else rel + "/")
    assert len(found) > 10, f"{lang}: only {found}"
    return found


def _math_pages(site: Path, lang: str) -> list[str]:
    root = site / prefix(lang)
    pages = [
        p for p in _pages(site, lang) if "<mjx-container" in (root / p / "index.html").read_text()
    ]
    assert len(pages) > 10, f"{lang}: math on only {pages}"
    return pages


# Everything wrong a formula can show, counted in the page the reader has now.
MATH_PROBLEMS = """() => {
    const article = document.querySelector('article');
    const prose = [];
    const walk = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
        acceptNode: n => n.parentElement.closest('code, pre, mjx-container, script, style')
            ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
    });
    while (walk.nextNode()) prose.push(walk.currentNode.data);
    const raw = prose.join('').match(/\\\\[()\\[\\]]|\\$\\$|\\$(?=[A-Za-z\\\\])/g) || [];
    const glyphs = [...article.querySelectorAll('mjx-c')];
    return {
        formulas: article.querySelectorAll('mjx-container').length,
        unrendered: [...article.querySelectorAll('.arithmatex')]
            .filter(el => !el.querySelector('mjx-container')).length,
        errors: article.querySelectorAll('mjx-merror, [data-mjx-error], .math-error').length,
        raw: raw.slice(0, 5),
        glyphs: glyphs.length,
        blank: glyphs.filter(c => getComputedStyle(c, '::before').content === 'none').length,
    };
}"""


def math_problems(page: Page) -> list[str]:
    """What is wrong with the formulas of the page the tab shows now."""
    found = page.evaluate(MATH_PROBLEMS)
    checks = [
        (found["formulas"] > 0, "no math on the page"),
        (found["unrendered"] == 0, f"{found['unrendered']} formulas not typeset"),
        (found["errors"] == 0, f"{found['errors']} MathJax errors"),
        (not found["raw"], f"raw TeX delimiters in the text: {found['raw']}"),
        (found["glyphs"] > 0, "formulas without glyphs"),
        (found["blank"] == 0, f"{found['blank']} math glyphs have nothing to draw"),
    ]
    return [f"{page.url}: {message}" for ok, message in checks if not ok]


def assert_math_fonts_from_site(page: Page) -> None:
    page.evaluate("() => document.fonts.ready.then(() => true)")
    fonts = page.evaluate(
        """() => ({
            loaded: [...document.fonts].filter(f => f.family.startsWith('MJXTEX')
                && f.status === 'loaded').map(f => f.family),
            failed: [...document.fonts].filter(f => f.status === 'error').map(f => f.family),
            urls: performance.getEntriesByType('resource').map(e => e.name)
                .filter(u => /\\.woff2?$/.test(u)),
        })"""
    )
    assert fonts["loaded"], "no MathJax font loaded"
    assert not fonts["failed"], f"fonts failed to load: {fonts['failed']}"
    assert fonts["urls"] and all(u.startswith(ORIGIN) for u in fonts["urls"]), fonts["urls"]


WIDER_THAN_SCREEN = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('article *')]
        .filter(el => el.getBoundingClientRect().right > width + 1)
        .filter(el => !el.parentElement.closest('pre, .md-typeset__table, .arithmatex'))
        .slice(0, 3)
        .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
    return {scroll: document.documentElement.scrollWidth, width, wide};
}"""


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_after_instant_navigation_on_a_phone(phone: Page, site: Path, lang: str) -> None:
    """A reader on a phone (390 px) taps through every page, one in-site click
    after another (the way GitHub Pages readers get them: swapped in place),
    then goes back and forward. On every page with math, every formula is
    typeset and every glyph drawn, with fonts from the site; no page is wider
    than the screen (long formulas, tables and code scroll in their own boxes)."""
    with_math = set(_math_pages(site, lang))
    problems: list[str] = []
    too_wide = {}

    def check(rel: str) -> None:
        if rel in with_math:
            problems.extend(math_problems(phone))
        phone.evaluate("() => document.fonts.ready.then(() => true)")
        found = phone.evaluate(WIDER_THAN_SCREEN)
        if found["scroll"] > PHONE["width"]:
            too_wide[phone.url] = found

    phone.goto(url(lang))
    mark_document(phone)
    check("")
    for rel in filter(None, _pages(site, lang)):
        visit(phone, url(lang, rel))
        check(rel)
    for step in (phone.go_back, phone.go_back, phone.go_back, phone.go_forward, phone.go_forward):
        swapped(phone, step)
        check(phone.url.removeprefix(url(lang)))
    assert not problems, "\n".join(problems)
    assert not too_wide, f"pages wider than {PHONE['width']} px: {too_wide}"
    assert_math_fonts_from_site(phone)


# Search: tests/test_search.py.


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
    mark_document(page)
    swapped(page, page.locator("a[href$='normalization/']:visible").first.click)
    third = page.locator("article h2[id]").nth(2)
    third.locator("a.headerlink").click()
    _switch(page, target)
    page.wait_for_url(re.compile(re.escape(url(target, "normalization/")) + "#.+"))
    landed = page.evaluate("() => decodeURIComponent(location.hash.slice(1))")
    ids = page.locator("article h2[id]").evaluate_all("els => els.map(e => e.id)")
    assert ids.index(landed) == 2, f"landed on #{landed}, expected the third question"


# Waits until `look()` (in the page) has given the same top for 20 frames in
# a row (the page has settled), then returns what it last gave.
SETTLED = """async look => {
    const frame = () => new Promise(done => requestAnimationFrame(done));
    let [seen, still] = [look(), 0];
    for (let i = 0; i < 900 && still < 20; i++) {
        await frame();
        const now = look();
        still = Math.abs(now.top - seen.top) < 0.5 && now.what === seen.what ? still + 1 : 0;
        seen = now;
    }
    return seen;
}"""

# The heading `id` (looked up each frame: a swap replaces it), its top and
# the top it is scrolled to (its margin below Material's header), in px from
# the top of the screen.
HEADING = """id => () => {
    const heading = document.getElementById(id);
    return {what: id, top: heading.getBoundingClientRect().top,
            margin: parseFloat(getComputedStyle(heading).scrollMarginTop)};
}"""

# The block of text the reader sees first: the first one whose bottom is on
# screen, with its top.
FIRST_ON_SCREEN = """() => () => {
    const el = [...document.querySelectorAll(
        'article :is(p, li, h2, h3, td, mjx-container[display])')]
        .find(el => el.getBoundingClientRect().bottom > 0);
    return {what: el.textContent.trim().slice(0, 40), top: el.getBoundingClientRect().top};
}"""


def _settled(page: Page, look: str, arg: object = None) -> dict:
    return page.evaluate(f"arg => ({SETTLED})(({look})(arg))", arg)


def _shows_at_the_top(page: Page, heading: str, what: str) -> None:
    seen = _settled(page, HEADING, heading)
    assert abs(seen["top"] - seen["margin"]) <= 2, (
        f"{what}: #{heading} settled {seen['top']:.0f} px down, not {seen['margin']:.0f}"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_a_link_to_the_last_question_shows_it(phone: Page, site: Path, lang: str) -> None:
    """A tap on a link to the longest page's last question shows that question
    at the top of the screen, and so do a reload there and a tap on a link to
    a question in the middle of the page. Blocks off screen are laid out only
    when the reader gets near them (extra.css), with estimated heights until
    then: the offset a reload restores, and the heading a link scrolls to,
    would land on estimates and slide as the blocks above are drawn."""
    html = (site / prefix(lang) / "classical-ml" / "index.html").read_text(encoding="utf-8")
    ids = re.findall(r'<h2 id="([^"]+)"', html)
    target = url(lang, "classical-ml/") + "#" + quote(ids[-1])
    phone.goto(url(lang))
    mark_document(phone)
    visit(phone, target)
    _shows_at_the_top(phone, ids[-1], "after a tap")
    phone.reload()
    _shows_at_the_top(phone, ids[-1], "after a reload")
    assert phone.evaluate("() => document.documentElement.scrollTop") > 5000
    middle = ids[len(ids) // 2]
    phone.evaluate(
        """id => {
            const a = document.createElement('a');
            a.href = '#' + encodeURIComponent(id);
            document.querySelector('article').append(a);
            a.click();
            a.remove();
        }""",
        middle,
    )
    _shows_at_the_top(phone, middle, "after a tap on a link within the page")


@pytest.mark.parametrize("lang", LANGS)
def test_a_reload_and_a_step_back_return_to_the_readers_place(phone: Page, lang: str) -> None:
    """startup.js keeps the reader's place as a block and an offset into it.
    Blocks drawn while the reader scrolled have their real heights; after a
    reload, or a step back to the page, they are estimates again until drawn
    (extra.css), so the offset the browser or Material restores in pixels
    would show another part of the page. Each page takes 0.3 s to arrive: a
    write Material had scheduled on the page left (its debounced offset and
    tracking writes) then lands after the step back, in the entry returned to."""
    slow_pages(phone, 0.3)
    phone.goto(url(lang))
    mark_document(phone)
    visit(phone, url(lang, "classical-ml/"))
    for _ in range(12):  # a reader's scroll, drawing each screen on the way
        phone.mouse.wheel(0, 700)
        phone.evaluate("() => new Promise(done => requestAnimationFrame(done))")
    place = _settled(phone, FIRST_ON_SCREEN)
    assert phone.evaluate("() => scrollY") > 5000
    phone.reload()
    after = _settled(phone, FIRST_ON_SCREEN)
    assert after["what"] == place["what"] and abs(after["top"] - place["top"]) <= 2, (
        f"after a reload: {after}, was {place}"
    )
    mark_document(phone)
    visit(phone, url(lang, "optimization/"))
    swapped(phone, phone.go_back)
    back = _settled(phone, FIRST_ON_SCREEN)
    assert back["what"] == place["what"] and abs(back["top"] - place["top"]) <= 2, (
        f"after a step back: {back}, was {place}"
    )


# A follow-up link on the page to another question on it, brought on screen
# and tagged; returns the question's id.
FOLLOW_UP = """() => {
    const link = [...document.querySelectorAll('article details a[href*="#"]')].find(
        a => !a.classList.contains('headerlink') && a.pathname === location.pathname);
    link.scrollIntoView({block: 'center'});
    link.dataset.probe = 'yes';
    return decodeURIComponent(link.hash.slice(1));
}"""

# The middle of the probed link's first line box, in px from the screen's top left.
PROBE_POINT = """() => {
    const box = document.querySelector('[data-probe]').getClientRects()[0];
    return [box.left + box.width / 2, box.top + box.height / 2];
}"""


@pytest.mark.parametrize("lang", LANGS)
def test_a_link_within_the_page_after_a_load_does_not_fetch_it_again(
    phone: Page, lang: str
) -> None:
    """startup.js section 4: a reader who arrives by a full load (a shared
    link, a search engine) and taps a follow-up question on the same page
    gets it at the top without the page being fetched and swapped in for
    itself (Material does that on its first navigation: ~1.5 s of a phone's
    main thread, and opened answers closed again); a step back returns to
    the place, and the next tap to another page is instant navigation."""
    page_url = url(lang, "classical-ml/")
    fetched: list[str] = []
    phone.on("request", lambda r: fetched.append(r.url) if r.url == page_url else None)
    phone.goto(page_url)
    mark_document(phone)
    phone.evaluate("() => { document.querySelector('article').dataset.kept = 'yes'; }")
    question = phone.evaluate(FOLLOW_UP)
    before = _settled(phone, FIRST_ON_SCREEN)
    # A finger lands where the link is. Playwright's locator.tap() may scroll
    # first (it did, by 55 px, on a loaded CI host), which moves the place.
    phone.touchscreen.tap(*phone.evaluate(PROBE_POINT))
    _shows_at_the_top(phone, question, "after a tap on a follow-up link")
    phone.go_back()
    back = _settled(phone, FIRST_ON_SCREEN)
    assert back["what"] == before["what"] and abs(back["top"] - before["top"]) <= 2, (
        f"after a step back: {back}, was {before}"
    )
    assert fetched == [page_url], f"the page was fetched {len(fetched)} times"
    assert phone.evaluate("() => !!document.querySelector('article[data-kept]')"), (
        "the page was swapped in for itself"
    )
    visit(phone, url(lang, "optimization/"))


# Where the reader sees each block of text and each display formula, in page
# coordinates (px), with what it is, to name the one that moved.
PLACES = """() => [...document.querySelectorAll(
        'article :is(p, li, h2, h3, td, mjx-container[display])')].map(el => {
        const r = el.getBoundingClientRect();
        const text = (el.closest('p, li, h2, h3, td') || el).textContent.trim().slice(0, 40);
        return {what: `${el.localName} "${text}"`,
                box: [r.left, r.top + scrollY, r.width, r.height]};
    })"""

# Scrolls the page through, a screen at a time, letting each screen be drawn.
# Each wait is bounded, so a browser that stops producing frames (see the
# skipped-yet-placed test) fails the test instead of hanging it.
SCROLL_THROUGH = """async () => {
    const frame = () => Promise.race([
        new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done))),
        new Promise(done => setTimeout(done, 500))]);
    for (let y = 0, i = 0; y < document.documentElement.scrollHeight && i < 1000;
         y += innerHeight, i++) {
        scrollTo(0, y);
        await frame();
    }
    scrollTo(0, 0);
    await frame();
}"""


# Adds up the layout shifts of what the reader has on screen (the score
# Lighthouse calls CLS; Google counts 0.1 as good).
SHIFTS = """window.__shift = 0;
    new PerformanceObserver(list => {
        for (const entry of list.getEntries()) window.__shift += entry.value;
    }).observe({type: 'layout-shift', buffered: true});"""


def _moved(before: list[dict], after: list[dict], tolerance: float) -> list[str]:
    assert len(before) == len(after) > 100, (len(before), len(after))
    return [
        f"{a['what']}: {[round(x, 1) for x in a['box']]} -> {[round(x, 1) for x in b['box']]}"
        for a, b in zip(before, after, strict=True)
        if max(abs(x - y) for x, y in zip(a["box"], b["box"], strict=True)) > tolerance
    ]


# Whether the browser skips laying out an element's content (extra.css and
# math.css give off-screen blocks and formulas content-visibility: auto).
SKIPPED = "el => !el.firstElementChild.checkVisibility({contentVisibilityAuto: true})"


@pytest.mark.parametrize("lang", LANGS)
# Not optimization/: headless Chromium (software compositing, 3x scale) stops
# producing frames partway through drawing that page, so the test cannot draw
# it: in the full suite every run, in CI even in a Chromium of its own; never
# when the test runs alone. classical-ml/ is the longest page by content.
@pytest.mark.parametrize("path", ["classical-ml/", "glossary/"])
def test_what_is_off_screen_is_skipped_yet_placed(
    phone: Page, site: Path, lang: str, path: str
) -> None:
    """extra.css, math.css and docs/hooks/mathjax.mjs: on a phone, the browser
    skips laying out the blocks of text and the formulas off screen (most of
    a long page's start-up was laying them out). Nothing on screen shifts
    while the reader scrolls through the page, and once scrolled through, the
    page is laid out exactly as with nothing skipped; drawn, each formula
    fits the box it was given."""
    phone.add_init_script(SHIFTS)
    phone.goto(url(lang, path))
    phone.evaluate("() => document.fonts.ready.then(() => true)")
    counts = phone.evaluate(
        f"""() => {{
            const skipped = {SKIPPED};
            const sized = [...document.querySelectorAll('article mjx-math.mjx-sized')];
            const blocks = [...document.querySelectorAll('article *')].filter(el =>
                getComputedStyle(el).contentVisibility === 'auto'
                && el.localName !== 'mjx-math' && el.firstElementChild);
            return {{formulas: document.querySelectorAll('article mjx-container').length,
                     sized: sized.length, skippedFormulas: sized.filter(skipped).length,
                     blocks: blocks.length, skippedBlocks: blocks.filter(skipped).length}};
        }}"""
    )
    assert counts["sized"] >= 0.9 * counts["formulas"], counts
    assert counts["skippedFormulas"] >= 0.8 * counts["sized"], f"drawn at load: {counts}"
    assert counts["skippedBlocks"] > 0.8 * counts["blocks"] >= 20, f"drawn at load: {counts}"
    phone.evaluate(SCROLL_THROUGH)
    shift = phone.evaluate("() => window.__shift")
    assert shift < 0.01, f"the page shifted on screen while scrolled through: {shift:.3f}"
    scrolled = phone.evaluate(PLACES)
    phone.evaluate(DRAW_BLOCKS)
    moved = _moved(phone.evaluate(PLACES), scrolled, tolerance=1.5)
    assert not moved, f"{len(moved)} placed apart from the drawn page:\n" + "\n".join(moved[:10])
    unfit = phone.evaluate(GLYPHS_OUTSIDE_THEIR_BOX)
    assert not unfit, f"{len(unfit)} formulas drawn outside their box:\n" + "\n".join(unfit[:10])


# With every formula drawn: those whose glyphs reach more than a pixel past
# the width and height their box was given (MathJax's size was wrong: the
# glyphs would overlap the text around them, or leave a gap).
GLYPHS_OUTSIDE_THEIR_BOX = """() => {
    const style = document.createElement('style');
    style.textContent = '.md-typeset mjx-math.mjx-sized { content-visibility: visible }';
    document.head.append(style);
    return [...document.querySelectorAll('article mjx-math.mjx-sized')].flatMap(m => {
        const box = m.getBoundingClientRect(), em = parseFloat(getComputedStyle(m).fontSize);
        const parts = [...m.children].map(c => c.getBoundingClientRect());
        const width = Math.max(...parts.map(r => r.right)) - Math.min(...parts.map(r => r.left));
        const height = parseFloat(m.style.getPropertyValue('--mjx-h')) * em;
        const inner = Math.max(...parts.map(r => r.bottom)) - Math.min(...parts.map(r => r.top));
        return Math.abs(width - box.width) > 1 || inner - height > 1
            ? [`${m.nextElementSibling.textContent.slice(0, 40)}: drawn `
               + `${width.toFixed(1)} x ${inner.toFixed(1)} px, `
               + `given ${box.width.toFixed(1)} x ${height.toFixed(1)}`]
            : [];
    });
}"""


@contextmanager
def _on_the_longest_page(browser: Browser, site: Path, lang: str, watch: str) -> Iterator[Page]:
    """A phone's tab on the longest question page, loaded with the `watch`
    script running from the first byte, ready for in-site taps."""
    with reader(browser, site, **ON_A_PHONE) as page:
        page.add_init_script(watch)
        page.goto(url(lang, "classical-ml/"))
        mark_document(page)
        yield page


# Counts the tables taken out of the page after it is parsed: Material's
# start-up wrap moves each one it finds into its box (a page swap replaces
# the container around the tables, not the tables).
MOVED_TABLES = """
    window.__movedTables = 0;
    new MutationObserver(records => {
        for (const r of records)
            for (const node of r.removedNodes)
                if (node.localName === 'table') window.__movedTables++;
    }).observe(document, {childList: true, subtree: true});
"""


@pytest.mark.parametrize("lang", LANGS)
def test_no_table_is_moved(browser: Browser, site: Path, lang: str) -> None:
    """docs/hooks/startup.py and startup.js: tables are in Material's scroll
    box from the HTML on, so Material's start-up, and each page it swaps in,
    leaves them where they are (moving each was ~0.9 s of restyle and layout
    on a phone on the longest page); each sits in one box, which scrolls."""
    with _on_the_longest_page(browser, site, lang, MOVED_TABLES) as page:
        for target in ("glossary/", "optimization/"):
            visit(page, url(lang, target))
            boxes = page.evaluate(
                """() => [...document.querySelectorAll('article table')].map(table =>
                    table.parentElement.matches('.md-typeset__scrollwrap > .md-typeset__table')
                    && table.closest('.md-typeset__scrollwrap').parentElement
                        .closest('.md-typeset__scrollwrap') === null)"""
            )
            assert len(boxes) > 10 and all(boxes), f"{page.url}: {boxes}"
        assert page.evaluate("() => window.__movedTables") == 0


def test_palette_restyles_the_page_only_when_the_reader_switches(page: Page) -> None:
    """assets/javascripts/palette.js: Material's start-up does not set its
    transition guard on <body> (two whole-page restyles), a reader's switch
    still does, and the switch takes effect."""
    page.add_init_script(
        """new MutationObserver(records => {
            window.__guards = (window.__guards || 0) + records.filter(
                r => r.target === document.body && r.oldValue === null).length;
        }).observe(document, {subtree: true, attributeOldValue: true,
            attributeFilter: ['data-md-color-switching']});"""
    )
    page.goto(url(default_language(), "classical-ml/"))
    before = page.evaluate("() => document.body.dataset.mdColorMedia")
    assert page.evaluate("() => window.__guards || 0") == 0, "the guard was set at start-up"
    page.locator("[data-md-component=palette] label:visible").first.click()
    expect(page.locator("body")).not_to_have_attribute("data-md-color-media", before)
    assert page.evaluate("() => window.__guards || 0") == 1, "a reader's switch lost its guard"


# Records what Material's start-up rewrites after the HTML is parsed, of the
# state that restyles the whole document when it changes: the classes and
# focus-visible marker on <html>, the palette on <body> and the colour-scheme
# meta (main.html and partials/javascripts/palette.html set them while the
# page is parsed). Same-value writes are free and not recorded. Also records
# the transitions that start before the reader does anything.
START_UP_WRITES = """
    window.__writes = [];
    window.__transitions = [];
    addEventListener('transitionstart', event => __transitions.push(
        `${event.target.localName} ${event.propertyName}`), true);
    new MutationObserver(records => {
        if (document.readyState === 'loading') return;
        for (const r of records) {
            const el = r.target, now = el.getAttribute(r.attributeName);
            const watched = el === document.documentElement || el === document.body
                || (el.localName === 'meta' && el.name === 'color-scheme');
            if (watched && now !== r.oldValue)
                __writes.push(`${el.localName} ${r.attributeName}: ${r.oldValue} -> ${now}`);
        }
    }).observe(document, {subtree: true, attributeOldValue: true,
        attributeFilter: ['class', 'data-js-focus-visible', 'content', 'data-md-color-media',
                          'data-md-color-scheme', 'data-md-color-primary',
                          'data-md-color-accent']});
"""


def _color_scheme(page: Page) -> list[str]:
    """The content of every colour-scheme meta in the head (one, the page's:
    each meta added, even empty, restyles the whole page)."""
    return page.evaluate(
        "() => [...document.head.querySelectorAll('meta[name=color-scheme]')].map(m => m.content)"
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_start_up_rewrites_nothing_that_restyles_the_page(
    browser: Browser, site: Path, scheme: str
) -> None:
    """main.html, partials/javascripts/palette.html and startup.js: Material's
    start-up leaves <html>, the palette and the colour scheme as the page
    already has them, on a first visit (nothing stored) and on the next, and
    adds no colour-scheme meta (each change was a whole-page restyle,
    ~0.3-0.6 s of a phone's start-up on the longest page). Nothing fades at
    start-up: a first visit in the dark scheme was switched to it then, and
    ~200 links and the search box faded in from the light scheme's colours.
    The scheme still follows the reader's palette after instant navigation
    and a switch."""
    with reader(browser, site, color_scheme=scheme) as page:
        page.add_init_script(START_UP_WRITES)
        for visit_ in ("a first visit", "the next visit"):
            page.goto(url(default_language(), "classical-ml/"))
            mark_document(page)
            writes = page.evaluate("() => window.__writes")
            assert writes == [], f"{visit_}: start-up rewrote {writes}"
            faded = page.evaluate("() => window.__transitions")
            assert faded == [], f"{visit_}: {len(faded)} transitions at start-up: {faded[:5]}"
            assert page.evaluate("() => document.documentElement.className") == (
                "js js-focus-visible"
            )
            assert _color_scheme(page) == [scheme], f"{visit_}: {_color_scheme(page)}"
        for link in ("optimization/", "normalization/"):
            swapped(page, page.locator(f"a[href$='{link}']:visible").first.click)
        assert _color_scheme(page) == [scheme], f"after two taps: {_color_scheme(page)}"
        page.locator("[data-md-component=palette] label:visible").first.click()
        now = page.evaluate("() => document.body.dataset.mdColorScheme")
        assert _color_scheme(page) == ["dark" if now == "slate" else "light"], now


def test_quiz_mode_hides_answers_across_pages(page: Page) -> None:
    page.goto(url(default_language(), "activations/"))
    answers = page.locator("details.answer")
    assert answers.count() > 3
    assert all(answers.evaluate_all("els => els.map(e => e.open)"))
    page.locator(".quiz-toggle").click()
    assert not any(answers.evaluate_all("els => els.map(e => e.open)"))
    answers.first.locator("summary").click()
    assert answers.first.evaluate("e => e.open")
    mark_document(page)
    # The URL changes before the new page is swapped in: wait for the page itself.
    swapped(page, page.locator("a[href$='optimization/']:visible").first.click)
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
    # Math is typeset at build time: no MathJax JavaScript is shipped at all.
    assert not list(site.glob("assets/javascripts/mathjax/*.js"))
    assert (site / "assets" / "stylesheets" / "mathjax.css").is_file()


# Each stylesheet's CSSStyleSheet when the parser is done, before any script
# of the page runs (deferred scripts run after "interactive").
KEEP_SHEETS = """document.addEventListener('readystatechange', () => {
    if (document.readyState === 'interactive')
        window.__dlkbSheets = [...document.querySelectorAll('link[rel=stylesheet]')]
            .map(link => link.sheet);
}, {once: true});"""


@pytest.mark.parametrize("lang", LANGS)
def test_stylesheets_load_once(browser: Browser, site: Path, lang: str) -> None:
    """The stylesheets the page loaded are the ones it keeps through start-up
    and two taps. Each reload of one restyles and lays out the whole page
    (Material's start-up reassigned every relative href: ~1.7 s on a phone on
    the longest page, docs/hooks/startup.py); a swap that replaced them would
    flash an unstyled page."""
    with _on_the_longest_page(browser, site, lang, KEEP_SHEETS) as page:
        for target in ("normalization/", "architectures/cnn/"):
            visit(page, url(lang, target))
        kept = page.evaluate(
            """() => [...document.querySelectorAll('link[rel=stylesheet]')].map(
                (link, i) => [link.getAttribute('href'), link.sheet === window.__dlkbSheets[i]])"""
        )
    assert len(kept) >= 4, kept
    assert all(same for _, same in kept), f"reloaded or replaced: {kept}"
