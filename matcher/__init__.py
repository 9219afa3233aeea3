"""Partner matching for Morocco's research and innovation ecosystem."""

from .errors import (
    DataError,
    InputError,
    MatcherError,
    NotFoundError,
    RegistryError,
    UsageError,
)

__version__ = "0.1.0"

__all__ = [
    "DataError",
    "InputError",
    "MatcherError",
    "NotFoundError",
    "RegistryError",
    "UsageError",
    "__version__",
]
