"""The built site, read as files: strict build, language parity, links and
anchors, self-containment, search indexes and reproducibility."""

from __future__ import annotations

import functools
import gzip
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from conftest import (
    DOCS,
    ROOT,
    Build,
    build_site,
    default_language,
    languages,
    prefix,
    site_url,
)

LANGS = list(languages())
# Where the built site is served: a stand-in host, the site's real path (links
# and scripts are root-relative: docs/hooks/startup.py).
SITE_ORIGIN = "http://site.invalid" + urlsplit(site_url()).path


def _sources(lang: str) -> set[str]:
    root = DOCS / lang
    return {p.relative_to(root).as_posix() for p in root.rglob("*.md")}


# --- build --------------------------------------------------------------------


def test_strict_build_has_no_warnings(built: Build) -> None:
    problems = [line for line in built.log.splitlines() if re.match(r"(WARNING|ERROR)\b", line)]
    assert not problems, "\n".join(problems)


def test_every_language_is_built(site: Path) -> None:
    for lang in LANGS:
        assert (site / prefix(lang) / "index.html").is_file(), lang
        assert (site / prefix(lang) / "404.html").is_file(), lang


# --- parity ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS[1:])
def test_every_page_has_its_translation(lang: str) -> None:
    default = default_language()
    missing_here = sorted(_sources(default) - _sources(lang))
    missing_there = sorted(_sources(lang) - _sources(default))
    assert not missing_here, f"no {lang} translation of: " + ", ".join(
        f"docs/{default}/{p}" for p in missing_here
    )
    assert not missing_there, f"no {default} original of: " + ", ".join(
        f"docs/{lang}/{p}" for p in missing_there
    )


def _pairs() -> list[tuple[Path, Path]]:
    default = default_language()
    return [
        (DOCS / default / rel, DOCS / lang / rel)
        for lang in LANGS[1:]
        for rel in sorted(_sources(default) & _sources(lang))
    ]


@dataclass(frozen=True)
class Section:
    """One heading (h2 or h3; level 1 is the page's intro) and what sits under it
    up to the next one: what must match between translations, as the language
    switcher maps questions between them by position."""

    level: int
    title: str
    line: int
    company: str | None = None
    includes: tuple[str, ...] = ()
    cells: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    links: tuple[str, ...] = ()  # pages linked to (not anchors: they are translated)
    admonitions: tuple[str, ...] = ()
    code_blocks: int = 0
    math_blocks: int = 0
    tables: int = 0

    def fingerprint(self) -> dict[str, object]:
        return {k: v for k, v in vars(self).items() if k not in ("title", "line")}


FENCE_OPEN = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
HEADING = re.compile(r"^(#{1,3})[ \t]+(.+?)[ \t]*$")
COMPANY = re.compile(r"""data-company=["']?([\w-]+)""")
INCLUDE = re.compile(r"""--8<--\s+["']([^"']+)["']""")
CELL = re.compile(r"^\s*///\s*cell\s*\|\s*(\S+)")
CELL_NAME = re.compile(r"""\bname=["']([^"']+)["']""")  # ```python name="..." (jupytext)
FIGURE = re.compile(r"!\[[^\n]*?\]\(\s*<?([^)\s>]+)")
PAGE_LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")
ADMONITION = re.compile(r"^\s*(?:!!!|\?\?\?\+?|///)\s*([\w-]+)")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$")


