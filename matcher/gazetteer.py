"""General knowledge from data/gazetteer/*.yaml, and the spaCy component that finds it in text.

Organisations (universities, schools, centres, agencies, clusters, companies, media,
international bodies, programmes), Morocco's twelve regions and main cities, countries with
their adjectives, and the vocabulary that drives the organisation rules. Every gazetteer
organisation has a stable id, so a match links a mention to one canonical organisation.
Names are compared folded (accents, case and apostrophes ignored); one-word names and
acronyms are matched with their exact case, since "EST" or "Bull" are also common words.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rapidfuzz.distance import Indel
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from . import text as _text
from .config import data_dir, load_data
from .errors import DataError
from .records import ORG_TYPES

ORG_FILES = ("organisations.yaml", "international.yaml")
SPANS_KEY = "gazetteer"
# Words ignored when names are compared as sets of content words.
STOP_WORDS = frozenset(
    "de du des d l la le les et & pour a au aux en sur of the and for in al el un une".split()
)
_TOKEN = re.compile(r"[0-9a-z&]+")


_LATIN = dict(zip(
    "àâäáãåçéèêëîïíìôöóòõûüúùÿñÀÂÄÁÃÅÇÉÈÊËÎÏÍÌÔÖÓÒÕÛÜÚÙŸÑ",
    "aaaaaaceeeeiiiiooooouuuuynAAAAAACEEEEIIIIOOOOOUUUUYN", strict=True,
))
_FAST = str.maketrans({
    **_LATIN, "œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "\u00a0": " ", "\u202f": " ",
    "’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "\u2032": "'",
    "–": "-", "—": "-", "‑": "-", "‐": "-", "−": "-",
})


def _fold_fast(text: str) -> str:
    """matcher.text.fold, without Unicode decomposition for the usual Latin letters."""
    plain = text.translate(_FAST)
    if plain.isascii():
        return " ".join(plain.split()).lower()
    return _text.fold(text)


@lru_cache(maxsize=131072)
def _fold_cached(text: str) -> str:
    return _fold_fast(text)


_NON_WORD = re.compile(r"[^0-9a-z&]+")


def _key_fast(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


@lru_cache(maxsize=131072)
def _key_cached(text: str) -> str:
    return _key_fast(text)


def fold(text: str) -> str:
    """matcher.text.fold, cached for names and words (they repeat across documents)."""
    return _fold_cached(text) if len(text) < 160 else _fold_fast(text)


def key(text: str) -> str:
    """matcher.text.key, cached for names and words."""
    return _key_cached(text) if len(text) < 160 else _key_fast(text)


@dataclass(frozen=True)
class GazEntry:
    """One organisation of the gazetteer."""

    id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    city: str | None = None
    region: str | None = None
    country: str | None = None
    context: tuple[str, ...] = ()  # matching keys; the entry needs one of them in the document

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Place:
    """A city or region: canonical name, Moroccan region (if any), country code."""

    name: str
    kind: str  # "city", "region"
    region: str | None
    country: str


@dataclass
class Vocabulary:
    """Words of the organisation rules, all folded."""

    heads: dict[str, str] = field(default_factory=dict)
    suffix_heads: dict[str, str] = field(default_factory=dict)
    portfolio_words: frozenset[str] = frozenset()
    name_words: frozenset[str] = frozenset()
    connectors: frozenset[str] = frozenset()
    particles: frozenset[str] = frozenset()
    class_nouns: dict[str, str | None] = field(default_factory=dict)
    apposition_nouns: dict[str, str] = field(default_factory=dict)
    non_profit_markers: tuple[str, ...] = ()
    non_org_class_nouns: frozenset[str] = frozenset()
    non_organisations: frozenset[str] = frozenset()
    never_first: frozenset[str] = frozenset()
    event_words: frozenset[str] = frozenset()
    # folded head -> the head as written, lowercase with its accents ("centre" -> "centre"):
    # "Centré" (a participle) folds to a head word but is not one
    head_forms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    non_org_heads: frozenset[str] = frozenset()  # "plan", "stratégie", "offre" (as written)
    acronym_heads: dict[str, str] = field(default_factory=dict)  # "KU Leuven", "TU Delft"


def content_tokens(text: str) -> list[str]:
    """Folded words of a name without joining words: the basis of fuzzy comparison."""
    return list(_content_tokens(text)) if len(text) < 160 else [
        t for t in _TOKEN.findall(fold(text)) if t not in STOP_WORDS]


@lru_cache(maxsize=131072)
def _content_tokens(text: str) -> tuple[str, ...]:
    return tuple(t for t in _TOKEN.findall(fold(text)) if t not in STOP_WORDS)


def tokens_similar(a: str, b: str) -> bool:
    """Two words are one up to a typo or transliteration ('tofeil'/'tofail', 'ayad'/'ayyad')."""
    if a == b:
        return True
    if min(len(a), len(b)) < 4 or a[0] != b[0] or a.isdigit() or b.isdigit():
        return False
    return Indel.normalized_similarity(a, b) >= 0.75


def names_similar(a: list[str], b: list[str]) -> bool:
    """Same content words in the same order, with at most one typo per three words."""
    if len(a) != len(b) or not a:
        return False
    mismatches = 0
    for x, y in zip(a, b, strict=True):
        if x != y:
            if not tokens_similar(x, y):
                return False
            mismatches += 1
    return mismatches <= max(1, len(a) // 3) and mismatches < len(a)


class Gazetteer:
    """Lookups over the gazetteer files: organisations, places, countries, vocabulary."""

    def __init__(self) -> None:
        self.entries: dict[str, GazEntry] = {}
        self.by_key: dict[str, list[str]] = defaultdict(list)
        self.by_acronym: dict[str, list[str]] = defaultdict(list)
        self.by_token: dict[str, set[str]] = defaultdict(set)
        self._signature_cache: dict[str, list[list[str]]] = {}
        self._signatures: dict[str, list[tuple[list[str], str]]] = defaultdict(list)
        self.places: dict[str, Place] = {}
        self.place_forms: list[tuple[str, Place]] = []
        self.country_forms: list[tuple[str, str, str]] = []  # (text, "COUNTRY"|"ADJ", code)
        self.countries: dict[str, str] = {}  # folded name -> ISO code
        self.adjectives: dict[str, str] = {}  # folded adjective -> ISO code
        self.country_names: dict[str, str] = {}  # ISO code -> French name
        self.vocab = Vocabulary()
        self._found: dict[tuple[str, bool], GazEntry | None] = {}  # find() results
        # "ENSA", "EST", "ENSAM": acronyms shared by several entries ("ENSA Agadir", "ENSA de
        # Tanger"); alone in a text they name one of them, which only the document can tell
        self.generic_acronyms: dict[str, set[str]] = defaultdict(set)

    # -- loading ------------------------------------------------------------------------

    @classmethod
    def load(cls) -> Gazetteer:
        """Read every gazetteer file; DataError names the file and the entry when malformed."""
        gaz = cls()
        gaz._load_places(_data("places.yaml"))
        gaz._load_countries(_data("countries.yaml"))
        gaz._load_vocabulary(_data("vocabulary.yaml"))
        for name in ORG_FILES:
            gaz._load_orgs(name, _data(name))
        return gaz

    def _load_places(self, raw: dict) -> None:
        for item in raw.get("regions") or []:
            region = _require(item, "name", "places.yaml")
            for n in (region, *(item.get("aliases") or [])):
                self._add_place(n, Place(region, "region", region, "MA"))
        for item in raw.get("cities") or []:
            city = _require(item, "name", "places.yaml")
            place = Place(city, "city", item.get("region"), "MA")
            for n in (city, *(item.get("aliases") or [])):
                self._add_place(n, place)
        for code, names in (raw.get("foreign_cities") or {}).items():
            for n in names:
                self._add_place(n, Place(n, "city", None, str(code)))
        for code, names in (raw.get("foreign_regions") or {}).items():
            for n in names:
                self._add_place(n, Place(n, "foreign_region", None, str(code)))

    def _add_place(self, text: str, place: Place) -> None:
        if key(text) not in self.places:
            self.places[key(text)] = place
            self.place_forms.append((text, place))

    def _load_countries(self, raw: dict) -> None:
        for item in raw.get("countries") or []:
            code = _require(item, "code", "countries.yaml")
            name = _require(item, "name", "countries.yaml")
            self.country_names[code] = name
            for n in (name, *(item.get("aliases") or [])):
                self.countries[key(n)] = code
                self.country_forms.append((n, "COUNTRY", code))
            for adj in item.get("adjectives") or []:
                self.adjectives[key(adj)] = code
                self.country_forms.append((adj, "ADJ", code))

    def _load_vocabulary(self, raw: dict) -> None:
        def folded(name: str) -> list[str]:
            return [fold(str(w)) for w in raw.get(name) or []]

        def mapping(name: str) -> dict:
            return {fold(str(k)): v for k, v in (raw.get(name) or {}).items()}

        written: dict[str, tuple[str, ...]] = {}
        for word in raw.get("heads") or {}:
            written[fold(str(word))] = (*written.get(fold(str(word)), ()), str(word).lower())
        for name in ("heads", "suffix_heads", "apposition_nouns", "acronym_heads"):
            for word, org_type in mapping(name).items():
                if org_type not in ORG_TYPES:
                    raise DataError(
                        f"{data_dir() / 'gazetteer/vocabulary.yaml'}: {name}: type inconnu "
                        f"{org_type!r} pour {word!r} (unknown type); types : {', '.join(ORG_TYPES)}"
                    )
        self.vocab = Vocabulary(
            heads=mapping("heads"),
            suffix_heads=mapping("suffix_heads"),
            portfolio_words=frozenset(folded("portfolio_words")),
            name_words=frozenset(folded("name_words")),
            connectors=frozenset(folded("connectors")),
            particles=frozenset(folded("particles")),
            class_nouns=mapping("class_nouns"),
            apposition_nouns=mapping("apposition_nouns"),
            non_profit_markers=tuple(folded("non_profit_markers")),
            non_org_class_nouns=frozenset(folded("non_org_class_nouns")),
            non_organisations=frozenset(key(w) for w in folded("non_organisations")),
            never_first=frozenset(folded("never_first")),
            event_words=frozenset(folded("event_words")),
            head_forms=written,
            non_org_heads=frozenset(str(w).lower() for w in raw.get("non_org_heads") or []),
            acronym_heads={str(k): v for k, v in (raw.get("acronym_heads") or {}).items()},
        )

    def _load_orgs(self, filename: str, raw: dict) -> None:
        where = f"{data_dir() / 'gazetteer' / filename}"
        if not isinstance(raw, dict):
            raise DataError(f"{where}: une table par type d'organisation est attendue "
                            "(expected a mapping of organisation types)")
        default_country = raw.get("country")
        for org_type, items in raw.items():
            if org_type == "country":
                continue
            if org_type == "school_families":
                for family in items or []:
                    for entry in _expand_family(family, where):
                        place = self.places.get(key(entry.city or ""))
                        if place is not None:
                            entry = replace(entry, region=place.region)
                        self._add(entry, where)
                continue
            if org_type not in ORG_TYPES:
                raise DataError(f"{where}: type d'organisation inconnu {org_type!r} (unknown "
                                f"organisation type); types : {', '.join(ORG_TYPES)}")
            for item in items or []:
                city = item.get("city")
                place = self.places.get(key(city)) if city else None
                entry = GazEntry(
                    id=_require(item, "id", where),
                    name=_require(item, "name", where),
                    type=org_type,
                    aliases=tuple(str(a) for a in item.get("aliases") or ()),
                    acronyms=tuple(str(a) for a in item.get("acronyms") or ()),
                    city=city,
                    region=place.region if place else None,
                    country=item.get("country", place.country if place else default_country),
                    context=tuple(key(str(c)) for c in item.get("context") or ()),
                )
                self._add(entry, where)

    def _add(self, entry: GazEntry, where: str) -> None:
        if entry.id in self.entries:
            raise DataError(f"{where}: identifiant en double {entry.id!r} (duplicate id)")
        self.entries[entry.id] = entry
        for n in entry.names():
            self.by_key[key(n)].append(entry.id)
            tokens = content_tokens(n)
            if tokens:
                self._signatures[tokens[0]].append((tokens, entry.id))
                for t in tokens:
                    self.by_token[t].add(entry.id)
        for acr in entry.acronyms:
            self.by_acronym[acr].append(entry.id)
        for n in entry.aliases:
            first = re.split(r"[ -]", n, maxsplit=1)[0]
            if first != n and first.isupper() and len(first) >= 2:
                self.generic_acronyms[first].add(entry.id)

    # -- lookups ------------------------------------------------------------------------

    def generic_owners(self, acronym: str) -> set[str]:
        """Entries that an acronym shared by several of them ('ENSA', 'EST') may name."""
        owners = self.generic_acronyms.get(acronym.strip())
        return owners if owners and len(owners) > 1 else set()

    def place(self, text: str) -> Place | None:
        return self.places.get(key(text))

    def country(self, text: str) -> str | None:
        """ISO code of a country name or adjective ('Belgique', 'belge' -> 'BE')."""
        k = key(text)
        return self.countries.get(k) or self.adjectives.get(k)

    def find(self, name: str, fuzzy: bool = True) -> GazEntry | None:
        """The entry of a name or acronym: exact key, then typo-tolerant on content words."""
        cache_key = (name, fuzzy)
        if cache_key in self._found:
            return self._found[cache_key]
        if len(self._found) > 100_000:
            self._found.clear()
        found = self._find(name, fuzzy)
        self._found[cache_key] = found
        return found

    def _find(self, name: str, fuzzy: bool) -> GazEntry | None:
        ids = self.by_acronym.get(name.strip()) or self.by_key.get(key(name))
        if ids:
            return self.entries[ids[0]]
        if not fuzzy:
            return None
        tokens = content_tokens(name)
        if len(tokens) < 2:
            return None
        candidates: set[str] = set()
        for t in tokens:
            candidates |= self.by_token.get(t, set())
        for entry_id in sorted(candidates):
            if any(len(sig) == len(tokens) and names_similar(tokens, sig)
                   for sig in self._name_tokens(entry_id)):
                return self.entries[entry_id]
        return None

    def _name_tokens(self, entry_id: str) -> list[list[str]]:
        """Content words of each name of an entry, computed once (fuzzy lookups reuse them)."""
        signatures = self._signature_cache.get(entry_id)
        if signatures is None:
            signatures = [content_tokens(n) for n in self.entries[entry_id].names()]
            self._signature_cache[entry_id] = signatures
        return signatures

    def org_patterns(self) -> Iterator[tuple[str, str, bool]]:
        """(id, text, exact_case) for every name form of every organisation."""
        for entry in self.entries.values():
            for n in entry.names():
                yield entry.id, n, len(n.split()) == 1
            for acr in entry.acronyms:
                yield entry.id, acr, True
                if acr.upper() != acr:
                    yield entry.id, acr.upper(), True


def _require(item: dict, field_name: str, where: str) -> str:
    if not isinstance(item, dict) or not item.get(field_name):
        raise DataError(f"{where}: champ {field_name!r} manquant (missing field) dans {item!r}")
    return str(item[field_name])


def _data(name: str) -> dict:
    raw = load_data(f"gazetteer/{name}")
    if not isinstance(raw, dict):
        raise DataError(f"{data_dir() / 'gazetteer' / name}: une table YAML est attendue "
                        "(expected a mapping)")
    return raw


def de_city(city: str) -> str:
    """'de Fès', "d'Agadir": French elision before a vowel."""
    return f"d'{city}" if fold(city)[:1] in "aeiouy" else f"de {city}"


def _expand_family(family: dict, where: str) -> Iterator[GazEntry]:
    fid = _require(family, "id", where)
    pattern = _require(family, "name", where)
    acronym = family.get("acronym")
    org_type = family.get("type", "school")
    for city in family.get("cities") or []:
        fill = {"de_city": de_city(city), "city": city}
        aliases = [a.format(**fill) for a in family.get("alias_names") or []]
        if acronym:
            aliases += [f"{acronym} {city}", f"{acronym} {de_city(city)}", f"{acronym}-{city}"]
        yield GazEntry(
            id=f"ma-{fid}-{key(city).replace(' ', '-')}",
            name=pattern.format(**fill),
            type=org_type,
            aliases=tuple(aliases),
            city=city,
            country="MA",
        )


@lru_cache(maxsize=4)
def _cached(directory: str, stamp: tuple[float, ...]) -> Gazetteer:
    return Gazetteer.load()


def load_gazetteer() -> Gazetteer:
    """The gazetteer of the current data folder; cached until one of its files changes."""
    folder = data_dir() / "gazetteer"
    if not folder.is_dir():
        raise DataError(f"{folder}: dossier du gazetteer introuvable (gazetteer folder not "
                        "found): set MATCHER_DATA_DIR?")
    stamp = tuple(p.stat().st_mtime for p in sorted(folder.glob("*.yaml")))
    return _cached(str(folder), stamp)


# --- spaCy components --------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _fold_word(text: str) -> str:
    return fold(text)


def doc_text(doc: Doc) -> str:
    """doc.text, computed once per Doc (spaCy joins every token on each access)."""
    text = doc.user_data.get("matcher_text")
    if text is None:
        text = doc.user_data["matcher_text"] = doc.text
    return text


@Language.component("matcher_fold")
def fold_norms(doc: Doc) -> Doc:
    """Set each token's NORM to its folded form, so phrase patterns ignore accents and case."""
    for token in doc:
        token.norm_ = _fold_word(token.text)
    return doc


