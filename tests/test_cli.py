"""The `match` command: contracts other tools read, error messages, help texts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from matcher.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.slow
def test_orgs_json_contract(seeds_registry):
    result = run("orgs", "--format", "json", "--db", str(seeds_registry))
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and all(
        {"name", "aliases", "type", "city", "region", "country", "themes", "mentions",
         "documents"} <= set(row) for row in rows)
    assert any(r["name"] == "Maroc Numeric Cluster" and r["type"] == "cluster" for r in rows)


@pytest.mark.slow
def test_orgs_filters_by_type_and_writes_csv(seeds_registry):
    result = run("orgs", "--type", "university", "--format", "csv", "--db", str(seeds_registry))
    lines = result.output.splitlines()
    assert lines[0].startswith("id,name,aliases,type")
    assert len(lines) > 5 and all(",university," in line for line in lines[1:])


@pytest.mark.slow
def test_show_unknown_name_suggests_close_names_without_traceback(seeds_registry):
    result = run("show", "Universite Cadi Ayad Marakesh xyz", "--db", str(seeds_registry))
    assert result.exit_code == 1
    assert result.output.startswith("Error: No organisation matches")
    assert "Cadi Ayyad" in result.output and "Traceback" not in result.output


def test_missing_registry_is_one_clear_error(tmp_path):
    result = run("orgs", "--db", str(tmp_path / "nothing.db"))
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {tmp_path / 'nothing.db'}: no registry here; build one first with `match build`")


def test_unknown_type_is_refused_with_the_choices():
    result = run("orgs", "--type", "planet")
    assert result.exit_code == 2 and "university" in result.output


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    return [(f"{prefix}{name}", cmd) for name, cmd in group.commands.items()]


@pytest.mark.parametrize("name,command", _commands(cli))
def test_every_command_has_help_with_an_example_and_is_in_the_readme(name, command):
    assert command.help and re.search(r"\bmatch \w+", command.help), name
    readme = (ROOT / "README.md").read_text("utf-8")
    assert f"match {name}" in readme, f"`match {name}` is not documented in README.md"
