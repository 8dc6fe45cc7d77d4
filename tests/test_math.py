"""docs/hooks/mathjax.py on a small throwaway site: formulas become MathJax
CommonHTML at build time, one stylesheet covers them, and every kind of bad
math fails a strict build naming the page and the formula."""

# ruff: noqa: RUF001, RUF003 (Chinese punctuation in Chinese test text)
from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DOCS, ROOT, build_env
from pymdownx.slugs import slugify

HOOK = DOCS / "hooks" / "mathjax.py"
CONFIG = f"""\
site_name: math test
site_url: https://example.org/
theme:
  name: mkdocs
hooks:
  - {HOOK}
markdown_extensions:
  - toc:
      permalink: true
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds:
          case: lower
  - pymdownx.arithmatex:
      generic: true
"""

GOOD = r"""# 好的公式

设 $K$ 个模型，方差是 $\sigma^2$。归一化：$\hat{x} = (x-\mu)/\sqrt{\sigma^2+\epsilon}$，然后缩放。

$$
\boldsymbol{y} = \gamma \hat{x} + \beta, \quad
\operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}
$$

$$
\begin{aligned}
\mathcal{L} &= -\sum_i y_i \log p_i \\
&\approx \left(\frac{a}{b}\right) + \{a\} + \left\{ \frac{1}{2} \right\}
\end{aligned}
$$

长的行内公式：$a_1 + a_2 + a_3 + a_4 + a_5 + a_6 + a_7 + a_8 + a_9 + a_{10} + a_{11}$ 结束。

Money is not math: it costs $5, and `$x` or `\(` in code is code.

```text
$$ \( \[ in a code block
```
"""

# One page per fault; all are reported by one build.
FAULTS = {
    "frac.md": "# Frac\n\nA broken fraction $\\frac{a}$ here.\n",
    "macro.md": "# Macro\n\nAn unknown $\\undefinedmacro x$ here.\n",
    "unbalanced.md": "# Unbalanced\n\n$$\nx = 1\n\nand the display never closes.\n",
    "dollar.md": "# Dollar\n\nA formula $x + y $ whose closing dollar follows a space.\n",
    "heading.md": "# Heading\n\n## When $\\eta > 2$ it diverges\n\nText.\n",
    "table.md": "# Table\n\n| policy | formula |\n| --- | --- |\n| it | $\\pi(a|s)$ |\n",
}


def build(
    root: Path, pages: dict[str, str], cache: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """A strict build of `pages` with the math hook, its cache in `cache`
    (default: a fresh one, so every formula is typeset)."""
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    for name, text in pages.items():
        (root / "docs" / name).write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(root / "site")],
        cwd=root,
        env={**build_env(), "DLKB_MATH_CACHE": str(cache or root / "cache")},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("math-good")
    result = build(root, {"index.md": GOOD})
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "site", result.stdout + result.stderr


def test_formulas_are_typeset_at_build_time(good: tuple[Path, str]) -> None:
    site, _ = good
    page = (site / "index.html").read_text(encoding="utf-8")
    assert page.count('<mjx-container class="MathJax" jax="CHTML"') == 6
    assert page.count("<mjx-assistive-mml") == 6, "screen readers need the MathML copy"
    assert "mjx-merror" not in page
    assert "\\sigma" not in page.split("<pre", 1)[0], "TeX source left in the page"
    assert not re.search(r"<script[^>]*mathjax", page, re.IGNORECASE), "no math JavaScript"
    assert 'href="assets/stylesheets/mathjax.css"' in page


def test_one_stylesheet_has_every_glyph_and_local_fonts(good: tuple[Path, str]) -> None:
    site, _ = good
    page = (site / "index.html").read_text(encoding="utf-8")
    css = (site / "assets" / "stylesheets" / "mathjax.css").read_text(encoding="utf-8")
    used = set(re.findall(r'<mjx-c class="(mjx-c[0-9A-F]+)((?: TEX-[A-Z0-9]+)?)"', page))
    assert used
    for char, font in used:
        selector = f"mjx-c.{char}{font.replace(' ', '.')}::before"
        assert selector in css, f"no glyph rule {selector}"
    urls = re.findall(r"url\(\"?([^)\"]+)", css)
    served = re.compile(r"\.\./fonts/mathjax/[\w-]+\.[0-9a-f]{10}\.woff")
    assert urls and all(served.fullmatch(u) for u in urls), urls
    fonts = site / "assets" / "fonts" / "mathjax"
    main = next(fonts.glob("MathJax_Main-Regular.*.woff"))
    source = ROOT / "node_modules/mathjax-full/es5/output/chtml/fonts/woff-v2"
    assert main.stat().st_size < 0.8 * (source / "MathJax_Main-Regular.woff").stat().st_size
    assert (fonts / "LICENSE").is_file()
    assert "Apache" in css.splitlines()[0], "keep MathJax's licence notice"
    # A line break inside a CSS string (`content: "}"`) drops the rest of the sheet.
    for line in css.splitlines():
        assert line.replace('\\"', "").count('"') % 2 == 0, f"broken string in {line!r}"