def structure(text: str) -> list[Section]:
    """A page's headings in order, each with the structure below it."""
    sections: list[dict] = [{"level": 1, "title": "(before the first heading)", "line": 1}]
    fence: str | None = None
    math = False
    lines = text.splitlines()
    first = 0
    if lines and lines[0].strip() == "---":  # front matter
        first = next((i + 1 for i, ln in enumerate(lines[1:], 1) if ln.strip() == "---"), 0)
    for number, line in enumerate(lines[first:], start=first + 1):
        here = sections[-1]
        if fence is not None:
            closing = line.strip()
            if closing.startswith(fence) and set(closing) == {fence[0]}:
                fence = None
            elif include := INCLUDE.search(line):
                here["includes"] = (*here.get("includes", ()), include[1])
            continue
        if opening := FENCE_OPEN.match(line):
            fence = opening[1]
            here["code_blocks"] = here.get("code_blocks", 0) + 1
            if name := CELL_NAME.search(opening[2]):
                here["cells"] = (*here.get("cells", ()), name[1])
            continue
        if (heading := HEADING.match(line)) and len(heading[1]) > 1:
            company = COMPANY.search(heading[2])
            sections.append(
                {
                    "level": len(heading[1]),
                    "title": heading[0],
                    "line": number,
                    "company": company[1] if company else None,
                }
            )
            continue
        if include := INCLUDE.search(line):
            here["includes"] = (*here.get("includes", ()), include[1])
        if cell := CELL.match(line):
            here["cells"] = (*here.get("cells", ()), cell[1])
        if figures := FIGURE.findall(line):
            here["figures"] = (*here.get("figures", ()), *figures)
        if links := PAGE_LINK.findall(line):
            here["links"] = tuple(sorted({*here.get("links", ()), *links}))
        if admonition := ADMONITION.match(line):
            here["admonitions"] = (*here.get("admonitions", ()), admonition[1])
        stripped = line.strip()
        if math:  # inside a display formula: only its end matters
            math = not stripped.endswith("$$")
            continue
        if stripped.startswith("$$"):
            here["math_blocks"] = here.get("math_blocks", 0) + 1
            math = not (len(stripped) > 2 and stripped.endswith("$$"))
            continue
        if TABLE_RULE.match(line):
            here["tables"] = here.get("tables", 0) + 1
    return [Section(**section) for section in sections]


def _describe(section: Section) -> str:
    return f"line {section.line}: {section.title!r}"


def structure_difference(
    original: str, original_text: str, translation: str, translation_text: str
) -> str | None:
    """None when the two pages have the same structure, else a message that
    names both files and the first heading where they part."""
    a, b = structure(original_text), structure(translation_text)
    for position, (x, y) in enumerate(zip(a, b, strict=False)):
        fx, fy = x.fingerprint(), y.fingerprint()
        if fx != fy:
            what = "; ".join(f"{k}: {fx[k]!r} vs {fy[k]!r}" for k in fx if fx[k] != fy[k])
            where = "the intro" if position == 0 else f"heading {position}"
            return (
                f"{translation} does not match {original} at {where}:\n"
                f"  {original} {_describe(x)}\n  {translation} {_describe(y)}\n"
                f"  differ in {what}.\n"
                "Keep the same h2/h3 headings in the same order in both languages, each with "
                "the same company tag, includes, notebook cells, figures, pages linked, "
                "admonitions, code blocks, display math and tables."
            )
    if len(a) != len(b):
        longer, name, other = (
            (a, original, translation) if len(a) > len(b) else (b, translation, original)
        )
        extra = longer[min(len(a), len(b)) :]
        return (
            f"{name} has {len(extra)} heading(s) more than {other}, from heading "
            f"{min(len(a), len(b))}: " + "; ".join(_describe(s) for s in extra)
        )
    return None


@pytest.mark.parametrize("original,translation", _pairs(), ids=lambda p: str(p.relative_to(DOCS)))
def test_translation_keeps_structure(original: Path, translation: Path) -> None:
    """Same headings (h2, h3) in the same order, each with the same company tag,
    includes, notebook cells, figures, pages linked, admonitions, code, math
    and tables; notebooks run the same code."""
    a, b = original.read_text(encoding="utf-8"), translation.read_text(encoding="utf-8")
    names = (original.relative_to(ROOT).as_posix(), translation.relative_to(ROOT).as_posix())
    difference = structure_difference(names[0], a, names[1], b)
    assert difference is None, difference
    if a.startswith("---\njupyter:"):
        cells = re.compile(r"^```python[^\n]*\n(.*?)^```", re.M | re.S)
        assert cells.findall(a) == cells.findall(b), f"{names[1]}: code cells differ"


