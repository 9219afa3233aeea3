"""Reading files: folders, formats, bad input refused with a reason, the seeds cleaned."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest

from matcher.documents import MAX_BYTES, SUPPORTED_SUFFIXES, iter_paths, read_document
from matcher.errors import InputError

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ARTICLE = (
    "Le Maroc Numeric Cluster a signé une convention avec l'Université Hassan II de "
    "Casablanca pour développer la recherche appliquée en électronique embarquée.\n\n"
    "Les deux partenaires prépareront ensemble une proposition pour Horizon Europe."
)


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def make_pdf(path: Path, paragraphs: list[str], title: str | None = None) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(str(path), pagesize=A4, title=title or "")
    doc.build([Paragraph(p, styles["Normal"]) for p in paragraphs])
    return path


def make_image_only_pdf(path: Path) -> Path:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    pdf.rect(100, 100, 300, 400, fill=1)  # a drawing, as a scan would be: no text layer
    pdf.showPage()
    pdf.save()
    return path


def refused(path: Path) -> str:
    with pytest.raises(InputError) as info:
        read_document(path)
    assert info.value.path == str(path)
    return info.value.reason


# --- finding files ---


def test_folders_are_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", ARTICLE)
    write(tmp_path / "a" / "z.md", ARTICLE)
    write(tmp_path / "a" / "page.HTML", "<p>x</p>")
    write(tmp_path / "c.pdf", b"%PDF-1.4")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_paths([tmp_path])] == [
        "a/page.HTML",
        "a/z.md",
        "b.txt",
        "c.pdf",
    ]


def test_hidden_and_unsupported_files_in_folders_are_skipped(tmp_path: Path) -> None:
    write(tmp_path / "article.txt", ARTICLE)
    write(tmp_path / ".cache" / "old.txt", ARTICLE)
    write(tmp_path / ".notes.txt", ARTICLE)
    write(tmp_path / "photo.jpg", b"\xff\xd8\xff")
    write(tmp_path / "rapport.docx", b"PK\x03\x04")
    assert list(iter_paths([tmp_path])) == [tmp_path / "article.txt"]


def test_a_file_named_explicitly_is_yielded_whatever_its_type(tmp_path: Path) -> None:
    docx = write(tmp_path / "rapport.docx", b"PK\x03\x04")
    assert list(iter_paths([docx])) == [docx]


def test_a_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="introuvable"):
        list(iter_paths([tmp_path / "absent"]))


def test_supported_suffixes_are_text_markdown_html_and_pdf() -> None:
    assert {".txt", ".md", ".html", ".htm", ".pdf"} <= SUPPORTED_SUFFIXES


# --- reading good files ---


def test_document_records_display_path_and_hash_of_the_raw_bytes(tmp_path: Path) -> None:
    path = write(tmp_path / "article.txt", " date 2024-01-15 Partager Facebook\n\n" + ARTICLE)
    doc = read_document(path, display_path="lot/article.txt")
    assert doc.path == "lot/article.txt"
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc.text == ARTICLE
    assert (doc.date, doc.language) == ("2024-01-15", "fr")


def test_path_defaults_to_the_path_given(tmp_path: Path) -> None:
    path = write(tmp_path / "article.md", ARTICLE)
    assert read_document(path).path == str(path)


def test_utf8_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + ARTICLE.encode())
    assert read_document(path).text == ARTICLE


def test_utf16_file_with_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "utf16.txt", ARTICLE.encode("utf-16"))
    assert read_document(path).text == ARTICLE


def test_windows_1252_file_is_accepted_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path / "ancien.txt", ARTICLE.encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="matcher.documents"):
        doc = read_document(path)
    assert doc.text == ARTICLE
    assert "Windows-1252" in caplog.text


def test_html_file_is_reduced_to_its_article_with_page_metadata(tmp_path: Path) -> None:
    page = (
        '<html lang="fr"><head><meta charset="utf-8"><title>Convention | Le Site</title>'
        '<meta property="og:title" content="Convention signée à Casablanca">'
        '<meta property="article:published_time" content="2023-10-02">'
        '<link rel="canonical" href="https://example.ma/convention"></head><body>'
        '<nav><a href="/">Accueil</a> | <a href="/eco">Économie</a> | <a href="/s">Sport</a></nav>'
        "<article><p>" + ARTICLE.replace("\n\n", "</p><p>") + "</p>"
        "<p>Partager Facebook Twitter</p></article></body></html>"
    )
    doc = read_document(write(tmp_path / "page.htm", page))
    assert "Le Maroc Numeric Cluster a signé une convention" in doc.text
    assert "Partager" not in doc.text and "Accueil" not in doc.text
    assert (doc.title, doc.date, doc.source_url) == (
        "Convention signée à Casablanca",
        "2023-10-02",
        "https://example.ma/convention",
    )


def test_html_in_a_declared_legacy_charset_is_decoded_with_it(tmp_path: Path) -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        "</head><body><article><p>" + ARTICLE + "</p></article></body></html>"
    )
    doc = read_document(write(tmp_path / "latin1.html", page.encode("latin-1")))
    assert "électronique embarquée" in doc.text


def test_text_pdf_is_read_with_its_title(tmp_path: Path) -> None:
    paragraphs = ARTICLE.split("\n\n")
    path = make_pdf(tmp_path / "rapport.pdf", paragraphs, title="Rapport annuel du cluster")
    doc = read_document(path)
    assert doc.title == "Rapport annuel du cluster"
    assert "Le Maroc Numeric Cluster a signé une convention avec l'Université Hassan II" in doc.text
    assert doc.language == "fr"


# --- refusing bad input ---


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "binaire" in refused(path)


def test_mixed_encoding_is_refused_with_what_to_do(tmp_path: Path) -> None:
    mixed = "Université de Fès ".encode() + "et Méknès".encode("cp1252")
    reason = refused(write(tmp_path / "mixed.txt", mixed))
    assert "mélangé" in reason and "UTF-8" in reason


def test_undecodable_bytes_are_refused(tmp_path: Path) -> None:
    # 0x81 and 0x8d are defined neither in UTF-8 (alone) nor in Windows-1252
    reason = refused(write(tmp_path / "bad.txt", b"Texte \x81\x8d illisible"))
    assert "UTF-8" in reason


@pytest.mark.parametrize("content", [b"", b"   \n\t\n  "])
def test_empty_or_blank_file_is_refused(tmp_path: Path, content: bytes) -> None:
    assert "vide" in refused(write(tmp_path / "vide.txt", content))


def test_file_of_only_site_junk_is_refused(tmp_path: Path) -> None:
    junk = "Partager Facebook Twitter\n\nCliquez ici pour lire l'article depuis sa source.\n"
    assert "aucun texte" in refused(write(tmp_path / "junk.txt", junk))


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "enorme.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: no 20 MB written
    assert "trop volumineux" in refused(path)


def test_image_only_pdf_is_refused_with_ocr_advice(tmp_path: Path) -> None:
    reason = refused(make_image_only_pdf(tmp_path / "scan.pdf"))
    assert "sans couche texte" in reason and "OCR" in reason


def test_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    path = tmp_path / "secret.pdf"
    doc = SimpleDocTemplate(str(path), encrypt=StandardEncryption("secret", ownerPassword="o"))
    doc.build([Paragraph(ARTICLE, getSampleStyleSheet()["Normal"])])
    assert "mot de passe" in refused(path)


def test_pdf_with_only_an_owner_password_is_read(tmp_path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    path = tmp_path / "restreint.pdf"
    doc = SimpleDocTemplate(str(path), encrypt=StandardEncryption("", ownerPassword="o"))
    doc.build([Paragraph(ARTICLE.split("\n\n")[0], getSampleStyleSheet()["Normal"])])
    assert read_document(path).text.startswith("Le Maroc Numeric Cluster a signé")


def test_damaged_pdf_is_refused(tmp_path: Path) -> None:
    good = make_pdf(tmp_path / "ok.pdf", [ARTICLE]).read_bytes()
    path = write(tmp_path / "casse.pdf", good[: len(good) // 3])
    assert "PDF" in refused(path)


def test_file_that_is_not_a_pdf_despite_its_name_is_refused(tmp_path: Path) -> None:
    assert "pas un PDF" in refused(write(tmp_path / "faux.pdf", ARTICLE))


def test_pdf_saved_with_a_txt_name_is_refused(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "vrai.pdf", [ARTICLE]).read_bytes()
    assert "PDF" in refused(write(tmp_path / "renomme.txt", pdf))


def test_unsupported_extension_is_refused(tmp_path: Path) -> None:
    reason = refused(write(tmp_path / "rapport.docx", b"PK\x03\x04"))
    assert "non pris en charge" in reason and ".pdf" in reason


def test_error_message_names_the_display_path(tmp_path: Path) -> None:
    path = write(tmp_path / "vide.md", b"")
    with pytest.raises(InputError, match=r"^envoi/vide\.md: fichier vide"):
        read_document(path, display_path="envoi/vide.md")


# --- the seeds ---

# first article sentence (start), junk that must be gone, expected metadata
SEED_EXPECTATIONS = {
    "000_4a14b4d16070c5bc.txt": (
        "En 1996, le Maroc a été admis à l'Organisation Européenne pour la Recherche Nucléaire",
        ["**", "***"],
        {"date": "2023-06-22"},
    ),
    "001_5efed123be54493d.txt": (
        "Une convention a été signée, mardi à Fès, pour la création de l’Institut Al-Jazari",
        ["date 2026", "Partager", "Facebook", "LR/MAP"],
        {"date": "2026-03-11", "publisher": "MAP"},
    ),
    "002_707f4e27bd0f0783.txt": (
        "Une nouvelle étape dans la mise en place effective de l'initiative Maroc innovation",
        [
            "Inondations à Safi",
            "Real Madrid",
            "Merci d'avoir signalé",
            "automatiquement bloquée",
            "Cliquez ici",
            "Publié dans",
        ],
        {
            "date": "2010-05-17",
            "title": "Coup d'envoi imminent de la promotion des clusters",
            "publisher": "Les ECO",
        },
    ),
    "003_fb9150143571a3bb.txt": (
        "Maroc Numeric Cluster et le pôle de compétitivité Images & Réseaux vont commencer",
        ["[Bull](#)", "<http", "usinenouvelle.com", "Nasser Djama", "*"],
        {"date": None, "source_url": "http://www.usinenouvelle.com/article/"},
    ),
    "004_95643567ecbcdec9.txt": (
        "L'innovation technologique, l’intelligence artificielle et économique",
        ["date 2025"],
        {"date": "2025-05"},
    ),
}


@pytest.mark.parametrize("name", sorted(SEED_EXPECTATIONS))
def test_seed_keeps_its_article_and_loses_its_junk(name: str) -> None:
    first_sentence, junk, expected = SEED_EXPECTATIONS[name]
    doc = read_document(SEEDS / name, display_path=f"seeds/{name}")
    assert first_sentence in doc.text
    for piece in junk:
        assert piece not in doc.text
    assert doc.language == "fr"
    for field, value in expected.items():
        actual = getattr(doc, field)
        if field == "source_url":
            assert actual is not None and actual.startswith(value)
        else:
            assert actual == value


def test_every_seed_file_is_covered_by_the_seed_test() -> None:
    assert sorted(p.name for p in iter_paths([SEEDS])) == sorted(SEED_EXPECTATIONS)


def test_seed_with_ticker_starts_with_its_title_then_its_article() -> None:
    doc = read_document(SEEDS / "002_707f4e27bd0f0783.txt")
    paragraphs = doc.text.split("\n\n")
    assert paragraphs[0] == "Coup d'envoi imminent de la promotion des clusters"
    assert paragraphs[1].startswith("Une nouvelle étape")
    assert doc.text.rstrip().endswith("au service de l'innovation.")


def test_seed_markdown_link_keeps_the_company_name() -> None:
    doc = read_document(SEEDS / "003_fb9150143571a3bb.txt")
    assert "comme Inwi, Meditel, Bull, M2M, ou Logica" in doc.text