def test_cjk_punctuation_stays_with_its_formula(good: tuple[Path, str]) -> None:
    site, _ = good
    page = (site / "index.html").read_text(encoding="utf-8")
    nowrap = re.findall(r'<span class="math-nowrap">.*?</mjx-container></span>(.)</span>', page)
    assert sorted(nowrap) == sorted(["。", "，"]), nowrap  # σ²。 and x̂ = …，


def test_long_inline_math_gets_its_own_scroll_box(good: tuple[Path, str]) -> None:
    site, _ = good
    page = (site / "index.html").read_text(encoding="utf-8")
    assert page.count('class="arithmatex arithmatex--long"') == 1


def test_builds_are_identical_and_warm_builds_skip_node(
    good: tuple[Path, str], tmp_path: Path
) -> None:
    site, _ = good
    warm = site.parent / "cache"
    result = build(tmp_path, {"index.md": GOOD}, cache=warm)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "math: 0 formulas typeset (0.0 s in MathJax), 6 from cache" in result.stderr
    for name in ("index.html", "assets/stylesheets/mathjax.css"):
        assert (tmp_path / "site" / name).read_bytes() == (site / name).read_bytes(), name


def test_corrupt_cache_entries_are_typeset_again(tmp_path: Path) -> None:
    """A build killed mid-write leaves a truncated entry: it is redone, not fatal."""
    text = "# Cache\n\n$q + 1$\n"
    assert build(tmp_path / "a", {"index.md": text}, cache=tmp_path / "cache").returncode == 0
    entries = list((tmp_path / "cache").rglob("*.json"))
    assert len(entries) == 2  # the formula and the stylesheet
    for entry in entries:
        entry.write_text(entry.read_text(encoding="utf-8")[:20], encoding="utf-8")
    result = build(tmp_path / "b", {"index.md": text}, cache=tmp_path / "cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "math: 1 formulas typeset" in result.stderr


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("math-faults")
    result = build(root, {"index.md": "# Faults\n", **FAULTS})
    assert result.returncode != 0, "a strict build with bad math must fail"
    return result.stdout + result.stderr


@pytest.mark.parametrize(
    "page,line,message",
    [
        ("frac.md", 3, "TeX error in $\\frac{a}$: Missing argument for \\frac"),
        ("macro.md", 3, "TeX error in $\\undefinedmacro x$: Undefined control sequence"),
        ("unbalanced.md", 3, "TeX delimiter '$$' left as text"),
        ("dollar.md", 3, "TeX delimiter '$' left as text"),
        ("heading.md", 3, "math in heading 'When $\\eta > 2$ it diverges'"),
        ("table.md", 5, "TeX delimiter '$' left as text"),
    ],
)
def test_bad_math_fails_the_build_naming_page_and_formula(
    faults: str, page: str, line: int, message: str
) -> None:
    lines = [entry for entry in faults.splitlines() if f"math: docs/{page}:{line}: " in entry]
    assert lines, f"no error for {page} in:\n{faults[-3000:]}"
    assert any(message in line for line in lines), lines


# -- the real site ------------------------------------------------------------

HEADING = re.compile(r'<h([1-6])(?: id="([^"]*)")?[^>]*>(.*?)</h\1>', re.DOTALL)
TEX = re.compile(r"\\[()\[\]A-Za-z]|\$|mjx-container|arithmatex")


def _text(fragment: str) -> str:
    fragment = re.sub(r'<a class="headerlink".*?</a>', "", fragment, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def test_headings_toc_and_search_titles_hold_no_math(site: Path) -> None:
    """LAYOUT: no math in headings. TeX in a heading reaches the table of
    contents and search as source, and its anchor as residue (`\\eta` ->
    `eta`): every heading's anchor must be the slug of the text readers see."""
    slug = slugify(case="lower")
    problems = []
    for page in sorted(site.rglob("*.html")):
        where = page.relative_to(site).as_posix()
        text = page.read_text(encoding="utf-8")
        for _, anchor, inner in HEADING.findall(text):
            shown = _text(inner)
            if TEX.search(inner.split('<a class="headerlink"')[0]):
                problems.append(f"{where}: math in heading {shown!r}")
            elif anchor and 'class="headerlink"' in inner and not anchor.startswith("tag:"):
                expected = slug(shown, "-")
                if not re.fullmatch(re.escape(expected) + r"(_\d+)?", anchor):
                    problems.append(f"{where}: anchor #{anchor} of {shown!r} is not #{expected}")
        for title in re.findall(r'<a href="#[^"]*" class="md-nav__link">(.*?)</a>', text, re.S):
            if TEX.search(title):
                problems.append(f"{where}: math in the table of contents: {_text(title)!r}")
    for index in sorted(site.rglob("search_index.json")):
        for doc in json.loads(index.read_text(encoding="utf-8"))["docs"]:
            if TEX.search(doc["title"]):
                problems.append(f"{index.relative_to(site)}: search title {doc['title']!r}")
    assert not problems, "\n".join(problems)
