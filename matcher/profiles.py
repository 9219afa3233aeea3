"""Profiles: one organisation's facts, aggregated over every document that names it.

A profile is recomputed from the per-document facts whenever one of its documents
changes, so it always says what the current documents say: the most common type,
city, region and country; the themes of its evidence sentences; the programmes
named with it; mention counts and the dates it was first and last seen.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .text import key, normalise_typography

if TYPE_CHECKING:
    from .themes import KeywordMatcher, TextWords

CONTEXT_WEIGHT = 0.25  # a theme of the whole document counts a quarter of a sentence


class Features:
    """Themes and programmes of sentences and documents, each text analysed once.

    Computed when a document is stored and kept beside its evidence, so refreshing a
    profile only adds up stored facts: a popular organisation does not make every new
    document re-read all its old sentences.

    A document's text is read once (`document`); the themes and programmes of each of its
    sentences are then the hits of the whole text that fall inside the sentence. A sentence
    that is not found whole in the text, or that a hit straddles, is read on its own:
    either way the result is what reading the sentence alone gives.
    """

    def __init__(self, themes: KeywordMatcher | None = None,
                 programmes: KeywordMatcher | None = None) -> None:
        """`themes` and `programmes` default to the current data files' indexes."""
        from .programmes import programme_matcher
        from .themes import theme_matcher

        self._cache: dict[str, tuple[str, str]] = {}
        self._themes = themes if themes is not None else theme_matcher()
        self._programmes = programmes if programmes is not None else programme_matcher()
        self._words: TextWords | None = None
        self._hits: dict[str, tuple[list, list[int]]] = {}

    def sentence(self, text: str) -> tuple[str, str]:
        """(themes, programmes) named in one sentence, as JSON lists."""
        found = self._cache.get(text)
        if found is None:
            found = self._cache[text] = self._in_document(text) or (
                json.dumps(sorted(self._themes.counts(text))),
                json.dumps(sorted(self._programmes.counts(text))),
            )
        return found

    def document(self, text: str) -> str:
        """Themes of a whole document with their counts, as JSON; its sentences are then
        looked up in its hits."""
        from .themes import TextWords

        self._words = TextWords.of(text)
        self._hits = {}
        counts: dict[str, int] = {}
        for _start, _end, owners in self._document_hits("themes")[0]:
            for owner in owners:
                counts[owner] = counts.get(owner, 0) + 1
        return json.dumps(counts, sort_keys=True)

    def _document_hits(self, which: str) -> tuple[list, list[int]]:
        found = self._hits.get(which)
        if found is None:
            assert self._words is not None
            matcher = self._themes if which == "themes" else self._programmes
            hits = matcher.word_hits(self._words)
            found = self._hits[which] = (hits, [h[0] for h in hits])
        return found

    def _in_document(self, text: str) -> tuple[str, str] | None:
        """The sentence's (themes, programmes) from the current document's hits, or None."""
        from .themes import passage_owners

        if self._words is None:
            return None
        where = self._words.passage_words(text)
        if where is None:
            return None
        themes = passage_owners(*self._document_hits("themes"), *where)
        if themes is None:
            return None
        programmes = passage_owners(*self._document_hits("programmes"), *where)
        if programmes is None:
            return None
        return _json_list(themes), _json_list(programmes)


def _json_list(ids: set[str]) -> str:
    """json.dumps(sorted(ids)), cached: sentences name the same few ids again and again."""
    if not ids:
        return "[]"
    ordered = tuple(sorted(ids))
    text = _JSON_LISTS.get(ordered)
    if text is None:
        text = json.dumps(list(ordered))
        if len(_JSON_LISTS) < 4096:
            _JSON_LISTS[ordered] = text
    return text


_JSON_LISTS: dict[tuple[str, ...], str] = {}


def refresh_profiles(conn: sqlite3.Connection, org_ids: Iterable[int]) -> None:
    """Recompute the profiles of these organisations; drop those no document names.

    A few set-wise queries per call (not a few per organisation): a document names
    dozens of organisations and is stored with one call.
    """
    wanted = sorted(set(org_ids))
    for start in range(0, len(wanted), _CHUNK):
        _refresh_chunk(conn, wanted[start:start + _CHUNK])


_CHUNK = 500  # organisations per query, well under SQLite's limit on bound parameters


