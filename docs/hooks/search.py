"""What the search index holds, and how it is written.

Material's search plugin (configured in mkdocs.yml / mkdocs.en.yml) splits each
page into sections at its headings and writes search/search_index.json. This
hook changes three things about it:

1. What a section's text is (`on_config` swaps in `_Parser`, a subclass of
   Material's HTML parser):
   - Math is text. docs/hooks/mathjax.py puts MathJax's CommonHTML in each
     `.arithmatex` element; Material would index the hidden MathML copy's
     characters run together (`QKdk`), or without that hook the TeX with its
     delimiters (`\\(QK^\\top\\)`). Either way the formula becomes one linear,
     readable string (`QK^T/√d_k`, with the real symbols), read from the MathML, else from the TeX.
   - Code blocks are left out. Every one is the same in both languages
     (snippets/), they were 28% of the Chinese index's text (gzip 673 ->
     552 KB without them), and a result showed one as a run of tokens. The
     prose around a code block names what it computes; inline code stays.
   - Tables stay tables: a table is a list of rows (`<ul><li>`, which Material
     keeps and shows in results), its cells separated by " · ", instead of one
     run of words.
2. Glossary terms are keywords (`on_post_build`): every row of
   docs/<lang>/glossary.md names a term (中文 and English, with abbreviations)
   and links to the question that explains it. Those names are added to that
   question's entry in a `keywords` field (boosted in mkdocs.yml `fields`,
   indexed but not shown), so 批归一化 finds the BatchNorm question although
   the page says "BatchNorm", and "residual" finds ResNet.
3. How the file is written: UTF-8 (`ensure_ascii=False`: Material's default
   turned every CJK character into a 6-byte `\\uXXXX`), and without the zero-width
   spaces (U+200B) that jieba's segmentation leaves next to characters that
   separate words anyway (spaces, punctuation, markup), which only cost bytes.

Queries are segmented in the browser the way this index is segmented:
assets/javascripts/workers/search-segment.js; the index is fetched only when
the reader opens search: assets/javascripts/search.js.
"""

from __future__ import annotations

import gzip
import html
import json
import logging
import re
import unicodedata
from pathlib import Path
from typing import Any

from material.plugins.search import plugin as material_search
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files

log = logging.getLogger("mkdocs.hooks.search")

CELL = " · "
ZWSP = "\u200b"
# MathML elements whose text is the formula's; the rest of MathJax's output
# (mjx-* elements drawing glyphs from CSS) holds no text.
MATHML_TEXT = {"mi", "mn", "mo", "mtext", "ms"}
# The glyph boxes, which draw the formula but hold none of its text.
CHTML_GLYPHS = re.compile(r"<mjx-math\b.*?</mjx-math>", re.DOTALL)
# Accents MathJax writes as <mover>: the combining character that draws them.
ACCENTS = {"^": "\u0302", "~": "\u0303", "¯": "\u0304", "‾": "\u0305", "→": "\u20d7", "˙": "\u0307"}
# Operators that read better with spaces around them (not inside sub/superscripts).
SPACED = set("=+-<>\u2212\u00d7\u00b7\u2264\u2265\u2248\u2260\u2208\u2192\u21a6\u21d2")
BIG_OPERATORS = set("\u2211\u220f\u222b\u22c3\u22c2") | {"max", "min", "lim", "arg max", "argmax"}
GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
    "sigma tau upsilon phi chi psi omega"
)
TEX_SYMBOLS = {
    **{
        name: unicodedata.lookup(f"GREEK SMALL LETTER {name.upper().replace('LAMBDA', 'LAMDA')}")
        for name in GREEK.split()
    },
    **{
        name.capitalize(): unicodedata.lookup(
            f"GREEK CAPITAL LETTER {name.upper().replace('LAMBDA', 'LAMDA')}"
        )
        for name in GREEK.split()
    },
    "varepsilon": "ε",
    "varphi": "φ",
    "cdot": "·",
    "times": "\u00d7",
    "sum": "∑",
    "prod": "∏",
    "int": "∫",
    "infty": "∞",
    "partial": "∂",
    "nabla": "∇",
    "leq": "≤",
    "le": "≤",
    "geq": "≥",
    "ge": "≥",
    "neq": "≠",
    "approx": "≈",
    "in": "∈",
    "to": "→",
    "top": "\u22a4",
    "sqrt": "√",
}


def _wrap(text: str) -> str:
    """Parenthesise an operand that has operators in it: (a+b)/c, but QK^T/√d_k."""
    return f"({text})" if re.search(r"[\s+\-=/,\u2212\u00b7\u00d7]", text) else text


