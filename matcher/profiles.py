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
from collections.abc import Iterable

from .text import key, normalise_typography

CONTEXT_WEIGHT = 0.25  # a theme of the whole document counts a quarter of a sentence


def refresh_profiles(conn: sqlite3.Connection, org_ids: Iterable[int]) -> None:
    """Recompute the profiles of these organisations; drop those no document names."""
    document_themes: dict[int, dict[str, int]] = {}
    for org_id in sorted(set(org_ids)):
        facts = conn.execute(
            "SELECT x.name, x.type, x.city, x.region, x.country, x.gazetteer_id, x.aliases,"
            " d.date FROM document_orgs x JOIN documents d ON d.id = x.document_id"
            " WHERE x.org_id = ?", (org_id,)).fetchall()
        if not facts:
            conn.execute("DELETE FROM organisations WHERE id = ?", (org_id,))
            continue
        sentences = [r[0] for r in conn.execute(
            "SELECT sentence FROM evidence WHERE org_id = ?", (org_id,))]
        context = [_document_themes(conn, r[0], document_themes) for r in conn.execute(
            "SELECT document_id FROM document_orgs WHERE org_id = ?", (org_id,))]
        mentions = conn.execute(
            "SELECT count(*) FROM mentions WHERE org_id = ?", (org_id,)).fetchone()[0]
        dates = sorted(r[7] for r in facts if r[7])
        names = [r[0] for r in facts]
        aliases = set(names)
        for r in facts:
            aliases.update(json.loads(r[6]))
        conn.execute(
            "UPDATE organisations SET name=?, type=?, city=?, region=?, country=?,"
            " gazetteer_id=?, themes=?, programmes=?, mentions=?, documents=?,"
            " first_seen=?, last_seen=? WHERE id=?",
            (
                canonical_name(names, [r[5] for r in facts]),
                _vote(r[1] for r in facts),
                _vote(r[2] for r in facts),
                _vote(r[3] for r in facts),
                _vote(r[4] for r in facts),
                _vote(r[5] for r in facts),
                json.dumps(profile_themes(sentences, context), ensure_ascii=False, sort_keys=True),
                json.dumps(programme_links(sentences)),
                mentions,
                len(facts),
                dates[0] if dates else None,
                dates[-1] if dates else None,
                org_id,
            ),
        )
        conn.execute("DELETE FROM aliases WHERE org_id = ?", (org_id,))
        conn.executemany(
            "INSERT OR IGNORE INTO aliases (org_id, alias, key) VALUES (?,?,?)",
            [(org_id, a, key(a)) for a in sorted(aliases) if key(a)],
        )


def canonical_name(names: list[str], gazetteer_ids: list[str | None]) -> str:
    """A gazetteer-linked name wins; otherwise the most frequent, then the longest.

    Apostrophes and spaces are unified so one organisation is spelt one way.
    """
    linked = [n for n, g in zip(names, gazetteer_ids, strict=True) if g]
    pool = [normalise_typography(n) for n in (linked or names)]
    counts = Counter(pool)
    return max(pool, key=lambda n: (counts[n], len(n)))


def _vote(values: Iterable[str | None]) -> str | None:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else None


def profile_themes(sentences: Iterable[str], context: Iterable[dict[str, int]] = ()
                   ) -> dict[str, float]:
    """Theme weights: evidence sentences naming each theme, plus a little document context.

    An organisation listed in one sentence of an article about, say, predictive
    maintenance works on it too, but less surely than one named in the same sentence.
    """
    from .themes import detect_themes

    weights: Counter[str] = Counter()
    for sentence in sentences:
        weights.update(detect_themes(sentence).keys())
    result = {theme: float(n) for theme, n in weights.items()}
    for themes in context:
        for theme in themes:
            result[theme] = round(result.get(theme, 0.0) + CONTEXT_WEIGHT, 4)
    return result


def _document_themes(conn: sqlite3.Connection, doc_id: int,
                     cache: dict[int, dict[str, int]]) -> dict[str, int]:
    if doc_id not in cache:
        from .themes import detect_themes

        text = conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
        cache[doc_id] = detect_themes(text)
    return cache[doc_id]


def programme_links(sentences: Iterable[str]) -> list[str]:
    """Ids of the programmes named in the organisation's evidence."""
    from .programmes import detect_programmes

    return sorted(detect_programmes(" \n".join(sentences)))
