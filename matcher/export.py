"""Reports of a shortlist or a consortium: CSV, JSON, XLSX, Markdown, HTML and PDF.

`render` is the one reporting function: the CLI writes its bytes to stdout or `-o`,
the web app sends them with a Content-Disposition, so both give the same file.
Every format starts from the same rows and the same report context; every report
ends with how to reproduce it (command line, registry hash, project version).
pandas, openpyxl, matplotlib, Jinja2 and WeasyPrint are imported inside the
functions that use them: `match shortlist` must start fast.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import __version__
from .errors import DataError, NotFoundError, UsageError
from .records import Candidate, Consortium, Shortlist
from .serialize import to_json
from .text import key

FORMATS = ("csv", "json", "xlsx", "md", "html", "pdf")
BINARY_FORMATS = frozenset({"xlsx", "pdf"})
LANGS = ("fr", "en")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
TEMPLATES = Path(__file__).resolve().parent / "templates"
CHART_LIMIT = 25  # candidates drawn in a chart; the tables list them all
TABLE_THEMES = 3  # themes named in a report's ranking table; the details list them all

TYPE_LABELS = {
    "university": ("Université", "University"),
    "school": ("École", "School"),
    "research_centre": ("Centre de recherche", "Research centre"),
    "cluster": ("Cluster", "Cluster"),
    "company": ("Entreprise", "Company"),
    "public_agency": ("Organisme public", "Public agency"),
    "ministry": ("Ministère", "Ministry"),
    "association": ("Association", "Association"),
    "international_org": ("Organisation internationale", "International organisation"),
    "funding_programme": ("Programme de financement", "Funding programme"),
    "media": ("Média", "Media"),
    "unknown": ("Type inconnu", "Unknown type"),
}
COMPONENT_LABELS = {
    "text": ("Texte", "Text"),
    "themes": ("Thèmes", "Themes"),
    "type": ("Type", "Type"),
    "geography": ("Géographie", "Geography"),
    "links": ("Liens", "Links"),
    "evidence": ("Preuves", "Evidence"),
    "recency": ("Récence", "Recency"),
    "complement": ("Complémentarité", "Complementarity"),
    "complementarity": ("Complémentarité", "Complementarity"),
    "diversity": ("Diversité", "Diversity"),
    "eligibility": ("Éligibilité", "Eligibility"),
}
COLUMNS = {  # key -> (French, English) header of CSV and XLSX columns
    "rank": ("Rang", "Rank"),
    "id": ("Identifiant", "ID"),
    "name": ("Organisation", "Organisation"),
    "type": ("Type", "Type"),
    "role": ("Rôle", "Role"),
    "city": ("Ville", "City"),
    "region": ("Région", "Region"),
    "country": ("Pays", "Country"),
    "exclude": ("Exclus", "Excluded"),
    "score": ("Score", "Score"),
    "matched_themes": ("Thèmes communs", "Matched themes"),
    "matched_terms": ("Termes trouvés", "Matched terms"),
    "existing_partner": ("Partenaire existant", "Existing partner"),
    "evidence": ("Meilleure preuve", "Best evidence"),
    "evidence_document": ("Document", "Document"),
    "evidence_date": ("Date du document", "Document date"),
}
WORDS = {  # the report's own words
    "title_shortlist": ("Partenaires potentiels", "Potential partners"),
    "title_partners": ("Partenaires potentiels de", "Potential partners of"),
    "title_consortium": ("Consortium proposé", "Proposed consortium"),
    "programme": ("Programme", "Programme"),
    "query": ("Requête", "Query"),
    "organisation": ("Organisation", "Organisation"),
    "filters": ("Filtres", "Filters"),
    "date": ("Date", "Date"),
    "registry_size": ("Taille du registre", "Registry size"),
    "organisations": ("organisations", "organisations"),
    "method": ("Méthode", "Method"),
    "ranking": ("Classement", "Ranking"),
    "members": ("Membres", "Members"),
    "details": ("Détail par organisation", "Details per organisation"),
    "location": ("Lieu", "Location"),
    "components": ("Composantes du score", "Score components"),
    "themes_chart": ("Thèmes du programme couverts", "Programme themes covered"),
    "themes_wanted_chart": ("Thèmes recherchés couverts", "Wanted themes covered"),
    "themes": ("Thèmes", "Themes"),
    "matched_themes": ("Thèmes communs", "Matched themes"),
    "terms": ("Termes trouvés", "Matched terms"),
    "evidence": ("Preuves", "Evidence"),
    "no_evidence": ("Aucune phrase de preuve enregistrée.", "No evidence sentence recorded."),
    "existing_partner": ("Partenaire existant", "Existing partner"),
    "rules": ("Règles de composition", "Composition rules"),
    "rule": ("Règle", "Rule"),
    "satisfied": ("Respectée", "Met"),
    "detail": ("Détail", "Detail"),
    "assumption": ("Hypothèse", "Assumption"),
    "advisory": ("indicatif", "advisory"),
    "themes_covered": ("Thèmes couverts", "Themes covered"),
    "themes_missing": ("Thèmes manquants", "Themes missing"),
    "reproduce": ("Reproduire ce rapport", "Reproduce this report"),
    "command": ("Commande", "Command"),
    "registry_hash": ("Empreinte du registre", "Registry hash"),
    "version": ("Version de matcher", "Matcher version"),
    "yes": ("oui", "yes"),
    "no": ("non", "no"),
    "none": ("aucun", "none"),
    "no_candidates": ("Aucun candidat.", "No candidates."),
    "sheet_candidates": ("Candidats", "Candidates"),
    "sheet_members": ("Membres", "Members"),
    "sheet_query": ("Requête", "Query"),
    "sheet_rules": ("Règles", "Rules"),
    "sheet_charts": ("Graphiques", "Charts"),
    "field": ("Champ", "Field"),
    "value": ("Valeur", "Value"),
    "page": ("Page", "Page"),
    "of": ("sur", "of"),
}
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


# --- labels ------------------------------------------------------------------


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "fr" else pair[1]


def word(name: str, lang: str = "fr") -> str:
    """One of the report's words in `lang`."""
    return _pick(WORDS[name], lang)


