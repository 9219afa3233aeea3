"""The registry on a real SQLite file, fed with extraction records (no spaCy needed)."""

from __future__ import annotations

import sqlite3

import pytest

from matcher.errors import NotFoundError, RegistryError
from matcher.records import Document, Edge, ExtractedOrg, Extraction, Mention
from matcher.store import Registry


def _doc(path: str, text: str, sha: str = "a", date: str | None = "2024-01-01") -> Document:
    return Document(path=path, text=text, sha256=sha, date=date, title="t")


def _org(name: str, type_: str, sentence: str, *aliases: str, city: str | None = None
         ) -> ExtractedOrg:
    return ExtractedOrg(name=name, type=type_, aliases=set(aliases), city=city,
                        mentions=[Mention(name, 0, len(name), sentence)])


SENT = "L'Université Cadi Ayyad de Marrakech et MAScIR travaillent sur l'électronique."


def _extraction() -> Extraction:
    return Extraction(
        orgs=[_org("Université Cadi Ayyad de Marrakech", "university", SENT, "UCA",
                   city="Marrakech"),
              _org("Fondation MAScIR", "research_centre", SENT, "MAScIR")],
        edges=[Edge("Université Cadi Ayyad de Marrakech", "Fondation MAScIR", SENT)],
    )


@pytest.fixture
def registry(tmp_path):
    with Registry(tmp_path / "r.db", create=True) as reg:
        yield reg


def test_opening_a_missing_registry_says_how_to_build_one(tmp_path):
    with pytest.raises(RegistryError, match="match build"):
        Registry(tmp_path / "none.db")


def test_a_file_that_is_not_a_registry_is_refused(tmp_path):
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE x (y)").connection.close()
    with pytest.raises(RegistryError, match="not a matcher registry"):
        Registry(path)


def test_registry_uses_wal_and_foreign_keys(registry):
    assert registry.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert registry.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_replace_document_stores_profiles_evidence_and_edges(registry):
    new, updated = registry.replace_document(_doc("a.txt", SENT), _extraction())
    assert (new, updated) == (2, 0)
    uca = registry.find("cadi ayyad de marrakech")
    assert uca.type == "university" and uca.city == "Marrakech"
    assert "UCA" in uca.aliases
    assert [e.text for e in uca.evidence] == [SENT]
    assert [p.name for p in uca.partners] == ["Fondation MAScIR"]
    assert uca.mentions == 1 and uca.documents == 1 and uca.first_seen == "2024-01-01"


def test_same_organisation_in_two_documents_is_one_profile(registry):
    registry.replace_document(_doc("a.txt", SENT), _extraction())
    other = "MAScIR développe des capteurs."
    new, updated = registry.replace_document(
        _doc("b.txt", other, sha="b", date="2025-02-02"),
        Extraction(orgs=[_org("MAScIR", "research_centre", other)]))
    assert (new, updated) == (0, 1)
    mascir = registry.find("MAScIR")
    assert mascir.documents == 2 and mascir.last_seen == "2025-02-02"
    assert registry.size() == 2


def test_an_edited_document_replaces_its_old_facts(registry):
    registry.replace_document(_doc("a.txt", SENT), _extraction())
    edited = "Le Maroc Numeric Cluster signe un accord."
    registry.replace_document(_doc("a.txt", edited, sha="c"),
                              Extraction(orgs=[_org("Maroc Numeric Cluster", "cluster", edited)]))
    names = [p.name for p in registry.organisations()]
    assert names == ["Maroc Numeric Cluster"]
    assert registry.conn.execute("SELECT count(*) FROM edges").fetchone()[0] == 0
    assert registry.has_document("a.txt", "c") and not registry.has_document("a.txt", "a")


def test_content_hash_changes_with_content_only(registry):
    empty = registry.content_hash()
    registry.replace_document(_doc("a.txt", SENT), _extraction())
    once = registry.content_hash()
    assert once != empty and registry.content_hash() == once


def test_find_suggests_close_names_when_nothing_matches(registry):
    registry.replace_document(_doc("a.txt", SENT), _extraction())
    with pytest.raises(NotFoundError, match="Did you mean: Université Cadi Ayyad"):
        registry.find("Universte Cadi Ayad Marakech zzz")


def test_remove_document_drops_organisations_no_longer_named(registry):
    registry.replace_document(_doc("a.txt", SENT), _extraction())
    registry.remove_document("a.txt")
    assert registry.size() == 0 and registry.documents() == []


def test_a_failed_document_leaves_nothing_and_the_next_one_links_correctly(registry):
    registry.replace_document(_doc("a.txt", SENT), _extraction())
    broken = Extraction(orgs=[_org("Maroc Numeric Cluster", "cluster", "x", "MNC")],
                        edges=[Edge("Maroc Numeric Cluster", "Maroc Numeric Cluster", "x")])
    broken.orgs[0].mentions.append(None)  # type: ignore[arg-type]  # a crash mid-document
    with pytest.raises(AttributeError):
        registry.replace_document(_doc("b.txt", "x", sha="b"), broken)
    assert not registry.has_document("b.txt", "b")
    assert [p.name for p in registry.organisations()] == [
        "Fondation MAScIR", "Université Cadi Ayyad de Marrakech"]
    again = "Le Maroc Numeric Cluster (MNC) signe un accord."
    new, _ = registry.replace_document(
        _doc("b.txt", again, sha="c"),
        Extraction(orgs=[_org("Maroc Numeric Cluster", "cluster", again, "MNC")]))
    assert new == 1 and registry.find("MNC").documents == 1
