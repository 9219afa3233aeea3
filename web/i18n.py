"""UI strings, French first, English second.

The language comes from the `lang` query parameter (remembered in a cookie),
else the cookie, else French.
"""

from __future__ import annotations

from flask import Flask, Response, g, request, url_for
from werkzeug.routing import BuildError

LANGUAGES = ("fr", "en")
DEFAULT = "fr"
COOKIE = "lang"

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "app_name": "Matcher — partenariats recherche et innovation au Maroc",
        "app_short": "Matcher",
        "nav_search": "Recherche",
        "nav_programmes": "Programmes",
        "nav_documents": "Documents",
        "nav_api": "API",
        "skip": "Aller au contenu",
        "search_title": "Trouver des partenaires",
        "search_intro": "Choisissez un programme, décrivez votre besoin, filtrez par type ou "
        "par région : le classement explique chaque score par ses composantes et ses preuves.",
        "programme": "Programme",
        "any_programme": "— aucun programme —",
        "need": "Besoin (texte libre)",
        "need_placeholder": "ex. maintenance prédictive, électronique, cryogénie",
        "org_type": "Type d'organisation",
        "any_type": "— tous les types —",
        "region": "Région",
        "any_region": "— toutes les régions —",
        "country": "Pays (code ISO)",
        "country_placeholder": "ex. MA, FR",
        "top": "Nombre de candidats",
        "submit_search": "Rechercher",
        "form_errors": "Le formulaire contient des erreurs : corrigez les champs signalés.",
        "err_need_something": "Choisissez un programme ou décrivez votre besoin.",
        "err_programme": "Programme inconnu.",
        "err_type": "Type d'organisation inconnu.",
        "err_region": "Région inconnue.",
        "err_country": "Code pays à deux lettres attendu (ex. MA).",
        "err_top": "Un nombre entier entre 1 et {max} est attendu.",
        "err_query_long": "Texte trop long (500 caractères au plus).",
        "results_title": "Résultats",
        "filter_type": "type",
        "filter_region": "région",
        "filter_country": "pays",
        "filter_exclude": "exclus",
        "results_for": "Candidats",
        "no_results": "Aucun candidat ne correspond à ces critères.",
        "rank": "Rang",
        "name": "Organisation",
        "score": "Score",
        "type": "Type",
        "city": "Ville",
        "themes": "Thèmes",
        "evidence": "Preuve",
        "existing_partner": "partenaire existant",
        "download": "Télécharger",
        "registry_info": "Registre : {size} organisations, empreinte {hash}",
        "new_search": "Modifier la recherche",
        "org_title": "Organisation",
        "aliases": "Autres noms",
        "location": "Localisation",
        "mentions": "Mentions",
        "documents_count": "Documents",
        "seen": "Vue entre",
        "and": "et",
        "all_evidence": "Toutes les preuves",
        "no_evidence": "Aucune phrase de preuve.",
        "partners": "Partenaires (cités ensemble)",
        "no_partners": "Aucun partenaire connu.",
        "find_partners": "Trouver des partenaires pour cette organisation",
        "partners_for": "Partenaires suggérés pour {name}",
        "consortium_title": "Construire un consortium",
        "consortium_for": "Consortium {programme}",
        "consortium_size": "Taille",
        "consortium_with": "Avec",
        "build_consortium": "Construire",
        "members": "Membres",
        "role": "Rôle",
        "rules": "Règles du programme",
        "rule_ok": "respectée",
        "rule_ko": "non respectée",
        "assumption": "Hypothèse",
        "themes_covered": "Thèmes couverts",
        "themes_missing": "Thèmes manquants",
        "programmes_title": "Programmes",
        "programme_rules": "Règles",
        "eligible_types": "Types éligibles",
        "advisory": "indicatif",
        "checked": "vérifié le",
        "programme_sources": "Sources",
        "programme_themes": "Thèmes",
        "search_programme": "Chercher des candidats pour ce programme",
        "documents_title": "Documents",
        "doc_title": "Titre",
        "doc_date": "Date",
        "doc_source": "Source",
        "doc_language": "Langue",
        "doc_orgs": "Organisations",
        "doc_file": "Fichier",
        "no_documents": "Aucun document n'a encore été ingéré.",
        "upload_title": "Ajouter des documents",
        "upload_help": "Formats acceptés : txt, md, html, pdf ; {max} Mo au plus par envoi. "
        "L'ingestion se fait en arrière-plan : vous pouvez continuer à chercher.",
        "upload_file": "Fichier",
        "upload_submit": "Téléverser",
        "upload_started": "« {name} » est en cours d'ingestion.",
        "err_upload_type": "Type de fichier refusé : txt, md, html ou pdf attendu.",
        "err_upload_required": "Choisissez un fichier.",
        "err_upload_empty": "fichier vide",
        "already_ingested": "déjà présent dans le registre :",
        "err_upload_content": "Le contenu ne correspond pas à l'extension du fichier.",
        "job_queued": "en attente",
        "job_running": "ingestion en cours…",
        "job_done": "terminé",
        "job_error": "échec",
        "jobs_title": "Ingestions",
        "extracted": "Organisations extraites",
        "doc_text": "Texte du document",
        "open_source": "Ouvrir la source",
        "error_title": "Erreur",
        "back_home": "Retour à la recherche",
        "language": "Langue",
        "other_language": "English",
        "other_language_code": "en",
        "footer": "Les scores s'expliquent par leurs composantes ; chaque preuve renvoie à "
        "son document.",
        "component_legend": "Composantes du score",
    },
    "en": {
        "app_name": "Matcher — research and innovation partnerships in Morocco",
        "app_short": "Matcher",
        "nav_search": "Search",
        "nav_programmes": "Programmes",
        "nav_documents": "Documents",
        "nav_api": "API",
        "skip": "Skip to content",
        "search_title": "Find partners",
        "search_intro": "Choose a programme, describe your need, filter by type or region: "
        "the ranking explains each score by its components and its evidence.",
        "programme": "Programme",
        "any_programme": "— no programme —",
        "need": "Need (free text)",
        "need_placeholder": "e.g. predictive maintenance, electronics, cryogenics",
        "org_type": "Organisation type",
        "any_type": "— all types —",
        "region": "Region",
        "any_region": "— all regions —",
        "country": "Country (ISO code)",
        "country_placeholder": "e.g. MA, FR",
        "top": "Number of candidates",
        "submit_search": "Search",
        "form_errors": "The form has errors: fix the marked fields.",
        "err_need_something": "Choose a programme or describe your need.",
        "err_programme": "Unknown programme.",
        "err_type": "Unknown organisation type.",
        "err_region": "Unknown region.",
        "err_country": "A two-letter country code is expected (e.g. MA).",
        "err_top": "A whole number between 1 and {max} is expected.",
        "err_query_long": "Text too long (500 characters at most).",
        "results_title": "Results",
        "filter_type": "type",
        "filter_region": "region",
        "filter_country": "country",
        "filter_exclude": "excluded",
        "results_for": "Candidates",
        "no_results": "No candidate matches these criteria.",
        "rank": "Rank",
        "name": "Organisation",
        "score": "Score",
        "type": "Type",
        "city": "City",
        "themes": "Themes",
        "evidence": "Evidence",
        "existing_partner": "existing partner",
        "download": "Download",
        "registry_info": "Registry: {size} organisations, fingerprint {hash}",
        "new_search": "Change the search",
        "org_title": "Organisation",
        "aliases": "Other names",
        "location": "Location",
        "mentions": "Mentions",
        "documents_count": "Documents",
        "seen": "Seen between",
        "and": "and",
        "all_evidence": "All evidence",
        "no_evidence": "No evidence sentence.",
        "partners": "Partners (named together)",
        "no_partners": "No known partner.",
        "find_partners": "Find partners for this organisation",
        "partners_for": "Suggested partners for {name}",
        "consortium_title": "Build a consortium",
        "consortium_for": "Consortium {programme}",
        "consortium_size": "Size",
        "consortium_with": "With",
        "build_consortium": "Build",
        "members": "Members",
        "role": "Role",
        "rules": "Programme rules",
        "rule_ok": "met",
        "rule_ko": "not met",
        "assumption": "Assumption",
        "themes_covered": "Themes covered",
        "themes_missing": "Themes missing",
        "programmes_title": "Programmes",
        "programme_rules": "Rules",
        "eligible_types": "Eligible types",
        "advisory": "advisory",
        "checked": "checked",
        "programme_sources": "Sources",
        "programme_themes": "Themes",
        "search_programme": "Find candidates for this programme",
        "documents_title": "Documents",
        "doc_title": "Title",
        "doc_date": "Date",
        "doc_source": "Source",
        "doc_language": "Language",
        "doc_orgs": "Organisations",
        "doc_file": "File",
        "no_documents": "No document has been ingested yet.",
        "upload_title": "Add documents",
        "upload_help": "Accepted formats: txt, md, html, pdf; {max} MB at most per upload. "
        "Ingestion runs in the background: you can keep searching.",
        "upload_file": "File",
        "upload_submit": "Upload",
        "upload_started": "“{name}” is being ingested.",
        "err_upload_type": "File type refused: txt, md, html or pdf expected.",
        "err_upload_required": "Choose a file.",
        "err_upload_empty": "empty file",
        "already_ingested": "already in the registry:",
        "err_upload_content": "The content does not match the file extension.",
        "job_queued": "queued",
        "job_running": "ingesting…",
        "job_done": "done",
        "job_error": "failed",
        "jobs_title": "Ingestions",
        "extracted": "Extracted organisations",
        "doc_text": "Document text",
        "open_source": "Open the source",
        "error_title": "Error",
        "back_home": "Back to search",
        "language": "Language",
        "other_language": "Français",
        "other_language_code": "fr",
        "footer": "Scores are explained by their components; every piece of evidence links "
        "to its document.",
        "component_legend": "Score components",
    },
}

