"""The web face of the matcher: a Flask application factory over the library.

`create_app()` follows Flask's tutorial (flaskr): defaults, then the instance
folder's config.py, then the test configuration; one blueprint per area.
`serve(db)` runs the app under waitress (a real WSGI server); `flask --app web run`
is for development.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from matcher.config import db_path

log = logging.getLogger(__name__)

csrf = CSRFProtect()

DEFAULTS: dict[str, Any] = {
    "MATCHER_DB": None,  # None: matcher.config.db_path() (MATCHER_DB or var/matcher.db)
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,  # uploads: 10 Mo
    "UPLOAD_EXTENSIONS": (".txt", ".md", ".html", ".htm", ".pdf"),
    "UPLOAD_FOLDER": None,  # None: <instance>/uploads
    "MAX_TOP": 50,
    "DEFAULT_TOP": 10,
    "WTF_CSRF_TIME_LIMIT": None,  # a form left open during a meeting still posts
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
}


def create_app(test_config: dict[str, Any] | None = None, *,
               db: str | os.PathLike[str] | None = None) -> Flask:
    """Build the application; `db` (or config MATCHER_DB) names the registry."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "MATCHER_INSTANCE_DIR"
    )
    kwargs: dict[str, Any] = {"instance_relative_config": True}
    if instance_path:
        kwargs["instance_path"] = str(Path(instance_path).resolve())
    app = Flask(__name__, **kwargs)
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    if db is not None:
        app.config["MATCHER_DB"] = str(db)
    app.config["MATCHER_DB"] = str(db_path(app.config.get("MATCHER_DB")))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    app.config["SECRET_KEY"] = _secret_key(app)

    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # accents as they are
    csrf.init_app(app)

    from . import (
        api,
        catalogue,
        documents,
        errors,
        i18n,
        organisations,
        programmes,
        search,
        security,
    )
    from .registry import init_app as init_registry

    init_registry(app)
    i18n.init_app(app)
    catalogue.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    documents.init_app(app)
    app.register_blueprint(search.bp)
    app.register_blueprint(organisations.bp)
    app.register_blueprint(programmes.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # the JSON API only reads (GET); nothing to forge
    return app


def _secret_key(app: Flask) -> str:
    """MATCHER_SECRET_KEY, else the configured key, else one generated into the instance folder."""
    env = os.environ.get("MATCHER_SECRET_KEY")
    if env:
        return env
    if app.config.get("SECRET_KEY"):
        return str(app.config["SECRET_KEY"])
    path = Path(app.instance_path) / "secret_key"
    if path.is_file():
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def serve(db: str | os.PathLike[str] | None = None, host: str = "127.0.0.1", port: int = 5000,
          *, threads: int = 4) -> None:
    """Run the app under waitress until interrupted."""
    from waitress import serve as waitress_serve

    app = create_app(db=db)
    log.info("Serving %s on http://%s:%d", app.config["MATCHER_DB"], host, port)
    waitress_serve(app, host=host, port=port, threads=threads)


__all__ = ["create_app", "serve"]
