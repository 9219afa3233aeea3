"""The records that flow between pipeline stages.

Small dataclasses, so that each stage can be tested alone and every renderer
(CLI table, JSON, CSV, reports, web templates) works from the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ORG_TYPES = (
    "university",
    "school",
    "research_centre",
    "cluster",
    "company",
    "public_agency",
    "ministry",
    "association",
    "international_org",
    "funding_programme",
    "media",
)


# --- documents -> extraction -------------------------------------------------


@dataclass(frozen=True)
class Document:
    """One ingested file, cleaned: `text` is the article without site junk."""

    path: str
    text: str
    sha256: str
    title: str | None = None
    date: str | None = None  # ISO: YYYY-MM-DD, YYYY-MM or YYYY
    source_url: str | None = None
    language: str = "fr"  # fr, en, or another ISO 639-1 code / "unknown"
    publisher: str | None = None  # the newspaper or agency, when the text names it


@dataclass(frozen=True)
class Mention:
    """One place in a document's text that names an organisation."""

    surface: str
    start: int
    end: int
    sentence: str


@dataclass
class ExtractedOrg:
    """An organisation as one document names it, after in-document resolution."""

    name: str
    type: str
    aliases: set[str] = field(default_factory=set)
    city: str | None = None
    region: str | None = None
    country: str | None = None  # ISO 3166 alpha-2
    mentions: list[Mention] = field(default_factory=list)
    gazetteer_id: str | None = None


@dataclass(frozen=True)
class Edge:
    """Two organisations named in one sentence: a (possible) partnership."""

    a: str
    b: str
    sentence: str


@dataclass
class Extraction:
    """What extraction found in one document."""

    orgs: list[ExtractedOrg] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


# --- registry -> ranking -----------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """A sentence that supports a fact, with where and when it was read."""

    document: str
    date: str | None
    text: str
    document_id: int | None = None


@dataclass(frozen=True)
class Partner:
    """An organisation co-mentioned with another, and the sentence linking them."""

    id: int
    name: str
    type: str
    sentence: str
    document: str


@dataclass(frozen=True)
class OrgProfile:
    """Everything the registry knows of one organisation."""

    id: int
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    city: str | None = None
    region: str | None = None
    country: str | None = None
    themes: dict[str, float] = field(default_factory=dict)  # theme id -> weight
    programmes: tuple[str, ...] = ()
    mentions: int = 0
    documents: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    evidence: tuple[Evidence, ...] = ()
    partners: tuple[Partner, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """One ranked suggestion; `components` add up to `score`."""

    rank: int
    id: int
    name: str
    type: str
    city: str | None
    region: str | None
    country: str | None
    score: float
    components: dict[str, float]
    matched_themes: tuple[str, ...] = ()
    matched_terms: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    existing_partner: bool = False
    role: str | None = None


@dataclass(frozen=True)
class Shortlist:
    """A ranked list with what produced it, so it can be reproduced."""

    candidates: tuple[Candidate, ...]
    programme: str | None = None
    query: str | None = None
    organisation: str | None = None
    filters: dict[str, object] = field(default_factory=dict)
    params: dict[str, object] = field(default_factory=dict)
    registry_hash: str = ""
    registry_size: int = 0
    created: str = ""


@dataclass(frozen=True)
class RuleCheck:
    """One composition rule of a programme, checked against a consortium."""

    rule: str
    satisfied: bool
    detail: str
    assumption: str = ""
    rule_id: str = ""  # the rule's id in data/programmes.yaml (`rule` is its French label)
    advisory: bool = False  # an indication (e.g. funding), not an eligibility condition


@dataclass(frozen=True)
class Consortium:
    """Members chosen for a programme, the rules they meet and what is missing."""

    programme: str
    members: tuple[Candidate, ...]
    rules: tuple[RuleCheck, ...]
    themes_covered: tuple[str, ...] = ()
    themes_missing: tuple[str, ...] = ()
    params: dict[str, object] = field(default_factory=dict)
    registry_hash: str = ""
    registry_size: int = 0
    created: str = ""
