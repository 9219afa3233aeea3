"""Free-text queries: places and kinds of organisation are preferences, not topic words."""

from __future__ import annotations

from matcher.query import parse_query
from matcher.text import key


def test_named_kind_and_nationality_leave_the_topic_text() -> None:
    parsed = parse_query("universités marocaines pour l'électronique")
    assert parsed.types == {"university"}
    assert parsed.countries == {"MA"}
    assert "électronique" in parsed.text
    assert "universit" not in parsed.text and "marocaines" not in parsed.text


def test_an_adjective_does_not_name_a_kind_of_organisation() -> None:
    assert parse_query("IA industrielle et robotique").types == frozenset()
    assert parse_query("les industriels de la robotique").types == {"company"}


def test_regions_and_moroccan_cities_give_region_keys() -> None:
    parsed = parse_query("batteries dans la région Tanger-Tétouan-Al Hoceïma")
    assert parsed.region_keys == {key("Tanger-Tétouan-Al Hoceïma")}
    assert "Tanger" not in parsed.text and "batteries" in parsed.text
    assert parse_query("partenaires à Agadir").region_keys == {key("Souss-Massa")}


def test_acronyms_and_foreign_cities_are_matched_only_as_written() -> None:
    water = parse_query("gestion de l'eau et tours de refroidissement")
    assert water.countries == frozenset() and "eau" in water.text and "tours" in water.text
    assert parse_query("partenaires des EAU").countries == {"AE"}
    assert parse_query("un laboratoire à Tours").countries == {"FR"}


def test_groups_of_countries_from_scoring_data() -> None:
    parsed = parse_query("pôles européens du numérique")
    assert {"FR", "DE", "BE"} <= parsed.countries and "MA" not in parsed.countries
