"""Home (the search form) and results, with their report downloads."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for

from matcher.errors import NotFoundError

from .catalogue import get_programme, programme_choices, programme_name, regions
from .downloads import FORMATS, report_response
from .forms import SearchForm
from .registry import get_registry

bp = Blueprint("search", __name__)

FMT = "<any(" + ",".join(FORMATS) + "):fmt>"


def search_form() -> SearchForm:
    return SearchForm(
        request.args,
        programmes=programme_choices(),
        regions=regions(),
        max_top=current_app.config["MAX_TOP"],
        default_top=current_app.config["DEFAULT_TOP"],
    )


def run_shortlist(params: dict[str, Any]) -> Any:
    """matcher.ranking.shortlist over the request's registry."""
    from matcher.ranking import shortlist

    return shortlist(get_registry(), params["programme"], params["query"],
                     type=params["type"], region=params["region"], country=params["country"],
                     top=params["top"])


def query_args(params: dict[str, Any]) -> dict[str, Any]:
    """The validated search as URL parameters (empty ones left out)."""
    names = {"programme": "programme", "query": "q", "type": "type", "region": "region",
             "country": "country", "top": "top"}
    return {names[k]: v for k, v in params.items() if v not in (None, "")}


@bp.get("/")
def home() -> str:
    form = search_form()
    return render_template("home.html", form=form)


@bp.get("/results")
def results() -> tuple[str, int] | str:
    form = search_form()
    if not form.validate():
        return render_template("home.html", form=form, invalid=True), 400
    params = form.params()
    try:
        result = run_shortlist(params)
    except NotFoundError as exc:  # e.g. a region where the registry knows nobody yet
        form.region.errors = [str(exc)] if params["region"] else []
        if not params["region"]:
            raise
        return render_template("home.html", form=form, invalid=True), 200
    args = query_args(params)
    downloads = {fmt: url_for("search.download", fmt=fmt, **args) for fmt in FORMATS}
    title = programme_name(get_programme(result.programme)) if result.programme else ""
    return render_template("results.html", form=form, result=result, downloads=downloads,
                           programme_title=title)


@bp.get("/results." + FMT)
def download(fmt: str) -> Any:
    form = search_form()
    if not form.validate():
        errors = "; ".join(f"{form[name].label.text} : {' '.join(msgs)}"
                           for name, msgs in form.errors.items())
        from matcher.errors import UsageError

        raise UsageError(errors)
    return report_response(run_shortlist(form.params()), fmt)
