"""Execute the site's notebooks at build time and render them into pages.

Two kinds of page show executed code:

- A figures page, `docs/<lang>/notebooks/<topic>.md`, whose front matter says
  `notebook: <topic>`. Its code is the language-neutral notebook
  `snippets/notebooks/<topic>.py` (jupytext percent format, one named cell per
  figure or printed result); the page holds only prose and, in notebook order,
  one block per named cell with the alt text and caption in its language:

      /// cell | sigmoid-derivative
          alt: Sigmoid and its derivative, which peaks at 0.25
          caption: optional Markdown
      ///

  The block becomes the cell's code (unless tagged `hide-input`), its printed
  output and its figure. Unnamed cells are set-up: shown nowhere, and they
  must print nothing.
- A notebook dropped into the docs tree, `docs/<lang>/**/<name>.ipynb` or a
  jupytext percent `<name>.py`, and listed in nav, as mkdocs-jupyter users
  expect: markdown cells become prose, code cells code and outputs, and a
  cell's `alt` metadata becomes its figure's alt text.

Either way a notebook runs once per build for every language that shows it
(nbclient, one kernel per notebook), every page offers the executed notebook
for download, and anything wrong fails the build naming the file, the cell and
the line: an exception, a dead kernel, a figure without alt text, a cell that
prints more than `STREAM_LIMIT` bytes (failing beats publishing a 10 MB page).

Why not mkdocs-jupyter (0.27, measured side by side): inline CSS and base64
figures make pages 4x heavier, its cache keys on the notebook alone (stale
figures after a snippets/ edit), builds are not byte-identical, every alt text
is "No description has been provided", figures stay black on the dark theme,
and its default `allow_errors` publishes tracebacks as content.

Cache: `.cache/notebooks/<key>.ipynb`, the executed notebook. The key hashes
the notebook, every snippets/ module it imports (transitively, relative imports
included), the versions that shape its output and this file. Entries are
written atomically (temporary file, then rename); an unreadable entry is
executed again; a file lock per key lets the languages, built in parallel
processes, share one execution. `python -P docs/hooks/notebooks.py prune` (or
`make clean-cache`) deletes the entries no current notebook uses.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import copy
import fcntl
import functools
import hashlib
import html
import json
import logging
import os
import platform
import posixpath
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
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

# Relative to the repository root (the directory of mkdocs.yml).
SNIPPETS = "snippets"
NOTEBOOKS = Path(SNIPPETS, "notebooks")
CACHE = Path(".cache", "notebooks")
# Wall-clock budget for one notebook; a notebook over budget fails the build.
BUDGET_SECONDS = 120
# Printed output allowed per cell. More is a mistake (a print in a loop, an
# array dumped whole), and it would end up in the page and the search index.
STREAM_LIMIT = 20_000
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
FIGURE_TYPES = {"image/svg+xml": "svg", "image/png": "png"}
OBJECT_REPR = re.compile(r" at 0x[0-9a-f]+>")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CELL_BLOCK = re.compile(
    r"^/// cell \| (?P<name>[^\n]*?)[ \t]*\n(?P<options>(?:(?:[ \t]{4}[^\n]*)?\n)*?)///[ \t]*$",
    re.M,
)
CELL_OPTIONS = {"alt", "caption"}
# matplotlib writes path coordinates with six decimals; two (0.01 pt) are more
# than a screen shows and make figures about a third smaller. Only inside
# `d="..."`: transforms such as a glyph's scale(0.015625) must stay exact.
PATH_DATA = re.compile(rb'(?<= d=")[^"]*')
DECIMALS = re.compile(rb"(\d\.\d\d)\d+")
SVG_SIZE = re.compile(rb'<svg[^>]*? width="([\d.]+)pt" height="([\d.]+)pt"')


@dataclass
class Executed:
    """An executed notebook: where it comes from, and its cells with outputs."""

    source: Path  # repository-relative path of the notebook's file
    text: str  # the file's text, for line numbers in messages
    nb: NotebookNode
    key: str  # its cache key: what it was executed from
    executed: bool = False


@dataclass
class Figure:
    name: str
    payload: bytes


@dataclass
class Rendered:
    """What a page shows of a notebook: Markdown, figures and the download."""

    markdown: str
    figures: list[Figure] = field(default_factory=list)
    download: bytes = b""


# --- sources and cache keys ------------------------------------------------------


# Memoised helpers: hooks stay loaded across the rebuilds of `mkdocs serve`,
# so a rebuild re-parses only what changed (preview in about a second).
@functools.lru_cache(maxsize=1024)
def _imports(source: str) -> frozenset[str]:
    """Dotted names imported by `source`; relative imports resolve into snippets."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = f"{SNIPPETS}.{base}".rstrip(".")
            names |= {f"{base}.{alias.name}" for alias in node.names} | {base}
    return frozenset(names)


