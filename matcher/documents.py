"""Find and read the documents to ingest: .txt, .md, .html/.htm and text PDFs.

Every file is checked before it reaches extraction, and a file that cannot be read
raises `InputError(path, reason)` with what to do about it, so that a batch can skip
it and say why:

- larger than MAX_BYTES (20 MB): split it or extract the useful part;
- empty, or nothing left once site junk is removed;
- binary (NUL bytes or control characters), or a PDF renamed .txt;
- not UTF-8: text files must be UTF-8 (a UTF-8 or UTF-16 byte-order mark is honoured).
  A file mixing valid UTF-8 with invalid bytes is refused (it was damaged by a
  conversion, and guessing would corrupt names). A file with no UTF-8 sequence at
  all that decodes cleanly as Windows-1252 / Latin-1 (old French Windows exports)
  is accepted with a warning in the log. An HTML page that declares another
  charset in a <meta> tag is decoded with it;
- a PDF that is damaged, protected by a password, or has no text layer (scanned
  images: run OCR first);
- an unsupported extension.

Metadata (title, ISO date, source URL, publisher, language) come from the text
itself (see matcher.cleaning), the HTML metadata (trafilatura) or the PDF's info.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from .cleaning import (
    clean_html,
    clean_text_with_metadata,
    detect_language,
    unwrap_lines,
)
from .errors import InputError
from .records import Document

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
"""Largest file read (20 MB): a press article or report is far smaller."""

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf"}

_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_PAGE_NUMBER = re.compile(
    r"^\s*(?:page\s*)?[-–]?\s*\d{1,4}\s*(?:(?:/|sur|of)\s*\d{1,4})?\s*[-–]?\s*$", re.I
)
_SUPPORTED_LIST = ".txt, .md, .html, .htm, .pdf"


def iter_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files as given, and the supported files inside folders (recursively, sorted).

    Hidden files and folders (".name") are skipped, and so are files of other types
    inside folders; a file named explicitly is yielded whatever its type, so that
    reading it reports the unsupported type.
    """
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputError(
                str(given), "fichier ou dossier introuvable (not found): check the path"
            )
        if not path.is_dir():
            yield path
            continue
        for child in sorted(path.rglob("*")):
            relative = child.relative_to(path).parts
            if any(part.startswith((".", "~")) for part in relative):
                continue
            if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES:
                yield child


def read_document(path: Path, display_path: str | None = None) -> Document:
    """Read, check, clean one file; `Document.sha256` is the hash of its raw bytes."""
    path = Path(path)
    shown = display_path or str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(
            shown,
            f"type de fichier non pris en charge « {suffix or 'sans extension'} » "
            f"(unsupported file type): use {_SUPPORTED_LIST}",
        )
    data = _read_bytes(path, shown)
    if suffix == ".pdf":
        text, meta = _read_pdf(data, shown)
    elif suffix in HTML_SUFFIXES:
        text, meta = clean_html(decode_text(data, shown, html=True))
    else:
        text, meta = clean_text_with_metadata(decode_text(data, shown))
    if not text.strip():
        raise InputError(
            shown,
            "aucun texte d'article après nettoyage (no article text: the file is blank or "
            "only navigation, notices or links): check that it holds the article",
        )
    language = detect_language(text)
    if language == "unknown" and meta.get("html_lang"):
        language = meta["html_lang"]
    return Document(
        path=shown,
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        title=meta.get("title") or None,
        date=meta.get("date") or None,
        source_url=meta.get("source_url") or None,
        language=language,
        publisher=meta.get("publisher") or None,
    )


