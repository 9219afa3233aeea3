"""Consortium building: members that meet a programme's composition rules and cover its themes.

Greedy: starting from the members the user forces in (`with_`), each step adds the
candidate with the best gain = rules newly satisfied (matcher.programmes.check_rules)
+ theme coverage gained + its shortlist score, weighted by data/scoring.yaml. When no
candidate of the registry can satisfy a rule, the final RuleCheck says which rule and
what is missing. Each member gets a role and the themes it brings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .config import weights
from .errors import UsageError
from .model import ProfileModel, ensure_model
from .ranking import (
    eligible_mask,
    make_candidates,
    now_iso,
    params_of,
    programme_target,
    relevance_mask,
    score_components,
    scoring,
    type_allowed,
)
from .records import ORG_TYPES, Consortium

ROLE_BY_TYPE = {
    "university": "partenaire académique",
    "school": "partenaire académique",
    "research_centre": "centre de recherche",
    "company": "partenaire industriel",
    "cluster": "réseau d'entreprises (cluster)",
    "association": "réseau / diffusion",
    "public_agency": "partenaire institutionnel",
    "ministry": "partenaire institutionnel",
    "international_org": "partenaire international",
}


def _member(model: ProfileModel, row: int) -> tuple[str, str | None, str]:
    code = int(model.type_code_[row])
    return (str(model.names_[row]), str(model.country_[row]) or None,
            ORG_TYPES[code] if code >= 0 else "unknown")


class RuleProgress:
    """How far a set of members goes toward each composition rule (0..1 per rule).

    check_rules says whether a rule is met; the greedy search also needs partial credit
    (two countries of the three required are better than one), computed here from the
    rule's kind, count, tag and types and the countries' statuses (country_status).
    Advisory rules count for `advisory_weight` of a binding one.
    """

    def __init__(self, programme: Any, assume: Mapping[str, str], advisory_weight: float) -> None:
        self.programme = programme
        self.assume = assume
        self.advisory_weight = advisory_weight
        self._tags: dict[str | None, frozenset[str]] = {}

    def tags(self, country: str | None) -> frozenset[str]:
        if country not in self._tags:
            from .programmes import country_status

            status = country_status(self.programme.id, country, self.assume or None)
            self._tags[country] = frozenset(status.tags)
        return self._tags[country]

    def rule(self, rule: Any, members: Sequence[tuple[str, str | None, str]]) -> float:
        count = max(1, int(getattr(rule, "count", 1) or 1))
        tag = getattr(rule, "tag", None)
        types = tuple(getattr(rule, "types", ()) or ())
        if rule.kind == "min_countries":
            have = len({c for _, c, _ in members if c and tag in self.tags(c)})
            return min(count, have) / count
        if rule.kind == "min_with_tag":
            return min(count, sum(1 for _, c, _ in members if tag in self.tags(c))) / count
        if rule.kind == "min_of_types":
            return min(count, sum(1 for _, _, t in members if t in types)) / count
        if rule.kind == "all_with_tag":
            concerned = [c for _, c, t in members if not types or t in types]
            return (sum(1 for c in concerned if tag in self.tags(c)) / len(concerned)
                    if concerned else 1.0)
        if rule.kind == "types_allowed":
            eligible = set(self.programme.eligible_types or ())
            return (sum(1 for _, _, t in members if t in eligible) / len(members)
                    if members and eligible else 1.0)
        return 0.0  # a kind this search does not know: only check_rules judges it

    def __call__(self, members: Sequence[tuple[str, str | None, str]],
                 binding_only: bool = False) -> float:
        total = 0.0
        for r in self.programme.rules:
            advisory = bool(getattr(r, "advisory", False))
            if advisory and binding_only:
                continue
            total += (self.advisory_weight if advisory else 1.0) * self.rule(r, members)
        return total


def consortium(registry: Any, programme: str, *, size: int | None = None,
               with_: Sequence[str] = (), assume: Mapping[str, str] | None = None) -> Consortium:
    """A consortium for `programme` from the registry, `with_` members forced in.

    >>> consortium(Registry("var/matcher.db"), "horizon-europe", with_=["Maroc Numeric Cluster"])
    """
    from .programmes import check_rules, get_programme

    prog = get_programme(programme)
    cfg = scoring()
    ccfg = cfg.get("consortium") or {}
    gain_w = {k: float(v) for k, v in (ccfg.get("gain") or {}).items()}
    max_size = int(ccfg.get("max_size", 12))
    if size is not None and not 1 <= size <= max_size:
        raise UsageError(f"La taille d'un consortium va de 1 à {max_size} (reçu {size}).")
    w = weights()
    model = ensure_model(registry)
    target = programme_target(model, prog, None, cfg)
    comps = score_components(model, target, cfg, w)
    scores = sum(comps.values())

    forced: list[int] = []
    for name in with_:
        org = registry.find(name)
        for r in np.flatnonzero(model.ids_ == org.id).tolist():
            if r not in forced:
                forced.append(int(r))
    if size is not None and size < len(forced):
        raise UsageError(f"Taille {size} trop petite pour les {len(forced)} membres imposés.")

    mask = relevance_mask(comps, w, cfg) & type_allowed(model, cfg, None)
    if prog.eligible_types:
        mask &= eligible_mask(model, prog.eligible_types)
    mask[forced] = False
    pool = np.flatnonzero(mask)
    n_pool = int(ccfg.get("pool", 300))
    if pool.size > n_pool:
        pool = pool[np.argpartition(-scores[pool], n_pool - 1)[:n_pool]]
    pool = pool[np.lexsort((model.ids_[pool], -scores[pool].astype(np.float64)))]

    theme_ids = [t for t in target.themes if t in set(model.theme_ids_.tolist())]
    cols = [model.theme_ids_.tolist().index(t) for t in theme_ids]
    tw = np.array([target.themes[t] for t in theme_ids], dtype=np.float64)
    sat = float(cfg.get("theme_saturation", 1.0))
    presence = 1.0 - np.exp(-model.themes_[:, cols].astype(np.float64) / sat)
    matched_min = float(cfg.get("theme_matched_min", 0.5))
    top_score = float(scores[pool].max()) if pool.size else 1.0
    top_score = top_score if top_score > 0 else 1.0

    assume = dict(assume or {})
    progress = RuleProgress(prog, assume, float(ccfg.get("advisory_weight", 0.25)))
    members = list(forced)
    current = presence[members].max(axis=0) if members and cols else np.zeros(len(cols))
    rules = tuple(check_rules(prog, [_member(model, r) for r in members], assume))
    default_size = int(ccfg.get("default_size", 5))
    brings: dict[int, tuple[str, ...]] = {}
    for r in members:
        brings[r] = tuple(t for c, t in enumerate(theme_ids) if presence[r, c] >= matched_min)

    available = [int(r) for r in pool]
    while available:
        limit = size if size is not None else max_size
        if len(members) >= limit:
            break
        # Past the default size (no size asked), only a member that meets a rule is added.
        rules_only = size is None and len(members) >= default_size
        if rules_only and all(r.satisfied for r in rules if not r.detail.startswith("(indicatif)")):
            break
        kinds = [_member(model, m) for m in members]
        base = progress(kinds)
        base_binding = progress(kinds, binding_only=True)
        cache: dict[tuple[str | None, str], float] = {}  # rules depend on country and type
        best, best_gain = None, -np.inf
        for r in available:
            name, country, type_ = _member(model, r)
            k = (country, type_)
            if k not in cache:
                cache[k] = progress([*kinds, (name, country, type_)]) - base
                if rules_only and progress([*kinds, (name, country, type_)],
                                           binding_only=True) - base_binding <= 1e-9:
                    cache[k] = -np.inf  # past the default size: binding rules only
            if cache[k] == -np.inf:
                continue
            cov_gain = float(tw @ (np.maximum(current, presence[r]) - current)) if cols else 0.0
            gain = (gain_w.get("rules", 1.0) * cache[k] + gain_w.get("coverage", 0.6) * cov_gain
                    + gain_w.get("score", 0.4) * float(scores[r]) / top_score)
            if gain > best_gain:
                best, best_gain = r, gain
        if best is None:
            break
        new = tuple(t for c, t in enumerate(theme_ids)
                    if presence[best, c] >= matched_min and current[c] < matched_min)
        brings[best] = new
        members.append(best)
        available.remove(best)
        if cols:
            current = np.maximum(current, presence[best])
        rules = tuple(check_rules(prog, [_member(model, m) for m in members], assume))

    coordinator = forced[0] if forced else (
        max(members, key=lambda m: float(scores[m])) if members else None)
    roles = {}
    for r in members:
        _, _, type_ = _member(model, r)
        parts = ["coordinateur proposé"] if r == coordinator else []
        parts.append(ROLE_BY_TYPE.get(type_, "partenaire"))
        if r in forced:
            parts.append("imposé")
        roles[r] = " · ".join(parts)
    linked = set(np.flatnonzero(comps["links"] > 0).tolist())
    candidates = make_candidates(registry, model, members, comps, target, cfg,
                                 existing=linked, roles=roles, themes_override=brings)
    covered = tuple(t for c, t in enumerate(theme_ids) if current[c] >= matched_min)
    missing = tuple(t for t in sorted(target.themes, key=lambda t: -target.themes[t])
                    if t not in covered)
    return Consortium(
        programme=prog.id, members=candidates, rules=rules, themes_covered=covered,
        themes_missing=missing,
        params=params_of(model, w, size=size, with_=list(with_), assume=assume,
                         gain=gain_w),
        registry_hash=model.registry_hash_, registry_size=model.n_organisations,
        created=now_iso(),
    )
