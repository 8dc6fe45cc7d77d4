"""Fault injection: break one thing in a small throwaway site (the real hooks,
the real `validation` settings, a few pages, no notebooks) and check that the
strict build fails with a message naming the culprit file, the line where
there is one, and the fix. Also: concurrent builds take turns, the parity and
nav checks name what differs, and deploys wait for the tests."""

from __future__ import annotations

import fcntl
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, _loader, build_env
from test_site import nav_difference, structure_difference

HOOKS = ROOT / "docs" / "hooks"
REAL = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_loader())
COMPANIES = REAL["extra"]["companies"]

QUESTION = """\
# Activations

Intro linking [the other page](other.md).

## Why ReLU?{attrs}

/// details | Answer
    type: answer
    open: true

**Short answer:** it does not saturate.
///
"""


def make_site(
    root: Path,
    pages: dict[str, str | bytes],
    *,
    hooks: tuple[str, ...] = ("validate", "companies"),
    languages: dict[str, dict[str, str | bytes]] | None = None,
    nav: list[str] | None = None,
    extra_hooks: tuple[Path, ...] = (),
    extra: dict | None = None,
) -> Path:
    """A throwaway site in `root`: `pages` under docs/ (or, with `languages`,
    one docs/<lang>/ tree and config per language, the first the default, all
    built by the real languages hook), the real hooks listed in `hooks`, then
    `extra_hooks` (test-only hook files); `extra` adds to the config's extra."""
    config: dict = {
        "site_name": "t",
        "theme": {"name": "mkdocs"},
        "validation": REAL["validation"],
        "extra": {"companies": COMPANIES, **(extra or {})},
        "hooks": [str(HOOKS / f"{name}.py") for name in hooks] + [str(h) for h in extra_hooks],
        "markdown_extensions": [
            "admonition",
            "attr_list",
            "md_in_html",
            "tables",
            {"pymdownx.arithmatex": {"generic": True}},
            "pymdownx.blocks.details",
            "pymdownx.superfences",
            {"toc": {"slugify": "SLUGIFY"}},
        ],
    }
    if nav is not None:
        config["nav"] = nav
    trees = languages or {"": pages}
    if languages:
        first = next(iter(languages))
        config["hooks"].insert(0, str(HOOKS / "languages.py"))
        config["extra"]["languages"] = {
            lang: "mkdocs.yml" if lang == first else f"mkdocs.{lang}.yml" for lang in languages
        }
        config["theme"]["language"] = first
        config["docs_dir"] = f"docs/{first}"
        for lang in list(languages)[1:]:
            child = {"INHERIT": "mkdocs.yml", "docs_dir": f"docs/{lang}"}
            child |= {"site_dir": f"site/{lang}", "theme": {"language": lang}}
            (root / f"mkdocs.{lang}.yml").write_text(yaml.safe_dump(child))
    for lang, tree in trees.items():
        for name, content in tree.items():
            path = root / "docs" / lang / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    # The slugify the real site uses; companies.py reads it from the toc config.
    slugify = "!!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}"
    text = text.replace("slugify: SLUGIFY", f"slugify: {slugify}")
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    return root


def command() -> list[str]:
    return [sys.executable, "-m", "mkdocs", "build", "--strict"]


def build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(),
        cwd=root,
        env=build_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def fails(root: Path, *patterns: str) -> str:
    """Build `root`, assert the build fails and its log matches every pattern."""
    result = build(root)
    log = result.stdout + result.stderr
    assert result.returncode != 0, f"the build passed:\n{log}"
    for pattern in patterns:
        assert re.search(pattern, log), f"no {pattern!r} in:\n{log}"
    return log


def passes(root: Path) -> str:
    result = build(root)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    return log


OTHER = {"other.md": "# Other\n\nText.\n"}


# --- 1, 8c: what MkDocs reads ------------------------------------------------------


