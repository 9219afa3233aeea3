"""What a free-text query asks for, besides its topic: places and kinds of organisation.

"universités marocaines pour l'électronique", "mobilité électrique dans la région
Tanger-Tétouan-Al Hoceïma", "coopération avec la Belgique": the places and the kinds of
organisation a query names are preferences of the ranking's geography and type signals,
not topic words. Matched as topic words they would favour whatever organisation carries
them in its name (a regional council, a "Cluster ..." whatever it does). So they are
recognised here and left out of the text the model compares with the profiles, along
with the words that only describe the search ("partenaires", "consortium"...).

Places come from the gazetteer's data files (Moroccan regions and cities, countries with
their adjectives, main foreign cities and regions) and from data/scoring.yaml
(`query_places`: words naming groups of countries, "européens"); kinds of organisation
from scoring.yaml `type_words`. Only YAML and the standard library: this is on the query
path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .config import load_data
from .text import fold, key, normalise_typography

_WORD = re.compile(r"[^\W_]+|&", re.UNICODE)


@dataclass(frozen=True)
class Phrase:
    """A recognisable phrase: folded words, and what it means."""

    words: tuple[str, ...]
    kind: str                  # "region", "country", "type", "generic"
    value: tuple[str, ...]     # region keys, ISO codes, a type, or ()
    cased: bool = False        # an acronym (EAU, UK): matched only as typed, in capitals
    capital: bool = False      # a foreign city: only with a capital ("Tours", not "tours")


@dataclass(frozen=True)
class ParsedQuery:
    """A free text split into its topic and its preferences."""

    text: str                       # the words left for text matching
    types: frozenset[str]           # organisation types named ("universités")
    countries: frozenset[str]       # ISO codes of the countries named or implied
    region_keys: frozenset[str]     # matcher.text.key of the Moroccan regions named
    places: tuple[str, ...]         # the place words as typed, for explanations


def _words(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, folded word, surface word) of each word of `text`."""
    out = []
    for m in _WORD.finditer(text):
        for piece in (fold(m.group()).split() or [""]):
            if piece:
                out.append((m.start(), m.end(), piece, m.group()))
    return out


def _folded(phrase: str) -> tuple[str, ...]:
    return tuple(w for _, _, w, _ in _words(normalise_typography(str(phrase))))


def _add(table: dict[tuple[str, ...], list[Phrase]], phrase: Any, kind: str,
         value: tuple[str, ...], capital: bool = False) -> None:
    raw = str(phrase or "").strip()
    words = _folded(raw)
    if not words:
        return
    cased = (kind in ("region", "country") and len(raw) >= 2
             and raw.replace("-", "").isalpha() and raw.isupper())
    table.setdefault(words, []).append(Phrase(words, kind, value, cased, capital and not cased))


@lru_cache(maxsize=4)
def _lexicon(stamp: tuple[int, ...] = ()) -> dict[tuple[str, ...], list[Phrase]]:
    """Every phrase a query may use to name a place, a kind of organisation or the search."""
    table: dict[tuple[str, ...], list[Phrase]] = {}
    places = load_data("gazetteer/places.yaml") or {}
    for region in places.get("regions") or ():
        rk = (key(region["name"]),)
        for name in (region["name"], *(region.get("aliases") or ())):
            _add(table, name, "region", rk)
    for city in places.get("cities") or ():
        rk = (key(city.get("region") or ""),) if city.get("region") else ()
        for name in (city["name"], *(city.get("aliases") or ())):
            _add(table, name, "region" if rk else "country", rk or ("MA",))
    for group in ("foreign_cities", "foreign_regions"):
        for code, names in (places.get(group) or {}).items():
            for name in names or ():
                _add(table, name, "country", (str(code).upper(),), capital=True)
    countries = load_data("gazetteer/countries.yaml") or {}
    for c in countries.get("countries") or ():
        code = (str(c["code"]).upper(),)
        for name in (c["name"], *(c.get("aliases") or ()), *(c.get("adjectives") or ())):
            _add(table, name, "country", code)
    cfg = load_data("scoring.yaml") or {}
    for group in cfg.get("query_places") or ():
        codes = tuple(str(x).upper() for x in group.get("countries") or ())
        for word in group.get("words") or ():
            _add(table, word, "country", codes)
    for type_, phrases in (cfg.get("type_words") or {}).items():
        for phrase in phrases or ():
            _add(table, phrase, "type", (str(type_),))
    for word in str(cfg.get("query_generic_words") or "").split():
        _add(table, word, "generic", ())
    return table


def lexicon() -> dict[tuple[str, ...], list[Phrase]]:
    return _lexicon()


def _plural_of(word: str, base: str) -> bool:
    return word == base or word in (base + "s", base + "x")


def _match_at(words: Sequence[tuple[int, int, str, str]], i: int,
              table: Mapping[tuple[str, ...], list[Phrase]], longest: int
              ) -> tuple[int, list[Phrase]]:
    """The longest phrase starting at word i (a final s/x optional on every word)."""
    for n in range(min(longest, len(words) - i), 0, -1):
        span = words[i:i + n]
        candidates = table.get(tuple(w for _, _, w, _ in span))
        if candidates is None:  # plurals: "universités", "entreprises", "clusters"
            stripped = tuple(w[:-1] if len(w) > 3 and w[-1] in "sx" else w for _, _, w, _ in span)
            candidates = [p for p in table.get(stripped, ())
                          if all(_plural_of(w, b) for (_, _, w, _), b in zip(span, p.words,
                                                                           strict=True))]
        ok = []
        for p in candidates or ():
            surfaces = [s for _, _, _, s in span]
            if p.cased and not all(s.isupper() for s in surfaces):
                continue
            if p.capital and not surfaces[0][:1].isupper():
                continue
            ok.append(p)
        if ok:
            return n, ok
    return 0, []


def parse_query(query: str) -> ParsedQuery:
    """Places, organisation types and search words of `query`, and the topic left over."""
    text = normalise_typography(query or "")
    words = _words(text)
    table = lexicon()
    longest = max((len(k) for k in table), default=1)
    types: set[str] = set()
    countries: set[str] = set()
    regions: set[str] = set()
    places: list[str] = []
    removed: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        n, phrases = _match_at(words, i, table, longest)
        if not n:
            i += 1
            continue
        start, end = words[i][0], words[i + n - 1][1]
        for p in phrases:
            if p.kind == "region":
                regions.update(p.value)
            elif p.kind == "country":
                countries.update(p.value)
            elif p.kind == "type":
                types.update(p.value)
        if any(p.kind in ("region", "country") for p in phrases):
            places.append(text[start:end])
        removed.append((start, end))
        i += n
    kept, last = [], 0
    for start, end in removed:
        kept.append(text[last:start])
        last = end
    kept.append(text[last:])
    topic = " ".join("".join(kept).split())
    return ParsedQuery(text=topic, types=frozenset(types), countries=frozenset(countries),
                       region_keys=frozenset(regions), places=tuple(places))
