"""Programmes (data/programmes.yaml), countries' dated statuses (data/country_status.yaml) and
the composition-rule checker.

Programmes are data, not code: a rule is one of a few general kinds (`RULE_KINDS`) over the
statuses of the members' countries and their organisation types. A country's status is a dated
fact with its source; a check says which status it assumed for each country, and a caller can try
another one (`assume={"MA": "associated_country"}`), e.g. "what if Morocco counts as associated".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .config import data_dir, load_data
from .errors import DataError, NotFoundError, UsageError
from .records import ORG_TYPES, RuleCheck
from .text import key
from .themes import THEMES_FILE, KeywordMatcher, load_themes, theme_label

PROGRAMMES_FILE = "programmes.yaml"
STATUS_FILE = "country_status.yaml"
RULE_KINDS = ("min_countries", "min_with_tag", "min_of_types", "all_with_tag", "types_allowed")
_ISO2 = re.compile(r"^[A-Z]{2}$")
_PROGRAMME_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_TYPE_LABELS_FR = {
    "university": "université", "school": "école", "research_centre": "centre de recherche",
    "cluster": "cluster", "company": "entreprise", "public_agency": "agence publique",
    "ministry": "ministère", "association": "association",
    "international_org": "organisation internationale",
    "funding_programme": "programme de financement", "media": "média",
}


# --- records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Rule:
    """One composition rule, of a kind in RULE_KINDS, with where it comes from."""

    id: str
    kind: str
    label: dict[str, str]
    count: int = 1
    tag: str | None = None
    types: tuple[str, ...] = ()
    advisory: bool = False
    source: str = ""
    checked: str = ""
    note: str = ""

    @property
    def text(self) -> str:
        return self.label.get("fr") or self.id

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Programme:
    """A programme as data/programmes.yaml defines it (validated)."""

    id: str
    name: dict[str, str]
    description: dict[str, str]
    themes: dict[str, float]
    eligible_types: tuple[str, ...]
    countries: tuple[str, ...]
    regions: tuple[str, ...]
    rules: tuple[Rule, ...]
    links: tuple[Link, ...]
    keywords: tuple[str, ...]
    status_scheme: str = ""


@dataclass(frozen=True)
class Status:
    """A country's status toward a programme, as of a date, from a source (or assumed)."""

    status: str
    as_of: str | None
    source: str
    assumed: bool = False
    country: str | None = None
    label: str = ""
    tags: tuple[str, ...] = ()
    note: str = ""
    checked: str = ""


@dataclass(frozen=True)
class _Scheme:
    name: str
    default: str
    statuses: dict[str, dict[str, Any]]  # status -> {label_fr, label_en, tags}
    tags: dict[str, dict[str, str]]  # tag -> {fr, en}
    countries: dict[str, dict[str, str]] = field(default_factory=dict)  # ISO2 -> group facts


# --- loading and validation ---------------------------------------------------------------------


def _fail(path: str, where: str, field_name: str, reason: str) -> DataError:
    return DataError(f"{path}: {where}: field {field_name!r}: {reason}")


def _text(path: str, where: str, raw: Mapping[str, Any], name: str, required: bool = True) -> str:
    value = raw.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, where, name, "missing or not a text")
    return " ".join(value.split())


def _langs(path: str, where: str, raw: Mapping[str, Any], name: str) -> dict[str, str]:
    value = raw.get(name)
    french = value.get("fr") if isinstance(value, dict) else None
    if not isinstance(value, dict) or not isinstance(french, str) or not french.strip():
        raise _fail(path, where, name, "expected a mapping with a French text under 'fr'")
    return {str(k): " ".join(str(v).split()) for k, v in value.items() if v}


