"""The notebook hook (docs/hooks/notebooks.py) on a throwaway site: figures
pages and dropped notebooks render with their downloads, every failure names
the file, the cell and the line, the cache follows snippets/ and survives a
killed build, and one execution serves every language. The real notebooks are
checked by the full build in test_site."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, build_env

HOOK = ROOT / "docs" / "hooks" / "notebooks.py"

NOTEBOOK = '''\
"""A figures notebook."""

# %% tags=["hide-input"]
import matplotlib.pyplot as plt

from snippets.plotting import use_style
from snippets.scale import double

use_style()

# %% name="answer"
print(double(21))

# %% name="line" tags=["hide-input"]
fig, ax = plt.subplots()
ax.plot([0, 1, 2], [0, double(1), double(2)], label="2x")
ax.set_title("Text")
ax.legend()  # its result is a repr with an address, different on every run
'''

PAGE = """\
---
notebook: demo
---

# Figures

Prose with math $x^2$.

/// cell | answer
///

More prose.

/// cell | line
    alt: A straight line through the origin: y = 2x, for x in (0, 2]
    caption: The slope is **two**.
///
"""

DROPPED_PY = """\
# %% [markdown]
# # A dropped notebook
#
# Some *prose*.

# %% alt="Dots on a parabola"
import matplotlib.pyplot as plt