@pytest.mark.parametrize("lang", LANGS)
def test_admonitions_have_titles_in_the_page_language(lang: str) -> None:
    """Without a title, an admonition shows its type in English ("Note")."""
    untitled = [
        f"docs/{lang}/{rel}: {line.strip()}"
        for rel in sorted(_sources(lang))
        for line in (DOCS / lang / rel).read_text(encoding="utf-8").splitlines()
        if re.match(r"\s*(!!!|\?\?\?\+?)\s+[\w-]+(\s+[\w-]+)*\s*$", line)
        or re.match(r"\s*///\s*(admonition|details|note|tip|warning|info)\s*$", line)
    ]
    assert not untitled, "\n".join(untitled)


def nav_difference(
    default: str, reference: list[str], config: str, listed: list[str]
) -> str | None:
    """None when `config`'s nav lists the pages of the default language's nav,
    in its order; else a message naming the first page that differs."""
    missing = [p for p in reference if p not in listed]
    extra = [p for p in listed if p not in reference]
    if missing:
        return f"{config}: nav lacks {', '.join(missing)} (listed in {default}'s nav): add it"
    if extra:
        return f"{config}: nav lists {', '.join(extra)}, which {default}'s nav does not"
    for position, (x, y) in enumerate(zip(reference, listed, strict=False), start=1):
        if x != y:
            return f"{config}: nav entry {position} is {y} where {default} has {x}: same order"
    if listed != reference:
        return f"{config}: nav lists a page twice"
    return None


def _nav_pages(config: str) -> list[str]:
    text = (ROOT / config).read_text(encoding="utf-8")
    nav = text[text.index("\nnav:") :]
    return re.findall(r"([\w/.-]+\.md)", nav)


def test_nav_lists_the_same_pages_in_every_language() -> None:
    default = languages()[default_language()]
    for config in languages().values():
        difference = nav_difference(default, _nav_pages(default), config, _nav_pages(config))
        assert difference is None, difference


_MD_LINK = re.compile(r"\]\(([\w/.-]+\.md)(?:#[^)]*)?\)")


def _linked(lang: str, page: str) -> set[str]:
    """The pages `page` links to, as paths from the language's root."""
    text = (DOCS / lang / page).read_text(encoding="utf-8")
    base = Path(page).parent
    return {(base / link).as_posix() for link in _MD_LINK.findall(text)}


@pytest.mark.parametrize("lang", LANGS)
def test_home_leads_to_every_page_in_nav(lang: str) -> None:
    """A reader on a phone starts at the home page's cards, with the nav
    behind a menu: every page in nav is linked from a card, or from a
    section's index page (notebooks/index.md) that a card links to."""
    home = _linked(lang, "index.md")
    reached = home.union(*(_linked(lang, page) for page in home if page.endswith("index.md")))
    nav = _nav_pages(languages()[lang])
    missing = [page for page in nav if page != "index.md" and page not in reached]
    assert not missing, f"docs/{lang}/index.md leads to none of: {', '.join(missing)}"


# --- links and anchors --------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if values.get("name") and tag == "a":
            self.ids.add(values["name"])
        for attr in ("href", "src"):
            if values.get(attr) and not (tag == "link" and values.get("rel") == "canonical"):
                self.links.append((tag, values[attr]))


GLYPHS = re.compile(r"<mjx-math\b.*?</mjx-math>", re.DOTALL)


@functools.cache
def _parse(path: Path) -> _Page:
    """The page's ids and links, parsed once per session (several tests read
    them). MathJax's glyph boxes, two thirds of a math page's tags, hold
    neither and are skipped."""
    page = _Page()
    page.feed(GLYPHS.sub("", path.read_text(encoding="utf-8")))
    return page


def _html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")


def _target(site: Path, page: Path, url: str) -> tuple[Path, str] | None:
    """The file and fragment a same-site link points to, None if external."""
    base = SITE_ORIGIN + page.relative_to(site).as_posix()
    absolute = urljoin(base, url)
    if not absolute.startswith(SITE_ORIGIN):
        return None
    parts = urlsplit(absolute)
    path = site / unquote(parts.path[len(urlsplit(SITE_ORIGIN).path) :])
    if path.is_dir() or parts.path.endswith("/"):
        path = path / "index.html"
    return path, unquote(parts.fragment)


