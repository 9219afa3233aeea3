"""The registry: organisations, their aliases, evidence and links, in one SQLite file.

Facts are kept per document (`document_orgs`, `mentions`, `evidence`, `edges`) and a
profile is recomputed from them, so replacing or removing a document replaces its
facts and nothing else. Each document is written in one transaction (WAL mode):
readers never see a half-written document, a crash loses at most the one in flight.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import NotFoundError, RegistryError
from .profiles import Features, refresh_profiles
from .records import Document, Evidence, ExtractedOrg, Extraction, OrgProfile, Partner
from .text import key

SCHEMA_VERSION = "2"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    title TEXT, date TEXT, source_url TEXT, publisher TEXT, language TEXT,
    text TEXT NOT NULL,
    themes TEXT NOT NULL DEFAULT '{}',
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    city TEXT, region TEXT, country TEXT,
    themes TEXT NOT NULL DEFAULT '{}',
    programmes TEXT NOT NULL DEFAULT '[]',
    mentions INTEGER NOT NULL DEFAULT 0,
    documents INTEGER NOT NULL DEFAULT 0,
    first_seen TEXT, last_seen TEXT,
    gazetteer_id TEXT
);
CREATE TABLE IF NOT EXISTS aliases (
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (org_id, key)
);
CREATE INDEX IF NOT EXISTS aliases_by_key ON aliases(key);
CREATE TABLE IF NOT EXISTS document_orgs (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL, type TEXT NOT NULL,
    city TEXT, region TEXT, country TEXT, gazetteer_id TEXT,
    aliases TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (document_id, org_id)
);
CREATE INDEX IF NOT EXISTS document_orgs_by_org ON document_orgs(org_id);
CREATE TABLE IF NOT EXISTS mentions (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    surface TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS mentions_by_org ON mentions(org_id);
CREATE INDEX IF NOT EXISTS mentions_by_document ON mentions(document_id);
CREATE TABLE IF NOT EXISTS evidence (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    sentence TEXT NOT NULL,
    themes TEXT NOT NULL DEFAULT '[]',
    programmes TEXT NOT NULL DEFAULT '[]',
    UNIQUE (org_id, document_id, sentence)
);
CREATE INDEX IF NOT EXISTS evidence_by_document ON evidence(document_id);
CREATE TABLE IF NOT EXISTS edges (
    org_a INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    org_b INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    sentence TEXT NOT NULL,
    PRIMARY KEY (org_a, org_b, document_id, sentence),
    CHECK (org_a < org_b)
);
CREATE INDEX IF NOT EXISTS edges_by_b ON edges(org_b);
CREATE INDEX IF NOT EXISTS edges_by_document ON edges(document_id);
"""

TYPO_RATIO = 0.9  # a name this close to exactly one alias is taken as a typo of it

