"""Partner search on the seeds registry: complementary, self excluded, existing flagged."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli import cli
from matcher.errors import NotFoundError
from matcher.partners import partners
from matcher.store import Registry

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def registry(seeds_registry: Path) -> Registry:
    with Registry(seeds_registry) as reg:
        yield reg


def test_the_organisation_itself_is_never_its_own_partner(registry: Registry) -> None:
    me = registry.find("Maroc Numeric Cluster")
    result = partners(registry, "MNC", top=30)
    assert result.organisation == me.name
    assert me.id not in {c.id for c in result.candidates}


def test_existing_partners_are_flagged_not_hidden(registry: Registry) -> None:
    me = registry.find("Maroc Numeric Cluster")
    known = registry.partner_ids(me.id)
    assert known, "the seeds name partners of Maroc Numeric Cluster in its sentences"
    result = partners(registry, me.name, top=30)
    flagged = {c.id for c in result.candidates if c.existing_partner}
    assert flagged and flagged <= known
    assert all(c.existing_partner == (c.id in known) for c in result.candidates)


def test_partners_are_not_copies_of_the_organisation(registry: Registry) -> None:
    result = partners(registry, "Maroc Numeric Cluster", top=5)
    types = [c.type for c in result.candidates]
    assert len(set(types)) >= 2, types
    assert any(c.country not in (None, "MA") for c in result.candidates), \
        "a Moroccan cluster should be offered a partner abroad"


def test_components_including_diversity_add_up_to_the_score(registry: Registry) -> None:
    result = partners(registry, "Université Euro-Méditerranéenne de Fès", top=10)
    assert result.candidates
    for c in result.candidates:
        assert c.components["diversity"] <= 0
        assert sum(c.components.values()) == pytest.approx(c.score, abs=1e-5)
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)


def test_unknown_organisation_is_not_found(registry: Registry) -> None:
    with pytest.raises(NotFoundError, match="Zorglub Technologies"):
        partners(registry, "Zorglub Technologies")


def test_partners_command_prints_a_table(seeds_registry: Path) -> None:
    done = CliRunner().invoke(cli, ["partners", "Maroc Numeric Cluster", "--top", "3",
                                    "--db", str(seeds_registry)])
    assert done.exit_code == 0, done.output
    assert "rang" in done.output and len(done.output.strip().splitlines()) >= 3
