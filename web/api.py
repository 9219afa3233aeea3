"""The JSON API: the same records as `match ... --format json` (matcher.serialize),
byte for byte, and an OpenAPI 3 description at /api/openapi.json."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from matcher.errors import UsageError
from matcher.records import ORG_TYPES
from matcher.serialize import to_json

from .catalogue import programmes
from .documents import ingestor
from .openapi import openapi_document
from .organisations import _top, consortium_args, run_consortium, run_partners
from .registry import get_registry
from .search import run_shortlist, search_form

bp = Blueprint("api", __name__, url_prefix="/api")


def as_json(obj: Any) -> Response:
    """What the CLI prints for --format json, with a trailing newline."""
    return Response(to_json(obj) + "\n", mimetype="application/json")


@bp.get("/programmes")
def api_programmes() -> Response:
    return as_json(programmes())


@bp.get("/programmes/<programme_id>")
def api_programme(programme_id: str) -> Response:
    from .catalogue import get_programme

    return as_json(get_programme(programme_id))


@bp.get("/organisations")
def api_organisations() -> Response:
    org_type = request.args.get("type") or None
    if org_type and org_type not in ORG_TYPES:
        raise UsageError(f"type={org_type!r} : type inconnu ; attendu : " + ", ".join(ORG_TYPES))
    return as_json(get_registry().organisations(type=org_type))


@bp.get("/organisations/<int:org_id>")
def api_organisation(org_id: int) -> Response:
    return as_json(get_registry().organisation(org_id))


@bp.get("/shortlist")
def api_shortlist() -> Response:
    form = search_form()
    if not form.validate():
        errors = {name: list(msgs) for name, msgs in form.errors.items()}
        message = "; ".join(f"{name} : {' '.join(msgs)}" for name, msgs in errors.items())
        response = jsonify({"error": {"status": 400, "message": message, "fields": errors}})
        response.status_code = 400
        return response
    return as_json(run_shortlist(form.params()))


@bp.get("/partners/<int:org_id>")
def api_partners(org_id: int) -> Response:
    _, result = run_partners(org_id, _top())
    return as_json(result)


@bp.get("/consortium")
def api_consortium() -> Response:
    _, result = run_consortium(consortium_args())
    return as_json(result)


@bp.get("/documents")
def api_documents() -> Response:
    return as_json(get_registry().documents())


@bp.get("/documents/<int:doc_id>")
def api_document(doc_id: int) -> Response:
    return as_json(get_registry().document(doc_id))


@bp.get("/jobs/<job_id>")
def api_job(job_id: str) -> Response:
    job = ingestor().get(job_id)
    if job is None:
        abort(404, f"Aucune ingestion {job_id!r} (les ingestions sont oubliées au redémarrage).")
    response = jsonify(job.public())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/openapi.json")
def api_openapi() -> Response:
    return jsonify(openapi_document())