def test_internal_links_and_anchors_resolve(site: Path) -> None:
    broken: list[str] = []
    for page in _html_pages(site):
        doc = _parse(page)
        for tag, url in doc.links:
            if url.startswith(("mailto:", "javascript:", "data:")):
                continue
            target = _target(site, page, url)
            if target is None:
                continue
            path, fragment = target
            where = page.relative_to(site)
            if not path.is_file():
                broken.append(f"{where}: <{tag}> {url} -> missing {path.relative_to(site)}")
            elif (
                fragment
                and path.suffix == ".html"
                and fragment != "__tabbed_1_1"
                and fragment not in _parse(path).ids
            ):
                broken.append(f"{where}: {url} -> no anchor #{fragment}")
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(broken[:50])


def test_chinese_headings_get_readable_anchors(site: Path) -> None:
    ids = _parse(site / "activations" / "index.html").ids
    assert any(re.search(r"[\u4e00-\u9fff]", i) for i in ids), sorted(ids)[:20]
    assert not any(re.fullmatch(r"_\d+", i) for i in ids), sorted(ids)[:20]


# --- self-contained -----------------------------------------------------------------


def test_no_third_party_urls_are_loaded(site: Path) -> None:
    """Scripts, styles, images, fonts and frames come from the site itself.
    (Links a reader clicks, like arXiv papers, may leave the site.)"""
    offenders = []
    for page in _html_pages(site):
        for tag, url in _parse(page).links:
            loads = tag in ("script", "img", "iframe", "source", "link")
            if loads and re.match(r"(https?:)?//", url):
                offenders.append(f"{page.relative_to(site)}: <{tag}> {url}")
    for css in site.rglob("*.css"):
        for url in re.findall(r"url\((['\"]?)(https?:)?//[^)]*\)", css.read_text()):
            offenders.append(f"{css.relative_to(site)}: url({url})")
    assert not offenders, "\n".join(offenders[:30])


# --- search ---------------------------------------------------------------------------


def _index(site: Path, lang: str) -> dict:
    path = site / prefix(lang) / "search" / "search_index.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", LANGS)
def test_search_index_holds_only_its_language(site: Path, lang: str) -> None:
    docs = _index(site, lang)["docs"]
    assert len(docs) > 50, f"{lang}: only {len(docs)} search entries"
    others = [prefix(other) for other in LANGS if other != lang and prefix(other)]
    leaked = [d["location"] for d in docs if any(d["location"].startswith(p) for p in others)]
    assert not leaked, leaked[:10]
    han = sum(bool(re.search(r"[\u4e00-\u9fff]", d["title"])) for d in docs)
    if lang == "zh":
        assert han > len(docs) / 2, "the Chinese index should be mostly Chinese"
    else:
        assert han == 0, "the English index has Chinese titles"


def test_search_index_has_no_figures_or_styles(site: Path) -> None:
    for lang in LANGS:
        text = json.dumps(_index(site, lang), ensure_ascii=False)
        assert "data:image" not in text, lang
        assert "<svg" not in text, lang
        assert "<style" not in text, lang


def test_chinese_search_index_is_segmented(site: Path) -> None:
    """jieba splits Chinese text with zero-width spaces (docs/hooks/search.py drops
    those next to punctuation, which separates words anyway); the user dictionary
    keeps interview terms whole, so a query for them matches a whole token."""
    index = _index(site, "zh")
    separator = re.compile(index["config"]["separator"])
    tokens = {
        token
        for doc in index["docs"]
        for field in ("title", "text")
        for token in separator.split(re.sub(r"<[^>]+>", " ", doc[field]))
    }
    for term in ("梯度消失", "批归一化", "过拟合", "激活函数"):
        assert term in tokens, term


# --- reproducibility -------------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_two_builds_are_identical(site: Path, tmp_path: Path) -> None:
    first, second = _tree(site), _tree(build_site(tmp_path / "site").site)
    assert first.keys() == second.keys(), sorted(first.keys() ^ second.keys())[:20]
    differ = sorted(name for name in first if first[name] != second[name])
    assert not differ, differ[:20]


# --- page weight ------------------------------------------------------------------------

# What a reader downloads to read a whole figures page: its HTML and every
# figure, gzip-compressed as GitHub Pages serves them (styles and scripts are
# shared, cached files). The heaviest page today is about 180 KB.
NOTEBOOK_PAGE_BUDGET = 200 * 1024