def test_the_site_runs_the_checks() -> None:
    """The fault tests use the real hooks and `validation`; the site must too,
    with validate.py before the hooks that read page sources."""
    hooks = [Path(h).name for h in REAL["hooks"]]
    assert "validate.py" in hooks, hooks
    readers = [h for h in ("notebooks.py", "companies.py") if h in hooks]
    assert all(hooks.index("validate.py") < hooks.index(h) for h in readers), hooks
    assert hooks[0] == "languages.py", hooks
    for setting in ("omitted_files", "not_found", "anchors", "unrecognized_links"):
        assert REAL["validation"][setting] == "warn", setting


def test_malformed_front_matter_fails_naming_file_and_line(tmp_path: Path) -> None:
    page = "---\ntitle: T\ntags: [a, b\n---\n\n# Page\n\nText.\n"
    root = make_site(tmp_path, {"index.md": page, **OTHER})
    fails(
        root,
        r"docs/index\.md:3: front matter is not valid YAML \(while parsing a flow sequence",
        r"Fix the YAML between the two '---' lines",
    )


def test_unclosed_front_matter_fails(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"index.md": "---\ntags: [a]\n\n# Page\n", **OTHER})
    fails(root, r"docs/index\.md:1: front matter opens with '---' but is never closed")


def test_non_utf8_byte_fails_naming_file_and_offset(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"index.md": b"# Page\n\ncaf\xe9 au lait\n", **OTHER})
    fails(
        root,
        r"docs/index\.md: byte 0xe9 at offset 11 \(line 3, column 4\) is not UTF-8",
        r"Save the file as UTF-8",
    )


# --- 3: raw image Markdown ------------------------------------------------------------


def test_image_alt_text_with_bracket_fails_naming_page_and_line(tmp_path: Path) -> None:
    page = "# Page\n\nText.\n\n![slope in (0, 0.25]](x.svg)\n\n`![in code](is fine)`\n"
    svg = '<svg xmlns="http://www.w3.org/2000/svg"/>'
    root = make_site(tmp_path, {"index.md": page, "x.svg": svg, **OTHER})
    fails(
        root,
        r"docs/index\.md:5: image Markdown published as text: '!\[slope in \(0, 0\.25\]\]",
        r"escape it as '\\\]'",
    )


def test_image_markdown_in_code_and_math_is_fine(tmp_path: Path) -> None:
    page = (
        "# Page\n\nWrite `![alt](path.svg)`; TeX's $[\\![x]\\!]$ is an Iverson bracket.\n\n"
        "```markdown\n![alt](path.svg)\n```\n\n![escaped in (0, 0.25\\]](x.svg)\n"
    )
    svg = '<svg xmlns="http://www.w3.org/2000/svg"/>'
    root = make_site(tmp_path, {"index.md": page, "x.svg": svg, **OTHER})
    passes(root)
    assert 'alt="escaped in (0, 0.25]"' in (root / "site" / "index.html").read_text()


# --- 4: company tags ------------------------------------------------------------------


def test_company_in_single_quotes_gets_badge_and_index_entry(tmp_path: Path) -> None:
    index = "# Companies\n\n<!-- questions:company -->\n"
    page = QUESTION.format(attrs=" { data-company='megvii' }")
    root = make_site(tmp_path, {"index.md": page, "other.md": index})
    passes(root)
    html = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert f'data-label="{COMPANIES["megvii"]}"' in html, html
    listing = (root / "site" / "other" / "index.html").read_text(encoding="utf-8")
    assert "Why ReLU?" in listing.split(COMPANIES["megvii"], 1)[1], listing


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        (" { data-company='megvi' }", r"docs/index\.md:5: unknown company 'megvi' in data-company"),
        (' { data-compnay="jd" }', r"docs/index\.md:5: unknown heading attribute 'data-compnay'"),
        (' { data-company="jd }', r"docs/index\.md:5: cannot parse the attribute list"),
        (' { data-company="jd"', r"docs/index\.md:5: unbalanced braces in the heading"),
    ],
    ids=["typo-in-single-quotes", "unknown-key", "unclosed-quote", "unclosed-brace"],
)
def test_bad_company_attribute_fails_naming_page_and_line(
    tmp_path: Path, attrs: str, message: str
) -> None:
    root = make_site(tmp_path, {"index.md": QUESTION.format(attrs=attrs), **OTHER})
    fails(root, message)


