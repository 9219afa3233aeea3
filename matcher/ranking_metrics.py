"""Ranking evaluation: nDCG@10, precision@5 and MRR of the model beside plain BM25.

Gold queries (tests/gold/seeds.yaml `queries`, tests/gold/queries_extra.yaml) give a
text, an optional programme and graded judgments {name: 2 or 1}. Names are resolved
through registry.find; a relevant organisation the registry does not hold still counts
in the ideal ranking (a missed organisation costs nDCG), and is reported.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import DataError, MatcherError, NotFoundError

K_NDCG = 10
K_PRECISION = 5


def dcg(gains: Sequence[float]) -> float:
    return sum((2.0 ** g - 1.0) / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at_k(ranked: Sequence[Any], relevant: Mapping[Any, float], k: int = K_NDCG,
              n_relevant_missing: Sequence[float] = ()) -> float:
    """nDCG@k with exponential gains; `n_relevant_missing` grades count in the ideal only."""
    gains = [float(relevant.get(item, 0.0)) for item in ranked[:k]]
    ideal = sorted([float(g) for g in relevant.values()] + [float(g) for g in n_relevant_missing],
                   reverse=True)[:k]
    best = dcg(ideal)
    return dcg(gains) / best if best > 0 else 0.0


def precision_at_k(ranked: Sequence[Any], relevant: Mapping[Any, float],
                   k: int = K_PRECISION) -> float:
    return sum(1 for item in ranked[:k] if relevant.get(item, 0) > 0) / float(k)


def reciprocal_rank(ranked: Sequence[Any], relevant: Mapping[Any, float]) -> float:
    for i, item in enumerate(ranked, start=1):
        if relevant.get(item, 0) > 0:
            return 1.0 / i
    return 0.0


@dataclass(frozen=True)
class QueryResult:
    """One gold query, scored for one method."""

    id: str
    method: str
    ndcg10: float
    p5: float
    mrr: float
    ranked: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = ()


@dataclass(frozen=True)
class RankingReport:
    """Per-query results and means for the model and the BM25 baseline."""

    queries: tuple[QueryResult, ...]
    means: dict[str, dict[str, float]] = field(default_factory=dict)  # method -> metric -> mean
    skipped: tuple[str, ...] = ()

    def summary_lines(self) -> list[str]:
        """Lines for `match evaluate` (French first)."""
        n = len(self.by("model"))
        lines = [f"{'méthode':<8} {'nDCG@10':>8} {'P@5':>6} {'MRR':>6}  ({n} requêtes)"]
        for method, m in self.means.items():
            lines.append(f"{method:<8} {m['ndcg10']:>8.3f} {m['p5']:>6.3f} {m['mrr']:>6.3f}")
        for q in self.by("model"):
            base = next((b for b in self.by("bm25") if b.id == q.id), None)
            extra = f"  (BM25 {base.ndcg10:.3f})" if base else ""
            miss = f"  non trouvés : {', '.join(q.unresolved)}" if q.unresolved else ""
            lines.append(f"  {q.id:<6} nDCG@10 {q.ndcg10:.3f}  P@5 {q.p5:.2f}  MRR {q.mrr:.2f}"
                         f"{extra}{miss}")
        for s in self.skipped:
            lines.append(f"  ignorée : {s}")
        return lines

    def by(self, method: str) -> list[QueryResult]:
        return [q for q in self.queries if q.method == method]


def load_queries(*paths: str | Path) -> list[dict[str, Any]]:
    """The `queries` of gold files, checked: id, text, relevant {name: grade}."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for path in paths:
        try:
            raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise DataError(f"{path}: cannot read gold queries ({exc})") from exc
        for i, q in enumerate(raw.get("queries") or []):
            if not isinstance(q, dict) or not q.get("id") or not q.get("text") \
                    or not isinstance(q.get("relevant"), dict) or not q["relevant"]:
                raise DataError(
                    f"{path}: query #{i + 1} needs id, text and relevant {{name: grade}}")
            if q["id"] in seen:
                raise DataError(f"{path}: query id {q['id']!r} appears twice")
            seen.add(q["id"])
            out.append(q)
    return out


def _resolve(registry: Any, relevant: Mapping[str, Any]) -> tuple[dict[int, float], list[str],
                                                                      list[float]]:
    ids: dict[int, float] = {}
    unresolved: list[str] = []
    missing_grades: list[float] = []
    for name, grade in relevant.items():
        try:
            org = registry.find(str(name))
        except NotFoundError:
            unresolved.append(str(name))
            missing_grades.append(float(grade))
            continue
        ids[org.id] = max(ids.get(org.id, 0.0), float(grade))
    return ids, unresolved, missing_grades


def bm25_ranking(registry: Any, k: int = K_NDCG) -> Any:
    """A function query -> ranked organisation ids, plain BM25 over the same profile texts."""
    try:
        from rank_bm25 import BM25Okapi
    except ImportError as exc:
        raise MatcherError("The BM25 baseline needs rank_bm25: pip install 'rank-bm25>=0.2.2'"
                           ) from exc
    from .analyzer import analyze
    from .model import _theme_labels, profile_text

    profiles = registry.organisations(with_evidence=True)
    labels = _theme_labels()
    corpus = [analyze(profile_text(p, labels)) for p in profiles]
    bm25 = BM25Okapi([doc or ["\0"] for doc in corpus])
    ids = [p.id for p in profiles]

    def rank(text: str) -> list[int]:
        scores = bm25.get_scores(analyze(text))
        order = sorted(range(len(ids)), key=lambda i: (-scores[i], ids[i]))
        return [ids[i] for i in order[:k] if scores[i] > 0]

    return rank


def evaluate_ranking(registry: Any, queries: Sequence[Mapping[str, Any]] | None = None,
                     *, baseline: bool = True) -> RankingReport:
    """Score the model (and BM25) on gold queries; default: the project's gold files."""
    from .ranking import shortlist

    if queries is None:
        from .config import PROJECT_ROOT

        gold = PROJECT_ROOT / "tests" / "gold"
        paths = [p for p in (gold / "seeds.yaml", gold / "queries_extra.yaml") if p.is_file()]
        queries = load_queries(*paths)
    bm25 = bm25_ranking(registry) if baseline else None
    results: list[QueryResult] = []
    skipped: list[str] = []
    names = {p.id: p.name for p in registry.organisations()}
    for q in queries:
        relevant, unresolved, missing = _resolve(registry, q["relevant"])
        try:
            sl = shortlist(registry, q.get("programme"), q["text"], top=K_NDCG)
        except NotFoundError as exc:  # e.g. a programme this data folder does not define
            skipped.append(f"{q['id']}: {exc}")
            continue
        rankings = {"model": [c.id for c in sl.candidates]}
        if bm25 is not None:
            rankings["bm25"] = bm25(q["text"])
        for method, ranked in rankings.items():
            results.append(QueryResult(
                id=str(q["id"]), method=method,
                ndcg10=ndcg_at_k(ranked, relevant, K_NDCG, missing),
                p5=precision_at_k(ranked, relevant, K_PRECISION),
                mrr=reciprocal_rank(ranked, relevant),
                ranked=tuple(names.get(i, str(i)) for i in ranked),
                unresolved=tuple(unresolved)))
    means: dict[str, dict[str, float]] = {}
    for method in ("model", "bm25"):
        rows = [r for r in results if r.method == method]
        if rows:
            means[method] = {m: sum(getattr(r, m) for r in rows) / len(rows)
                             for m in ("ndcg10", "p5", "mrr")}
    return RankingReport(queries=tuple(results), means=means, skipped=tuple(skipped))
