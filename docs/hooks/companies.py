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
from mkdocs.utils.meta import get_data

HEADING = re.compile(r"^##[ \t]+(?P<title>.+?)(?:[ \t]*\{(?P<attrs>[^}]*)\})?[ \t]*$", re.M)
COMPANY = re.compile(r'data-company="(?P<key>[^"]+)"')
FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1", re.M | re.S)


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


def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    slugify = _slugify(config)
    companies = config.extra.get("companies", {})
    _questions.clear()
    for page in nav.pages:
        source = Path(page.file.abs_src_path).read_text(encoding="utf-8")
        body = FENCE.sub("", get_data(source)[0])
        if "type: answer" not in body:
            continue  # not a page of interview questions
        title = next(iter(re.findall(r"^#[ \t]+(.+)$", body, re.M)), page.file.name)
        for match in HEADING.finditer(body):
            company = COMPANY.search(match["attrs"] or "")
            key = company["key"] if company else None
            if key is not None and key not in companies:
                raise PluginError(
                    f"{page.file.src_uri}: unknown company '{key}' (known: {', '.join(companies)})"
                )
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
    markdown = COMPANY.sub(
        lambda m: f'{m[0]} data-label="{companies.get(m["key"], m["key"])}"', markdown
    )
    markdown = markdown.replace("<!-- questions:company -->", _by_company(page, config))
    return markdown.replace("<!-- questions:topic -->", _by_topic(page))
