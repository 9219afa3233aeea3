"""The French analyzer of the ranking model: the same tokens at index and query time.

Text is folded first (matcher.text.fold: lowercase, accents removed, ’ unified with '),
so "Électronique", "electronique" and "ÉLECTRONIQUE" give one stem whatever the
user types. Elided articles (l', d', qu'...) are cut from the word they stick to,
stop words (data/stopwords_fr.yaml) are dropped, and the rest is stemmed with the
French Snowball stemmer. Only the standard library and snowballstemmer: this
module is on the query path, which must start fast.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from functools import lru_cache

import snowballstemmer

from .config import load_data
from .errors import DataError
from .text import fold

_TOKEN = re.compile(r"[a-z0-9&]+(?:'[a-z0-9&]+)*")
_STEMMER = snowballstemmer.stemmer("french")


@lru_cache(maxsize=4)
def _lists(_version: str = "") -> tuple[frozenset[str], frozenset[str]]:
    raw = load_data("stopwords_fr.yaml")
    if not isinstance(raw, dict) or not isinstance(raw.get("words"), str):
        raise DataError("stopwords_fr.yaml: expected a 'words' block of whitespace-separated words")
    words = frozenset(fold(w) for w in raw["words"].split())
    elisions = frozenset(fold(w) for w in str(raw.get("elisions") or "").split())
    return words, elisions


def stop_words() -> frozenset[str]:
    """The folded stop words the analyzer drops."""
    return _lists()[0]


def fingerprint() -> str:
    """A short hash of the stop-word list: a model fitted with another list is refitted."""
    words, elisions = _lists()
    blob = " ".join(sorted(words)) + "|" + " ".join(sorted(elisions))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball stem of one folded word."""
    return str(_STEMMER.stemWord(word))


def _words(text: str) -> Iterator[tuple[str, str]]:
    """(folded word, surface word) pairs, elisions removed, stop words kept."""
    _, elisions = _lists()
    folded = fold(text)
    # fold() keeps the length of most texts, but not of œ/æ or decomposed accents;
    # surfaces are only used for display, so fall back to the folded form then.
    same_length = len(folded) == len(text)
    for match in _TOKEN.finditer(folded):
        parts = match.group().split("'")
        start = match.start()
        for i, part in enumerate(parts):
            if i < len(parts) - 1 and part in elisions:
                start += len(part) + 1
                continue
            surface = text[start : start + len(part)] if same_length else part
            yield part, surface
            start += len(part) + 1


def analyze_with_surface(text: str) -> list[tuple[str, str]]:
    """(stem, the word as written) pairs: the surface form explains a matched term."""
    stops = stop_words()
    out = []
    for word, surface in _words(text):
        if word in stops:
            continue
        if len(word) < 2:
            continue
        out.append((stem(word), surface))
    return out


def analyze(text: str) -> list[str]:
    """The stems of `text`: the analyzer of both TfidfVectorizer (fit) and the query path."""
    return [s for s, _ in analyze_with_surface(text)]