class GazetteerRuler:
    """Marks gazetteer organisations, places and countries in doc.spans['gazetteer'].

    Labels: ORG (span.id_ = the entry's stable id), CITY, REGION, COUNTRY (id_ = ISO code).
    Entries with a `context` are kept only when the document names one of its words.
    """

    def __init__(self, nlp: Language, name: str = "matcher_gazetteer") -> None:
        self.name = name
        self.gazetteer = load_gazetteer()
        self.folded = PhraseMatcher(nlp.vocab, attr="NORM")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.labels: dict[int, tuple[str, str]] = {}
        tokenizer = nlp.tokenizer
        folded: dict[str, list[Doc]] = defaultdict(list)
        exact: dict[str, list[Doc]] = defaultdict(list)
        for entry_id, text, exact_case in self.gazetteer.org_patterns():
            (exact if exact_case else folded)[f"ORG|{entry_id}"].append(tokenizer(text))
        for text, place in self.gazetteer.place_forms:
            folded[f"{place.kind.upper()}|{place.name}"].append(tokenizer(text))
        for text, label, code in self.gazetteer.country_forms:
            folded[f"{label}|{code}"].append(tokenizer(text))
        for matcher, patterns, fold_them in (
            (self.folded, folded, True),
            (self.exact, exact, False),
        ):
            for label, docs in patterns.items():
                if fold_them:
                    for d in docs:
                        for token in d:
                            token.norm_ = _fold_word(token.text)
                match_id = nlp.vocab.strings.add(label)
                self.labels[match_id] = tuple(label.split("|", 1))  # type: ignore[assignment]
                matcher.add(label, docs)

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        words: str | None = None
        for matcher in (self.folded, self.exact):
            for match_id, start, end in matcher(doc):
                label, ident = self.labels[match_id]
                if label == "ORG":
                    entry = self.gazetteer.entries[ident]
                    if entry.context:
                        words = words or f" {key(doc_text(doc))} "
                        if not any(f" {c} " in words for c in entry.context):
                            continue
                    if end - start == 1 and _glued(doc, start):
                        continue  # "LAAS-CNRS": part of a compound name, not the CNRS
                spans.append(Span(doc, start, end, label=label, span_id=ident))
        spans = _longest_orgs(spans)
        doc.spans[SPANS_KEY] = sorted(spans, key=lambda s: (s.start, -s.end))
        return doc


