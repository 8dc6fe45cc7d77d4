"""Search, as a reader uses it (headless Chromium, the fixtures of test_browser.py)
and as it is shipped (the index files).

The browser tests serve the site at its published origin like test_browser.py;
`DLKB_SITE=/path/to/site pytest tests/test_search.py` reuses a finished build
instead of building one."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import prefix, reader, url
from playwright.sync_api import Browser, Page, expect
from test_browser import LANGS

INDEX = "search/search_index.json"
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$")


def _index_bytes(site: Path, lang: str) -> bytes:
    return (site / prefix(lang) / INDEX).read_bytes()


def _index(site: Path, lang: str) -> dict:
    return json.loads(_index_bytes(site, lang).decode("utf-8"))


@pytest.fixture(scope="module")
def tab(browser: Browser, site: Path) -> Iterator[Callable[[str], Page]]:
    """`tab(lang)`: one reader's tab per language, on its home page, in which
    queries are typed one after another, as a reader drills. The index loads
    once per tab, when search is first opened."""
    with ExitStack() as stack:
        tabs: dict[str, Page] = {}

        def get(lang: str) -> Page:
            if lang not in tabs:
                tabs[lang] = stack.enter_context(reader(browser, site))
                tabs[lang].goto(url(lang))
            return tabs[lang]

        yield get


def _search(page: Page, query: str) -> list[str]:
    """Type `query` into the tab's search box; the result pages' paths in rank
    order (one per page: Material groups sections under their page)."""
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box = page.locator("input.md-search__input")
    results = page.locator(".md-search-result__list > .md-search-result__item > a")
    # An emptied box clears the list, so what appears next answers `query`.
    box.fill("")
    box.press("End")
    expect(results).to_have_count(0)
    box.fill(query)
    box.press("End")  # a keyup, which is what Material sends queries on
    expect(results.first).to_be_attached(timeout=20_000)
    # Results render per worker answer: wait until two reads agree.
    previous: list[str] | None = None
    hrefs: list[str] = []
    for _ in range(20):
        hrefs = results.evaluate_all("els => els.map(a => a.href)")
        if hrefs == previous:
            break
        previous = hrefs
        page.wait_for_timeout(250)
    return list(dict.fromkeys(urlsplit(h).path for h in hrefs))


# --- ranking ---------------------------------------------------------------------------

FIRST = [
    # Chinese: the query is segmented like the index (jieba), so the whole term counts.
    ("zh", "非极大值抑制", "cv/detection/"),
    ("zh", "注意力机制", "architectures/sequence/"),
    ("zh", "批归一化", "normalization/"),
    ("zh", "长短期记忆", "architectures/sequence/"),
    ("zh", "学习率", "optimization/"),
    ("zh", "梯度消失", "foundations/"),
    ("zh", "过拟合", "regularization/"),
    # English: headings and glossary names outrank body text and page tags.
    ("en", "learning rate", "optimization/"),
    ("en", "residual connection", "foundations/"),
    ("en", "ResNet", "architectures/cnn/"),
    ("en", "normalisation", "normalization/"),  # British spelling, American pages
    ("en", "attention mechanism", "architectures/sequence/"),
    ("en", "KV cache", "architectures/transformer/"),
    ("zh", "旋转位置编码", "architectures/transformer/"),
]


# The 2026 topics, by the names readers type (issues 10 and 11): the page that
# answers them is among the first three results.
NEW_TOPICS = [
    ("zh", "KV cache", "architectures/transformer/"),
    ("zh", "LoRA", "llm/fine-tuning/"),
    ("zh", "扩散模型", "generative/diffusion/"),
    ("zh", "RLHF", "llm/alignment/"),
    ("zh", "精确率", "ml/evaluation/"),
    ("zh", "混合精度", "systems/training-at-scale/"),
    ("zh", "量化", "systems/efficiency/"),
    ("zh", "k-means", "ml/models/"),
    ("zh", "DeepFM", "architectures/ranking/"),
    ("en", "rotary position embedding", "architectures/transformer/"),
    ("en", "LoRA", "llm/fine-tuning/"),
    ("en", "diffusion", "generative/diffusion/"),
    ("en", "RLHF", "llm/alignment/"),
    ("en", "ROC", "ml/evaluation/"),
    ("en", "mixed precision", "systems/training-at-scale/"),
    ("en", "quantization", "systems/efficiency/"),
    ("en", "DeepFM", "architectures/ranking/"),
]


@pytest.mark.parametrize("lang,query,expected", NEW_TOPICS)
def test_search_finds_the_new_topics(
    tab: Callable[[str], Page], lang: str, query: str, expected: str
) -> None:
    paths = _search(tab(lang), query)
    want = urlsplit(url(lang, expected)).path
    assert want in paths[:3], f"{query!r}: {want} not in the first three: {paths[:5]}"


@pytest.mark.parametrize("lang,query,expected", FIRST)
def test_search_ranks_the_right_page_first(
    tab: Callable[[str], Page], lang: str, query: str, expected: str
) -> None:
    paths = _search(tab(lang), query)
    want = urlsplit(url(lang, expected)).path
    assert paths and paths[0] == want, f"{query!r}: first is {paths[:1]}, want {want}: {paths}"


def test_an_ambiguous_query_shows_each_meaning_near_the_top(tab: Callable[[str], Page]) -> None:
    """ "residual" is a residual connection (ResNet) or a boosting residual:
    the first results offer both."""
    top = _search(tab("en"), "residual")[:3]
    connection = {urlsplit(url("en", p)).path for p in ("foundations/", "architectures/cnn/")}
    assert connection & set(top), top
    assert urlsplit(url("en", "ml/boosting/")).path in top, top


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
    tab: Callable[[str], Page], lang: str, query: str, expected: str
) -> None:
    hrefs = _search(tab(lang), query)
    want = urlsplit(url(lang, expected)).path
    assert want in hrefs, f"{query!r}: {want} not in {hrefs}"
    root = urlsplit(url(LANGS[0])).path
    for href in hrefs:
        rel = href.removeprefix(root)
        under = [o for o in LANGS if prefix(o) and rel.startswith(prefix(o))]
        assert under == ([lang] if prefix(lang) else []), f"{query!r}: {href} is not {lang}"


# --- snippets ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang,query", [("zh", "BatchNorm"), ("zh", "注意力"), ("en", "BatchNorm"), ("en", "softmax")]
)
def test_result_snippets_show_no_raw_tex(tab: Callable[[str], Page], lang: str, query: str) -> None:
    page = tab(lang)
    _search(page, query)
    # Every teaser, the collapsed "more results" included.
    texts = page.locator(".md-search-result__article").evaluate_all(
        "els => els.map(e => e.textContent)"
    )
    assert texts
    raw = [t[:120] for t in texts if RAW_TEX.search(t)]
    assert not raw, f"{query!r}: raw TeX in {len(raw)} snippets, e.g. {raw[:3]}"


# --- loading ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_index_is_fetched_only_when_search_opens(page: Page, lang: str) -> None:
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if r.url.endswith(INDEX) else None)
    page.goto(url(lang, "normalization/"))
    page.wait_for_load_state("networkidle")
    page.locator("a[href$='optimization/']:visible").first.click()  # instant navigation
    page.wait_for_url(re.compile(r"optimization/$"))
    page.wait_for_load_state("networkidle")
    assert not fetched, f"search index fetched before search was opened: {fetched}"
    with page.expect_request(lambda r: r.url.endswith(INDEX), timeout=10_000):
        page.locator("input.md-search__input").focus()
    box = page.locator("input.md-search__input")
    box.fill("BatchNorm")
    box.press("End")
    expect(page.locator(".md-search-result__item").first).to_be_attached(timeout=20_000)
    assert len(fetched) == 1, fetched


# --- the index files --------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_index_is_utf8_without_escapes(site: Path, lang: str) -> None:
    raw = _index_bytes(site, lang)
    text = raw.decode("utf-8")  # strict: fails on anything that is not UTF-8
    escapes = re.findall(r"(?<!\\)\\u[0-9a-fA-F]{4}", text)
    assert not escapes, f"{lang}: {len(escapes)} \\u escapes, e.g. {escapes[:5]}"
    if lang == "zh":
        assert re.search(r"[\u4e00-\u9fff]", text), "no Chinese written as UTF-8"


def test_zero_width_spaces_only_between_words(site: Path) -> None:
    """jieba's U+200B marks a word boundary; next to a space, punctuation or
    markup it marks nothing and only costs three bytes."""
    index = _index(site, "zh")
    separator = re.compile(index["config"]["separator"])
    needless = 0
    for doc in index["docs"]:
        for field in ("title", "text"):
            value = doc[field]
            for m in re.finditer("\u200b", value):
                before = value[m.start() - 1 : m.start()]
                after = value[m.end() : m.end() + 2]
                at_edge = not before or not after or before in "<>\u200b" or after[0] in "<>"
                if at_edge or separator.match(before) or separator.match(after):
                    needless += 1
    assert needless == 0, f"{needless} zero-width spaces next to a separator"
    assert "\u200b" in json.dumps(index, ensure_ascii=False), "Chinese is no longer segmented"


@pytest.mark.parametrize("lang", LANGS)
def test_index_holds_no_raw_tex(site: Path, lang: str) -> None:
    docs = _index(site, lang)["docs"]
    raw = [
        (d["location"], m.group(0))
        for d in docs
        for field in ("title", "text")
        for m in RAW_TEX.finditer(re.sub(r"<code>.*?</code>", "", d[field], flags=re.S))
    ]
    assert not raw, f"{lang}: {len(raw)} TeX delimiters in the index, e.g. {raw[:5]}"
    assert not any("mjx-" in d["text"] for d in docs), "MathJax markup in the index"


@pytest.mark.parametrize("lang", LANGS)
def test_code_blocks_are_left_out_but_inline_code_stays(site: Path, lang: str) -> None:
    """docs/hooks/search.py: a code block is the same in both languages and
    read as a run of tokens in a result; the prose around it is indexed."""
    docs = _index(site, lang)["docs"]
    blocks = [d["location"] for d in docs if "<pre" in d["text"]]
    assert not blocks, f"{lang}: {len(blocks)} sections index a code block, e.g. {blocks[:3]}"
    assert "def " not in " ".join(d["text"] for d in docs), "code from a block is in the index"
    assert sum("<code>" in d["text"] for d in docs) > 50, "inline code left the index"


@pytest.mark.parametrize("lang", LANGS)
def test_formulas_are_readable_text(site: Path, lang: str) -> None:
    """The BatchNorm formula y = gamma x-hat + beta, from MathJax's MathML (or the TeX)."""
    docs = _index(site, lang)["docs"]
    text = " ".join(d["text"] for d in docs if d["location"].startswith("normalization/"))
    assert "\u03b3" in text and "\u03b2" in text, "the formulas' symbols are missing"
    formula = "y = \u03b3 ?x\u0302? ?\\+ \u03b2"
    assert re.search(formula, text), "the BatchNorm formula is not readable"


@pytest.mark.parametrize("lang", LANGS)
def test_tables_keep_their_rows(site: Path, lang: str) -> None:
    docs = _index(site, lang)["docs"]
    rows = [
        d["location"]
        for d in docs
        if d["location"].startswith("normalization/") and re.search(r"<li>[^<]* · ", d["text"])
    ]
    assert rows, "no table on the normalization page was indexed row by row"


def test_glossary_names_are_keywords_of_their_questions(site: Path) -> None:
    by = {d["location"]: d for d in _index(site, "zh")["docs"]}
    keywords = [d.get("keywords", "") for loc, d in by.items() if loc.startswith("normalization/#")]
    assert any("批归一化" in k for k in keywords), "批归一化 is no keyword of a BatchNorm question"
