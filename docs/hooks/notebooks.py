"""Execute the site's notebooks at build time and render them as ordinary pages.

A notebook is a Jupytext Markdown page (`.md` whose front matter has a
`jupyter:` key): prose, math and ```python cells, stored as text. At build time
every code cell runs in a Jupyter kernel (nbclient, the engine behind nbconvert
and mkdocs-jupyter); the page is then rendered as Markdown - prose verbatim,
code as fenced blocks, figures as image files beside the page - so it gets the
theme's math, search, anchors and link checks like any other page.

Why not mkdocs-jupyter: as released (0.26) it publishes tracebacks as content
(`allow_errors`), caches on the notebook alone (stale figures after a change to
snippets/), inlines ~590 KB of CSS into each page, writes a MathJax v2 config
that v3 ignores (issue #227), puts base64 figures into the search index and
gives every figure the alt text "No description has been provided".

Contract with authors:
- a cell that draws a figure carries `alt="..."` (and may carry `name="..."`,
  the figure's file name) in its fence: ```python alt="Sigmoid and its slope"
- a cell tagged `hide-input` shows only its output: ```python tags=["hide-input"]
- any exception fails the build, naming the notebook, the cell and its line.

Cache: `.cache/notebooks/<key>/`, where the key hashes the notebook, every
snippets/ module it imports (transitively) and the versions that shape its
output. A rebuild with nothing changed executes nothing; editing a notebook or
a snippets module re-executes exactly the notebooks that depend on it.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import logging
import os
import platform
import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data

if TYPE_CHECKING:
    from nbformat import NotebookNode

log = logging.getLogger("mkdocs.hooks.notebooks")

# Paths are relative to the directory of the config file (the repository root):
# snippets/ is importable from there, and the cache lives in .cache/notebooks/.
SNIPPETS = "snippets"
CACHE = Path(".cache", "notebooks")
# Bump when the rendering below changes, so cached pages are re-rendered.
RENDER_VERSION = "2"
# Wall-clock budget for one notebook; a notebook over budget fails the build.
BUDGET_SECONDS = 120
FIGURE_TYPES = {"image/svg+xml": "svg", "image/png": "png"}
OBJECT_REPR = re.compile(r" at 0x[0-9a-f]+>")
CODE_CELL = re.compile(r"^```python[^\n]*\n(.*?)^```", re.M | re.S)
# matplotlib writes SVG coordinates with six decimals; two (0.01 pt) are more
# than a screen can show, and the figures get about a third smaller.
SVG_DECIMALS = re.compile(rb"(\d\.\d\d)\d+")


@dataclass
class Rendered:
    markdown: str
    figures: dict[str, bytes] = field(default_factory=dict)
    executed: bool = False


_rendered: dict[str, Rendered] = {}


def _module_deps(source: str, snippets: Path, seen: set[Path]) -> set[Path]:
    """Modules of the `snippets` package that `source` imports, transitively."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = "snippets." + node.module if node.level else node.module
            names |= {f"{base}.{a.name}" for a in node.names} | {base}
    for name in sorted(names):
        if name != "snippets" and not name.startswith("snippets."):
            continue
        parts = name.split(".")[1:]
        candidates = [snippets.joinpath(*parts).with_suffix(".py")] if parts else []
        candidates.append(snippets.joinpath(*parts, "__init__.py"))
        for path in candidates:
            if path.is_file() and path not in seen:
                seen.add(path)
                _module_deps(path.read_text(encoding="utf-8"), snippets, seen)
    return seen


def _code(text: str) -> str:
    """The Python of a Jupytext Markdown notebook: its ```python cells, without
    IPython magics (not Python, and they never import snippets modules)."""
    return "\n".join(
        line
        for cell in CODE_CELL.findall(text)
        for line in cell.splitlines()
        if not line.lstrip().startswith(("%", "!"))
    )


