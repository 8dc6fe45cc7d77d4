"""`make bench`: build times, page weights and search index sizes.

Measures, in this order: a cold build (empty notebook cache), a warm rebuild
(nothing changed), a rebuild after editing one Markdown page, and a rebuild
after editing one snippets module. Edits are reverted afterwards. Prints a
Markdown table and writes bench/results.json.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
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
    out = ROOT / "bench"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print("| build | seconds | notebooks executed |\n| --- | ---: | ---: |")
    for name, (seconds, executed) in results["builds"].items():
        print(f"| {name} | {seconds:.1f} | {executed} |")
    print("\n| pages | count | median KB | largest KB |\n| --- | ---: | ---: | ---: |")
    for kind, w in results["page_weight"].items():
        print(f"| {kind} | {w['pages']} | {w['median_kb']} | {w['largest_kb']} |")
    print("\n| search index | KB | gzip KB |\n| --- | ---: | ---: |")
    for lang, s in results["search_index"].items():
        print(f"| {lang} | {s['kb']} | {s['gzip_kb']} |")


if __name__ == "__main__":
    main()
