"""Drop site junk from articles and find their metadata.

Scraped articles arrive with what the hosting site wrapped around them: a ticker of
unrelated headlines, navigation, notices ("Cliquez ici pour lire l'article depuis sa
source."), share buttons, bylines, markdown decorations. Extraction must not read
those as the article, so they go here, by *general* rules (a ticker is a long line of
short headline segments; a notice is a short line matching a pattern of
data/cleaning.yaml), never by strings of one particular article.

The cleaned text keeps one paragraph per block, blocks separated by a blank line:
extraction splits sentences on them.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import yaml

from .config import load_data
from .text import fold, strip_accents

log = logging.getLogger(__name__)

Meta = dict[str, str]

# --- rules from data/cleaning.yaml ---


@dataclass(frozen=True)
class _Rules:
    notices: tuple[re.Pattern[str], ...]
    notice_max_chars: int
    share_start: re.Pattern[str]
    share_end: re.Pattern[str]
    share_verbs: frozenset[str]
    share_networks: frozenset[str]
    byline_prefix: re.Pattern[str]
    agency_credit: re.Pattern[str]
    not_person_words: frozenset[str]
    published_line: re.Pattern[str]
    ticker_sep: re.Pattern[str]
    ticker_min_segments: int
    ticker_max_segment_chars: int
    ticker_min_line_chars: int
    nav_sep: re.Pattern[str]
    nav_min_segments: int
    nav_max_segment_words: int
    markers: dict[str, frozenset[str]]


_cache: tuple[Any, _Rules] | None = None


def _rules() -> _Rules:
    """Compile data/cleaning.yaml once per version of the file."""
    global _cache
    raw = load_data("cleaning.yaml")
    if _cache is not None and _cache[0] is raw:
        return _cache[1]
    share_words = [*raw["share_verbs"], *raw["share_networks"]]
    words = sorted(share_words, key=len, reverse=True)
    token = r"(?=[A-Z])(?i:" + "|".join(re.escape(w) for w in words) + r")"
    sep = r"[\s:|,/·•-]*"
    link = r"(?:sur|on|via|par|by)"
    rules = _Rules(
        notices=tuple(re.compile(p) for p in raw["notices"]),
        notice_max_chars=int(raw["notice_max_chars"]),
        # case-sensitive and capitalised: buttons, not the verb "partager" in a sentence
        share_start=re.compile(rf"^(?:(?:{link}\s+)?{token}\b{sep})+"),
        share_end=re.compile(rf"(?:{sep}\b(?:{link}\s+)?{token})+\s*$"),
        share_verbs=frozenset(raw["share_verbs"]),
        share_networks=frozenset(raw["share_networks"]),
        byline_prefix=re.compile(
            r"^(?:" + "|".join(re.escape(p) for p in raw["byline_prefixes"]) + r")\s*:?\s+(.+)$"
        ),
        agency_credit=re.compile(raw["agency_credit"]),
        not_person_words=frozenset(raw["not_person_words"]),
        published_line=re.compile(raw["published_line"]),
        ticker_sep=re.compile(raw["ticker"]["separator"]),
        ticker_min_segments=int(raw["ticker"]["min_segments"]),
        ticker_max_segment_chars=int(raw["ticker"]["max_segment_chars"]),
        ticker_min_line_chars=int(raw["ticker"]["min_line_chars"]),
        nav_sep=re.compile(raw["navigation"]["separator"]),
        nav_min_segments=int(raw["navigation"]["min_segments"]),
        nav_max_segment_words=int(raw["navigation"]["max_segment_words"]),
        markers={k: frozenset(v) for k, v in raw["language_markers"].items()},
    )
    _cache = (raw, rules)
    return rules


# --- dates ---

_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
_MONTH = "(" + "|".join(_MONTHS) + ")"
_WEEKDAY = r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday"
_WEEKDAY += r"|wednesday|thursday|friday|saturday|sunday),?\s+)?"
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?![\d-])")
_NUMERIC = re.compile(r"\b(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{4})\b")
_DAY_MONTH_YEAR = re.compile(_WEEKDAY + r"\b(1er|\d{1,2})\s+" + _MONTH + r"\s+(\d{4})\b")
_MONTH_DAY_YEAR = re.compile(r"\b" + _MONTH + r"\s+(\d{1,2}),?\s+(\d{4})\b")
_MONTH_YEAR = re.compile(r"^\s*" + _MONTH + r"\s+(\d{4})\s*$")


def _iso(year: int, month: int, day: int | None) -> str | None:
    try:
        if day is None:
            dt.date(year, month, 1)
            return f"{year:04d}-{month:02d}"
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(text: str, *, full_only: bool = False) -> str | None:
    """The first date written in `text`, as ISO (YYYY-MM-DD, or YYYY-MM when no day).

    Reads ISO dates, day-first numeric dates ("17 - 05 - 2010", "17/05/2010") and
    French or English written dates ("Jeudi 22 juin 2023", "1er mars 2021",
    "June 3, 2024"). With `full_only`, month-year forms are not accepted.
    """
    folded = fold(text)
    found: list[tuple[int, str]] = []
    for m in _ISO.finditer(folded):
        iso = _iso(int(m[1]), int(m[2]), int(m[3]) if m[3] else None)
        if iso and (m[3] or not full_only):
            found.append((m.start(), iso))
    for m in _NUMERIC.finditer(folded):
        if iso := _iso(int(m[4]), int(m[3]), int(m[1])):
            found.append((m.start(), iso))
    for m in _DAY_MONTH_YEAR.finditer(folded):
        day = 1 if m[1] == "1er" else int(m[1])
        if iso := _iso(int(m[3]), _MONTHS[m[2]], day):
            found.append((m.start(), iso))
    for m in _MONTH_DAY_YEAR.finditer(folded):
        if iso := _iso(int(m[3]), _MONTHS[m[1]], int(m[2])):
            found.append((m.start(), iso))
    if not found and not full_only and (m := _MONTH_YEAR.match(folded)):
        return _iso(int(m[2]), _MONTHS[m[1]], None)
    return min(found)[1] if found else None


def _date_value(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{4}", text):
        return text
    return parse_date(text)


# --- markdown and line rules ---

_FRONT_MATTER = re.compile(r"\A\s*---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)
_DATE_LINE = re.compile(
    r"^(?:date(?: de (?:publication|parution))?|published|publication)\s*:\s*(.{4,60})$"
)
_DATE_HEADER = re.compile(r"\A\s*date\s*:?\s+(\d{4}(?:-\d{1,2}){0,2})(?![\d-])", re.I)
_AUTOLINK = re.compile(r"<(https?://[^\s<>]{1,2000})>")
_BARE_URL_LINE = re.compile(r"^(?:(?:source|lien|link|url)\s*:\s*)?<?(https?://[^\s<>]+)>?$", re.I)
_IMAGE = re.compile(r"!\[[^\]\[]{0,500}\]\([^()\s]{0,2000}\)")
_LINK = re.compile(r"\[([^\]\[]{1,500})\]\([^()\s]{0,2000}(?:\s+\"[^\"]{0,300}\")?\)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+•])\s+")
_EMPHASIS = (  # the content excludes the delimiter: linear time on long lines
    re.compile(r"(?<![\w*])(\*{1,3})(?=[^\s*])([^*]{1,600}?)(?<=[^\s*])\1(?![\w*])"),
    re.compile(r"(?<![\w_])(_{1,3})(?=[^\s_])([^_]{1,600}?)(?<=[^\s_])\1(?![\w_])"),
)
_STRAY_STARS = re.compile(r"\*{2,}|(?<!\S)\*(?=\S)|(?<=\S)\*(?!\S)")
_ESCAPE = re.compile(r"\\([\\*_\[\]#`>()-])")
_CODE = re.compile(r"`([^`\n]{0,500})`")
_TAG = re.compile(r"</?(?:br|span|b|i|em|strong|u|font|p|div)\b[^<>]{0,500}>", re.I)
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_MARKUP_CHAR = re.compile(r"[|<\[#>*_`\\]|^\s*[-+•]")  # one of them is in every rule's match
_SPACES = re.compile(r"[ \t\u00a0\u2007\u2009\u202f]+")
_TERMINAL = tuple(".!?…:;")
_LANGUAGE_TOKEN = re.compile(r"[^\W\d_]+")
_ARABIC = re.compile("[\u0600-\u06ff]")


class _CharFolds(dict[int, str]):
    """`str.translate` table of `_fold_chars`, filled the first time each character is seen."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = "'" if ch in "’‘`´ʼ" else (strip_accents(ch)[:1] or ch).lower()
        self[code] = folded
        return folded


