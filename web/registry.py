"""One registry connection per request, kept on `g` and closed on teardown."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app, g

from matcher.errors import RegistryError

if TYPE_CHECKING:
    from matcher.store import Registry


def registry_path() -> Path:
    return Path(current_app.config["MATCHER_DB"])


def get_registry() -> Registry:
    """The request's registry; RegistryError (shown as 503) when none was built yet."""
    if "registry" not in g:
        from matcher.store import Registry

        path = registry_path()
        if not path.is_file():
            raise RegistryError(
                f"{path}: registre introuvable ; lancez `match build <dossier>` "
                "ou téléversez des documents."
            )
        g.registry = Registry(path)
    return g.registry


def has_registry() -> bool:
    return registry_path().is_file()


def close_registry(exc: BaseException | None = None) -> None:
    registry = g.pop("registry", None)
    if registry is not None:
        registry.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_registry)
