"""One organisation, many names: acronyms, spelling variants and short forms.

Inside a document, `resolve` groups the mentions extraction found ("Maroc Numeric Cluster
(MNC)" and "MNC"; "Ibn Tofeïl de Kenitra" and "Ibn Tofaïl de Kénitra"; "Images & Réseaux"
and "le pôle de compétitivité Images & Réseaux"). Across documents, `AliasIndex` links a
document's organisation to one the registry already knows. Acronyms defined in the text
are found by a small spaCy component, after scispacy's abbreviation detector
(Schwartz & Hearst 2003).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Span

from .gazetteer import content_tokens, fold, key, names_similar
from .records import ExtractedOrg

if not Doc.has_extension("abbreviations"):
    Doc.set_extension("abbreviations", default=None)

_ACRONYM_CHARS = re.compile(r"^[A-Za-z][A-Za-z0-9&.\-]{1,11}$")
_VERSION = re.compile(r"\.\d")
# Words that only qualify an organisation, dropped before comparing two names of one.
_QUALIFIERS = frozenset("delegue deleguee charge chargee aupres chef gouvernement".split())
_COUNTRY_SUFFIXES = frozenset("maroc morocco".split())


def is_acronym(text: str) -> bool:
    """'CNRST', 'MAScIR', 'I&R', 'H2020': short, no space, two capitals (or capital + digits)."""
    text = text.strip()
    if not _ACRONYM_CHARS.match(text) or text.endswith((".", "-")) or _VERSION.search(text):
        return False
    upper = sum(c.isupper() for c in text)
    return upper >= 2 or (upper == 1 and any(c.isdigit() for c in text)
                          and not any(c.islower() for c in text))


def short_form(text: str) -> str | None:
    """The short name in parentheses after a long one: 'MNC', 'I & R' -> 'I&R', 'LAAS-CNRS',
    'ENSA Agadir', 'Fraunhofer ISE' (an acronym with a capitalised word), else None."""
    words = text.split()
    if not words:
        return None
    joined = "".join(words)
    if len(words) == 1 or all(len(w) <= 2 or w in {"&", "-", "+"} for w in words):
        return joined if is_acronym(joined) else None
    if len(words) <= 3 and all(w[:1].isupper() or w[:1].isdigit() for w in words) and any(
            is_acronym(w) for w in words):
        return " ".join(words)
    return None


# --- acronyms defined in the text -----------------------------------------------------------


def long_form_start(short: str, words: list[str]) -> int | None:
    """Schwartz-Hearst: index of the word where a long form of `short` starts, or None.

    Each letter of the short form must appear in order in the long form, the first one at
    the start of a word; the long form is the shortest such tail of `words`.
    """
    letters = [c.lower() for c in fold(short) if c.isalnum()]
    if not letters or not words:
        return None
    text = " ".join(fold(w) for w in words)
    s_index, l_index = len(letters) - 1, len(text) - 1
    while s_index >= 0:
        c = letters[s_index]
        while l_index >= 0 and (
            text[l_index] != c
            or (s_index == 0 and l_index > 0 and text[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    start_char = text.rfind(" ", 0, l_index + 1) + 1
    return text[:start_char].count(" ")


@dataclass(frozen=True)
class Abbreviation:
    """A short form and its long form in one document (token offsets)."""

    short: str
    long: str
    long_start: int
    long_end: int
    short_start: int
    short_end: int


class AbbreviationDetector:
    """Finds 'Long Form (SF)' and 'SF (Long Form)' pairs; sets doc._.abbreviations."""

    max_long_words = 12

    def __init__(self, nlp: Language, name: str = "matcher_abbreviations") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        found: list[Abbreviation] = []
        for open_tok in doc:
            if open_tok.text != "(":
                continue
            close = next(
                (t.i for t in doc[open_tok.i + 1 : open_tok.i + 6] if t.text == ")"), None
            )
            if close is None or close == open_tok.i + 1:
                continue
            inside = doc[open_tok.i + 1 : close]
            short = short_form(inside.text)
            if short and " " not in short and len(inside) <= 3:
                pair = self._before(doc, inside)
            else:
                pair = self._after(doc, inside)
            if pair is not None:
                found.append(pair)
        doc._.abbreviations = found
        return doc

    def _before(self, doc: Doc, short: Span) -> Abbreviation | None:
        """'Maroc Numeric Cluster (MNC)': the long form ends just before the parenthesis."""
        end = short.start - 1
        sent_start = doc[end - 1].sent.start if end > 0 and doc.has_annotation("SENT_START") else 0
        start = max(sent_start, end - self.max_long_words)
        words = [t.text for t in doc[start:end]]
        for i, w in enumerate(words):  # a long form never crosses punctuation other than '-&'
            if w in {",", ";", ":", ".", "(", ")", "«", "»", '"', "“", "”"}:
                start, words = start + i + 1, words[i + 1 :]
        offset = long_form_start(short.text, words)
        if offset is None:
            return None
        long = doc[start + offset : end]
        return Abbreviation(
            short.text.replace(" ", ""), long.text, long.start, long.end, short.start, short.end
        )

    def _after(self, doc: Doc, inside: Span) -> Abbreviation | None:
        """'LTE (Long term evolution)': the short form is the word before the parenthesis."""
        if inside.start < 2:
            return None
        short = doc[inside.start - 2]
        if not is_acronym(short.text) or len(inside) < 2:
            return None
        if long_form_start(short.text, [t.text for t in inside]) != 0:
            return None
        return Abbreviation(short.text, inside.text, inside.start, inside.end, short.i, short.i + 1)


@Language.factory("matcher_abbreviations")
def make_abbreviation_detector(nlp: Language, name: str) -> AbbreviationDetector:
    return AbbreviationDetector(nlp, name)


# --- in-document resolution -------------------------------------------------------------


@dataclass
class Candidate:
    """One mention of a (possible) organisation, with what the rules know of it."""

    surface: str
    start: int  # character offsets in the document
    end: int
    sentence: str
    name: str  # the name form (quotes and parenthesised acronyms removed)
    source: str  # "gazetteer", "head", "suffix", "enumeration", "apposition", "ner", "acronym"
    types: Counter[str] = field(default_factory=Counter)  # type -> vote weight
    gazetteer_id: str | None = None
    aliases: set[str] = field(default_factory=set)
    city: str | None = None
    region: str | None = None
    country: str | None = None
    strong: bool = True  # found by a rule or the gazetteer, not by NER alone


def comparison_tokens(name: str) -> list[str]:
    """Content words of a name, without qualifiers ('délégué chargé de') or a final 'Maroc'."""
    tokens = [t for t in content_tokens(name) if t not in _QUALIFIERS]
    while len(tokens) > 1 and tokens[-1] in _COUNTRY_SUFFIXES:
        tokens.pop()
    return tokens


class _Groups:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def resolve(candidates: list[Candidate]) -> list[list[Candidate]]:
    """Group the mentions of one document that name the same organisation.

    Links, in order: same gazetteer id; same key of a name or alias (acronyms included);
    same content words up to typos; a short form contained in exactly one longer name.
    Groups with two different gazetteer ids are never merged.
    """
    n = len(candidates)
    groups = _Groups(n)
    gaz_of: dict[int, str] = {}

    def link(a: int, b: int) -> None:
        ra, rb = groups.find(a), groups.find(b)
        ga, gb = gaz_of.get(ra), gaz_of.get(rb)
        if ra == rb or (ga and gb and ga != gb):
            return
        groups.union(ra, rb)
        gaz_of[groups.find(ra)] = ga or gb  # type: ignore[assignment]

    for i, c in enumerate(candidates):
        if c.gazetteer_id:
            gaz_of[i] = c.gazetteer_id
    first: dict[str, int] = {}
    for i, c in enumerate(candidates):
        for form in (c.gazetteer_id and f"gaz:{c.gazetteer_id}", c.name, *c.aliases):
            if not form:
                continue
            k = form if form.startswith("gaz:") else key(form)
            if k in first:
                link(first[k], i)
            elif k:
                first[k] = i
    # typos and qualifiers: same content words (each distinct word list compared once)
    distinct: dict[tuple[str, ...], int] = {}
    for i, c in enumerate(candidates):
        for form in sorted({c.name, *c.aliases}):
            if is_acronym(form):
                continue
            tokens = tuple(comparison_tokens(form))
            if not tokens:
                continue
            if tokens in distinct:
                link(distinct[tokens], i)
            else:
                distinct[tokens] = i
    signatures = [(list(t), i) for t, i in distinct.items()]
    # typos: names that differ in one word fall in the same bucket (that word masked)
    buckets: dict[tuple[str, ...], list[tuple[list[str], int]]] = defaultdict(list)
    for tokens, i in signatures:
        for p in range(len(tokens)):
            buckets[(*tokens[:p], "\0", *tokens[p + 1 :])].append((tokens, i))
    for bucket in buckets.values():
        bucket = bucket[:30]  # a bucket is a handful of names; bound it all the same
        for x in range(len(bucket)):
            for y in range(x + 1, len(bucket)):
                (ta, a), (tb, b) = bucket[x], bucket[y]
                if groups.find(a) != groups.find(b) and names_similar(ta, tb):
                    link(a, b)
    # short forms: contained in the names of exactly one group
    contained_in: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for tokens, j in signatures:
        n = len(tokens)
        for length in range(1, n):
            for start in range(n - length + 1):
                contained_in[tuple(tokens[start : start + length])].append(j)
    for tokens, i in sorted(signatures, key=lambda s: len(s[0])):
        owner = _only_other_group(groups, contained_in.get(tuple(tokens), ()), i)
        if owner is not None:
            link(i, owner)
    clusters: dict[int, list[Candidate]] = defaultdict(list)
    for i, c in enumerate(candidates):
        clusters[groups.find(i)].append(c)
    return list(clusters.values())


def _only_other_group(groups: _Groups, members: Iterable[int], i: int) -> int | None:
    """The one group other than i's that these members belong to; None for none or several."""
    mine = groups.find(i)
    found = None
    for j in members:
        group = groups.find(j)
        if group == mine or group == found:
            continue
        if found is not None:
            return None
        found = group
    return found


