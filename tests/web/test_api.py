"""The JSON API: what `match ... --format json` prints, errors as JSON with the right
status, and an OpenAPI 3 document every path of which answers as described."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher.ranking import shortlist
from matcher.serialize import to_dict, to_json
from matcher.store import Registry

pytestmark = pytest.mark.slow

PROGRAMME = "cern-associate"


def registry_of(app: Flask) -> Registry:
    return Registry(app.config["MATCHER_DB"])


def conforms(value: Any, schema: dict[str, Any], doc: dict[str, Any], where: str = "$") -> None:
    """A small JSON-schema check for the OpenAPI subset the API document uses."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return conforms(value, doc["components"]["schemas"][name], doc, where)
    if value is None:
        assert schema.get("nullable") or not schema, f"{where}: null not allowed"
        return None
    kind = schema.get("type")
    checks = {"string": str, "integer": int, "number": (int, float), "boolean": bool,
              "array": list, "object": dict}
    if kind:
        assert isinstance(value, checks[kind]), f"{where}: {type(value).__name__} is not {kind}"
        if kind in ("integer", "number"):
            assert not isinstance(value, bool), f"{where}: boolean is not {kind}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if kind == "array":
        for i, item in enumerate(value):
            conforms(item, schema.get("items", {}), doc, f"{where}[{i}]")
    if kind == "object":
        for name in schema.get("required", []):
            assert name in value, f"{where}: missing {name}"
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                conforms(value[name], sub, doc, f"{where}.{name}")
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for name, item in value.items():
                if name not in schema.get("properties", {}):
                    conforms(item, extra, doc, f"{where}.{name}")
    return None


def without_created(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: without_created(v) for k, v in data.items() if k != "created"}
    return data


@pytest.fixture
def openapi(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def example_values(app: Flask, client: FlaskClient) -> dict[str, str]:
    with registry_of(app) as reg:
        org = max(reg.organisations(), key=lambda o: (o.mentions, -o.id))
        doc_id = reg.documents()[0]["id"]
    return {"org_id": str(org.id), "doc_id": str(doc_id), "programme_id": PROGRAMME,
            "programme": PROGRAMME}


def test_openapi_document_is_openapi_3_and_every_ref_resolves(openapi: dict[str, Any]) -> None:
    assert openapi["openapi"].startswith("3.")
    assert openapi["info"]["title"] and openapi["info"]["version"]
    text = json.dumps(openapi)
    for name in set(part.split('"')[0] for part in text.split("#/components/schemas/")[1:]):
        assert name in openapi["components"]["schemas"], name
    for path, item in openapi["paths"].items():
        assert path.startswith("/api/")
        for method, op in item.items():
            assert method == "get" and op["responses"]["200"] and op["operationId"]
            names = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert names == {seg[1:-1] for seg in path.split("/") if seg.startswith("{")}


def test_every_documented_path_answers_as_described(app: Flask, client: FlaskClient,
                                                    openapi: dict[str, Any]) -> None:
    values = example_values(app, client)
    tried = 0
    for path, item in openapi["paths"].items():
        if "{job_id}" in path:
            continue  # covered by the upload tests (a job exists only after an upload)
        url = path
        for name, value in values.items():
            url = url.replace("{" + name + "}", value)
        query = [f"{p['name']}={values[p['name']]}" for p in item["get"].get("parameters", [])
                 if p["in"] == "query" and p["name"] in values]
        if query:
            url += "?" + "&".join(query)
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
        assert response.mimetype == "application/json", url
        schema = item["get"]["responses"]["200"]["content"]["application/json"].get("schema")
        if schema:
            conforms(response.get_json(), schema, openapi, url)
        tried += 1
    assert tried >= 9


def test_documented_errors_answer_with_the_error_schema(client: FlaskClient,
                                                        openapi: dict[str, Any]) -> None:
    cases = {
        "/api/organisations/987654": 404,
        "/api/partners/987654": 404,
        "/api/documents/987654": 404,
        "/api/programmes/no-such-programme": 404,
        "/api/jobs/0123abcd": 404,
        "/api/shortlist?programme=cern-associate&top=0": 400,
        "/api/shortlist?top=3": 400,
        "/api/shortlist?programme=no-such-programme": 400,
        "/api/organisations?type=alien": 400,
        "/api/consortium": 400,
        "/api/partners/1?top=x": 400,
        "/api/no-such-endpoint": 404,
    }
    for url, status in cases.items():
        response = client.get(url)
        assert response.status_code == status, (url, response.get_data(as_text=True)[:300])
        body = response.get_json()
        conforms(body, {"$ref": "#/components/schemas/Error"}, openapi, url)
        assert body["error"]["status"] == status and body["error"]["message"]


def test_shortlist_is_what_the_cli_prints(app: Flask, client: FlaskClient) -> None:
    response = client.get(f"/api/shortlist?programme={PROGRAMME}&type=university&top=4")
    with registry_of(app) as reg:
        expected = shortlist(reg, PROGRAMME, type="university", top=4)
    got = json.loads(response.data)
    assert without_created(got) == without_created(json.loads(to_json(expected)))
    assert got["candidates"] and all(c["type"] == "university" for c in got["candidates"])
    same_time = to_json(dataclasses.replace(expected, created=got["created"]))
    assert response.data == (same_time + "\n").encode("utf-8"), "byte for byte the CLI's JSON"


def test_free_text_shortlist_and_filters(app: Flask, client: FlaskClient) -> None:
    got = client.get("/api/shortlist?q=physique&country=ma&top=3").get_json()
    with registry_of(app) as reg:
        expected = shortlist(reg, None, "physique", country="MA", top=3)
    assert without_created(got) == without_created(to_dict(expected))
    assert got["filters"]["country"] == ["MA"]


def test_organisation_is_the_registry_profile(app: Flask, client: FlaskClient) -> None:
    with registry_of(app) as reg:
        org = reg.organisations()[0]
        full = reg.organisation(org.id)
        every = reg.organisations()
    assert client.get(f"/api/organisations/{org.id}").get_json() == to_dict(full)
    assert client.get("/api/organisations").get_json() == to_dict(every)


def test_partners_and_consortium_are_the_library_results(app: Flask, client: FlaskClient) -> None:
    from matcher.consortium import consortium
    from matcher.partners import partners

    with registry_of(app) as reg:
        org = max(reg.organisations(), key=lambda o: (o.mentions, -o.id))
        want_partners = partners(reg, org.name, top=5)
        want_consortium = consortium(reg, "horizon-europe", with_=(org.name,))
    got = client.get(f"/api/partners/{org.id}?top=5").get_json()
    assert without_created(got) == without_created(to_dict(want_partners))
    got = client.get(f"/api/consortium?programme=horizon-europe&with={org.id}").get_json()
    assert without_created(got) == without_created(to_dict(want_consortium))


def test_api_is_json_even_when_the_registry_is_missing(tmp_path) -> None:
    from web import create_app

    app = create_app({"TESTING": True, "MATCHER_DB": str(tmp_path / "missing.db"),
                      "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "x"})
    response = app.test_client().get("/api/organisations")
    assert response.status_code == 503
    assert "missing.db" in response.get_json()["error"]["message"]
    page = app.test_client().get("/organisations")
    assert page.status_code == 503 and "match build" in page.get_data(as_text=True)
