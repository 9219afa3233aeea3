"""The gazetteer: general knowledge files, lookups, and the spaCy ruler built from them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import spacy

from matcher.config import PROJECT_ROOT
from matcher.errors import DataError
from matcher.gazetteer import SPANS_KEY, content_tokens, load_gazetteer, names_similar
from matcher.records import ORG_TYPES

REGIONS = {
    "Tanger-Tétouan-Al Hoceïma", "L'Oriental", "Fès-Meknès", "Rabat-Salé-Kénitra",
    "Béni Mellal-Khénifra", "Casablanca-Settat", "Marrakech-Safi", "Drâa-Tafilalet",
    "Souss-Massa", "Guelmim-Oued Noun", "Laâyoune-Sakia El Hamra", "Dakhla-Oued Ed-Dahab",
}


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


@pytest.fixture(scope="module")
def ruler_nlp():
    nlp = spacy.blank("fr")
    nlp.add_pipe("matcher_fold")
    nlp.add_pipe("matcher_gazetteer")
    return nlp


def test_gazetteer_has_the_twelve_regions_with_canonical_spelling(gaz):
    regions = {p.name for p in gaz.places.values() if p.kind == "region"}
    assert regions == REGIONS


def test_city_spelling_variants_lead_to_one_city_and_its_region(gaz):
    for variant in ("Fez", "Fes", "Fès"):
        assert gaz.place(variant).name == "Fès"
    assert gaz.place("Kenitra").name == "Kénitra"
    assert gaz.place("Laayoune").region == "Laâyoune-Sakia El Hamra"
    assert gaz.place("Mohammedia").region == "Casablanca-Settat"


def test_country_names_and_adjectives_give_iso_codes(gaz):
    assert gaz.country("belge") == "BE"
    assert gaz.country("Belgique") == "BE"
    assert gaz.country("françaises") == "FR"
    assert gaz.country("Espagne") == "ES"
    assert gaz.country("Norvège") == "NO"


def test_every_entry_has_a_known_type_and_moroccan_universities_a_city(gaz):
    assert all(e.type in ORG_TYPES for e in gaz.entries.values())
    universities = [e for e in gaz.entries.values() if e.type == "university" and e.country == "MA"]
    assert len(universities) >= 20
    assert all(e.city and e.region for e in universities)


def test_every_city_of_an_organisation_is_a_known_place(gaz):
    unknown = [(e.id, e.city) for e in gaz.entries.values() if e.city and not gaz.place(e.city)]
    assert unknown == []
    assert all(e.region for e in gaz.entries.values() if e.country == "MA" and e.city)


def test_school_families_expand_per_city_with_elision(gaz):
    est = gaz.entries["ma-est-laayoune"]
    assert est.name == "École Supérieure de Technologie de Laâyoune"
    assert est.region == "Laâyoune-Sakia El Hamra"
    assert gaz.entries["ma-ensa-agadir"].name == "École Nationale des Sciences Appliquées d'Agadir"


def test_find_tolerates_accents_case_and_one_typo_but_not_another_city(gaz):
    assert gaz.find("université ibn tofeil de kenitra").id == "ma-univ-uit"
    assert gaz.find("Université Cadi Ayad de Marrakech").id == "ma-univ-uca"
    assert gaz.find("Ecole supérieure de technologie de Fès").id == "ma-est-fes"
    assert gaz.find("Ecole supérieure de technologie de Tataouine") is None
    assert gaz.find("MAScIR").id == "ma-rc-mascir"


def test_cached_folding_gives_exactly_matcher_text_results():
    from matcher import text
    from matcher.gazetteer import fold, key

    samples = ["Université Ibn Tofaïl de Kénitra", "L’Œuvre  d’art\u00a0— Ÿ", "e\u0301cole",
               "Straße", "İstanbul", "  Fès-Meknès\t", "Images & Réseaux (I&R)", "ÆON", ""]
    for s in samples:
        assert fold(s) == text.fold(s) and key(s) == text.key(s)


def test_names_similar_allows_typos_not_different_words():
    assert names_similar(content_tokens("Ibn Tofeïl Kenitra"), content_tokens("Ibn Tofaïl Kénitra"))
    assert not names_similar(content_tokens("Hassan II Casablanca"),
                             content_tokens("Hassan I Settat"))
    assert not names_similar(content_tokens("EST Fès"), content_tokens("EST Safi"))


def test_ruler_marks_organisations_places_and_countries_with_stable_ids(ruler_nlp):
    doc = ruler_nlp("Le CNRST et l’Universite Ibn Tofail de Kenitra, basée à Fez, avec un "
                    "partenaire belge.")
    found = {(s.text, s.label_, s.id_) for s in doc.spans[SPANS_KEY]}
    assert ("CNRST", "ORG", "ma-pa-cnrst") in found
    assert ("Universite Ibn Tofail de Kenitra", "ORG", "ma-univ-uit") in found
    assert ("Fez", "CITY", "Fès") in found
    assert ("belge", "ADJ", "BE") in found


def test_ruler_matches_acronyms_with_their_case_only(ruler_nlp):
    doc = ruler_nlp("Il est à l'EST de Salé, et l'est du pays.")
    labels = [(s.text, s.id_) for s in doc.spans[SPANS_KEY] if s.label_ == "ORG"]
    assert ("EST de Salé", "ma-est-sale") in labels
    assert all(text != "est" for text, _ in labels)


def test_entries_with_context_need_it_in_the_document(ruler_nlp):
    without = ruler_nlp("Les Lions de l'Atlas ont gagné, et cela concerne tout le pays.")
    assert not [s for s in without.spans[SPANS_KEY] if s.id_ == "int-atlas"]
    with_cern = ruler_nlp("Des chercheurs participent au projet Atlas du CERN.")
    assert [s for s in with_cern.spans[SPANS_KEY] if s.id_ == "int-atlas"]


def test_malformed_gazetteer_file_raises_data_error_naming_it(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data" / "gazetteer", data / "gazetteer")
    bad = data / "gazetteer" / "international.yaml"
    bad.write_text(Path(bad).read_text(encoding="utf-8") + "\nweird_type:\n  - {id: x, name: X}\n",
                   encoding="utf-8")
    monkeypatch.setenv("MATCHER_DATA_DIR", str(data))
    with pytest.raises(DataError, match="international.yaml.*weird_type"):
        load_gazetteer()


def test_generic_acronyms_are_shared_by_several_schools(gaz):
    owners = gaz.generic_owners("ENSA")
    assert {"ma-ensa-agadir", "ma-ensa-tanger"} <= owners
    assert gaz.generic_owners("CNRST") == set()


def test_ruler_keeps_the_longest_organisation_and_skips_hyphen_glued_acronyms(ruler_nlp):
    doc = ruler_nlp("L'opérateur Orange Maroc et le LAAS-CNRS de Toulouse, avec le CNRS.")
    orgs = [(s.text, s.id_) for s in doc.spans[SPANS_KEY] if s.label_ == "ORG"]
    assert orgs == [("Orange Maroc", "ma-co-orange"), ("CNRS", "fr-rc-cnrs")]


def test_head_words_keep_their_accents_and_plan_heads_are_listed(gaz):
    assert "école" in gaz.vocab.head_forms["ecole"]
    assert "centre" in gaz.vocab.head_forms["centre"]
    assert {"plan", "stratégie", "offre"} <= gaz.vocab.non_org_heads