def type_label(org_type: str, lang: str = "fr") -> str:
    """'university' -> 'Université' (fr) / 'University' (en); unknown types as given."""
    pair = TYPE_LABELS.get(org_type)
    return _pick(pair, lang) if pair else org_type


def component_label(component: str, lang: str = "fr") -> str:
    """A score component's name for people: 'geography' -> 'Géographie'."""
    pair = COMPONENT_LABELS.get(component)
    return _pick(pair, lang) if pair else component.replace("_", " ").capitalize()


def _theme_labels(lang: str) -> dict[str, str]:
    """Theme id -> label in `lang` (matcher.themes); ids it does not know stay as given."""
    from .themes import load_themes

    return {theme_id: theme.label(lang) for theme_id, theme in load_themes().items()}


def _programme(programme_id: str | None, lang: str) -> tuple[str | None, list[str]]:
    """The programme's name and theme ids; the bare id when the programme is unknown."""
    if not programme_id:
        return None, []
    try:
        from .programmes import get_programme

        prog = get_programme(programme_id)
    except (NotFoundError, DataError):
        return programme_id, []
    name = prog.name.get(lang) or prog.name.get("fr") or programme_id
    return f"{name} ({programme_id})", [str(t) for t in prog.themes]


def _check_args(fmt: str, lang: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"format « {fmt} » inconnu : choisir parmi {', '.join(FORMATS)}")
    if lang not in LANGS:
        raise UsageError(f"langue « {lang} » inconnue : choisir parmi {', '.join(LANGS)}")


# --- the rows shared by CSV and XLSX ------------------------------------------


def _candidates(result: Shortlist | Consortium) -> tuple[Candidate, ...]:
    return result.members if isinstance(result, Consortium) else result.candidates


def component_order(candidates: Sequence[Candidate]) -> list[str]:
    """Score components in order of first appearance, so columns and charts agree."""
    order: list[str] = []
    for cand in candidates:
        order.extend(k for k in cand.components if k not in order)
    return order


def component_column(component: str, lang: str = "fr") -> str:
    """The CSV/XLSX header of a score component: 'Composante géographie'."""
    label = component_label(component, lang)
    return f"Composante {label.lower()}" if lang == "fr" else f"{label} component"


def _number(value: float) -> float:
    return round(float(value), 6)