def _module_deps(source: str, root: Path, seen: set[Path]) -> set[Path]:
    """Files of the snippets package that `source` imports, transitively."""
    for name in sorted(_imports(source)):
        parts = name.split(".")
        if parts[0] != SNIPPETS or parts == [SNIPPETS, "notebooks"]:
            continue
        base = root.joinpath(*parts)
        for path in (base.with_suffix(".py"), base / "__init__.py"):
            if path.is_file() and path not in seen:
                seen.add(path)
                _module_deps(path.read_text(encoding="utf-8"), root, seen)
    return seen


def _code(nb: NotebookNode) -> str:
    """The notebook's Python, without IPython magics (they import nothing)."""
    return "\n".join(
        line
        for cell in nb.cells
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if not line.lstrip().startswith(("%", "!"))
    )


@functools.cache
def _versions() -> tuple[str, ...]:
    return tuple(version(p) for p in ("numpy", "matplotlib", "nbclient", "ipykernel", "jupytext"))


def _cache_key(root: Path, source: Path, text: str, nb: NotebookNode) -> str:
    digest = hashlib.sha256()
    versions = _versions()
    for part in (source.as_posix(), text, platform.python_version(), *versions):
        digest.update(part.encode() + b"\0")
    # This file renders and executes: any change to it invalidates the cache.
    digest.update(Path(__file__).read_bytes())
    deps = _module_deps(_code(nb), root, {root / SNIPPETS / "__init__.py"})
    for path in sorted(p for p in deps if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


def _read_notebook(path: Path, where: str) -> tuple[str, NotebookNode]:
    """The file's text and its cells (a fresh copy: execution fills it in)."""
    text = path.read_text(encoding="utf-8")
    return text, copy.deepcopy(_parse_notebook(text, path.suffix, where))


@functools.lru_cache(maxsize=256)
def _parse_notebook(text: str, suffix: str, where: str) -> NotebookNode:
    import jupytext

    path = Path(where)
    try:
        nb = jupytext.reads(text, fmt="ipynb" if path.suffix == ".ipynb" else "py:percent")
    except Exception as error:  # jupytext raises many types for malformed input
        raise PluginError(f"{where}: not a readable notebook: {error}") from None
    # A .py notebook may open with a module docstring (before its first `# %%`):
    # it documents the file and is not a cell.
    first = nb.cells[0] if nb.cells else None
    if path.suffix == ".py" and first is not None and first.cell_type == "code":
        body = ast.parse(first.source).body
        if (
            len(body) == 1
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            nb.cells.pop(0)
    return nb


# --- execution -------------------------------------------------------------------


def _cell_lines(text: str, source: Path) -> list[int]:
    """1-based line in the file where each code cell's first line stands."""
    if source.suffix == ".ipynb":
        return []
    lines = text.splitlines()
    starts = []
    for number, line in enumerate(lines, start=1):
        if line.startswith("# %%") and "[markdown]" not in line:
            following = number
            while following < len(lines) and not lines[following].strip():
                following += 1
            starts.append(following + 1)
    return starts


def _where(source: Path, text: str, nb: NotebookNode, index: int, line_in_cell: int) -> str:
    """`file:line (cell name)` for a statement in cell `index`, `line_in_cell` 1-based."""
    cell = nb.cells[index]
    code_index = sum(c.cell_type == "code" for c in nb.cells[:index])
    starts = _cell_lines(text, source)
    label = cell.metadata.get("name") or f"code cell {code_index + 1}"
    if code_index < len(starts):
        return f"{source.as_posix()}:{starts[code_index] + line_in_cell - 1} (cell '{label}')"
    return f"{source.as_posix()}: {label}, line {line_in_cell}"


def _traceback_tail(lines: list[str], count: int = 8) -> str:
    text = ANSI.sub("", "\n".join(lines))
    return "\n".join("    " + line for line in text.splitlines()[-count:])


def _stream_size(cell: NotebookNode) -> int:
    return sum(
        len(output.get("text", "").encode())
        for output in cell.get("outputs", [])
        if output.output_type == "stream"
    )


def _execute(root: Path, source: Path, text: str, nb: NotebookNode) -> None:
    """Run every code cell in order; raise PluginError naming file, cell and line."""
    # Imported here: only a cache miss pays for them (about a second per build).
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    client = NotebookClient(
        nb,
        timeout=BUDGET_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(root)}},
        record_timing=False,  # timestamps would make two executions differ
    )
    deadline = time.monotonic() + BUDGET_SECONDS
    # A fixed SOURCE_DATE_EPOCH keeps matplotlib from stamping figures with the
    # date; the kernel's own stderr is start-up chatter (cell errors arrive as messages).
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "PYTHONPATH": str(root)}
    with client.setup_kernel(env=env, stderr=subprocess.DEVNULL):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            client.timeout = max(1, int(deadline - time.monotonic()))
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as error:
                frames = re.findall(r"Cell In\[\d+\], line (\d+)", ANSI.sub("", str(error)))
                where = _where(source, text, nb, index, int(frames[0]) if frames else 1)
                raise PluginError(
                    f"{where} raised {error.ename}: {error.evalue}\n"
                    f"{_traceback_tail(str(error).splitlines())}\n"
                    "  Fix the cell, or the snippets function it calls, and build again."
                ) from None
            except CellTimeoutError:
                raise PluginError(
                    f"{_where(source, text, nb, index, 1)}: the notebook exceeded its "
                    f"{BUDGET_SECONDS} s budget; make the cell cheaper (fewer points or steps)."
                ) from None
            except DeadKernelError as error:
                raise PluginError(
                    f"{_where(source, text, nb, index, 1)}: the kernel died while running "
                    f"this cell ({error}); a cell must not exit the interpreter or crash it."
                ) from None
            size = _stream_size(cell)
            if size > STREAM_LIMIT:
                raise PluginError(
                    f"{_where(source, text, nb, index, 1)} printed {size:,} bytes; the limit "
                    f"is {STREAM_LIMIT:,} per cell. Print a summary (shape, a few values) instead."
                )


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path`: one process executes, the others wait."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _cached(entry: Path) -> NotebookNode | None:
    try:
        stat = entry.stat()
    except FileNotFoundError:
        return None
    return _load_entry(entry, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _load_entry(entry: Path, mtime_ns: int, size: int) -> NotebookNode | None:
    """A cache entry, read and validated once per version of the file."""
    import nbformat

    try:
        nb = nbformat.reads(entry.read_text(encoding="utf-8"), as_version=4)
        nbformat.validate(nb)
    except FileNotFoundError:
        return None
    except Exception as error:  # a truncated or foreign file: execute again
        log.info("Ignoring unreadable cache entry %s (%s)", entry.name, error)
        return None
    return nb


@dataclass
class _Job:
    source: Path
    text: str
    nb: NotebookNode
    key: str


def _prepare(root: Path, source: Path) -> _Job:
    """Read a notebook and compute its cache key. In the calling thread: this
    parses Python (ast), which CPython 3.11 cannot do in several threads at
    once ("AST constructor recursion depth mismatch")."""
    text, nb = _read_notebook(root / source, source.as_posix())
    return _Job(source, text, nb, _cache_key(root, source, text, nb))


def _run(root: Path, job: _Job) -> Executed:
    """The executed notebook, from the cache or a kernel (one thread per notebook)."""
    import nbformat

    entry = root / CACHE / f"{job.key}.ipynb"
    with _locked(entry.with_suffix(".lock")):
        cached = _cached(entry)
        if cached is not None:
            return Executed(job.source, job.text, cached, job.key)
        started = time.monotonic()
        _execute(root, job.source, job.text, job.nb)
        _drop_object_reprs(job.nb)
        _write_atomic(entry, nbformat.writes(job.nb).encode("utf-8"))
    log.info("Executed %s in %.1f s", job.source.as_posix(), time.monotonic() - started)
    return Executed(job.source, job.text, job.nb, job.key, executed=True)


def _drop_object_reprs(nb: NotebookNode) -> None:
    """Drop results that are only a repr like "<Legend at 0x7f...>" (a cell
    ending in `ax.legend()`): noise to a reader, and the address differs per
    run, so the published notebook would change with every execution."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.outputs
                if not (
                    o.output_type == "execute_result"
                    and set(o.data) == {"text/plain"}
                    and OBJECT_REPR.search(o.data["text/plain"])
                )
            ]


# --- rendering -------------------------------------------------------------------


def _fence(lang: str, body: str, title: str = "") -> str:
    ticks = "````" if "```" in body else "```"
    header = f'{lang} title="{title}"' if title else lang
    return f"{ticks}{header}\n{body.rstrip()}\n{ticks}"


def _svg(payload: str) -> bytes:
    data = payload.encode("utf-8")
    return PATH_DATA.sub(lambda m: DECIMALS.sub(rb"\1", m[0]), data)


def _figure_html(src: str, alt: str, payload: bytes, caption: str) -> str:
    size = SVG_SIZE.search(payload)
    # Width and height (CSS px; the SVG says pt) reserve the figure's box
    # before it loads, so nothing below it jumps.
    px = [round(float(v) * 96 / 72) for v in size.groups()] if size else []
    dims = f' width="{px[0]}" height="{px[1]}"' if px else ""
    img = f'<img class="nb-figure" src="{src}" alt="{html.escape(alt)}"{dims} loading="lazy">'
    if not caption:
        return f'<figure class="nb-figure-box">\n{img}\n</figure>'
    caption = f'<figcaption markdown="span">{caption}</figcaption>'
    return f'<figure class="nb-figure-box" markdown>\n{img}\n{caption}\n</figure>'


@dataclass
class _CellView:
    """One code cell as a page shows it."""

    where: str
    alt: str
    caption: str
    title: str


def _render_cell(cell: NotebookNode, view: _CellView, figures: str, out: Rendered) -> str:
    """Markdown for one cell; `figures` is the figures' folder relative to the page."""
    blocks: list[str] = []
    if "hide-input" not in cell.metadata.get("tags", []):
        blocks.append(_fence("python", cell.source, view.title))
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            if output.name == "stdout":
                blocks.append(_fence("text", output.text))
            continue
        data = output.get("data", {})
        mime = next((m for m in FIGURE_TYPES if m in data), None)
        if mime is None:
            if output.output_type == "execute_result":
                blocks.append(_fence("text", data.get("text/plain", "")))
            continue
        if not view.alt:
            raise PluginError(
                f"{view.where} draws a figure without alt text: give it `alt:` "
                "(a sentence saying what the figure shows)"
            )
        base = cell.metadata.get("name") or f"figure-{len(out.figures) + 1}"
        name = f"{base}.{FIGURE_TYPES[mime]}"
        if any(f.name == name for f in out.figures):
            raise PluginError(f"{view.where}: figure name '{name}' is used twice")
        payload = base64.b64decode(data[mime]) if mime == "image/png" else _svg(data[mime])
        out.figures.append(Figure(name, payload))
        src = posixpath.join(figures, name) if figures != "." else name
        blocks.append(_figure_html(src, view.alt, payload, view.caption))
    return "\n\n".join(blocks)


def _code_cells(nb: NotebookNode) -> list[tuple[int, NotebookNode]]:
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def _download(cells: list[NotebookNode], nb: NotebookNode) -> bytes:
    import nbformat

    # Only what Jupyter needs to open it: jupytext's own metadata lists its
    # filters in an order that varies from run to run.
    metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    out = nbformat.v4.new_notebook(metadata=metadata)
    # nbformat 4.4: no cell ids, which would be random and differ per build.
    out.nbformat_minor = 4
    out.cells = copy.deepcopy(cells)  # the executed notebook is shared: leave it as is
    for cell in out.cells:
        cell.pop("id", None)
    nbformat.validate(out)
    # Stable bytes: nbformat would otherwise stamp random cell ids.
    return json.dumps(out, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n"


def _parse_options(block: re.Match[str], page: str, line: int) -> dict[str, str]:
    """`key: value` lines, one option each. Not YAML: an alt text is prose and
    may hold ': ', brackets or quotes; a value in double quotes is read as a
    JSON string."""
    options: dict[str, str] = {}
    for offset, row in enumerate(block["options"].splitlines(), start=1):
        if not row.strip():
            continue
        match = re.fullmatch(r"    (\w+):[ \t]*(.*?)[ \t]*", row)
        if match is None or match[1] not in CELL_OPTIONS:
            raise PluginError(
                f"{page}:{line + offset}: cell '{block['name']}': expected an option line "
                f"'    alt: ...' or '    caption: ...' (four spaces, then one of "
                f"{', '.join(sorted(CELL_OPTIONS))}), got {row.strip()!r}"
            )
        value = match[2]
        if len(value) > 1 and value[0] == value[-1] == '"':
            value = json.loads(value)
        options[match[1]] = value
    return options


def render_figures_page(page: str, text: str, run: Executed, figures: str) -> Rendered:
    """A figures page: its `/// cell | name` blocks replaced by the cells they name."""
    import nbformat

    front, body = _split_front_matter(text)
    offset = front.count("\n")
    out = Rendered(markdown="")
    named = [(i, c) for i, c in _code_cells(run.nb) if c.metadata.get("name")]
    for index, cell in _code_cells(run.nb):
        if not cell.metadata.get("name") and cell.get("outputs"):
            where = _where(run.source, run.text, run.nb, index, 1)
            raise PluginError(f"{where}: a set-up cell (no name) must not output anything")
    pieces: list[str] = []
    cells: list[NotebookNode] = []
    position, expected = 0, 0
    for block in CELL_BLOCK.finditer(body):
        line = offset + body.count("\n", 0, block.start()) + 1
        name = block["name"]
        order = [c.metadata["name"] for _, c in named]
        if name not in order:
            raise PluginError(
                f"{page}:{line}: no cell named '{name}' in {run.source.as_posix()} "
                f"(its cells: {', '.join(order)})"
            )
        if order.index(name) != expected:
            raise PluginError(
                f"{page}:{line}: cell '{name}' is out of order or repeated; the page must "
                f"show {run.source.as_posix()}'s named cells once each, in order: "
                + ", ".join(order)
            )
        index, cell = named[expected]
        expected += 1
        options = _parse_options(block, page, line)
        view = _CellView(
            where=_where(run.source, run.text, run.nb, index, 1) + f" (shown on {page}:{line})",
            alt=options.get("alt", ""),
            caption=options.get("caption", ""),
            title=f"{run.source.as_posix()} · {name}",
        )
        prose = body[position : block.start()]
        pieces += [prose, _render_cell(cell, view, figures, out)]
        cells.append(nbformat.v4.new_markdown_cell(prose.strip()))
        previous = named[expected - 2][0] if expected > 1 else -1
        cells += [c for i, c in _code_cells(run.nb) if previous < i <= index]
        position = block.end()
    if expected != len(named):
        missing = ", ".join(c.metadata["name"] for _, c in named[expected:])
        raise PluginError(f"{page}: cells of {run.source.as_posix()} not shown: {missing}")
    pieces.append(body[position:])
    cells.append(nbformat.v4.new_markdown_cell(body[position:].strip()))
    out.markdown = "".join(pieces)
    out.download = _download([c for c in cells if c.source or c.cell_type == "code"], run.nb)
    return out