def _longest_orgs(spans: list[Span]) -> list[Span]:
    """Of overlapping organisation matches keep the longest: "Orange Maroc", not "Orange"."""
    kept: list[Span] = []
    for span in sorted((s for s in spans if s.label_ == "ORG"), key=lambda s: s.start - s.end):
        if all((k.start, k.end) == (span.start, span.end) or span.end <= k.start or
               k.end <= span.start for k in kept):
            kept.append(span)
    return kept + [s for s in spans if s.label_ != "ORG"]


def _glued(doc: Doc, i: int) -> bool:
    """Token i is joined by a hyphen, without spaces, to a capitalised word ('LAAS-CNRS')."""
    before = i >= 2 and doc[i - 1].text == "-" and not doc[i - 2].whitespace_ and \
        not doc[i - 1].whitespace_ and doc[i - 2].text[:1].isupper()
    after = i + 2 < len(doc) and doc[i + 1].text == "-" and not doc[i].whitespace_ and \
        not doc[i + 1].whitespace_ and doc[i + 2].text[:1].isupper()
    return before or after


@Language.factory("matcher_gazetteer")
def make_gazetteer_ruler(nlp: Language, name: str) -> GazetteerRuler:
    return GazetteerRuler(nlp, name)


def iter_gazetteer_spans(doc: Doc, label: str) -> Iterable[Span]:
    group = doc.spans.get(SPANS_KEY) if doc.spans is not None else None
    return [s for s in (group or []) if s.label_ == label]
