"""Shortlists: every organisation scored at once (numpy), only the best materialised.

A score is the sum of weighted components (data/scoring.yaml): text similarity with
the programme and the free text, theme coverage, type eligibility, geography, links to
the programme, evidence strength and recency. Each signal is computed for the whole
registry as one array; evidence sentences are fetched from the registry only for the
candidates returned.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from . import analyzer
from .config import load_data, weights
from .errors import DataError, NotFoundError, UsageError
from .model import ProfileModel, ensure_model
from .records import ORG_TYPES, Candidate, Evidence, Shortlist
from .text import key

COMPONENTS = ("text", "themes", "type", "geography", "links", "evidence", "recency")


def scoring() -> dict[str, Any]:
    """data/scoring.yaml as a dict (weights included)."""
    raw = load_data("scoring.yaml")
    if not isinstance(raw, dict) or not isinstance(raw.get("weights"), dict):
        raise DataError("scoring.yaml: a 'weights' mapping is needed")
    return raw


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# -- what is wanted ------------------------------------------------------------------


@dataclass
class Target:
    """What a search looks for, before it is compared with every organisation."""

    texts: list[tuple[np.ndarray, np.ndarray, float]] = field(default_factory=list)
    counts: list[np.ndarray] = field(default_factory=list)   # term counts, one per text
    surfaces: dict[int, str] = field(default_factory=dict)   # term index -> word as typed
    themes: dict[str, float] = field(default_factory=dict)   # theme id -> weight (sum 1)
    type_signal: np.ndarray | None = None                     # per ORG_TYPES code
    countries: frozenset[str] = frozenset()
    region_keys: frozenset[str] = frozenset()
    geo_other: float | None = None   # signal elsewhere, when only the free text names places
    programme: str | None = None


def _normalised(weights_: Mapping[str, float]) -> dict[str, float]:
    total = float(sum(v for v in weights_.values() if v > 0))
    return {k: float(v) / total for k, v in weights_.items() if v > 0} if total else {}


def add_text(target: Target, model: ProfileModel, text: str, share: float) -> None:
    """Add one text source (its TF-IDF vector and the words as typed) to a target."""
    idx, w = model.vectorize(text)
    if idx.shape[0]:
        target.texts.append((idx, w, share))
        target.counts.append(model.query_counts(text)[1])
    for stem, surface in analyzer.analyze_with_surface(text):
        col = model.vocabulary_.get(stem)
        if col is not None:
            target.surfaces.setdefault(col, surface)


def detect_query_themes(text: str) -> dict[str, float]:
    from .themes import detect_themes

    return {k: float(v) for k, v in detect_themes(text).items()}


def type_signal_for(eligible: Sequence[str] | None, cfg: Mapping[str, Any],
                    hinted: set[str] | frozenset[str] = frozenset()) -> np.ndarray:
    """Type signal per ORG_TYPES code: the type prior, kept only for eligible types, and
    lowered for the types a free-text query does not name when it names some."""
    prior = cfg.get("type_prior") or {}
    base = np.array([float(prior.get(t, 0.5)) for t in ORG_TYPES], dtype=np.float32)
    if eligible:
        share = float(cfg.get("not_eligible_share", 0.0))
        base *= np.array([1.0 if t in eligible else share for t in ORG_TYPES], dtype=np.float32)
    if hinted:
        other = float(cfg.get("type_hint_other_share", 1.0))
        base *= np.array([1.0 if t in hinted else other for t in ORG_TYPES], dtype=np.float32)
    return base


def query_type_hints(query: str | None, cfg: Mapping[str, Any] | None = None) -> set[str]:
    """Organisation types a free text names ("universités", "entreprises"...)."""
    if not query:
        return set()
    from .query import parse_query

    return set(parse_query(query).types)


def query_region_keys(model: ProfileModel, query: str | None) -> set[str]:
    """Regions of the registry a free text names ("à Fès-Meknès")."""
    if not query:
        return set()
    text = f" {key(query)} "
    regions = derived(model, "region_keys", (), lambda: sorted(
        set(model.region_key_.tolist()) - {""}))
    return {r for r in regions if f" {r} " in text}


def eligible_mask(model: ProfileModel, eligible: Sequence[str]) -> np.ndarray:
    """Rows whose type the programme admits."""
    return np.isin(model.type_code_, [ORG_TYPES.index(t) for t in eligible if t in ORG_TYPES])


def text_of(value: Any, lang: str = "fr") -> str:
    """A programme's name or description: a {fr, en} mapping or a plain string."""
    if isinstance(value, Mapping):
        return str(value.get(lang) or next(iter(value.values()), "") or "")
    return str(value or "")


