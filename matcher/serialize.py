"""The one JSON form of every record: the CLI's --format json and the web API share it."""

from __future__ import annotations

import dataclasses
import json
from typing import Any


def to_dict(obj: Any) -> Any:
    """Plain data (dicts, lists, str, numbers) from records, recursively."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): to_dict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = sorted(obj) if isinstance(obj, (set, frozenset)) else obj
        return [to_dict(v) for v in items]
    if isinstance(obj, float):
        return round(obj, 6)
    return obj


def to_json(obj: Any) -> str:
    """Indented UTF-8 JSON (accents kept as they are)."""
    return json.dumps(to_dict(obj), ensure_ascii=False, indent=2)