def render_notebook_page(run: Executed, figures: str) -> Rendered:
    """A notebook dropped into the docs tree, shown cell by cell."""
    out = Rendered(markdown="")
    blocks = []
    for index, cell in enumerate(run.nb.cells):
        if cell.cell_type == "markdown":
            blocks.append(cell.source)
        elif cell.cell_type == "code":
            view = _CellView(
                where=_where(run.source, run.text, run.nb, index, 1),
                alt=str(cell.metadata.get("alt", "")),
                caption=str(cell.metadata.get("caption", "")),
                title="",
            )
            blocks.append(_render_cell(cell, view, figures, out))
    out.markdown = "\n\n".join(b for b in blocks if b) + "\n"
    out.download = _download(list(run.nb.cells), run.nb)
    return out


# --- MkDocs events ---------------------------------------------------------------


class NotebookFile(File):
    """A `.ipynb` or jupytext `.py` in the docs tree, built as a page."""

    def is_documentation_page(self) -> bool:
        return True


@dataclass
class _State:
    pages: dict[str, Rendered] = field(default_factory=dict)  # src_uri -> rendered
    # src_uri -> cache key of the notebook its last build showed. Hooks stay
    # loaded across the rebuilds of `mkdocs serve`, and so does this.
    shown: dict[str, str] = field(default_factory=dict)
    # (page, its text, notebook key, figures folder) -> what it shows: a rebuild
    # renders again only the pages whose source or notebook changed (rendering
    # all 16 took ~0.3 s of every edit-to-preview).
    rendered: dict[tuple[str, str, str, str], Rendered] = field(default_factory=dict)
    executed: int = 0


