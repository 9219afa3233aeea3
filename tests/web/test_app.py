"""The application factory and the ways to run it: configuration order, the secret key,
`match serve` under waitress, `flask --app web`."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from web import create_app

ROOT = Path(__file__).resolve().parents[2]


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path: Path,
                                                               monkeypatch) -> None:
    monkeypatch.delenv("MATCHER_SECRET_KEY", raising=False)
    config = {"INSTANCE_PATH": str(tmp_path / "instance"), "MATCHER_DB": str(tmp_path / "x.db")}
    first = create_app(dict(config))
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.is_file() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 32
    assert create_app(dict(config)).config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_secret_key_from_the_environment_wins(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MATCHER_SECRET_KEY", "from-the-environment")
    app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "MATCHER_DB": str(tmp_path / "x.db")})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "i" / "secret_key").exists()


def test_instance_config_is_read_when_no_test_config(tmp_path: Path, monkeypatch) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("MAX_TOP = 7\nMATCHER_DB = 'from-instance.db'\n")
    monkeypatch.setenv("MATCHER_INSTANCE_DIR", str(instance))
    app = create_app()
    assert app.config["MAX_TOP"] == 7 and app.config["MATCHER_DB"] == "from-instance.db"
    assert create_app(db=tmp_path / "given.db").config["MATCHER_DB"] == str(tmp_path / "given.db")


def test_wrong_method_uses_the_one_error_template(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x",
                      "MATCHER_DB": str(tmp_path / "x.db")})
    response = app.test_client().post("/")
    assert response.status_code == 405
    assert '<section class="error-page">' in response.get_data(as_text=True)
    response = app.test_client().delete("/api/programmes")
    assert response.status_code == 405 and response.get_json()["error"]["status"] == 405


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in {timeout} s")


@pytest.mark.slow
def test_match_serve_runs_the_app_under_waitress(seeds_registry: Path, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "MATCHER_INSTANCE_DIR": str(tmp_path / "instance")}
    match = Path(sys.executable).with_name("match")
    process = subprocess.Popen(
        [str(match), "serve", "--port", str(port), "--db", str(seeds_registry)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        body = wait_for(f"http://127.0.0.1:{port}/api/organisations", process)
        assert json.loads(body), "the seeds registry is served"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.headers["Server"] == "waitress"
            assert "Trouver des partenaires" in response.read().decode("utf-8")
    finally:
        process.terminate()
        process.wait(10)


def test_flask_cli_finds_the_factory(tmp_path: Path) -> None:
    env = {**os.environ, "MATCHER_INSTANCE_DIR": str(tmp_path / "instance")}
    flask = Path(sys.executable).with_name("flask")
    result = subprocess.run([str(flask), "--app", "web", "routes"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    for rule in ("/results", "/documents", "/api/openapi.json", "/organisations/<int:org_id>"):
        assert rule in result.stdout