fig, ax = plt.subplots()
ax.plot([0, 1, 2], [0, 1, 4], "o")
"""


def _site(tmp_path: Path, notebook: str = NOTEBOOK, page: str = PAGE) -> Path:
    root = tmp_path
    (root / "docs").mkdir(parents=True)
    (root / "snippets" / "notebooks").mkdir(parents=True)
    (root / "snippets" / "__init__.py").write_text("")
    shutil.copy(ROOT / "snippets" / "plotting.py", root / "snippets")
    # A relative import: editing _factor.py must re-execute the notebook.
    (root / "snippets" / "scale.py").write_text(
        "from ._factor import FACTOR\n\n\ndef double(x):\n    return FACTOR * x\n"
    )
    (root / "snippets" / "_factor.py").write_text("FACTOR = 2\n")
    (root / "snippets" / "unused.py").write_text("VALUE = 1\n")
    (root / "snippets" / "notebooks" / "demo.py").write_text(notebook)
    (root / "docs" / "index.md").write_text(page)
    (root / "mkdocs.yml").write_text(
        f"site_name: t\nhooks:\n  - {HOOK}\nextra:\n  notebook_download: Get it\n"
        "markdown_extensions:\n  - attr_list\n  - md_in_html\n  - pymdownx.highlight\n"
        "  - pymdownx.superfences\n"
    )
    return root


def _build(
    root: Path, site: str = "site", cwd: Path | None = None, config: str = "mkdocs.yml"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", config, "--site-dir", site],
        cwd=cwd or root,
        env=build_env(),
        capture_output=True,
        text=True,
        check=False,
    )


def _executed(result: subprocess.CompletedProcess[str]) -> int:
    match = re.search(r"Notebooks: (\d+) executed", result.stderr)
    assert match, result.stderr
    return int(match[1])


def _failure(root: Path) -> str:
    result = _build(root)
    assert result.returncode != 0, "the build should have failed"
    assert not (root / "site" / "index.html").exists(), "a broken page was published"
    return result.stderr


def test_figures_page_shows_cells_in_place(tmp_path: Path) -> None:
    root = _site(tmp_path)
    result = _build(root)
    assert result.returncode == 0, result.stderr
    html = (root / "site" / "index.html").read_text()
    assert "42" in html  # the printed output
    assert html.index("Prose with math") < html.index("42") < html.index("More prose")
    assert 'alt="A straight line through the origin: y = 2x, for x in (0, 2]"' in html
    assert "<strong>two</strong>" in html  # the caption is Markdown
    assert "snippets/notebooks/demo.py · answer" in html  # where the code lives
    assert "use_style()" not in html  # set-up cells are not shown
    assert "ax.plot" not in html  # hide-input
    assert "/// cell" not in html
    svg = (root / "site" / "index" / "line.svg").read_text()
    assert svg.startswith("<?xml") and "<path" in svg
    # Glyphs keep matplotlib's exact transform: rounding it shrank all figure text.
    assert "scale(0.015625)" in svg
    assert 'width="526" height="328"' in html  # its box is reserved, at its true size


def test_every_notebook_page_offers_the_executed_notebook(tmp_path: Path) -> None:
    root = _site(tmp_path)
    assert _build(root).returncode == 0
    html = (root / "site" / "index.html").read_text()
    link = re.search(r'<a [^>]*href="([^"]+\.ipynb)"[^>]*>(.*?)</a>', html, re.S)
    assert link and "Get it" in link[2], "no download button with the configured label"
    nb = nbformat.read(root / "site" / link[1], as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.metadata.get("name") for c in code] == [None, "answer", "line"]
    assert code[1].outputs[0].text == "42\n"
    assert any("image/svg+xml" in o.get("data", {}) for o in code[2].outputs)
    prose = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert prose[0].startswith("# Figures") and "More prose." in prose[1]


@pytest.mark.parametrize("name", ["dropped.py", "dropped.ipynb"])
def test_a_notebook_dropped_into_docs_becomes_a_page(tmp_path: Path, name: str) -> None:
    root = _site(tmp_path)
    import jupytext

    nb = jupytext.reads(DROPPED_PY, fmt="py:percent")
    target = root / "docs" / name
    if name.endswith(".py"):
        target.write_text(DROPPED_PY)
    else:
        nbformat.write(nb, target)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text() + f"nav:\n  - index.md\n  - {name}\n")
    result = _build(root)
    assert result.returncode == 0, result.stderr
    html = (root / "site" / "dropped" / "index.html").read_text()
    assert "<em>prose</em>" in html
    assert "<title>A dropped notebook" in html
    assert 'alt="Dots on a parabola"' in html
    # No use_style(): matplotlib's default inline format, PNG.
    assert (root / "site" / "dropped" / "figure-1.png").is_file()
    download = nbformat.read(root / "site" / "dropped" / "dropped.ipynb", as_version=4)
    nbformat.validate(download)
    assert download.cells[1].outputs, "the download carries the outputs"


def test_a_raising_cell_names_file_line_and_traceback(tmp_path: Path) -> None:
    root = _site(tmp_path, NOTEBOOK.replace("print(double(21))", "x = 1\nprint(double(21) / 0)"))
    error = _failure(root)
    # Line 13 of the notebook file is the failing statement.
    assert "snippets/notebooks/demo.py:13 (cell 'answer') raised ZeroDivisionError" in error
    assert "----> 2 print(double(21) / 0)" in error  # the traceback's last lines


def test_an_error_inside_a_snippets_module_names_the_cell(tmp_path: Path) -> None:
    root = _site(tmp_path)
    (root / "snippets" / "scale.py").write_text("def double(x):\n    return x.missing\n")
    error = _failure(root)
    assert "snippets/notebooks/demo.py:12 (cell 'answer') raised AttributeError" in error
    assert "scale.py" in error


def test_a_dead_kernel_names_the_cell(tmp_path: Path) -> None:
    root = _site(tmp_path, NOTEBOOK.replace("print(double(21))", "import os\nos._exit(1)"))
    error = _failure(root)
    assert "snippets/notebooks/demo.py:12 (cell 'answer'): the kernel died" in error
    assert "Traceback" not in error


def test_a_cell_printing_megabytes_fails(tmp_path: Path) -> None:
    root = _site(tmp_path, NOTEBOOK.replace("print(double(21))", 'print("x" * 1_000_000)'))
    error = _failure(root)
    assert "snippets/notebooks/demo.py:12 (cell 'answer') printed 1,000,001 bytes" in error
    assert "limit is 20,000 per cell" in error


def test_a_figure_without_alt_text_fails(tmp_path: Path) -> None:
    root = _site(
        tmp_path,
        page=PAGE.replace(
            "    alt: A straight line through the origin: y = 2x, for x in (0, 2]\n", ""
        ),
    )
    error = _failure(root)
    assert "cell 'line') (shown on docs/index.md:14) draws a figure without alt text" in error


@pytest.mark.parametrize(
    "page,message",
    [
        (PAGE.replace("cell | line", "cell | lines"), "docs/index.md:14: no cell named 'lines'"),
        (
            PAGE.replace("cell | answer", "cell | line", 1),
            "docs/index.md:9: cell 'line' is out of",
        ),
        (PAGE[: PAGE.index("More prose")], "cells of snippets/notebooks/demo.py not shown: line"),
        (PAGE.replace("    caption:", "    captoin:"), "docs/index.md:16: cell 'line': expected"),
    ],
    ids=["unknown", "order", "missing", "option"],
)
def test_cell_blocks_must_match_the_notebook(tmp_path: Path, page: str, message: str) -> None:
    assert message in _failure(_site(tmp_path, page=page))


def test_a_set_up_cell_must_not_print(tmp_path: Path) -> None:
    root = _site(tmp_path, NOTEBOOK.replace("use_style()\n", "use_style()\nprint('hi')\n"))
    assert "snippets/notebooks/demo.py:4 (cell 'code cell 1'): a set-up cell" in _failure(root)


def test_cache_follows_the_notebook_and_the_snippets_it_imports(tmp_path: Path) -> None:
    root = _site(tmp_path)
    assert _executed(_build(root)) == 1
    assert _executed(_build(root)) == 0, "nothing changed: nothing may execute"

    (root / "snippets" / "unused.py").write_text("VALUE = 2\n")
    assert _executed(_build(root)) == 0, "a module the notebook does not import"

    (root / "snippets" / "_factor.py").write_text("FACTOR = 3\n")
    result = _build(root)
    assert _executed(result) == 1, "a module imported relatively by an imported module"
    assert "63" in (root / "site" / "index.html").read_text(), "stale output published"

    notebook = root / "snippets" / "notebooks" / "demo.py"
    notebook.write_text(notebook.read_text().replace("double(21)", "double(1)"))
    assert _executed(_build(root)) == 1, "the notebook changed"

    page = root / "docs" / "index.md"
    page.write_text(page.read_text().replace("More prose.", "Other prose."))
    assert _executed(_build(root)) == 0, "prose is not code: nothing to execute"


def test_a_truncated_cache_entry_is_executed_again(tmp_path: Path) -> None:
    root = _site(tmp_path)
    assert _executed(_build(root)) == 1
    (entry,) = (root / ".cache" / "notebooks").glob("*.ipynb")
    entry.write_text(entry.read_text()[:100])  # a build killed mid-write
    result = _build(root)
    assert result.returncode == 0, result.stderr
    assert _executed(result) == 1
    nbformat.validate(nbformat.read(entry, as_version=4))


def test_builds_in_parallel_share_one_execution(tmp_path: Path) -> None:
    """The languages build in parallel processes; one kernel serves them all."""
    root = _site(tmp_path)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda site: _build(root, site), ["site-a", "site-b"]))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert sum(_executed(r) for r in results) == 1
    a, b = (root / s / "index.html" for s in ("site-a", "site-b"))
    assert a.read_bytes() == b.read_bytes()


def test_prune_deletes_entries_no_notebook_uses(tmp_path: Path) -> None:
    root = _site(tmp_path)
    assert _build(root).returncode == 0
    stale = root / ".cache" / "notebooks" / "0123456789abcdef0123456789abcdef.ipynb"
    stale.write_text("{}")
    # -P: a script's folder goes first on sys.path; keep the hooks from shadowing anything.
    prune = [sys.executable, "-P", str(HOOK), "prune"]
    subprocess.run(prune, cwd=root, check=True, env=build_env())
    assert not stale.exists()
    assert _executed(_build(root)) == 0, "the live entry was kept"


def test_a_relative_config_path_from_another_directory(tmp_path: Path) -> None:
    root = _site(tmp_path / "repo")
    result = _build(root, site=str(root / "site"), cwd=tmp_path, config="repo/mkdocs.yml")
    assert result.returncode == 0, result.stderr
    assert (root / "site" / "index" / "line.svg").is_file()


def test_execution_is_reproducible(tmp_path: Path) -> None:
    """Two executions from an empty cache write the same page, figure and
    downloadable notebook, byte for byte."""
    first = _site(tmp_path / "a")
    second = _site(tmp_path / "b")
    assert _build(first).returncode == 0
    assert _build(second).returncode == 0
    differ = [
        name
        for name in ("index.html", "index/line.svg", "index/index.ipynb")
        if (first / "site" / name).read_bytes() != (second / "site" / name).read_bytes()
    ]
    assert not differ, f"two executions wrote different {differ}"


def test_the_real_notebooks_are_lint_clean_scripts() -> None:
    """Every figures notebook is a plain Python file: it parses, and its named
    cells are unique."""
    import jupytext

    for path in sorted((ROOT / "snippets" / "notebooks").glob("*.py")):
        nb = jupytext.read(path, fmt="py:percent")
        names = [c.metadata["name"] for c in nb.cells if c.metadata.get("name")]
        assert len(names) == len(set(names)), f"{path.name}: a cell name is used twice"
        assert not [c for c in nb.cells if c.cell_type == "markdown"], (
            f"{path.name}: prose belongs on the pages, not in markdown cells"
        )
