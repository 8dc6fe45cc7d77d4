"""`make bench`: build times, edit-to-preview times, page weights and search
index sizes.

Measures, in this order: a cold build (empty notebook cache), a warm rebuild
(nothing changed), a rebuild after editing one Markdown page, and a rebuild
after editing one snippets module; then, against a real `mkdocs serve` started
as `make serve` starts it, how long an edit takes to reach the served page
(polled over HTTP, median of 5) for a zh page, an en page and a snippets
module. Edits are reverted afterwards. Prints Markdown tables and writes
bench/results.json.
"""

from __future__ import annotations

import gzip
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

from conftest import ROOT, build_env, languages, prefix

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
    for run in range(PREVIEWS):
        before = len(server.lines)

        def rebuilt(start: int = before) -> bool:
            log = "".join(server.lines[start:])
            return "Executed" in log and "Reloading browsers" in log.split("Executed")[-1]

        with edited(module, f"\n# bench {run}\n"):
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


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        with empty_cache():
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
            }
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
    print("\n| search index | KB | gzip KB |\n| --- | ---: | ---: |")
    for lang, s in results["search_index"].items():
        print(f"| {lang} | {s['kb']} | {s['gzip_kb']} |")


if __name__ == "__main__":
    main()
