"""The HTML side: every page, the search form and its errors, downloads, security,
language, uploads and ingestion in the background."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher.export import FORMATS, render
from matcher.ranking import shortlist
from matcher.store import Registry

pytestmark = pytest.mark.slow

PROGRAMME = "cern-associate"


def registry_of(app: Flask) -> Registry:
    return Registry(app.config["MATCHER_DB"])


def first_org_id(app: Flask) -> int:
    with registry_of(app) as reg:
        orgs = sorted(reg.organisations(), key=lambda o: (-o.mentions, o.id))
        return orgs[0].id


def csrf_token(client: FlaskClient, url: str = "/documents") -> str:
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "the upload form carries a CSRF token"
    return match.group(1)


def wait_job(client: FlaskClient, location: str, timeout: float = 120) -> dict:
    job_id = re.search(r"job=([0-9a-f]+)", location).group(1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").get_json()
        if job["status"] in ("done", "error"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"ingestion {job_id} did not finish in {timeout} s")


# --- every page ------------------------------------------------------------------


def page_urls(app: Flask) -> list[str]:
    org_id = first_org_id(app)
    with registry_of(app) as reg:
        doc_id = reg.documents()[0]["id"]
    return [
        "/", "/programmes", f"/programmes/{PROGRAMME}", "/documents", f"/documents/{doc_id}",
        "/organisations", f"/organisations/{org_id}", f"/organisations/{org_id}/partners",
        f"/consortium?programme={PROGRAMME}&with={org_id}", f"/results?programme={PROGRAMME}",
        "/results?q=recherche+scientifique", "/organisations?type=university",
    ]


def test_every_page_answers_in_french_with_one_layout(app: Flask, client: FlaskClient) -> None:
    for url in page_urls(app):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert '<html lang="fr">' in page, url
        assert page.count('href="/static/style.css"') == 1, url
        assert "Recherche" in page and "Programmes" in page, url


def test_every_page_has_security_headers_and_no_inline_script(app: Flask,
                                                              client: FlaskClient) -> None:
    for url in [*page_urls(app), "/nowhere", "/api/programmes"]:
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, url
        assert "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        page = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), f"inline script on {url}"
        assert not re.search(r"\sstyle=\"", page), f"inline style attribute on {url}"
        assert not re.search(r"\son[a-z]+=\"", page), f"inline event handler on {url}"


def test_home_shows_the_search_form_with_programmes_types_and_regions(
        client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'method="get" action="/results"' in page
    assert f'<option value="{PROGRAMME}"' in page
    assert '<option value="university">Université</option>' in page
    assert "Fès-Meknès" in page
    for name in ("programme", "q", "type", "region", "country", "top"):
        assert f'name="{name}"' in page


# --- results ---------------------------------------------------------------------


def test_results_list_the_library_shortlist_in_order_with_links(app: Flask,
                                                                client: FlaskClient) -> None:
    page = client.get(f"/results?programme={PROGRAMME}&top=8").get_data(as_text=True)
    with registry_of(app) as reg:
        expected = shortlist(reg, PROGRAMME, top=8)
    assert expected.candidates, "the seeds give candidates for the CERN programme"
    positions = []
    for cand in expected.candidates:
        link = f'href="/organisations/{cand.id}"'
        assert link in page, cand.name
        positions.append(page.index(link))
        assert f"{cand.score:.3f}" in page
    assert positions == sorted(positions), "rows are in rank order"
    body = page.split("<tbody>")[1]
    assert body.count("<tr>") == len(expected.candidates)
    assert body.count('<svg class="scorebar"') == len(expected.candidates)


def test_results_url_is_bookmarkable_and_the_form_keeps_the_query(client: FlaskClient) -> None:
    url = f"/results?programme={PROGRAMME}&q=%C3%A9lectronique&type=&region=&country=&top=5"
    first = client.get(url).get_data(as_text=True)
    again = client.get(url).get_data(as_text=True)
    rows = re.findall(r'<td class="org">\s*<a href="(/organisations/\d+)"', first)
    assert rows and rows == re.findall(r'<td class="org">\s*<a href="(/organisations/\d+)"', again)
    assert len(rows) <= 5
    assert 'value="électronique"' in first
    assert f'<option value="{PROGRAMME}" selected>' in first


def test_form_errors_are_shown_next_to_fields_keeping_what_was_typed(client: FlaskClient) -> None:
    response = client.get("/results?programme=nope&q=robots&top=abc&country=MAR&type=alien")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Le formulaire contient des erreurs" in page
    assert 'id="programme-error"' in page and "Programme inconnu." in page
    assert 'id="top-error"' in page and "Un nombre entier entre 1 et 50" in page
    assert 'id="country-error"' in page and 'value="MAR"' in page
    assert 'id="type-error"' in page
    assert 'value="robots"' in page and 'value="abc"' in page


def test_search_needs_a_programme_or_a_need(client: FlaskClient) -> None:
    response = client.get("/results?q=++&top=10")
    assert response.status_code == 400
    assert "Choisissez un programme ou décrivez votre besoin." in response.get_data(as_text=True)


@pytest.mark.parametrize("top", ["0", "51", "-3", "2.5"])
def test_top_out_of_range_is_a_form_error(client: FlaskClient, top: str) -> None:
    response = client.get(f"/results?programme={PROGRAMME}&top={top}")
    assert response.status_code == 400
    assert 'id="top-error"' in response.get_data(as_text=True)


def test_downloads_are_the_cli_reports_with_content_disposition(app: Flask,
                                                                 client: FlaskClient) -> None:
    page = client.get(f"/results?programme={PROGRAMME}&top=6").get_data(as_text=True)
    with registry_of(app) as reg:
        expected = shortlist(reg, PROGRAMME, top=6)
    for fmt in FORMATS:
        href = f"/results.{fmt}?programme={PROGRAMME}&amp;top=6"
        assert href in page, fmt
        response = client.get(href.replace("&amp;", "&"))
        assert response.status_code == 200, fmt
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and f".{fmt}" in disposition, fmt
        assert f"shortlist-{PROGRAMME}" in disposition
        data = response.data
        if fmt == "csv":
            assert data == render(expected, "csv"), "same bytes as `match shortlist -o x.csv`"
            rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
            assert [r[next(iter(r))] for r in rows] == [str(c.rank) for c in expected.candidates]
        elif fmt == "json":
            got, want = json.loads(data), json.loads(render(expected, "json"))
            got.pop("created"), want.pop("created")
            assert got == want
        elif fmt == "xlsx":
            assert data[:2] == b"PK"
        elif fmt == "pdf":
            assert data[:5] == b"%PDF-"
        else:
            text = data.decode("utf-8")
            assert all(c.name in text or c.name.replace("'", "&#39;") in text
                       for c in expected.candidates), fmt


def test_download_with_bad_parameters_is_an_error_not_a_file(client: FlaskClient) -> None:
    response = client.get("/results.csv?top=500")
    assert response.status_code == 400
    assert "Content-Disposition" not in response.headers


# --- organisations ---------------------------------------------------------------


def test_organisation_page_shows_profile_all_evidence_and_partners(app: Flask,
                                                                  client: FlaskClient) -> None:
    org_id = first_org_id(app)
    with registry_of(app) as reg:
        org = reg.organisation(org_id)
    page = client.get(f"/organisations/{org_id}").get_data(as_text=True)
    assert f"<h1>{org.name}</h1>" in page.replace("&#39;", "'")
    assert page.count('<blockquote class="evidence">') == len(org.evidence)
    for doc_id in {e.document_id for e in org.evidence}:
        assert f'href="/documents/{doc_id}"' in page
    for partner in org.partners:
        assert f'href="/organisations/{partner.id}"' in page
    assert f'href="/organisations/{org_id}/partners"' in page
    assert f'name="with" value="{org_id}"' in page


def test_unknown_organisation_is_404_with_the_error_template(client: FlaskClient) -> None:
    response = client.get("/organisations/987654")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert '<section class="error-page">' in page and "987654" in page


def test_consortium_page_lists_members_and_rules(app: Flask, client: FlaskClient) -> None:
    org_id = first_org_id(app)
    response = client.get(f"/consortium?programme=horizon-europe&with={org_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<ul class="rules">' in page
    assert f'href="/organisations/{org_id}"' in page


def test_consortium_without_programme_is_400(client: FlaskClient) -> None:
    assert client.get("/consortium").status_code == 400
    assert client.get(f"/consortium?programme={PROGRAMME}&with=abc").status_code == 400


def test_unknown_programme_page_is_404(client: FlaskClient) -> None:
    assert client.get("/programmes/no-such-programme").status_code == 404


def test_programmes_page_shows_each_programme(client: FlaskClient) -> None:
    from matcher.programmes import load_programmes

    page = client.get("/programmes").get_data(as_text=True)
    loaded = load_programmes()
    for prog in (loaded.values() if isinstance(loaded, dict) else loaded):
        assert f'id="{prog.id}"' in page
        assert f'href="/results?programme={prog.id}"' in page


# --- language ---------------------------------------------------------------------


def test_english_switch_is_remembered_in_a_cookie(client: FlaskClient) -> None:
    response = client.get("/?lang=en")
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page and "Find partners" in page
    assert "lang=en" in response.headers.get("Set-Cookie", "")
    page = client.get("/programmes").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert 'href="/programmes?lang=fr"' in page


# --- documents and uploads --------------------------------------------------------

ARTICLE = """Partenariat dans l'électronique à El Jadida