def programme_target(model: ProfileModel, programme: Any, query: str | None,
                     cfg: Mapping[str, Any]) -> Target:
    """The target of a programme shortlist, with an optional free text.

    The free text's places and kinds of organisation (matcher.query) feed the geography
    and type signals; the rest of it is its topic, compared with the profiles' text.
    """
    from .query import parse_query

    target = Target(programme=getattr(programme, "id", None) if programme else None)
    q_share = float(cfg.get("query_text_share", 0.5))
    parsed = parse_query(query) if query else None
    if programme is not None:
        text = " ".join([text_of(programme.name), text_of(programme.description),
                         " ".join(programme.keywords or ())])
        add_text(target, model, text, 1.0 - q_share if query else 1.0)
    if query and parsed is not None:
        topic = parsed.text if analyzer.analyze(parsed.text) else query
        add_text(target, model, topic, q_share if programme is not None else 1.0)
    prog_themes = _normalised(dict(programme.themes)) if programme is not None else {}
    query_themes = _normalised(detect_query_themes(query)) if query else {}
    if prog_themes and query_themes:
        share = float(cfg.get("query_theme_share", 0.5))
        target.themes = {t: (1 - share) * prog_themes.get(t, 0.0) + share * query_themes.get(t, 0.0)
                         for t in set(prog_themes) | set(query_themes)}
    else:
        target.themes = prog_themes or query_themes
    target.type_signal = type_signal_for(
        list(programme.eligible_types or ()) if programme is not None else None, cfg,
        set(parsed.types) if parsed is not None else set())
    regions = query_region_keys(model, query)
    countries: set[str] = set()
    if parsed is not None:
        regions |= set(parsed.region_keys)
        countries |= set(parsed.countries)
    if programme is not None:
        prog_countries = {c.upper() for c in (programme.countries or ())}
        prog_regions = {key(r) for r in (programme.regions or ())}
        if (countries or regions) and not (prog_countries or prog_regions):
            target.geo_other = float((cfg.get("geography") or {}).get("query_other", 0.0))
        countries |= prog_countries
        regions |= prog_regions
    elif countries or regions:
        target.geo_other = float((cfg.get("geography") or {}).get("query_other", 0.0))
    target.countries = frozenset(countries)
    target.region_keys = frozenset(regions)
    return target


# -- signals over the whole registry -------------------------------------------------


def derived(model: ProfileModel, name: str, params: tuple[Any, ...], compute: Any) -> Any:
    """Arrays that depend on the model and the scoring data only, computed once per model."""
    cache = model.__dict__.setdefault("_derived", {})
    k = (name, params)
    if k not in cache:
        cache[k] = compute()
    return cache[k]


def member_mask(model: ProfileModel, attribute: str, values: Sequence[str]) -> np.ndarray:
    """model.<attribute> in values, through cached integer codes (np.isin on strings is slow)."""
    uniques, inverse = derived(model, "codes", (attribute,), lambda: np.unique(
        getattr(model, attribute), return_inverse=True))
    position = {str(u): i for i, u in enumerate(uniques.tolist())}
    table = np.zeros(len(uniques) + 1, dtype=bool)
    for v in values:
        if v in position:
            table[position[v]] = True
    return table[inverse.ravel()] if inverse.size else np.zeros(0, dtype=bool)


def theme_presence(model: ProfileModel, cfg: Mapping[str, Any]) -> np.ndarray:
    """1 - exp(-weight / saturation) per organisation and theme (cached, column-major)."""
    sat = float(cfg.get("theme_saturation", 1.0))
    return derived(model, "presence", (sat,), lambda: np.asfortranarray(
        (1.0 - np.exp(-model.themes_.astype(np.float32) / np.float32(sat))).astype(np.float32)))


