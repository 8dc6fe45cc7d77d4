"""Every line of Python on the site comes from a .py file that is run or linted.

- snippets/examples/*.py run (each in a fresh interpreter), and every region a page
  shows is followed by asserts that check its result;
- snippets/external/*.py (code for libraries we do not install) parse, are never
  imported by code that runs, and appear on pages only inside a "not executed" note;
- no page has a fenced Python block other than `--8<--` include lines;
- every `--8<-- "file:region"` on a page names a region that exists;
- printed output shown after an example (a ```text block) is what it prints.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "snippets" / "examples"
EXTERNAL = ROOT / "snippets" / "external"

# Title prefix of the note that must surround code we do not run, per page language.
NOT_EXECUTED = {"zh": "未执行", "en": "Not executed"}

REGION = re.compile(r"#\s*--8<--\s*\[(start|end):([\w.-]+)\]")
INCLUDE = re.compile(r'^(\s*)--8<--\s+"([^"]+)"\s*$')
FENCE_OPEN = re.compile(r"^(\s*)(`{3,}|~{3,})\s*(.*)$")
PYTHON_INFO = re.compile(r"^\{?\s*\.?(python3?|py3?|pycon)\b", re.I)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))


def _external_files() -> list[Path]:
    return sorted(EXTERNAL.glob("*.py"))


def _pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def _page_id(page: Path) -> str:
    return str(page.relative_to(DOCS))


# --- 1. examples run and check their results ------------------------------------------


@pytest.mark.parametrize("example", _example_files(), ids=lambda p: p.name)
def test_example_runs(example: Path) -> None:
    env = {**os.environ, "PYTHONPATH": ".", "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, _rel(example)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{_rel(example)} failed:\n{result.stderr[-4000:]}"


def _regions(text: str) -> list[tuple[str, str, int]]:
    """(kind, name, line) of every region marker, in file order."""
    return [
        (m.group(1), m.group(2), lineno)
        for lineno, line in enumerate(text.splitlines(), start=1)
        if (m := REGION.search(line))
    ]


@pytest.mark.parametrize("example", _example_files(), ids=lambda p: p.name)
def test_every_example_region_is_followed_by_asserts(example: Path) -> None:
    text = example.read_text(encoding="utf-8")
    markers = _regions(text)
    assert markers, f"{_rel(example)}: no --8<-- regions"
    asserts = sorted(
        node.lineno for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Assert)
    )
    n_lines = len(text.splitlines())
    problems, open_regions = [], set()
    for i, (kind, name, lineno) in enumerate(markers):
        if kind == "start":
            if name in open_regions:
                problems.append(f"line {lineno}: region {name!r} started twice")
            open_regions.add(name)
            continue
        if name not in open_regions:
            problems.append(f"line {lineno}: [end:{name}] without a start")
        open_regions.discard(name)
        following_start = [ln for k, _, ln in markers[i + 1 :] if k == "start"]
        limit = following_start[0] if following_start else n_lines + 1
        if not any(lineno < a < limit for a in asserts):
            problems.append(f"line {lineno}: no assert after [end:{name}] before line {limit}")
    problems += [f"region {name!r} never ends" for name in sorted(open_regions)]
    assert not problems, f"{_rel(example)}:\n" + "\n".join(problems)


# --- 2. external code: parsed, never imported, shown only as "not executed" -----------


@pytest.mark.parametrize("external", _external_files(), ids=lambda p: p.name)
def test_external_code_parses(external: Path) -> None:
    try:
        ast.parse(external.read_text(encoding="utf-8"), filename=_rel(external))
    except SyntaxError as error:
        pytest.fail(f"{_rel(external)}:{error.lineno}: {error.msg}")


def _executed_python_files() -> list[Path]:
    """Python that runs: snippets (but not external/), tests, and the build's hooks."""
    files = [*(ROOT / "snippets").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]
    files += (DOCS / "hooks").rglob("*.py")
    return sorted(p for p in files if EXTERNAL not in p.parents)