class _MathML:
    """A MathML tree, read from the parser's events, written out as linear text."""

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[_MathML | str] = []

    def text(self, script: bool = False) -> str:
        parts = [
            c if isinstance(c, str) else c.text(script or self._scripted()) for c in self.children
        ]
        tag = self.tag
        if tag in MATHML_TEXT:
            value = "".join(parts).strip()
            if tag == "mo" and value in SPACED and not script:
                return f" {value} "
            return value
        if tag == "mspace":
            return " "
        if tag == "mfrac" and len(parts) == 2:
            return f"{_wrap(parts[0].strip())}/{_wrap(parts[1].strip())}"
        if tag == "msqrt":
            return "√" + _wrap("".join(parts).strip())
        if tag == "mroot" and len(parts) == 2:
            return f"√[{parts[1]}]{_wrap(parts[0].strip())}"
        if tag in ("msub", "munder") and len(parts) == 2:
            text = f"{parts[0]}_{_wrap(parts[1].strip())}"
            return text + " " if parts[0].strip() in BIG_OPERATORS else text
        if tag in ("msup", "mover") and len(parts) == 2:
            base, over = parts[0], parts[1].strip()
            if tag == "mover" and over in ACCENTS and len(base) == 1:
                return base + ACCENTS[over]
            return f"{base}^{_wrap(over)}"
        if tag in ("msubsup", "munderover") and len(parts) == 3:
            text = f"{parts[0]}_{_wrap(parts[1].strip())}^{_wrap(parts[2].strip())}"
            return text + " " if parts[0].strip() in BIG_OPERATORS else text
        if tag == "mtr":
            return " ".join(p.strip() for p in parts)
        if tag == "mtable":
            return "; ".join(p.strip() for p in parts)
        return "".join(parts)

    def _scripted(self) -> bool:
        return self.tag in ("msub", "msup", "msubsup", "munder", "mover", "munderover")


def _tex_text(tex: str) -> str:
    """Readable text for raw TeX (math that docs/hooks/mathjax.py did not render)."""
    tex = tex.strip()
    for start, end in (("\\(", "\\)"), ("\\[", "\\]"), ("$$", "$$"), ("$", "$")):
        if tex.startswith(start) and tex.endswith(end) and len(tex) >= len(start) + len(end):
            tex = tex[len(start) : -len(end)]
            break
    tex = re.sub(r"\\(?:left|right|big|Big|bigg|Bigg)\b", "", tex)
    for _ in range(3):  # nested \frac{}{} and \sqrt{}
        tex = re.sub(
            r"\\frac\{([^{}]*)\}\{([^{}]*)\}", lambda m: f"{_wrap(m[1])}/{_wrap(m[2])}", tex
        )
        tex = re.sub(r"\\sqrt\{([^{}]*)\}", lambda m: "√" + _wrap(m[1]), tex)
    tex = re.sub(r"\\([A-Za-z]+)(?![A-Za-z{])", lambda m: TEX_SYMBOLS.get(m[1], m[1]), tex)
    tex = re.sub(r"\\[A-Za-z]+\{", "{", tex)  # \mathrm{x}, \text{x}, \hat{x}: x
    tex = re.sub(r"\\[,;:! ]|[{}]|&", " ", tex).replace("\\\\", ";")
    return re.sub(r"\s+", " ", tex).strip()


# The parser Material ships (kept across re-imports of this hook by `mkdocs serve`).
_MATERIAL_PARSER = getattr(material_search, "_material_parser", material_search.Parser)
material_search._material_parser = _MATERIAL_PARSER  # type: ignore[attr-defined]