def theme_coverage(model: ProfileModel, themes: Mapping[str, float],
                   cfg: Mapping[str, Any]) -> np.ndarray:
    """Weighted share of the wanted themes each profile covers (0..1)."""
    out = np.zeros(model.n_organisations, dtype=np.float32)
    index = {str(t): i for i, t in enumerate(model.theme_ids_.tolist())}
    wanted = [(index[t], w) for t, w in themes.items() if t in index and w > 0]
    if wanted:
        presence = theme_presence(model, cfg)
        for col, w in wanted:  # a few contiguous columns: faster than a full mat-vec
            out += presence[:, col] * np.float32(w)
    return out


def text_signal(model: ProfileModel, target: Target,
                cfg: Mapping[str, Any] | None = None) -> np.ndarray:
    """Similarity with each text source, each divided by its best value, mixed by share.

    The similarity mixes the TF-IDF cosine and BM25 (scoring.yaml `text_scoring`).
    """
    mix = dict((cfg or {}).get("text_scoring") or {"cosine": 1.0})
    w_cos, w_bm = float(mix.get("cosine", 0.0)), float(mix.get("bm25", 0.0))
    w_ctx = float(mix.get("context", 0.0))
    n = model.n_organisations
    out = np.zeros(n, dtype=np.float32)
    total = sum(share for _, _, share in target.texts)
    parts = w_cos + w_bm + w_ctx
    for k, (idx, w, share) in enumerate(target.texts):
        counts = target.counts[k] if k < len(target.counts) else np.ones(idx.shape[0])
        for weight, kind in ((w_cos, "cosine"), (w_bm, "bm25"), (w_ctx, "context")):
            if weight <= 0:
                continue
            if kind == "cosine":
                sim = model.similarity(idx, w)
            elif kind == "bm25":
                sim = model.bm25(idx, _saturated(counts))
            else:
                sim = model.context(idx, counts)
            top = float(sim.max()) if sim.size else 0.0
            if top > 0:
                out += np.float32(weight * share / total / parts) * (sim / top)
    return out


def _saturated(counts: np.ndarray) -> np.ndarray:
    """Query term weights for BM25: 1 + log(count), a repeated word counts a little more."""
    return 1.0 + np.log(np.maximum(counts, 1.0))


def geography_signal(model: ProfileModel, countries: frozenset[str],
                     region_keys: frozenset[str], cfg: Mapping[str, Any],
                     other: float | None = None) -> np.ndarray:
    """Fit with the wanted countries and regions; `other` is the signal elsewhere (default
    geography.other: a programme's countries are a rule, a query's a preference)."""
    geo = dict(cfg.get("geography") or {})
    if other is not None:
        geo["other"] = other
    params = (tuple(sorted(countries)), tuple(sorted(region_keys)),
              tuple(sorted((str(k), float(v)) for k, v in geo.items())))
    return derived(model, "geography", params,
                   lambda: _geography(model, countries, region_keys, geo))


def _geography(model: ProfileModel, countries: frozenset[str], region_keys: frozenset[str],
               geo: Mapping[str, Any]) -> np.ndarray:
    n = model.n_organisations
    if not countries and not region_keys:
        return np.full(n, float(geo.get("no_constraint", 1.0)), dtype=np.float32)
    out = np.full(n, float(geo.get("other", 0.0)), dtype=np.float32)
    out[member_mask(model, "country_", [""])] = float(geo.get("unknown", 0.3))
    if countries:
        in_country = member_mask(model, "country_", sorted(countries))
        out[in_country] = float(geo.get("country" if region_keys else "region", 1.0))
    if region_keys:
        in_regions = member_mask(model, "region_key_", sorted(region_keys))
        if not countries:  # the countries of the asked regions
            region_countries = sorted(set(model.country_[in_regions].tolist()) - {""})
            out[member_mask(model, "country_", region_countries)] = float(geo.get("country", 0.7))
        out[in_regions] = float(geo.get("region", 1.0))
    return out


