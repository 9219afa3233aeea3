"""Reference data shown by the UI: programmes, regions, theme labels.

Thin adapters over matcher.programmes, matcher.gazetteer and data/themes.yaml, so
templates and forms do not care how the library shapes them.
"""

from __future__ import annotations

from typing import Any

from matcher.config import load_data

from .i18n import current_lang


def programmes() -> list[Any]:
    """Every programme of data/programmes.yaml, in file order."""
    from matcher.programmes import load_programmes

    loaded = load_programmes()
    return list(loaded.values()) if isinstance(loaded, dict) else list(loaded)


def programme_choices() -> list[tuple[str, str]]:
    return [(p.id, programme_name(p)) for p in programmes()]


def in_lang(value: Any) -> str:
    """A {fr, en} mapping (or plain text) in the page language, French as fallback."""
    if isinstance(value, dict):
        return str(value.get(current_lang()) or value.get("fr") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def programme_name(programme: Any) -> str:
    return in_lang(getattr(programme, "name", None)) or str(getattr(programme, "id", programme))


def get_programme(programme_id: str) -> Any:
    """The programme `programme_id` (NotFoundError from the library if unknown)."""
    from matcher.programmes import get_programme as library_get

    return library_get(programme_id)


def regions() -> list[str]:
    """Morocco's regions (canonical names of data/gazetteer/places.yaml) for the search form."""
    raw = load_data("gazetteer/places.yaml") or {}
    return [str(r["name"]) for r in raw.get("regions", []) if r.get("name")]


def theme_label(theme_id: str) -> str:
    """A theme's label in the page language (matcher.themes); unknown ids as given."""
    from matcher.themes import load_themes

    theme = load_themes().get(theme_id)
    return theme.label(current_lang()) if theme else theme_id.replace("_", " ")


def describe(programme: Any) -> str:
    """A programme's description in the page language."""
    return in_lang(getattr(programme, "description", None))


def http_url(value: str | None) -> str | None:
    """Only http(s) URLs become links: a document's metadata is untrusted."""
    if value and value.strip().lower().startswith(("http://", "https://")):
        return value.strip()
    return None


def init_app(app: Any) -> None:
    import posixpath

    app.add_template_filter(lambda p: posixpath.basename(str(p or "").replace("\\", "/")),
                            "basename")
    app.add_template_filter(http_url, "http_url")
    app.add_template_filter(theme_label, "theme_label_filter")

    app.jinja_env.globals.update(programme_name=programme_name, describe=describe,
                                 in_lang=in_lang, theme_label=theme_label)
