"""Fixtures of the web tests: the app over the seeds registry (built once per session by
tests/conftest.py), a writable copy for uploads, and the app served by waitress."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher.config import model_path
from web import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def make_app(db: Path, instance: Path, **extra: object) -> Flask:
    config = {"TESTING": True, "MATCHER_DB": str(db), "INSTANCE_PATH": str(instance),
              "SECRET_KEY": "tests-only-secret"}
    config.update(extra)
    return create_app(config)


def copy_registry(src: Path, dst: Path) -> Path:
    """A consistent copy of a WAL registry (SQLite backup API) and its fitted model."""
    with sqlite3.connect(src) as source, sqlite3.connect(dst) as target:
        source.backup(target)
    source.close()
    target.close()
    if model_path(src).is_file():
        shutil.copyfile(model_path(src), model_path(dst))
    return dst


@pytest.fixture
def app(seeds_registry: Path, tmp_path: Path) -> Iterator[Flask]:
    """The app over the (read-only) seeds registry."""
    application = make_app(seeds_registry, tmp_path / "instance")
    yield application
    application.extensions["matcher_ingestor"].wait(120)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def writable_db(seeds_registry: Path, tmp_path: Path) -> Path:
    return copy_registry(seeds_registry, tmp_path / "registry.db")


@pytest.fixture
def writable_app(writable_db: Path, tmp_path: Path) -> Iterator[Flask]:
    """The app over a private copy of the seeds registry, with CSRF on as in production."""
    application = make_app(writable_db, tmp_path / "instance-w", WTF_CSRF_ENABLED=True)
    yield application
    application.extensions["matcher_ingestor"].wait(120)


class LiveServer:
    """The app under waitress on 127.0.0.1 and a free port, in a thread."""

    def __init__(self, application: Flask) -> None:
        from waitress.server import create_server

        self.app = application
        self.server = create_server(application, host="127.0.0.1", port=0, threads=4)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.close()
        self.thread.join(10)


@pytest.fixture
def live_server(writable_db: Path, tmp_path: Path) -> Iterator[LiveServer]:
    application = make_app(writable_db, tmp_path / "instance-live", WTF_CSRF_ENABLED=True)
    with LiveServer(application) as server:
        yield server
    application.extensions["matcher_ingestor"].wait(120)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium "
                    "(apt-get install chromium; `make system-deps`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