# --- 5: parity -----------------------------------------------------------------------

ZH = """\
# 激活函数

见[优化](optimization.md)。

## 为什么用 ReLU?

答见 [sigmoid](#sigmoid)。

```python
--8<-- "snippets/activations.py:relu"
```

## 为什么 sigmoid 会饱和?

- [梯度消失](normalization.md#梯度消失)
"""

EN = """\
# Activations

See [optimization](optimization.md).

## Why ReLU?

See [sigmoid](#sigmoid).

```python
--8<-- "snippets/activations.py:relu"
```

## Why does sigmoid saturate?

- [Vanishing gradients](normalization.md#vanishing-gradients)
"""


def test_parity_accepts_a_faithful_translation() -> None:
    assert structure_difference("docs/zh/a.md", ZH, "docs/en/a.md", EN) is None


def test_parity_names_two_swapped_questions() -> None:
    head, relu, sigmoid = re.split(r"\n(?=## )", EN)
    swapped = "\n".join([head, sigmoid.rstrip("\n") + "\n", relu])
    difference = structure_difference("docs/zh/a.md", ZH, "docs/en/a.md", swapped)
    assert difference is not None
    assert "docs/en/a.md does not match docs/zh/a.md at heading 1" in difference
    assert "line 5: '## 为什么用 ReLU?'" in difference
    assert "line 5: '## Why does sigmoid saturate?'" in difference
    assert "includes: ('snippets/activations.py:relu',) vs ()" in difference


def test_parity_names_a_missing_question() -> None:
    difference = structure_difference("docs/zh/a.md", ZH, "docs/en/a.md", EN.split("\n## Why")[0])
    assert difference is not None
    assert "docs/zh/a.md has 2 heading(s) more than docs/en/a.md, from heading 1" in difference


def test_parity_names_a_company_tag_on_one_side_only() -> None:
    tagged = EN.replace("## Why ReLU?", '## Why ReLU? { data-company="jd" }')
    difference = structure_difference("docs/zh/a.md", ZH, "docs/en/a.md", tagged)
    assert difference is not None
    assert "company: None vs 'jd'" in difference


# --- quiz mode's toggle ----------------------------------------------------------------

QUIZ = {"quiz": {"enter": "Drill: hide answers", "leave": "Show answers"}}


def test_a_page_with_answers_gets_the_quiz_toggle_under_its_title(tmp_path: Path) -> None:
    pages = {"index.md": QUESTION.format(attrs=""), **OTHER}
    root = make_site(tmp_path, pages, hooks=("validate", "quiz"), extra=QUIZ)
    passes(root)
    html = (root / "site" / "index.html").read_text(encoding="utf-8")
    title_end = html.index("</h1>") + len("</h1>")
    assert html[title_end:].startswith('<button type="button" class="quiz-toggle'), html
    assert 'data-enter="Drill: hide answers" data-leave="Show answers"' in html
    assert "quiz-toggle" not in (root / "site" / "other" / "index.html").read_text()


def test_quiz_toggle_without_labels_or_title_fails_naming_the_culprit(tmp_path: Path) -> None:
    pages = {"index.md": QUESTION.format(attrs=""), **OTHER}
    half = {"quiz": {"enter": "x"}}
    root = make_site(tmp_path / "a", pages, hooks=("validate", "quiz"), extra=half)
    fails(root, r"mkdocs\.yml: extra\.quiz lacks leave")
    untitled = {"index.md": QUESTION.format(attrs="").replace("# Activations\n", ""), **OTHER}
    root = make_site(tmp_path / "b", untitled, hooks=("validate", "quiz"), extra=QUIZ)
    fails(root, r"index\.md: has answer blocks but no title for quiz mode")