_CHAR_FOLDS = _CharFolds()


def _fold_chars(line: str) -> str:
    """Lowercase, accent-free, one character per character (spans map back to `line`)."""
    return line.translate(_CHAR_FOLDS)


def _is_ticker(line: str, r: _Rules) -> bool:
    """A long line of many short headline-like segments, without sentence structure."""
    if len(line) < r.ticker_min_line_chars:
        return False
    segments = [s.strip() for s in r.ticker_sep.split(line) if s.strip()]
    if len(segments) < r.ticker_min_segments:
        return False
    short = sum(len(s) <= r.ticker_max_segment_chars for s in segments)
    sentences = sum(s.endswith(".") for s in segments)
    return short >= 0.8 * len(segments) and sentences < 0.5 * len(segments)


def _is_navigation(line: str, r: _Rules) -> bool:
    """A menu or breadcrumb: short items joined by |, •, ›, » or >."""
    if len(line) > 1000:
        return False
    parts = r.nav_sep.split(line)
    segments = [s for s in parts if s.strip()]
    if len(parts) < r.nav_min_segments or len(segments) < r.nav_min_segments - 1:
        return False
    return all(
        len(s.split()) <= r.nav_max_segment_words and not s.rstrip().endswith(".") for s in segments
    )


def _is_notice(line: str, r: _Rules) -> bool:
    if len(line) > r.notice_max_chars:
        return False
    folded = fold(line)
    return any(p.search(folded) for p in r.notices)


