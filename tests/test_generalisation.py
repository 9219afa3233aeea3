"""Beyond the seeds: the development set written blind to the code (tests/heldout).

tests/heldout2 is kept out of the suite on purpose: it is the final, untouched measure
(its figures are in the README), and a test on it would invite tuning to it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.build import build
from matcher.evaluation import evaluate_registry
from matcher.store import Registry

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seeds_and_heldout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("dev") / "registry.db"
    summary = build([ROOT / "seeds", ROOT / "tests" / "heldout"], db, progress=False)
    assert not summary.skipped
    return db


def test_extraction_meets_the_targets_on_seeds_and_the_development_set(seeds_and_heldout):
    gold = [ROOT / "tests" / "gold" / name for name in ("seeds.yaml", "heldout.yaml")]
    with Registry(seeds_and_heldout) as registry:
        report = evaluate_registry(registry, *gold)
    scores = report.extraction
    assert scores.recall >= 0.90 and scores.precision >= 0.85
    assert scores.type_accuracy >= 0.90 and scores.junk_hits == []


def test_ranking_beats_bm25_on_a_registry_with_distractors(seeds_and_heldout):
    gold = [ROOT / "tests" / "gold" / name
            for name in ("seeds.yaml", "queries_extra.yaml", "heldout.yaml")]
    with Registry(seeds_and_heldout) as registry:
        ranking = evaluate_registry(registry, *gold).ranking
    model, bm25 = ranking.means["model"], ranking.means["bm25"]
    assert model["ndcg10"] >= 0.80 and model["ndcg10"] > bm25["ndcg10"]