def _str_list(path: str, where: str, raw: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = raw.get(name, [])
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(path, where, name, "expected a list of texts")
    if any(isinstance(v, bool) for v in value):
        raise _fail(path, where, name,
                    'yes/no/on/off read as true/false: quote it, e.g. "NO" for Norway')
    if not all(isinstance(v, (str, int)) for v in value):
        raise _fail(path, where, name, "expected a list of texts")
    return tuple(str(v).strip() for v in value if str(v).strip())


def _parse_schemes(path: str, raw: Any) -> dict[str, _Scheme]:
    if not isinstance(raw, dict) or not isinstance(raw.get("schemes"), dict):
        raise DataError(f"{path}: expected a mapping with a 'schemes' mapping")
    schemes: dict[str, _Scheme] = {}
    for name, body in raw["schemes"].items():
        where = f"scheme {name!r}"
        if not isinstance(body, dict):
            raise DataError(f"{path}: {where}: expected a mapping")
        statuses = body.get("statuses")
        if not isinstance(statuses, dict) or not statuses:
            raise _fail(path, where, "statuses", "expected a non-empty mapping")
        tags = body.get("tags") or {}
        if not isinstance(tags, dict):
            raise _fail(path, where, "tags", "expected a mapping")
        clean_tags = {}
        for tag, labels in tags.items():
            clean_tags[str(tag)] = _langs(path, where, {"tags": labels}, "tags")
        clean_statuses: dict[str, dict[str, Any]] = {}
        for status, info in statuses.items():
            swhere = f"{where}, status {status!r}"
            if not isinstance(info, dict):
                raise DataError(f"{path}: {swhere}: expected a mapping")
            status_tags = _str_list(path, swhere, info, "tags")
            clean_statuses[str(status)] = {
                "label_fr": _text(path, swhere, info, "label_fr"),
                "label_en": _text(path, swhere, info, "label_en", required=False),
                "tags": status_tags,
            }
        default = body.get("default")
        if default not in clean_statuses:
            raise _fail(path, where, "default", f"{default!r} is not one of its statuses")
        countries: dict[str, dict[str, str]] = {}
        for position, group in enumerate(body.get("groups") or [], start=1):
            gwhere = f"{where}, group #{position}"
            if not isinstance(group, dict):
                raise DataError(f"{path}: {gwhere}: expected a mapping")
            status = group.get("status")
            if status not in clean_statuses:
                raise _fail(path, gwhere, "status", f"unknown status {status!r}")
            source = _text(path, gwhere, group, "source")
            as_of = str(group.get("as_of") or "").strip()
            if not as_of:
                raise _fail(path, gwhere, "as_of", "missing: a status is a dated fact")
            for code in _str_list(path, gwhere, group, "countries"):
                if not _ISO2.match(code):
                    raise _fail(path, gwhere, "countries",
                                f"{code!r} is not an ISO 3166 alpha-2 code")
                if code in countries:
                    raise _fail(path, gwhere, "countries",
                                f"{code} is already listed in this scheme")
                countries[code] = {
                    "status": str(status), "as_of": as_of, "source": source,
                    "checked": str(group.get("checked") or ""),
                    "note": " ".join(str(group.get("note") or "").split()),
                }
        schemes[str(name)] = _Scheme(str(name), str(default), clean_statuses, clean_tags, countries)
    return schemes


def _scheme_tags(scheme: _Scheme) -> set[str]:
    return {tag for s in scheme.statuses.values() for tag in s["tags"]} | set(scheme.tags)


def _parse_rule(path: str, where: str, raw: Any, scheme: _Scheme | None) -> Rule:
    if not isinstance(raw, dict):
        raise _fail(path, where, "rules", f"expected a mapping, got {raw!r}")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        raise _fail(path, where, "rules", "a rule has no 'id'")
    rwhere = f"{where}, rule {rule_id!r}"
    kind = raw.get("kind")
    if kind not in RULE_KINDS:
        raise _fail(path, rwhere, "kind",
                    f"unknown rule kind {kind!r} (known: {', '.join(RULE_KINDS)})")
    count = raw.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise _fail(path, rwhere, "count", f"expected a whole number >= 1, got {count!r}")
    tag = raw.get("tag")
    if kind in ("min_countries", "min_with_tag", "all_with_tag"):
        if not isinstance(tag, str) or not tag:
            raise _fail(path, rwhere, "tag", f"required for kind {kind!r}")
        if scheme is not None and tag not in _scheme_tags(scheme):
            raise _fail(path, rwhere, "tag",
                        f"unknown tag {tag!r} in status scheme {scheme.name!r}")
    types = _str_list(path, rwhere, raw, "types")
    unknown = [t for t in types if t not in ORG_TYPES]
    if unknown:
        raise _fail(path, rwhere, "types", f"unknown organisation type(s) {', '.join(unknown)}")
    if kind == "min_of_types" and not types:
        raise _fail(path, rwhere, "types", "required for kind 'min_of_types'")
    return Rule(
        id=rule_id.strip(), kind=str(kind), label=_langs(path, rwhere, raw, "label"),
        count=count, tag=tag, types=types, advisory=bool(raw.get("advisory", False)),
        source=str(raw.get("source") or ""), checked=str(raw.get("checked") or ""),
        note=" ".join(str(raw.get("note") or "").split()),
    )


def _parse_programme(path: str, position: int, raw: Any, theme_ids: set[str],
                     schemes: dict[str, _Scheme]) -> Programme:
    if not isinstance(raw, dict):
        raise DataError(f"{path}: programme #{position}: expected a mapping")
    pid = raw.get("id")
    if not isinstance(pid, str) or not _PROGRAMME_ID.match(pid):
        raise DataError(f"{path}: programme #{position}: field 'id': missing or not a lowercase id "
                        f"(got {pid!r})")
    where = f"programme {pid!r}"
    scheme_name = str(raw.get("status_scheme") or pid)
    scheme = schemes.get(scheme_name)
    if scheme is None:
        raise _fail(path, where, "status_scheme",
                    f"no scheme {scheme_name!r} in {STATUS_FILE} (known: {', '.join(schemes)})")
    themes_raw = raw.get("themes")
    if not isinstance(themes_raw, dict) or not themes_raw:
        raise _fail(path, where, "themes", "expected a non-empty mapping theme id -> weight")
    themes: dict[str, float] = {}
    for theme_id, weight in themes_raw.items():
        if theme_id not in theme_ids:
            close = difflib.get_close_matches(str(theme_id), sorted(theme_ids), n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise _fail(path, where, "themes", f"unknown theme id {theme_id!r}{hint}")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 < weight <= 1:
            raise _fail(path, where, "themes",
                        f"weight of {theme_id!r} must be in (0, 1], got {weight!r}")
        themes[str(theme_id)] = float(weight)
    eligible = _str_list(path, where, raw, "eligible_types")
    unknown = [t for t in eligible if t not in ORG_TYPES]
    if not eligible or unknown:
        raise _fail(path, where, "eligible_types",
                    f"expected organisation types among {', '.join(ORG_TYPES)}; "
                    f"got {', '.join(unknown) or 'nothing'}")
    countries = _str_list(path, where, raw, "countries")
    bad = [c for c in countries if not _ISO2.match(c)]
    if bad:
        raise _fail(path, where, "countries", f"not ISO 3166 alpha-2 codes: {', '.join(bad)}")
    rules_raw = raw.get("rules", [])
    if not isinstance(rules_raw, list):
        raise _fail(path, where, "rules", "expected a list")
    rules = tuple(_parse_rule(path, where, r, scheme) for r in rules_raw)
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise _fail(path, where, "rules", f"duplicate rule id {rule.id!r}")
        seen.add(rule.id)
    links = []
    for link in raw.get("links") or []:
        if not isinstance(link, dict) or not link.get("url"):
            raise _fail(path, where, "links", f"each link needs a 'url', got {link!r}")
        links.append(Link(label=str(link.get("label") or link["url"]), url=str(link["url"])))
    keywords = _str_list(path, where, raw, "keywords")
    if not keywords:
        raise _fail(path, where, "keywords", "at least one name is needed to link documents to it")
    return Programme(
        id=pid, name=_langs(path, where, raw, "name"),
        description=_langs(path, where, raw, "description"), themes=themes,
        eligible_types=eligible, countries=countries,
        regions=_str_list(path, where, raw, "regions"), rules=rules, links=tuple(links),
        keywords=keywords, status_scheme=scheme_name,
    )


@lru_cache(maxsize=8)
def _catalogue(
    stamps: tuple[tuple[str, float], ...],
) -> tuple[dict[str, Programme], dict[str, _Scheme], KeywordMatcher]:
    status_path, programmes_path = stamps[1][0], stamps[2][0]
    schemes = _parse_schemes(status_path, load_data(STATUS_FILE))
    theme_ids = set(load_themes())
    raw = load_data(PROGRAMMES_FILE)
    if not isinstance(raw, dict) or not isinstance(raw.get("programmes"), list):
        raise DataError(f"{programmes_path}: expected a mapping with a 'programmes' list")
    programmes: dict[str, Programme] = {}
    for position, item in enumerate(raw["programmes"], start=1):
        prog = _parse_programme(programmes_path, position, item, theme_ids, schemes)
        if prog.id in programmes:
            raise DataError(f"{programmes_path}: programme {prog.id!r}: field 'id': duplicate")
        programmes[prog.id] = prog
    if not programmes:
        raise DataError(f"{programmes_path}: the 'programmes' list is empty")
    matcher = KeywordMatcher((p.id, p.keywords) for p in programmes.values())
    return programmes, schemes, matcher


def _current() -> tuple[dict[str, Programme], dict[str, _Scheme], KeywordMatcher]:
    stamps = []
    for name in (THEMES_FILE, STATUS_FILE, PROGRAMMES_FILE):
        path = data_dir() / name
        try:
            stamps.append((str(path), path.stat().st_mtime))
        except OSError as exc:
            raise DataError(f"{path}: data file not found (set MATCHER_DATA_DIR?)") from exc
    return _catalogue(tuple(stamps))


# --- public API: programmes ---------------------------------------------------------------------


def load_programmes() -> dict[str, Programme]:
    """All programmes by id, in file order; validated; cached until a data file changes."""
    return dict(_current()[0])


def get_programme(programme_id: str) -> Programme:
    """One programme; NotFoundError suggests close ids."""
    programmes = _current()[0]
    wanted = (programme_id or "").strip()
    if wanted in programmes:
        return programmes[wanted]
    lowered = {pid.lower(): pid for pid in programmes}
    if wanted.lower() in lowered:
        return programmes[lowered[wanted.lower()]]
    close = difflib.get_close_matches(wanted.lower(), list(programmes), n=3, cutoff=0.4)
    close += [pid for pid in programmes if wanted and wanted.lower() in pid and pid not in close]
    raise NotFoundError(
        f"Programme inconnu : « {programme_id} » (programmes : {', '.join(programmes)}).",
        tuple(close[:3]),
    )


def programme_matcher() -> KeywordMatcher:
    """The index of programme names, for detection in many texts in a row."""
    return _current()[2]


def detect_programmes(text: str) -> dict[str, int]:
    """How often `text` names each programme (by its keywords; CAPITALS keep their case)."""
    return _current()[2].counts(text)


# --- public API: country statuses ---------------------------------------------------------------


def _scheme_of(programme_id: str) -> _Scheme:
    programmes, schemes, _ = _current()
    prog = programmes.get(programme_id) or get_programme(programme_id)
    return schemes[prog.status_scheme]


def statuses(programme_id: str) -> dict[str, str]:
    """The statuses a country can have toward a programme: id -> French label."""
    return {k: v["label_fr"] for k, v in _scheme_of(programme_id).statuses.items()}


def _resolve_status(scheme: _Scheme, wanted: str) -> str | None:
    """A status id from what a user typed: the id, a unique id prefix ("associated"), or words
    of a unique French/English label ("associé")."""
    if wanted in scheme.statuses:
        return wanted
    typed = key(wanted).replace(" ", "_")
    if not typed:
        return None
    by_prefix = [s for s in scheme.statuses if s.startswith(typed)]
    if len(by_prefix) == 1:
        return by_prefix[0]
    words = set(key(wanted).split())
    by_label = [s for s, info in scheme.statuses.items()
                if words <= set(key(f"{info['label_fr']} {info['label_en']}").split())]
    if len(by_label) > 1:  # prefer the plainest label: "membre associé" is not "... préalable"
        by_label.sort(key=lambda s: len(scheme.statuses[s]["label_fr"]))
        shortest = len(scheme.statuses[by_label[0]]["label_fr"])
        if len(scheme.statuses[by_label[1]]["label_fr"]) > shortest:
            return by_label[0]
    return by_label[0] if len(by_label) == 1 else None


def _normalise_assume(scheme: _Scheme, programme_id: str,
                      assume: Mapping[str, str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for country, status in (assume or {}).items():
        code = str(country).strip().upper()
        if not _ISO2.match(code):
            raise UsageError(f"Hypothèse « {country}={status} » : « {country} » n'est pas un "
                             "code pays ISO à deux lettres (ex. MA).")
        resolved = _resolve_status(scheme, str(status).strip())
        if resolved is None:
            raise UsageError(
                f"Hypothèse « {code}={status} » : statut inconnu ou ambigu pour {programme_id} "
                f"(statuts possibles : {', '.join(scheme.statuses)})."
            )
        out[code] = resolved
    return out


def _status(scheme: _Scheme, country: str | None, assume: Mapping[str, str]) -> Status:
    if not country:
        return Status("unknown", None, "", country=None, label="pays inconnu")
    code = country.strip().upper()
    if code in assume:
        info = scheme.statuses[assume[code]]
        return Status(assume[code], None, "hypothèse de l'utilisateur", assumed=True,
                      country=code, label=info["label_fr"], tags=info["tags"])
    fact = scheme.countries.get(code)
    if fact is None:
        info = scheme.statuses[scheme.default]
        return Status(scheme.default, None,
                      f"statut par défaut (pays non répertorié dans {STATUS_FILE})",
                      country=code, label=info["label_fr"], tags=info["tags"])
    info = scheme.statuses[fact["status"]]
    return Status(fact["status"], fact["as_of"], fact["source"], country=code,
                  label=info["label_fr"], tags=info["tags"], note=fact["note"],
                  checked=fact["checked"])


def country_status(programme_id: str, country: str | None,
                   assume: Mapping[str, str] | None = None) -> Status:
    """A country's status toward a programme: the dated fact, or the user's assumption."""
    scheme = _scheme_of(programme_id)
    return _status(scheme, country, _normalise_assume(scheme, programme_id, assume))


# --- public API: rule checks --------------------------------------------------------------------


def _entity(n: int) -> str:
    return "une entité" if n == 1 else f"{n} entités"


def _status_phrase(status: Status) -> str:
    if status.assumed:
        return f"{status.country} = {status.label} (hypothèse de l'utilisateur)"
    if status.as_of is None:
        return f"{status.country} = {status.label} ({status.source})"
    return f"{status.country} = {status.label} (au {status.as_of}, source : {status.source})"


def _assumption(statuses_used: Sequence[Status]) -> str:
    seen: dict[str, Status] = {}
    for status in statuses_used:
        if status.country and status.country not in seen:
            seen[status.country] = status
    if not seen:
        return ""
    return "Statuts retenus : " + " ; ".join(_status_phrase(s) for s in seen.values())


def _check(rule: Rule, programme: Programme, scheme: _Scheme,
           members: Sequence[tuple[str, str | None, str]], found: list[Status]) -> tuple[bool, str]:
    tag_fr = scheme.tags.get(rule.tag or "", {}).get("fr", f"« {rule.tag} »")
    unknown = [name for (name, country, _t), st in zip(members, found, strict=True)
               if st.status == "unknown"]
    missing_country = f" Pays inconnu pour : {', '.join(unknown)}." if unknown else ""
    if rule.kind in ("min_countries", "min_with_tag"):
        counted = [(m, s) for m, s in zip(members, found, strict=True) if rule.tag in s.tags]
        others = [f"{m[0]} ({s.country}, {s.label})" for m, s in zip(members, found, strict=True)
                  if rule.tag not in s.tags and s.status != "unknown"]
        not_counted = f" Ne comptent pas : {'; '.join(others)}." if others else ""
        if rule.kind == "min_countries":
            countries = sorted({s.country for _m, s in counted if s.country})
            have, need = len(countries), rule.count
            listed = ", ".join(countries) or "aucun"
            plural = "s" if have > 1 else ""
            counted_fr = f"{have} pays compté{plural} ({listed}) pour {need} requis"
            if have >= need:
                return True, f"{counted_fr}.{not_counted}"
            return False, (f"{counted_fr} : il manque "
                           f"{_entity(need - have)} {tag_fr}, dans un pays non encore représenté."
                           f"{not_counted}{missing_country}")
        have, need = len(counted), rule.count
        names = ", ".join(f"{m[0]} ({s.country})" for m, s in counted) or "aucune"
        if have >= need:
            return True, f"{_entity(have)} {tag_fr} : {names}."
        return False, (f"il manque {_entity(need - have)} {tag_fr} "
                       f"({have} sur {need} requise{'s' if need > 1 else ''})."
                       f"{not_counted}{missing_country}")
    if rule.kind == "all_with_tag":
        concerned = [(m, s) for m, s in zip(members, found, strict=True)
                     if not rule.types or m[2] in rule.types]
        failing = [f"{m[0]} ({s.country}, {s.label})" if s.country else f"{m[0]} (pays inconnu)"
                   for m, s in concerned if rule.tag not in s.tags]
        scope = ("les membres de type " + ", ".join(_TYPE_LABELS_FR.get(t, t) for t in rule.types)
                 if rule.types else "tous les membres")
        if not concerned:
            return True, f"Aucun membre concerné ({scope})."
        if not failing:
            return True, f"Règle respectée pour {scope} ({len(concerned)})."
        return False, f"Condition non remplie ({scope} {tag_fr}) : {'; '.join(failing)}."
    if rule.kind == "min_of_types":
        matching = [m[0] for m in members if m[2] in rule.types]
        kinds = " ou ".join(_TYPE_LABELS_FR.get(t, t) for t in rule.types)
        if len(matching) >= rule.count:
            return True, f"{len(matching)} membre(s) de type {kinds} : {', '.join(matching)}."
        return False, (f"il manque {rule.count - len(matching)} membre(s) de type {kinds} "
                       f"({len(matching)} sur {rule.count}).")
    # types_allowed
    outside = [f"{m[0]} ({_TYPE_LABELS_FR.get(m[2], m[2])})" for m in members
               if m[2] not in programme.eligible_types]
    if outside:
        return False, f"Types non visés par le programme : {'; '.join(outside)}."
    return True, "Tous les membres sont de types visés par le programme."


def check_rules(programme: Programme, members: Sequence[tuple[str, str | None, str]],
                assume: Mapping[str, str] | None = None) -> tuple[RuleCheck, ...]:
    """Check a consortium against each composition rule of `programme`.

    members: (name, country ISO2 or None, organisation type). Each RuleCheck says in French what
    is missing and which country statuses it assumed (date and source, or the user's assumption).
    """
    scheme = _current()[1][programme.status_scheme]
    assumed = _normalise_assume(scheme, programme.id, assume)
    found = [_status(scheme, country, assumed) for _name, country, _type in members]
    checks = []
    for rule in programme.rules:
        satisfied, detail = _check(rule, programme, scheme, members, found)
        if rule.advisory:
            detail = "(indicatif) " + detail
        uses_status = rule.kind in ("min_countries", "min_with_tag", "all_with_tag")
        checks.append(RuleCheck(
            rule=rule.text, satisfied=satisfied, detail=detail[0].upper() + detail[1:],
            assumption=_assumption(found) if uses_status else "", rule_id=rule.id,
            advisory=rule.advisory,
        ))
    return tuple(checks)


# --- public API: description --------------------------------------------------------------------


def describe(programme: Programme, lang: str = "fr") -> str:
    """A readable description for `match programme ID`: themes, eligibility, rules and sources."""
    en = lang == "en"
    name = programme.name.get(lang) or programme.name["fr"]
    description = programme.description.get(lang) or programme.description["fr"]
    lines = [f"{name} ({programme.id})", "", description, ""]
    themes = sorted(programme.themes.items(), key=lambda kv: (-kv[1], kv[0]))
    lines.append(("Themes: " if en else "Thèmes : ")
                 + ", ".join(f"{theme_label(t, lang)} ({w:g})" for t, w in themes))
    types = [t if en else _TYPE_LABELS_FR.get(t, t) for t in programme.eligible_types]
    lines.append(("Eligible types: " if en else "Types éligibles : ") + ", ".join(types))
    lines.append(("Countries: " if en else "Pays : ")
                 + (", ".join(programme.countries) or ("any" if en else "tous")))
    lines.append(("Regions: " if en else "Régions : ")
                 + (", ".join(programme.regions) or ("any" if en else "toutes")))
    lines.append(("Named in documents as: " if en else "Nommé dans les documents : ")
                 + ", ".join(programme.keywords))
    if programme.rules:
        lines += ["", "Composition rules:" if en else "Règles de composition :"]
        for rule in programme.rules:
            flag = (" (indicative)" if en else " (indicatif)") if rule.advisory else ""
            lines.append(f"- {rule.label.get(lang) or rule.label['fr']}{flag}")
            if rule.source:
                checked = ""
                if rule.checked:
                    checked = f", {'checked' if en else 'vérifié le'} {rule.checked}"
                lines.append(f"  {'Source:' if en else 'Source :'} {rule.source}{checked}")
            if rule.note:
                lines.append(f"  Note : {rule.note}")
    if programme.links:
        lines += ["", "Links:" if en else "Liens :"]
        lines += [f"- {link.label} : {link.url}" for link in programme.links]
    return "\n".join(lines)
