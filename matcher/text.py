"""Text normalisation shared by extraction, resolution and the ranking analyzer.

French text comes with accents, typographic apostrophes (’ and '), non-breaking
spaces and dash variants; comparisons go through `fold` so that "Kénitra",
"Kenitra" and "KENITRA" meet.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "\u2032": "'"})
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "‐": "-", "−": "-"})
_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z&]+")


def normalise_typography(text: str) -> str:
    """Unify apostrophes, dashes and spaces without changing letters."""
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES).translate(_DASHES)
    return _SPACES.sub(" ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def strip_accents(text: str) -> str:
    """Remove diacritics: 'Laâyoune' -> 'Laayoune', 'œ' -> 'oe'."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def fold(text: str) -> str:
    """Lowercase, accent-free, typography-normalised form for comparisons."""
    return strip_accents(normalise_typography(text)).lower()


def key(text: str) -> str:
    """A compact matching key: folded words joined by single spaces, punctuation dropped."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())