def _read_bytes(path: Path, shown: str) -> bytes:
    try:
        if path.is_dir():
            raise InputError(shown, "c'est un dossier (a folder): pass it to iter_paths")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                shown,
                f"fichier trop volumineux ({size / 1e6:.1f} Mo > {MAX_BYTES // (1024 * 1024)} Mo; "
                "file too large): split it or keep only the article",
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(shown, "fichier introuvable (not found): check the path") from None
    except OSError as exc:
        raise InputError(shown, f"lecture impossible (cannot read): {exc.strerror}") from exc
    if not data.strip():
        raise InputError(shown, "fichier vide (empty file): nothing to read")
    return data


def decode_text(data: bytes, shown: str, *, html: bool = False) -> str:
    """Bytes to text under the rules of the module docstring."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(shown, f"UTF-16 invalide (invalid UTF-16): {exc.reason}") from exc
    if data.lstrip()[:5] == b"%PDF-":
        raise InputError(shown, "c'est un PDF (this is a PDF file): rename it with .pdf")
    if b"\x00" in data or len(_CONTROL.findall(data[:65536])) > 0.01 * min(len(data), 65536):
        raise InputError(
            shown, "fichier binaire, pas du texte (binary file, not text): export it as text"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        error = exc
    if html and (declared := _META_CHARSET.search(data[:4096])):
        charset = declared[1].decode("ascii").lower()
        try:
            if codecs.lookup(charset).name != "utf-8":
                return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass  # the declaration is wrong or unknown: fall through to the general rule
    if _UTF8_MULTIBYTE.search(data):
        raise InputError(
            shown,
            f"encodage mélangé : UTF-8 valide et octets invalides (mixed encoding, byte "
            f"{error.start}): convert it or save it again as UTF-8",
        )
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(
            shown,
            f"pas en UTF-8 (not UTF-8, byte {error.start}): convert it or save it as UTF-8",
        ) from None
    log.warning("%s: not UTF-8, read as Windows-1252 (save it as UTF-8 to be sure)", shown)
    return text


def _read_pdf(data: bytes, shown: str) -> tuple[str, dict[str, str]]:
    from pypdf import PdfReader  # deferred: only PDFs need it
    from pypdf.errors import DependencyError, PyPdfError

    if b"%PDF-" not in data[:1024]:
        raise InputError(shown, "pas un PDF valide (not a PDF file): check the file")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(shown, "PDF protégé par mot de passe (password-protected): unlock it")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
        title = ((info.title if info else None) or "").strip()
        created = info.creation_date if info else None
    except InputError:
        raise
    except DependencyError as exc:  # AES encryption needs a crypto library we do not ship
        raise InputError(
            shown, "PDF chiffré (encrypted PDF): save it again without protection"
        ) from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise InputError(
            shown, f"PDF endommagé ou illisible (damaged PDF: {type(exc).__name__}): re-export it"
        ) from exc
    if not "".join(pages).strip():
        raise InputError(
            shown,
            "PDF sans couche texte, pages scannées (no text layer: image-only PDF): run OCR first",
        )
    text, meta = clean_text_with_metadata(unwrap_lines(_drop_page_furniture(pages)))
    if (
        title
        and "microsoft word" not in title.lower()
        and not title.lower().endswith((".doc", ".docx", ".pdf"))
    ):
        meta["title"] = title  # the author's own title beats a guessed first line
    if "date" not in meta and created is not None:
        meta["date"] = created.date().isoformat()  # when the PDF was made: the best we have
    return text, meta


def _drop_page_furniture(pages: list[str]) -> str:
    """Page numbers, and running headers/footers repeated on most pages, removed."""
    per_page = [[ln for ln in page.split("\n") if not _PAGE_NUMBER.match(ln)] for page in pages]
    repeated: set[str] = set()
    if len(pages) >= 3:
        counts = Counter(
            ln.strip() for lines in per_page for ln in set(lines) if 0 < len(ln.strip()) <= 100
        )
        repeated = {ln for ln, n in counts.items() if n >= max(3, len(pages) // 2 + 1)}
    return "\n\n".join(
        "\n".join(ln for ln in lines if ln.strip() not in repeated) for lines in per_page
    )