def _is_share(run: str, r: _Rules) -> bool:
    words = [w.lower() for w in re.findall(r"[\w-]+", run)]
    verbs = sum(w in r.share_verbs for w in words)
    networks = sum(w in r.share_networks for w in words)
    return verbs > 0 or networks >= 2


def _strip_share(line: str, r: _Rules) -> str:
    """Remove share-button runs at the start or end of a line."""
    m = r.share_start.match(line)
    if m and _is_share(m[0], r):
        rest = line[m.end() :]
        if not rest or not rest[0].islower():
            line = rest
    head, tail = line[:-300], line[-300:]  # buttons are short: bounded search time
    m = r.share_end.search(tail)
    if m and _is_share(m[0], r):
        before = (head + tail[: m.start()]).rstrip()
        verb = any(w.lower() in r.share_verbs for w in re.findall(r"[\w-]+", m[0]))
        if verb or not before or before.endswith(_TERMINAL):  # not "chez Facebook, Twitter"
            line = before
    return line.strip()


def _unmark(line: str) -> str:
    """Markdown decorations off: emphasis, links, headings, quotes, bullets, escapes."""
    if not _MARKUP_CHAR.search(line):  # most lines: no character any rule below needs
        return line
    if _TABLE_ROW.match(line):  # "| Université Hassan II | Casablanca |": one cell after another
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        line = (
            ""
            if all(re.fullmatch(r":?-*:?", c) for c in cells)
            else "; ".join(c for c in cells if c)
        )
    line = _TAG.sub(" ", line)
    line = _IMAGE.sub("", line)
    line = _LINK.sub(r"\1", line)
    if len(line) < 400 and (m := _HEADING.match(line)):
        line = m[1]
    line = _QUOTE.sub("", line)
    line = _BULLET.sub("", line)
    line = _CODE.sub(r"\1", line)
    for emphasis in (*_EMPHASIS, *_EMPHASIS):  # twice: nested **_x_** and _**x**_
        line = emphasis.sub(r"\2", line)
    line = _STRAY_STARS.sub("", line)
    return _ESCAPE.sub(r"\1", line)


