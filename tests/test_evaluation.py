"""Gold loading and extraction scoring."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from matcher.errors import DataError
from matcher.evaluation import load_gold, score_extraction

GOLD = Path(__file__).resolve().parent / "gold" / "seeds.yaml"

SMALL = """
documents:
  - file: a.txt
    organisations:
      - {name: Université Ibn Tofaïl de Kénitra, surface: [Ibn Tofeïl de Kenitra], type: university}
      - {name: Maroc Numeric Cluster, surface: [MNC], type: cluster}
      - {name: Maghreb Arabe Presse, surface: [MAP], type: media}
    not_organisations: [Intelligence artificielle, R&D]
"""


@dataclass
class Pred:
    name: str
    type: str
    aliases: set[str] = field(default_factory=set)


@pytest.fixture()
def small(tmp_path):
    path = tmp_path / "gold.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return load_gold(path)


def test_load_gold_reads_the_seed_annotation():
    gold = load_gold(GOLD)
    assert len(gold.documents) == 5
    first = gold.document("seeds/000_4a14b4d16070c5bc.txt")
    assert first is not None and "CNRST" in first.organisations[0].surfaces
    assert "R&D" in first.not_organisations
    assert gold.queries and gold.queries[0].relevant


def test_load_gold_names_file_and_field_when_malformed(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("documents:\n  - file: a.txt\n    organisations:\n      - {name: X}\n",
                   encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.yaml.*organisations\[0\].*'type'"):
        load_gold(bad)
    bad.write_text("documents:\n  - file: a.txt\n    organisations:\n"
                   "      - {name: X, type: zoo}\n",
                   encoding="utf-8")
    with pytest.raises(DataError, match="unknown value 'zoo'"):
        load_gold(bad)
    with pytest.raises(DataError, match="cannot read"):
        load_gold(tmp_path / "missing.yaml")


def test_perfect_prediction_scores_one_and_media_are_left_out(small):
    preds = {"docs/a.txt": [Pred("Université Ibn Tofaïl de Kénitra", "university"),
                            Pred("Maroc Numeric Cluster", "cluster", {"MNC"})]}
    s = score_extraction(small, preds)
    assert (s.precision, s.recall, s.f1, s.type_accuracy) == (1.0, 1.0, 1.0, 1.0)


def test_alias_and_typo_variants_match_the_gold(small):
    preds = {"a.txt": [Pred("Ibn Tofeil de Kenitra", "university"), Pred("X", "cluster", {"MNC"})]}
    s = score_extraction(small, preds)
    assert s.recall == 1.0 and s.precision == 1.0


def test_junk_wrong_types_duplicates_and_misses_are_counted(small):
    preds = {"a.txt": [Pred("Maroc Numeric Cluster", "company"), Pred("MNC", "cluster"),
                       Pred("Intelligence Artificielle", "company"), Pred("MAP", "company")]}
    s = score_extraction(small, preds)
    doc = s.documents["a.txt"]
    assert doc.misses == ["Université Ibn Tofaïl de Kénitra"]
    assert doc.false_positives == ["MNC", "Intelligence Artificielle"]
    assert s.junk_hits == [("a.txt", "Intelligence Artificielle")]
    assert s.type_accuracy == 0.0
    assert s.precision == pytest.approx(1 / 3) and s.recall == pytest.approx(1 / 2)


def test_no_prediction_gives_zero_not_an_error(small):
    s = score_extraction(small, {})
    assert (s.precision, s.recall, s.f1) == (0.0, 0.0, 0.0)
