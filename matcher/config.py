"""Where things live: the data folder, the registry, the model; scoring weights.

Every path the library needs is found through these functions, so one environment
variable (or CLI option) moves it.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .errors import DataError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = Path("var") / "matcher.db"


def data_dir() -> Path:
    """The folder of editable data (programmes, themes, gazetteers); MATCHER_DATA_DIR overrides."""
    return Path(os.environ.get("MATCHER_DATA_DIR") or PROJECT_ROOT / "data")


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The registry path: explicit argument, then MATCHER_DB, then var/matcher.db."""
    return Path(explicit or os.environ.get("MATCHER_DB") or DEFAULT_DB)


def model_path(db: Path) -> Path:
    """The fitted model is stored beside the registry it was fitted on."""
    return db.with_name(db.name + ".model.npz")


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser: faster cold starts


@cache
def _load_yaml_cached(path: str, mtime: float) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: invalid YAML: {exc}") from exc


def load_data(name: str) -> Any:
    """Parse data/<name> (YAML); cached until the file changes."""
    path = data_dir() / name
    if not path.is_file():
        raise DataError(f"{path}: data file not found (set MATCHER_DATA_DIR?)")
    return _load_yaml_cached(str(path), path.stat().st_mtime)


def weights() -> dict[str, float]:
    """Scoring weights from data/scoring.yaml: the one place they are set."""
    raw = load_data("scoring.yaml")
    return {str(k): float(v) for k, v in (raw.get("weights") or {}).items()}
