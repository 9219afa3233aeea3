"""The OpenAPI 3 document of /api, with schemas derived from matcher.records so
that the description cannot drift from what the API returns."""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import lru_cache
from typing import Any

from matcher import __version__, records

RECORDS = (records.Evidence, records.Partner, records.OrgProfile, records.Candidate,
           records.Shortlist, records.RuleCheck, records.Consortium)


def _schema_of(hint: Any) -> dict[str, Any]:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        schema = _schema_of(inner[0]) if len(inner) == 1 else {}
        if type(None) in args:
            schema = {**schema, "nullable": True}
        return schema
    if hint is str:
        return {"type": "string"}
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer"}
    if hint is float:
        return {"type": "number"}
    if origin in (tuple, list, set, frozenset):
        item = args[0] if args else Any
        return {"type": "array", "items": _schema_of(item)}
    if origin is dict:
        value = args[1] if len(args) == 2 else Any
        return {"type": "object", "additionalProperties": _schema_of(value)}
    if dataclasses.is_dataclass(hint):
        return {"$ref": f"#/components/schemas/{hint.__name__}"}
    return {}


def record_schema(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    return {
        "type": "object",
        "description": ((cls.__doc__ or "").strip().splitlines() or [cls.__name__])[0],
        "properties": {f.name: _schema_of(hints[f.name]) for f in fields},
        "required": [f.name for f in fields],
    }


def add_schemas(cls: type, schemas: dict[str, Any]) -> None:
    """The schema of a record and of every record it contains."""
    if cls.__name__ in schemas:
        return
    schemas[cls.__name__] = record_schema(cls)
    for hint in typing.get_type_hints(cls).values():
        for inner in (hint, *typing.get_args(hint)):
            if dataclasses.is_dataclass(inner) and isinstance(inner, type):
                add_schemas(inner, schemas)


def _param(name: str, where: str, schema: dict[str, Any], description: str,
           required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required or where == "path",
            "schema": schema, "description": description}


def _ok(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    text = {400: "Paramètre invalide", 404: "Introuvable", 503: "Registre absent"}
    return {str(c): {"description": text[c], "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}} for c in codes}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    top = _param("top", "query", {"type": "integer", "minimum": 1, "maximum": 50},
                 "Nombre de candidats (10 par défaut)")
    org_id = _param("org_id", "path", {"type": "integer"}, "Identifiant de l'organisation")
    org_type = {"type": "string", "enum": list(records.ORG_TYPES)}
    from matcher.programmes import Programme

    schemas: dict[str, Any] = {}
    for cls in (*RECORDS, Programme):
        add_schemas(cls, schemas)
    schemas["Document"] = {"type": "object", "required": ["id", "path"], "properties": {
        "id": {"type": "integer"}, "path": {"type": "string"},
        "title": {"type": "string", "nullable": True},
        "date": {"type": "string", "nullable": True},
        "source_url": {"type": "string", "nullable": True},
        "language": {"type": "string", "nullable": True}}}
    schemas["Job"] = {"type": "object", "required": ["id", "status", "files"], "properties": {
        "id": {"type": "string"},
        "status": {"type": "string", "enum": ["queued", "running", "done", "error"]},
        "files": {"type": "array", "items": {"type": "string"}},
        "total": {"type": "integer"}, "done_files": {"type": "integer"},
        "message": {"type": "string"},
        "summary": {"type": "array", "items": {"type": "string"}},
        "errors": {"type": "array", "items": {"type": "object"}}}}
    schemas["Error"] = {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["status", "message"], "properties": {
            "status": {"type": "integer"}, "message": {"type": "string"},
            "title": {"type": "string"},
            "suggestions": {"type": "array", "items": {"type": "string"}}}}}}
    paths: dict[str, Any] = {
        "/api/programmes": {"get": {
            "summary": "Programmes (data/programmes.yaml)", "operationId": "programmes",
            "responses": {"200": _ok({"type": "array", "items": _ref("Programme")},
                                     "Les programmes")}}},
        "/api/programmes/{programme_id}": {"get": {
            "summary": "Un programme", "operationId": "programme",
            "parameters": [_param("programme_id", "path", {"type": "string"},
                                  "Identifiant du programme")],
            "responses": {"200": _ok(_ref("Programme"), "Le programme"), **_errors(404)}}},
        "/api/organisations": {"get": {
            "summary": "Profils des organisations du registre", "operationId": "organisations",
            "parameters": [_param("type", "query", org_type, "Filtrer par type")],
            "responses": {"200": _ok({"type": "array", "items": _ref("OrgProfile")},
                                     "Les profils"), **_errors(400, 503)}}},
        "/api/organisations/{org_id}": {"get": {
            "summary": "Un profil complet (preuves, partenaires)", "operationId": "organisation",
            "parameters": [org_id],
            "responses": {"200": _ok(_ref("OrgProfile"), "Le profil"), **_errors(404, 503)}}},
        "/api/shortlist": {"get": {
            "summary": "Candidats classés pour un programme et/ou un besoin",
            "operationId": "shortlist",
            "parameters": [
                _param("programme", "query", {"type": "string"}, "Identifiant du programme"),
                _param("q", "query", {"type": "string", "maxLength": 500}, "Besoin en texte libre"),
                _param("type", "query", org_type, "Type d'organisation"),
                _param("region", "query", {"type": "string"}, "Région"),
                _param("country", "query", {"type": "string", "pattern": "^[A-Za-z]{2}$"},
                       "Code pays ISO 3166"),
                top],
            "responses": {"200": _ok(_ref("Shortlist"), "La liste classée"),
                          **_errors(400, 503)}}},
        "/api/partners/{org_id}": {"get": {
            "summary": "Partenaires suggérés pour une organisation", "operationId": "partners",
            "parameters": [org_id, top],
            "responses": {"200": _ok(_ref("Shortlist"), "La liste classée"),
                          **_errors(400, 404, 503)}}},
        "/api/consortium": {"get": {
            "summary": "Consortium conforme aux règles d'un programme",
            "operationId": "consortium",
            "parameters": [
                _param("programme", "query", {"type": "string"}, "Identifiant du programme",
                       required=True),
                {**_param("with", "query", {"type": "array", "items": {"type": "integer"}},
                          "Organisations imposées (identifiants)"),
                 "style": "form", "explode": True},
                _param("size", "query", {"type": "integer", "minimum": 1, "maximum": 50},
                       "Taille visée")],
            "responses": {"200": _ok(_ref("Consortium"), "Le consortium"),
                          **_errors(400, 404, 503)}}},
        "/api/documents": {"get": {
            "summary": "Documents ingérés", "operationId": "documents",
            "responses": {"200": _ok({"type": "array", "items": _ref("Document")},
                                     "Les documents"), **_errors(503)}}},
        "/api/documents/{doc_id}": {"get": {
            "summary": "Un document et ses organisations extraites", "operationId": "document",
            "parameters": [_param("doc_id", "path", {"type": "integer"},
                                  "Identifiant du document")],
            "responses": {"200": _ok(_ref("Document"), "Le document"), **_errors(404, 503)}}},
        "/api/jobs/{job_id}": {"get": {
            "summary": "État d'une ingestion lancée par un téléversement", "operationId": "job",
            "parameters": [_param("job_id", "path", {"type": "string"},
                                  "Identifiant de l'ingestion")],
            "responses": {"200": _ok(_ref("Job"), "L'état"), **_errors(404)}}},
        "/api/openapi.json": {"get": {
            "summary": "Ce document", "operationId": "openapi",
            "responses": {"200": {"description": "OpenAPI 3",
                                  "content": {"application/json": {}}}}}},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Matcher API", "version": __version__,
                 "description": "Partenaires de recherche et d'innovation au Maroc : "
                                "les mêmes données que `match ... --format json`."},
        "paths": paths,
        "components": {"schemas": schemas},
    }
