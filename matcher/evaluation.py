"""Gold annotation and extraction scores (precision, recall, F1, type accuracy, junk hits).

The gold file (tests/gold/seeds.yaml) lists, per document, the organisations a careful
reader finds, the spans a naive extractor wrongly returns (`not_organisations`) and partner
queries with graded judgments. Media are left out of extraction scores on both sides: they
are sources, not partners.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from .errors import DataError
from .gazetteer import content_tokens, names_similar
from .records import ORG_TYPES
from .text import key


@dataclass(frozen=True)
class GoldOrg:
    name: str
    type: str
    surfaces: tuple[str, ...] = ()
    city: str | None = None
    region: str | None = None
    country: str | None = None
    themes: tuple[str, ...] = ()

    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.surfaces)


@dataclass(frozen=True)
class GoldDocument:
    file: str
    organisations: tuple[GoldOrg, ...]
    not_organisations: tuple[str, ...] = ()
    date: str | None = None


@dataclass(frozen=True)
class GoldQuery:
    id: str
    text: str
    relevant: dict[str, int]
    programme: str | None = None


@dataclass(frozen=True)
class Gold:
    documents: tuple[GoldDocument, ...]
    queries: tuple[GoldQuery, ...] = ()

    def document(self, file: str) -> GoldDocument | None:
        name = Path(file).name
        return next((d for d in self.documents if d.file == name), None)


class OrgLike(Protocol):
    name: str
    type: str
    aliases: Any


@dataclass
class DocumentScore:
    true_positives: list[tuple[str, str]] = field(default_factory=list)  # (predicted, gold)
    false_positives: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    type_errors: list[tuple[str, str, str]] = field(default_factory=list)  # (gold, pred, want)
    junk_hits: list[str] = field(default_factory=list)


@dataclass
class ExtractionScores:
    precision: float
    recall: float
    f1: float
    type_accuracy: float
    junk_hits: list[tuple[str, str]]  # (document, span)
    documents: dict[str, DocumentScore]


# --- loading -----------------------------------------------------------------------------


def _field(item: Any, name: str, where: str, kind: type = str, required: bool = True) -> Any:
    if not isinstance(item, dict):
        raise DataError(f"{where}: une table est attendue (expected a mapping), lu {item!r}")
    value = item.get(name)
    if value is None:
        if required:
            raise DataError(f"{where}: champ {name!r} manquant (field {name!r} is missing)")
        return None
    if kind is str and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if kind is str and hasattr(value, "isoformat"):
        value = value.isoformat()
    if not isinstance(value, kind):
        raise DataError(f"{where}: champ {name!r} de type {kind.__name__} attendu (wrong type), "
                        f"lu {value!r}")
    return value


def load_gold(path: str | Path) -> Gold:
    """Read a gold file; DataError names the file and the field when it is malformed."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"{path}: lecture impossible (cannot read gold file): "
                        f"{exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: YAML invalide (invalid YAML): {exc}") from exc
    docs_raw = _field(raw, "documents", str(path), list)
    documents = []
    for i, d in enumerate(docs_raw):
        where = f"{path}: documents[{i}]"
        file = _field(d, "file", where)
        orgs = []
        for j, o in enumerate(_field(d, "organisations", where, list)):
            w = f"{where} ({file}): organisations[{j}]"
            org_type = _field(o, "type", w)
            if org_type not in ORG_TYPES:
                raise DataError(f"{w}: champ 'type' inconnu {org_type!r} (unknown value "
                                f"{org_type!r}); types : {', '.join(ORG_TYPES)}")
            surfaces = _field(o, "surface", w, list, required=False) or []
            orgs.append(GoldOrg(
                name=_field(o, "name", w),
                type=org_type,
                surfaces=tuple(str(s) for s in surfaces),
                city=_field(o, "city", w, required=False),
                region=_field(o, "region", w, required=False),
                country=_field(o, "country", w, required=False),
                themes=tuple(str(t) for t in (o.get("themes") or [])),
            ))
        junk = _field(d, "not_organisations", where, list, required=False) or []
        documents.append(GoldDocument(
            file=file,
            organisations=tuple(orgs),
            not_organisations=tuple(str(s) for s in junk),
            date=_field(d, "date", where, required=False),
        ))
    queries = []
    for i, q in enumerate(raw.get("queries") or []):
        where = f"{path}: queries[{i}]"
        relevant = _field(q, "relevant", where, dict)
        queries.append(GoldQuery(
            id=_field(q, "id", where),
            text=_field(q, "text", where),
            relevant={str(k): int(v) for k, v in relevant.items()},
            programme=_field(q, "programme", where, required=False),
        ))
    return Gold(documents=tuple(documents), queries=tuple(queries))


# --- scoring -----------------------------------------------------------------------------


def _forms(org: OrgLike) -> list[str]:
    return [org.name, *sorted(getattr(org, "aliases", ()) or ())]


def names_match(a: str, b: str) -> bool:
    """Same matching key, or the same content words up to a typo."""
    if key(a) == key(b) and key(a):
        return True
    ta, tb = content_tokens(a), content_tokens(b)
    return len(ta) >= 2 and names_similar(ta, tb)


def _matches(pred: OrgLike, gold: GoldOrg) -> bool:
    return any(names_match(p, g) for p in _forms(pred) for g in gold.forms())


