"""Root-relative URLs for every `<link>` and `<script src>` of a page.

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


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    site = urlsplit(config.site_url or "/").path or "/"
    if not site.endswith("/"):
        site += "/"
    # Directory URLs: a page's relative links resolve against its directory.
    directory = posixpath.dirname(site + page.url) + "/" if page.url else site
    return _URL.sub(lambda m: m[1] + rooted(m[2], directory) + m[3], output)
