"""Organisation pages: the profile with all its evidence, its partners, a partner
search for it, and the consortium builder."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request, url_for

from matcher.records import ORG_TYPES

from .catalogue import get_programme, programme_choices
from .downloads import FORMATS, report_response
from .i18n import t
from .registry import get_registry
from .search import FMT

bp = Blueprint("organisations", __name__)


def _top(default: int = 10) -> int:
    from flask import current_app

    raw = request.args.get("top", "")
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= current_app.config["MAX_TOP"]:
        from matcher.errors import UsageError

        raise UsageError(f"top={raw!r} : {t('err_top', max=current_app.config['MAX_TOP'])}")
    return int(raw)


@bp.get("/organisations")
def index() -> str:
    org_type = request.args.get("type") or None
    if org_type and org_type not in ORG_TYPES:
        abort(400, t("err_type"))
    orgs = get_registry().organisations(type=org_type)
    return render_template("organisations.html", orgs=orgs, org_type=org_type)


@bp.get("/organisations/<int:org_id>")
def show(org_id: int) -> str:
    org = get_registry().organisation(org_id)
    return render_template("organisation.html", org=org, programmes=programme_choices())


def name_for(registry: Any, org: Any) -> str:
    """A name of `org` that the library's name lookup resolves to this very organisation.

    partners() and consortium() take names; two organisations may share a name, so the
    page's organisation id decides which of its names (or aliases) is passed on.
    """
    from matcher.errors import NotFoundError

    for name in (org.name, *org.aliases):
        try:
            if registry.find(name).id == org.id:
                return str(name)
        except NotFoundError:
            continue
    raise NotFoundError(f"{org.name} (id {org.id}) : aucun de ses noms ne la désigne sans "
                        "ambiguïté dans le registre.")


def run_partners(org_id: int, top: int) -> Any:
    from matcher.partners import partners

    registry = get_registry()
    org = registry.organisation(org_id)
    return org, partners(registry, name_for(registry, org), top=top)


@bp.get("/organisations/<int:org_id>/partners")
def partners_page(org_id: int) -> str:
    top = _top()
    org, result = run_partners(org_id, top)
    downloads = {fmt: url_for("organisations.partners_download", org_id=org_id, fmt=fmt,
                              top=top) for fmt in FORMATS}
    return render_template("partners.html", org=org, result=result, downloads=downloads)


@bp.get("/organisations/<int:org_id>/partners." + FMT)
def partners_download(org_id: int, fmt: str) -> Any:
    _, result = run_partners(org_id, _top())
    return report_response(result, fmt)


def consortium_args() -> dict[str, Any]:
    """programme, with (organisation ids), size from the query string, checked."""
    from flask import current_app

    from matcher.errors import UsageError

    programme = request.args.get("programme", "").strip()
    if not programme:
        raise UsageError(t("err_programme"))
    with_ids: list[int] = []
    for raw in request.args.getlist("with"):
        if not raw.strip().isdigit():
            raise UsageError(f"with={raw!r} : identifiant d'organisation attendu (nombre)")
        with_ids.append(int(raw))
    size_raw = request.args.get("size", "").strip()
    size = None
    if size_raw:
        if not size_raw.isdigit() or not 1 <= int(size_raw) <= current_app.config["MAX_TOP"]:
            raise UsageError(f"size={size_raw!r} : "
                             + t("err_top", max=current_app.config["MAX_TOP"]))
        size = int(size_raw)
    return {"programme": programme, "with": with_ids, "size": size}


def run_consortium(args: dict[str, Any]) -> tuple[list[Any], Any]:
    from matcher.consortium import consortium

    registry = get_registry()
    chosen = [registry.organisation(i) for i in args["with"]]
    result = consortium(registry, args["programme"], size=args["size"],
                        with_=tuple(name_for(registry, o) for o in chosen))
    return chosen, result


@bp.get("/consortium")
def consortium_page() -> str:
    args = consortium_args()
    chosen, result = run_consortium(args)
    base = {"programme": args["programme"], "with": args["with"]}
    if args["size"]:
        base["size"] = args["size"]
    downloads = {fmt: url_for("organisations.consortium_download", fmt=fmt, **base)
                 for fmt in FORMATS}
    return render_template("consortium.html", chosen=chosen, result=result,
                           downloads=downloads, programme=get_programme(result.programme))


@bp.get("/consortium." + FMT)
def consortium_download(fmt: str) -> Any:
    args = consortium_args()
    _, result = run_consortium(args)
    return report_response(result, fmt)
