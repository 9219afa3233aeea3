"""Text normalisation shared by extraction, resolution and the ranking analyzer.

French text comes with accents, typographic apostrophes (’ and '), non-breaking
spaces and dash variants; comparisons go through `fold` so that "Kénitra",
"Kenitra" and "KENITRA" meet.

These functions run hundreds of thousands of times per build, so each has a fast
path: one `str.translate` with a table computed at import from the Unicode rules
themselves (Latin letters, typographic punctuation, spaces), taken only when the
result is plain ASCII; anything else goes through Unicode normalisation. Short
strings (words, names) are also cached, since they repeat across documents.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "\u2032": "'"})
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "‐": "-", "−": "-"})
_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z&]+")
_CACHED_LEN = 160  # longer strings (sentences, documents) rarely repeat: not cached


def _normalise_typography(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES).translate(_DASHES)
    return _SPACES.sub(" ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def _strip_accents(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def _fast_tables() -> tuple[dict[int, str], dict[int, str]]:
    """Per-character tables (strip_accents, fold) for characters that fold to ASCII alone.

    Only characters that never compose or reorder with a neighbour under NFC/NFD
    (no combining marks, Latin and punctuation blocks only) are listed, so applying
    the table character by character gives the same result as the whole-string rules.
    """
    strip: dict[int, str] = {}
    folding: dict[int, str] = {}
    blocks = (range(0x250), range(0x1E00, 0x1F00), range(0x2000, 0x2070), (0x2212, 0x3000))
    for block in blocks:
        for code in block:
            ch = chr(code)
            if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Mc", "Me"):
                continue
            if ch.isspace():
                if not ch.isascii():
                    folding[code] = " "  # str.split() in the fast path treats it as `\s` does
                continue
            stripped = _strip_accents(ch)
            if stripped.isascii() and stripped and stripped != ch:
                strip[code] = stripped
            typographic = _strip_accents(_normalise_typography(ch))
            if typographic.isascii() and typographic and typographic != ch:
                folding[code] = typographic
    return strip, folding


_STRIP_TABLE, _FOLD_TABLE = _fast_tables()


def _strip_fast(text: str) -> str:
    plain = text.translate(_STRIP_TABLE)
    return plain if plain.isascii() else _strip_accents(text)


def _fold_fast(text: str) -> str:
    plain = text.translate(_FOLD_TABLE)
    if plain.isascii():
        return " ".join(plain.split()).lower()
    return _strip_accents(_normalise_typography(text)).lower()


def _key_fast(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


_typography_cached = lru_cache(maxsize=65536)(_normalise_typography)
_strip_cached = lru_cache(maxsize=65536)(_strip_fast)
_fold_cached = lru_cache(maxsize=131072)(_fold_fast)
_key_cached = lru_cache(maxsize=131072)(_key_fast)


def normalise_typography(text: str) -> str:
    """Unify apostrophes, dashes and spaces without changing letters."""
    return _typography_cached(text) if len(text) < _CACHED_LEN else _normalise_typography(text)


def strip_accents(text: str) -> str:
    """Remove diacritics: 'Laâyoune' -> 'Laayoune', 'œ' -> 'oe'."""
    return _strip_cached(text) if len(text) < _CACHED_LEN else _strip_fast(text)


def fold(text: str) -> str:
    """Lowercase, accent-free, typography-normalised form for comparisons."""
    return _fold_cached(text) if len(text) < _CACHED_LEN else _fold_fast(text)


def key(text: str) -> str:
    """A compact matching key: folded words joined by single spaces, punctuation dropped."""
    return _key_cached(text) if len(text) < _CACHED_LEN else _key_fast(text)
