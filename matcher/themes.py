"""The theme taxonomy (data/themes.yaml) and theme detection in text.

`detect_themes` runs on every evidence sentence of every document and on the query path, so it
keeps imports light (no spaCy, no scikit-learn) and matches all keywords in one pass over the
words of the text, with an index built once per version of the data file:

- keywords written in lowercase/mixed case are matched on `matcher.text.fold`-ed words (accents,
  case and apostrophes unified), with an optional plural s/x on each word and hyphen/space variants;
- keywords written in CAPITALS are acronyms ("IT", "RF", "TIC") and keep their case, so the English
  word "it" or the French "tic" do not count.

Matches are whole words: "électronique" does not count inside "microélectronique", and an elided
article ("l’électronique", "d'IA") does not hide a word.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any

from .config import data_dir, load_data
from .errors import DataError, NotFoundError
from .text import normalise_typography, strip_accents

THEMES_FILE = "themes.yaml"
LANGS = ("fr", "en")

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Theme:
    """One theme: stable id, labels and the keywords that name it (French and English)."""

    id: str
    label_fr: str
    label_en: str
    keywords_fr: tuple[str, ...]
    keywords_en: tuple[str, ...]

    def label(self, lang: str = "fr") -> str:
        return self.label_en if lang == "en" else self.label_fr

    @property
    def keywords(self) -> tuple[str, ...]:
        return self.keywords_fr + self.keywords_en


Tokens = tuple[str, ...]
_Ident = tuple[bool, Tokens]  # (acronym?, normalised tokens)


class KeywordMatcher:
    """Keyword index: (owner id, keywords) pairs -> hits in text.

    Keywords become sequences of normalised word tokens indexed by their first token, so a text is
    scanned once, token by token, whatever the number of keywords, and building the index costs
    next to nothing (the query path builds it on every cold start). Used for themes here and for
    programme names in matcher.programmes.
    """

    def __init__(self, items: Iterable[tuple[str, Sequence[str]]]) -> None:
        owners: dict[_Ident, list[str]] = {}
        self.canonical: dict[_Ident, str] = {}
        for owner, keywords in items:
            for keyword in keywords:
                acronym = _is_acronym(keyword)
                for tokens in _keyword_variants(keyword, acronym):
                    ident = (acronym, tokens)
                    self.canonical.setdefault(ident, keyword)
                    if owner not in owners.setdefault(ident, []):
                        owners[ident].append(owner)
        self.owners = {k: tuple(v) for k, v in owners.items()}
        self.index: dict[tuple[bool, str], list[_Ident]] = {}
        for ident in owners:
            self.index.setdefault((ident[0], ident[1][0]), []).append(ident)
        for candidates in self.index.values():  # longest first: "physique des particules" wins
            candidates.sort(key=lambda k: -len(k[1]))
        # the same lists by first token, one dict per form, for a cheap test of each word
        self._by_acronym = {first: c for (acronym, first), c in self.index.items() if acronym}
        self._by_word = {first: c for (acronym, first), c in self.index.items() if not acronym}

    def matches(self, text: str) -> Iterator[tuple[str, tuple[str, ...]]]:
        """(keyword as written in the data, owner ids) for each hit in `text`."""
        if not text:
            return
        exact, folded, joinable = _words(text)
        for _start, _end, ident in self._scan(exact, folded, joinable):
            yield self.canonical[ident], self.owners[ident]

    def word_hits(self, words: TextWords) -> list[tuple[int, int, tuple[str, ...]]]:
        """(first word, end word, owner ids) of each hit in a text's words, in text order;
        `words.spans` gives each word's characters in `words.form`."""
        return [(start, end, self.owners[ident])
                for start, end, ident in self._scan(words.exact, words.folded, words.joinable)]

    def _scan(self, exact: Tokens, folded: Tokens, joinable: tuple[bool, ...]
              ) -> Iterator[tuple[int, int, _Ident]]:
        """(first word, end word, keyword) of each hit: the longest keyword starting at a
        word wins, and the words it covers start no other hit."""
        by_acronym, by_word = self._by_acronym, self._by_word
        n = len(exact)
        after = 0  # words before this one belong to the previous hit
        for i in [i for i in range(n) if folded[i] in by_word or exact[i] in by_acronym]:
            if i < after:
                continue
            acronym_candidates = by_acronym.get(exact[i], ())
            word_candidates = by_word.get(folded[i], ())
            if not acronym_candidates and not word_candidates:
                continue
            best: _Ident | None = None
            for words, candidates in ((exact, acronym_candidates), (folded, word_candidates)):
                for ident in candidates:
                    size = len(ident[1])
                    if best is not None and size <= len(best[1]):
                        break
                    if (i + size <= n and all(joinable[i:i + size - 1])
                            and tuple(words[i:i + size]) == ident[1]):
                        best = ident
                        break
            if best is not None:
                after = i + len(best[1])
                yield i, after, best

    def counts(self, text: str) -> dict[str, int]:
        """Hit counts per owner id (owners without a hit are absent)."""
        counts: dict[str, int] = {}
        for _keyword, owners in self.matches(text):
            for owner in owners:
                counts[owner] = counts.get(owner, 0) + 1
        return counts

    def keywords(self, text: str) -> dict[str, list[str]]:
        """Keywords found per owner id, as written in the data, first hit first, no repeats."""
        found: dict[str, list[str]] = {}
        for keyword, owners in self.matches(text):
            for owner in owners:
                words = found.setdefault(owner, [])
                if keyword not in words:
                    words.append(keyword)
        return found