_state = _State()


def _root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent


def _figures_source(file: File) -> Path | None:
    """snippets/notebooks/<topic>.py for a page with `notebook: <topic>`."""
    if not file.is_documentation_page() or not file.src_uri.endswith(".md"):
        return None
    _, meta = get_data(Path(file.abs_src_path).read_text(encoding="utf-8"))
    topic = meta.get("notebook")
    return None if topic is None else NOTEBOOKS / f"{topic}.py"


def _is_dropped_notebook(file: File) -> bool:
    return file.src_uri.endswith((".ipynb", ".py"))


def on_serve(server: LiveReloadServer, config: MkDocsConfig, builder) -> LiveReloadServer:
    server.watch(str(_root(config) / SNIPPETS))
    return server


def on_files(files: Files, config: MkDocsConfig) -> Files:
    root = _root(config)
    work: dict[str, tuple[File, Path]] = {}  # src_uri -> (page file, notebook source)
    for file in list(files):
        if _is_dropped_notebook(file):
            page = NotebookFile(file.src_uri, file.src_dir, file.dest_dir, file.use_directory_urls)
            files.remove(file)
            files.append(page)
            work[page.src_uri] = (page, Path(page.abs_src_path).relative_to(root))
        elif (source := _figures_source(file)) is not None:
            if not (root / source).is_file():
                raise PluginError(f"{file.src_uri}: front matter names {source}, which is missing")
            work[file.src_uri] = (file, source)
    sources = sorted({source for _, source in work.values()})
    # Kernels are separate processes; run up to one per core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        jobs = [_prepare(root, source) for source in sources]
        runs = dict(zip(sources, pool.map(lambda job: _run(root, job), jobs), strict=True))
    _state.pages.clear()
    rendered_before, _state.rendered = _state.rendered, {}
    for src_uri, (file, source) in sorted(work.items()):
        run = runs[source]
        stem = Path(src_uri).with_suffix("")
        # Figures and the download sit in a folder named after the page.
        figures = posixpath.relpath(stem.as_posix(), posixpath.dirname(file.dest_uri) or ".")
        page = Path(file.abs_src_path).relative_to(root).as_posix()
        text = "" if isinstance(file, NotebookFile) else Path(file.abs_src_path).read_text("utf-8")
        key = (page, text, run.key, figures)
        rendered = rendered_before.get(key)
        if rendered is None:
            if isinstance(file, NotebookFile):
                rendered = render_notebook_page(run, figures)
            else:
                rendered = render_figures_page(page, text, run, figures)
        _state.pages[src_uri] = _state.rendered[key] = rendered
        if _state.shown.get(src_uri, run.key) != run.key:
            _outdate(file)
        _state.shown[src_uri] = run.key
        for figure in rendered.figures:
            files.append(File.generated(config, f"{stem}/{figure.name}", content=figure.payload))
        download = f"{stem}/{stem.name}.ipynb"
        files.append(File.generated(config, download, content=rendered.download))
    _state.executed = sum(run.executed for run in runs.values())
    log.info("Notebooks: %d executed, %d from cache", _state.executed, len(runs) - _state.executed)
    return files


