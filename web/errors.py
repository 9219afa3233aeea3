"""One error handler for the whole app: JSON under /api/, the error template elsewhere.

Library errors (matcher.errors) become HTTP statuses: a bad parameter is 400, an
unknown organisation or programme 404, a missing registry 503.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from matcher.errors import (
    DataError,
    InputError,
    MatcherError,
    NotFoundError,
    RegistryError,
    UsageError,
)

log = logging.getLogger(__name__)

STATUS = {
    NotFoundError: 404,
    InputError: 400,
    UsageError: 400,
    RegistryError: 503,
    DataError: 500,
}

TITLES = {
    "fr": {
        400: "Requête invalide",
        404: "Introuvable",
        405: "Méthode non autorisée",
        413: "Fichier trop volumineux",
        500: "Erreur interne",
        503: "Service indisponible",
    },
    "en": {
        400: "Bad request",
        404: "Not found",
        405: "Method not allowed",
        413: "File too large",
        500: "Internal error",
        503: "Service unavailable",
    },
}


def status_of(error: BaseException) -> int:
    for cls, status in STATUS.items():
        if isinstance(error, cls):
            return status
    return 500


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def _message(error: BaseException, status: int) -> str:
    from .i18n import current_lang

    if isinstance(error, CSRFError):
        return {"fr": "Jeton CSRF manquant ou invalide : rechargez la page et réessayez.",
                "en": "Missing or invalid CSRF token: reload the page and retry."}[current_lang()]
    if status == 413:
        limit = request.max_content_length or 0
        return {"fr": f"Fichier trop volumineux : {limit // (1024 * 1024)} Mo au plus.",
                "en": f"File too large: {limit // (1024 * 1024)} MB at most."}[current_lang()]
    if isinstance(error, HTTPException):
        return str(error.description or error.name)
    return str(error)


def handle_error(error: Exception) -> tuple[Response | str, int]:
    """Render any error once: JSON `{"error": {"status", "message"}}` or error.html."""
    from .i18n import current_lang

    if isinstance(error, HTTPException):
        status = error.code or 500
    elif isinstance(error, MatcherError):
        status = status_of(error)
    else:
        log.exception("Unhandled error on %s", request.path)
        status = 500
        error = InternalServerError()
    if status >= 500 and isinstance(error, MatcherError):
        log.error("%s: %s", request.path, error)
    message = _message(error, status)
    lang = current_lang()
    title = TITLES[lang].get(status) or (
        error.name if isinstance(error, HTTPException) else TITLES[lang][500])
    suggestions = list(getattr(error, "suggestions", ()) or ())
    if wants_json():
        body = {"error": {"status": status, "title": title, "message": message}}
        if suggestions:
            body["error"]["suggestions"] = suggestions
        return jsonify(body), status
    return render_template("error.html", status=status, title=title, message=message,
                           suggestions=suggestions), status


def init_app(app: Flask) -> None:
    app.register_error_handler(Exception, handle_error)
