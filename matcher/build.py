"""The ingestion job: files -> documents -> extraction -> registry -> model.

Idempotent: a file whose content is already in the registry is not read again; an
edited file replaces its old facts. Files are streamed through the extractor, so
memory stays flat whatever the corpus size. A bad file is skipped and reported; the
rest of the batch goes on.
"""

from __future__ import annotations

import logging
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .records import Document
from .store import Registry

log = logging.getLogger(__name__)

@dataclass
class BuildSummary:
    """What a build did, for the closing summary and the exit status."""

    read: int = 0
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    new_orgs: int = 0
    updated_orgs: int = 0
    languages: Counter[str] = field(default_factory=Counter)
    organisations: int = 0

    @property
    def ok(self) -> bool:
        return not self.skipped

    def lines(self) -> list[str]:
        """The summary as printed by `match build`."""
        out = [
            f"Documents lus : {self.read} (inchangés : {self.unchanged}, "
            f"ignorés : {len(self.skipped)})",
            f"Organisations : {self.new_orgs} nouvelles, {self.updated_orgs} mises à jour, "
            f"{self.organisations} au total",
        ]
        others = {lang: n for lang, n in self.languages.items() if lang not in ("fr", "en")}
        if self.languages:
            out.append("Langues : " + ", ".join(
                f"{lang} {n}" for lang, n in sorted(self.languages.items())))
        if others:
            out.append("Attention : documents dans une langue non prise en charge : "
                       + ", ".join(sorted(others)))
        for path, reason in self.skipped:
            out.append(f"Ignoré : {path} : {reason}")
        return out


def display_path(path: Path) -> str:
    """The path as stored: relative to the working directory when inside it, else absolute."""
    absolute = Path(path).resolve()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def build(
    paths: Iterable[str | os.PathLike[str]],
    db: str | os.PathLike[str],
    *,
    rebuild: bool = False,
    progress: bool | None = None,
    extractor: object | None = None,
    fit_model: bool = True,
    on_document: Callable[[str], None] | None = None,
) -> BuildSummary:
    """Ingest files and folders into the registry at `db`; return what happened."""
    summary = BuildSummary()
    if rebuild:
        remove_registry(Path(db))
    with Registry(db, create=True) as registry:
        files = _collect(paths, summary)
        if progress is None:
            progress = sys.stderr.isatty()
        todo = _changed_documents(files, registry, summary, progress, on_document)
        first = next(todo, None)
        if first is not None:
            if extractor is None:
                from .extraction import Extractor

                extractor = Extractor()
            for doc, extraction in extractor.pipe(_chain(first, todo)):  # type: ignore[attr-defined]
                new, updated = registry.replace_document(doc, extraction)  # one transaction
                summary.new_orgs += new
                summary.updated_orgs += updated
        summary.organisations = registry.size()
        if fit_model:
            from .model import ensure_model

            ensure_model(registry)  # refits and saves only when the registry changed
    return summary


def remove_registry(db: Path) -> None:
    """Delete a registry file with its WAL and model: --rebuild starts from nothing,
    even from a registry of an older schema."""
    from .config import model_path

    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"),
                 model_path(db)):
        path.unlink(missing_ok=True)


def _collect(paths: Iterable[str | os.PathLike[str]], summary: BuildSummary) -> list[Path]:
    from .documents import iter_paths

    files: list[Path] = []
    for path in paths:
        try:
            files.extend(iter_paths([path]))
        except InputError as exc:
            summary.skipped.append((exc.path, exc.reason))
    return files


def _changed_documents(files: list[Path], registry: Registry, summary: BuildSummary,
                       progress: bool, on_document: Callable[[str], None] | None
                       ) -> Iterator[Document]:
    """Read each file; yield those whose content is new to the registry."""
    from tqdm import tqdm

    from .documents import read_document

    for path in tqdm(files, desc="match build", unit="doc", disable=not progress,
                     file=sys.stderr):
        shown = display_path(path)
        if on_document:
            on_document(shown)
        try:
            doc = read_document(path, display_path=shown)
        except InputError as exc:
            summary.skipped.append((shown, exc.reason))
            log.warning("skipped %s: %s", shown, exc.reason)
            continue
        summary.read += 1
        summary.languages[doc.language] += 1
        if registry.has_document(doc.path, doc.sha256):
            summary.unchanged += 1
            continue
        yield doc


def _chain(first: Document, rest: Iterator[Document]) -> Iterator[Document]:
    yield first
    yield from rest