def _looks_like_person(line: str, r: _Rules) -> bool:
    words = line.split()
    if not 2 <= len(words) <= 4 or len(line) > 40 or any(ch.isdigit() for ch in line):
        return False
    if line.endswith(_TERMINAL) or any(fold(w).strip(".,") in r.not_person_words for w in words):
        return False
    particles = {"de", "el", "al", "ben", "bin", "ibn", "la", "le", "du", "van", "von", "d'"}
    return all(w[0].isupper() or w.lower() in particles for w in words)


def _byline_name(line: str, r: _Rules) -> bool:
    m = r.byline_prefix.match(fold(line))
    if not m:
        return False
    original_rest = line[len(line) - len(m[1]) :]
    return _looks_like_person(original_rest, r)


def _continues(previous: str, nxt: str) -> bool:
    """A line broken in the middle of a sentence (the next one starts in lowercase)."""
    return bool(previous) and not previous.endswith(_TERMINAL) and nxt[:1].islower()


# --- public API ---


def clean_text(raw: str) -> str:
    """The article of a plain-text or markdown file, without site junk."""
    return clean_text_with_metadata(raw)[0]


def clean_text_with_metadata(raw: str) -> tuple[str, Meta]:
    """Cleaned text plus what it says of itself: title, date, source_url, publisher."""
    r = _rules()
    meta: Meta = {}
    text = raw.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")

    if m := _FRONT_MATTER.match(text):
        fields = _front_matter(m[1])
        if fields is not None:
            meta.update(fields)
            text = text[m.end() :]
    if m := _DATE_HEADER.match(text):
        if iso := _date_value(m[1]):
            meta.setdefault("date", iso)
        text = text[m.end() :]

    urls: list[str] = []
    standalone: list[str] = []
    blocks: list[list[str]] = [[]]  # source blocks (separated by blank lines) of kept lines
    for source_line in text.split("\n"):
        if _is_ticker(source_line, r):
            continue
        hard_break = source_line.endswith("  ")
        if m := _BARE_URL_LINE.match(source_line.strip()):
            standalone.append(m[1])
            continue
        urls.extend(_AUTOLINK.findall(source_line))
        line = _AUTOLINK.sub("", source_line)
        if _RULE.match(line):
            line = ""
        line = _SPACES.sub(" ", _unmark(line)).strip()
        line = _strip_share(line, r) if line else line
        if not line:
            if blocks[-1]:
                blocks.append([])
            continue
        if _is_notice(line, r) or _is_navigation(line, r):
            continue
        if len(line) <= r.notice_max_chars and _read_dateline(line, r, meta):
            continue
        blocks[-1].append(line + ("  " if hard_break else ""))

    paragraphs = _paragraphs([b for b in blocks if b])
    paragraphs = _drop_bylines(paragraphs, r, meta)

    if "source_url" not in meta and (standalone or urls):
        meta["source_url"] = (standalone or urls)[0]
    if "title" not in meta and (title := _title(paragraphs)):
        meta["title"] = title
    if "date" not in meta and (iso := _head_date(paragraphs)):
        meta["date"] = iso
    return "\n\n".join(paragraphs), meta


def _read_dateline(line: str, r: _Rules, meta: Meta) -> bool:
    """A "Date : ..." or "Publié dans X le ..." line: its date and publisher go to `meta`."""
    folded = _fold_chars(line)
    if (m := _DATE_LINE.match(folded)) and (iso := parse_date(m[1])):
        meta.setdefault("date", iso)
        return True
    if (m := r.published_line.match(folded)) and (iso := parse_date(m["date"])):
        meta.setdefault("date", iso)
        if m["publisher"]:
            meta.setdefault("publisher", line[m.start("publisher") : m.end("publisher")])
        return True
    return False


