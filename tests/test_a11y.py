"""Accessibility, checked with axe-core (node_modules, from package-lock.json)
in headless Chromium on the main page types, in both languages and both
colour schemes, at desktop and phone width."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import DRAW_BLOCKS, ON_A_PHONE, ROOT, languages, mark_document, reader, swapped, url
from playwright.sync_api import Browser, Page

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# Two best-practice rules fail on Material's own page frame, not on anything
# this site adds: "region" (its instant-loading progress bar sits outside the
# landmarks, by design: it spans the top of the viewport) and
# "landmark-unique" (the primary nav and the tags nav share a role and label).
IGNORED = ["region", "landmark-unique"]
PAGES = {
    "home": "",
    "question page": "normalization/",
    "figures page": "notebooks/activations/",
    "glossary": "glossary/",
    "question index": "companies/",
    "404": "404.html",
}


def violations(page: Page) -> list[str]:
    # a11y.js makes boxes that scroll sideways focusable once they are drawn:
    # axe judges the page as a reader finds each part of it, drawn.
    page.evaluate(DRAW_BLOCKS)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "([tags, ignored]) => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " rules: Object.fromEntries(ignored.map(id => [id, {enabled: false}])),"
        # Only violations are read: skip collecting the passing nodes (faster).
        " resultTypes: ['violations']})",
        [RULES, IGNORED],
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']}; "
        + "; ".join(f"{n['target']} {n['failureSummary'][:160]}" for n in v["nodes"][:5])
        for v in result["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("lang", list(languages()))
@pytest.mark.parametrize("kind", list(PAGES))
def test_no_accessibility_violations(
    browser: Browser, site: Path, kind: str, lang: str, scheme: str
) -> None:
    with reader(browser, site, color_scheme=scheme) as page:
        page.goto(url(lang, PAGES[kind]))
        found = violations(page)
    assert not found, f"{kind} ({lang}, {scheme}):\n" + "\n".join(found)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("lang", list(languages()))
def test_no_accessibility_violations_on_a_phone(
    browser: Browser, site: Path, lang: str, scheme: str
) -> None:
    options = {**ON_A_PHONE, "color_scheme": scheme}
    with reader(browser, site, **options) as page:
        page.goto(url(lang, PAGES["question page"]))
        page.locator("label.md-header__button[for='__drawer']").click()  # the menu
        found = violations(page)
    assert not found, f"phone ({lang}, {scheme}):\n" + "\n".join(found)


def test_theme_toggle_says_what_a_click_does(browser: Browser, site: Path) -> None:
    """The palette toggle's label names the scheme a click switches to."""
    with reader(browser, site, color_scheme="light") as page:
        page.goto(url("zh"))
        seen = []
        for _ in range(3):
            # The toggle shown is the label after the current palette's input,
            # whose aria-label is the toggle's name (Material turns the
            # label's title into a tooltip once hovered).
            label = page.evaluate(
                "() => [...document.querySelectorAll('[data-md-component=palette] label')]"
                ".find(e => e.offsetParent).previousElementSibling.getAttribute('aria-label')"
            )
            before = page.evaluate("() => document.body.dataset.mdColorMedia")
            page.locator("[data-md-component=palette] label:visible").first.click()
            after = page.evaluate("() => document.body.dataset.mdColorMedia")
            seen.append((label, before, after))
    for label, _, after in seen:
        expected = {
            "(prefers-color-scheme: light)": "浅色",
            "(prefers-color-scheme: dark)": "深色",
            "(prefers-color-scheme)": "跟随系统",
        }[after]
        assert expected in (label or ""), f"label {label!r}, but the click chose {after}: {seen}"


def test_no_table_has_an_empty_header_cell(site: Path) -> None:
    """A header cell with no text leaves screen readers nothing to announce."""
    empty = re.compile(r"<th[^>]*>\s*</th>")
    offenders = [
        str(path.relative_to(site))
        for path in site.rglob("*.html")
        if empty.search(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "empty <th> on: " + ", ".join(sorted(offenders))


@pytest.mark.parametrize("lang", list(languages()))
def test_every_formula_reaches_screen_readers(
    screen_reader: Browser, site: Path, lang: str
) -> None:
    """Each formula's MathML copy is in the accessibility tree, those far
    below the first screen included, on a phone, on the page with the most
    formulas, and again after an in-site tap (instant navigation). Rendering
    tricks for long pages can drop it: `display: none`, or MathML drawn by
    script only when on screen, would; blocks and glyph boxes skipped off
    screen (`content-visibility: auto`) do not."""
    with reader(screen_reader, site, **ON_A_PHONE) as page:

        def check(path: str) -> None:
            formulas = page.locator("mjx-container").count()
            cdp = page.context.new_cdp_session(page)
            nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
            math = sum(1 for n in nodes if n.get("role", {}).get("value") == "MathMLMath")
            cdp.detach()
            assert formulas > 100, f"{path}: only {formulas} formulas"
            assert math == formulas, f"{path}: {math} of {formulas} formulas in the a11y tree"

        page.goto(url(lang, "classical-ml/"))
        check("classical-ml/")
        page.goto(url(lang, ""))
        mark_document(page)
        swapped(page, page.locator(".md-content a[href$='/normalization/']").first.click)
        check("normalization/ after a tap")