@pytest.mark.parametrize("lang", LANGS)
def test_notebook_pages_fit_the_weight_budget(site: Path, lang: str) -> None:
    pages = sorted((site / prefix(lang) / "notebooks").glob("*/index.html"))
    assert len(pages) >= 16, pages
    for html in pages:
        figures = [p for p in html.parent.iterdir() if p.suffix in (".svg", ".png")]
        weight = sum(len(gzip.compress(p.read_bytes(), 9, mtime=0)) for p in [html, *figures])
        assert weight <= NOTEBOOK_PAGE_BUDGET, (
            f"{html.relative_to(site)}: {weight / 1024:.0f} KB gzip with its figures; "
            "thin the heaviest figure (fewer points, or rasterize dense marks)"
        )
        assert "<style" not in html.read_text(encoding="utf-8"), html


def test_question_pages_first_visit_fits_300_kb(site: Path) -> None:
    """A first visit to any question page transfers at most 300 KB gzip: the
    HTML, its stylesheets and scripts, the math fonts its formulas use and its
    eagerly loaded images (tests/bench.py, `first_visit`; lazy figures, the
    search worker and the sitemap that Material fetches later are not counted)."""
    from bench import FIRST_VISIT_BUDGET, first_visit, question_pages

    pages = question_pages(site)
    assert len(pages) >= 40, len(pages)
    over = []
    for html in pages:
        files = first_visit(site, html)[0]
        assert any(name.endswith(".woff") for name in files) or "mjx-container" not in (
            html.read_text(encoding="utf-8")
        ), f"{html.relative_to(site)}: no math font found for its formulas"
        if sum(files.values()) > FIRST_VISIT_BUDGET:
            heaviest = sorted(files.items(), key=lambda kv: -kv[1])[:5]
            over.append(f"{html.relative_to(site)}: {sum(files.values()) / 1024:.0f} KB {heaviest}")
    assert not over, "\n".join(over)


LINK_OR_SCRIPT_URL = re.compile(r'<(?:link|script)\b[^>]*?\s(?:href|src)="([^"]+)"')


def test_links_and_scripts_are_root_relative(site: Path) -> None:
    """docs/hooks/startup.py: a page-relative <link> or <script> URL would make
    Material reload that stylesheet or script at start-up (see
    test_browser.py::test_stylesheets_load_once)."""
    relative = [
        f"{page.relative_to(site)}: {found}"
        for page in _html_pages(site)
        for found in LINK_OR_SCRIPT_URL.findall(page.read_text(encoding="utf-8"))
        if not re.match(r"[a-z][a-z0-9+.-]*:|/(?!/)", found)
    ]
    assert not relative, "page-relative URLs:\n" + "\n".join(relative[:20])


# How Material's bundle wraps a table (its function for the table's box),
# with the table's row count, which scales the height reserved for it while
# it is off screen (extra.css).
MATERIAL_TABLE_BOX = re.compile(
    r'<div class="md-typeset__scrollwrap" style="--rows: (\d+)">'
    r'<div class="md-typeset__table">(<table>.*?</table>)',
    re.S,
)


def test_every_table_is_in_materials_box(site: Path) -> None:
    """docs/hooks/startup.py: each table is written inside Material's scroll
    box, once, so Material's start-up has no table left to take out of the
    page and put back (see test_browser.py::test_no_table_is_moved); the box
    counts the table's rows."""
    loose = [
        f"{page.relative_to(site)}: {count - len(boxed)} of {count} tables, {boxes} boxes,"
        f" rows (counted, written): {miscounted[:3]}"
        for page in _html_pages(site)
        for text in [page.read_text(encoding="utf-8")]
        for count, boxed, boxes in [
            (
                text.count("<table>"),
                MATERIAL_TABLE_BOX.findall(text),
                text.count("md-typeset__scrollwrap"),
            )
        ]
        for miscounted in [[(t.count("<tr"), int(n)) for n, t in boxed if t.count("<tr") != int(n)]]
        if not count == len(boxed) == boxes or miscounted
    ]
    assert not loose, "tables outside Material's box, boxed twice, or miscounted:\n" + "\n".join(
        loose[:20]
    )
    assert "<table>" in (site / "classical-ml" / "index.html").read_text(encoding="utf-8")