def _front_matter(body: str) -> Meta | None:
    try:
        data = yaml.safe_load(body)
    except yaml.YAMLError:
        log.warning("front matter is not valid YAML; read as text")
        return None
    if not isinstance(data, dict):
        return None
    fields: Meta = {}
    low = {str(k).lower(): v for k, v in data.items()}
    if low.get("title"):
        fields["title"] = str(low["title"]).strip()
    for k in ("date", "published", "pubdate"):
        if (iso := _date_value(low.get(k))) is not None:
            fields["date"] = iso
            break
    for k in ("source", "source_url", "url", "link"):
        value = str(low.get(k) or "").strip()
        if value.startswith(("http://", "https://")):
            fields["source_url"] = value
            break
    for k in ("publisher", "site", "sitename", "journal", "media"):
        if low.get(k):
            fields["publisher"] = str(low[k]).strip()
            break
    return fields


WRAP_MIN_WIDTH, WRAP_MAX_WIDTH = 50, 120  # the widths texts are folded at (72, 76, 80...)
WRAP_FULL_SHARE = 0.6  # lines at least this share of the width are full, wrapped lines


def _wrap_width(block: list[str]) -> int | None:
    """The width a block was hard-wrapped at, or None when its lines are paragraphs.

    A wrapped block (text files and e-mails folded at 72 or 80 columns) has lines of
    similar length, none long; a block of paragraphs one per line has long lines or
    short headings between them.
    """
    lengths = [len(line.strip()) for line in block]
    if len(lengths) < 2 or not WRAP_MIN_WIDTH <= max(lengths) <= WRAP_MAX_WIDTH:
        return None
    width = max(lengths)
    full = sum(n >= WRAP_FULL_SHARE * width for n in lengths[:-1])
    return width if full >= max(1, 0.7 * (len(lengths) - 1)) else None


def _paragraphs(blocks: list[list[str]]) -> list[str]:
    """One paragraph per line, except lines broken mid-sentence, by a markdown hard break,
    or by wrapping at a fixed width (where only a short line ends a paragraph)."""
    paragraphs: list[str] = []
    for block in blocks:
        current = ""
        joined_by_break = False
        width = _wrap_width(block)
        previous = ""
        for line in block:
            hard = line.endswith("  ")
            line = line.strip()
            wrapped = width is not None and len(previous) >= WRAP_FULL_SHARE * width
            previous = line
            if not current and paragraphs and _continues(paragraphs[-1], line):
                current = paragraphs.pop()  # a blank line fell in the middle of a sentence
            if current and (_continues(current, line) or joined_by_break or wrapped):
                current = f"{current} {line}"
            else:
                if current:
                    paragraphs.append(current)
                current = line
            joined_by_break = hard and not line.endswith(_TERMINAL)
        if current:
            paragraphs.append(current)
    return paragraphs


def _drop_bylines(paragraphs: list[str], r: _Rules, meta: Meta) -> list[str]:
    """Bylines at the head ("Par X") and author or agency credits at the tail."""
    kept = list(paragraphs)
    for i in range(min(3, len(kept))):
        if _byline_name(kept[i], r):
            del kept[i]
            break
    for _ in range(2):
        if len(kept) < 2:
            break
        last = kept[-1]
        if m := r.agency_credit.match(last):
            meta.setdefault("publisher", m["agency"] or m["agency2"])
        elif not (_byline_name(last, r) or _looks_like_person(last, r)):
            break
        kept.pop()
    return kept


def _title(paragraphs: list[str]) -> str | None:
    """The first paragraph when it reads like a headline: short, not a sentence."""
    if len(paragraphs) < 2:
        return None
    first = paragraphs[0]
    if len(first) > 200 or first.endswith((".", "!", ";", ",", ":")) or "; " in first:
        return None
    if len(first.split()) < 2:
        return None
    return first