TABLES_IN_DELETE_ORDER = (
    "edges", "evidence", "mentions", "document_orgs", "aliases", "organisations", "documents"
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Registry:
    """A registry file; use as a context manager or call `close()`."""

    def __init__(self, path: str | Path, *, create: bool = False) -> None:
        self.path = Path(path)
        if not self.path.exists() and not create:
            raise RegistryError(
                f"{self.path}: no registry here; build one first with `match build`"
            )
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self._check_or_create_schema(create)
        except sqlite3.DatabaseError as exc:
            raise RegistryError(f"{self.path}: not a matcher registry ({exc})") from exc
        self.conn.row_factory = sqlite3.Row
        self._alias_index = None
        self._indexes = None

    def _check_or_create_schema(self, create: bool) -> None:
        has_meta = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
        ).fetchone()
        if not has_meta:
            if not create:
                raise RegistryError(f"{self.path}: not a matcher registry (no meta table)")
            with self.conn:
                self.conn.executescript(SCHEMA)
                self.conn.execute(
                    "INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
                )
        version = self.conn.execute(
            "SELECT value FROM meta WHERE key='schema_version'"
        ).fetchone()
        if not version or version[0] != SCHEMA_VERSION:
            raise RegistryError(
                f"{self.path}: registry schema {version[0] if version else '?'} is not "
                f"{SCHEMA_VERSION}; rebuild it with `match build --rebuild`"
            )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing -------------------------------------------------------------

    def clear(self) -> None:
        """Remove every document and organisation (`match build --rebuild`)."""
        with self.conn:
            for table in TABLES_IN_DELETE_ORDER:
                self.conn.execute(f"DELETE FROM {table}")
        self._alias_index = None

    def has_document(self, path: str, sha256: str) -> bool:
        """True when this file, with this content, is already in the registry."""
        row = self.conn.execute("SELECT sha256 FROM documents WHERE path = ?", (path,)).fetchone()
        return bool(row) and row[0] == sha256

    def replace_document(self, doc: Document, extraction: Extraction) -> tuple[int, int]:
        """Store a document's facts in place of any older version; (new, updated) org counts."""
        index = self._aliases()
        try:
            with self.conn:
                return self._replace_document(doc, extraction, index)
        except BaseException:
            self._alias_index = None  # it may hold names of the rolled-back organisations
            raise

    def _replace_document(self, doc: Document, extraction: Extraction, index: Any
                          ) -> tuple[int, int]:
        touched = set(self._delete_document(doc.path))
        features = Features(*self._keyword_indexes())
        cur = self.conn.execute(
            "INSERT INTO documents (path, sha256, title, date, source_url, publisher,"
            " language, text, themes, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (doc.path, doc.sha256, doc.title, doc.date, doc.source_url,
             doc.publisher, doc.language, doc.text, features.document(doc.text), _now()),
        )
        doc_id = int(cur.lastrowid or 0)
        ids_by_name: dict[str, int] = {}
        new = 0
        for org in extraction.orgs:
            org_id = index.match(org)
            if org_id is None or org_id in ids_by_name.values():
                org_id = self._create_org(org)
                new += 1
            self._add_document_facts(doc_id, org_id, org, features)
            index.add(org_id, [org.name, *org.aliases], org.type)
            for name in (org.name, *org.aliases):
                ids_by_name.setdefault(key(name), org_id)
            touched.add(org_id)
        self._add_edges(doc_id, extraction, ids_by_name)
        refresh_profiles(self.conn, touched)
        return new, len(touched) - new

    def remove_document(self, path: str) -> None:
        """Forget a document and every fact that came from it."""
        with self.conn:
            touched = self._delete_document(path)
            refresh_profiles(self.conn, touched)

    def _delete_document(self, path: str) -> list[int]:
        row = self.conn.execute("SELECT id FROM documents WHERE path = ?", (path,)).fetchone()
        if not row:
            return []
        orgs = [r[0] for r in self.conn.execute(
            "SELECT org_id FROM document_orgs WHERE document_id = ?", (row[0],))]
        self.conn.execute("DELETE FROM documents WHERE id = ?", (row[0],))
        self._alias_index = None
        return orgs

    def _create_org(self, org: ExtractedOrg) -> int:
        cur = self.conn.execute(
            "INSERT INTO organisations (name, type, city, region, country, gazetteer_id)"
            " VALUES (?,?,?,?,?,?)",
            (org.name, org.type, org.city, org.region, org.country, org.gazetteer_id),
        )
        return int(cur.lastrowid or 0)

    def _add_document_facts(self, doc_id: int, org_id: int, org: ExtractedOrg,
                            features: Features) -> None:
        aliases = sorted({a for a in org.aliases if a and a != org.name})
        self.conn.execute(
            "INSERT OR IGNORE INTO document_orgs (document_id, org_id, name, type, city, region,"
            " country, gazetteer_id, aliases) VALUES (?,?,?,?,?,?,?,?,?)",
            (doc_id, org_id, org.name, org.type, org.city, org.region, org.country,
             org.gazetteer_id, json.dumps(aliases, ensure_ascii=False) if aliases else "[]"),
        )
        self.conn.executemany(
            "INSERT INTO mentions (document_id, org_id, surface, start, end) VALUES (?,?,?,?,?)",
            [(doc_id, org_id, m.surface, m.start, m.end) for m in org.mentions],
        )
        sentences = dict.fromkeys(m.sentence.strip() for m in org.mentions)
        self.conn.executemany(
            "INSERT OR IGNORE INTO evidence (org_id, document_id, sentence, themes, programmes)"
            " VALUES (?,?,?,?,?)",
            [(org_id, doc_id, s, *features.sentence(s)) for s in sentences if s],
        )

    def _add_edges(self, doc_id: int, extraction: Extraction, ids: dict[str, int]) -> None:
        rows = set()
        for edge in extraction.edges:
            a, b = ids.get(key(edge.a)), ids.get(key(edge.b))
            if a is None or b is None or a == b:
                continue
            rows.add((min(a, b), max(a, b), doc_id, edge.sentence.strip()))
        self.conn.executemany("INSERT OR IGNORE INTO edges VALUES (?,?,?,?)", sorted(rows))

    def _keyword_indexes(self):  # -> (themes, programmes) KeywordMatcher, once per registry
        if self._indexes is None:
            from .programmes import programme_matcher
            from .themes import theme_matcher

            self._indexes = (theme_matcher(), programme_matcher())
        return self._indexes

    def _aliases(self):  # -> resolution.AliasIndex, built once from the aliases table
        if self._alias_index is None:
            from .resolution import AliasIndex

            index = AliasIndex()
            names: dict[int, list[str]] = {}
            types: dict[int, str] = {}
            for org_id, alias, org_type in self.conn.execute(
                "SELECT a.org_id, a.alias, o.type FROM aliases a"
                " JOIN organisations o ON o.id = a.org_id"
            ):
                names.setdefault(org_id, []).append(alias)
                types[org_id] = org_type
            for org_id, org_names in names.items():
                index.add(org_id, org_names, types[org_id])
            self._alias_index = index
        return self._alias_index

    # --- reading -------------------------------------------------------------

    def size(self) -> int:
        """Number of organisations."""
        return int(self.conn.execute("SELECT count(*) FROM organisations").fetchone()[0])

    def content_hash(self) -> str:
        """A digest of the registry's content: documents and organisation profiles."""
        digest = hashlib.sha256()
        for row in self.conn.execute("SELECT path, sha256 FROM documents ORDER BY path"):
            digest.update(f"{row[0]}\0{row[1]}\n".encode())
        for row in self.conn.execute(
            "SELECT id, name, type, city, region, country, themes FROM organisations ORDER BY id"
        ):
            digest.update("\0".join(str(v) for v in row).encode() + b"\n")
        return digest.hexdigest()[:16]

    def organisations(self, type: str | None = None, with_evidence: bool = False
                      ) -> list[OrgProfile]:
        """Every profile (of one type), sorted by name; evidence only when asked."""
        sql = "SELECT * FROM organisations"
        args: tuple = ()
        if type:
            sql += " WHERE type = ?"
            args = (type,)
        rows = self.conn.execute(sql + " ORDER BY name COLLATE NOCASE, id", args).fetchall()
        aliases = self._aliases_by_org()
        evidence = self._all_evidence() if with_evidence else {}
        return [self._profile(r, aliases.get(r["id"], ()), evidence.get(r["id"], ()))
                for r in rows]

    def organisation(self, org_id: int) -> OrgProfile:
        """One full profile, with all its evidence and partners."""
        row = self.conn.execute("SELECT * FROM organisations WHERE id = ?", (org_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"No organisation with id {org_id} in {self.path}.")
        aliases = tuple(r[0] for r in self.conn.execute(
            "SELECT alias FROM aliases WHERE org_id = ? ORDER BY alias", (org_id,))
            if r[0] != row["name"])
        evidence = self.evidence([org_id], limit=None)[org_id]
        return self._profile(row, aliases, evidence, self.partners(org_id))

    def find(self, name: str) -> OrgProfile:
        """The organisation called `name` (any alias, accents and case ignored, or close)."""
        wanted = key(name)
        if not wanted:
            raise NotFoundError("An organisation name is needed.")
        rows = self.conn.execute(
            "SELECT a.org_id, o.mentions FROM aliases a JOIN organisations o ON o.id = a.org_id"
            " WHERE a.key = ? ORDER BY o.mentions DESC", (wanted,)).fetchall()
        if rows:
            return self.organisation(rows[0][0])
        all_keys = {r[0]: (r[1], r[2]) for r in self.conn.execute(
            "SELECT a.key, a.org_id, o.name FROM aliases a JOIN organisations o ON o.id=a.org_id")}
        contained = [v for k, v in all_keys.items() if len(wanted) >= 4 and wanted in k]
        if len({org_id for org_id, _ in contained}) == 1:
            return self.organisation(contained[0][0])
        close = difflib.get_close_matches(wanted, list(all_keys), n=8, cutoff=0.6)
        typos = {all_keys[k][0] for k in close
                 if difflib.SequenceMatcher(None, wanted, k).ratio() >= TYPO_RATIO}
        if len(typos) == 1:
            return self.organisation(typos.pop())
        suggestions = list(dict.fromkeys(
            [all_keys[k][1] for k in close] + [n for _, n in contained]))[:5]
        raise NotFoundError(f"No organisation matches {name!r}.", tuple(suggestions))

    def evidence(self, org_ids: Sequence[int], limit: int | None = 3
                 ) -> dict[int, tuple[Evidence, ...]]:
        """Evidence sentences per organisation, newest documents first."""
        result: dict[int, list[Evidence]] = {i: [] for i in org_ids}
        if not org_ids:
            return {}
        marks = ",".join("?" * len(org_ids))
        for row in self.conn.execute(
            "SELECT e.org_id, e.sentence, d.path, d.date, d.id FROM evidence e"
            " JOIN documents d ON d.id = e.document_id"
            f" WHERE e.org_id IN ({marks})"
            " ORDER BY e.org_id, coalesce(d.date, '') DESC, d.id DESC, length(e.sentence) DESC",
            tuple(org_ids),
        ):
            items = result[row[0]]
            if limit is None or len(items) < limit:
                items.append(Evidence(document=row[2], date=row[3], text=row[1],
                                      document_id=row[4]))
        return {k: tuple(v) for k, v in result.items()}

    def partners(self, org_id: int) -> tuple[Partner, ...]:
        """Organisations named in one sentence with this one, each with that sentence."""
        rows = self.conn.execute(
            "SELECT o.id, o.name, o.type, e.sentence, d.path FROM edges e"
            " JOIN organisations o ON o.id = CASE WHEN e.org_a = ? THEN e.org_b ELSE e.org_a END"
            " JOIN documents d ON d.id = e.document_id"
            " WHERE e.org_a = ? OR e.org_b = ? ORDER BY o.name COLLATE NOCASE, d.date DESC",
            (org_id, org_id, org_id),
        ).fetchall()
        seen: dict[int, Partner] = {}
        for r in rows:
            seen.setdefault(r[0], Partner(id=r[0], name=r[1], type=r[2], sentence=r[3],
                                          document=r[4]))
        return tuple(seen.values())

    def partner_ids(self, org_id: int) -> set[int]:
        """Ids of the organisations co-mentioned with this one."""
        return {p.id for p in self.partners(org_id)}

    def documents(self) -> list[dict]:
        """Ingested documents with their metadata and organisation count."""
        rows = self.conn.execute(
            "SELECT d.id, d.path, d.title, d.date, d.source_url, d.publisher, d.language,"
            " d.sha256, d.ingested_at, length(d.text) AS n_chars,"
            " (SELECT count(*) FROM document_orgs x WHERE x.document_id = d.id) AS n_orgs"
            " FROM documents d ORDER BY d.path"
        )
        return [dict(r) for r in rows]

    def document(self, doc_id: int) -> dict:
        """One document with its text and the organisations extracted from it."""
        row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"No document with id {doc_id} in {self.path}.")
        doc = dict(row)
        doc["organisations"] = [dict(r) for r in self.conn.execute(
            "SELECT x.org_id AS id, o.name, x.name AS surface_name, x.type, x.city, x.region,"
            " x.country FROM document_orgs x JOIN organisations o ON o.id = x.org_id"
            " WHERE x.document_id = ? ORDER BY o.name COLLATE NOCASE", (doc_id,))]
        return doc

    def document_organisations(self) -> dict[str, list[tuple[str, tuple[str, ...], str]]]:
        """Per document path: (name, aliases, type) of what was extracted (for evaluation)."""
        result: dict[str, list[tuple[str, tuple[str, ...], str]]] = {}
        for r in self.conn.execute(
            "SELECT d.path, o.name, x.name, x.aliases, x.type FROM document_orgs x"
            " JOIN documents d ON d.id = x.document_id JOIN organisations o ON o.id = x.org_id"
        ):
            names = tuple(dict.fromkeys([r[2], *json.loads(r[3])]))
            result.setdefault(r[0], []).append((r[1], names, r[4]))
        return result

    def _aliases_by_org(self) -> dict[int, tuple[str, ...]]:
        names = dict(self.conn.execute("SELECT id, name FROM organisations"))
        result: dict[int, list[str]] = {}
        for org_id, alias in self.conn.execute("SELECT org_id, alias FROM aliases ORDER BY alias"):
            if alias != names.get(org_id):
                result.setdefault(org_id, []).append(alias)
        return {k: tuple(v) for k, v in result.items()}

    def _all_evidence(self) -> dict[int, tuple[Evidence, ...]]:
        result: dict[int, list[Evidence]] = {}
        for row in self.conn.execute(
            "SELECT e.org_id, e.sentence, d.path, d.date, d.id FROM evidence e"
            " JOIN documents d ON d.id = e.document_id ORDER BY e.org_id, e.id"
        ):
            result.setdefault(row[0], []).append(
                Evidence(document=row[2], date=row[3], text=row[1], document_id=row[4]))
        return {k: tuple(v) for k, v in result.items()}

    @staticmethod
    def _profile(row: sqlite3.Row, aliases: Iterable[str], evidence: Iterable[Evidence],
                 partners: Iterable[Partner] = ()) -> OrgProfile:
        return OrgProfile(
            id=row["id"], name=row["name"], type=row["type"], aliases=tuple(aliases),
            city=row["city"], region=row["region"], country=row["country"],
            themes=json.loads(row["themes"]), programmes=tuple(json.loads(row["programmes"])),
            mentions=row["mentions"], documents=row["documents"],
            first_seen=row["first_seen"], last_seen=row["last_seen"],
            evidence=tuple(evidence), partners=tuple(partners),
        )


def most_common(values: Iterable[str | None]) -> str | None:
    """The most frequent non-empty value; ties go to the first seen."""
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else None
