"""Browser scenarios: Debian's chromium through Playwright, against the app served by
waitress on 127.0.0.1 (a real WSGI server)."""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import pytest

from matcher.text import fold

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "screenshot-results.png"
PROGRAMME = "cern-associate"

ARTICLE = """Maintenance prédictive : un partenariat à Meknès

L'Université Moulay Ismail de Meknès et l'entreprise Zenith Capteurs Industriels ont lancé
un projet de maintenance prédictive et d'internet des objets industriel à Meknès.
Zenith Capteurs Industriels conçoit des capteurs pour l'industrie automobile.
"""


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True,
                                  locale="fr-FR")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.set_default_timeout(30_000)
    yield tab
    context.close()
    assert not errors, f"browser errors: {errors}"


def search(page, base: str) -> None:
    page.goto(base + "/")
    page.select_option("#programme", PROGRAMME)
    page.fill("#top", "10")
    page.click("form.search button[type=submit]")
    page.wait_for_selector("table.results tbody tr")


def test_search_for_cern_associate_and_open_a_candidate(page, live_server, tmp_path) -> None:
    search(page, live_server.url)
    assert f"programme={PROGRAMME}" in page.url, "the search is in the URL (bookmarkable)"
    rows = page.locator("table.results tbody tr")
    assert 1 <= rows.count() <= 10
    assert rows.first.locator("svg.scorebar rect").count() >= 2
    shot = tmp_path / "results.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank one
    if os.environ.get("MATCHER_UPDATE_SCREENSHOT"):  # refresh docs/ on purpose only
        shutil.copy(shot, SCREENSHOT)
    first = rows.first.locator("td.org > a")
    name = first.inner_text().strip()
    first.click()
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text().strip() == name
    assert page.locator("blockquote.evidence").count() >= 1
    page.click("text=Trouver des partenaires pour cette organisation")
    page.wait_for_selector("h1")
    assert name in page.locator("h1").inner_text()


def test_download_csv_has_the_rows_of_the_page(page, live_server) -> None:
    search(page, live_server.url)
    names = [n.strip() for n in page.locator("table.results tbody td.org > a").all_inner_texts()]
    with page.expect_download() as info:
        page.click("a[data-format=csv]")
    download = info.value
    assert download.suggested_filename.startswith(f"shortlist-{PROGRAMME}")
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(names)
    name_column = [c for c in rows[0] if c.lower() in ("nom", "name", "organisation")][0]
    assert [r[name_column] for r in rows] == names


def test_upload_a_document_and_find_its_organisation(page, live_server, tmp_path) -> None:
    article = tmp_path / "meknes-maintenance.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    page.goto(live_server.url + "/documents")
    page.set_input_files("#file", str(article))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("li.job.current")
    page.wait_for_selector("li.job.current.done", timeout=120_000)
    page.wait_for_load_state("load")
    row = page.locator("table.documents tbody tr", has_text="meknes-maintenance")
    row.first.locator("a").first.click()
    page.wait_for_selector("ul.orgs a")
    orgs = [o.strip() for o in page.locator("ul.orgs a").all_inner_texts()]
    assert any("moulay ismail" in fold(o) for o in orgs), orgs
    page.goto(live_server.url + "/results?q=maintenance+pr%C3%A9dictive")
    page.wait_for_selector("table.results tbody tr")
    found = page.locator("table.results td.org > a").all_inner_texts()
    assert any("moulay ismail" in fold(n) or "zenith" in fold(n) for n in found), found
