"""The ranking model: TF-IDF over organisation profiles, fitted once, queried with numpy.

`ProfileModel.fit` uses scikit-learn's TfidfVectorizer (imported there only) with the
French analyzer of matcher.analyzer; what it learns is kept as plain arrays
(vocabulary, idf, the L2-normalised document matrix, and per-organisation structured
arrays: type, country, region, themes, links to programmes, evidence strength,
recency) and saved beside the registry as one .npz file. The query path loads those
arrays and transforms text with numpy/scipy only, so `match shortlist` starts fast.

The stored model records the registry's content hash: `ensure_model(registry)`
refits it when the registry has changed since.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import analyzer
from .config import model_path
from .errors import RegistryError, UsageError
from .records import ORG_TYPES, OrgProfile
from .text import key

log = logging.getLogger(__name__)

FORMAT_VERSION = 5
TYPE_CODES = {name: i for i, name in enumerate(ORG_TYPES)}
_YEAR = re.compile(r"^(\d{4})(?:-(\d{2}))?")


def date_to_year(date: str | None) -> float:
    """'2025-05-13' -> 2025.33; unknown -> nan (recency is then neutral)."""
    m = _YEAR.match(date or "")
    if not m:
        return math.nan
    month = int(m.group(2) or 6)
    return int(m.group(1)) + (month - 1) / 12.0


def _theme_labels() -> dict[str, str]:
    """Theme id -> French and English labels, so theme names are searchable text."""
    from .themes import load_themes

    return {tid: f"{t.label_fr} {t.label_en}" for tid, t in load_themes().items()}


def profile_text(profile: OrgProfile, theme_labels: dict[str, str] | None = None) -> str:
    """The text a profile is indexed under: names, places, themes and evidence sentences."""
    labels = theme_labels or {}
    parts: list[str] = [profile.name, *profile.aliases]
    parts += [p for p in (profile.city, profile.region) if p]
    for tid, weight in profile.themes.items():
        # Themes only from the document around the organisation (weight < 1) stay out of
        # its text: they would make every organisation of an article look alike.
        if weight >= 1:
            parts.append(labels.get(tid) or tid.replace("_", " "))
    seen: set[str] = set()
    for ev in profile.evidence:
        if ev.text not in seen:
            seen.add(ev.text)
            parts.append(ev.text)
    return "\n".join(parts)


class ProfileModel:
    """TF-IDF text similarity plus the structured arrays the ranking combines with it.

    Parameters are the TfidfVectorizer ones that matter here; they are recorded with
    every shortlist (`get_params`) so that a ranking can be reproduced.
    """

    def __init__(self, *, sublinear_tf: bool = True, smooth_idf: bool = True,
                 min_df: int = 1, max_df: float = 1.0, bm25_k1: float = 1.2,
                 bm25_b: float = 0.75) -> None:
        self.sublinear_tf = sublinear_tf
        self.smooth_idf = smooth_idf
        self.min_df = min_df
        self.max_df = max_df
        self.bm25_k1 = bm25_k1
        self.bm25_b = bm25_b

    def get_params(self) -> dict[str, Any]:
        return {"sublinear_tf": self.sublinear_tf, "smooth_idf": self.smooth_idf,
                "min_df": self.min_df, "max_df": self.max_df,
                "bm25_k1": self.bm25_k1, "bm25_b": self.bm25_b}

    # -- fitting ---------------------------------------------------------------

    def fit(self, profiles: Sequence[OrgProfile], registry_hash: str = "",
            texts: Sequence[str] | None = None, contexts: Sequence[str] = (),
            context_of: Sequence[Sequence[int]] = ()) -> ProfileModel:
        """Learn vocabulary, idf and document vectors from `profiles` (needs scikit-learn).

        `contexts` are the texts of the source documents and `context_of[i]` the indices
        of the documents naming profile i: a press article is about its topic as a whole,
        and an organisation it names but whose own sentences say little ("the centre will
        be housed at the ENSAT") still belongs to that topic.
        """
        from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

        if texts is None:
            labels = _theme_labels()
            texts = [profile_text(p, labels) for p in profiles]
        if len(texts) != len(profiles):
            raise UsageError("fit: one text per profile is needed")
        n = len(profiles)
        import scipy.sparse as sp

        counts = sp.csr_matrix((n, 0))
        vocabulary: dict[str, int] = {}
        idf = np.zeros(0)
        if n:
            # CountVectorizer + TfidfTransformer is TfidfVectorizer; the counts also give BM25
            counter = CountVectorizer(analyzer=analyzer.analyze, min_df=self.min_df,
                                      max_df=self.max_df, dtype=np.float64)
            try:
                if contexts:  # one vocabulary for profiles and documents
                    counter.fit([*texts, *contexts])
                    counts = counter.transform(texts).tocsr()
                else:
                    counts = counter.fit_transform(texts).tocsr()
                vocabulary = dict(counter.vocabulary_)
            except ValueError:  # every profile empty after analysis
                counts = sp.csr_matrix((n, 0))
        if counts.shape[1]:
            tfidf = TfidfTransformer(sublinear_tf=self.sublinear_tf, smooth_idf=self.smooth_idf,
                                     norm="l2")
            matrix = tfidf.fit_transform(counts)
            idf = tfidf.idf_.astype(np.float64)
        else:
            matrix = sp.csr_matrix((n, 0))
        terms = np.empty(len(vocabulary), dtype=object)
        for term, index in vocabulary.items():
            terms[index] = term
        self.terms_ = np.array(terms.tolist(), dtype=str)
        self.idf_ = idf
        self.vocabulary_ = {str(t): i for i, t in enumerate(self.terms_)}
        csc = sp.csc_matrix(matrix, dtype=np.float32)
        csc.sort_indices()
        # The document matrix as plain CSC arrays: the query path needs no scipy.
        self.X_data_ = csc.data.astype(np.float32)
        self.X_indices_ = csc.indices.astype(np.int32)
        self.X_indptr_ = csc.indptr.astype(np.int64)
        self.B_data_ = self._bm25_data(counts, csc)
        self._set_contexts(counter.transform(contexts) if contexts and vocabulary else None,
                           context_of, n)
        self._set_structured(profiles)
        self.registry_hash_ = registry_hash
        self.analyzer_fingerprint_ = analyzer.fingerprint()
        return self

    def _bm25_data(self, counts: Any, csc: Any) -> np.ndarray:
        """BM25 term weights of every profile, in the order of the CSC arrays.

        idf(t) * tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl)): a term's weight saturates
        with its count, and a long profile (a university named in fifty sentences) is
        penalised less than by the cosine, which divides by its whole norm.
        """
        import scipy.sparse as sp

        n, v = counts.shape
        if not v:
            return np.zeros(0, dtype=np.float32)
        dl = np.asarray(counts.sum(axis=1)).ravel()
        avgdl = float(dl.mean()) if n else 1.0
        df = np.diff(sp.csc_matrix(counts).indptr).astype(np.float64)
        idf = np.log1p((n - df + 0.5) / (df + 0.5))
        coo = counts.tocoo()
        k1, b = float(self.bm25_k1), float(self.bm25_b)
        norm = k1 * (1.0 - b + b * dl[coo.row] / (avgdl or 1.0))
        weights = idf[coo.col] * coo.data * (k1 + 1.0) / (coo.data + norm)
        bm = sp.csc_matrix((weights, (coo.row, coo.col)), shape=(n, v), dtype=np.float64)
        bm.sort_indices()
        if bm.indices.shape != csc.indices.shape or not np.array_equal(bm.indices, csc.indices):
            raise UsageError("fit: BM25 and TF-IDF matrices differ in shape (internal error)")
        return bm.data.astype(np.float32)

    def _set_contexts(self, counts: Any, context_of: Sequence[Sequence[int]], n: int) -> None:
        """TF-IDF of the source documents (CSC arrays) and the profiles each names (CSR)."""
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import TfidfTransformer

        n_docs = 0 if counts is None else int(counts.shape[0])
        if not n_docs:
            self.D_data_ = np.zeros(0, dtype=np.float32)
            self.D_indices_ = np.zeros(0, dtype=np.int32)
            self.D_indptr_ = np.zeros(len(self.vocabulary_) + 1, dtype=np.int64)
            self.doc_idf_ = np.zeros(len(self.vocabulary_))
            self.E_indptr_ = np.zeros(1, dtype=np.int64)
            self.E_indices_ = np.zeros(0, dtype=np.int32)
            return
        tfidf = TfidfTransformer(sublinear_tf=self.sublinear_tf, smooth_idf=self.smooth_idf)
        docs = sp.csc_matrix(tfidf.fit_transform(counts), dtype=np.float32)
        docs.sort_indices()
        self.D_data_ = docs.data.astype(np.float32)
        self.D_indices_ = docs.indices.astype(np.int32)
        self.D_indptr_ = docs.indptr.astype(np.int64)
        self.doc_idf_ = tfidf.idf_.astype(np.float64)
        named: list[list[int]] = [[] for _ in range(n_docs)]
        for row, docs_of_row in enumerate(context_of[:n]):
            for d in docs_of_row:
                named[d].append(row)
        self.E_indptr_ = np.concatenate([[0], np.cumsum([len(r) for r in named])]).astype(np.int64)
        self.E_indices_ = np.array([r for rows in named for r in rows], dtype=np.int32)

    def context(self, idx: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Per organisation, the best cosine of the query with the documents naming it."""
        self._check_fitted()
        n = self.n_organisations
        out = np.zeros(n, dtype=np.float32)
        n_docs = int(self.E_indptr_.shape[0]) - 1
        if n_docs <= 0 or not idx.shape[0]:
            return out
        w = (1.0 + np.log(np.maximum(counts, 1.0))) * self.doc_idf_[idx]
        norm = float(np.sqrt((w * w).sum())) or 1.0
        doc_sim = np.zeros(n_docs, dtype=np.float32)
        for j, wj in zip(idx.tolist(), (w / norm).astype(np.float32).tolist(), strict=True):
            lo, hi = int(self.D_indptr_[j]), int(self.D_indptr_[j + 1])
            if hi > lo:
                doc_sim[self.D_indices_[lo:hi]] += self.D_data_[lo:hi] * np.float32(wj)
        docs = np.flatnonzero(doc_sim > 0)
        if not docs.size:
            return out
        starts = self.E_indptr_[docs]
        lengths = self.E_indptr_[docs + 1] - starts
        total = int(lengths.sum())
        if not total:
            return out
        # positions of the rows named by each matching document, one run per document
        offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        rows = self.E_indices_[offsets + np.arange(total)]
        np.maximum.at(out, rows, np.repeat(doc_sim[docs], lengths))
        return out

    def _set_structured(self, profiles: Sequence[OrgProfile]) -> None:
        n = len(profiles)
        self.ids_ = np.array([p.id for p in profiles], dtype=np.int64)
        self.names_ = np.array([p.name for p in profiles], dtype=str)
        self.type_code_ = np.array([TYPE_CODES.get(p.type, -1) for p in profiles], dtype=np.int8)
        self.country_ = np.array([(p.country or "").upper() for p in profiles], dtype=str)
        self.region_ = np.array([p.region or "" for p in profiles], dtype=str)
        self.region_key_ = np.array([key(p.region or "") for p in profiles], dtype=str)
        self.city_ = np.array([p.city or "" for p in profiles], dtype=str)
        theme_ids = sorted({t for p in profiles for t in p.themes})
        self.theme_ids_ = np.array(theme_ids, dtype=str)
        tindex = {t: i for i, t in enumerate(theme_ids)}
        themes = np.zeros((n, len(theme_ids)), dtype=np.float32)
        for row, p in enumerate(profiles):
            for t, w in p.themes.items():
                themes[row, tindex[t]] = float(w)
        self.themes_ = themes
        programme_ids = sorted({g for p in profiles for g in p.programmes})
        self.programme_ids_ = np.array(programme_ids, dtype=str)
        pindex = {g: i for i, g in enumerate(programme_ids)}
        links = np.zeros((n, len(programme_ids)), dtype=np.uint8)
        for row, p in enumerate(profiles):
            for g in p.programmes:
                links[row, pindex[g]] = 1
        self.links_ = links
        self.mentions_ = np.array([p.mentions for p in profiles], dtype=np.float32)
        self.documents_ = np.array([p.documents for p in profiles], dtype=np.float32)
        self.last_seen_ = np.array([date_to_year(p.last_seen) for p in profiles], dtype=np.float32)
        known = self.last_seen_[~np.isnan(self.last_seen_)]
        # Recency is measured from the newest document of the registry, not from today,
        # so the same registry gives the same list tomorrow.
        self.reference_year_ = float(known.max()) if known.size else math.nan

    # -- query path (numpy/scipy only) -------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "X_data_"):
            raise UsageError("ProfileModel is not fitted yet: call fit(profiles) or load(path)")

    @property
    def n_organisations(self) -> int:
        self._check_fitted()
        return int(self.ids_.shape[0])

    def vectorize(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(term indices, weights) of the L2-normalised TF-IDF vector of `text`."""
        self._check_fitted()
        counts = Counter(self.vocabulary_[s] for s in analyzer.analyze(text)
                         if s in self.vocabulary_)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        idx = np.fromiter(sorted(counts), dtype=np.int64, count=len(counts))
        tf = np.array([counts[i] for i in idx], dtype=np.float64)
        if self.sublinear_tf:
            tf = 1.0 + np.log(tf)
        w = tf * self.idf_[idx]
        norm = float(np.sqrt((w * w).sum()))
        return idx, (w / norm if norm > 0 else w)

    def query_counts(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(term indices, counts) of the known terms of `text`, for BM25."""
        self._check_fitted()
        counts = Counter(self.vocabulary_[s] for s in analyzer.analyze(text)
                         if s in self.vocabulary_)
        idx = np.fromiter(sorted(counts), dtype=np.int64, count=len(counts))
        return idx, np.array([counts[i] for i in idx.tolist()], dtype=np.float64)

    def transform(self, texts: Iterable[str]) -> Any:
        """TF-IDF rows for `texts` (scipy CSR), equal to the fitted TfidfVectorizer's transform."""
        import scipy.sparse as sp

        rows, cols, vals = [], [], []
        n = 0
        for n, text in enumerate(texts, start=1):
            idx, w = self.vectorize(text)
            rows.append(np.full(idx.shape[0], n - 1))
            cols.append(idx)
            vals.append(w)
        if not n:
            return sp.csr_matrix((0, len(self.vocabulary_)))
        return sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(n, len(self.vocabulary_)),
        )

    def similarity(self, idx: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Cosine similarity of every organisation with one query vector (dense, n)."""
        self._check_fitted()
        return self._dot(self.X_data_, idx, weights)

    def bm25(self, idx: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """BM25 score of every organisation for query terms `idx` weighted by `weights`."""
        self._check_fitted()
        return self._dot(self.B_data_, idx, weights)

    def _dot(self, data: np.ndarray, idx: np.ndarray, weights: np.ndarray) -> np.ndarray:
        n = self.n_organisations
        out = np.zeros(n, dtype=np.float32)
        for j, wj in zip(idx.tolist(), weights.astype(np.float32).tolist(), strict=True):
            lo, hi = int(self.X_indptr_[j]), int(self.X_indptr_[j + 1])
            if hi > lo:  # rows are unique within a column: plain fancy-index add is exact
                out[self.X_indices_[lo:hi]] += data[lo:hi] * np.float32(wj)
        return out

    def term_hits(self, rows: Sequence[int], idx: np.ndarray) -> dict[int, dict[int, float]]:
        """For each row, which of the term indices `idx` occur in its profile, with weights."""
        self._check_fitted()
        wanted = np.asarray(list(rows), dtype=np.int64)
        hits: dict[int, dict[int, float]] = {int(r): {} for r in wanted.tolist()}
        if wanted.size == 0:
            return hits
        for j in idx.tolist():
            lo, hi = int(self.X_indptr_[j]), int(self.X_indptr_[j + 1])
            col = self.X_indices_[lo:hi]
            if col.shape[0] == 0:
                continue
            pos = np.minimum(np.searchsorted(col, wanted), col.shape[0] - 1)
            found = col[pos] == wanted
            for r, p in zip(wanted[found].tolist(), pos[found].tolist(), strict=True):
                hits[int(r)][int(j)] = float(self.X_data_[lo + p])
        return hits

    def document_matrix(self) -> Any:
        """The L2-normalised document matrix as scipy CSC (for tests and analysis)."""
        import scipy.sparse as sp

        self._check_fitted()
        return sp.csc_matrix((self.X_data_, self.X_indices_, self.X_indptr_),
                             shape=(self.n_organisations, len(self.vocabulary_)))

    # -- persistence -------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the fitted arrays to one .npz (atomically: a reader never sees half a file)."""
        self._check_fitted()
        path = Path(path)
        meta = {"format": FORMAT_VERSION, "params": self.get_params(),
                "registry_hash": self.registry_hash_,
                "analyzer": self.analyzer_fingerprint_, "reference_year": self.reference_year_}
        arrays = {
            "meta": np.array(json.dumps(meta)), "terms": self.terms_, "idf": self.idf_,
            "X_data": self.X_data_, "X_indices": self.X_indices_, "X_indptr": self.X_indptr_,
            "B_data": self.B_data_, "D_data": self.D_data_, "D_indices": self.D_indices_,
            "D_indptr": self.D_indptr_, "doc_idf": self.doc_idf_, "E_indptr": self.E_indptr_,
            "E_indices": self.E_indices_,
            "ids": self.ids_, "names": self.names_, "type_code": self.type_code_,
            "country": self.country_, "region": self.region_,
            "region_key": self.region_key_, "city": self.city_,
            "theme_ids": self.theme_ids_, "themes": self.themes_,
            "programme_ids": self.programme_ids_, "links": self.links_,
            "mentions": self.mentions_, "documents": self.documents_,
            "last_seen": self.last_seen_,
        }
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ProfileModel:
        """Read a model written by `save`; RegistryError if it is not one."""
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as z:
                data = {k: z[k] for k in z.files}
            meta = json.loads(str(data["meta"]))
        except (OSError, ValueError, KeyError) as exc:
            raise RegistryError(f"{path}: not a readable matcher model ({exc})") from exc
        if meta.get("format") != FORMAT_VERSION:
            raise RegistryError(f"{path}: model format {meta.get('format')} is not "
                                f"{FORMAT_VERSION}; it will be refitted")
        model = cls(**meta["params"])
        model.terms_ = data["terms"]
        model.vocabulary_ = {str(t): i for i, t in enumerate(model.terms_.tolist())}
        model.idf_ = data["idf"]
        for name in ("X_data", "X_indices", "X_indptr", "B_data", "D_data", "D_indices",
                     "D_indptr", "doc_idf", "E_indptr", "E_indices", "ids", "names",
                     "type_code", "country", "region", "region_key", "city", "theme_ids",
                     "themes", "programme_ids",
                     "links", "mentions", "documents", "last_seen"):
            setattr(model, name + "_", data[name])
        model.registry_hash_ = meta["registry_hash"]
        model.analyzer_fingerprint_ = meta["analyzer"]
        model.reference_year_ = float(meta["reference_year"])
        return model


# -- the model of a registry ------------------------------------------------------

_CACHE: dict[str, ProfileModel] = {}


def fit_registry(registry: Any, registry_hash: str | None = None, **params: Any
                 ) -> ProfileModel:
    """Fit a model on every profile of `registry` (with evidence) and save it beside it."""
    if registry_hash is None:
        registry_hash = _content_hash(registry)
    profiles = registry.organisations(with_evidence=True)
    contexts, context_of = _contexts(registry, profiles)
    model = ProfileModel(**params).fit(profiles, registry_hash=registry_hash,
                                       contexts=contexts, context_of=context_of)
    path = model_path(Path(registry.path))
    try:
        model.save(path)
    except OSError as exc:  # a read-only folder: keep the model in memory
        log.warning("%s: cannot save the model (%s); it will be refitted next time", path, exc)
    _CACHE[str(path)] = model
    return model


def _contexts(registry: Any, profiles: Sequence[OrgProfile]
              ) -> tuple[list[str], list[list[int]]]:
    """The registry's document texts, and for each profile the documents naming it."""
    row_of = {p.id: i for i, p in enumerate(profiles)}
    texts: list[str] = []
    context_of: list[list[int]] = [[] for _ in profiles]
    for meta in registry.documents():
        doc = registry.document(int(meta["id"]))
        d = len(texts)
        texts.append(str(doc.get("text") or ""))
        for org in doc.get("organisations") or ():
            row = row_of.get(int(org["id"]))
            if row is not None:
                context_of[row].append(d)
    return texts, context_of


def _file_signature(db: Path) -> tuple[tuple[int, int], ...]:
    """mtime and size of the database and its WAL: unchanged files, unchanged registry."""
    out = []
    for path in (db, db.with_name(db.name + "-wal")):
        try:
            st = path.stat()
            out.append((st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((0, 0))
    return tuple(out)


_VERIFIED: dict[str, tuple[tuple[tuple[int, int], ...], str]] = {}


def _content_hash(registry: Any) -> str:
    """The registry's content hash, recomputed only when its files have changed.

    Hashing every profile takes a while on a large registry; a query should not pay
    it when nothing was written since the last query of this process.
    """
    db = Path(registry.path)
    signature = _file_signature(db)
    known = _VERIFIED.get(str(db))
    if known is not None and known[0] == signature:
        return known[1]
    value = str(registry.content_hash())
    _VERIFIED[str(db)] = (signature, value)
    return value


def ensure_model(registry: Any) -> ProfileModel:
    """The registry's model: from memory, else from its file, else fitted now.

    A model whose registry hash or analyzer fingerprint differ from the current ones
    is stale and refitted (and saved for the next process).
    """
    path = model_path(Path(registry.path))
    current = _content_hash(registry)
    fingerprint = analyzer.fingerprint()

    def fresh(m: ProfileModel) -> bool:
        return m.registry_hash_ == current and m.analyzer_fingerprint_ == fingerprint

    cached = _CACHE.get(str(path))
    if cached is not None and fresh(cached):
        return cached
    if path.is_file():
        try:
            loaded = ProfileModel.load(path)
        except RegistryError as exc:
            log.info("%s", exc)
        else:
            if fresh(loaded):
                _CACHE[str(path)] = loaded
                return loaded
    log.info("%s: fitting the ranking model on %s", path, registry.path)
    return fit_registry(registry, registry_hash=current)