# --- across documents -------------------------------------------------------------------


class AliasIndex:
    """Links an extracted organisation to an organisation already in the registry.

    Exact matching key first, then typo-tolerant comparison of content words: names of
    up to five words are found through buckets keyed by their words with one word masked
    (a name with one typo shares a bucket with its correct form, so few candidates are
    compared, however large the registry); longer names among the organisations sharing
    one of the query's two rarest words. Acronyms only when exactly one organisation
    has them.
    """

    max_candidates = 500
    max_masked_words = 5  # names_similar allows one typo up to five words

    def __init__(self) -> None:
        self._by_key: dict[str, list[int]] = defaultdict(list)
        self._by_acronym: dict[str, set[int]] = defaultdict(set)
        self._by_token: dict[str, set[int]] = defaultdict(set)
        self._signatures: dict[int, list[list[str]]] = defaultdict(list)
        self._by_masked: dict[tuple[str, ...], set[int]] = defaultdict(set)
        self._types: dict[int, str | None] = {}

    def __len__(self) -> int:
        return len(self._types)

    def add(self, org_id: int, names: Iterable[str], type: str | None = None) -> None:
        """Index every name of an organisation (canonical name, aliases, acronyms)."""
        if type is not None or org_id not in self._types:
            self._types[org_id] = type
        for name in names:
            if not name or not name.strip():
                continue
            k = key(name)
            if k and org_id not in self._by_key[k]:
                self._by_key[k].append(org_id)
            if is_acronym(name) and len(name) <= 8:
                self._by_acronym[name.strip().upper()].add(org_id)
                continue
            tokens = comparison_tokens(name)
            if tokens and tokens not in self._signatures[org_id]:
                self._signatures[org_id].append(tokens)
                for t in tokens:
                    self._by_token[t].add(org_id)
                for bucket in self._masked(tokens):
                    self._by_masked[bucket].add(org_id)

    def match(self, org: ExtractedOrg) -> int | None:
        """The registry id of the same organisation, or None when there is none.

        Full names decide when the organisation has one: an acronym ("EST", "MNC") links
        only an organisation known by nothing else, and only when one organisation has it.
        """
        forms = [org.name, *sorted(org.aliases)]
        full = [f for f in forms if not is_acronym(f)]
        for form in full:
            ids = self._by_key.get(key(form))
            if ids:
                return self._prefer(ids, org.type)
        for form in full:
            found = self._fuzzy(comparison_tokens(form), org.type)
            if found is not None:
                return found
        if full:
            return None
        for form in forms:
            ids_set = self._by_acronym.get(form.strip().upper(), set()) | set(
                self._by_key.get(key(form), ()))
            if len(ids_set) == 1:
                (only,) = ids_set
                if self._compatible(only, org.type):
                    return only
        return None

    def _prefer(self, ids: list[int], org_type: str | None) -> int:
        for i in ids:
            if self._types.get(i) == org_type:
                return i
        return ids[0]

    def _compatible(self, org_id: int, org_type: str | None) -> bool:
        known = self._types.get(org_id)
        return known is None or org_type is None or known == org_type

    def _masked(self, tokens: list[str]) -> list[tuple[str, ...]]:
        """The buckets of a name: its words, and its words with each one masked in turn.

        A masked word keeps its first letter, and words that no typo can match (under
        four letters, numbers) are not masked: `tokens_similar` asks the same of two
        different words, so every similar name still shares a bucket, and far fewer
        others do.
        """
        if not 2 <= len(tokens) <= self.max_masked_words:
            return []
        return [tuple(tokens)] + [
            (*tokens[:i], "\0" + word[0], *tokens[i + 1:]) for i, word in enumerate(tokens)
            if len(word) >= 4 and not word.isdigit()]

    def _fuzzy(self, tokens: list[str], org_type: str | None) -> int | None:
        if len(tokens) < 2:
            return None
        if len(tokens) <= self.max_masked_words:
            candidates = set().union(*(self._by_masked.get(b, ()) for b in self._masked(tokens)))
            return self._first_similar(candidates, tokens, org_type)
        rarest = sorted(tokens, key=lambda t: len(self._by_token.get(t, ())))[:2]
        candidates: set[int] = set()
        for t in rarest:
            candidates |= self._by_token.get(t, set())
        if len(candidates) > self.max_candidates:
            candidates = set(sorted(candidates)[: self.max_candidates])
        return self._first_similar(candidates, tokens, org_type)

    def _first_similar(self, candidates: set[int], tokens: list[str], org_type: str | None
                       ) -> int | None:
        for org_id in sorted(candidates):
            if not self._compatible(org_id, org_type):
                continue
            if any(names_similar(tokens, sig) for sig in self._signatures[org_id]):
                return org_id
        return None