def current_lang() -> str:
    if "lang" not in g:
        asked = request.args.get("lang") or request.cookies.get(COOKIE) or DEFAULT
        g.lang = asked if asked in LANGUAGES else DEFAULT
    return str(g.lang)


def t(key: str, **values: object) -> str:
    """The UI string `key` in the request's language (French when missing)."""
    lang = current_lang()
    text = STRINGS[lang].get(key) or STRINGS[DEFAULT].get(key) or key
    return text.format(**values) if values else text


def type_label(org_type: str | None) -> str:
    """The organisation type as people say it (the reports' labels)."""
    from matcher.export import type_label as label

    return label(org_type, current_lang()) if org_type else ""


def component_label(name: str) -> str:
    from matcher.export import component_label as label

    return label(name, current_lang())


def switch_url() -> str:
    """The current page in the other language (its query string kept)."""
    other = "en" if current_lang() == "fr" else "fr"
    args = request.args.to_dict(flat=False)
    args["lang"] = [other]
    endpoint = request.endpoint or "search.home"
    view_args = dict(request.view_args or {})
    try:
        return url_for(endpoint, **view_args, **args)
    except BuildError:  # an error page may have no endpoint to rebuild
        return url_for("search.home", lang=other)


def _remember(response: Response) -> Response:
    asked = request.args.get("lang")
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_remember)

    # globals, not a context processor: imported macros see globals only
    app.jinja_env.globals.update(t=t, type_label=type_label, component_label=component_label,
                                 switch_url=switch_url)

    @app.context_processor
    def _inject() -> dict[str, object]:
        return {"lang": current_lang()}
