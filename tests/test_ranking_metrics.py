"""Ranking metrics on hand-computed cases, and the gold query files."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from matcher.errors import DataError
from matcher.ranking_metrics import (
    load_queries,
    ndcg_at_k,
    precision_at_k,
    reciprocal_rank,
)

GOLD = Path(__file__).resolve().parent / "gold"


def test_ndcg_is_one_for_the_ideal_order_and_lower_otherwise() -> None:
    relevant = {"a": 2, "b": 1}
    assert ndcg_at_k(["a", "b", "x"], relevant) == pytest.approx(1.0)
    swapped = ndcg_at_k(["b", "a"], relevant)
    expected = (1 / math.log2(2) + 3 / math.log2(3)) / (3 / math.log2(2) + 1 / math.log2(3))
    assert swapped == pytest.approx(expected)
    assert ndcg_at_k(["x", "y"], relevant) == 0.0


def test_ndcg_counts_relevant_items_missing_from_the_registry_in_the_ideal() -> None:
    assert ndcg_at_k(["a"], {"a": 2}, n_relevant_missing=[2]) < 1.0
    assert ndcg_at_k(["a"], {"a": 2}, n_relevant_missing=[]) == pytest.approx(1.0)


def test_precision_at_5_and_reciprocal_rank() -> None:
    ranked = ["x", "a", "y", "b", "z", "c"]
    relevant = {"a": 1, "b": 2, "c": 2}
    assert precision_at_k(ranked, relevant, 5) == pytest.approx(2 / 5)
    assert reciprocal_rank(ranked, relevant) == pytest.approx(1 / 2)
    assert reciprocal_rank(["x"], relevant) == 0.0


def test_gold_files_load_with_unique_ids_and_at_least_thirteen_queries() -> None:
    queries = load_queries(GOLD / "seeds.yaml", GOLD / "queries_extra.yaml")
    assert len(queries) >= 13
    assert len({q["id"] for q in queries}) == len(queries)
    assert all(set(q["relevant"].values()) <= {1, 2} for q in queries)


def test_a_query_without_judgments_is_a_data_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("queries:\n  - {id: q, text: électronique}\n", encoding="utf-8")
    with pytest.raises(DataError, match="bad.yaml"):
        load_queries(bad)
