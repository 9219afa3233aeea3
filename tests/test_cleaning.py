"""Cleaning drops site junk by general rules and keeps the article; metadata is found."""

from __future__ import annotations

import pytest

from matcher.cleaning import (
    clean_html,
    clean_text,
    clean_text_with_metadata,
    detect_language,
    parse_date,
    unwrap_lines,
)

ARTICLE = (
    "La Fondation MAScIR et l'Université Mohammed VI Polytechnique ont signé une convention "
    "de recherche sur les matériaux avancés, à Ben Guérir.\n\n"
    "Le partenariat prévoit des thèses en co-tutelle, un laboratoire commun et l'accueil "
    "d'ingénieurs de PME marocaines de l'électronique."
)
NBSP_RUN = "\u00a0\u00a0\u00a0\u00a0 "
HEADLINES = [
    "Météo : fortes pluies attendues dans le Nord",
    "Football : le club local se qualifie pour la finale",
    "Bourse : le MASI termine la semaine en hausse",
    "Tourisme : les arrivées progressent de 12% en avril",
    "Santé : ouverture d'un nouvel hôpital régional",
    "Automobile : un nouveau modèle assemblé à Tanger",
]


# --- an ordinary article passes through untouched ---


def test_ordinary_article_paragraphs_survive_unchanged() -> None:
    assert clean_text(ARTICLE) == ARTICLE


def test_paragraph_breaks_are_kept_as_blank_lines() -> None:
    text = clean_text("Premier paragraphe.\nSecond paragraphe.\n\n\n\nTroisième paragraphe.")
    expected = ["Premier paragraphe.", "Second paragraphe.", "Troisième paragraphe."]
    assert text.split("\n\n") == expected


def test_text_wrapped_at_a_fixed_width_is_unwrapped_even_before_a_capital() -> None:
    text = clean_text(
        "Une convention a été signée entre l'Université Ibn\n"
        "Zohr d'Agadir et l'ENSA de Tanger pour développer\n"
        "la recherche sur l'hydrogène vert dans la région.\n"
        "Court paragraphe.\n\nSuite.")
    assert text.split("\n\n") == [
        "Une convention a été signée entre l'Université Ibn Zohr d'Agadir et l'ENSA de Tanger "
        "pour développer la recherche sur l'hydrogène vert dans la région. Court paragraphe.",
        "Suite."]


def test_sentence_broken_by_a_blank_line_is_rejoined() -> None:
    text = clean_text("Il peut les aider dans leur projet de\n\ndéveloppement à l'export.")
    assert text == "Il peut les aider dans leur projet de développement à l'export."


# --- tickers, navigation, notices ---


def test_headline_ticker_line_is_dropped() -> None:
    raw = NBSP_RUN.join(HEADLINES) + "\n\n" + ARTICLE
    assert clean_text(raw) == ARTICLE


def test_ticker_separated_by_tabs_is_dropped() -> None:
    raw = "\t".join(HEADLINES) + "\n" + ARTICLE
    assert clean_text(raw) == ARTICLE


def test_paragraph_with_a_few_double_spaces_is_not_a_ticker() -> None:
    paragraph = (
        "Le ministère   a signé la convention.   Les universités de la région   y participent, "
        "avec les centres techniques et les écoles d'ingénieurs qui forment les techniciens."
    )
    assert "Le ministère a signé la convention." in clean_text(paragraph)


def test_navigation_menu_and_breadcrumb_are_dropped() -> None:
    raw = "Accueil | Économie | Sport | Culture\nAccueil > Économie > Industrie\n\n" + ARTICLE
    assert clean_text(raw) == ARTICLE


@pytest.mark.parametrize(
    "notice",
    [
        "Cliquez ici pour lire l'article depuis sa source.",
        "Merci d'avoir signalé!",
        "Cette image sera automatiquement bloquée après qu'elle soit signalée par plusieurs gens.",
        "Lire aussi : Le Maroc accueille une conférence sur l'hydrogène vert",
        "Abonnez-vous à notre newsletter",
        "© 2024 Le Journal. Tous droits réservés.",
        "Commentaires (3)",
        "Crédit photo : DR",
        "Réagir à cet article",
    ],
)
def test_site_notice_lines_are_dropped(notice: str) -> None:
    assert clean_text(f"{notice}\n\n{ARTICLE}\n\n{notice}") == ARTICLE


