"""Report downloads, produced by the same code as `match ... -o FILE` (matcher.export)."""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Response, send_file

from matcher.text import key

FORMATS: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


def report_bytes(result: Any, fmt: str) -> bytes:
    """The report as the CLI writes it."""
    from matcher.export import export

    data = export(result, fmt)
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def download_name(*parts: str | None, fmt: str) -> str:
    """An ASCII file name from the search: shortlist-cern-associate-electronique.csv."""
    words = [re.sub(r"[^a-z0-9]+", "-", key(p)).strip("-") for p in parts if p]
    stem = "-".join(w for w in words if w)[:80].strip("-") or "resultats"
    return f"{stem}.{fmt}"


def report_response(result: Any, fmt: str, name: str) -> Response:
    """The report as an attachment with a proper Content-Disposition."""
    response = send_file(io.BytesIO(report_bytes(result, fmt)), mimetype=FORMATS[fmt],
                         as_attachment=True, download_name=name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
