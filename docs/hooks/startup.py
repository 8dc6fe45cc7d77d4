"""HTML shaped so that Material's start-up restyles little of the page.

Each part below was found in a Chromium trace of the longest question page
(~18,000 elements, most of them MathJax glyph boxes) at phone size and 2.45x
CPU, where every whole-document restyle costs a phone half a second or more.
`assets/javascripts/startup.js` is the other half, in the browser.

1. Root-relative URLs for every `<link>` and `<script src>` of a page.
MkDocs writes page-relative URLs (`../assets/stylesheets/main.css`). Material's
instant navigation makes each relative `href` and `src` absolute at start-up by
assigning it its own value (`el.href = el.href`), so that links still resolve
after it has pushed the next page's URL. For a stylesheet `<link>` that write
reloads the stylesheet, and every reload restyles and lays out the whole
document: on the longest question page, in a Chromium trace at phone size and
2.45x CPU, ~1.7 s of the bundle's start-up (~21,700 elements restyled). A
root-relative URL (`/dl-interview-kb/assets/...`) means the same from any page,
so `assets/javascripts/startup.js` lets those self-assignments do nothing, and
the head stays the same markup on every page, which instant navigation relies
on to keep a page's stylesheets across a swap.

The site's path comes from `site_url` (each language's config has its own), so
`mkdocs serve`, which serves below that path, and GitHub Pages agree. Absolute
URLs (`https:`, `data:`, `/path`, `//host`) and fragments are left alone.

2. Each table in Material's scroll box already. Material wraps every table
without a class in its scroll box at start-up (`<div class="md-typeset__scrollwrap">
<div class="md-typeset__table">`), taking each one out of the page and putting
it back. Where the table's parent is an answer block, whose children its
stylesheet styles by position (`details > :last-child`), that restyled the
whole answer around it; and even alone in a plain box, each table's own
restyle and layout cost the longest page ~0.9 s at 2.45x CPU. The hook writes
Material's box around each table, in Material's markup, so the page is laid
out once in its final shape, and `startup.js` keeps Material from wrapping a
table that is already in it. The box also carries the table's row count
(`style="--rows: N"`): off screen, the browser skips laying the table out and
reserves an estimated height for it (`extra.css`), which that count scales.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urlsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

# The URL attribute of the two elements whose self-assignment costs (a tag's
# attributes are written by MkDocs and Material's templates, double-quoted).
_URL = re.compile(r'(<(?:link|script)\b[^>]*?\s(?:href|src)=")([^"]+)(")')
_ABSOLUTE = re.compile(r"[a-z][a-z0-9+.-]*:|/|#", re.I)


def rooted(url: str, page_directory: str) -> str:
    """`url` as written on a page served from `page_directory` (a path that
    starts and ends with `/`), relative to the host instead.

    >>> rooted("../assets/main.css", "/kb/en/classical-ml/")
    '/kb/en/assets/main.css'
    """
    if _ABSOLUTE.match(url):
        return url
    joined = posixpath.normpath(posixpath.join(page_directory, url))
    return joined + "/" if url.endswith("/") and joined != "/" else joined


# The tables Material mounts (`table:not([class])`): Markdown's, never nested.
_TABLE = re.compile(r"<table>.*?</table>", re.S)


def boxed(table: str) -> str:
    """`table` inside Material's scroll box (its bundle's table wrapper, as it
    writes it), which carries the table's row count.

    >>> boxed("<table><tr><td>1</td></tr></table>")[:56]
    '<div class="md-typeset__scrollwrap" style="--rows: 1"><d'
    """
    rows = table.count("<tr")
    return (
        f'<div class="md-typeset__scrollwrap" style="--rows: {rows}">'
        f'<div class="md-typeset__table">{table}</div></div>'
    )


def on_page_content(html: str, **_: object) -> str:
    return _TABLE.sub(lambda m: boxed(m[0]), html)


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    site = urlsplit(config.site_url or "/").path  # MkDocs ends site_url with "/"
    # Directory URLs: a page's relative links resolve against its directory
    # ("" for the home page, "classical-ml/", "404.html").
    directory = posixpath.dirname(site + page.url) + "/"
    return _URL.sub(lambda m: m[1] + rooted(m[2], directory) + m[3], output)
