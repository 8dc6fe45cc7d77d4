"""`make bench`: build times, edit-to-preview times, page weights and search
index sizes.

Measures, in this order: a cold build (empty notebook cache), a warm rebuild
(nothing changed), a rebuild after editing one Markdown page, and a rebuild
after editing one snippets module; then, against a real `mkdocs serve` started
as `make serve` starts it, how long an edit takes to reach the served page
(polled over HTTP, median of 5) for a zh page, an en page and a snippets
module. Edits are reverted afterwards. On the built site: the first-visit
weight of every question page (gzip, computed from the files), and Lighthouse
(npm, mobile preset, simulated throttling) on home, the longest question page,
a notebook page and the glossary in every language, served like GitHub Pages
by a local gzip server. Prints Markdown tables and writes bench/results.json.
`python tests/bench.py lighthouse [SITE]` runs only the last two on a build.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

from conftest import (
    CHROMIUM_ARGS,
    MIME,
    ON_A_PHONE,
    ROOT,
    build_env,
    chromium_path,
    languages,
    launch,
    prefix,
    resolve,
    site_url,
)
from playwright.sync_api import sync_playwright

CACHE = ROOT / ".cache" / "notebooks"
EDITED_PAGE = ROOT / "docs" / "zh" / "activations.md"
EDITED_MODULE = ROOT / "snippets" / "optimizers.py"


def build(site: Path) -> tuple[float, int]:
    """Seconds for a strict build of every language, and notebooks executed."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=build_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if result.returncode:
        sys.exit(result.stderr[-4000:])
    executed = sum(int(n) for n in re.findall(r"Notebooks: (\d+) executed", result.stderr))
    return seconds, executed


@contextmanager
def edited(path: Path, addition: str) -> Iterator[None]:
    original = path.read_bytes()
    path.write_bytes(original + addition.encode())
    try:
        yield
    finally:
        path.write_bytes(original)


@contextmanager
def empty_cache() -> Iterator[None]:
    saved = CACHE.with_name("notebooks.bench-saved")
    if CACHE.exists():
        CACHE.rename(saved)
    try:
        yield
    finally:
        if saved.exists():
            shutil.rmtree(CACHE, ignore_errors=True)
            saved.rename(CACHE)