def rows(result: Shortlist | Consortium, lang: str = "fr") -> list[dict[str, Any]]:
    """One dict per candidate, keyed by column header in `lang` (the CSV/XLSX table)."""
    cands = _candidates(result)
    comps = component_order(cands)
    with_role = isinstance(result, Consortium) or any(c.role for c in cands)
    labels = _theme_labels(lang)
    out = []
    for cand in cands:
        best = cand.evidence[0] if cand.evidence else None
        values: dict[str, Any] = {
            "rank": cand.rank, "id": cand.id, "name": cand.name,
            "type": type_label(cand.type, lang),
        }
        if with_role:
            values["role"] = cand.role or ""
        values.update(city=cand.city or "", region=cand.region or "",
                      country=cand.country or "", score=_number(cand.score))
        row = {_pick(COLUMNS[k], lang): v for k, v in values.items()}
        for comp in comps:
            row[component_column(comp, lang)] = _number(cand.components.get(comp, 0.0))
        tail = {
            "matched_themes": "; ".join(labels.get(t, t) for t in cand.matched_themes),
            "matched_terms": "; ".join(cand.matched_terms),
            "existing_partner": word("yes" if cand.existing_partner else "no", lang),
            "evidence": best.text if best else "",
            "evidence_document": best.document if best else "",
            "evidence_date": (best.date or "") if best else "",
        }
        row.update({_pick(COLUMNS[k], lang): v for k, v in tail.items()})
        out.append(row)
    return out


def _columns(result: Shortlist | Consortium, lang: str) -> list[str]:
    """The headers, also when there is no candidate (an empty CSV still has its header)."""
    cands = _candidates(result)
    if cands:
        return list(rows(result, lang)[0])
    keys = ["rank", "id", "name", "type"]
    if isinstance(result, Consortium):
        keys.append("role")
    keys += ["city", "region", "country", "score", "matched_themes", "matched_terms",
             "existing_partner", "evidence", "evidence_document", "evidence_date"]
    return [_pick(COLUMNS[k], lang) for k in keys]


def _csv(result: Shortlist | Consortium, lang: str) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_columns(result, lang), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(result, lang))
    return out.getvalue().encode("utf-8")


# --- the context shared by Markdown, HTML and PDF --------------------------------


def _date(created: str, lang: str) -> str:
    """'2026-11-21T21:30:00+00:00' -> '21 novembre 2026, 21:30 UTC'."""
    if not created:
        return ""
    try:
        when = datetime.fromisoformat(created)
    except ValueError:
        return created
    months = MONTHS_FR if lang == "fr" else MONTHS_EN
    text = f"{when.day} {months[when.month - 1]} {when.year}"
    if len(created) > 10:
        text += f", {when:%H:%M}"
        if when.utcoffset() is not None:
            text += " UTC" if not when.utcoffset() else f" {when:%z}"
    return text


def _decimal(value: float, lang: str, digits: int = 3) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "fr" else text


def default_command(result: Shortlist | Consortium) -> str:
    """The `match` command that asks for this result again, when the caller gave none."""
    import shlex

    params = result.params
    if isinstance(result, Consortium):
        parts = ["match", "consortium", result.programme]
        if params.get("size"):
            parts += ["--size", str(params["size"])]
        for name in params.get("with_") or ():  # type: ignore[attr-defined]
            parts += ["--with", str(name)]
        assume = params.get("assume")
        for code, status in (assume.items() if isinstance(assume, dict) else ()):
            parts += ["--assume", f"{code}={status}"]
        return shlex.join(parts)
    if result.organisation:
        parts = ["match", "partners", result.organisation]
    else:
        parts = ["match", "shortlist"] + ([result.programme] if result.programme else [])
        if result.query:
            parts += ["--query", result.query]
    for name, value in result.filters.items():
        if value in (None, "", (), []):
            continue
        option = "--" + str(name).replace("_", "-")
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            parts += [option] if item is True else [option, str(item)]
    if params.get("top"):
        parts += ["--top", str(params["top"])]
    return shlex.join(parts)


