"""Build every language of the site from one `mkdocs build` or `mkdocs serve`.

Each language is its own MkDocs config (so each gets its own search index and
its own executed notebooks); `extra.languages` in mkdocs.yml lists them, the
first being the default, built at the root. After the default language builds,
this hook builds the others into sub-directories of its `site_dir`, with the
same strictness, and during `mkdocs serve` it watches their sources too, so one
dev server previews the whole site with live reload.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer

log = logging.getLogger("mkdocs.hooks.languages")

_serving = False


def _others(config: MkDocsConfig) -> dict[str, Path]:
    """Languages other than the default, mapped to their config files; empty
    when `config` is not the default language's (no recursion)."""
    languages: dict[str, str] = config.extra.get("languages", {})
    default = next(iter(languages), None)
    if config.theme.get("language") != default:
        return {}
    root = Path(config.config_file_path).parent
    return {lang: root / path for lang, path in languages.items() if lang != default}


def on_startup(command: str, dirty: bool) -> None:
    global _serving
    _serving = command == "serve"


def on_serve(server: LiveReloadServer, config: MkDocsConfig, builder) -> LiveReloadServer:
    for path in _others(config).values():
        server.watch(str(path))
        server.watch(str(path.parent / load_config(str(path)).docs_dir))
    return server


def on_post_build(config: MkDocsConfig) -> None:
    for lang, path in _others(config).items():
        sub = load_config(
            str(path), site_dir=str(Path(config.site_dir) / lang), strict=config.strict
        )
        if _serving:
            # The dev server rewrote site_url to its own address; follow it.
            sub.site_url = config.site_url.rstrip("/") + f"/{lang}/"
        log.info("Building language '%s' from %s", lang, path.name)
        build(sub, serve_url=sub.site_url if _serving else None)
