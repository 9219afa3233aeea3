"""Reports: open what was written (CSV, XLSX, Markdown, HTML, PDF) and check its content."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from matcher import __version__, export
from matcher.errors import UsageError
from matcher.records import Candidate, Consortium, Evidence, RuleCheck, Shortlist

HOSTILE = 'Le <script>alert("x")</script> de l\'ENSA | *gras* & [lien](http://x)'


def _shortlist() -> Shortlist:
    return Shortlist(
        candidates=(
            Candidate(
                rank=1, id=11, name="Université Ibn Tofaïl de Kénitra", type="university",
                city="Kénitra", region="Rabat-Salé-Kénitra", country="MA", score=0.62,
                components={"text": 0.3, "themes": 0.2, "geography": 0.1, "links": 0.02},
                matched_themes=("physique", "physique_des_particules"),
                matched_terms=("atlas", "détecteur"),
                evidence=(
                    Evidence("seeds/000_cern.txt", "2023-06-22",
                             "Des chercheurs de l’Université Ibn Tofaïl participent à ATLAS."),
                    Evidence("seeds/004_ensa.txt", "2025-02-03", HOSTILE),
                ),
                existing_partner=True,
            ),
            Candidate(
                rank=2, id=12, name="Société Électronique du Maroc", type="company",
                city="Casablanca", region=None, country="MA", score=0.41,
                components={"text": 0.2, "themes": 0.15, "evidence": 0.06},
                matched_themes=("electronique",), matched_terms=("électronique",),
                evidence=(Evidence("seeds/002_industrie.txt", None,
                                   "La société fabrique des cartes électroniques à Aïn Sebaâ."),),
            ),
            Candidate(
                rank=3, id=13, name="Cluster Froid & Vide", type="cluster", city=None, region=None,
                country=None, score=0.1, components={"text": 0.1}, matched_themes=(),
            ),
        ),
        programme="cern-associate",
        filters={"type": "company", "region": None},
        params={"top": 10, "method": "tfidf+themes"},
        registry_hash="3f2a9c0d1e",
        registry_size=57,
        created="2026-11-21T21:30:00+00:00",
    )


def _consortium() -> Consortium:
    members = tuple(
        Candidate(rank=i + 1, id=20 + i, name=name, type=kind, city=None, region=None,
                  country=country, score=score, components={"themes": score},
                  matched_themes=themes, role=role,
                  evidence=(Evidence(f"doc{i}.txt", "2024-01-0" + str(i + 1), f"Phrase {i}."),))
        for i, (name, kind, country, score, themes, role) in enumerate([
            ("Maroc Numeric Cluster", "cluster", "MA", 0.7, ("numerique",), "coordinateur"),
            ("Fraunhofer IPA", "research_centre", "DE", 0.5, ("robotique",), "partenaire"),
        ])
    )
    return Consortium(
        programme="horizon-europe", members=members,
        rules=(RuleCheck("3 entités de 3 pays éligibles", False, "2 pays sur 3 : MA, DE",
                         "Le Maroc est traité comme pays tiers"),
               RuleCheck("Au moins un État membre", True, "DE")),
        themes_covered=("numerique", "robotique"), themes_missing=("cybersecurite",),
        params={"size": 3}, registry_hash="ff00", registry_size=57,
        created="2026-11-21T21:30:00+00:00",
    )


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    path.write_bytes(export.render(_shortlist(), "pdf", command="match shortlist cern-associate"))
    return path


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        pytest.skip(f"{name} (poppler-utils) is not installed: run `make system-deps`")
    return found


# --- CSV and XLSX ---------------------------------------------------------------------------


def _expected_rows(result: Shortlist, lang: str = "fr") -> list[dict[str, object]]:
    """What the table must hold, computed from the JSON twin of the same result."""
    data = json.loads(export.render(result, "json"))
    from matcher.themes import theme_label

    out = []
    for cand in data["candidates"]:
        best = cand["evidence"][0] if cand["evidence"] else None
        out.append({
            "rank": cand["rank"], "id": cand["id"], "name": cand["name"],
            "type": export.type_label(cand["type"], lang), "score": cand["score"],
            "components": cand["components"],
            "themes": "; ".join(theme_label(t, lang) for t in cand["matched_themes"]),
            "evidence": best["text"] if best else "",
            "document": best["document"] if best else "",
            "date": (best["date"] or "") if best else "",
            "partner": "oui" if cand["existing_partner"] else "non",
        })
    return out


def _check_row(row: dict[str, object], want: dict[str, object], *, as_text: bool) -> None:
    def same(value: object, expected: object) -> None:
        if as_text and isinstance(expected, (int, float)):
            assert float(str(value)) == pytest.approx(float(expected))
        else:
            assert (value or "") == expected

    same(row["Rang"], want["rank"])
    same(row["Identifiant"], want["id"])
    same(row["Organisation"], want["name"])
    same(row["Type"], want["type"])
    same(row["Score"], want["score"])
    for comp, value in want["components"].items():  # type: ignore[attr-defined]
        same(row[export.component_column(comp)], value)
    same(row["Thèmes communs"], want["themes"])
    same(row["Meilleure preuve"], want["evidence"])
    same(row["Document"], want["document"])
    same(row["Date du document"], want["date"])
    same(row["Partenaire existant"], want["partner"])


def test_csv_rows_and_values_match_the_json_of_the_same_shortlist() -> None:
    result = _shortlist()
    table = list(csv.DictReader(io.StringIO(export.render(result, "csv").decode("utf-8"))))
    expected = _expected_rows(result)
    assert len(table) == len(expected) == 3
    for row, want in zip(table, expected, strict=True):
        _check_row(row, want, as_text=True)
    # a component a candidate lacks is a zero, and the components add up to the score
    assert float(table[1][export.component_column("geography")]) == 0.0
    for row in table:
        parts = [float(v) for k, v in row.items() if k.startswith("Composante ")]
        assert sum(parts) == pytest.approx(float(row["Score"]))


def test_csv_in_english_has_english_headers_and_labels() -> None:
    text = export.render(_shortlist(), "csv", lang="en").decode("utf-8")
    header = text.splitlines()[0].split(",")
    assert header[:4] == ["Rank", "ID", "Organisation", "Type"]
    assert "Geography component" in header and "Best evidence" in header
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["Type"] == "University" and rows[1]["Type"] == "Company"
    assert rows[0]["Existing partner"] == "yes"


def test_xlsx_is_a_formatted_workbook_whose_rows_match_the_json(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    result = _shortlist()
    path = tmp_path / export.filename(result, "xlsx")
    path.write_bytes(export.render(result, "xlsx", command="match shortlist cern-associate"))
    book = load_workbook(path)
    assert book.sheetnames == ["Candidats", "Requête", "Graphiques"]
    sheet = book["Candidats"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["C"].width >= len("Université Ibn Tofaïl de Kénitra")
    values = list(sheet.values)
    header = [str(v) for v in values[0]]
    table = [dict(zip(header, row, strict=True)) for row in values[1:]]
    expected = _expected_rows(result)
    assert len(table) == len(expected)
    for row, want in zip(table, expected, strict=True):
        _check_row(row, want, as_text=False)
    score_column = header.index("Score") + 1
    assert sheet.cell(row=2, column=score_column).number_format == "0.000"

    info = dict(list(book["Requête"].values)[1:])
    assert info["Commande"] == "match shortlist cern-associate"
    assert info["Empreinte du registre"] == "3f2a9c0d1e"
    assert info["Version de matcher"] == __version__
    assert info["Taille du registre"] == "57 organisations"
    assert info["Méthode : method"] == "tfidf+themes"
    assert "cern-associate" in info["Programme"]
    assert len(book["Graphiques"]._images) == 2  # components bars and themes heat map


# --- Markdown and HTML ----------------------------------------------------------------------


def test_html_shows_evidence_with_sources_and_escapes_document_text() -> None:
    html = export.render(_shortlist(), "html", command="match shortlist cern-associate").decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(" in html
    assert "Des chercheurs de l’Université Ibn Tofaïl participent à ATLAS." in html
    assert "seeds/000_cern.txt, 2023-06-22" in html
    assert "Aucune phrase de preuve enregistrée." in html  # candidate 3 has none
    assert html.count("<svg") == 2  # both charts inline
    assert "Ibn Tofaïl" in html.split('<figure class="chart-components">')[1].split("</svg>")[0]
    assert "<dt>Taille du registre</dt><dd>57 organisations</dd>" in html
    assert "<code>match shortlist cern-associate</code>" in html
    assert "<code>3f2a9c0d1e</code>" in html and __version__ in html


def test_organisation_names_are_escaped_in_tables_and_charts() -> None:
    hostile = Candidate(rank=1, id=1, name='<script>alert(1)</script> $x$ & Cie', type="company",
                        city=None, region=None, country=None, score=0.5,
                        components={"text": 0.5}, matched_themes=("physique",))
    html = export.render(Shortlist(candidates=(hostile,), query="x"), "html").decode("utf-8")
    assert "<script>" not in html
    # table, both charts (SVG text) and the detail heading; `$x$` stays text, not mathtext
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt; $x$ &amp; Cie") == 4


def test_markdown_report_keeps_document_text_literal_and_ends_with_reproduction() -> None:
    md = export.render(_shortlist(), "md").decode("utf-8")
    assert md.startswith("# Partenaires potentiels")
    assert "<script>" not in md and "\\<script\\>" in md
    assert "\\| \\*gras\\* & \\[lien\\]" in md  # no table break, no emphasis, no link
    assert "| 1 | Université Ibn Tofaïl de Kénitra (Partenaire existant) | Université |" in md
    assert "— seeds/000\\_cern.txt, 2023-06-22" in md
    reproduce = md.split("## Reproduire ce rapport")[1]
    # without an explicit command, the report rebuilds one from the result
    assert "match shortlist cern-associate --type company --top 10" in reproduce
    assert "3f2a9c0d1e" in reproduce and __version__ in reproduce


def test_english_report_uses_english_labels() -> None:
    md = export.render(_shortlist(), "md", lang="en").decode("utf-8")
    assert md.startswith("# Potential partners")
    assert "| University |" in md and "Geography" in md and "Reproduce this report" in md
    assert "Université |" not in md


def test_partner_search_report_charts_the_wanted_themes_in_english(tmp_path: Path) -> None:
    base = _shortlist()
    partners = Shortlist(candidates=base.candidates, organisation="Maroc Numeric Cluster",
                         params={"top": 3, "themes": {"electronique": 0.9, "physique": 0.1}},
                         registry_size=57, created=base.created)
    html = export.render(partners, "html", lang="en").decode("utf-8")
    assert "<h1>Potential partners of Maroc Numeric Cluster</h1>" in html
    heat_map = html.split('<figure class="chart-themes">')[1].split("</svg>")[0]
    assert "Wanted themes covered" in heat_map
    # most wanted theme first: Electronics before Physics
    assert heat_map.index("Electronics") < heat_map.index("Physics")
    assert "match partners &#39;Maroc Numeric Cluster&#39; --top 3" in html
    pdf = tmp_path / "partners.pdf"
    pdf.write_bytes(export.render(partners, "pdf", lang="en"))
    text = subprocess.run([_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Page 1 of" in text and "Reproduce this report" in text


def test_consortium_report_lists_rules_roles_and_missing_themes() -> None:
    result = _consortium()
    html = export.render(result, "html").decode("utf-8")
    assert "Règles de composition" in html
    assert '<td class="no">non</td>' in html and '<td class="yes">oui</td>' in html
    assert "Le Maroc est traité comme pays tiers" in html
    assert "coordinateur" in html
    rows = list(csv.DictReader(io.StringIO(export.render(result, "csv").decode("utf-8"))))
    assert [r["Rôle"] for r in rows] == ["coordinateur", "partenaire"]
    md = export.render(result, "md").decode("utf-8")
    assert "match consortium horizon-europe" in md
    from matcher.themes import theme_label

    assert theme_label("cybersecurite") in md.split("**Thèmes manquants**")[1].splitlines()[0]


def test_consortium_workbook_has_a_rules_sheet(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "c.xlsx"
    path.write_bytes(export.render(_consortium(), "xlsx"))
    book = load_workbook(path)
    assert book.sheetnames == ["Membres", "Requête", "Règles", "Graphiques"]
    rules = list(book["Règles"].values)
    assert rules[0] == ("Règle", "Respectée", "Détail", "Hypothèse")
    assert rules[1][:2] == ("3 entités de 3 pays éligibles", "non")


def test_empty_shortlist_still_renders_every_format(tmp_path: Path) -> None:
    empty = Shortlist(candidates=(), query="cryogénie", registry_size=0,
                      created="2026-11-21T08:00:00+00:00")
    header = export.render(empty, "csv").decode("utf-8").splitlines()
    assert len(header) == 1 and header[0].startswith("Rang,Identifiant,Organisation")
    assert "Aucun candidat." in export.render(empty, "md").decode("utf-8")
    assert "<svg" not in export.render(empty, "html").decode("utf-8")
    assert export.render(empty, "pdf").startswith(b"%PDF")
    assert export.render(empty, "xlsx")[:2] == b"PK"


# --- PDF ----------------------------------------------------------------------------------


def test_pdf_text_keeps_accents_and_numbers_its_a4_pages(pdf_file: Path) -> None:
    text = subprocess.run([_tool("pdftotext"), "-layout", str(pdf_file), "-"],
                          capture_output=True, text=True, check=True).stdout
    for expected in ("Université Ibn Tofaïl de Kénitra", "Société Électronique du Maroc",
                     "Aïn Sebaâ", "Taille du registre", "Reproduire ce rapport",
                     "match shortlist cern-associate", "3f2a9c0d1e"):
        assert expected in text
    assert '<script>alert("x")</script>' in text  # shown as text, not lost
    info = subprocess.run([_tool("pdfinfo"), str(pdf_file)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 2
    assert "(A4)" in next(line for line in info.splitlines() if line.startswith("Page size:"))
    assert f"Page 1 sur {pages}" in text and f"Page {pages} sur {pages}" in text


def test_pdf_embeds_both_charts_and_renders_to_an_image(pdf_file: Path, tmp_path: Path) -> None:
    listing = subprocess.run([_tool("pdfimages"), "-list", str(pdf_file)], capture_output=True,
                             text=True, check=True).stdout.splitlines()
    images = [line for line in listing[2:] if line.split()[2] == "image"]
    assert len(images) == 2
    subprocess.run([_tool("pdftoppm"), "-r", "50", "-png", "-f", "1", "-l", "1",
                    str(pdf_file), str(tmp_path / "page")], check=True)
    from PIL import Image

    page = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    colours = page.getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 50  # text, tables and charts, not a blank page


# --- arguments, names, output ---------------------------------------------------------------


def test_unknown_format_or_language_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="docx"):
        export.render(_shortlist(), "docx")
    with pytest.raises(UsageError, match="de"):
        export.render(_shortlist(), "md", lang="de")


def test_binary_formats_need_an_output_file(tmp_path: Path) -> None:
    out = io.BytesIO()
    with pytest.raises(UsageError, match="-o"):
        export.write(b"PK...", "xlsx", None, out)
    export.write(b"a,b\n", "csv", None, out)
    assert out.getvalue() == b"a,b\n"
    export.write(b"%PDF", "pdf", tmp_path / "r.pdf", out)
    assert (tmp_path / "r.pdf").read_bytes() == b"%PDF"


def test_filename_names_the_command_the_programme_and_the_day() -> None:
    assert export.filename(_shortlist(), "csv") == "shortlist-cern-associate-2026-11-21.csv"
    assert export.filename(_consortium(), "pdf") == "consortium-horizon-europe-2026-11-21.pdf"
    partners = Shortlist(candidates=(), organisation="Université Ibn Tofaïl de Kénitra",
                         created="2026-01-05T10:00:00")
    assert export.filename(partners, "xlsx") == (
        "partners-universite-ibn-tofail-de-kenitra-2026-01-05.xlsx")


def test_same_result_gives_the_same_text_reports() -> None:
    for fmt in ("csv", "json", "md", "html"):
        assert export.render(_shortlist(), fmt) == export.render(_shortlist(), fmt)



# --- end to end: reports of a real shortlist of the seeds registry ---------------------------


@pytest.mark.slow
def test_reports_of_a_real_seeds_shortlist_agree_with_each_other(seeds_registry: Path,
                                                                  tmp_path: Path) -> None:
    from markupsafe import escape
    from openpyxl import load_workbook

    from matcher.consortium import consortium
    from matcher.ranking import shortlist
    from matcher.store import Registry

    with Registry(seeds_registry) as registry:
        result = shortlist(registry, "cern-associate", top=8)
        team = consortium(registry, "horizon-europe")
    assert result.candidates
    data = json.loads(export.render(result, "json"))
    names = [c["name"] for c in data["candidates"]]

    table = list(csv.DictReader(io.StringIO(export.render(result, "csv").decode("utf-8"))))
    assert [r["Organisation"] for r in table] == names
    assert [float(r["Score"]) for r in table] == [c["score"] for c in data["candidates"]]

    (tmp_path / "r.xlsx").write_bytes(export.render(result, "xlsx"))
    sheet = load_workbook(tmp_path / "r.xlsx")["Candidats"]
    assert [row[2] for row in list(sheet.values)[1:]] == names

    html = export.render(result, "html").decode("utf-8")
    for cand in result.candidates:
        assert str(escape(cand.name)) in html
        for ev in cand.evidence:
            assert str(escape(ev.text)) in html
    assert f"<code>{result.registry_hash}</code>" in html

    pdf = tmp_path / export.filename(result, "pdf")
    pdf.write_bytes(export.render(result, "pdf"))
    text = " ".join(subprocess.run([_tool("pdftotext"), str(pdf), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    assert all(name in text for name in names)
    assert "match shortlist cern-associate --top 8" in text

    md = export.render(team, "md").decode("utf-8")
    assert md.startswith("# Consortium proposé")
    assert all(rule.rule.split()[0] in md for rule in team.rules)


@pytest.mark.slow
def test_cli_writes_the_same_reports_and_needs_o_for_binary_formats(seeds_registry: Path,
                                                                    tmp_path: Path) -> None:
    from click.testing import CliRunner

    from matcher.cli import cli
    from matcher.ranking import shortlist
    from matcher.store import Registry

    db = str(seeds_registry)
    runner = CliRunner()
    refused = runner.invoke(cli, ["shortlist", "cern-associate", "--db", db, "--format", "xlsx"])
    assert refused.exit_code == 1
    assert "Error: le format xlsx est binaire : donner un fichier avec -o" in refused.output

    printed = runner.invoke(cli, ["shortlist", "cern-associate", "--db", db, "--format", "csv"])
    assert printed.exit_code == 0, printed.output
    with Registry(seeds_registry) as registry:
        expected = export.render(shortlist(registry, "cern-associate"), "csv")
    assert printed.stdout_bytes == expected

    target = tmp_path / "rapport.md"
    written = runner.invoke(cli, ["shortlist", "cern-associate", "--db", db, "-o", str(target)])
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8").startswith("# Partenaires potentiels")
