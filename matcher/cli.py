"""`match`: the command-line shell over the library.

Each command parses its options, calls one library function and prints the result.
Library errors (MatcherError) become one `Error: ...` line on stderr and exit status 1.
Heavy modules (spaCy, scikit-learn, pandas) are imported inside the commands that
need them, so `match shortlist` starts fast.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import MatcherError

ORG_COLUMNS = ("name", "type", "city", "region", "country", "mentions", "documents")


class MatcherGroup(click.Group):
    """Turns library errors into one line and exit status 1, without a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MatcherError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)


def db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """`--db PATH`, shared by every command (MATCHER_DB and var/matcher.db otherwise)."""

    @click.option("--db", "db", type=click.Path(dir_okay=False), default=None,
                  help="Registry file (default: $MATCHER_DB or var/matcher.db).")
    @functools.wraps(func)
    def wrapper(*args: Any, db: str | None, **kwargs: Any) -> Any:
        from .config import db_path

        return func(*args, db=db_path(db), **kwargs)

    return wrapper


def format_option(*choices: str, default: str = "table") -> Callable[..., Any]:
    """`--format`, shared by the listing commands."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=default,
                        show_default=True, help="Output format.")


@click.group(cls=MatcherGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="match")
def cli() -> None:
    """Find partners in Morocco's research and innovation ecosystem.

    Build a registry from documents, then ask for a shortlist:

    \b
        match build seeds/
        match shortlist cern-associate
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--rebuild", is_flag=True, help="Start from an empty registry.")
@db_option
def build(paths: tuple[str, ...], rebuild: bool, db: Path) -> None:
    """Read documents into the registry (default PATH: seeds/).

    Files and folders of .txt, .md, .html, .htm and .pdf; a file already read with the
    same content is not read again. Bad files are skipped and reported (exit status 2).

    \b
        match build seeds/ articles/2026/
    """
    from .build import build as run_build

    summary = run_build(paths or ("seeds",), db, rebuild=rebuild)
    for line in summary.lines():
        click.echo(line, err=line.startswith(("Ignoré", "Attention")))
    click.echo(f"Registre : {db}")
    if not summary.ok:
        sys.exit(2)


@cli.command()
@click.option("--type", "org_type", default=None, help="Only this type (e.g. university).")
@format_option("table", "json", "csv")
@db_option
def orgs(org_type: str | None, fmt: str, db: Path) -> None:
    """List the organisations of the registry.

    \b
        match orgs --type university --format csv
    """
    from .records import ORG_TYPES
    from .store import Registry

    if org_type and org_type not in ORG_TYPES:
        raise click.BadParameter(f"{org_type!r}; choose from {', '.join(ORG_TYPES)}",
                                 param_hint="--type")
    with Registry(db) as registry:
        profiles = registry.organisations(type=org_type)
    rows = [_org_row(p) for p in profiles]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(_csv([{**r, "aliases": "; ".join(r["aliases"]),
                          "themes": "; ".join(r["themes"])} for r in rows]), nl=False)
    else:
        click.echo(_table(rows, ORG_COLUMNS))


def _org_row(profile: Any) -> dict[str, Any]:
    """The stable JSON form of `match orgs` (other tools read it)."""
    return {
        "id": profile.id,
        "name": profile.name,
        "aliases": list(profile.aliases),
        "type": profile.type,
        "city": profile.city,
        "region": profile.region,
        "country": profile.country,
        "themes": [t for t, _ in sorted(profile.themes.items(), key=lambda kv: (-kv[1], kv[0]))],
        "programmes": list(profile.programmes),
        "mentions": profile.mentions,
        "documents": profile.documents,
        "first_seen": profile.first_seen,
        "last_seen": profile.last_seen,
    }


@cli.command()
@click.argument("name")
@format_option("text", "json", default="text")
@db_option
def show(name: str, fmt: str, db: Path) -> None:
    """Show one organisation's profile, evidence and partners (fuzzy name lookup).

    \b
        match show "Cadi Ayyad"
    """
    from .serialize import to_json
    from .store import Registry

    with Registry(db) as registry:
        profile = registry.find(name)
    if fmt == "json":
        click.echo(to_json(profile))
        return
    row = _org_row(profile)
    click.echo(profile.name)
    for label, value in (
        ("Type", row["type"]), ("Alias", ", ".join(row["aliases"])),
        ("Ville", row["city"]), ("Région", row["region"]), ("Pays", row["country"]),
        ("Thèmes", ", ".join(row["themes"])), ("Programmes", ", ".join(row["programmes"])),
        ("Mentions", f"{row['mentions']} dans {row['documents']} document(s)"),
        ("Vu", f"{row['first_seen'] or '?'} – {row['last_seen'] or '?'}"),
    ):
        if value:
            click.echo(f"  {label:<11}{value}")
    if profile.partners:
        click.echo("  Partenaires :")
        for partner in profile.partners:
            click.echo(f"    - {partner.name} ({partner.type})")
    click.echo("  Preuves :")
    for ev in profile.evidence:
        click.echo(f"    [{ev.document}, {ev.date or 'date inconnue'}] {ev.text}")


