"""Acronyms, variants and short forms inside a document; linking across documents."""

from __future__ import annotations

from collections import Counter

import pytest
import spacy

from matcher.records import ExtractedOrg, Mention
from matcher.resolution import (
    AliasIndex,
    Candidate,
    is_acronym,
    long_form_start,
    merge_prefix_names,
    resolve,
    short_form,
)


def cand(name: str, *, aliases: set[str] | None = None, gaz: str | None = None,
         org_type: str | None = None) -> Candidate:
    return Candidate(surface=name, start=0, end=len(name), sentence=name, name=name,
                     source="head", types=Counter({org_type: 1}) if org_type else Counter(),
                     gazetteer_id=gaz, aliases=aliases or set())


def names(groups: list[list[Candidate]]) -> list[set[str]]:
    return sorted(({c.name for c in g} for g in groups), key=lambda s: sorted(s))


@pytest.fixture(scope="module")
def abbreviations():
    nlp = spacy.blank("fr")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("matcher_abbreviations")
    return nlp


def test_schwartz_hearst_finds_where_the_long_form_starts():
    assert long_form_start("MNC", "accord entre Maroc Numeric Cluster".split()) == 2
    assert long_form_start("I&R", "le pôle de compétitivité Images & Réseaux".split()) == 4
    assert long_form_start("MAScIR", "l'Association marocaine pour la recherche".split()) is None


def test_acronym_shapes():
    assert all(map(is_acronym, ["CNRST", "MAScIR", "I&R", "H2020", "M2M"]))
    assert not any(map(is_acronym, ["Inwi", "X.0", "A", "Maroc"]))


def test_abbreviation_detector_finds_both_orders(abbreviations):
    doc = abbreviations("Entre Maroc Numeric Cluster (MNC) et la 4G ou la LTE "
                        "(Long term evolution).")
    pairs = {(a.short, a.long) for a in doc._.abbreviations}
    assert pairs == {("MNC", "Maroc Numeric Cluster"), ("LTE", "Long term evolution")}


def test_resolution_merges_acronym_defined_in_parentheses():
    groups = resolve([cand("Maroc Numeric Cluster", aliases={"MNC"}), cand("MNC"),
                      cand("Inwi")])
    assert names(groups) == [{"Inwi"}, {"MNC", "Maroc Numeric Cluster"}]


def test_resolution_merges_accent_case_and_typo_variants():
    groups = resolve([cand("Université Ibn Tofeïl de Kenitra"),
                      cand("université Ibn Tofaïl de Kénitra"),
                      cand("Université Cadi Ayad de Marrakech"),
                      cand("Université Cadi Ayyad de Marrakech")])
    assert len(groups) == 2


def test_resolution_merges_a_short_form_contained_in_one_name_only():
    groups = resolve([cand("Pôle de compétitivité Images & Réseaux"), cand("Images & Réseaux"),
                      cand("Maroc innovation"), cand("Initiative Maroc innovation")])
    assert len(groups) == 2
    ambiguous = resolve([cand("Jazari"), cand("Institut Jazari Industrie"), cand("Jazari Root")])
    assert len(ambiguous) == 3


def test_resolution_drops_qualifiers_of_ministries():
    groups = resolve([
        cand("Ministère délégué chargé de la Transition numérique et de la Réforme "
             "de l'administration"),
        cand("ministère de la transition numérique et de la réforme de l’administration"),
    ])
    assert len(groups) == 1


def test_resolution_never_merges_two_gazetteer_entries():
    groups = resolve([cand("EST de Fès", gaz="ma-est-fes"), cand("EST de Fes", gaz="ma-est-safi")])
    assert len(groups) == 2


def test_resolution_keeps_different_universities_apart():
    groups = resolve([cand("Université Mohammed V de Rabat"),
                      cand("Université Mohammed VI Polytechnique"),
                      cand("Université Hassan II de Casablanca"),
                      cand("Université Hassan Premier de Settat")])
    assert len(groups) == 4


# --- across documents --------------------------------------------------------------------


@pytest.fixture()
def index():
    idx = AliasIndex()
    idx.add(1, ["Université Ibn Tofaïl de Kénitra", "UIT"], "university")
    idx.add(2, ["Maroc Numeric Cluster", "MNC"], "cluster")
    idx.add(3, ["Multinational Corp", "MNC"], "company")
    idx.add(4, ["Centre National pour la Recherche Scientifique et Technique", "CNRST"],
            "public_agency")
    return idx


def test_alias_index_matches_exact_key_whatever_accents_and_case(index):
    org = ExtractedOrg(name="UNIVERSITE IBN TOFAIL DE KENITRA", type="university")
    assert index.match(org) == 1


def test_alias_index_tolerates_a_typo(index):
    org = ExtractedOrg(name="Université Ibn Tofeil de Kenitra", type="university")
    assert index.match(org) == 1


def test_alias_index_uses_acronyms_only_when_unambiguous(index):
    assert index.match(ExtractedOrg(name="CNRST", type="public_agency")) == 4
    assert index.match(ExtractedOrg(name="MNC", type="cluster")) is None


