"""Shared fixtures: one strict build of the whole site per session, and how a
static host (GitHub Pages) answers requests for it."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _loader() -> type[yaml.SafeLoader]:
    """A YAML loader that reads mkdocs.yml without importing its !!python tags."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)
    return Loader


@functools.cache
def languages() -> dict[str, str]:
    """Language code -> config file, default language first (extra.languages)."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_loader())
    return config["extra"]["languages"]


def default_language() -> str:
    return next(iter(languages()))


def prefix(lang: str) -> str:
    """Where a language lives below the site root: "" or "en/"."""
    return "" if lang == default_language() else f"{lang}/"


@dataclass(frozen=True)
class Build:
    site: Path
    log: str


def build_env() -> dict[str, str]:
    """The environment `make build` gives mkdocs: a fixed build date (the Makefile
    uses the commit's), so that two builds of one commit are identical."""
    return {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "0"),
    }


def build_site(site: Path) -> Build:
    """`mkdocs build --strict` of every language into `site`."""
    env = build_env()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"strict build failed:\n{log[-6000:]}"
    return Build(site, log)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return build_site(tmp_path_factory.mktemp("build") / "site")


@pytest.fixture(scope="session")
def site(built: Build) -> Path:
    return built.site


@functools.cache
def site_url() -> str:
    """Where the site is published (mkdocs.yml `site_url`): a GitHub Pages origin."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_loader())
    return config["site_url"]


MIME = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".xml": "application/xml",
    ".ipynb": "application/x-ipynb+json",
    ".txt": "text/plain; charset=utf-8",
}


def resolve(site: Path, path: str) -> tuple[int, Path]:
    """What GitHub Pages answers for a URL path below the site: the file, the
    directory's index.html, or the root 404.html with status 404."""
    target = site / unquote(path).lstrip("/")
    if target.is_dir():
        target = target / "index.html"
    if target.is_file():
        return 200, target
    return 404, site / "404.html"


def chromium_path() -> str | None:
    """The system's Chromium if present, else None (Playwright's own browser)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None
