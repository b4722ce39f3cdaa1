"""Shared fixtures: isolated settings so tests never touch the user's data."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.library.catalog import Catalog
from screening.settings import get_settings, load_settings


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Settings with the user data and results directories under tmp_path.

    The environment is set too, so the CLI (which loads settings itself)
    sees the same directories.
    """
    monkeypatch.setenv("ZNSCREEN_USER_DATA_DIR", str(tmp_path / "user"))
    monkeypatch.setenv("ZNSCREEN_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.setenv("ZNSCREEN_SETTINGS", str(tmp_path / "no-settings.toml"))
    get_settings.cache_clear()
    yield load_settings()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def bundled_catalog() -> Catalog:
    return Catalog(load_settings(environ={}))