# --- 11: nav and anchors ---------------------------------------------------------------


def test_missing_anchor_and_page_left_out_of_nav_fail_the_strict_build(tmp_path: Path) -> None:
    pages = {
        "index.md": "# Home\n\n[a question](other.md#no-such-question)\n",
        "other.md": "# Other\n\n## A question\n",
        "forgotten.md": "# Forgotten\n",
    }
    root = make_site(tmp_path, pages, nav=["index.md", "other.md"])
    fails(
        root,
        r"WARNING.*'index\.md' contains a link 'other\.md#no-such-question', but the doc "
        r"'other\.md' does not contain an anchor '#no-such-question'",
        r"WARNING.*not included in the \"nav\" configuration:\s+- forgotten\.md",
    )


def test_nav_difference_names_the_page() -> None:
    zh = ["index.md", "a.md", "b.md", "c.md"]
    assert nav_difference("mkdocs.yml", zh, "mkdocs.en.yml", zh) is None
    assert nav_difference("mkdocs.yml", zh, "mkdocs.en.yml", ["index.md", "a.md", "c.md"]) == (
        "mkdocs.en.yml: nav lacks b.md (listed in mkdocs.yml's nav): add it"
    )
    assert "nav lists d.md" in (nav_difference("mkdocs.yml", zh, "x.yml", [*zh, "d.md"]) or "")
    swapped = ["index.md", "b.md", "a.md", "c.md"]
    assert nav_difference("mkdocs.yml", zh, "x.yml", swapped) == (
        "x.yml: nav entry 2 is b.md where mkdocs.yml has a.md: same order"
    )


# --- 8a, 10: the language builds --------------------------------------------------------

CRASH = """\
def on_page_markdown(markdown, **kwargs):
    raise RuntimeError("kaboom in the English build")
"""


def _bilingual(root: Path, pages: int = 3, probe: Path | None = None) -> Path:
    tree = {"index.md": "# Home\n\n[p0](p0.md)\n"}
    tree |= {f"p{i}.md": f"# Page {i}\n\n## Question {i}\n\nText.\n" for i in range(pages)}
    extra = (probe,) if probe else ()
    return make_site(root, {}, languages={"zh": tree, "en": dict(tree)}, extra_hooks=extra)


def test_a_crash_in_another_language_build_shows_its_traceback(tmp_path: Path) -> None:
    root = _bilingual(tmp_path)
    (root / "crash.py").write_text(CRASH)
    child = yaml.safe_load((root / "mkdocs.en.yml").read_text())
    child["hooks"] = [str(root / "crash.py")]
    (root / "mkdocs.en.yml").write_text(yaml.safe_dump(child))
    fails(
        root,
        r"building language 'en' failed \(exit status 1\); rerun it alone with "
        r"`mkdocs build --config-file mkdocs\.en\.yml`",
        r"\[en\] Traceback \(most recent call last\)",
        r"\[en\] RuntimeError: kaboom in the English build",
    )


def _site_files(root: Path) -> set[str]:
    return {p.relative_to(root / "site").as_posix() for p in (root / "site").rglob("*.html")}