@cli.command()
@click.argument("gold", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False))
@format_option("text", "json", default="text")
@db_option
def evaluate(gold: tuple[str, ...], fmt: str, db: Path) -> None:
    """Score the registry against hand-annotated gold files.

    Extraction precision, recall, F1 and type accuracy (media excluded), junk spans
    taken for organisations; then the ranking of the gold queries of every file.

    \b
        match build seeds/ && match evaluate tests/gold/seeds.yaml
        match evaluate tests/gold/seeds.yaml tests/gold/queries_extra.yaml
    """
    from .evaluation import evaluate_registry
    from .store import Registry

    with Registry(db) as registry:
        report = evaluate_registry(registry, *gold)
    if fmt == "json":
        from .serialize import to_json

        click.echo(to_json(report))
    else:
        click.echo("\n".join(report.lines()))


REPORT_FORMATS = ("table", "json", "csv", "md", "html", "xlsx", "pdf")


def report_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """`--format`, `-o/--output` and `--lang`, shared by shortlist, partners and consortium."""
    func = click.option("--lang", type=click.Choice(["fr", "en"]), default="fr",
                        show_default=True, help="Language of the report.")(func)
    func = click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
                        help="Write the report to this file (format from its extension: "
                             ".csv .json .xlsx .md .html .pdf).")(func)
    return format_option(*REPORT_FORMATS)(func)


def filter_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """`--type`, `--region`, `--country`, `--exclude`, `--top`, shared by shortlist and partners."""
    for option in reversed((
        click.option("--type", "org_types", multiple=True,
                     help="Only this type (repeat or comma-separate: university,company)."),
        click.option("--region", default=None, help="Only this region (e.g. Fès-Meknès)."),
        click.option("--country", default=None, help="Only this country (ISO code: MA, FR...)."),
        click.option("--exclude", multiple=True,
                     help="Leave this organisation out (repeatable)."),
        click.option("--top", default=10, show_default=True, type=click.IntRange(1, 1000),
                     help="Number of candidates."),
    )):
        func = option(func)
    return func


def _types(values: tuple[str, ...]) -> list[str] | None:
    """Types given as repeated or comma-separated options."""
    return [t for v in values for t in v.split(",") if t] or None


def _emit(result: Any, fmt: str, output: str | None, lang: str = "fr") -> None:
    """Print a ranked result as a table, or render it with matcher.export."""
    if output and fmt == "table":
        fmt = Path(output).suffix.lower().lstrip(".") or "table"
    if fmt == "table":
        if output:
            raise click.BadParameter(f"{output!r}: give an extension (.csv, .xlsx, .pdf...)",
                                     param_hint="--output")
        click.echo(_result_table(result))
        return
    from .export import render, write

    command = "match " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    write(render(result, fmt, command=command, lang=lang), fmt, output, sys.stdout.buffer)
    if output:
        click.echo(f"Rapport écrit : {output}", err=True)


def _result_table(result: Any) -> str:
    """Candidates (or members) as an aligned table, then the rules of a consortium."""
    from .themes import theme_label

    members = getattr(result, "candidates", None)
    if members is None:
        members = result.members
    rows = [{"rang": c.rank, "score": f"{c.score:.3f}", "nom": c.name, "type": c.type,
             "ville": c.city, "pays": c.country,
             "thèmes": ", ".join(theme_label(t) for t in c.matched_themes[:4]),
             **({"rôle": c.role} if c.role else {}),
             **({"déjà lié": "oui"} if c.existing_partner else {})} for c in members]
    columns = ["rang", "score", "nom", "type", "ville", "pays", "thèmes"]
    columns += [c for c in ("rôle", "déjà lié") if any(c in r for r in rows)]
    if not rows:
        lines = ["Aucun candidat ne correspond (élargir la requête ou les filtres)."]
    else:
        lines = [_table(rows, columns)]
    for rule in getattr(result, "rules", ()):
        mark = "OK " if rule.satisfied else "NON"
        lines.append(f"[{mark}] {rule.rule} : {rule.detail}")
    if getattr(result, "themes_missing", ()):
        lines.append("Thèmes non couverts : "
                     + ", ".join(theme_label(t) for t in result.themes_missing))
    return "\n".join(lines)


