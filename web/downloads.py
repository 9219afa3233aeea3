"""Report downloads, produced by the same code as `match ... -o FILE` (matcher.export)."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, send_file

from matcher.export import FORMATS, MEDIA_TYPES, filename, render

from .i18n import current_lang

__all__ = ["FORMATS", "report_response"]


def report_response(result: Any, fmt: str) -> Response:
    """The report as an attachment with a proper Content-Disposition."""
    data = render(result, fmt, lang=current_lang())
    response = send_file(io.BytesIO(data), mimetype=MEDIA_TYPES[fmt], as_attachment=True,
                         download_name=filename(result, fmt), max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