def test_long_article_sentence_mentioning_a_newsletter_is_kept() -> None:
    sentence = (
        "Le cluster publie chaque mois une newsletter destinée à ses membres, qui présente les "
        "appels à projets européens, les offres de partenariat des laboratoires universitaires et "
        "les résultats des entreprises adhérentes dans le numérique et l'électronique embarquée."
    )
    assert clean_text(sentence) == sentence


# --- share buttons ---


def test_share_buttons_line_is_dropped() -> None:
    assert clean_text("Partager Facebook Twitter LinkedIn\n\n" + ARTICLE) == ARTICLE


def test_share_buttons_before_the_first_sentence_are_stripped() -> None:
    raw = "Partager Facebook Une convention a été signée à Fès."
    assert clean_text(raw) == "Une convention a été signée à Fès."


def test_the_verb_partager_inside_a_sentence_is_kept() -> None:
    sentence = "Le cluster souhaite partager sur Facebook les résultats du projet avec ses membres."
    assert clean_text(sentence) == sentence


# --- markdown ---


def test_markdown_emphasis_is_removed() -> None:
    raw = "**Organisée par le CNRST**\n\n***Jeudi 22 juin 2023 à Rabat.***\n\n"
    raw += "*Un texte* et __un autre__."
    assert clean_text(raw).split("\n\n") == [
        "Organisée par le CNRST",
        "Jeudi 22 juin 2023 à Rabat.",
        "Un texte et un autre.",
    ]


def test_markdown_link_keeps_its_text_and_image_is_dropped() -> None:
    raw = 'Des sociétés comme [Bull](#) ou [Logica](https://example.com "x"). ![logo](a.png)'
    assert clean_text(raw) == "Des sociétés comme Bull ou Logica."


def test_autolink_becomes_the_source_url_and_leaves_the_text() -> None:
    url = "http://www.example.com/article/cluster-partenariat.N1234"
    text, meta = clean_text_with_metadata(ARTICLE + "\n\n<" + url + ">")
    assert text == ARTICLE
    assert meta["source_url"] == url


def test_bare_source_line_becomes_the_source_url() -> None:
    text, meta = clean_text_with_metadata("Source : https://example.org/a/1\n\n" + ARTICLE)
    assert (text, meta["source_url"]) == (ARTICLE, "https://example.org/a/1")


def test_markdown_heading_becomes_the_title() -> None:
    text, meta = clean_text_with_metadata("# Un institut pour l'industrie 4.0\n\n" + ARTICLE)
    assert meta["title"] == "Un institut pour l'industrie 4.0"
    assert text.startswith("Un institut pour l'industrie 4.0\n\n")


def test_title_split_by_markdown_hard_break_is_one_line() -> None:
    raw = "**Journée d'information sur le**  \n**« Projet de coopération »**\n\n" + ARTICLE
    assert clean_text_with_metadata(raw)[1]["title"] == (
        "Journée d'information sur le « Projet de coopération »"
    )


def test_text_opening_with_a_sentence_has_no_title() -> None:
    assert "title" not in clean_text_with_metadata(ARTICLE)[1]


# --- bylines ---


def test_author_name_alone_at_the_end_is_dropped() -> None:
    assert clean_text(ARTICLE + "\n\n**Karim Benali**") == ARTICLE


def test_byline_with_par_at_the_head_is_dropped() -> None:
    assert clean_text("Par Salma El Idrissi\n\n" + ARTICLE) == ARTICLE


@pytest.mark.parametrize(
    ("credit", "agency"),
    [("SB/MAP", "MAP"), ("(MAP)", "MAP"), ("Avec AFP", "AFP"), ("Source : APS", "APS")],
)
def test_agency_credit_is_dropped_and_read_as_publisher(credit: str, agency: str) -> None:
    text, meta = clean_text_with_metadata(ARTICLE + "\n\n" + credit)
    assert text == ARTICLE
    assert meta["publisher"] == agency


def test_organisation_name_ending_the_text_is_not_taken_for_an_author() -> None:
    raw = ARTICLE + "\n\nUniversité Ibn Zohr"
    assert clean_text(raw).endswith("Université Ibn Zohr")


def test_sentence_starting_with_par_ailleurs_is_kept() -> None:
    raw = ARTICLE + "\n\nPar ailleurs, le cluster prépare une mission à Bruxelles."
    assert clean_text(raw).endswith("Par ailleurs, le cluster prépare une mission à Bruxelles.")


# --- metadata: dates ---


def test_date_header_of_scraped_files_is_read_and_removed() -> None:
    text, meta = clean_text_with_metadata(" date 2026-03-11 " + ARTICLE)
    assert (text, meta["date"]) == (ARTICLE, "2026-03-11")


