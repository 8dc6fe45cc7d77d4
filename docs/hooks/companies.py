"""Question-level company tags and the question index.

Material's tags plugin tags whole pages; an interview page holds many
questions, and only some were asked at a given company. A question heading
carries the company as an attribute:

    ## 为什么 ReLU 比 sigmoid 好 { data-company="bytedance" }

This hook (1) adds the company's display name in the page's language
(`extra.companies`) as `data-label`, shown as a badge by extra.css, and
(2) replaces `<!-- questions:company -->` on a page with every tagged question
grouped by company, and `<!-- questions:topic -->` with every question of the
site grouped by page (pages with answer blocks), each linked to its anchor.

The attribute list of a question heading may hold `data-company` (in double,
single or no quotes), `#id` and `.class`; anything else, an unknown company, a
company on a heading other than a question (level 2), or an attribute list
that does not parse fails the build, naming the page and the line: a tag the
hook cannot read would otherwise drop the question from the index silently.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

HEADING = re.compile(r"^##[ \t]+(?P<title>.+?)(?:[ \t]*\{(?P<attrs>[^}]*)\})?[ \t]*$", re.M)
FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1", re.M | re.S)
FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n.*?\n(?:\.{3}|-{3})[ \t]*\n", re.S)
# One item of an attr_list: key="v", key='v', key=v, .class or #id.
ATTR = re.compile(
    r"""\s*(?:(?P<key>[\w:-]+)=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'=]+))"""
    r"""|(?P<cls>\.[\w-]+)|(?P<id>\#[\w-]+))\s*"""
)
ATTR_KEYS = ("data-company",)


@dataclass(frozen=True)
class Question:
    page_uri: str
    page_title: str
    title: str
    anchor: str
    company: str | None


_questions: list[Question] = []


def _slugify(config: MkDocsConfig):
    return config.mdx_configs["toc"]["slugify"]


def _blank(match: re.Match[str]) -> str:
    """Replace a match by as many empty lines, so line numbers still hold."""
    return "\n" * match[0].count("\n")


def _prose(source: str) -> str:
    """The page source without front matter and fenced code, lines kept in place."""
    return FENCE.sub(_blank, FRONT_MATTER.sub(_blank, source.replace("\r\n", "\n")))


def parse_attrs(attrs: str, where: str) -> dict[str, str]:
    """The key=value items of a heading's attr_list (quotes removed); raise
    PluginError naming `where` on anything but data-company, #id and .class."""
    items: dict[str, str] = {}
    text = attrs.strip().removeprefix(":")
    position = 0
    while position < len(text):
        match = ATTR.match(text, position)
        if match is None or match.end() == position:
            raise PluginError(
                f"{where}: cannot parse the attribute list {{{attrs}}} at {text[position:]!r}. "
                'Write it as { data-company="key" }.'
            )
        position = match.end()
        key = match["key"]
        if key is None:
            continue  # .class or #id
        if key not in ATTR_KEYS:
            raise PluginError(
                f"{where}: unknown heading attribute '{key}'. A question heading takes "
                '{ data-company="key" } (and #id, .class); check the spelling.'
            )
        items[key] = next(v for v in (match["dq"], match["sq"], match["bare"]) if v is not None)
    return items


def _company(match: re.Match[str], where: str, companies: dict[str, str]) -> str | None:
    key = parse_attrs(match["attrs"], where).get("data-company") if match["attrs"] else None
    if key is not None and key not in companies:
        raise PluginError(
            f"{where}: unknown company '{key}' in data-company. Use one of: "
            f"{', '.join(companies)} (extra.companies in mkdocs.yml), or add it there."
        )
    return key


def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    slugify = _slugify(config)
    companies = config.extra.get("companies", {})
    root = Path(config.config_file_path).parent
    _questions.clear()
    for page in nav.pages:
        path = Path(page.file.abs_src_path)
        body = _prose(path.read_text(encoding="utf-8"))
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        headings = {}
        for match in HEADING.finditer(body):
            line = body.count("\n", 0, match.start()) + 1
            headings[line] = match
            if re.search(r"\{[^}]*$", match["title"]) or "data-company" in match["title"]:
                raise PluginError(
                    f"{name}:{line}: unbalanced braces in the heading {match[0].strip()!r}. "
                    'Close its attribute list: ## Question? { data-company="key" }'
                )
            _company(match, f"{name}:{line}", companies)
        for line, text in enumerate(body.splitlines(), start=1):
            if "data-company" in re.sub(r"`+[^`]*`+", "", text) and line not in headings:
                raise PluginError(
                    f"{name}:{line}: data-company outside a question heading. Put it at the "
                    'end of a level-2 heading: ## Question? { data-company="key" }'
                )
        if "type: answer" not in body:
            continue  # not a page of interview questions
        title = next(iter(re.findall(r"^#[ \t]+(.+)$", body, re.M)), page.file.name)
        for line, match in headings.items():
            key = _company(match, f"{name}:{line}", companies)
            anchor = slugify(match["title"], "-")
            _questions.append(Question(page.file.src_uri, title, match["title"], anchor, key))
    return nav


def _link(question: Question, page: Page) -> str:
    target = Path(question.page_uri)
    here = Path(page.file.src_uri).parent
    rel = Path(*[".."] * len(here.parts), target).as_posix() if here.parts else target.as_posix()
    return f"[{question.title}]({rel}#{question.anchor})"


def _by_company(page: Page, config: MkDocsConfig) -> str:
    grouped: dict[str, list[Question]] = defaultdict(list)
    for question in _questions:
        if question.company:
            grouped[question.company].append(question)
    lines = []
    for key, name in config.extra.get("companies", {}).items():
        lines.append(f"### {name}\n")
        lines += [f"- {_link(q, page)} · *{q.page_title}*" for q in grouped.get(key, [])]
        lines.append("")
    return "\n".join(lines)


def _by_topic(page: Page) -> str:
    grouped: dict[str, list[Question]] = defaultdict(list)
    for question in _questions:
        grouped[question.page_title].append(question)
    lines = []
    for title, questions in grouped.items():
        if questions[0].page_uri == page.file.src_uri:
            continue
        lines.append(f"### {title}\n")
        lines += [f"{i}. {_link(q, page)}" for i, q in enumerate(questions, start=1)]
        lines.append("")
    return "\n".join(lines)


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    companies = config.extra.get("companies", {})

    def label(match: re.Match[str]) -> str:
        if not match["attrs"] or "data-company" not in match["attrs"]:
            return match[0]
        key = _company(match, page.file.src_uri, companies)
        others = ATTR.sub(lambda a: "" if a["key"] else a[0], match["attrs"]).strip(" :")
        attrs = f'{others} data-company="{key}"'.strip() + f' data-label="{companies[key]}"'
        return f"## {match['title']} {{ {attrs} }}"

    parts, last = [], 0
    for fence in FENCE.finditer(markdown):  # headings in code blocks are code
        parts += [HEADING.sub(label, markdown[last : fence.start()]), fence[0]]
        last = fence.end()
    markdown = "".join([*parts, HEADING.sub(label, markdown[last:])])
    markdown = markdown.replace("<!-- questions:company -->", _by_company(page, config))
    return markdown.replace("<!-- questions:topic -->", _by_topic(page))