L'Université Chouaib Doukkali d'El Jadida et la société Atlas Microsystèmes ont signé
une convention de recherche en électronique embarquée et en capteurs. <script>alert('x')</script>
Les deux partenaires prévoient un laboratoire commun à El Jadida.
"""


def upload(client: FlaskClient, name: str, data: bytes, token: str | None = None):
    form = {"file": (io.BytesIO(data), name)}
    if token is not None:
        form["csrf_token"] = token
    return client.post("/documents", data=form, content_type="multipart/form-data")


def test_documents_page_lists_ingested_documents(app: Flask, client: FlaskClient) -> None:
    page = client.get("/documents").get_data(as_text=True)
    with registry_of(app) as reg:
        docs = reg.documents()
    for doc in docs:
        assert f'href="/documents/{doc["id"]}"' in page
    assert 'enctype="multipart/form-data"' in page


def test_upload_without_csrf_token_is_refused(writable_app: Flask) -> None:
    client = writable_app.test_client()
    response = upload(client, "note.txt", ARTICLE.encode())
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert not list(Path(writable_app.config["UPLOAD_FOLDER"]).glob("*"))


@pytest.mark.parametrize("name,data", [("virus.exe", b"MZ\x90\x00"), ("notes.docx", b"PK\x03"),
                                       ("fake.pdf", b"hello, not a pdf"),
                                       ("binary.txt", b"\x00\x01\x02abc")])
def test_upload_checks_the_file_type(writable_app: Flask, name: str, data: bytes) -> None:
    client = writable_app.test_client()
    response = upload(client, name, data, csrf_token(client))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="file-error"' in page and name in page
    assert not list(Path(writable_app.config["UPLOAD_FOLDER"]).glob("*"))


def test_upload_too_large_is_413(writable_app: Flask) -> None:
    writable_app.config["MAX_CONTENT_LENGTH"] = 2048
    client = writable_app.test_client()
    response = upload(client, "big.txt", b"a" * 5000, csrf_token(client))
    assert response.status_code == 413
    assert "trop volumineux" in response.get_data(as_text=True)


def test_uploaded_document_is_ingested_and_its_script_escaped(writable_app: Flask) -> None:
    client = writable_app.test_client()
    before = client.get("/api/documents").get_json()
    response = upload(client, "../../etc/Partenariat El Jadida.txt", ARTICLE.encode("utf-8"),
                      csrf_token(client))
    assert response.status_code == 303
    job = wait_job(client, response.headers["Location"])
    assert job["status"] == "done", job
    saved = list(Path(writable_app.config["UPLOAD_FOLDER"]).iterdir())
    assert len(saved) == 1 and saved[0].name.endswith("-Partenariat_El_Jadida.txt")
    after = client.get("/api/documents").get_json()
    assert len(after) == len(before) + 1
    new = next(d for d in after if d["id"] not in {b["id"] for b in before})
    page = client.get(f"/documents/{new['id']}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    orgs = re.findall(r'href="/organisations/(\d+)"', page)
    assert orgs, "organisations were extracted from the uploaded document"
    for org_id in orgs:
        org_page = client.get(f"/organisations/{org_id}").get_data(as_text=True)
        assert "<script>alert" not in org_page
    jobs_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'id="job-{job["id"]}"' in jobs_page


def test_same_content_uploaded_twice_is_not_ingested_again(writable_app: Flask) -> None:
    client = writable_app.test_client()
    first = upload(client, "a.txt", ARTICLE.encode(), csrf_token(client))
    wait_job(client, first.headers["Location"])
    second = upload(client, "b.txt", ARTICLE.encode(), csrf_token(client))
    assert second.status_code == 200
    assert "déjà présent dans le registre" in second.get_data(as_text=True)


def test_broken_file_shows_its_error(writable_app: Flask) -> None:
    client = writable_app.test_client()
    response = upload(client, "broken.pdf", b"%PDF-1.4\n1 0 obj garbage\n%%EOF", csrf_token(client))
    assert response.status_code == 303
    job = wait_job(client, response.headers["Location"])
    assert job["status"] == "error"
    assert job["errors"] and job["errors"][0]["file"] == "broken.pdf" and job["errors"][0]["reason"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert job["errors"][0]["reason"].split(":")[0] in page.replace("&#39;", "'")


def test_requests_during_an_ingestion_see_a_consistent_registry(writable_app: Flask) -> None:
    client = writable_app.test_client()
    orgs_before = len(client.get("/api/organisations").get_json())
    response = upload(client, "concurrent.txt", ARTICLE.replace("Atlas", "Orion").encode(),
                      csrf_token(client))
    job_url = "/api/jobs/" + re.search(r"job=([0-9a-f]+)", response.headers["Location"]).group(1)
    sizes, statuses, errors = set(), [], []

    def reader() -> None:
        local = writable_app.test_client()
        while True:
            status = local.get(job_url).get_json()["status"]
            orgs = local.get("/api/organisations")
            short = local.get(f"/api/shortlist?programme={PROGRAMME}&top=5")
            if orgs.status_code != 200 or short.status_code != 200:
                errors.append((orgs.status_code, short.status_code))
            else:
                sizes.add(len(orgs.get_json()))
                statuses.append(status)
            if status in ("done", "error"):
                return

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert not errors
    assert "done" in statuses
    orgs_after = len(client.get("/api/organisations").get_json())
    assert orgs_after > orgs_before
    assert sizes <= {orgs_before, orgs_after}, "readers never see a half-written document"