def test_month_only_date_header_gives_year_month() -> None:
    assert clean_text_with_metadata(" date 2025-05 " + ARTICLE)[1]["date"] == "2025-05"


def test_published_in_line_gives_date_and_publisher() -> None:
    raw = "Un titre d'article\nPublié dans Le Matin le 03 - 11 - 2019\n\n" + ARTICLE
    text, meta = clean_text_with_metadata(raw)
    assert (meta["date"], meta["publisher"]) == ("2019-11-03", "Le Matin")
    assert "Publié" not in text


def test_french_date_heading_the_text_is_the_document_date() -> None:
    raw = "Rencontre avec les entreprises\n\nJeudi 22 juin 2023 au siège du CNRST à Rabat.\n\n"
    assert clean_text_with_metadata(raw + ARTICLE)[1]["date"] == "2023-06-22"


def test_dateline_opening_the_first_paragraph_is_the_document_date() -> None:
    raw = "Rabat, 1er mars 2021 (MAP) - " + ARTICLE
    assert clean_text_with_metadata(raw)[1]["date"] == "2021-03-01"


def test_date_inside_the_body_is_not_the_document_date() -> None:
    raw = ARTICLE + "\n\nLa première convention remonte au 5 juin 2009, lors du premier sommet."
    assert "date" not in clean_text_with_metadata(raw)[1]


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("17 - 05 - 2010", "2010-05-17"),
        ("17/05/2010", "2010-05-17"),
        ("Jeudi 22 juin 2023", "2023-06-22"),
        ("le 1er décembre 2020", "2020-12-01"),
        ("3 FÉVRIER 2022", "2022-02-03"),
        ("June 3, 2024", "2024-06-03"),
        ("2024-03-12T10:00:00", "2024-03-12"),
        ("mai 2025", "2025-05"),
        ("31 février 2020", None),
        ("sans date", None),
    ],
)
def test_parse_date_reads_common_forms(written: str, iso: str | None) -> None:
    assert parse_date(written) == iso


def test_front_matter_gives_title_date_and_source_and_is_removed() -> None:
    raw = (
        "---\ntitle: Le cluster signe avec Rennes\ndate: 2013-06-10\n"
        "source: https://example.com/a\npublisher: L'Usine Nouvelle\n---\n" + ARTICLE
    )
    text, meta = clean_text_with_metadata(raw)
    assert text == ARTICLE
    assert meta == {
        "title": "Le cluster signe avec Rennes",
        "date": "2013-06-10",
        "source_url": "https://example.com/a",
        "publisher": "L'Usine Nouvelle",
    }


# --- language ---


def test_language_of_a_french_article_is_fr() -> None:
    assert detect_language(ARTICLE) == "fr"


def test_language_of_an_english_article_is_en() -> None:
    text = (
        "The cluster signed an agreement with the university to develop research in embedded "
        "electronics, and it is looking for partners in Europe for the next call."
    )
    assert detect_language(text) == "en"


def test_language_of_a_spanish_article_is_es() -> None:
    text = (
        "La universidad firmó un acuerdo con el clúster para la investigación en electrónica "
        "y la formación de los ingenieros de la región."
    )
    assert detect_language(text) == "es"


def test_language_of_arabic_script_is_ar() -> None:
    text = "وقعت الجامعة اتفاقية شراكة مع المركز الوطني للبحث العلمي والتقني"
    assert detect_language(text) == "ar"


def test_language_of_a_list_of_names_is_unknown() -> None:
    assert detect_language("MASCIR CNRST OCP UM6P ANRT") == "unknown"


# --- HTML and PDF text ---

PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Un institut pour l'industrie | Le Quotidien</title>
<meta property="og:title" content="Un institut pour l'industrie">
<meta property="og:site_name" content="Le Quotidien">
<meta property="article:published_time" content="2024-03-12T10:00:00+00:00">
<link rel="canonical" href="https://example.ma/article/123"></head>
<body><nav><ul><li><a href="/">Accueil</a></li><li><a href="/eco">Économie</a></li></ul></nav>
<article><h1>Un institut pour l'industrie</h1>
<p>Une convention a été signée mardi à Fès entre l'Université Sidi Mohammed Ben Abdellah et
le ministère de l'Industrie pour créer un institut de recherche appliquée.</p>
<p>Le nouvel institut travaillera sur la maintenance prédictive et la robotique industrielle.</p>
<p>Partager Facebook Twitter</p>
<p>Lire aussi : Le Maroc accueille une conférence sur l'hydrogène vert</p>
</article><footer>© 2024 Le Quotidien. Tous droits réservés.</footer></body></html>"""


def test_html_main_text_keeps_the_article_without_menus_or_notices() -> None:
    text, _ = clean_html(PAGE)
    assert "Une convention a été signée mardi à Fès" in text
    assert "maintenance prédictive" in text
    for junk in ("Accueil", "Partager", "Lire aussi", "droits réservés"):
        assert junk not in text


def test_html_metadata_comes_from_the_page_head() -> None:
    _, meta = clean_html(PAGE)
    assert meta["title"] == "Un institut pour l'industrie"
    assert meta["date"] == "2024-03-12"
    assert meta["source_url"] == "https://example.ma/article/123"
    assert meta["publisher"] == "Le Quotidien"
    assert meta["html_lang"] == "fr"


def test_pdf_lines_are_rejoined_into_paragraphs() -> None:
    wrapped = (
        "Le cluster a signé une convention avec l'université pour dévelop-\n"
        "per la recherche appliquée en électronique embarquée et en intel-\n"
        "ligence artificielle.\n"
        "Titre court\n"
        "Un second paragraphe commence ici et continue sur la ligne sui-\n"
        "vante."
    )
    assert unwrap_lines(wrapped).split("\n") == [
        "Le cluster a signé une convention avec l'université pour développer la recherche "
        "appliquée en électronique embarquée et en intelligence artificielle.",
        "Titre court",
        "Un second paragraphe commence ici et continue sur la ligne suivante.",
    ]


# --- an article from another site, with that site's own junk ---


def test_article_from_another_site_is_cleaned_by_the_same_rules() -> None:
    raw = (
        "Accueil › Économie › Industrie\n"
        + "\t".join(HEADLINES)
        + "\n\n## Hydrogène vert : un consortium maroco-allemand voit le jour\n\n"
        "Par La Rédaction\n"
        "Publié le : 12/03/2024 à 10h30\n"
        "Mis à jour le 13/03/2024 à 11h00\n"
        "Temps de lecture : 3 min\n"
        "Partager :\n\n" + ARTICLE + "\n\nLire aussi : Un autre sujet sans rapport\n"
        "Suivez-nous sur Google News\n\n"
        "Partager sur Facebook Partager sur LinkedIn"
    )
    text, meta = clean_text_with_metadata(raw)
    assert text == "Hydrogène vert : un consortium maroco-allemand voit le jour\n\n" + ARTICLE
    assert meta["date"] == "2024-03-12"
    assert meta["title"] == "Hydrogène vert : un consortium maroco-allemand voit le jour"


def test_english_article_metadata_and_byline() -> None:
    raw = (
        "By John Smith\n\nPublished on June 3, 2024\n\n"
        "The cluster signed an agreement with the university to develop research in embedded "
        "electronics, and it is looking for partners in Europe for the next call.\n\n"
        "Share on Facebook Share on LinkedIn"
    )
    text, meta = clean_text_with_metadata(raw)
    assert text.startswith("The cluster signed an agreement")
    assert "John Smith" not in text and "Share" not in text
    assert meta["date"] == "2024-06-03"
    assert detect_language(text) == "en"


def test_networks_named_at_the_end_of_a_sentence_are_kept() -> None:
    sentence = "Elle a travaillé comme ingénieure chez Facebook, Twitter"
    assert clean_text(sentence) == sentence


def test_date_field_line_gives_the_date_and_is_removed() -> None:
    text, meta = clean_text_with_metadata("Date de publication : 12/03/2024\n\n" + ARTICLE)
    assert (text, meta["date"]) == (ARTICLE, "2024-03-12")


def test_html_that_trafilatura_cannot_use_falls_back_to_the_tag_text() -> None:
    sentence = "Le cluster a signé une convention avec l'université de Fès."
    assert clean_html(sentence)[0] == sentence
    page = "<div><script>var x = 1;</script><p>" + sentence + "</p></div>"
    assert clean_html(page)[0] == sentence


def test_html_table_rows_become_lines_of_cells() -> None:
    text = clean_text("| Membre | Ville |\n|---|:---:|\n| Université Ibn Zohr | Agadir |")
    assert text.split("\n\n") == ["Membre; Ville", "Université Ibn Zohr; Agadir"]


def test_pathological_markup_is_cleaned_in_bounded_time() -> None:
    # quadratic regular expressions would take minutes here; the run takes about a second
    raw = "[x](" * 20000 + "\n" + "<" * 60000 + "\n" + "*a " * 60000 + "\n" + ARTICLE
    assert clean_text(raw).endswith(ARTICLE)