def _imports_external(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        else:
            continue
        if any(n == "snippets.external" or n.startswith("snippets.external.") for n in names):
            lines.append(node.lineno)
    return lines


def test_external_code_is_never_imported() -> None:
    found = [
        f"{_rel(path)}:{lineno}"
        for path in _executed_python_files()
        for lineno in _imports_external(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not found, "snippets/external is imported by code that runs:\n" + "\n".join(found)


ADMONITION = re.compile(r"^(\s*)(?:!!!|\?\?\?\+?)\s+([\w-]+)(?:\s+[\w-]+)*(?:\s+\"(.*)\")?\s*$")
BLOCK_OPEN = re.compile(r"^///\s*([\w-]+)\s*(?:\|\s*(.*?))?\s*$")
BLOCK_CLOSE = re.compile(r"^///\s*$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _container(lines: list[str], index: int) -> tuple[str, str] | None:
    """(type, title) of the innermost admonition or /// block around lines[index]."""
    indent = _indent(lines[index])
    if indent > 0:  # indented: the parent is the nearest less-indented line above
        for line in reversed(lines[:index]):
            if line.strip() and _indent(line) < indent:
                m = ADMONITION.match(line)
                return (m.group(2), m.group(3) or "") if m else None
        return None
    stack: list[tuple[str, str]] = []
    for line in lines[:index]:
        if BLOCK_CLOSE.match(line):
            if stack:
                stack.pop()
        elif m := BLOCK_OPEN.match(line):
            stack.append((m.group(1), (m.group(2) or "").strip()))
    return stack[-1] if stack else None


@pytest.mark.parametrize("page", _pages(), ids=_page_id)
def test_external_code_is_shown_in_a_not_executed_note(page: Path) -> None:
    lang = page.relative_to(DOCS).parts[0]
    prefixes = (NOT_EXECUTED[lang],) if lang in NOT_EXECUTED else tuple(NOT_EXECUTED.values())
    lines = page.read_text(encoding="utf-8").splitlines()
    bad = []
    for index, line in enumerate(lines):
        m = INCLUDE.match(line)
        if not m or not m.group(2).startswith("snippets/external/"):
            continue
        fence = index  # the include sits in a fence; the note must contain the fence
        while fence > 0 and not FENCE_OPEN.match(lines[fence]):
            fence -= 1
        container = _container(lines, fence)
        if not (container and container[0] == "note" and container[1].startswith(prefixes)):
            bad.append(
                f"{_rel(page)}:{index + 1}: {m.group(2)} is not inside a note"
                f" titled {prefixes[0]!r}..."
            )
    assert not bad, "\n".join(bad)


# --- 3. no Python pasted into Markdown --------------------------------------------------


def _python_fences(lines: list[str]) -> list[tuple[int, list[str]]]:
    """(line number of the opening fence, body lines) of every fenced Python block.
    Fences nested in other fences (Markdown shown as an example) are not code."""
    found, i = [], 0
    while i < len(lines):
        m = FENCE_OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        char, length, info = m.group(2)[0], len(m.group(2)), m.group(3)
        if char == "`" and "`" in info:  # inline code such as ```x```, not a fence
            i += 1
            continue
        close = re.compile(rf"^\s*{re.escape(char)}{{{length},}}\s*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        if PYTHON_INFO.match(info):
            found.append((i + 1, lines[i + 1 : j]))
        i = j + 1
    return found


@pytest.mark.parametrize("page", _pages(), ids=_page_id)
def test_no_python_is_pasted_into_pages(page: Path) -> None:
    lines = page.read_text(encoding="utf-8").splitlines()
    pasted = [
        f"{_rel(page)}:{lineno}: fenced Python that is not only --8<-- includes"
        for lineno, body in _python_fences(lines)
        if not (any(b.strip() for b in body) and all(INCLUDE.match(b) for b in body if b.strip()))
    ]
    assert not pasted, "move the code into snippets/ and include it:\n" + "\n".join(pasted)


# --- 4. includes name existing regions ---------------------------------------------------


def _check_include(target: str) -> str | None:
    """None if `--8<-- "target"` resolves, else why not."""
    path, _, section = target.partition(":")
    if (section and ":" in section) or section.isdigit():  # line ranges: path:1:10
        section = ""
    file = ROOT / path
    if not file.is_file():
        return f"no file {path}"
    if section:
        text = file.read_text(encoding="utf-8")
        for kind in ("start", "end"):
            if not re.search(rf"--8<--\s*\[{kind}:{re.escape(section)}\]", text):
                return f"{path} has no [{kind}:{section}]"
    return None


@pytest.mark.parametrize("page", _pages(), ids=_page_id)
def test_includes_name_existing_regions(page: Path) -> None:
    bad = []
    for lineno, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
        if (m := INCLUDE.match(line)) and (why := _check_include(m.group(2))):
            bad.append(f'{_rel(page)}:{lineno}: --8<-- "{m.group(2)}": {why}')
    assert not bad, "\n".join(bad)


# --- 5. printed output shown on a page is what the example prints -------------------------


@functools.cache
def _region_output(example: Path) -> dict[str, str]:
    """What each region of an example prints, running the file region by region
    in one namespace (as `python example.py` would, top to bottom)."""
    text = example.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    cuts = [0, *(line for _, _, line in _regions(text)), len(lines)]
    namespace: dict[str, object] = {"__name__": "__main__", "__file__": str(example)}
    printed: list[str] = []
    for start, end in itertools.pairwise(cuts):
        buffer = io.StringIO()
        # Line numbers in tracebacks stay those of the file: pad with blank lines.
        chunk = "\n" * start + "".join(lines[start:end])
        with contextlib.redirect_stdout(buffer):
            exec(compile(chunk, str(example), "exec"), namespace)
        printed.append(buffer.getvalue())
    outputs: dict[str, str] = {}
    markers = _regions(text)
    for i, (kind, name, _) in enumerate(markers):
        if kind == "start":
            end = next(j for j, m in enumerate(markers) if j > i and m[:2] == ("end", name))
            outputs[name] = "".join(printed[i + 1 : end + 1])
    return outputs


def _shown_outputs(page: Path) -> list[tuple[int, str, str, str]]:
    """(line, example file, region, text) for every ```text block that follows
    an include of an example region on `page`."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found = []
    for lineno, body in _python_fences(lines):
        includes = [INCLUDE.match(b) for b in body if b.strip()]
        if len(includes) != 1 or not includes[0] or ":" not in includes[0].group(2):
            continue
        target = includes[0].group(2)
        if not target.startswith("snippets/examples/"):
            continue
        after = lineno + len(body) + 1  # index of the line after the closing fence
        while after < len(lines) and not lines[after].strip():
            after += 1
        opening = FENCE_OPEN.match(lines[after]) if after < len(lines) else None
        if not opening or opening.group(3).strip() not in ("text", "console", "output"):
            continue
        close = re.compile(rf"^\s*{re.escape(opening.group(2))}\s*$")
        end = after + 1
        while end < len(lines) and not close.match(lines[end]):
            end += 1
        indent = len(opening.group(1))
        shown = "\n".join(line[indent:] for line in lines[after + 1 : end])
        path, _, region = target.partition(":")
        found.append((after + 1, path, region, shown))
    return found


@pytest.mark.parametrize("page", _pages(), ids=_page_id)
def test_printed_output_on_pages_is_what_the_example_prints(page: Path) -> None:
    stale = []
    for lineno, path, region, shown in _shown_outputs(page):
        printed = _region_output(ROOT / path)[region]
        if printed.rstrip() != shown.rstrip():
            stale.append(
                f"{_rel(page)}:{lineno}: the output shown for {path}:{region} is stale; "
                f"it now prints:\n{printed}"
            )
    assert not stale, "\n".join(stale)