def _is_acronym(keyword: str) -> bool:
    letters = [c for c in keyword if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _case_form(text: str) -> str:
    """`matcher.text.fold` without lower(): typography and accents unified, case kept.

    Same result as strip_accents(normalise_typography(text)), computed character by character
    with a cache, because per-sentence Unicode normalisation dominated detection time.
    """
    text = _ascii_forms(unicodedata.normalize("NFC", text))
    return _SPACE_RUNS.sub(" ", text).strip()


def _ascii_forms(text: str) -> str:
    """text.translate(_ASCII_FORMS), faster: ASCII is kept, so only the few distinct other
    characters of a text are replaced (each by an ASCII form, so the order is free)."""
    if text.isascii():
        return text
    forms = _ASCII_FORMS
    for char in set(text):
        if char > "\x7f":
            form = forms[ord(char)]
            if form != char:
                if not form.isascii():  # a form another replacement could touch
                    return text.translate(forms)
                text = text.replace(char, form)
    return text


class _AsciiForms(dict[int, str]):
    """`str.translate` table: ASCII kept, other characters folded, each computed once."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if code < 128:
            form = char
        else:
            form = " " if char.isspace() else strip_accents(normalise_typography(char))
        self[code] = form
        return form


_ASCII_FORMS = _AsciiForms()
_SPACE_RUNS = re.compile(r"(?: \s|[^\S ])\s*")  # runs of white space other than one " "
_WORD = re.compile(r"(\w+(?:[.&]\w+)*)")  # a group: re.split keeps the words
_GAP = re.compile(r"[\s\-']*")  # what may separate the words of one keyword


def _tokenise(text: str) -> tuple[list[str], list[bool]]:
    """Words of `text`, and for each pair of neighbours whether only a space, hyphen or
    apostrophe separates them (a keyword never spans a comma or a full stop)."""
    return _tokenise_pieces(_WORD.split(text))


def _tokenise_pieces(pieces: list[str]) -> tuple[list[str], list[bool]]:
    """`_tokenise` from re.split pieces: gap, word, gap, word, ..., gap."""
    inner = pieces[2:-1:2]
    joinable = list(map(_JOINABLE_GAPS.get, inner))
    if None in joinable:  # a gap not seen before
        for i, ok in enumerate(joinable):
            if ok is None:
                joinable[i] = _joinable(inner[i])
    return pieces[1::2], joinable


def _joinable(gap: str) -> bool:
    ok = _GAP.fullmatch(gap) is not None
    if len(_JOINABLE_GAPS) < 4096:
        _JOINABLE_GAPS[gap] = ok
    return ok


_JOINABLE_GAPS: dict[str, bool] = {}


@lru_cache(maxsize=64)
def _words(text: str) -> tuple[Tokens, Tokens, tuple[bool, ...]]:
    """Words of `text` as written and folded, and which neighbours may join; shared by the
    theme and programme matchers, which read the same sentences one after the other."""
    exact, joinable = _tokenise(_case_form(text))
    return tuple(exact), _folded(exact), tuple(joinable)


def _folded(exact: list[str]) -> Tokens:
    """Each word folded (cached: a word is never empty, so neither is its form)."""
    get = _FOLDED_WORDS.get
    return tuple(get(word) or _fold_word(word) for word in exact)


def _fold_word(word: str) -> str:
    form = _normal(word.lower())
    if len(_FOLDED_WORDS) < 131072:
        _FOLDED_WORDS[word] = form
    return form


@dataclass(frozen=True)
class TextWords:
    """The words of one text as the keyword matchers see them, with their places.

    `form` is the text with typography and accents unified (case kept); `spans[i]` are the
    start and end of word i in `form`. A text read once serves every matcher, and the hits
    of any passage of it (a sentence) are taken from the hits of the whole text
    (`passage_words`).
    """

    form: str
    exact: Tokens
    folded: Tokens
    joinable: tuple[bool, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @property
    def spans(self) -> list[tuple[int, int]]:
        return list(zip(self.starts, self.ends, strict=True))

    @classmethod
    def of(cls, text: str) -> TextWords:
        form = _case_form(text)
        pieces = _WORD.split(form)  # gap, word, gap, word, ..., gap
        exact, joinable = _tokenise_pieces(pieces)
        bounds = tuple(accumulate(map(len, pieces)))  # word i: bounds[2i], bounds[2i + 1]
        return cls(form, tuple(exact), _folded(exact), tuple(joinable),
                   bounds[0:-1:2], bounds[1::2])

    def passage_words(self, passage: str) -> tuple[int, int] | None:
        """(first word, end word) of `passage` when its words, read alone, are exactly
        these words of the text (same splits, same joins); None when it cannot be found
        so, e.g. it is not in the text or it starts or ends inside a word."""
        form = _case_form(passage)
        at = self.form.find(form)
        if at < 0 or not form:
            return None
        end = at + len(form)
        first = bisect_left(self.starts, at)  # first word starting in the passage
        if first > 0 and self.ends[first - 1] > at:
            return None  # a word of the text runs into the passage
        last = bisect_right(self.ends, end)  # first word ending after the passage
        if last < len(self.starts) and self.starts[last] < end:
            return None  # a word of the text runs out of the passage
        return first, last


def passage_owners(hits: Sequence[tuple[int, int, tuple[str, ...]]],
                   starts: Sequence[int], first: int, last: int) -> set[str] | None:
    """Owner ids of the hits within words [first, last) of a text, from the hits of the
    whole text (`KeywordMatcher.word_hits`, `starts` their first words): what the matcher
    finds in the passage read alone, or None when a hit straddles either end (read alone,
    the passage could then match otherwise)."""
    lo = bisect_left(starts, first)
    if lo > 0 and hits[lo - 1][1] > first:
        return None
    hi = bisect_left(starts, last)
    if hi > lo and hits[hi - 1][1] > last:
        return None
    return {owner for hit in hits[lo:hi] for owner in hit[2]}


_FOLDED_WORDS: dict[str, str] = {}


def _normal(word: str) -> str:
    """A folded word without a final plural s/x ("réseaux" and "réseau" meet)."""
    if len(word) >= 4 and word[-1] in "sx" and word[-2].isalpha():
        return word[:-1]
    return word


def _keyword_variants(keyword: str, acronym: bool) -> list[Tokens]:
    """Token sequences of a keyword; a hyphenated pair also matches written as one word
    ("e-santé" -> e santé, esanté)."""
    form = _case_form(keyword) if acronym else _case_form(keyword).lower()
    found = list(_WORD.finditer(form))
    words = [m.group() for m in found]
    variants = [tuple(words)] if words else []
    for j in range(len(found) - 1):
        if form[found[j].end():found[j + 1].start()] == "-":
            variants.append(tuple(words[:j]) + (words[j] + words[j + 1],) + tuple(words[j + 2:]))
    if acronym:
        return variants
    return [tuple(_normal(w) for w in v) for v in variants]


# --- loading and validation ---------------------------------------------------------------------


def _text_field(path: str, theme_id: str, item: dict[str, Any], name: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{path}: theme {theme_id!r}: field {name!r} is missing or not a text")
    return value.strip()


def _keywords_field(path: str, theme_id: str, item: dict[str, Any], name: str) -> tuple[str, ...]:
    value = item.get(name, [])
    if value is None:
        value = []
    if not isinstance(value, list):
        raise DataError(f"{path}: theme {theme_id!r}: field {name!r} must be a list of keywords")
    out = []
    for kw in value:
        if not isinstance(kw, (str, int, float)) or not str(kw).strip() or not _matchable(str(kw)):
            raise DataError(f"{path}: theme {theme_id!r}: field {name!r}: invalid keyword {kw!r}")
        out.append(str(kw).strip())
    return tuple(out)


def _matchable(keyword: str) -> bool:
    """A keyword must contain at least one letter or digit to be matchable."""
    return any(c.isalnum() for c in keyword)


def _parse(path: str, raw: Any) -> dict[str, Theme]:
    if not isinstance(raw, dict) or not isinstance(raw.get("themes"), list):
        raise DataError(f"{path}: expected a mapping with a 'themes' list")
    themes: dict[str, Theme] = {}
    for position, item in enumerate(raw["themes"], start=1):
        if not isinstance(item, dict):
            raise DataError(f"{path}: theme #{position}: expected a mapping, got {item!r}")
        theme_id = item.get("id")
        if not isinstance(theme_id, str) or not _ID.match(theme_id):
            raise DataError(
                f"{path}: theme #{position}: field 'id' must be an ascii snake_case id, "
                f"got {theme_id!r}"
            )
        if theme_id in themes:
            raise DataError(f"{path}: theme {theme_id!r}: field 'id' is a duplicate")
        theme = Theme(
            id=theme_id,
            label_fr=_text_field(path, theme_id, item, "label_fr"),
            label_en=_text_field(path, theme_id, item, "label_en"),
            keywords_fr=_keywords_field(path, theme_id, item, "keywords_fr"),
            keywords_en=_keywords_field(path, theme_id, item, "keywords_en"),
        )
        if not theme.keywords:
            raise DataError(
                f"{path}: theme {theme_id!r}: fields 'keywords_fr'/'keywords_en' are both empty"
            )
        themes[theme_id] = theme
    if not themes:
        raise DataError(f"{path}: the 'themes' list is empty")
    return themes


@lru_cache(maxsize=8)
def _taxonomy(path: str, mtime: float) -> tuple[dict[str, Theme], KeywordMatcher]:
    themes = _parse(path, load_data(THEMES_FILE))
    return themes, KeywordMatcher((t.id, t.keywords) for t in themes.values())


def _current() -> tuple[dict[str, Theme], KeywordMatcher]:
    path = data_dir() / THEMES_FILE
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise DataError(f"{path}: data file not found (set MATCHER_DATA_DIR?)") from exc
    return _taxonomy(str(path), mtime)


# --- public API ---------------------------------------------------------------------------------


def load_themes() -> dict[str, Theme]:
    """All themes by id, validated; cached until data/themes.yaml changes."""
    return dict(_current()[0])


def get_theme(theme_id: str) -> Theme:
    """One theme; NotFoundError suggests close ids."""
    themes = _current()[0]
    if theme_id in themes:
        return themes[theme_id]
    close = tuple(difflib.get_close_matches(theme_id, list(themes), n=3, cutoff=0.6))
    raise NotFoundError(f"Thème inconnu : {theme_id!r}.", close)


def theme_label(theme_id: str, lang: str = "fr") -> str:
    """The label of a theme in `lang`; the id itself for an id the taxonomy no longer has."""
    theme = _current()[0].get(theme_id)
    return theme.label(lang) if theme else theme_id


def theme_matcher() -> KeywordMatcher:
    """The keyword index of the current taxonomy, for callers that detect themes in many
    texts in a row (one check of the data file instead of one per text)."""
    return _current()[1]


def detect_themes(text: str) -> dict[str, int]:
    """Keyword hit counts per theme id in `text` (themes without a hit are absent)."""
    return _current()[1].counts(text)


def matched_keywords(text: str) -> dict[str, list[str]]:
    """The keywords (as written in the data) found in `text`, per theme id, first hit first."""
    return _current()[1].keywords(text)