def score_extraction(
    gold: Gold, predicted: Mapping[str, Iterable[OrgLike]]
) -> ExtractionScores:
    """Compare predicted organisations (per document file name) with the gold ones.

    A prediction is right when one of its names or aliases matches the gold name or one of
    its surfaces; each gold organisation counts once, and several predictions of one gold
    organisation count as one true positive (the others are false positives).
    """
    tp = fp = fn = typed = 0
    junk_all: list[tuple[str, str]] = []
    per_doc: dict[str, DocumentScore] = {}
    for gdoc in gold.documents:
        preds = [
            p for name, ps in predicted.items() if Path(name).name == gdoc.file for p in ps
        ]
        preds = [p for p in preds if p.type != "media"]
        golds = [g for g in gdoc.organisations if g.type != "media"]
        media = [g for g in gdoc.organisations if g.type == "media"]
        score = DocumentScore()
        matched: set[int] = set()
        for p in preds:
            hit = next((i for i, g in enumerate(golds) if i not in matched and _matches(p, g)),
                       None)
            if hit is None:
                if any(_matches(p, m) for m in media):
                    continue  # a medium typed otherwise: media are out of these scores
                score.false_positives.append(p.name)  # also a second copy of a found one
                if any(names_match(f, j) for f in _forms(p) for j in gdoc.not_organisations):
                    score.junk_hits.append(p.name)
                continue
            matched.add(hit)
            score.true_positives.append((p.name, golds[hit].name))
            if p.type == golds[hit].type:
                typed += 1
            else:
                score.type_errors.append((golds[hit].name, p.type, golds[hit].type))
        score.misses = [g.name for i, g in enumerate(golds) if i not in matched]
        tp += len(score.true_positives)
        fp += len(score.false_positives)
        fn += len(score.misses)
        junk_all.extend((gdoc.file, j) for j in score.junk_hits)
        per_doc[gdoc.file] = score
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ExtractionScores(
        precision=precision,
        recall=recall,
        f1=f1,
        type_accuracy=typed / tp if tp else 0.0,
        junk_hits=junk_all,
        documents=per_doc,
    )


# --- the registry against a gold file (`match evaluate`) -------------------------------------


@dataclass(frozen=True)
class PredictedOrg:
    """An organisation as the registry holds it for one document."""

    name: str
    aliases: tuple[str, ...]
    type: str


@dataclass
class EvaluationReport:
    """Extraction scores of a registry, and the ranking scores of the gold queries."""

    gold: str
    extraction: ExtractionScores
    ranking: Any = None  # matcher.ranking_metrics.RankingReport, when the gold has queries

    def lines(self) -> list[str]:
        """The report of `match evaluate` (French first)."""
        e = self.extraction
        lines: list[str] = []
        if e.documents:  # a gold file of queries only has no extraction to score
            lines += [
                f"Extraction ({self.gold}, médias exclus)",
                f"  précision {e.precision:.3f}  rappel {e.recall:.3f}  F1 {e.f1:.3f}"
                f"  types justes {e.type_accuracy:.3f}",
                f"  faux positifs parmi les non-organisations : {len(e.junk_hits)}",
            ]
        for file, score in e.documents.items():
            if score.false_positives or score.misses or score.type_errors:
                lines.append(f"  {file}")
            if score.misses:
                lines.append(f"    manquées : {', '.join(score.misses)}")
            if score.false_positives:
                lines.append(f"    en trop : {', '.join(score.false_positives)}")
            for gold_name, got, want in score.type_errors:
                lines.append(f"    type : {gold_name} = {got} (attendu {want})")
        if self.ranking is not None:
            lines.append("Classement (requêtes de référence)")
            lines.extend("  " + line for line in self.ranking.summary_lines())
        return lines


def evaluate_registry(registry: Any, gold: str | Path, *more: str | Path) -> EvaluationReport:
    """Score what a registry extracted from the gold documents, then rank the gold queries.

    Several gold files add up: their documents are scored together and their queries
    ranked together; a file may hold only `queries` (tests/gold/queries_extra.yaml).
    """
    paths = [Path(gold), *(Path(m) for m in more)]
    documents: list[GoldDocument] = []
    with_queries: list[Path] = []
    for path in paths:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise DataError(f"{path}: lecture impossible (cannot read gold file): "
                            f"{exc.strerror or exc}") from exc
        except yaml.YAMLError as exc:
            raise DataError(f"{path}: YAML invalide (invalid YAML): {exc}") from exc
        if not isinstance(raw, dict) or not (raw.get("documents") or raw.get("queries")):
            raise DataError(f"{path}: ni 'documents' ni 'queries' (neither documents nor "
                            "queries): not a gold file")
        if raw.get("documents"):
            documents.extend(load_gold(path).documents)
        if raw.get("queries"):
            with_queries.append(path)
    data = Gold(documents=tuple(documents))
    predicted = {
        path: [PredictedOrg(name, tuple(aliases), org_type) for name, aliases, org_type in orgs]
        for path, orgs in registry.document_organisations().items()
    }
    report = EvaluationReport(gold=", ".join(str(p) for p in paths),
                              extraction=score_extraction(data, predicted))
    if with_queries:
        from .ranking_metrics import evaluate_ranking, load_queries

        report.ranking = evaluate_ranking(registry, load_queries(*with_queries))
    return report
