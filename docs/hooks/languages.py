"""Build every language of the site from one `mkdocs build` or `mkdocs serve`.

Each language is its own MkDocs config (so each gets its own search index and
its own executed notebooks); `extra.languages` in mkdocs.yml lists them, the
first being the default, built at the root. When the default language starts
building, this hook starts the others as separate `mkdocs build` processes
(same strictness) into temporary directories, so that the languages build in
parallel; when the default language is done it waits for them, relays their
log, and moves each into its sub-directory of `site_dir`. During
`mkdocs serve` it also watches their sources, so one dev server previews the
whole site with live reload.

Builds of one checkout take turns: the default language's build holds an
exclusive lock (`.cache/build.lock`, fcntl.flock) from `on_pre_build` (before
MkDocs cleans `site_dir`) until its languages are moved into place, so a
second `mkdocs build` waits instead of wiping the first one's site half-way.
`mkdocs build` holds it until the process exits (so its site is whole when it
reports success); `mkdocs serve` takes it for each rebuild only.

A language build that fails is reported with the tail of its output (a
traceback, a hook's error), not only its warnings.

Preview (`mkdocs serve --dirty`, i.e. `make serve`): starting a whole
`mkdocs build` of every other language on each save took 14-29 s for an
English page. Instead each other language gets one long-lived builder
process (`python -P docs/hooks/languages.py serve-worker <config> <dir>`),
which keeps its plugins and caches between builds and re-renders only the
pages that changed; it is asked to build only when its inputs changed (its
docs tree, the configs, snippets/, the overrides, the hooks), and its output
directory is linked into the served site. So saving a zh page rebuilds only
zh, saving an en page only en, each in about a second.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer

log = logging.getLogger("mkdocs.hooks.languages")

LOCK = Path(".cache", "build.lock")  # relative to the config file's directory
# Lines of a failed language build's output repeated in the error.
FAILURE_TAIL = 60
LINE_LIMIT = 1000  # characters of each of those lines


@dataclass
class _Build:
    lang: str
    config: Path
    out: Path
    process: subprocess.Popen[str]


@dataclass
class _Worker:
    """A long-lived builder of one language during `mkdocs serve`."""

    lang: str
    config: Path
    docs_dir: Path
    out: Path
    process: subprocess.Popen[str]
    stamp: tuple[int, int, int] = (0, 0, 0)  # its inputs at its last build
    busy: bool = False


_running: list[_Build] = []
_workers: dict[str, _Worker] = {}
_lock: IO[str] | None = None
_serving = False
# The worker ends each build's output with this line, then "ok" or "failed".
DONE = "\x00dlkb-build-done "


def on_startup(command: str, dirty: bool) -> None:
    global _serving
    _serving = command == "serve"


def on_shutdown() -> None:
    for worker in _workers.values():
        worker.process.terminate()
        worker.process.wait()
        shutil.rmtree(worker.out, ignore_errors=True)
    _workers.clear()
    _release()


def _acquire(config: MkDocsConfig) -> None:
    """Wait for any other build of this checkout, then hold the lock."""
    global _lock
    if _lock is not None:
        return
    path = Path(config.config_file_path).parent / LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        log.info("Waiting for another build of this checkout to finish (pid %s)", holder)
        fcntl.flock(handle, fcntl.LOCK_EX)
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    _lock = handle


def _release() -> None:
    global _lock
    if _lock is not None:
        fcntl.flock(_lock, fcntl.LOCK_UN)
        _lock.close()
        _lock = None


def _is_default(config: MkDocsConfig) -> bool:
    languages: dict[str, str] = config.extra.get("languages", {})
    return config.theme.get("language") == next(iter(languages), None)


def _others(config: MkDocsConfig) -> dict[str, Path]:
    """Languages other than the default, mapped to their config files; empty
    when `config` is not the default language's (no recursion)."""
    languages: dict[str, str] = config.extra.get("languages", {})
    default = next(iter(languages), None)
    if config.theme.get("language") != default:
        return {}
    root = Path(config.config_file_path).parent
    return {lang: root / path for lang, path in languages.items() if lang != default}


def on_serve(server: LiveReloadServer, config: MkDocsConfig, builder) -> LiveReloadServer:
    for path in _others(config).values():
        server.watch(str(path))
        server.watch(load_config(str(path)).docs_dir)
    return server


def _inputs(root: Path, config_file: Path, docs_dir: Path) -> tuple[int, int, int]:
    """(files, newest mtime, total size) of what a language's build reads."""
    paths = [root / "mkdocs.yml", config_file]
    for folder in (
        docs_dir,
        root / "snippets",
        root / "docs" / "overrides",
        root / "docs" / "hooks",
    ):
        for parent, _, names in os.walk(folder):
            paths += [Path(parent, name) for name in names]
    stats = [p.stat() for p in paths if p.is_file()]
    return len(stats), max(s.st_mtime_ns for s in stats), sum(s.st_size for s in stats)