def _head_date(paragraphs: list[str]) -> str | None:
    """A full date among the short heading lines, or opening the first paragraph (dateline)."""
    for paragraph in paragraphs[:8]:
        heading = len(paragraph) <= 100 or (
            len(paragraph) <= 200 and not paragraph.endswith(_TERMINAL)
        )
        if not heading:  # the body starts: only a dateline at its very start counts
            return parse_date(paragraph[:60], full_only=True)
        if iso := parse_date(paragraph, full_only=True):
            return iso
        if _MONTH_YEAR.match(fold(paragraph)):
            return parse_date(paragraph)
    return None


_HTML_LANG = re.compile(r"<html\b[^>]*\blang\s*=\s*[\"']?([a-zA-Z]{2,3})", re.I)


def clean_html(html: str) -> tuple[str, Meta]:
    """Main text of a web page (trafilatura) without site junk, and the page's metadata."""
    import trafilatura  # deferred: heavy, and only HTML needs it

    meta: Meta = {}
    result = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    body = (getattr(result, "text", None) or "") if result is not None else ""
    if result is not None:
        for key, attr in (("title", "title"), ("source_url", "url"), ("publisher", "sitename")):
            value = getattr(result, attr, None)
            if value:
                meta[key] = str(value).strip()
        if iso := _date_value(getattr(result, "date", None)):
            meta["date"] = iso
    if not body.strip():
        recall = trafilatura.extract(html, favor_recall=True, include_comments=False)
        body = recall or trafilatura.html2txt(html) or _strip_tags(html)
    if m := _HTML_LANG.search(html[:4000]):
        meta["html_lang"] = m[1].lower()
    text, found = clean_text_with_metadata(body)
    for key, value in found.items():
        meta.setdefault(key, value)
    return text, meta


def _strip_tags(html: str) -> str:
    """Last resort for pages trafilatura cannot parse: the text of the tags, a block a line."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fromstring(html)
    except (etree.ParserError, ValueError):
        return ""
    for element in list(root.iter()):
        if element.tag in ("script", "style", "noscript", "template") and element is not root:
            element.drop_tree()
        elif element.tag in ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "section"):
            element.tail = "\n" + (element.tail or "")
    return str(root.text_content())


def unwrap_lines(text: str) -> str:
    """Rejoin lines a PDF wrapped at page width into paragraphs (one per line out).

    A line ends a paragraph when it is clearly shorter than a full line and ends a
    sentence, or when a blank line follows; "dévelop-" + "pement" is rejoined.
    """
    lines = [_SPACES.sub(" ", ln).strip() for ln in text.split("\n")]
    widths = sorted(len(ln) for ln in lines if ln)
    full = widths[int(len(widths) * 0.75)] if widths else 0
    out: list[str] = []
    current = ""
    previous_len = 0
    for line in lines:
        if not line:
            if current:
                out.append(current)
            current = ""
            continue
        if not current:
            current = line
        elif current.endswith("-") and line[:1].islower():
            current = current[:-1] + line
        elif previous_len < 0.8 * full and (current.endswith(_TERMINAL) or not line[:1].islower()):
            out.append(current)
            current = line
        else:
            current = f"{current} {line}"
        previous_len = len(line)
    if current:
        out.append(current)
    return "\n".join(out)


def detect_language(text: str) -> str:
    """fr, en, es, de, it, pt, nl or ar from function words and script; else 'unknown'."""
    letters = "".join(filter(str.isalpha, text[:20000]))
    if not letters:
        return "unknown"
    if len(_ARABIC.findall(letters)) > 0.3 * len(letters):
        return "ar"
    tokens = _LANGUAGE_TOKEN.findall(text[:20000].lower())
    if not tokens:
        return "unknown"
    counts = Counter(tokens)
    scores = {lang: sum(n for t, n in counts.items() if t in words)
              for lang, words in _rules().markers.items()}
    best = max(scores, key=lambda lang: scores[lang])
    if scores[best] < 3 or scores[best] < 0.08 * len(tokens):
        return "unknown"
    return best