# `make serve`'s command, on a free port (see the Makefile).
SERVE = [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--livereload"]
PREVIEWS = 5
PREVIEW_TIMEOUT = 120.0


class Server:
    """A running `mkdocs serve`, its log collected line by line."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [*SERVE, "--dev-addr", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=build_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def url(self, path: str) -> str:
        # mkdocs serve mounts the site under site_url's path.
        return f"http://127.0.0.1:{self.port}/dl-interview-kb/{path}"

    def get(self, path: str) -> str:
        try:
            with urllib.request.urlopen(self.url(path), timeout=5) as response:
                return response.read().decode("utf-8", "replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return ""

    def wait_until(self, done, what: str) -> float:
        started = time.perf_counter()
        while not done():
            if time.perf_counter() - started > PREVIEW_TIMEOUT or self.process.poll() is not None:
                sys.exit(f"serve: gave up waiting for {what}:\n{''.join(self.lines[-30:])}")
            time.sleep(0.02)
        return time.perf_counter() - started

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def preview_page(server: Server, source: Path, path: str) -> list[float]:
    """Seconds from saving `source` to the served `path` showing the edit."""
    seconds = []
    for run in range(PREVIEWS):
        marker = f"bench-marker-{os.getpid()}-{run}"
        with edited(source, f"\n\n{marker}\n"):
            seconds.append(server.wait_until(lambda m=marker: m in server.get(path), marker))
        server.wait_until(lambda m=marker: m not in server.get(path), "the revert")
    return seconds


def preview_module(server: Server, module: Path) -> list[float]:
    """Seconds from saving a snippets module to the end of the rebuild that
    re-executed the notebooks importing it (the figures then served are new)."""
    seconds = []
    for _ in range(PREVIEWS):
        before = len(server.lines)

        def rebuilt(start: int = before) -> bool:
            log = "".join(server.lines[start:])
            return "Executed" in log and "Reloading browsers" in log.split("Executed")[-1]

        # A new edit each time: an edit seen before has its notebook in the
        # cache, and the rebuild would execute nothing (the stage then timed out).
        with edited(module, f"\n# bench {time.time_ns()}\n"):
            seconds.append(server.wait_until(rebuilt, f"a rebuild after editing {module.name}"))
            before = len(server.lines)
        server.wait_until(rebuilt, "the rebuild after the revert")
    return seconds


def previews() -> dict[str, dict[str, float]]:
    server = Server()
    try:
        server.wait_until(lambda: "Serving on" in "".join(server.lines), "the first build")
        server.wait_until(lambda: bool(server.get("")), "the first page")
        runs = {
            "zh page (docs/zh/activations.md)": preview_page(
                server, ROOT / "docs" / "zh" / "activations.md", "activations/"
            ),
            "en page (docs/en/activations.md)": preview_page(
                server, ROOT / "docs" / "en" / "activations.md", "en/activations/"
            ),
            f"snippets module ({EDITED_MODULE.relative_to(ROOT)})": preview_module(
                server, EDITED_MODULE
            ),
        }
    finally:
        server.stop()
    return {
        name: {"median_s": round(statistics.median(s), 2), "max_s": round(max(s), 2)}
        for name, s in runs.items()
    }


def page_weights(site: Path) -> dict[str, dict[str, float]]:
    """HTML plus the figures beside it, per page, split into notebook and prose pages."""
    weights: dict[str, list[int]] = {"notebook": [], "prose": []}
    for html in site.rglob("index.html"):
        figures = [p for p in html.parent.iterdir() if p.suffix in (".svg", ".png")]
        kind = "notebook" if "/notebooks/" in html.as_posix() and figures else "prose"
        weights[kind].append(html.stat().st_size + sum(p.stat().st_size for p in figures))
    return {
        kind: {
            "pages": len(sizes),
            "median_kb": round(statistics.median(sizes) / 1024, 1),
            "largest_kb": round(max(sizes) / 1024, 1),
        }
        for kind, sizes in weights.items()
        if sizes
    }


def search_indexes(site: Path) -> dict[str, dict[str, float]]:
    sizes = {}
    for lang in languages():
        data = (site / prefix(lang) / "search" / "search_index.json").read_bytes()
        sizes[lang] = {
            "kb": round(len(data) / 1024, 1),
            "gzip_kb": round(len(gzip.compress(data, mtime=0)) / 1024, 1),
        }
    return sizes


# Search on a phone-sized tab, the site served as GitHub Pages serves it, on
# loopback: from the tap on search until the index is ready (its fetch, its
# parse, and Material's worker building its lunr index: the status line
# changes from "initialising" to "type to search"), then from typing a query
# to its first result. On this host's CPU, not slowed: Chromium's CPU
# throttling slows the page but not the worker, where the indexing runs.
# Median of SEARCH_RUNS fresh tabs per language.
SEARCH_RUNS = 5
SEARCH_QUERY = {"zh": "注意力", "en": "attention"}
STATUS_CHANGED = """initial => {
    const status = document.querySelector('.md-search-result__meta');
    return status && status.textContent !== initial;
}"""


def search_ready(site: Path) -> dict[str, dict[str, float]]:
    times: dict[str, dict[str, float]] = {}
    with pages_server(site) as root, sync_playwright() as playwright:
        browser = launch(playwright)
        for lang in languages():
            ready, query = [], []
            for _ in range(SEARCH_RUNS):
                context = browser.new_context(**ON_A_PHONE)
                page = context.new_page()
                page.goto(root + prefix(lang))
                page.wait_for_load_state("networkidle")
                status = page.locator(".md-search-result__meta").text_content()
                start = time.perf_counter()
                page.locator(".md-header__button[for=__search]").click()
                page.wait_for_function(STATUS_CHANGED, arg=status, timeout=120_000)
                ready.append(time.perf_counter() - start)
                start = time.perf_counter()
                page.locator("input.md-search__input").fill(SEARCH_QUERY[lang])
                page.locator("input.md-search__input").press("End")
                page.locator(".md-search-result__item").first.wait_for(state="attached")
                query.append(time.perf_counter() - start)
                context.close()
            times[lang] = {
                "ready_s": round(statistics.median(ready), 2),
                "query_s": round(statistics.median(query), 2),
            }
        browser.close()
    return times


# --- first-visit weight (static) --------------------------------------------------------

# Text types a static host (GitHub Pages) sends gzip-compressed.
GZIP_TYPES = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map")
FIRST_VISIT_BUDGET = 300 * 1024
_FONT_FACE = re.compile(r"@font-face[^{]*\{([^}]*)\}")
_FAMILY = re.compile(r"font-family\s*:\s*([^;}]+)")
_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")
_RULE = re.compile(r"([^{}@]+)\{([^}]*font-family[^}]*)\}")


def gzip_size(path: Path) -> int:
    """Bytes on the wire: gzip (level 6, as static hosts use) for text types."""
    data = path.read_bytes()
    return len(gzip.compress(data, 6, mtime=0)) if path.suffix in GZIP_TYPES else len(data)


_TAG = re.compile(r"<(link|script|img)\s([^>]*)>", re.I)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_NAMES = re.compile(r"<([a-z][\w-]*)|\sclass=\"([^\"]*)\"")


def _loads(html: str) -> tuple[list[str], list[str]]:
    """URLs the HTML makes the browser fetch before any interaction
    (stylesheets, scripts, icon, preloads, eager images), and lazy images."""
    eager: list[str] = []
    lazy: list[str] = []
    for tag, attributes in _TAG.findall(html):
        a = {m[0].lower(): m[1] or m[2] or m[3] for m in _ATTR.findall(attributes)}
        rel = set(a.get("rel", "").split())
        tag = tag.lower()
        if tag == "link" and rel & {"stylesheet", "preload", "modulepreload", "icon"}:
            eager.append(a.get("href", ""))
        elif tag == "script" and a.get("src"):
            eager.append(a["src"])
        elif tag == "img" and a.get("src"):
            (lazy if a.get("loading") == "lazy" else eager).append(a["src"])
    return eager, lazy


def _names(html: str) -> set[str]:
    """Element names and classes (".name") on the page, for matching CSS rules."""
    names: set[str] = set()
    for tag, classes in _NAMES.findall(html):
        if tag:
            names.add(tag.lower())
        names.update(f".{c}" for c in classes.split())
    return names


@functools.cache
def _font_rules(css: Path) -> tuple[tuple[frozenset[str], frozenset[Path]], ...]:
    """(classes and elements a selector needs, font files its font-family
    names) for every rule of `css` that sets a font-family with @font-face."""
    text = re.sub(r"/\*.*?\*/", "", css.read_text(encoding="utf-8"), flags=re.S)
    faces: dict[str, set[Path]] = {}
    for body in _FONT_FACE.findall(text):
        family = _FAMILY.search(body)
        if family:
            name = family.group(1).strip().strip("'\"")
            faces.setdefault(name, set()).update(
                (css.parent / url).resolve()
                for url in _URL.findall(body)
                if not url.startswith("data:")
            )
    rules = []
    for selectors, body in _RULE.findall(_FONT_FACE.sub("", text)):
        family = _FAMILY.search(body)
        if not family:
            continue
        files = frozenset().union(
            *(faces.get(f.strip().strip("'\""), set()) for f in family.group(1).split(","))
        )
        if files:
            for selector in selectors.split(","):
                needed = re.findall(r"\.[\w-]+|(?<![\w.#:-])[a-z][\w-]*", selector.split(":")[0])
                rules.append((frozenset(n.lower() if n[0] != "." else n for n in needed), files))
    return tuple(rules)


def first_visit(site: Path, html: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Gzip bytes a first visit to `html` transfers, by file: the HTML, its
    stylesheets, scripts, icon and preloads, its eager images, and the fonts
    its stylesheets name for what is on the page (a rule counts when all the
    classes and elements of its selector occur on the page: an over-estimate,
    the nesting is not checked). Second: the images with loading=lazy, which
    load only when scrolled near. Files that scripts fetch later (Material's
    search worker, the sitemap for instant navigation) are not counted here;
    Lighthouse's byte weight has them."""
    text = html.read_text(encoding="utf-8")
    eager, lazy = _loads(text)

    base = urlsplit(site_url()).path

    def files(urls: list[str]) -> set[Path]:
        found = set()
        for url in urls:
            if url and not re.match(r"(https?:)?//|data:", url):
                url = unquote(url.split("?")[0].split("#")[0])
                # Root-relative (docs/hooks/startup.py): below the site's path.
                where = site / url.removeprefix(base) if url.startswith("/") else html.parent / url
                path = where.resolve()
                if path.is_file():
                    found.add(path)
        return found

    loaded = files(eager) | {html.resolve()}
    names = _names(text)
    for css in [p for p in loaded if p.suffix == ".css"]:
        for needed, fonts in _font_rules(css):
            if needed <= names:
                loaded |= fonts
    root = site.resolve()

    def sizes(paths: set[Path]) -> dict[str, int]:
        return {p.relative_to(root).as_posix(): gzip_size(p) for p in sorted(paths)}

    return sizes(loaded), sizes(files(lazy) - loaded)


def question_pages(site: Path) -> list[Path]:
    """Every page with at least one question (an answer block), all languages."""
    return sorted(
        p
        for p in site.rglob("index.html")
        if "/notebooks/" not in p.as_posix() and 'class="answer"' in p.read_text(encoding="utf-8")
    )


def first_visit_weights(site: Path) -> dict[str, object]:
    """The first-visit weight of every question page: the heaviest, the median."""
    pages = {
        p.parent.relative_to(site).as_posix() + "/": first_visit(site, p)
        for p in question_pages(site)
    }
    total = {name: sum(eager.values()) for name, (eager, _) in pages.items()}
    heaviest = max(total, key=total.__getitem__)
    return {
        "pages": len(pages),
        "max_kb": round(total[heaviest] / 1024, 1),
        "max_page": heaviest,
        "median_kb": round(statistics.median(total.values()) / 1024, 1),
        "max_with_lazy_figures_kb": round(
            max(total[n] + sum(lazy.values()) for n, (_, lazy) in pages.items()) / 1024, 1
        ),
        "heaviest_files_kb": {
            name: round(size / 1024, 1)
            for name, size in sorted(pages[heaviest][0].items(), key=lambda kv: -kv[1])
        },
    }


# --- Lighthouse ----------------------------------------------------------------------

LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
NODE = Path(sys.executable).with_name("node")
# Chromium as the browser tests launch it (sandboxed root container, no
# network but loopback); Lighthouse adds its own defaults (chrome-launcher).
LIGHTHOUSE_CHROME_FLAGS = ["--headless=new", *CHROMIUM_ARGS]
LIGHTHOUSE_RUNS = 3


class PagesHandler(http.server.BaseHTTPRequestHandler):
    """The built site as GitHub Pages serves it: below the repository's path,
    a directory's index.html, the root 404.html, gzip for text types,
    `Cache-Control: max-age=600`. (Pages has no immutable caching, and a cold
    load, what Lighthouse measures, caches nothing anyway.)"""

    protocol_version = "HTTP/1.1"  # keep-alive, as browsers use a host
    site: Path
    base: str
    _gzipped: ClassVar[dict[Path, bytes]] = {}

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if not path.startswith(self.base):
            status, target = 404, self.site / "404.html"
        else:
            relative = unquote(path[len(self.base) :])
            if (self.site / relative).is_dir() and relative and not relative.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status, target = resolve(self.site, relative)
        body = target.read_bytes()
        compress = target.suffix in GZIP_TYPES and "gzip" in self.headers.get("Accept-Encoding", "")
        if compress:
            if target not in self._gzipped:
                self._gzipped[target] = gzip.compress(body, 6, mtime=0)
            body = self._gzipped[target]
        self.send_response(status)
        self.send_header("Content-Type", MIME.get(target.suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("Vary", "Accept-Encoding")
        if compress:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def pages_server(site: Path) -> Iterator[str]:
    """Serve `site` on a free loopback port; yields the site's root URL."""
    base = urlsplit(site_url()).path
    handler = type("Handler", (PagesHandler,), {"site": site, "base": base, "_gzipped": {}})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{base}"
    finally:
        server.shutdown()
        server.server_close()


def lighthouse_pages(site: Path) -> dict[str, str]:
    """Name -> path below the site root: home, the longest question page (by
    HTML size), a notebook page (the heaviest with its figures) and the
    glossary, in every language (same page in each)."""
    root = [p for p in question_pages(site) if p.relative_to(site).parts[0] not in languages()]
    longest = max(root, key=lambda p: p.stat().st_size).parent.relative_to(site).as_posix()
    notebooks = [p for p in (site / "notebooks").glob("*/index.html")]

    def weight(html: Path) -> int:
        return sum(p.stat().st_size for p in html.parent.iterdir() if p.is_file())

    notebook = max(notebooks, key=weight).parent.relative_to(site).as_posix()
    chosen = {"home": "", "longest question page": f"{longest}/", "notebook": f"{notebook}/"}
    chosen["glossary"] = "glossary/"
    return {
        f"{name} ({lang})": prefix(lang) + path
        for lang in languages()
        for name, path in chosen.items()
    }


def cpu_slowdown(benchmark_index: float) -> float:
    """The CPU slowdown that makes this host emulate Lighthouse's mobile
    device, from the host's BenchmarkIndex: Lighthouse's own calibration
    (docs/throttling.md, "CPU throttling"; its calculator maps 800 -> 2x,
    1300 -> 3x, 1533 -> 4x, linear between). The preset's fixed 4x assumes a
    fast desktop; on a slower host it emulates a slower phone than intended."""
    if benchmark_index >= 1300:
        return 3 + (benchmark_index - 1300) / 233
    if benchmark_index >= 800:
        return 2 + (benchmark_index - 800) / 500
    return max(1.0, 1 + (benchmark_index - 150) / 650)


def lighthouse_run(url: str, out: Path, slowdown: float | None = None) -> dict:
    throttling = [] if slowdown is None else [f"--throttling.cpuSlowdownMultiplier={slowdown:.2f}"]
    subprocess.run(
        [
            str(NODE),
            str(LIGHTHOUSE),
            url,
            "--only-categories=performance,accessibility",
            "--output=json",
            f"--output-path={out}",
            f"--chrome-flags={' '.join(LIGHTHOUSE_CHROME_FLAGS)}",
            "--quiet",
            *throttling,
        ],
        env={**os.environ, "CHROME_PATH": chromium_path() or "chromium"},
        check=True,
        capture_output=True,
    )
    return json.loads(out.read_text(encoding="utf-8"))


def lighthouse_summary(report: dict, origin: str) -> dict[str, object]:
    audits = report["audits"]
    requests = audits["network-requests"]["details"]["items"]
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "lcp_s": round(audits["largest-contentful-paint"]["numericValue"] / 1000, 2),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
        "transfer_kb": round(audits["total-byte-weight"]["numericValue"] / 1024, 1),
        "requests": len(requests),
        "other_hosts": sorted(
            {r["url"] for r in requests if not r["url"].startswith((origin, "data:", "blob:"))}
        ),
        "failed_audits": sorted(
            audit
            for category in ("performance", "accessibility")
            for audit in (r["id"] for r in report["categories"][category]["auditRefs"])
            if audits[audit]["score"] is not None
            and audits[audit]["scoreDisplayMode"] in ("binary", "numeric", "metricSavings")
            and audits[audit]["score"] < 0.9
        ),
    }


def lighthouse(site: Path, runs: int = LIGHTHOUSE_RUNS) -> dict[str, dict[str, object]]:
    """Lighthouse (mobile preset, simulated throttling) on each chosen page,
    `runs` times; the run with the median performance score is kept. The CPU
    slowdown is calibrated first (median BenchmarkIndex of `runs` runs on the
    home page), so the emulated phone is the same on any host. Returns the
    calibration and the pages' results."""
    pages: dict[str, object] = {}
    with pages_server(site) as root, tempfile.TemporaryDirectory() as tmp:
        parts = urlsplit(root)
        origin = f"{parts.scheme}://{parts.netloc}/"
        report = Path(tmp) / "report.json"
        index = statistics.median(
            lighthouse_run(root, report)["environment"]["benchmarkIndex"] for _ in range(runs)
        )
        slowdown = round(cpu_slowdown(index), 2)
        for name, path in lighthouse_pages(site).items():
            summaries = [
                lighthouse_summary(lighthouse_run(root + path, report, slowdown), origin)
                for _ in range(runs)
            ]
            summaries.sort(key=lambda s: s["performance"])
            pages[name] = {
                "path": path,
                **summaries[len(summaries) // 2],
                "performance_runs": [s["performance"] for s in summaries],
            }
    calibration = {"benchmark_index": round(index), "cpu_slowdown": slowdown}
    return {"calibration": calibration, "pages": pages}


def print_lighthouse(results: dict) -> None:
    w = results["first_visit"]
    print(
        f"\nFirst visit of a question page (gzip, before any interaction, lazy figures"
        f" excluded): max {w['max_kb']} KB ({w['max_page']}), median {w['median_kb']} KB,"
        f" {w['pages']} pages; with lazy figures: max {w['max_with_lazy_figures_kb']} KB"
    )
    calibration, pages = results["lighthouse"]["calibration"], results["lighthouse"]["pages"]
    runs = len(next(iter(pages.values()))["performance_runs"])
    print(
        f"\n| Lighthouse (mobile, {calibration['cpu_slowdown']}\u00d7 CPU for BenchmarkIndex"
        f" {calibration['benchmark_index']}) | performance ({runs} runs)"
        " | accessibility | LCP s | TBT ms | CLS | transfer KB |"
        "\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for name, r in pages.items():
        scores = ", ".join(map(str, r["performance_runs"]))
        print(
            f"| {name} `{r['path'] or '/'}` | {r['performance']} ({scores}) | {r['accessibility']}"
            f" | {r['lcp_s']} | {r['tbt_ms']} | {r['cls']} | {r['transfer_kb']} |"
        )
    others = {u for r in pages.values() for u in r["other_hosts"]}
    print(f"\nRequests to other hosts: {sorted(others) or 'none'}")


def lighthouse_only(site: Path) -> None:
    """`python tests/bench.py lighthouse SITE`: first-visit weights and
    Lighthouse on an existing build, merged into bench/results.json."""
    out = ROOT / "bench" / "results.json"
    results = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    results["first_visit"] = first_visit_weights(site)
    results["lighthouse"] = lighthouse(site)
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print_lighthouse(results)


def stage(name: str) -> None:
    """Say on stderr which stage starts: a whole run takes ~10 minutes."""
    print(f"bench {time.strftime('%H:%M:%S')}: {name}", file=sys.stderr, flush=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        with empty_cache():
            stage("builds: cold, warm, after a page edit, after a module edit")
            cold = build(site)
            warm = build(site)
            with edited(EDITED_PAGE, "\n<!-- bench -->\n"):
                page = build(site)
            with edited(EDITED_MODULE, "\n# bench\n"):
                module = build(site)
            results = {
                "builds": {
                    "cold (empty cache)": cold,
                    "warm (nothing changed)": warm,
                    f"after editing {EDITED_PAGE.relative_to(ROOT)}": page,
                    f"after editing {EDITED_MODULE.relative_to(ROOT)}": module,
                },
                "page_weight": page_weights(site),
                "search_index": search_indexes(site),
                "first_visit": first_visit_weights(site),
            }
            stage("Lighthouse")
            results["lighthouse"] = lighthouse(site)
            stage("search on a phone-sized tab")
            results["search_ready"] = search_ready(site)
    stage("edit-to-preview against mkdocs serve")
    results["preview"] = previews()
    out = ROOT / "bench"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print("| build | seconds | notebooks executed |\n| --- | ---: | ---: |")
    for name, (seconds, executed) in results["builds"].items():
        print(f"| {name} | {seconds:.1f} | {executed} |")
    print("\n| edit-to-preview (make serve) | median s | max s |\n| --- | ---: | ---: |")
    for name, s in results["preview"].items():
        print(f"| {name} | {s['median_s']} | {s['max_s']} |")
    print("\n| pages | count | median KB | largest KB |\n| --- | ---: | ---: | ---: |")
    for kind, w in results["page_weight"].items():
        print(f"| {kind} | {w['pages']} | {w['median_kb']} | {w['largest_kb']} |")
    print("\n| search index | KB | gzip KB | tap to ready, s | query to results, s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for lang, s in results["search_index"].items():
        ready = results["search_ready"][lang]
        print(f"| {lang} | {s['kb']} | {s['gzip_kb']} | {ready['ready_s']} | {ready['query_s']} |")
    print_lighthouse(results)


if __name__ == "__main__":
    if sys.argv[1:2] == ["lighthouse"]:
        lighthouse_only(Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "site")
    else:
        main()