def test_a_build_waits_for_the_build_holding_the_lock(tmp_path: Path) -> None:
    root = _bilingual(tmp_path)
    lock = root / ".cache" / "build.lock"
    lock.parent.mkdir()
    with lock.open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        process = subprocess.Popen(
            command(), cwd=root, env=build_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        time.sleep(3)
        assert process.poll() is None, "the build did not wait for the lock"
        assert not (root / "site").exists(), "the build cleaned site/ without the lock"
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 0, output.decode()
    assert "Waiting for another build of this checkout to finish" in output.decode()
    assert {"index.html", "p0/index.html", "en/index.html", "en/p2/index.html"} <= _site_files(root)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_releases_the_lock_between_rebuilds(tmp_path: Path) -> None:
    """`mkdocs serve` serves both languages, and a build meanwhile need not wait."""
    root = _bilingual(tmp_path)
    address = f"127.0.0.1:{_free_port()}"
    serve = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", address],
        cwd=root,
        env=build_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://{address}/en/p1/", timeout=5) as response:
                    assert "Page 1" in response.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "mkdocs serve did not come up"
                time.sleep(0.3)
        log = passes(root)
        assert "Waiting for another build" not in log, log
    finally:
        serve.terminate()
        serve.wait(timeout=30)


# Listed after languages.py: slows page building down, so that builds overlap;
# stamps each page with the build it belongs to (the default language's
# process); and records which pages in site/ are its own when the build is
# done, as it reports success.
PROBE = """\
import os
import time
from pathlib import Path


def _build(config):
    return os.getpid() if config.theme.get("language") == "zh" else os.getppid()


def on_post_page(output, page, config):
    time.sleep(0.1)
    return output + f"<!-- build {_build(config)} -->"


def on_post_build(config):
    if config.theme.get("language") != "zh":
        return  # a child build, into a temporary directory
    site = Path(config.site_dir)
    stamp = f"<!-- build {_build(config)} -->"
    own = [p for p in site.rglob("*.html") if stamp in p.read_text()]
    out = Path(config.config_file_path).parent / "done"
    out.mkdir(exist_ok=True)
    listing = sorted(p.relative_to(site).as_posix() for p in own)
    (out / f"{os.getpid()}.txt").write_text("\\n".join(listing))
"""


def test_two_concurrent_builds_both_leave_a_full_site(tmp_path: Path) -> None:
    root = _bilingual(tmp_path, pages=12, probe=tmp_path / "probe.py")
    (root / "probe.py").write_text(PROBE)
    builds = []
    for delay in (0, 1):  # the second one starts cleaning while the first one writes
        time.sleep(delay)
        builds.append(
            subprocess.Popen(
                command(),
                cwd=root,
                env=build_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
        )
    for process in builds:
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0, output.decode()
    pages = sorted(p for p in _site_files(root) if not p.endswith("404.html"))
    assert len(pages) == 2 * (12 + 1), pages  # the pages and the home page, per language
    listings = {p.stem: p.read_text().splitlines() for p in (root / "done").iterdir()}
    assert len(listings) == 2, listings.keys()
    for pid, own in listings.items():
        assert own == pages, (
            f"build {pid} reported success with {len(own)} of its {len(pages)} pages in site/"
        )


# --- 12: workflows ---------------------------------------------------------------------

WORKFLOWS = ROOT / ".github" / "workflows"
SETUP = "./.github/actions/setup"


def _workflow(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads `on:` as True
    return data


def test_deploy_waits_for_the_tests() -> None:
    deploy, test = _workflow("deploy.yml"), _workflow("test.yml")
    assert "workflow_call" in test["on"] and "pull_request" in test["on"]
    assert "push" in deploy["on"] and deploy["on"]["push"]["branches"] == ["main"]
    jobs = deploy["jobs"]
    assert jobs["test"]["uses"] == "./.github/workflows/test.yml"
    assert "test" in jobs["build"]["needs"]
    assert "build" in jobs["deploy"]["needs"]
    runs = [s.get("run", "") for job in test["jobs"].values() for s in job.get("steps", [])]
    assert "bash .ci/run" in runs


def test_workflows_share_one_setup_and_pin_every_action() -> None:
    action = yaml.safe_load((ROOT / SETUP.removeprefix("./") / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    jobs = [job for f in WORKFLOWS.glob("*.yml") for job in _workflow(f.name)["jobs"].values()]
    steps = [step for job in jobs for step in job.get("steps", [])] + action["runs"]["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses.count(SETUP) == 2, uses  # the test job and the build job
    for use in uses:
        assert use.startswith("./") or re.fullmatch(r"[\w-]+/[\w-]+@v\d+\.\d+\.\d+", use), use
    for name in ("deploy.yml", "test.yml"):
        assert _workflow(name)["permissions"] == {"contents": "read"}, name
