"""The French analyzer: the same stems whatever accents, apostrophes or case the text uses."""

from __future__ import annotations

from matcher.analyzer import analyze, analyze_with_surface, fingerprint, stop_words


def test_accents_and_case_give_the_same_stems() -> None:
    assert analyze("Électronique ÉLECTRONIQUE electronique électronique") == ["electron"] * 4
    assert analyze("Kénitra") == analyze("KENITRA") == analyze("kenitra")


def test_typographic_and_straight_elisions_are_cut_from_the_word() -> None:
    curly = analyze("l’industrie d’Ifrane qu’elle jusqu’à")
    straight = analyze("l'industrie d'Ifrane qu'elle jusqu'à")
    assert curly == straight
    assert curly[:2] == ["industr", "ifran"]
    assert "l" not in curly and "d" not in curly and "qu" not in curly


def test_stop_words_are_dropped_and_come_from_the_data_file() -> None:
    words = stop_words()
    assert {"le", "de", "et", "pour", "dans"} <= words
    assert analyze("le de la et pour dans avec une des") == []
    assert analyze("la recherche et l'innovation") == ["recherch", "innov"]


def test_inflections_share_a_stem() -> None:
    assert analyze("université universités")[0] == analyze("universités")[0]
    assert len(set(analyze("industrielle industriel industriels"))) == 1
    assert len(set(analyze("télécommunications télécommunication"))) == 1


def test_acronyms_and_numbered_terms_are_kept() -> None:
    assert analyze("le CERN et la 4G") == ["cern", "4g"]


def test_surfaces_keep_the_word_as_written_for_explanations() -> None:
    pairs = analyze_with_surface("Maintenance prédictive à l’Université")
    assert [s for _, s in pairs] == ["Maintenance", "prédictive", "Université"]
    assert [stem for stem, _ in pairs] == analyze("Maintenance prédictive à l’Université")


def test_fingerprint_is_stable_and_short() -> None:
    assert fingerprint() == fingerprint()
    assert len(fingerprint()) == 12