@cli.command()
@click.argument("programme_id", required=False)
@click.option("-q", "--query", default=None, help="Free text: what the partners should do.")
@filter_options
@report_options
@db_option
def shortlist(programme_id: str | None, query: str | None, org_types: tuple[str, ...],
              region: str | None, country: str | None, exclude: tuple[str, ...], top: int,
              fmt: str, output: str | None, lang: str, db: Path) -> None:
    """Rank candidate partners for a programme and/or a free-text query.

    \b
        match shortlist cern-associate --type company -o industrie.xlsx
        match shortlist jazari-industrie --region Fès-Meknès -q "maintenance prédictive"
        match shortlist -q "cybersécurité" --format json
    """
    from .ranking import shortlist as run_shortlist
    from .store import Registry

    with Registry(db) as registry:
        result = run_shortlist(registry, programme_id, query,
                               type=_types(org_types),
                               region=region, country=country, exclude=exclude, top=top)
        _emit(result, fmt, output, lang)


@cli.command()
@click.argument("name")
@filter_options
@report_options
@db_option
def partners(name: str, org_types: tuple[str, ...], region: str | None, country: str | None,
             exclude: tuple[str, ...], top: int, fmt: str, output: str | None, lang: str,
             db: Path) -> None:
    """Suggest partners for one organisation: close themes, complementary types.

    Organisations it already works with are marked, not hidden.

    \b
        match partners "Maroc Numeric Cluster"
    """
    from .partners import partners as run_partners
    from .store import Registry

    with Registry(db) as registry:
        result = run_partners(registry, name,
                              type=_types(org_types),
                              region=region, country=country, exclude=exclude, top=top)
        _emit(result, fmt, output, lang)


@cli.command()
@click.argument("programme_id")
@click.option("--size", default=None, type=click.IntRange(1, 50),
              help="Number of members (default: enough to meet the rules).")
@click.option("--with", "with_", multiple=True, help="Force this organisation in (repeatable).")
@click.option("--assume", multiple=True, metavar="CC=STATUS",
              help="Assume a country's status, e.g. --assume MA=associated (repeatable).")
@report_options
@db_option
def consortium(programme_id: str, size: int | None, with_: tuple[str, ...],
               assume: tuple[str, ...], fmt: str, output: str | None, lang: str,
               db: Path) -> None:
    """Build a consortium that meets a programme's rules and covers its themes.

    Each member comes with its role and the themes it brings; each rule says
    whether it is met and, if not, what is missing.

    \b
        match consortium horizon-europe --with "Maroc Numeric Cluster"
    """
    from .consortium import consortium as run_consortium
    from .errors import UsageError
    from .store import Registry

    assumed: dict[str, str] = {}
    for item in assume:
        country_code, sep, status = item.partition("=")
        if not sep or not country_code.strip() or not status.strip():
            raise UsageError(f"--assume {item!r} : la forme attendue est CC=statut "
                             "(par exemple MA=associated)")
        assumed[country_code.strip().upper()] = status.strip()
    with Registry(db) as registry:
        result = run_consortium(registry, programme_id, size=size, with_=with_,
                                assume=assumed or None)
        _emit(result, fmt, output, lang)


@cli.command()
@format_option("table", "json")
def programmes(fmt: str) -> None:
    """List the programmes defined in data/programmes.yaml.

    \b
        match programmes
    """
    from .programmes import load_programmes
    from .serialize import to_json

    items = list(load_programmes().values())
    if fmt == "json":
        click.echo(to_json(items))
        return
    rows = [{"id": p.id, "nom": p.name.get("fr", ""), "thèmes": ", ".join(list(p.themes)[:6])}
            for p in items]
    click.echo(_table(rows, ("id", "nom", "thèmes")))


@cli.command()
@click.argument("programme_id")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@format_option("text", "json", default="text")
def programme(programme_id: str, lang: str, fmt: str) -> None:
    """Show one programme: description, themes, eligibility, rules and sources.

    \b
        match programme horizon-europe
    """
    from .programmes import describe, get_programme
    from .serialize import to_json

    prog = get_programme(programme_id)
    click.echo(to_json(prog) if fmt == "json" else describe(prog, lang=lang))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@db_option
def serve(host: str, port: int, db: Path) -> None:
    """Serve the web app (search form, organisation pages, JSON API) with waitress.

    \b
        match serve --port 8000
    """
    from web import serve as run_server

    click.echo(f"Matcher : http://{host}:{port}/  (registre : {db})", err=True)
    run_server(db, host=host, port=port)


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """A plain aligned text table."""
    cells = [[("" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    widths = [min(60, max([len(c)] + [len(row[i]) for row in cells]))
              for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(v[:w].ljust(w) for v, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


def _csv(rows: Sequence[dict[str, Any]]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="match")
