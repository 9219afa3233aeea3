"""Programmes as data: loading and validation, dated country statuses, and rule checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from matcher.errors import DataError, NotFoundError, UsageError
from matcher.programmes import (
    check_rules,
    country_status,
    describe,
    detect_programmes,
    get_programme,
    load_programmes,
    statuses,
)
from matcher.records import ORG_TYPES
from matcher.themes import load_themes


def _edit_programmes(folder: Path, edit: Any) -> None:
    path = folder / "programmes.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _by_rule(checks: tuple, rule_id: str) -> Any:
    found = [check for check in checks if check.rule_id == rule_id]
    assert len(found) == 1, f"no single check for {rule_id}"
    return found[0]


# --- the shipped programmes -------------------------------------------------------------------


def test_shipped_programmes_load_with_valid_references() -> None:
    programmes = load_programmes()
    assert {"cern-associate", "horizon-europe", "prima", "jazari-industrie",
            "jazari-root"} <= set(programmes)
    theme_ids = set(load_themes())
    for prog in programmes.values():
        assert prog.name["fr"] and prog.name["en"] and prog.description["fr"]
        assert set(prog.themes) <= theme_ids
        assert set(prog.eligible_types) <= set(ORG_TYPES)
        assert prog.keywords and prog.links


def test_cern_programme_maps_companies_to_procurement_domains() -> None:
    cern = get_programme("cern-associate")
    for theme_id in ("genie_civil", "refroidissement_ventilation", "distribution_electrique",
                     "vide", "cryogenie", "radiofrequence", "informatique", "mecanique",
                     "electronique", "physique"):
        assert theme_id in cern.themes
    assert "company" in cern.eligible_types


def test_jazari_industrie_targets_fes_meknes() -> None:
    prog = get_programme("jazari-industrie")
    assert prog.regions == ("Fès-Meknès",)
    assert prog.themes["maintenance_predictive"] == 1.0


def test_every_status_rule_cites_a_source_and_a_check_date() -> None:
    for prog in load_programmes().values():
        for rule in prog.rules:
            if rule.kind in ("min_countries", "min_with_tag") and not rule.advisory:
                assert rule.source.startswith("http") and rule.checked, (prog.id, rule.id)


def test_unknown_programme_suggests_close_ids() -> None:
    with pytest.raises(NotFoundError) as err:
        get_programme("horizon")
    assert err.value.suggestions[0] == "horizon-europe"
    assert "Programme inconnu" in str(err.value)
    assert get_programme("PRIMA").id == "prima"


def test_documents_name_programmes_by_their_keywords() -> None:
    found = detect_programmes("Le CERN et le projet Atlas ; un projet Horizon 2020 (H2020).")
    assert found == {"cern-associate": 2, "horizon-europe": 2}
    assert detect_programmes("randonnée dans le Haut Atlas") == {}
    assert "jazari-industrie" in detect_programmes("l'institut JAZARI Industrie X.0 à Fès")


def test_describe_gives_rules_sources_and_labels_in_both_languages() -> None:
    prog = get_programme("horizon-europe")
    text = describe(prog)
    assert text.startswith("Horizon Europe")
    assert "Règles de composition" in text and "eumonitor.eu" in text
    assert "Intelligence artificielle" in text
    english = describe(prog, lang="en")
    assert "Composition rules" in english and "Artificial intelligence" in english


# --- country statuses -------------------------------------------------------------------------


def test_status_is_a_dated_fact_with_its_source() -> None:
    status = country_status("horizon-europe", "FR")
    assert status.status == "member_state" and not status.assumed
    assert status.as_of and status.source.startswith("http")


def test_morocco_is_not_counted_as_associated_unless_assumed() -> None:
    fact = country_status("horizon-europe", "ma")
    assert fact.status == "transitional" and fact.note
    assumed = country_status("horizon-europe", "MA", assume={"ma": "associated_country"})
    assert assumed.status == "associated_country" and assumed.assumed
    assert "hypothèse" in assumed.source


def test_unlisted_country_gets_the_scheme_default_and_says_so() -> None:
    status = country_status("horizon-europe", "US")
    assert status.status == "third_country_unfunded" and status.as_of is None
    assert "défaut" in status.source


def test_cern_status_of_morocco_and_assumed_association() -> None:
    assert country_status("cern-associate", "MA").status == "non_member"
    assert country_status("cern-associate", "CH").status == "member_state"
    assert country_status("cern-associate", "MA",
                          {"MA": "associate_member_state"}).status == "associate_member_state"


def test_unknown_assumed_status_is_a_usage_error_listing_the_choices() -> None:
    with pytest.raises(UsageError) as err:
        country_status("horizon-europe", "MA", assume={"MA": "martien"})
    assert "associated_country" in str(err.value)
    with pytest.raises(UsageError, match="ISO"):
        country_status("horizon-europe", "MA", assume={"Maroc": "associated_country"})


@pytest.mark.parametrize(("programme", "typed", "expected"), [
    ("horizon-europe", "associated", "associated_country"),
    ("horizon-europe", "associé", "associated_country"),
    ("cern-associate", "associate", "associate_member_state"),
    ("cern-associate", "membre associé", "associate_member_state"),
])
def test_assumed_status_accepts_short_and_french_forms(programme: str, typed: str,
                                                       expected: str) -> None:
    assert country_status(programme, "MA", {"MA": typed}).status == expected


def test_statuses_lists_possible_values_with_french_labels() -> None:
    assert statuses("prima")["participating_med"].startswith("État participant")


# --- rule checks ------------------------------------------------------------------------------

TRIO = [("Université A", "FR", "university"), ("Firma B", "DE", "company"),
        ("Centro C", "ES", "research_centre")]


def test_horizon_europe_valid_trio_meets_every_eligibility_rule() -> None:
    checks = check_rules(get_programme("horizon-europe"), TRIO)
    assert all(c.satisfied for c in checks)
    assert "3 pays comptés" in _by_rule(checks, "he-trois-pays").detail


def test_horizon_europe_trio_without_member_state_says_what_is_missing() -> None:
    members = [("Uni N", "NO", "university"), ("Firm I", "IS", "company"),
               ("Lab T", "TR", "research_centre")]
    checks = check_rules(get_programme("horizon-europe"), members)
    assert _by_rule(checks, "he-trois-pays").satisfied
    member_state = _by_rule(checks, "he-etat-membre")
    assert not member_state.satisfied
    assert member_state.detail.startswith("Il manque une entité d'un État membre de l'UE")
    assert "NO = pays associé" in member_state.assumption


def test_moroccan_entity_counts_toward_minimum_only_when_assumed_associated() -> None:
    prog = get_programme("horizon-europe")
    members = [("Université A", "FR", "university"), ("Firma B", "DE", "company"),
               ("Université Mohammed V", "MA", "university")]
    default = _by_rule(check_rules(prog, members), "he-trois-pays")
    assert not default.satisfied
    assert "Université Mohammed V (MA" in default.detail
    assert "MA = pays en cours d'association" in default.assumption
    assert "2025-04-10" in default.assumption
    assumed = _by_rule(check_rules(prog, members, assume={"MA": "associated_country"}),
                       "he-trois-pays")
    assert assumed.satisfied
    expected = "MA = pays associé à Horizon Europe (hypothèse de l'utilisateur)"
    assert expected in assumed.assumption


def test_two_entities_of_one_country_count_once() -> None:
    members = [("A", "FR", "university"), ("B", "FR", "company"), ("C", "DE", "company")]
    check = _by_rule(check_rules(get_programme("horizon-europe"), members), "he-trois-pays")
    assert not check.satisfied and "2 pays comptés (DE, FR)" in check.detail


def test_member_without_country_is_reported() -> None:
    members = [("A", "FR", "university"), ("Sans pays", None, "company")]
    check = _by_rule(check_rules(get_programme("horizon-europe"), members), "he-trois-pays")
    assert not check.satisfied and "Pays inconnu pour : Sans pays" in check.detail


def test_funding_rule_is_advisory_and_names_unfunded_members() -> None:
    members = TRIO + [("US Lab", "US", "research_centre")]
    check = _by_rule(check_rules(get_programme("horizon-europe"), members), "he-financement")
    assert not check.satisfied and check.advisory and check.detail.startswith("(indicatif)")
    assert "US Lab (US" in check.detail


def test_prima_requires_a_non_eu_mediterranean_partner() -> None:
    prog = get_programme("prima")
    european = check_rules(prog, TRIO)
    med = _by_rule(european, "prima-mediterranee")
    assert not med.satisfied and "pays méditerranéen" in med.detail
    assert _by_rule(european, "prima-trois-etats").satisfied
    with_morocco = check_rules(prog, TRIO[:2] + [("INRA Maroc", "MA", "research_centre")])
    assert all(c.satisfied for c in with_morocco)


def test_prima_counts_only_participating_states() -> None:
    members = [("A", "FR", "university"), ("B", "BE", "company"), ("C", "TN", "university")]
    check = _by_rule(check_rules(get_programme("prima"), members), "prima-trois-etats")
    assert not check.satisfied and "B (BE" in check.detail


def test_cern_tenders_need_member_or_associate_state_companies() -> None:
    prog = get_programme("cern-associate")
    members = [("Université Cadi Ayyad", "MA", "university"), ("Elec SA", "MA", "company")]
    today = _by_rule(check_rules(prog, members), "cern-fournisseurs")
    assert not today.satisfied and "Elec SA (MA, État non membre du CERN)" in today.detail
    after = _by_rule(check_rules(prog, members, {"MA": "associate_member_state"}),
                     "cern-fournisseurs")
    assert after.satisfied


def test_jazari_rules_ask_for_academia_and_industry() -> None:
    prog = get_programme("jazari-industrie")
    checks = check_rules(prog, [("USMBA", "MA", "university")])
    assert _by_rule(checks, "jazari-academique").satisfied
    industry = _by_rule(checks, "jazari-industriel")
    assert not industry.satisfied and "entreprise" in industry.detail


def test_type_rule_flags_members_outside_eligible_types() -> None:
    checks = check_rules(get_programme("cern-associate"), [("Le Matin", "MA", "media")])
    assert not _by_rule(checks, "cern-types").satisfied


# --- validation -------------------------------------------------------------------------------


def _expect_error(data_copy: Path, edit: Any, *fragments: str) -> None:
    _edit_programmes(data_copy, edit)
    with pytest.raises(DataError) as err:
        load_programmes()
    message = str(err.value)
    assert str(data_copy / "programmes.yaml") in message
    for fragment in fragments:
        assert fragment in message


def test_unknown_theme_id_names_file_programme_and_field(data_copy: Path) -> None:
    def edit(raw: dict) -> None:
        raw["programmes"][2]["themes"]["agricultur"] = 0.5

    _expect_error(data_copy, edit, "programme 'prima'", "field 'themes'", "'agricultur'",
                  "did you mean agriculture")


def test_missing_field_names_file_programme_and_field(data_copy: Path) -> None:
    def edit(raw: dict) -> None:
        del raw["programmes"][1]["name"]

    _expect_error(data_copy, edit, "programme 'horizon-europe'", "field 'name'")


def test_unknown_rule_kind_names_file_programme_rule_and_field(data_copy: Path) -> None:
    def edit(raw: dict) -> None:
        raw["programmes"][1]["rules"][0]["kind"] = "max_countries"

    _expect_error(data_copy, edit, "programme 'horizon-europe'", "rule 'he-trois-pays'",
                  "field 'kind'", "max_countries")


def test_rule_tag_must_exist_in_the_status_scheme(data_copy: Path) -> None:
    def edit(raw: dict) -> None:
        raw["programmes"][2]["rules"][0]["tag"] = "eligible"

    _expect_error(data_copy, edit, "programme 'prima'", "field 'tag'", "'eligible'")


def test_unknown_organisation_type_is_refused(data_copy: Path) -> None:
    def edit(raw: dict) -> None:
        raw["programmes"][0]["eligible_types"].append("startup")

    _expect_error(data_copy, edit, "programme 'cern-associate'", "field 'eligible_types'",
                  "startup")


def test_bad_yaml_is_a_data_error_naming_the_file(data_copy: Path) -> None:
    (data_copy / "programmes.yaml").write_text("programmes:\n  - id: [unclosed\n",
                                               encoding="utf-8")
    with pytest.raises(DataError, match="programmes.yaml: invalid YAML"):
        load_programmes()


def test_country_status_group_needs_a_date(data_copy: Path) -> None:
    path = data_copy / "country_status.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    del raw["schemes"]["prima"]["groups"][0]["as_of"]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_programmes()
    assert "country_status.yaml" in str(err.value)
    assert "scheme 'prima', group #1: field 'as_of'" in str(err.value)


def test_unquoted_norway_code_gets_a_helpful_error(data_copy: Path) -> None:
    path = data_copy / "country_status.yaml"
    text = path.read_text(encoding="utf-8").replace('"NO"', "NO", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match='quote it, e.g. "NO" for Norway'):
        load_programmes()


def test_edited_programmes_file_is_reloaded(data_copy: Path) -> None:
    def edit(raw: dict) -> None:
        raw["programmes"][2]["name"]["fr"] = "PRIMA (modifié)"

    load_programmes()
    _edit_programmes(data_copy, edit)
    assert get_programme("prima").name["fr"] == "PRIMA (modifié)"