def _cache_key(root: Path, src_uri: str, text: str) -> str:
    """Read from the text alone: a warm build needs neither jupytext nor a kernel."""
    digest = hashlib.sha256()
    for part in (
        RENDER_VERSION,
        src_uri,
        text,
        platform.python_version(),
        version("numpy"),
        version("matplotlib"),
    ):
        digest.update(part.encode() + b"\0")
    snippets = root / SNIPPETS
    deps = _module_deps(_code(text), snippets, {snippets / "__init__.py"})
    for path in sorted(p for p in deps if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


def _fence(lang: str, body: str) -> str:
    ticks = "````" if "```" in body else "```"
    return f"{ticks}{lang}\n{body.rstrip()}\n{ticks}"


def _cell_line(text: str, cell: NotebookNode) -> int:
    """1-based line of the cell in the notebook's file, for error messages."""
    first = cell.source.splitlines()[0] if cell.source else ""
    for number, line in enumerate(text.splitlines(), start=1):
        if line == first:
            return number
    return 0


def _render(stem: str, nb: NotebookNode, where: str) -> Rendered:
    """Markdown for an executed notebook; figures go beside the page in `stem/`."""
    out = Rendered(markdown="")
    blocks: list[str] = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            blocks.append(cell.source)
            continue
        if cell.cell_type != "code":
            continue
        if "hide-input" not in cell.metadata.get("tags", []):
            blocks.append(_fence("python", cell.source))
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stdout":
                blocks.append(_fence("text", output.text))
                continue
            data = output.get("data", {})
            mime = next((m for m in FIGURE_TYPES if m in data), None)
            if mime is None:
                # A repr like "<Line2D at 0x7f...>" is noise, and it differs per run.
                text = data.get("text/plain", "")
                if output.output_type == "execute_result" and not OBJECT_REPR.search(text):
                    blocks.append(_fence("text", text))
                continue
            alt = cell.metadata.get("alt")
            if not alt:
                raise PluginError(f"{where}: cell {index + 1} draws a figure without alt text")
            name = f"{cell.metadata.get('name', f'figure-{index + 1}')}.{FIGURE_TYPES[mime]}"
            if name in out.figures:
                raise PluginError(f"{where}: cell {index + 1}: figure name '{name}' is used twice")
            payload = data[mime]
            out.figures[name] = (
                base64.b64decode(payload)
                if mime == "image/png"
                else SVG_DECIMALS.sub(rb"\1", payload.encode("utf-8"))
            )
            blocks.append(f'![{alt}]({stem}/{name}){{ .nb-figure loading="lazy" }}')
    out.markdown = "\n\n".join(blocks) + "\n"
    return out


def _execute(root: Path, where: str, text: str, nb: NotebookNode) -> None:
    """Run every code cell in order; raise PluginError naming the failing cell."""
    # Imported here: only a cache miss pays for them (about a second per build).
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    client = NotebookClient(
        nb,
        timeout=BUDGET_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(root)}},
    )
    deadline = time.monotonic() + BUDGET_SECONDS
    # A fixed SOURCE_DATE_EPOCH keeps matplotlib from stamping figures with the date.
    # The kernel's own stderr is start-up chatter; cell errors arrive as messages.
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0"}
    with client.setup_kernel(env=env, stderr=subprocess.DEVNULL):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            client.timeout = max(1, int(deadline - time.monotonic()))
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as error:
                raise PluginError(
                    f"{where}: cell {index + 1} (line {_cell_line(text, cell)}) raised "
                    f"{error.ename}: {error.evalue}"
                ) from None
            except CellTimeoutError:
                raise PluginError(
                    f"{where}: cell {index + 1} (line {_cell_line(text, cell)}) exceeded "
                    f"the notebook's {BUDGET_SECONDS} s budget"
                ) from None


def _load(file: File, root: Path) -> Rendered:
    where = Path(file.abs_src_path).relative_to(root).as_posix()
    text = Path(file.abs_src_path).read_text(encoding="utf-8")
    key = _cache_key(root, file.src_uri, text)
    entry = root / CACHE / key
    manifest = entry / "manifest.json"
    if manifest.is_file():
        names = json.loads(manifest.read_text(encoding="utf-8"))
        return Rendered(
            markdown=(entry / "page.md").read_text(encoding="utf-8"),
            figures={name: (entry / name).read_bytes() for name in names},
        )
    import jupytext  # only on a cache miss, like nbclient

    started = time.monotonic()
    nb = jupytext.reads(text, fmt="md")
    _execute(root, where, text, nb)
    rendered = _render(Path(file.src_uri).stem, nb, where)
    rendered.executed = True
    entry.mkdir(parents=True, exist_ok=True)
    for name, payload in rendered.figures.items():
        (entry / name).write_bytes(payload)
    (entry / "page.md").write_text(rendered.markdown, encoding="utf-8")
    manifest.write_text(json.dumps(sorted(rendered.figures)), encoding="utf-8")
    log.info("Executed %s in %.1f s", where, time.monotonic() - started)
    return rendered


def _is_notebook(file: File) -> bool:
    if not file.is_documentation_page() or file.abs_src_path is None:
        return False
    _, meta = get_data(Path(file.abs_src_path).read_text(encoding="utf-8"))
    return "jupyter" in meta


def on_serve(server: LiveReloadServer, config: MkDocsConfig, builder) -> LiveReloadServer:
    server.watch(str(Path(config.config_file_path).parent / SNIPPETS))
    return server


def on_files(files: Files, config: MkDocsConfig) -> Files:
    root = Path(config.config_file_path).parent
    notebooks = [f for f in files.documentation_pages() if _is_notebook(f)]
    # Kernels are separate processes; run up to one per core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda f: _load(f, root), notebooks))
    _rendered.clear()
    for file, rendered in zip(notebooks, results, strict=True):
        _rendered[file.src_uri] = rendered
        folder = Path(file.src_uri).with_suffix("").as_posix()
        for name, payload in rendered.figures.items():
            files.append(File.generated(config, f"{folder}/{name}", content=payload))
    executed = sum(r.executed for r in results)
    log.info("Notebooks: %d executed, %d from cache", executed, len(results) - executed)
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    rendered = _rendered.get(page.file.src_uri)
    return rendered.markdown if rendered else markdown
