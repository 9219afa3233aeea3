"""Partner matching for Morocco's research and innovation ecosystem.

The public API, imported lazily so that `import matcher` (and the CLI's start) stays
cheap: spaCy, scikit-learn and pandas load only when the function that needs them runs.

    from matcher import Registry, build, shortlist
    build(["seeds/"], "var/matcher.db")
    with Registry("var/matcher.db") as registry:
        print(shortlist(registry, "cern-associate").candidates[0].name)
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .errors import (
    DataError,
    InputError,
    MatcherError,
    NotFoundError,
    RegistryError,
    UsageError,
)

__version__ = "0.1.0"

_LAZY = {
    "build": "matcher.build",
    "Registry": "matcher.store",
    "shortlist": "matcher.ranking",
    "partners": "matcher.partners",
    "consortium": "matcher.consortium",
    "load_programmes": "matcher.programmes",
    "get_programme": "matcher.programmes",
    "load_themes": "matcher.themes",
    "render": "matcher.export",
    "evaluate_registry": "matcher.evaluation",
    "to_json": "matcher.serialize",
}

__all__ = [
    "DataError",
    "InputError",
    "MatcherError",
    "NotFoundError",
    "RegistryError",
    "UsageError",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    """Load a public function or class on first use (PEP 562)."""
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'matcher' has no attribute {name!r}")
