"""Documents: the ingested list, one document's detail, and uploads ingested in the
background (the page polls /api/jobs/<id>)."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from .forms import UploadForm
from .i18n import t
from .jobs import Ingestor
from .registry import get_registry, has_registry

bp = Blueprint("documents", __name__)


def ingestor() -> Ingestor:
    return current_app.extensions["matcher_ingestor"]


def init_app(app: Flask) -> None:
    app.extensions["matcher_ingestor"] = Ingestor(app.config["MATCHER_DB"])


def _documents() -> list[dict[str, Any]]:
    return get_registry().documents() if has_registry() else []


def _page(form: UploadForm, status: int = 200, **extra: Any) -> tuple[str, int]:
    job_id = request.args.get("job", "")
    current = ingestor().get(job_id) if job_id else None
    limit_mb = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    return render_template("documents.html", form=form, documents=_documents(),
                           jobs=ingestor().recent(), current=current, limit_mb=limit_mb,
                           **extra), status


@bp.get("/documents")
def index() -> tuple[str, int]:
    return _page(UploadForm(extensions=current_app.config["UPLOAD_EXTENSIONS"]))


@bp.post("/documents")
def upload() -> Any:
    form = UploadForm(extensions=current_app.config["UPLOAD_EXTENSIONS"])
    if not form.validate_on_submit():
        return _page(form, 400)
    known = {d["sha256"]: d for d in _documents()}
    names, paths, duplicates = [], [], []
    for storage in form.file.data:
        data = storage.read()
        problem = content_problem(storage, data)
        if problem:
            form.file.errors = [f"{storage.filename} : {problem}"]
            return _page(form, 400)
        if hashlib.sha256(data).hexdigest() in known:
            duplicates.append((storage.filename, known[hashlib.sha256(data).hexdigest()]))
            continue
        paths.append(save_upload(storage.filename or "", data))
        names.append(storage.filename or paths[-1].name)
    if not paths:
        return _page(form, 200, duplicates=duplicates)
    job = ingestor().submit(names, paths)
    return redirect(url_for("documents.index", job=job.id, _anchor="job-" + job.id), 303)


def content_problem(storage: FileStorage, data: bytes) -> str | None:
    """A cheap check that the bytes look like what the extension says."""
    suffix = Path(storage.filename or "").suffix.lower()
    if not data:
        return t("err_upload_empty")
    if suffix == ".pdf":
        return None if data[:1024].lstrip().startswith(b"%PDF-") else t("err_upload_content")
    if b"\x00" in data[:8192]:
        return t("err_upload_content")
    return None


def save_upload(original: str, data: bytes) -> Path:
    """Save under the upload folder with a generated name; the user's name never
    becomes a path (only a sanitised stem is kept, for readability)."""
    folder = Path(current_app.config["UPLOAD_FOLDER"]).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(original).suffix.lower()
    if suffix not in current_app.config["UPLOAD_EXTENSIONS"]:
        raise ValueError(f"{original}: extension not allowed")
    stem = secure_filename(Path(original).stem)[:60] or "document"
    target = (folder / f"{uuid.uuid4().hex[:12]}-{stem}{suffix}").resolve()
    if target.parent != folder:
        raise ValueError(f"{original}: unsafe file name")
    with open(target, "xb") as handle:
        handle.write(data)
    return target


@bp.get("/documents/<int:doc_id>")
def show(doc_id: int) -> str:
    doc = get_registry().document(doc_id)
    return render_template("document.html", doc=doc)
