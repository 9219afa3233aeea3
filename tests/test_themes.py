"""Theme taxonomy: loading, validation errors, and keyword detection in French and English text."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from matcher.errors import DataError, NotFoundError
from matcher.text import fold
from matcher.themes import (
    detect_themes,
    get_theme,
    load_themes,
    matched_keywords,
    theme_label,
)


def _write_themes(folder: Path, themes: list[dict]) -> None:
    (folder / "themes.yaml").write_text(yaml.safe_dump({"themes": themes}, allow_unicode=True),
                                        encoding="utf-8")


# --- the shipped taxonomy ---------------------------------------------------------------------


def test_taxonomy_has_ids_labels_and_keywords_in_both_languages() -> None:
    themes = load_themes()
    assert 40 <= len(themes) <= 70
    for theme_id, theme in themes.items():
        assert theme_id == theme.id and theme_id.isascii() and theme_id == theme_id.lower()
        assert theme.label_fr and theme.label_en
        assert theme.keywords_fr, theme_id


def test_taxonomy_covers_cern_procurement_domains() -> None:
    themes = load_themes()
    for theme_id in ("genie_civil", "refroidissement_ventilation", "distribution_electrique",
                     "vide", "cryogenie", "radiofrequence", "informatique", "mecanique",
                     "electronique"):
        assert theme_id in themes


def test_theme_label_in_french_and_english_and_unknown_id_kept() -> None:
    assert theme_label("maintenance_predictive") == "Maintenance prédictive"
    assert theme_label("maintenance_predictive", "en") == "Predictive maintenance"
    assert theme_label("no_such_theme") == "no_such_theme"


def test_get_theme_suggests_close_ids() -> None:
    with pytest.raises(NotFoundError) as err:
        get_theme("cryogenia")
    assert "cryogenie" in err.value.suggestions


# --- detection --------------------------------------------------------------------------------


def test_detection_ignores_accents_and_case() -> None:
    assert "electronique" in detect_themes("ELECTRONIQUE embarquée")
    assert "electronique" in detect_themes("Électronique")
    assert "cryogenie" in detect_themes("la cryogenie et le froid")


def test_detection_tolerates_french_elisions_with_both_apostrophes() -> None:
    assert "electronique" in detect_themes("l’électronique")
    assert "electronique" in detect_themes("l'électronique")
    assert "ia" in detect_themes("des solutions d’IA pour l'industrie")
    assert "eau" in detect_themes("la gestion de l’eau")


def test_detection_matches_plurals_of_each_word() -> None:
    assert "energie" in detect_themes("les énergies renouvelables")
    assert "reseaux" in detect_themes("des réseaux informatiques sécurisés")
    assert "materiaux" in detect_themes("un matériau composite")


def test_detection_matches_multiword_keywords_across_hyphen_and_space_variants() -> None:
    for text in ("e-santé", "e santé", "esanté", "E-Santé"):
        assert detect_themes(text).get("e_sante") == 1, text
    assert "industrie_4_0" in detect_themes("l'Industrie 4.0 au Maroc")
    assert "maintenance_predictive" in detect_themes("Maintenance  prédictive des machines")


def test_detection_has_no_false_hit_inside_another_word() -> None:
    found = detect_themes("la microélectronique")
    assert "microelectronique" in found and "electronique" not in found
    assert "eau" not in detect_themes("le bureau et le niveau")
    assert "ia" not in detect_themes("via la Tunisie et l'Asia")


def test_acronyms_in_capitals_keep_their_case() -> None:
    assert "informatique" in detect_themes("les services IT de la banque")
    assert "informatique" not in detect_themes("it is a fine day")
    assert "telecom" in detect_themes("le réseau 4G et la TNT")


def test_longest_keyword_wins_and_counts_for_every_theme_that_lists_it() -> None:
    found = detect_themes("la physique des particules")
    assert found == {"physique": 1, "physique_des_particules": 1}


def test_generic_words_are_not_theme_keywords() -> None:
    assert "vide" not in detect_themes("combler le vide juridique")
    assert "qualite" not in detect_themes("un produit de qualité")
    assert "vide" in detect_themes("des pompes à vide pour l'ultravide")


@pytest.mark.parametrize("text", [
    "à ce stade du projet", "dans une optique de croissance", "le climat des affaires",
    "l'antenne régionale de l'agence", "la Bourse de Casablanca", "le conseil d'administration",
    "il faut transformer l'essai", "la construction d'un écosystème",
])
def test_everyday_french_phrases_are_not_themes(text: str) -> None:
    assert detect_themes(text) == {}


def test_counts_every_occurrence() -> None:
    assert detect_themes("robotique, robots et robotique avancée")["robotique"] == 3


def test_english_keywords_are_detected() -> None:
    found = detect_themes("Power distribution, cooling and ventilation, and vacuum technology")
    assert {"distribution_electrique", "refroidissement_ventilation", "vide"} <= set(found)


def test_matched_keywords_name_the_keywords_as_written_in_the_data() -> None:
    found = matched_keywords("Internet des objets, l’IoT industriel ; la maintenance prédictive")
    assert found["iot"] == ["internet des objets", "IoT"]
    assert found["maintenance_predictive"] == ["maintenance prédictive"]


def test_empty_text_has_no_theme() -> None:
    assert detect_themes("") == {}
    assert detect_themes("   ") == {}


def test_every_keyword_detects_its_own_theme() -> None:
    """Each keyword, alone, must be found (guards against patterns that can never match)."""
    for theme in load_themes().values():
        for keyword in theme.keywords:
            assert theme.id in detect_themes(keyword), (theme.id, keyword)
            assert theme.id in detect_themes(fold(keyword) if not keyword.isupper() else keyword)


def test_themes_module_does_not_import_spacy_or_sklearn() -> None:
    code = ("import sys, matcher.themes as t; t.detect_themes('IA'); "
            "print('spacy' in sys.modules or 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- validation -------------------------------------------------------------------------------


def test_edited_file_is_reloaded(data_copy: Path) -> None:
    _write_themes(data_copy, [{"id": "volcans", "label_fr": "Volcans", "label_en": "Volcanoes",
                               "keywords_fr": ["volcan"], "keywords_en": ["volcano"]}])
    assert detect_themes("deux volcans et un volcano") == {"volcans": 2}


@pytest.mark.parametrize(
    ("theme", "expected"),
    [
        ({"label_fr": "X", "label_en": "X", "keywords_fr": ["x"]}, "theme #1: field 'id'"),
        ({"id": "Bad Id", "label_fr": "X", "label_en": "X", "keywords_fr": ["x"]},
         "theme #1: field 'id'"),
        ({"id": "sans_label", "label_en": "X", "keywords_fr": ["x"]},
         "theme 'sans_label': field 'label_fr'"),
        ({"id": "sans_mots", "label_fr": "X", "label_en": "X"},
         "theme 'sans_mots': fields 'keywords_fr'/'keywords_en'"),
        ({"id": "mots", "label_fr": "X", "label_en": "X", "keywords_fr": "x"},
         "theme 'mots': field 'keywords_fr'"),
        ({"id": "mots", "label_fr": "X", "label_en": "X", "keywords_fr": ["--"]},
         "theme 'mots': field 'keywords_fr': invalid keyword"),
    ],
)
def test_invalid_theme_names_file_theme_and_field(data_copy: Path, theme: dict,
                                                  expected: str) -> None:
    _write_themes(data_copy, [theme])
    with pytest.raises(DataError) as err:
        load_themes()
    assert str(data_copy / "themes.yaml") in str(err.value)
    assert expected in str(err.value)


def test_duplicate_theme_id_is_refused(data_copy: Path) -> None:
    item = {"id": "x", "label_fr": "X", "label_en": "X", "keywords_fr": ["x"]}
    _write_themes(data_copy, [item, item])
    with pytest.raises(DataError, match="theme 'x': field 'id' is a duplicate"):
        load_themes()


def test_bad_yaml_is_a_data_error_naming_the_file(data_copy: Path) -> None:
    (data_copy / "themes.yaml").write_text("themes: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(DataError, match="themes.yaml: invalid YAML"):
        load_themes()


def test_missing_file_is_a_data_error(data_copy: Path) -> None:
    (data_copy / "themes.yaml").unlink()
    with pytest.raises(DataError, match="themes.yaml: data file not found"):
        detect_themes("IA")


# --- one scan per document: sentences read from the document's hits ----------------------------

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
_CROSSING = (
    "Le Centre de recherche en physique\ndes particules et l'IA.Fin du texte ; la e-santé et "
    "l’intelligence artificielle au programme PRIMA et Horizon\nEurope (2026), énergies "
    "renouvelables,hydrogène vert. Microélectronique ! Systèmes embarqués.\n"
)


def _texts() -> list[str]:
    return [_CROSSING] + [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def _passages(text: str, rng: random.Random) -> list[str]:
    """Lines, sentences and random cuts of `text` (many starting or ending inside a word)."""
    found = [line.strip() for line in text.splitlines()]
    found += [s.strip() for s in re.split(r"(?<=[.!?;])\s+", text)]
    for _ in range(300):
        start = rng.randrange(len(text))
        found.append(text[start:start + rng.randrange(1, 400)].strip())
    return [p for p in found if p]


def test_sentence_hits_taken_from_the_document_equal_the_sentence_read_alone() -> None:
    from matcher.programmes import programme_matcher
    from matcher.themes import TextWords, passage_owners, theme_matcher

    rng = random.Random(5)
    themes, programmes = theme_matcher(), programme_matcher()
    from_document = 0
    for text in _texts():
        words = TextWords.of(text)
        for matcher in (themes, programmes):
            hits = matcher.word_hits(words)
            starts = [h[0] for h in hits]
            assert sum(len(h[2]) for h in hits) == sum(matcher.counts(text).values())
            for passage in _passages(text, rng):
                where = words.passage_words(passage)
                owners = None if where is None else passage_owners(hits, starts, *where)
                if owners is not None:
                    from_document += 1
                    assert owners == set(matcher.counts(passage)), passage
    assert from_document > 500  # most passages are found whole, so the check means something


def test_word_spans_point_at_the_words_in_the_folded_text() -> None:
    from matcher.themes import TextWords

    words = TextWords.of("L’énergie  solaire, e-santé et R&D.")
    assert [words.form[a:b] for a, b in words.spans] == list(words.exact)
    assert words.exact == ("L", "energie", "solaire", "e", "sante", "et", "R&D")


def test_a_hit_across_a_line_break_is_not_given_to_either_line() -> None:
    from matcher.themes import TextWords, passage_owners, theme_matcher

    text = "Un laboratoire de physique\ndes particules à Rabat."
    words = TextWords.of(text)
    hits = theme_matcher().word_hits(words)
    first_line = words.passage_words("Un laboratoire de physique")
    assert first_line is not None
    assert passage_owners(hits, [h[0] for h in hits], *first_line) is None
    assert words.passage_words("laboratoire de phys") is None  # ends inside a word


def test_features_give_the_same_results_as_reading_each_sentence_alone() -> None:
    from matcher.profiles import Features
    from matcher.programmes import programme_matcher
    from matcher.themes import theme_matcher

    rng = random.Random(11)
    themes, programmes = theme_matcher(), programme_matcher()
    for text in _texts():
        features = Features()
        assert features.document(text) == json.dumps(themes.counts(text), sort_keys=True)
        for passage in _passages(text, rng):
            assert features.sentence(passage) == (
                json.dumps(sorted(themes.counts(passage))),
                json.dumps(sorted(programmes.counts(passage))),
            ), passage


def test_case_form_is_nfc_then_each_character_folded_then_spaces_collapsed() -> None:
    import unicodedata

    from matcher.themes import _ASCII_FORMS, _case_form

    rng = random.Random(2)
    samples = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for _ in range(3000):
        samples.append("".join(chr(rng.choice([
            rng.randrange(0, 0x3100), rng.randrange(0, 0x3100), rng.randrange(8, 40), 32, 32,
            0xA0, 0x2019, 0xE9, 0x301, 0x153, 0x2028, 0x85])) for _ in range(rng.randrange(60))))
    for text in samples:
        expected = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).translate(
            _ASCII_FORMS)).strip()
        assert _case_form(text) == expected, repr(text)
