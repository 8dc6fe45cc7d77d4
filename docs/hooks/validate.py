"""Fail the build on page sources that MkDocs would otherwise publish broken.

MkDocs is lenient where an author needs it to be strict:

- a page that is not valid UTF-8 stops the build with a `UnicodeDecodeError`
  that names no file;
- front matter that is not valid YAML (`tags: [a, b` without its `]`) is
  silently kept as page text: it becomes a heading, changes the `<title>`, and
  the page drops out of the tags index;
- an image whose alt text has an unbalanced `]`, like `![range (0, 0.25]](x.svg)`,
  is published as the raw Markdown, with no figure.

This hook checks every documentation page and raises a PluginError naming the
file, the line (or byte offset) and the fix. It runs before the other hooks
that read page sources (list it before them in `hooks:`).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

try:  # the loader MkDocs' own front-matter parser uses (mkdocs.utils.meta)
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader  # type: ignore[assignment]

# As in mkdocs.utils.meta: front matter is the text between a first line `---`
# and the next line `---` (or `...`).
FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.S)
OPENS_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n")
CLOSES_FRONT_MATTER = re.compile(r"^(?:-{3}|\.{3})[ \t]*$", re.M)
# Text outside these elements (and math) is prose; inside them `![` is legitimate
# (TeX's `[\![x]\!]`, code about Markdown).
CODE_ELEMENTS = {"code", "pre", "script", "style", "kbd", "samp", "textarea"}
VOID_ELEMENTS = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


def _where(file: File, config: MkDocsConfig) -> str:
    """The file as the author knows it: relative to the repository (config) root."""
    path = Path(file.abs_src_path or file.src_uri)
    root = Path(config.config_file_path).parent
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise PluginError(
            f"{where}: byte 0x{data[error.start]:02x} at offset {error.start} "
            f"(line {line}, column {column}) is not UTF-8 ({error.reason}). "
            "Save the file as UTF-8 (and retype the character there)."
        ) from None


def _check_front_matter(text: str, where: str) -> None:
    """Raise unless the page's front matter, if it has any, is a YAML mapping."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    match = FRONT_MATTER.match(text)
    if match is None:
        if OPENS_FRONT_MATTER.match(text) and not CLOSES_FRONT_MATTER.search(text, 3):
            raise PluginError(
                f"{where}:1: front matter opens with '---' but is never closed: "
                "end it with a line '---'."
            )
        return
    try:
        data = yaml.load(match[1], SafeLoader)
    except yaml.YAMLError as error:
        # Where the broken construct starts (the `[` left open), else where YAML
        # gave up. The YAML starts on the file's line 2; marks are 0-based.
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(error, "problem", None) or str(error)
        context = getattr(error, "context", None)
        detail = f"{context}: {problem}" if context else problem
        raise PluginError(
            f"{where}:{line}: front matter is not valid YAML ({detail}); MkDocs would "
            "publish it as page text. Fix the YAML between the two '---' lines "
            "(close brackets and quotes, e.g. `tags: [a, b]`)."
        ) from None
    if data is not None and not isinstance(data, dict):
        raise PluginError(
            f"{where}:2: front matter is a YAML {type(data).__name__}, not a mapping; MkDocs "
            "would publish it as page text. Write `key: value` lines between the '---' lines."
        )


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for file in files.documentation_pages():
        if file.abs_src_path is None:
            continue  # generated in memory by a plugin
        where = _where(file, config)
        _check_front_matter(_decode(Path(file.abs_src_path).read_bytes(), where), where)
    return files


class _Prose(HTMLParser):
    """Collects the text of an HTML fragment outside code and math."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, bool]] = []  # (tag, inside code or math)
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_ELEMENTS:
            return
        classes = (dict(attrs).get("class") or "").split()
        skip = tag in CODE_ELEMENTS or "arithmatex" in classes
        self.open.append((tag, skip or bool(self.open and self.open[-1][1])))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                return

    def handle_data(self, data: str) -> None:
        if not (self.open and self.open[-1][1]):
            self.chunks.append(data)


def _source_line(page: Page, fragment: str) -> int | None:
    """The line of the page's source file where `fragment` starts, if found."""
    if not page.file.abs_src_path or not fragment:
        return None
    try:
        lines = Path(page.file.abs_src_path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for number, line in enumerate(lines, start=1):
        if fragment in line:
            return number
    return None


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if "![" not in html:
        return html  # most pages: nothing to look at, and parsing costs 0.1-0.3 s
    prose = _Prose()
    prose.feed(html)
    prose.close()
    text = "".join(prose.chunks)
    start = text.find("![")
    if start < 0:
        return html
    excerpt = text[start : start + 60].split("\n")[0]
    # The Markdown as written, else its alt text alone (a figure a hook wrote
    # from an `alt:` line, as in notebook pages).
    line = _source_line(page, excerpt[:20]) or _source_line(page, excerpt[2:22])
    where = _where(page.file, config) + (f":{line}" if line else "")
    raise PluginError(
        f"{where}: image Markdown published as text: {excerpt!r}. The alt text probably "
        "holds an unbalanced ']' (or the link part is malformed): escape it as '\\]' or "
        "reword the alt text, and check the '(path)' right after it."
    )