def _ask_workers(config: MkDocsConfig) -> None:
    """Start the serve workers once; ask those whose inputs changed to build."""
    root = Path(config.config_file_path).parent
    for lang, path in _others(config).items():
        worker = _workers.get(lang)
        if worker is None or worker.process.poll() is not None:
            out = Path(tempfile.mkdtemp(prefix=f"mkdocs-serve-{lang}-"))
            command = [sys.executable, "-P", __file__, "serve-worker", str(path), str(out)]
            process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=root
            )
            docs_dir = Path(load_config(str(path)).docs_dir)
            worker = _workers[lang] = _Worker(lang, path, docs_dir, out, process)
        stamp = _inputs(root, path, worker.docs_dir)
        if stamp != worker.stamp:
            assert worker.process.stdin is not None
            worker.process.stdin.write(f"{config.site_url}{lang}/\n")
            worker.process.stdin.flush()
            worker.stamp, worker.busy = stamp, True


def _collect_workers(config: MkDocsConfig) -> None:
    """Wait for the workers asked to build, relay their log, link their output."""
    for worker in _workers.values():
        if worker.busy:
            assert worker.process.stdout is not None
            lines = []
            for line in worker.process.stdout:
                if line.startswith(DONE):
                    break
                lines.append(line.rstrip("\n"))
            else:
                line = DONE + "failed"
            worker.busy = False
            build = _Build(worker.lang, worker.config, worker.out, worker.process)
            _relay(build, "\n".join(lines))
            if line.strip().endswith("failed"):
                worker.stamp = (0, 0, 0)  # build again on the next save
                raise PluginError(f"building language '{worker.lang}' failed (see above)")
        target = Path(config.site_dir) / worker.lang
        if not target.is_symlink():
            shutil.rmtree(target, ignore_errors=True)
            target.symlink_to(worker.out, target_is_directory=True)


def on_pre_build(config: MkDocsConfig) -> None:
    # Only the default language locks: the others are its child processes.
    if _is_default(config):
        _acquire(config)
    _running.clear()
    if _serving:
        _ask_workers(config)
        return
    for lang, path in _others(config).items():
        out = Path(tempfile.mkdtemp(prefix=f"mkdocs-{lang}-"))
        command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(path)]
        command += ["--site-dir", str(out)] + (["--strict"] if config.strict else [])
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        _running.append(_Build(lang, path, out, process))


def _relay(build: _Build, output: str) -> None:
    """Re-log a build's output here, so that its warnings count in strict mode."""
    for line in output.splitlines():
        level, _, message = line.partition(" -  ")
        if level.strip() in ("WARNING", "ERROR"):
            log.warning("[%s] %s", build.lang, message)
        elif message:
            log.info("[%s] %s", build.lang, message)


def _failure(build: _Build, output: str) -> str:
    """The error for a failed build: its command and the tail of its output,
    which holds the cause whether it was logged or a bare traceback."""
    lines = output.rstrip().splitlines()
    tail = lines[-FAILURE_TAIL:]
    skipped = len(lines) - len(tail)
    return (
        f"building language '{build.lang}' failed (exit status {build.process.returncode}); "
        f"rerun it alone with `mkdocs build --config-file {build.config.name}`. Its output:\n"
        + (f"  [{build.lang}] [... {skipped} earlier lines ...]\n" if skipped else "")
        + "\n".join(f"  [{build.lang}] {line[:LINE_LIMIT]}" for line in tail or ["(no output)"])
    )


def _stop_all() -> None:
    for build in _running:
        build.process.kill()
        build.process.wait()
        shutil.rmtree(build.out, ignore_errors=True)
    _running.clear()


def on_post_build(config: MkDocsConfig) -> None:
    try:
        if _serving:
            _collect_workers(config)
        for build in _running:
            output, _ = build.process.communicate()
            _relay(build, output)
            if build.process.returncode:
                raise PluginError(_failure(build, output))
            target = Path(config.site_dir) / build.lang
            shutil.rmtree(target, ignore_errors=True)
            shutil.move(build.out, target)
    finally:
        _stop_all()
        if _serving:  # else held until exit (on_shutdown): the site is whole till then
            _release()


def on_build_error(error: Exception) -> None:
    _stop_all()
    _release()


def _serve_worker(config_file: str, out: str) -> None:
    """Build one language into `out` each time a line (its served URL) arrives
    on stdin: the first time fully, then only what changed (MkDocs' dirty
    build), with one set of plugins, so caches and the search index persist."""
    from mkdocs.commands.build import build

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    built = False
    for line in sys.stdin:
        try:
            config = load_config(config_file, site_dir=out)
            config.site_url = line.strip()
            if not built:
                config.plugins.on_startup(command="serve", dirty=True)
            build(config, dirty=built)
            built, status = True, "ok"
        except Exception as error:  # reported to the dev server, which keeps serving
            logging.getLogger("mkdocs").error("%s: %s", type(error).__name__, error)
            status = "failed"
        print(f"{DONE}{status}", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] != ["serve-worker"] or len(sys.argv) != 4:
        sys.exit("usage: python -P docs/hooks/languages.py serve-worker CONFIG OUT_DIR")
    _serve_worker(sys.argv[2], sys.argv[3])
