"""Background ingestion of uploaded files, so the page never waits for spaCy.

One ingestion runs at a time (SQLite has one writer; the extractor is loaded once
and reused). Each job records its progress and outcome for the status endpoint;
readers keep answering meanwhile, because the registry commits one document per
transaction in WAL mode.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from matcher.errors import MatcherError

log = logging.getLogger(__name__)


_EXTRACTOR: Any = None
_EXTRACTOR_LOCK = threading.Lock()
_BUILD_LOCK = threading.Lock()  # one writer, and the extractor is not shared between threads


def shared_extractor() -> Any:
    """One spaCy extractor per process: loading the French model takes seconds."""
    global _EXTRACTOR
    with _EXTRACTOR_LOCK:
        if _EXTRACTOR is None:
            from matcher.extraction import Extractor

            _EXTRACTOR = Extractor()
        return _EXTRACTOR


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Job:
    """One upload being ingested: queued -> running -> done | error."""

    id: str
    files: list[str]  # original names, as the user sent them
    paths: list[str]  # where they were saved
    status: str = "queued"
    done_files: int = 0
    message: str = ""
    summary: list[str] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)  # {file, reason}
    documents: list[str] = field(default_factory=list)  # stored document paths, for links
    created: str = field(default_factory=_now)
    finished: str | None = None

    @property
    def finished_ok(self) -> bool:
        return self.status == "done" and not self.errors

    def public(self) -> dict[str, Any]:
        """What the status endpoint shows (no server paths)."""
        return {
            "id": self.id,
            "status": self.status,
            "files": list(self.files),
            "total": len(self.files),
            "done_files": self.done_files,
            "message": self.message,
            "summary": list(self.summary),
            "errors": list(self.errors),
            "created": self.created,
            "finished": self.finished,
        }


class Ingestor:
    """Runs matcher.build on uploaded files in a background thread, one at a time."""

    def __init__(self, db: str, keep: int = 50) -> None:
        self.db = db
        self.keep = keep
        self._jobs: dict[str, Job] = {}
        self._jobs_lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def submit(self, files: list[str], paths: list[Path]) -> Job:
        job = Job(id=uuid.uuid4().hex, files=files, paths=[str(p) for p in paths])
        with self._jobs_lock:
            self._jobs[job.id] = job
            for old in list(self._jobs)[: max(0, len(self._jobs) - self.keep)]:
                if self._jobs[old].status in ("done", "error"):
                    del self._jobs[old]
        thread = threading.Thread(target=self._run, args=(job,), name=f"ingest-{job.id[:8]}",
                                  daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._jobs_lock:
            return self._jobs.get(job_id)

    def recent(self) -> list[Job]:
        with self._jobs_lock:
            return list(reversed(self._jobs.values()))

    def wait(self, timeout: float | None = None) -> None:
        """Wait for running ingestions (tests, orderly shutdown)."""
        for thread in list(self._threads):
            thread.join(timeout)

    def _run(self, job: Job) -> None:
        from matcher.build import build, display_path

        with _BUILD_LOCK:
            job.status = "running"
            try:
                shown = {display_path(Path(p)): name for p, name in zip(job.paths, job.files,
                                                                         strict=True)}

                def seen(path: str) -> None:
                    job.done_files = min(job.done_files + 1, len(job.files))

                summary = build(job.paths, self.db, progress=False, extractor=shared_extractor(),
                                on_document=seen)
                job.done_files = len(job.files)
                job.summary = summary.lines()
                job.errors = [{"file": shown.get(path, Path(path).name), "reason": reason}
                              for path, reason in summary.skipped]
                skipped = {path for path, _ in summary.skipped}
                job.documents = [p for p in shown if p not in skipped]
                job.status = "error" if job.errors and not job.documents else "done"
                job.message = "; ".join(f"{e['file']} : {e['reason']}" for e in job.errors)
            except MatcherError as exc:
                job.status, job.message = "error", str(exc)
                log.warning("ingestion %s failed: %s", job.id, exc)
            except Exception as exc:  # noqa: BLE001 - a thread must report, not die silently
                log.exception("ingestion %s crashed", job.id)
                job.status, job.message = "error", f"erreur interne : {type(exc).__name__}"
            finally:
                job.finished = _now()
