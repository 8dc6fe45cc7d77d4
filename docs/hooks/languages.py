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
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer

log = logging.getLogger("mkdocs.hooks.languages")


@dataclass
class _Build:
    lang: str
    out: Path
    process: subprocess.Popen[str]


_running: list[_Build] = []


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


def on_pre_build(config: MkDocsConfig) -> None:
    _running.clear()
    for lang, path in _others(config).items():
        out = Path(tempfile.mkdtemp(prefix=f"mkdocs-{lang}-"))
        command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(path)]
        command += ["--site-dir", str(out)] + (["--strict"] if config.strict else [])
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        _running.append(_Build(lang, out, process))


def _relay(build: _Build, output: str) -> None:
    """Re-log a build's output here, so that its warnings count in strict mode."""
    for line in output.splitlines():
        level, _, message = line.partition(" -  ")
        if level.strip() in ("WARNING", "ERROR"):
            log.warning("[%s] %s", build.lang, message)
        elif message:
            log.info("[%s] %s", build.lang, message)


def _stop_all() -> None:
    for build in _running:
        build.process.kill()
        build.process.wait()
        shutil.rmtree(build.out, ignore_errors=True)
    _running.clear()


def on_post_build(config: MkDocsConfig) -> None:
    try:
        for build in _running:
            output, _ = build.process.communicate()
            _relay(build, output)
            if build.process.returncode:
                raise PluginError(f"building language '{build.lang}' failed (see above)")
            target = Path(config.site_dir) / build.lang
            shutil.rmtree(target, ignore_errors=True)
            shutil.move(build.out, target)
    finally:
        _stop_all()


def on_build_error(error: Exception) -> None:
    _stop_all()
