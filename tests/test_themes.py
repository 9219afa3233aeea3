"""Theme taxonomy: loading, validation errors, and keyword detection in French and English text."""

from __future__ import annotations

import shutil
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

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of data/ that a test may break; MATCHER_DATA_DIR points to it."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    monkeypatch.setenv("MATCHER_DATA_DIR", str(target))
    return target


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
