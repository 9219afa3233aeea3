"""Named errors: the CLI prints them as one line, the web app as a message."""


class MatcherError(Exception):
    """Base class of every error a user can cause and fix."""


class InputError(MatcherError):
    """A document cannot be read: binary, undecodable, empty, too large, no text."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class DataError(MatcherError):
    """A data file (programmes, themes, gazetteer, gold) is missing or invalid."""


class NotFoundError(MatcherError):
    """A named organisation, programme or document is not in the registry."""

    def __init__(self, message: str, suggestions: tuple[str, ...] = ()) -> None:
        if suggestions:
            message += " Did you mean: " + ", ".join(suggestions) + "?"
        super().__init__(message)
        self.suggestions = suggestions


class RegistryError(MatcherError):
    """The registry database is missing, locked or not a matcher registry."""


class UsageError(MatcherError):
    """Arguments that do not fit together (e.g. a binary format without -o)."""
