"""The ingestion job end to end on the seeds, with the real spaCy pipeline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.build import build
from matcher.cli import cli
from matcher.store import Registry

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

pytestmark = pytest.mark.slow


def test_seeds_registry_has_the_universities_with_types_and_cities(seeds_registry):
    with Registry(seeds_registry) as registry:
        universities = {p.name: p for p in registry.organisations(type="university")}
        uca = registry.find("Cadi Ayyad")
        mnc = registry.find("MNC")
    assert len(universities) >= 8
    assert uca.type == "university" and uca.city == "Marrakech"
    assert uca.region == "Marrakech-Safi" and uca.country == "MA"
    assert mnc.type == "cluster" and "Maroc Numeric Cluster" in (mnc.name, *mnc.aliases)


def test_seeds_profiles_carry_dated_evidence_and_partners(seeds_registry):
    with Registry(seeds_registry) as registry:
        mnc = registry.find("Maroc Numeric Cluster")
    assert mnc.evidence and all(ev.document.endswith(".txt") for ev in mnc.evidence)
    assert any("Images & Réseaux" in ev.text for ev in mnc.evidence)
    assert any("Images" in p.name for p in mnc.partners)


def test_the_same_university_across_spellings_is_one_organisation(seeds_registry):
    with Registry(seeds_registry) as registry:
        kenitra = registry.find("Ibn Tofaïl de Kénitra")
        assert registry.find("Ibn Tofeil Kenitra").id == kenitra.id


def test_building_the_same_files_again_changes_nothing(tmp_path):
    db = tmp_path / "r.db"
    build([SEEDS / "004_95643567ecbcdec9.txt"], db, progress=False, fit_model=False)
    with Registry(db) as registry:
        before = registry.content_hash()
    again = build([SEEDS / "004_95643567ecbcdec9.txt"], db, progress=False, fit_model=False)
    assert again.unchanged == 1 and again.new_orgs == 0
    with Registry(db) as registry:
        assert registry.content_hash() == before


def test_an_edited_file_replaces_its_old_facts(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    article = folder / "a.txt"
    article.write_text("Le Maroc Numeric Cluster (MNC) a signé un accord à Casablanca.\n", "utf-8")
    db = tmp_path / "r.db"
    build([folder], db, progress=False, fit_model=False)
    article.write_text(
        "L'Université Ibn Zohr d'Agadir lance un master en intelligence artificielle.\n", "utf-8")
    build([folder], db, progress=False, fit_model=False)
    with Registry(db) as registry:
        names = [p.name for p in registry.organisations()]
    assert any("Ibn Zohr" in n for n in names)
    assert not any("Numeric" in n for n in names)


def test_a_bad_file_is_skipped_reported_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "batch"
    shutil.copytree(SEEDS, folder)
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02binary\xff\xfe" * 50)
    (folder / "empty.md").write_text("", "utf-8")
    db = tmp_path / "r.db"
    result = CliRunner().invoke(cli, ["build", str(folder), "--db", str(db)])
    assert result.exit_code == 2
    assert "broken.txt" in result.output and "empty.md" in result.output
    assert "Documents lus : 5" in result.output
    with Registry(db) as registry:
        assert len(registry.documents()) == 5


def test_rebuild_starts_from_an_empty_registry(tmp_path):
    db = tmp_path / "r.db"
    build([SEEDS / "003_fb9150143571a3bb.txt"], db, progress=False, fit_model=False)
    build([SEEDS / "004_95643567ecbcdec9.txt"], db, rebuild=True, progress=False,
          fit_model=False)
    with Registry(db) as registry:
        assert [d["path"].rsplit("/", 1)[-1] for d in registry.documents()] == [
            "004_95643567ecbcdec9.txt"]