def test_alias_index_prefers_full_names_to_a_shared_acronym():
    idx = AliasIndex()
    idx.add(1, ["École Supérieure de Technologie de Laâyoune", "EST"], "school")
    other = ExtractedOrg(name="École Supérieure de Technologie de Fès", type="school",
                         aliases={"EST"})
    assert idx.match(other) is None
    assert idx.match(ExtractedOrg(name="EST", type="school")) == 1


def test_alias_index_does_not_fuzzy_match_across_types(index):
    org = ExtractedOrg(name="Université Ibn Tofeil de Kenitra", type="company")
    assert index.match(org) is None


def test_alias_index_returns_none_for_unknown_organisation(index):
    assert index.match(ExtractedOrg(name="Université Ibn Zohr d'Agadir", type="university")) is None
    assert len(index) == 4


def test_alias_index_stays_selective_with_many_organisations():
    idx = AliasIndex()
    for i in range(20000):
        idx.add(i, [f"Société Numéro {i} de Casablanca"], "company")
    idx.add(99999, ["Université Ibn Tofaïl de Kénitra"], "university")
    assert idx.match(ExtractedOrg(name="Société Numéro 1234 de Casablanca", type="company")) == 1234
    assert idx.match(ExtractedOrg(name="Universite Ibn Tofeil Kenitra", type="university")) == 99999


def test_short_form_in_parentheses_keeps_acronym_with_a_word_apart():
    assert short_form("MNC") == "MNC"
    assert short_form("I & R") == "I&R"
    assert short_form("LAAS-CNRS") == "LAAS-CNRS"
    assert short_form("ENSA Agadir") == "ENSA Agadir"
    assert short_form("Fraunhofer ISE") == "Fraunhofer ISE"
    assert short_form("Italie") is None and short_form("voir plus bas") is None


def org(name: str, org_type: str, start: int, aliases: set[str] | None = None) -> ExtractedOrg:
    o = ExtractedOrg(name=name, type=org_type, aliases=aliases or set())
    o.mentions.append(Mention(name, start, start + len(name), name))
    return o


def test_a_name_beginning_one_longer_name_of_the_same_type_merges_into_it():
    orgs = merge_prefix_names([org("Orange Maroc", "company", 0), org("Orange", "company", 50),
                               org("Université Mohammed V", "university", 90)])
    assert [o.name for o in orgs] == ["Orange Maroc", "Université Mohammed V"]
    assert [m.start for m in orgs[0].mentions] == [0, 50]


def test_a_prefix_of_two_longer_names_or_of_another_type_stays_apart():
    orgs = merge_prefix_names([org("Renault Maroc", "company", 0), org("Renault Trucks",
                               "company", 20), org("Renault", "company", 40),
                               org("Orange", "company", 60), org("Orange Foundation",
                                                                 "association", 80)])
    assert len(orgs) == 5



def test_typo_buckets_find_what_comparing_every_organisation_finds() -> None:
    """The masked-word buckets only skip organisations that `names_similar` would refuse:
    on names of up to five words with random typos, the index links exactly as comparing
    every organisation in id order does."""
    import random

    from matcher.gazetteer import names_similar
    from matcher.resolution import comparison_tokens
    from matcher.text import key

    rng = random.Random(3)
    words = ["Université", "Institut", "Centre", "Agence", "Rabat", "Fès", "Oujda", "Ibn",
             "Tofail", "Zohr", "Hassan", "recherche", "énergie", "solaire", "eau", "2030",
             "Maroc", "technologie", "Mohammed", "santé", "Atlas", "Sud", "innovation"]

    def typo(word: str) -> str:
        if len(word) < 4 or rng.random() < 0.5:
            return word
        i = rng.randrange(1, len(word))
        return word[:i] + rng.choice("aeiouyk") + word[i + 1:]

    index = AliasIndex()
    names: dict[int, str] = {}
    known: dict[int, tuple[str | None, list[str]]] = {}
    compared = linked = 0
    for org_id in range(1, 500):
        name = " ".join(rng.choice(words) for _ in range(rng.randint(2, 5)))
        if names and rng.random() < 0.5:  # a known name with a typo or two
            name = " ".join(typo(w) for w in names[rng.choice(sorted(names))].split())
        org_type = rng.choice(["university", "company", None])
        tokens = comparison_tokens(name)
        if 2 <= len(tokens) <= 5 and not index._by_key.get(key(name)):
            expected = next((i for i in sorted(known)
                             if (known[i][0] is None or org_type is None
                                 or known[i][0] == org_type)
                             and names_similar(tokens, known[i][1])), None)
            assert index.match(ExtractedOrg(name=name, type=org_type)) == expected, name
            compared += 1
            linked += expected is not None
        index.add(org_id, [name], org_type)
        names[org_id] = name
        known[org_id] = (org_type, comparison_tokens(name))
    assert compared > 200 and linked > 20  # typos were linked: the comparison means something
