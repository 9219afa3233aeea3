"""Consortia on the seeds registry: composition rules met, or the missing rule named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli import cli
from matcher.consortium import consortium
from matcher.errors import UsageError
from matcher.programmes import country_status
from matcher.store import Registry

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def registry(seeds_registry: Path) -> Registry:
    with Registry(seeds_registry) as reg:
        yield reg


def _is_member_state(country: str | None) -> bool:
    return "member_state" in country_status("horizon-europe", country).tags


def test_horizon_europe_consortium_includes_a_european_member(registry: Registry) -> None:
    result = consortium(registry, "horizon-europe", with_=["Maroc Numeric Cluster"])
    names = [m.name for m in result.members]
    assert registry.find("Maroc Numeric Cluster").name in names
    assert any(_is_member_state(m.country) for m in result.members), names
    assert len({m.id for m in result.members}) == len(result.members)


def test_forced_member_and_roles_are_explained(registry: Registry) -> None:
    result = consortium(registry, "horizon-europe", with_=["MNC"])
    forced = result.members[0]
    assert forced.name == registry.find("MNC").name and "imposé" in (forced.role or "")
    assert all(m.role for m in result.members)
    brought = {t for m in result.members for t in m.matched_themes}
    assert brought <= set(result.themes_covered)
    assert not set(result.themes_covered) & set(result.themes_missing)


def test_an_unsatisfiable_rule_is_reported_with_what_is_missing(registry: Registry) -> None:
    result = consortium(registry, "horizon-europe", size=1)
    assert len(result.members) == 1
    unmet = [r for r in result.rules if not r.satisfied]
    assert unmet, "one organisation cannot come from three countries"
    assert any("3" in r.detail for r in unmet)


def test_size_and_forced_members_are_checked(registry: Registry) -> None:
    with pytest.raises(UsageError):
        consortium(registry, "horizon-europe", size=0)
    with pytest.raises(UsageError):
        consortium(registry, "horizon-europe", size=1, with_=["MNC", "Systematic"])
    assert len(consortium(registry, "jazari-industrie", size=3).members) <= 3


def test_consortium_command_json(seeds_registry: Path) -> None:
    done = CliRunner().invoke(cli, ["consortium", "horizon-europe", "--with", "MNC",
                                    "--format", "json", "--db", str(seeds_registry)])
    assert done.exit_code == 0, done.output
    data = json.loads(done.output)
    assert data["programme"] == "horizon-europe"
    assert data["members"] and all("role" in m for m in data["members"])
    assert all({"rule", "satisfied", "detail"} <= set(r) for r in data["rules"])
    bad = CliRunner().invoke(cli, ["consortium", "horizon-europe", "--assume", "MA",
                                   "--db", str(seeds_registry)])
    assert bad.exit_code == 1 and "CC=statut" in bad.output


def test_rule_progress_gives_partial_credit_toward_a_rule() -> None:
    from matcher.consortium import RuleProgress
    from matcher.programmes import get_programme

    progress = RuleProgress(get_programme("horizon-europe"), {}, advisory_weight=0.25)
    one = [("a", "FR", "university")]
    two = [*one, ("b", "DE", "company")]
    three = [*two, ("c", "ES", "research_centre")]
    assert progress(one, binding_only=True) < progress(two, binding_only=True) \
        < progress(three, binding_only=True)
    binding = [r for r in get_programme("horizon-europe").rules if not r.advisory]
    assert progress(three, binding_only=True) == pytest.approx(len(binding))
    same_country = [*one, ("d", "FR", "company")]
    assert progress(same_country, binding_only=True) == progress(one, binding_only=True)