def evidence_signal(model: ProfileModel, cfg: Mapping[str, Any]) -> np.ndarray:
    ev = cfg.get("evidence") or {}
    m_cap = math.log1p(float(ev.get("mentions_cap", 10)))
    d_cap = math.log1p(float(ev.get("documents_cap", 4)))

    def compute() -> np.ndarray:
        m = np.minimum(1.0, np.log1p(model.mentions_) / m_cap)
        d = np.minimum(1.0, np.log1p(model.documents_) / d_cap)
        return ((m + d) / 2.0).astype(np.float32)

    return derived(model, "evidence", (m_cap, d_cap), compute)


def recency_signal(model: ProfileModel, cfg: Mapping[str, Any]) -> np.ndarray:
    rc = cfg.get("recency") or {}
    half = float(rc.get("half_life_years", 5))
    undated = float(rc.get("undated", 0.5))

    def compute() -> np.ndarray:
        if math.isnan(model.reference_year_):
            return np.full(model.n_organisations, undated, dtype=np.float32)
        age = np.maximum(0.0, model.reference_year_ - model.last_seen_)
        out = np.power(2.0, -age / half).astype(np.float32)
        out[np.isnan(model.last_seen_)] = undated
        return out

    return derived(model, "recency", (half, undated), compute)


def links_signal(model: ProfileModel, programme: str | None) -> np.ndarray:
    ids = model.programme_ids_.tolist()
    if programme is None or programme not in ids:
        return np.zeros(model.n_organisations, dtype=np.float32)
    return model.links_[:, ids.index(programme)].astype(np.float32)


def score_components(model: ProfileModel, target: Target, cfg: Mapping[str, Any],
                     w: Mapping[str, float]) -> dict[str, np.ndarray]:
    """Weighted components for every organisation (arrays of length n)."""
    types = target.type_signal if target.type_signal is not None else type_signal_for(None, cfg)
    # one slot more for an unknown type (code -1), whose signal is 0
    table = np.append(types.astype(np.float32), np.float32(0.0))
    type_sig = table[model.type_code_.astype(np.int64)]
    signals = {
        "text": text_signal(model, target, cfg),
        "themes": theme_coverage(model, target.themes, cfg),
        "type": type_sig,
        "geography": geography_signal(model, target.countries, target.region_keys, cfg,
                                      target.geo_other),
        "links": links_signal(model, target.programme),
        "evidence": evidence_signal(model, cfg),
        "recency": recency_signal(model, cfg),
    }
    return {name: np.float32(w.get(name, 0.0)) * sig.astype(np.float32, copy=False)
            for name, sig in signals.items()}


# -- filters -------------------------------------------------------------------------


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def filter_mask(model: ProfileModel, *, type: str | Sequence[str] | None = None,
                region: str | Sequence[str] | None = None,
                country: str | Sequence[str] | None = None) -> np.ndarray:
    """Rows that pass the user's filters; UsageError/NotFoundError name a bad value."""
    mask = np.ones(model.n_organisations, dtype=bool)
    types = _as_list(type)
    if types:
        bad = [t for t in types if t not in ORG_TYPES]
        if bad:
            raise UsageError(f"Type inconnu : {', '.join(bad)} (types : {', '.join(ORG_TYPES)})")
        mask &= np.isin(model.type_code_, [ORG_TYPES.index(t) for t in types])
    regions = [key(r) for r in _as_list(region)]
    if regions:
        known = set(model.region_key_.tolist()) - {""}
        missing = [r for r in _as_list(region) if key(r) not in known]
        if missing:
            import difflib

            names = sorted(set(model.region_.tolist()) - {""})
            sugg = difflib.get_close_matches(missing[0], names, n=3, cutoff=0.5)
            raise NotFoundError(f"Aucune organisation du registre dans la région {missing[0]!r}.",
                                tuple(sugg))
        mask &= member_mask(model, "region_key_", regions)
    asked = _as_list(country)
    if asked:
        bad = [c for c in asked if len(c) != 2 or not c.isalpha()]
        if bad:
            raise UsageError(f"Pays {bad[0]!r} : donner le code ISO à deux lettres (MA, FR, BE...)")
        mask &= member_mask(model, "country_", [c.upper() for c in asked])
    return mask