def _outdate(file: File) -> None:
    """Make a dirty build (`mkdocs serve --dirty`) render this page again: its
    source is unchanged, but the notebook it shows was executed anew. MkDocs
    compares the page's output time with its source's."""
    dest = Path(file.abs_dest_path)
    if dest.is_file():
        os.utime(dest, ns=(0, 0))


def _split_front_matter(text: str) -> tuple[str, str]:
    match = re.match(r"^---\n.*?\n---[ \t]*\n", text, re.S)
    return (match[0], text[match.end() :]) if match else ("", text)


def on_page_read_source(page: Page, config: MkDocsConfig) -> str | None:
    rendered = _state.pages.get(page.file.src_uri)
    if rendered is None or not isinstance(page.file, NotebookFile):
        return None
    return rendered.markdown


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    rendered = _state.pages.get(page.file.src_uri)
    if rendered is None:
        return markdown
    if not isinstance(page.file, NotebookFile):
        markdown = rendered.markdown
    stem = Path(page.file.src_uri).with_suffix("")
    # The label is language-specific: each language's config sets it.
    label = config.extra.get("notebook_download", "Download the notebook")
    link = f"{stem.name}/{stem.name}.ipynb"
    button = f"[:material-download: {label}]({link}){{ .md-button .nb-download download }}"
    title = re.search(r"^# .+$", markdown, re.M)
    if title is None:
        return f"{button}\n\n{markdown}"
    return f"{markdown[: title.end()]}\n\n{button}\n{markdown[title.end() :]}"


# --- cache maintenance -----------------------------------------------------------


def prune(root: Path) -> list[Path]:
    """Delete cache entries that no notebook in the repository maps to."""
    sources = [p.relative_to(root) for p in (root / NOTEBOOKS).glob("*.py")]
    sources += [
        p.relative_to(root)
        for p in (root / "docs").rglob("*")
        if p.suffix in (".ipynb", ".py") and "hooks" not in p.parts
    ]
    keep = {_prepare(root, source).key for source in sources}
    removed = [
        p for p in (root / CACHE).glob("*") if p.is_file() and p.name.split(".")[0] not in keep
    ]
    for path in removed:
        path.unlink()
    return removed


if __name__ == "__main__":
    if sys.argv[1:] != ["prune"]:
        sys.exit("usage: python -P docs/hooks/notebooks.py prune")
    gone = prune(Path.cwd())
    print(f"removed {len(gone)} cache files from {CACHE}")