def _filters_text(filters: dict[str, object], lang: str) -> str:
    items = []
    for name, value in filters.items():
        if value in (None, "", (), []):
            continue
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        if name == "type":
            values = [type_label(str(v), lang) for v in values]
        value = ", ".join(str(v) for v in values)
        label = _pick(COLUMNS[name], lang) if name in COLUMNS else name
        items.append(f"{label} : {value}" if lang == "fr" else f"{label}: {value}")
    return "; ".join(items) or word("none", lang)


def _param_text(value: object) -> str:
    """A method parameter on one line: dicts as 'k=v, k=v' (weights, themes, model)."""
    if isinstance(value, dict):
        return ", ".join(f"{k}={_param_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_param_text(v) for v in value)
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def context(result: Shortlist | Consortium, *, command: str | None = None,
            lang: str = "fr", charts: str | None = None) -> dict[str, Any]:
    """Everything a report template shows; `charts` is 'svg', 'png' or None (no charts)."""
    is_consortium = isinstance(result, Consortium)
    cands = _candidates(result)
    prog_name, prog_themes = _programme(result.programme, lang)
    labels = _theme_labels(lang)
    comps = component_order(cands)
    if is_consortium:
        title = f"{word('title_consortium', lang)} — {prog_name}"
    elif result.organisation:
        title = f"{word('title_partners', lang)} {result.organisation}"
    else:
        title = word("title_shortlist", lang) + (f" — {prog_name}" if prog_name else "")
    header: list[tuple[str, str]] = []
    if prog_name:
        header.append((word("programme", lang), prog_name))
    if not is_consortium:
        if result.query:
            header.append((word("query", lang), result.query))
        if result.organisation:
            header.append((word("organisation", lang), result.organisation))
        header.append((word("filters", lang), _filters_text(dict(result.filters), lang)))
    header.append((word("date", lang), _date(result.created, lang)))
    header.append((word("registry_size", lang),
                   f"{result.registry_size} {word('organisations', lang)}"))
    entries = []
    for cand in cands:
        place = ", ".join(p for p in (cand.city, cand.region, cand.country) if p)
        themes = [labels.get(t, t) for t in cand.matched_themes]
        entries.append({
            "c": cand,
            "anchor": f"c{cand.rank}-{cand.id}",
            "type": type_label(cand.type, lang),
            "place": place,
            "score": _decimal(cand.score, lang),
            "components": [_decimal(cand.components.get(k, 0.0), lang) for k in comps],
            "themes": themes,
            "themes_short": ", ".join(themes[:TABLE_THEMES]) + (
                f" (+{len(themes) - TABLE_THEMES})" if len(themes) > TABLE_THEMES else ""),
            "place_short": ", ".join(p for p in (cand.city or cand.region, cand.country) if p),
            "terms": list(cand.matched_terms),
        })
    themes_covered = [labels.get(t, t) for t in getattr(result, "themes_covered", ())]
    themes_missing = [labels.get(t, t) for t in getattr(result, "themes_missing", ())]
    ctx: dict[str, Any] = {
        "lang": lang, "w": {k: _pick(v, lang) for k, v in WORDS.items()},
        "title": title, "header": header, "entries": entries,
        "component_names": [component_label(k, lang) for k in comps],
        "component_columns": [component_column(k, lang) for k in comps],
        "consortium": is_consortium,
        "rules": list(result.rules) if is_consortium else [],
        "themes_covered": themes_covered, "themes_missing": themes_missing,
        "params": [(str(k), _param_text(v)) for k, v in result.params.items()],
        "command": command or default_command(result),
        "registry_hash": result.registry_hash, "version": __version__,
        "charts": {},
    }
    if charts and cands:
        ctx["charts"] = _charts(result, prog_themes, lang, charts)
    return ctx


def _charts(result: Shortlist | Consortium, prog_themes: list[str], lang: str,
            fmt: str) -> dict[str, str]:
    """The two charts, ready to embed: inline SVG markup or a base64 PNG data URI."""
    import base64

    from .charts import components_chart, themes_heatmap

    cands = _candidates(result)[:CHART_LIMIT]
    labels = _theme_labels(lang)
    comp_labels = {k: component_label(k, lang) for k in component_order(cands)}
    names = [f"{c.rank}. {c.name}" for c in cands]
    images = {"components": components_chart(
        list(zip(names, [c.components for c in cands], strict=True)), comp_labels,
        title=word("components", lang), xlabel="score", fmt=fmt)}
    themes: list[str] = list(prog_themes)
    extra = list(getattr(result, "themes_covered", ())) + list(
        getattr(result, "themes_missing", ()))
    matched = [t for c in cands for t in c.matched_themes]
    if not prog_themes:  # free text or partner search: the matched themes, most wanted first
        wanted = result.params.get("themes")
        weight = wanted if isinstance(wanted, dict) else {}
        matched = sorted(dict.fromkeys(matched), key=lambda t: -float(weight.get(t, 0.0)))
    for theme in extra + matched:
        if theme not in themes:
            themes.append(theme)
    if themes:
        matrix = [[1.0 if t in c.matched_themes else 0.0 for t in themes] for c in cands]
        images["themes"] = themes_heatmap(
            names, [labels.get(t, t) for t in themes], matrix,
            title=word("themes_chart" if prog_themes else "themes_wanted_chart", lang), fmt=fmt)
    out = {}
    for name, data in images.items():
        if fmt == "svg":
            text = data.decode("utf-8")
            out[name] = text[text.index("<svg"):]
        else:
            out[name] = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    return out


# --- Markdown, HTML, PDF ----------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md_escape(value: object) -> str:
    """Text from documents shown literally in Markdown: no markup, no raw HTML, one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _environment(autoescape: bool) -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=autoescape,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = _md_escape
    return env


def _markdown(result: Shortlist | Consortium, command: str | None, lang: str) -> bytes:
    ctx = context(result, command=command, lang=lang)
    text = _environment(False).get_template("report.md.j2").render(ctx)
    return re.sub(r"\n{3,}", "\n\n", text).encode("utf-8")


def _html(result: Shortlist | Consortium, command: str | None, lang: str,
          charts: str = "svg", pdf: bool = False) -> str:
    from markupsafe import Markup

    ctx = context(result, command=command, lang=lang, charts=charts)
    if charts == "svg":  # matplotlib's own SVG, not document text: safe to inline
        ctx["charts"] = {k: Markup(v) for k, v in ctx["charts"].items()}
    ctx["css"] = Markup((TEMPLATES / "report.css").read_text(encoding="utf-8"))
    ctx["pdf"] = pdf
    return _environment(True).get_template("report.html.j2").render(ctx)


def _pdf(result: Shortlist | Consortium, command: str | None, lang: str) -> bytes:
    import weasyprint

    html = _html(result, command, lang, charts="png", pdf=True)
    return weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


# --- XLSX -----------------------------------------------------------------------


def _xlsx(result: Shortlist | Consortium, command: str | None, lang: str) -> bytes:
    import pandas as pd
    from openpyxl.styles import Alignment, Font, PatternFill

    is_consortium = isinstance(result, Consortium)
    table = pd.DataFrame(rows(result, lang), columns=_columns(result, lang))
    ctx = context(result, command=command, lang=lang)
    info = [(name, value) for name, value in ctx["header"]]
    info += [(f"{word('method', lang)} : {k}" if lang == "fr" else f"{word('method', lang)}: {k}",
              v) for k, v in ctx["params"]]
    info += [(word("command", lang), ctx["command"]),
             (word("registry_hash", lang), ctx["registry_hash"]),
             (word("version", lang), ctx["version"])]
    if is_consortium:
        info += [(word("themes_covered", lang), ", ".join(ctx["themes_covered"])),
                 (word("themes_missing", lang), ", ".join(ctx["themes_missing"]))]
    query = pd.DataFrame(info, columns=[word("field", lang), word("value", lang)])
    main_sheet = word("sheet_members" if is_consortium else "sheet_candidates", lang)
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F5F8B")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name=main_sheet, index=False)
        query.to_excel(writer, sheet_name=word("sheet_query", lang), index=False)
        if is_consortium:
            rules = pd.DataFrame(
                [(r.rule + (f" ({word('advisory', lang)})" if r.advisory else ""),
                  word("yes" if r.satisfied else "no", lang), r.detail, r.assumption)
                 for r in result.rules],
                columns=[word(k, lang) for k in ("rule", "satisfied", "detail", "assumption")])
            rules.to_excel(writer, sheet_name=word("sheet_rules", lang), index=False)
        for sheet in writer.book.worksheets:
            sheet.freeze_panes = "A2"
            for cell in sheet[1]:
                cell.font, cell.fill = bold, fill
                cell.alignment = Alignment(vertical="center", wrap_text=True)
            for column in sheet.columns:
                values = [str(c.value) if c.value is not None else "" for c in column]
                longest = max(len(v) for v in values)
                letter = column[0].column_letter
                sheet.column_dimensions[letter].width = max(8, min(60, longest + 2))
                if longest > 60:
                    for cell in column[1:]:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet = writer.book[main_sheet]
        if table.shape[0]:
            sheet.auto_filter.ref = sheet.dimensions
        numeric = {_pick(COLUMNS["score"], lang)} | {
            component_column(k, lang) for k in component_order(_candidates(result))}
        for cell in sheet[1]:
            if cell.value in numeric:
                for target in sheet[cell.column_letter][1:]:
                    target.number_format = "0.000"
        _xlsx_charts(writer.book, result, lang)
        when = _created(result)
        writer.book.properties.created = when
        writer.book.properties.modified = when
        writer.book.properties.title = ctx["title"]
    return buffer.getvalue()


def _xlsx_charts(book: Any, result: Shortlist | Consortium, lang: str) -> None:
    """A sheet with the two charts as PNG images, under the tables."""
    from openpyxl.drawing.image import Image

    if not _candidates(result):
        return
    _, prog_themes = _programme(result.programme, lang)
    charts = _charts(result, prog_themes, lang, "png")
    sheet = book.create_sheet(word("sheet_charts", lang))
    row = 1
    import base64

    for name in ("components", "themes"):
        if name not in charts:
            continue
        data = base64.b64decode(charts[name].split(",", 1)[1])
        image = Image(io.BytesIO(data))
        scale = min(1.0, 900 / image.width)
        image.width, image.height = int(image.width * scale), int(image.height * scale)
        sheet.add_image(image, f"A{row}")
        row += int(image.height / 20) + 2


def _created(result: Shortlist | Consortium) -> datetime:
    try:
        when = datetime.fromisoformat(result.created)
    except ValueError:
        return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when


# --- the public functions -----------------------------------------------------------


def render(result: Shortlist | Consortium, fmt: str, *, command: str | None = None,
           lang: str = "fr") -> bytes:
    """The report of `result` in format `fmt` (one of FORMATS), in French or English.

    `command` is the command line that produced the result (the web passes the
    equivalent `match` command); without it, one is rebuilt from the result.
    """
    _check_args(fmt, lang)
    if not isinstance(result, (Shortlist, Consortium)):
        raise UsageError(f"rien à exporter : {type(result).__name__} n'est ni une liste "
                         "de candidats ni un consortium")
    if fmt == "json":
        return (to_json(result) + "\n").encode("utf-8")
    if fmt == "csv":
        return _csv(result, lang)
    if fmt == "md":
        return _markdown(result, command, lang)
    if fmt == "html":
        return _html(result, command, lang).encode("utf-8")
    if fmt == "xlsx":
        return _xlsx(result, command, lang)
    return _pdf(result, command, lang)


def filename(result: Shortlist | Consortium, fmt: str) -> str:
    """A download name that says what the file is: 'shortlist-cern-associate-2026-11-21.csv'."""
    _check_args(fmt, "fr")
    if isinstance(result, Consortium):
        parts = ["consortium", result.programme]
    elif result.organisation:
        parts = ["partners", result.organisation]
    else:
        parts = ["shortlist", result.programme or "", result.query or ""]
    slug = "-".join(key(p).replace(" ", "-") for p in parts if p and key(p))
    day = result.created[:10] if re.match(r"\d{4}-\d{2}-\d{2}", result.created or "") else (
        datetime.now(UTC).strftime("%Y-%m-%d"))
    return f"{slug[:60].rstrip('-')}-{day}.{fmt}"


def write(data: bytes, fmt: str, output: str | Path | None, stdout: Any) -> None:
    """Write a rendered report to `output`, or to the binary `stdout` for text formats."""
    if output is None or str(output) == "-":
        if fmt in BINARY_FORMATS:
            raise UsageError(f"le format {fmt} est binaire : donner un fichier avec -o "
                             f"(par exemple -o rapport.{fmt})")
        stdout.write(data)
        stdout.flush()
        return
    Path(output).write_bytes(data)