def exclude_rows(registry: Any, model: ProfileModel, names: Sequence[str]) -> set[int]:
    """Rows of the organisations named in `names` (registry.find: NotFoundError if unknown)."""
    rows: set[int] = set()
    for name in names:
        org = registry.find(name)
        rows.update(int(r) for r in np.flatnonzero(model.ids_ == org.id))
    return rows


def top_rows(scores: np.ndarray, mask: np.ndarray, top: int,
             ids: np.ndarray) -> list[int]:
    """The `top` best rows among `mask`, best first, ties broken by id (reproducible)."""
    if top <= 0 or not mask.any():
        return []
    masked = np.where(mask, scores, -np.inf)
    k = min(top, int(mask.sum()))
    if k < masked.shape[0]:
        part = np.argpartition(masked, masked.shape[0] - k)[masked.shape[0] - k:]
        cut = masked[part].min()
        rows = np.flatnonzero(masked >= cut)  # keep every tie at the cut-off
    else:
        rows = np.flatnonzero(mask)
    rows = rows[np.isfinite(masked[rows])]
    order = np.lexsort((ids[rows], -masked[rows].astype(np.float64)))
    return [int(r) for r in rows[order][:top]]


# -- materialisation -----------------------------------------------------------------


def best_evidence(registry: Any, model: ProfileModel, rows: Sequence[int],
                  stems: set[str], limit: int = 3) -> dict[int, tuple[Evidence, ...]]:
    """One to three sentences per row: those naming the most wanted terms, newest first."""
    ids = [int(model.ids_[r]) for r in rows]
    found = registry.evidence(ids, limit=None) if ids else {}
    out: dict[int, tuple[Evidence, ...]] = {}
    for r, org_id in zip(rows, ids, strict=True):
        sentences = list(found.get(org_id, ()))[:200]
        scored = sorted(enumerate(sentences), key=lambda p: (
            -len(stems & set(analyzer.analyze(p[1].text))), p[0]))
        out[r] = tuple(ev for _, ev in scored[:limit])
    return out


def make_candidates(registry: Any, model: ProfileModel, rows: Sequence[int],
                    comps: Mapping[str, np.ndarray], target: Target, cfg: Mapping[str, Any],
                    *, existing: set[int] | None = None,
                    extra: Mapping[int, Mapping[str, float]] | None = None,
                    roles: Mapping[int, str] | None = None,
                    themes_override: Mapping[int, tuple[str, ...]] | None = None,
                    ) -> tuple[Candidate, ...]:
    """Candidates for `rows` (in that order) with components, matches and evidence."""
    matched_min = float(cfg.get("theme_matched_min", 0.5))
    sat = float(cfg.get("theme_saturation", 1.0))
    theme_cols = {str(t): i for i, t in enumerate(model.theme_ids_.tolist())}
    wanted = sorted(target.themes, key=lambda t: (-target.themes[t], t))
    query_cols = np.array(sorted(target.surfaces), dtype=np.int64)
    query_weight: dict[int, float] = {}
    for idx, w, share in target.texts:
        for j, v in zip(idx.tolist(), w.tolist(), strict=True):
            query_weight[j] = query_weight.get(j, 0.0) + share * v
    max_terms = int(cfg.get("matched_terms_max", 8))
    stems = {str(model.terms_[c]) for c in query_cols}
    evidence = best_evidence(registry, model, rows, stems)
    hits = model.term_hits(rows, query_cols)
    out = []
    for rank, r in enumerate(rows, start=1):
        components = {name: round(float(arr[r]), 6) for name, arr in comps.items()}
        for name, value in (extra or {}).get(r, {}).items():
            components[name] = round(float(value), 6)
        score = round(sum(components.values()), 6)
        if themes_override is not None and r in themes_override:
            matched_themes = themes_override[r]
        else:
            matched_themes = tuple(
                t for t in wanted if t in theme_cols
                and 1.0 - math.exp(-float(model.themes_[r, theme_cols[t]]) / sat) >= matched_min)
        # the shared terms that weigh most in the similarity, best first
        terms = sorted(hits[r], key=lambda c: (-query_weight.get(c, 0.0) * hits[r][c], c))
        matched_terms = tuple(dict.fromkeys(
            target.surfaces[c].lower() for c in terms[:max_terms]))
        code = int(model.type_code_[r])
        out.append(Candidate(
            rank=rank, id=int(model.ids_[r]), name=str(model.names_[r]),
            type=ORG_TYPES[code] if code >= 0 else "unknown",
            city=str(model.city_[r]) or None, region=str(model.region_[r]) or None,
            country=str(model.country_[r]) or None, score=score, components=components,
            matched_themes=matched_themes, matched_terms=matched_terms,
            evidence=evidence.get(r, ()),
            existing_partner=bool(existing and r in existing),
            role=(roles or {}).get(r),
        ))
    return tuple(out)