class _Parser(_MATERIAL_PARSER):
    """Material's section parser, with math as text and tables as row lists."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._math: list[Any] | None = None  # open elements inside a formula
        self._math_tex: list[str] = []
        self._math_tree: _MathML | None = None
        self._cells = 0

    def feed(self, data: str) -> None:
        # MathJax's glyph boxes hold no text (the MathML copy does) but are two
        # thirds of a page's tags: parsing them cost ~0.3 s per page.
        super().feed(CHTML_GLYPHS.sub("", data))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._math is not None:
            self._math_start(tag, dict(attrs))
            return
        if "arithmatex" in (dict(attrs).get("class") or "").split():
            super().handle_starttag(tag, attrs)
            self._math, self._math_tex, self._math_tree = [tag], [], None
            return
        if tag == "pre":
            attrs = [*attrs, ("data-search-exclude", "")]
        elif tag == "table":
            tag = "ul"
        elif tag == "tr":
            tag, self._cells = "li", 0
        elif tag in ("td", "th"):
            if self._cells:
                super().handle_data(CELL)
            self._cells += 1
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self._math is not None and self._math_end(tag):
            return
        super().handle_endtag({"table": "ul", "tr": "li"}.get(tag, tag))

    def handle_data(self, data: str) -> None:
        if self._math is None:
            super().handle_data(data)
        elif self._math_tree is not None:
            node = self._math_tree
            for _ in self._math[self._math_depth :]:
                node = node.children[-1]  # type: ignore[assignment]
            node.children.append(data)
        elif not any(t.startswith("mjx-") for t in self._math):
            self._math_tex.append(data)

    # A formula: its elements are tracked here, not in Material's context.
    _math_depth = 0

    def _math_start(self, tag: str, attrs: dict[str, str | None]) -> None:
        assert self._math is not None
        if tag in material_search.void:
            return
        if tag == "math":
            self._math_tree = _MathML(tag, attrs)
            self._math_depth = len(self._math) + 1
        elif self._math_tree is not None:
            node = self._math_tree
            for _ in self._math[self._math_depth :]:
                node = node.children[-1]  # type: ignore[assignment]
            node.children.append(_MathML(tag, attrs))
        self._math.append(tag)

    def _math_end(self, tag: str) -> bool:
        """Close an element inside a formula; True if it was not the formula itself."""
        assert self._math is not None
        if tag not in self._math:
            return True
        while self._math and self._math[-1] != tag:
            self._math.pop()
        self._math.pop()
        if self._math:
            return True
        text = (
            self._math_tree.text()
            if self._math_tree
            else _tex_text(html.unescape("".join(self._math_tex)))
        )
        self._math, self._math_tree = None, None
        super().handle_data(f" {re.sub(r' {2,}', ' ', text).strip()} ")
        super().handle_endtag(tag)
        return True


_state: dict[str, Any] = {}
# Text of a field -> its thinned text. Hooks stay loaded across the rebuilds of
# `mkdocs serve`, and so does this: a rebuild after one edit thins only the
# edited page's sections (thinning every section took ~0.4 s per rebuild).
_thinned: dict[str, str] = {}


def on_startup(command: str, dirty: bool) -> None:
    # Gzip sizes are for the log of a build; a preview has no use for them.
    _state["serving"] = command == "serve"


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    # Material's SearchIndex looks its parser up by this module-level name.
    material_search.Parser = _Parser
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    _state["files"] = files
    return files


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+\.md)(#[^)\s]*)?\)")


def _cell_text(cell: str) -> str:
    cell = re.sub(r"\$[^$]*\$|`[^`]*`|\*\*|<[^>]+>", " ", cell)
    return re.sub(r"\s+", " ", cell).strip()


def glossary_keywords(markdown: str, lang: str) -> list[tuple[str, str, str]]:
    """(page path, #anchor, keywords) for each glossary row: the row's first two
    cells (中文, English), the English cell alone on non-Chinese sites."""
    rows = []
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.lstrip().startswith("|") or len(cells) < 3 or set(cells[0]) <= set("-: "):
            continue
        names = [_cell_text(c) for c in cells[:2]]
        words = " ".join(dict.fromkeys(n for n in (names if lang == "zh" else names[1:]) if n))
        for match in LINK.finditer(cells[-1]):
            rows.append((match[1], match[2] or "", words))
    return rows


def _thin_zwsp(text: str, separator: re.Pattern[str]) -> str:
    """Drop each U+200B that is not the only thing between two word characters."""

    def keep(match: re.Match[str]) -> str:
        start, end = match.span()
        before = text[start - 1] if start else ""
        after = text[end : end + 2]
        if not before or not after or before in "<>" or after[0] in "<>":
            return ""
        if separator.match(before) or separator.match(after):
            return ""
        return ZWSP

    return re.sub(f"{ZWSP}+", keep, text)


@event_priority(-100)  # after Material's search plugin has written the index
def on_post_build(config: MkDocsConfig) -> None:
    path = Path(config.site_dir) / "search" / "search_index.json"
    if not path.is_file():
        return
    raw = path.read_bytes()
    index = json.loads(raw)
    lang = index["config"]["lang"][0]
    separator = re.compile(index["config"]["separator"])
    search = config.plugins.get("material/search") or config.plugins.get("search")
    segment = getattr(getattr(search, "search_index", None), "_segment_chinese", lambda s: s)

    by_location = {doc["location"]: doc for doc in index["docs"]}
    glossary = Path(config.docs_dir) / "glossary.md"
    files: Files | None = _state.get("files")
    added = 0
    if glossary.is_file() and files is not None:
        for target, anchor, words in glossary_keywords(glossary.read_text("utf-8"), lang):
            file = files.get_file_from_path(target)
            doc = by_location.get((file.url if file else "") + anchor)
            if doc is None or not words:
                continue
            doc["keywords"] = " ".join(filter(None, [doc.get("keywords"), segment(words)]))
            added += 1

    seen: dict[str, str] = {}
    for doc in index["docs"]:
        for field in ("title", "text", "keywords"):
            if field in doc:
                text = doc[field]
                thinned = _thinned.get(text)
                if thinned is None:
                    thinned = _thin_zwsp(text, separator)
                doc[field] = seen[text] = thinned
    _thinned.clear()
    _thinned.update(seen)  # only what this build's index holds
    out = json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path.write_bytes(out)
    sizes = f"{len(raw)} -> {len(out)} bytes"
    if not _state.get("serving"):
        sizes += f" (gzip {len(gzip.compress(raw, mtime=0))} -> {len(gzip.compress(out, mtime=0))})"
    log.info("search: %s index %s; %d glossary keyword sets", lang, sizes, added)