def merge_prefix_names(orgs: list[ExtractedOrg]) -> list[ExtractedOrg]:
    """'Orange' and 'Orange Maroc' in one document are one organisation.

    A name whose words begin exactly one longer name of the same type in the document (its
    canonical name or an alias) is a short form of it, even when the gazetteer knows both
    (the parent group and its local subsidiary): its mentions move to the longer one.
    """
    forms = [[tuple(content_tokens(f)) for f in (o.name, *o.aliases) if not is_acronym(f)]
             for o in orgs]
    merged: set[int] = set()
    for i, short in enumerate(orgs):
        if is_acronym(short.name):
            continue
        words = tuple(content_tokens(short.name))
        if not words:
            continue
        targets = {j for j, other in enumerate(orgs) if j != i and j not in merged and
                   other.type == short.type and any(
                       len(f) > len(words) and f[: len(words)] == words for f in forms[j])}
        if len(targets) != 1:
            continue
        target = orgs[targets.pop()]
        taken = [(m.start, m.end) for m in target.mentions]
        target.mentions.extend(m for m in short.mentions if all(
            m.end <= a or b <= m.start for a, b in taken))
        target.mentions.sort(key=lambda m: m.start)
        target.aliases |= {a for a in short.aliases if key(a) != key(target.name)}
        merged.add(i)
    return [o for i, o in enumerate(orgs) if i not in merged]
