"""matcher.text: the fast paths give exactly the Unicode rules' results."""

from __future__ import annotations

import random
import re
import unicodedata

from matcher.text import fold, key, normalise_typography, strip_accents


def reference_strip(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def reference_typography(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    for quote in "’‘`´ʼ\u2032":
        text = text.replace(quote, "'")
    for dash in "–—‑‐−":
        text = text.replace(dash, "-")
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def reference_fold(text: str) -> str:
    return reference_strip(reference_typography(text)).lower()


def reference_key(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z&]+", " ", reference_fold(text)).split())


def test_fold_unifies_accents_case_apostrophes_and_spaces():
    assert fold("  KÉNITRA\u00a0l’Œuvre  —  Laâyoune ") == "kenitra l'oeuvre - laayoune"
    assert key("Université Ibn Tofaïl (UIT)") == "universite ibn tofail uit"
    assert strip_accents("Laâyoune, Œuvre") == "Laayoune, OEuvre"


def test_fast_paths_equal_unicode_rules_for_every_character_in_context():
    bad = []
    for code in range(0x3100):
        ch = chr(code)
        if unicodedata.category(ch) == "Cs":
            continue
        for text in (ch, "a" + ch, ch + "\u0301", "É" + ch + " x"):
            if (fold(text), key(text), strip_accents(text)) != (
                reference_fold(text), reference_key(text), reference_strip(text)
            ):
                bad.append(text)
    assert bad == []


def test_fast_paths_equal_unicode_rules_on_random_mixed_text():
    rng = random.Random(3)
    pool = "aeiouAEIOU éèêàâçÉÈÀœŒæ’'`‘-–—\u00a0\u202f\t\n.,;İıßﬁ\u0301\u0327ÅÅ\u2000\u3000ʼ"
    for _ in range(4000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 30)))
        long_text = text * 12  # past the cache length: the uncached path too
        for t in (text, long_text):
            assert normalise_typography(t) == reference_typography(t)
            assert fold(t) == reference_fold(t)
            assert key(t) == reference_key(t)
            assert strip_accents(t) == reference_strip(t)
