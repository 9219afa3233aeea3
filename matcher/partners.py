"""Partner search for one organisation: close in themes, complementary in type and place.

The organisation's own profile is the query: its text and themes against every other
profile (numpy, as in matcher.ranking), plus how well each candidate's type
complements its own (a company wants a university or a cluster), a geography signal
that values a partner abroad (a Moroccan body may need a European one) and a
diversity step, so that the list is not ten copies of one kind of organisation.
Organisations it already works with are flagged (`existing_partner`), not hidden.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .errors import DataError
from .model import ProfileModel, _theme_labels, ensure_model, profile_text
from .ranking import (
    Target,
    _as_list,
    add_text,
    evidence_signal,
    exclude_rows,
    filter_mask,
    make_candidates,
    now_iso,
    params_of,
    recency_signal,
    relevance_mask,
    scoring,
    text_signal,
    theme_coverage,
    type_allowed,
)
from .records import ORG_TYPES, OrgProfile, Shortlist
from .text import key

POOL_FACTOR = 5


def _complement_signal(model: ProfileModel, org_type: str, cfg: Mapping[str, Any]) -> np.ndarray:
    table = (cfg.get("partners") or {}).get("complement") or {}
    row = table.get(org_type)
    if row is None:
        row = {t: 0.5 for t in ORG_TYPES}
    values = np.array([float(row.get(t, 0.0)) for t in ORG_TYPES], dtype=np.float32)
    codes = np.clip(model.type_code_.astype(np.int64), 0, len(ORG_TYPES) - 1)
    return np.where(model.type_code_ >= 0, values[codes], 0.0).astype(np.float32)


def _geography_signal(model: ProfileModel, org: OrgProfile, cfg: Mapping[str, Any]) -> np.ndarray:
    geo = (cfg.get("partners") or {}).get("geography") or {}
    n = model.n_organisations
    out = np.full(n, float(geo.get("unknown", 0.3)), dtype=np.float32)
    if not org.country:
        return out
    country = org.country.upper()
    known = model.country_ != ""
    out[known & (model.country_ != country)] = float(geo.get("other_country", 1.0))
    out[model.country_ == country] = float(geo.get("same_country", 0.6))
    if org.region:
        out[(model.country_ == country) & (model.region_key_ == key(org.region))] = float(
            geo.get("same_region", 0.9))
    return out


def _diversify(rows: list[int], scores: np.ndarray, model: ProfileModel, top: int,
               step: float) -> tuple[list[int], dict[int, float]]:
    """Greedy: each pick of a type already listed costs `step` more (MMR-like)."""
    chosen: list[int] = []
    penalty: dict[int, float] = {}
    per_type: dict[int, int] = {}
    remaining = list(rows)
    while remaining and len(chosen) < top:
        best = max(remaining, key=lambda r: (
            float(scores[r]) - step * per_type.get(int(model.type_code_[r]), 0),
            -int(model.ids_[r])))
        code = int(model.type_code_[best])
        penalty[best] = 0.0 - step * per_type.get(code, 0)
        per_type[code] = per_type.get(code, 0) + 1
        chosen.append(best)
        remaining.remove(best)
    return chosen, penalty


def partners(registry: Any, name: str, *, top: int = 10,
             type: str | Sequence[str] | None = None,
             region: str | Sequence[str] | None = None,
             country: str | Sequence[str] | None = None,
             exclude: Sequence[str] = ()) -> Shortlist:
    """Partners for the organisation called `name` (resolved with registry.find).

    >>> partners(Registry("var/matcher.db"), "Maroc Numeric Cluster", top=5)
    """
    from .errors import UsageError

    if top < 1:
        raise UsageError(f"top doit être au moins 1 (reçu {top}).")
    org = registry.find(name)
    cfg = scoring()
    pcfg = cfg.get("partners") or {}
    w = {str(k): float(v) for k, v in (pcfg.get("weights") or {}).items()}
    if not w:
        raise DataError("scoring.yaml: partners.weights is missing")
    model = ensure_model(registry)
    own = np.flatnonzero(model.ids_ == org.id)

    target = Target()
    add_text(target, model, profile_text(org, _theme_labels()), 1.0)
    sat = float(cfg.get("theme_saturation", 1.0))
    presence = {t: 1.0 - float(np.exp(-v / sat)) for t, v in org.themes.items() if v > 0}
    total = sum(presence.values())
    target.themes = {t: v / total for t, v in presence.items()} if total else {}

    signals = {
        "text": text_signal(model, target, cfg),
        "themes": theme_coverage(model, target.themes, cfg),
        "complement": _complement_signal(model, org.type, cfg),
        "geography": _geography_signal(model, org, cfg),
        "evidence": evidence_signal(model, cfg),
        "recency": recency_signal(model, cfg),
    }
    comps = {k: (w.get(k, 0.0) * s).astype(np.float32) for k, s in signals.items()}
    scores = sum(comps.values())
    mask = filter_mask(model, type=type, region=region, country=country)
    mask &= relevance_mask(comps, w, cfg) & type_allowed(model, cfg, type)
    mask[own] = False
    excluded = exclude_rows(registry, model, exclude)
    if excluded:
        mask[list(excluded)] = False

    pool_rows = np.flatnonzero(mask)
    if pool_rows.size > top * POOL_FACTOR:
        part = np.argpartition(-scores[pool_rows], top * POOL_FACTOR - 1)[: top * POOL_FACTOR]
        pool_rows = pool_rows[part]
    step = float(pcfg.get("diversity_step", 0.0))
    rows, penalty = _diversify([int(r) for r in pool_rows], scores, model, top, step)

    partner_ids = registry.partner_ids(org.id)
    existing = {int(r) for r in np.flatnonzero(np.isin(model.ids_, list(partner_ids)))}
    candidates = make_candidates(registry, model, rows, comps, target, cfg, existing=existing,
                                 extra={r: {"diversity": penalty.get(r, 0.0)} for r in rows})
    filters = {k: v for k, v in {"type": _as_list(type), "region": _as_list(region),
                                 "country": _as_list(country),
                                 "exclude": list(exclude)}.items() if v}
    return Shortlist(
        candidates=candidates, organisation=org.name, filters=filters,
        params=params_of(model, w, top=top, diversity_step=step, themes=target.themes),
        registry_hash=model.registry_hash_, registry_size=model.n_organisations,
        created=now_iso(),
    )