def _refresh_chunk(conn: sqlite3.Connection, org_ids: list[int]) -> None:
    if not org_ids:
        return
    marks = ",".join("?" * len(org_ids))
    facts: dict[int, list[tuple]] = {}
    for row in conn.execute(
        "SELECT x.org_id, x.name, x.type, x.city, x.region, x.country, x.gazetteer_id,"
        " x.aliases, d.date, d.themes FROM document_orgs x JOIN documents d"
        f" ON d.id = x.document_id WHERE x.org_id IN ({marks}) ORDER BY x.org_id, x.rowid",
        org_ids,
    ):
        facts.setdefault(row[0], []).append(tuple(row[1:]))
    evidence: dict[int, list[tuple[str, str]]] = {}
    for org_id, themes, programmes in conn.execute(
        f"SELECT org_id, themes, programmes FROM evidence WHERE org_id IN ({marks})"
        " ORDER BY org_id, id", org_ids,
    ):
        evidence.setdefault(org_id, []).append((themes, programmes))
    mentions = dict(conn.execute(
        f"SELECT org_id, count(*) FROM mentions WHERE org_id IN ({marks}) GROUP BY org_id",
        org_ids,
    ).fetchall())
    parsed: dict[str, Any] = {}  # a document's themes serve each of its organisations

    def loads(text: str) -> Any:
        value = parsed.get(text)
        if value is None:
            value = parsed[text] = json.loads(text)
        return value

    updates = [_profile_row(org_id, facts[org_id], evidence.get(org_id, []),
                            mentions.get(org_id, 0), loads)
               for org_id in org_ids if org_id in facts]
    conn.executemany(
        "UPDATE organisations SET name=?, type=?, city=?, region=?, country=?,"
        " gazetteer_id=?, themes=?, programmes=?, mentions=?, documents=?,"
        " first_seen=?, last_seen=? WHERE id=?", updates)
    for org_id in org_ids:  # in this order, as row ids of the aliases depend on it
        rows = facts.get(org_id)
        if not rows:
            conn.execute("DELETE FROM organisations WHERE id = ?", (org_id,))
            continue
        aliases = {r[0] for r in rows}
        for r in rows:
            aliases.update(loads(r[6]))
        conn.execute("DELETE FROM aliases WHERE org_id = ?", (org_id,))
        conn.executemany(
            "INSERT OR IGNORE INTO aliases (org_id, alias, key) VALUES (?,?,?)",
            [(org_id, a, k) for a in sorted(aliases) if (k := key(a))],
        )


def _profile_row(org_id: int, facts: list[tuple], evidence: list[tuple[str, str]],
                 mentions: int, loads: Callable[[str], Any] = json.loads) -> tuple:
    """The UPDATE parameters of one profile from its per-document facts and evidence."""
    dates = sorted(r[7] for r in facts if r[7])
    names = [r[0] for r in facts]
    themes = profile_themes((loads(r[0]) for r in evidence), (loads(r[8]) for r in facts))
    programmes = sorted({p for r in evidence for p in loads(r[1])})
    return (
        canonical_name(names, [r[5] for r in facts]),
        _vote(r[1] for r in facts),
        _vote(r[2] for r in facts),
        _vote(r[3] for r in facts),
        _vote(r[4] for r in facts),
        _vote(r[5] for r in facts),
        json.dumps(themes, ensure_ascii=False, sort_keys=True) if themes else "{}",
        json.dumps(programmes) if programmes else "[]",
        mentions,
        len(facts),
        dates[0] if dates else None,
        dates[-1] if dates else None,
        org_id,
    )


def canonical_name(names: list[str], gazetteer_ids: list[str | None]) -> str:
    """A gazetteer-linked name wins; otherwise the most frequent, then the longest.

    Apostrophes and spaces are unified so one organisation is spelt one way.
    """
    linked = [n for n, g in zip(names, gazetteer_ids, strict=True) if g]
    pool = [normalise_typography(n) for n in (linked or names)]
    if len(pool) == 1:
        return pool[0]
    counts = Counter(pool)
    return max(pool, key=lambda n: (counts[n], len(n)))


def _vote(values: Iterable[str | None]) -> str | None:
    """The most frequent value; on a tie, the first seen (as Counter.most_common)."""
    counts: dict[str, int] = {}
    for v in values:
        if v:
            counts[v] = counts.get(v, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None


def profile_themes(sentence_themes: Iterable[Iterable[str]],
                   context: Iterable[Iterable[str]] = ()) -> dict[str, float]:
    """Theme weights: evidence sentences naming each theme, plus a little document context.

    An organisation listed in one sentence of an article about, say, predictive
    maintenance works on it too, but less surely than one named in the same sentence.
    """
    result: dict[str, float] = {}
    for themes in sentence_themes:
        for theme in set(themes):
            result[theme] = result.get(theme, 0.0) + 1.0
    for themes in context:
        for theme in themes:
            result[theme] = round(result.get(theme, 0.0) + CONTEXT_WEIGHT, 4)
    return result