def params_of(model: ProfileModel, w: Mapping[str, float], **more: Any) -> dict[str, object]:
    return {"model": model.get_params(), "analyzer": model.analyzer_fingerprint_,
            "weights": dict(w), **more}


def relevance_mask(comps: Mapping[str, np.ndarray], w: Mapping[str, float],
                   cfg: Mapping[str, Any]) -> np.ndarray:
    """Something must match: text, themes or an existing link to the programme."""
    floor = float(cfg.get("min_relevance", 0.0))
    mask = np.zeros(comps["text"].shape[0], dtype=bool)
    for name in ("text", "themes", "links"):
        if name in comps and float(w.get(name, 0.0)) > 0:
            mask |= comps[name] / float(w[name]) > floor
    return mask


def type_allowed(model: ProfileModel, cfg: Mapping[str, Any],
                 asked: str | Sequence[str] | None) -> np.ndarray:
    """Types with a zero prior (press, funding programmes) only when asked for."""
    if _as_list(asked):
        return np.ones(model.n_organisations, dtype=bool)
    prior = cfg.get("type_prior") or {}
    banned = [ORG_TYPES.index(t) for t in ORG_TYPES if float(prior.get(t, 0.5)) <= 0]
    return ~np.isin(model.type_code_, banned)


# -- public API ----------------------------------------------------------------------


def shortlist(registry: Any, programme: str | None = None, query: str | None = None, *,
              type: str | Sequence[str] | None = None,
              region: str | Sequence[str] | None = None,
              country: str | Sequence[str] | None = None,
              exclude: Sequence[str] = (), top: int = 10) -> Shortlist:
    """Rank the registry's organisations for a programme and/or a free-text query.

    >>> shortlist(Registry("var/matcher.db"), "cern-associate", type="company", top=5)
    """
    query = (query or "").strip() or None
    if not programme and not query:
        raise UsageError("Donner un programme ou une requête (--query) : les deux manquent.")
    if top < 1:
        raise UsageError(f"top doit être au moins 1 (reçu {top}).")
    prog = None
    if programme:
        from .programmes import get_programme

        prog = get_programme(programme)
    cfg = scoring()
    w = weights()
    model = ensure_model(registry)
    target = programme_target(model, prog, query, cfg)
    comps = score_components(model, target, cfg, w)
    scores = sum(comps.values())
    mask = filter_mask(model, type=type, region=region, country=country)
    mask &= relevance_mask(comps, w, cfg) & type_allowed(model, cfg, type)
    if prog is not None and prog.eligible_types and not _as_list(type):
        # types the programme does not admit (e.g. CERN itself for CERN association)
        mask &= eligible_mask(model, prog.eligible_types)
    excluded = exclude_rows(registry, model, exclude)
    if excluded:
        mask[list(excluded)] = False
    rows = top_rows(scores, mask, top, model.ids_)
    linked = set(np.flatnonzero(comps["links"] > 0).tolist()) if prog is not None else set()
    candidates = make_candidates(registry, model, rows, comps, target, cfg, existing=linked)
    filters = {k: v for k, v in {"type": _as_list(type), "region": _as_list(region),
                                 "country": _as_list(country),
                                 "exclude": list(exclude)}.items() if v}
    return Shortlist(
        candidates=candidates, programme=prog.id if prog is not None else None, query=query,
        filters=filters, params=params_of(model, w, top=top, themes=target.themes),
        registry_hash=model.registry_hash_, registry_size=model.n_organisations,
        created=now_iso(),
    )
