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
from .text import fold, normalise_typography

# Bump when tokenisation or stemming changes: the fingerprint changes, models are refitted.
ANALYZER_VERSION = "3"
_TOKEN = re.compile(r"[a-z0-9&]+")
# A raw word: letters, digits and '&' in any script, with inner apostrophes (l'IA, aujourd'hui).
_RAW = re.compile(r"(?:[^\W_]|&)+(?:'(?:[^\W_]|&)+)*")
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
    """A short hash of the analyzer version and its word lists: a model fitted with another
    analyzer is refitted."""
    words, elisions = _lists()
    blob = ANALYZER_VERSION + "|" + " ".join(sorted(words)) + "|" + " ".join(sorted(elisions))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball stem of one folded word."""
    return str(_STEMMER.stemWord(word))


@lru_cache(maxsize=200_000)
def _fold_word(word: str) -> tuple[str, ...]:
    """Folded pieces of one raw word ("Électro-" -> ("electro",)); cached: words repeat."""
    return tuple(_TOKEN.findall(fold(word)))


def _words(text: str) -> Iterator[tuple[str, str]]:
    """(folded word, surface word) pairs, elisions removed, stop words kept."""
    _, elisions = _lists()
    text = normalise_typography(text)  # NFC, one apostrophe, one dash
    for match in _RAW.finditer(text):
        parts = match.group().split("'")
        for i, part in enumerate(parts):
            pieces = _fold_word(part)
            if i < len(parts) - 1 and len(pieces) == 1 and pieces[0] in elisions:
                continue
            for piece in pieces:
                yield piece, (part if len(pieces) == 1 else piece)


@lru_cache(maxsize=20_000)
def _analyze_cached(text: str) -> tuple[tuple[str, str], ...]:
    stops = stop_words()
    return tuple((stem(word), surface) for word, surface in _words(text)
                 if len(word) >= 2 and not word.isdigit() and word not in stops)


def analyze_with_surface(text: str) -> list[tuple[str, str]]:
    """(stem, the word as written) pairs: the surface form explains a matched term."""
    return list(_analyze_cached(text))


def analyze(text: str) -> list[str]:
    """The stems of `text`: the analyzer of both TfidfVectorizer (fit) and the query path."""
    return [s for s, _ in analyze_with_surface(text)]
