"""Quiz mode's toggle, written under the title of every page with answers.

`assets/javascripts/quiz.js` binds the button; its two labels come from
`extra.quiz` in each language's config (`enter` while quiz mode is off,
`leave` while it is on). The button is in the page's HTML rather than inserted
by the script: a node inserted under the article at start-up restyles the
whole article, every formula's glyph boxes included (~0.5 s of a phone's
start-up on the longest question page, in a Chromium trace at 2.47x CPU).

A page with answer blocks but no title, or a language config without both
labels, fails the build, naming the page or the missing label: the reader
would otherwise lose quiz mode on that page without anyone noticing.
"""

from __future__ import annotations

from html import escape

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page

ANSWER = '<details class="answer"'
TITLE_END = "</h1>"


def toggle(labels: dict[str, str]) -> str:
    """The button as quiz mode starts: off, so answers open."""
    return (
        '<button type="button" class="quiz-toggle md-button" aria-pressed="false"'
        f' data-enter="{escape(labels["enter"])}" data-leave="{escape(labels["leave"])}">'
        f"{escape(labels['enter'])}</button>"
    )


def on_page_content(html: str, page: Page, config: MkDocsConfig, **_: object) -> str:
    if ANSWER not in html:
        return html
    labels = config.extra.get("quiz") or {}
    missing = [key for key in ("enter", "leave") if not labels.get(key)]
    if missing:
        raise PluginError(f"{config.config_file_path}: extra.quiz lacks {', '.join(missing)}")
    end = html.find(TITLE_END)
    if end < 0:
        raise PluginError(f"{page.file.src_uri}: has answer blocks but no title for quiz mode")
    end += len(TITLE_END)
    return html[:end] + toggle(labels) + html[end:]
