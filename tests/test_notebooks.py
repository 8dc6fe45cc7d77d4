"""The notebook hook (docs/hooks/notebooks.py) on a throwaway site: failures
name the notebook and the cell, the cache follows snippets/, output is
reproducible. The real notebooks are checked by the full build in test_site."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, build_env

HOOK = ROOT / "docs" / "hooks" / "notebooks.py"

NOTEBOOK = """\
---
jupyter:
  kernelspec:
    name: python3
    display_name: Python 3
    language: python
---

# A notebook

Prose with math $x^2$.

```python tags=["hide-input"]
import matplotlib.pyplot as plt
from snippets.plotting import use_style
from snippets.scale import double
use_style()
```

```python
print(double(21))
```

```python name="line" alt="A straight line through the origin"
fig, ax = plt.subplots()
ax.plot([0, 1, 2], [0, double(1), double(2)])
```
"""


def _site(tmp_path: Path, notebook: str = NOTEBOOK) -> Path:
    (tmp_path / "docs").mkdir(parents=True)
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "__init__.py").write_text("")
    shutil.copy(ROOT / "snippets" / "plotting.py", tmp_path / "snippets")
    (tmp_path / "snippets" / "scale.py").write_text("def double(x):\n    return 2 * x\n")
    (tmp_path / "snippets" / "unused.py").write_text("VALUE = 1\n")
    (tmp_path / "docs" / "index.md").write_text(notebook)
    (tmp_path / "mkdocs.yml").write_text(
        f"site_name: t\nhooks:\n  - {HOOK}\n"
        "markdown_extensions:\n  - attr_list\n  - pymdownx.superfences\n"
    )
    return tmp_path


def _build(root: Path, site: str = "site") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", site],
        cwd=root,
        env=build_env(),
        capture_output=True,
        text=True,
        check=False,
    )


def _executed(result: subprocess.CompletedProcess[str]) -> int:
    match = re.search(r"Notebooks: (\d+) executed", result.stderr)
    assert match, result.stderr
    return int(match[1])


def test_notebook_is_rendered_as_a_page(tmp_path: Path) -> None:
    root = _site(tmp_path)
    result = _build(root)
    assert result.returncode == 0, result.stderr
    html = (root / "site" / "index.html").read_text()
    assert "42" in html  # the printed output
    assert 'alt="A straight line through the origin"' in html
    assert "from snippets.plotting" not in html  # hide-input
    svg = (root / "site" / "index" / "line.svg").read_text()
    assert svg.startswith("<?xml") and "<path" in svg
    assert "Line2D" not in html  # no object reprs


def test_a_raising_cell_fails_the_build_naming_notebook_and_cell(tmp_path: Path) -> None:
    root = _site(tmp_path, NOTEBOOK.replace("print(double(21))", "print(double(21) / 0)"))
    result = _build(root)
    assert result.returncode != 0
    assert re.search(
        r"docs/index\.md: cell 3 \(line 21\) raised ZeroDivisionError", result.stderr
    ), result.stderr
    assert not (root / "site" / "index.html").exists()


def test_a_figure_without_alt_text_fails_the_build(tmp_path: Path) -> None:
    root = _site(tmp_path, NOTEBOOK.replace(' alt="A straight line through the origin"', ""))
    result = _build(root)
    assert result.returncode != 0
    assert "docs/index.md: cell 4 draws a figure without alt text" in result.stderr


def test_cache_follows_the_notebook_and_the_snippets_it_imports(tmp_path: Path) -> None:
    root = _site(tmp_path)
    assert _executed(_build(root)) == 1
    assert _executed(_build(root)) == 0, "nothing changed: nothing may execute"

    (root / "snippets" / "unused.py").write_text("VALUE = 2\n")
    assert _executed(_build(root)) == 0, "a module the notebook does not import"

    (root / "snippets" / "scale.py").write_text("def double(x):\n    return 3 * x\n")
    result = _build(root)
    assert _executed(result) == 1, "an imported snippets module changed"
    assert "63" in (root / "site" / "index.html").read_text(), "stale output published"

    notebook = root / "docs" / "index.md"
    notebook.write_text(notebook.read_text().replace("double(21)", "double(1)"))
    assert _executed(_build(root)) == 1, "the notebook changed"


@pytest.mark.parametrize("name", ["index.html", "index/line.svg"])
def test_execution_is_reproducible(tmp_path: Path, name: str) -> None:
    """Two executions from an empty cache write the same bytes."""
    first = _site(tmp_path / "a")
    second = _site(tmp_path / "b")
    assert _build(first).returncode == 0
    assert _build(second).returncode == 0
    assert (first / "site" / name).read_bytes() == (second / "site" / name).read_bytes()
