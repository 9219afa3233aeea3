"""The programmes page: each programme's description, themes, rules and sources."""

from __future__ import annotations

from flask import Blueprint, render_template

from .catalogue import get_programme, programmes

bp = Blueprint("programmes", __name__)


@bp.get("/programmes")
def index() -> str:
    return render_template("programmes.html", programmes=programmes())


@bp.get("/programmes/<programme_id>")
def show(programme_id: str) -> str:
    return render_template("programmes.html", programmes=[get_programme(programme_id)],
                           single=True)
