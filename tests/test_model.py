"""The TF-IDF profile model: fitted with scikit-learn, queried with numpy/scipy only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.analyzer import analyze
from matcher.errors import RegistryError, UsageError
from matcher.model import ProfileModel, _theme_labels, date_to_year, profile_text
from matcher.records import Evidence, OrgProfile


def _profile(i: int, name: str, type_: str, sentence: str, **kw: object) -> OrgProfile:
    return OrgProfile(id=i, name=name, type=type_,
                      evidence=(Evidence("doc.txt", kw.pop("date", "2024-05"), sentence),),
                      last_seen=str(kw.pop("last_seen", "2024-05")), **kw)  # type: ignore[arg-type]


PROFILES = [
    _profile(1, "Université de Fès", "university",
             "L’université travaille sur l’intelligence artificielle et la robotique.",
             country="MA", region="Fès-Meknès", themes={"ia": 2.0, "robotique": 1.0}),
    _profile(2, "Cluster électronique", "cluster",
             "Le cluster regroupe des PMI de l'électronique et des composants.",
             country="MA", themes={"electronique": 1.0}, programmes=("cern-associate",)),
    _profile(3, "Pôle Images & Réseaux", "cluster",
             "Le pôle travaille sur les télécoms, la 4G et les réseaux mobiles.",
             country="FR", aliases=("I&R",), themes={"telecom": 1.25}, last_seen="2013-06"),
]
QUERIES = ["électronique et robotique à l'université", "réseaux 4G télécoms", "rien à voir",
           "L’Électronique, l'électronique ! ELECTRONIQUE"]


def _texts() -> list[str]:
    labels = _theme_labels()
    return [profile_text(p, labels) for p in PROFILES]


def test_transform_equals_sklearn_on_the_same_text() -> None:
    model = ProfileModel().fit(PROFILES, registry_hash="h1")
    reference = TfidfVectorizer(analyzer=analyze, sublinear_tf=True).fit(_texts())
    assert model.vocabulary_ == reference.vocabulary_
    np.testing.assert_allclose(model.transform(QUERIES).toarray(),
                               reference.transform(QUERIES).toarray(), atol=1e-12)
    np.testing.assert_allclose(model.document_matrix().toarray(),
                               reference.transform(_texts()).toarray(), atol=1e-6)


def test_similarity_ranks_the_profile_that_shares_rare_terms() -> None:
    model = ProfileModel().fit(PROFILES)
    sims = model.similarity(*model.vectorize("télécoms et 4G"))
    assert int(np.argmax(sims)) == 2 and sims[0] == 0


def test_use_before_fit_raises_a_clear_error() -> None:
    with pytest.raises(UsageError, match="not fitted"):
        ProfileModel().vectorize("électronique")


def test_fit_returns_self_and_sets_structured_arrays() -> None:
    model = ProfileModel(sublinear_tf=False)
    assert model.fit(PROFILES, registry_hash="abc") is model
    assert model.n_organisations == 3 and model.registry_hash_ == "abc"
    assert model.country_.tolist() == ["MA", "MA", "FR"]
    assert set(model.theme_ids_.tolist()) == {"ia", "robotique", "electronique", "telecom"}
    column = model.programme_ids_.tolist().index("cern-associate")
    assert model.links_[:, column].tolist() == [0, 1, 0]
    assert model.reference_year_ == pytest.approx(date_to_year("2024-05"))
    assert model.region_key_.tolist() == ["fes meknes", "", ""]


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = ProfileModel(sublinear_tf=False).fit(PROFILES, registry_hash="h2")
    path = model.save(tmp_path / "m.model.npz")
    loaded = ProfileModel.load(path)
    assert loaded.get_params() == model.get_params()
    assert loaded.registry_hash_ == "h2" and loaded.vocabulary_ == model.vocabulary_
    for name in ("ids_", "names_", "type_code_", "country_", "region_", "themes_", "links_",
                 "mentions_", "last_seen_", "idf_", "region_key_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(model, name))
    np.testing.assert_allclose(loaded.transform(QUERIES).toarray(),
                               model.transform(QUERIES).toarray())
    np.testing.assert_allclose(loaded.similarity(*loaded.vectorize(QUERIES[0])),
                               model.similarity(*model.vectorize(QUERIES[0])))


def test_loading_something_else_raises_registry_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.model.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(RegistryError, match="x.model.npz"):
        ProfileModel.load(bad)


def test_query_path_imports_neither_sklearn_spacy_nor_scipy(tmp_path: Path) -> None:
    path = ProfileModel().fit(PROFILES).save(tmp_path / "m.model.npz")
    code = ("import sys; from matcher.model import ProfileModel; "
            f"m = ProfileModel.load({str(path)!r}); m.similarity(*m.vectorize('4G télécoms')); "
            "bad = [n for n in sys.modules if n.split('.')[0] in ('sklearn', 'spacy', 'scipy')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _document(tmp_path: Path, name: str, org: str, org_type: str, sentence: str) -> tuple:
    from matcher.records import Document, ExtractedOrg, Extraction, Mention

    doc = Document(path=str(tmp_path / name), text=sentence, sha256=name * 8, date="2025-01-02")
    start = sentence.index(org)
    extracted = ExtractedOrg(name=org, type=org_type, country="MA",
                             mentions=[Mention(org, start, start + len(org), sentence)])
    return doc, Extraction(orgs=[extracted])


def test_the_registry_model_is_refitted_only_when_the_registry_changes(tmp_path: Path) -> None:
    from matcher import model as model_module
    from matcher.config import model_path
    from matcher.store import Registry

    with Registry(tmp_path / "r.db", create=True) as registry:
        registry.replace_document(*_document(
            tmp_path, "a.txt", "Cluster Solaire du Souss", "cluster",
            "Le Cluster Solaire du Souss fédère les entreprises de l'énergie solaire."))
        first = model_module.ensure_model(registry)
        assert first.n_organisations == 1
        assert model_path(registry.path).is_file()
        assert model_module.ensure_model(registry) is first  # unchanged: no refit
        registry.replace_document(*_document(
            tmp_path, "b.txt", "Université Ibn Zohr", "university",
            "L'Université Ibn Zohr d'Agadir forme des ingénieurs en énergies renouvelables."))
        second = model_module.ensure_model(registry)
        assert second.n_organisations == 2
        assert second.registry_hash_ != first.registry_hash_
        model_module._CACHE.clear()  # a new process reads the saved model instead of fitting
        reloaded = model_module.ensure_model(registry)
        assert reloaded is not second and reloaded.registry_hash_ == second.registry_hash_
        sims = reloaded.similarity(*reloaded.vectorize("énergie solaire"))
        names = reloaded.names_.tolist()
        solar, agadir = names.index("Cluster Solaire du Souss"), names.index("Université Ibn Zohr")
        assert sims[solar] > sims[agadir]


def test_document_context_reaches_an_organisation_whose_own_sentence_misses_the_topic(
        tmp_path: Path) -> None:
    profiles = [
        _profile(1, "École de Tanger", "school", "Le centre sera installé dans ses locaux."),
        _profile(2, "Agence du tourisme", "public_agency", "Le tourisme balnéaire progresse."),
    ]
    contexts = ["Un centre d'expertise consacré aux batteries et à la mobilité électrique.",
                "La saison touristique a été bonne."]
    model = ProfileModel().fit(profiles, contexts=contexts, context_of=[[0], [1]])
    idx, counts = model.query_counts("batteries pour la mobilité électrique")
    assert model.similarity(*model.vectorize("batteries mobilité électrique")).max() == 0
    context = model.context(idx, counts)
    assert context[0] > 0 and context[1] == 0
    path = model.save(tmp_path / "m.npz")
    np.testing.assert_allclose(ProfileModel.load(path).context(idx, counts), context)


def test_bm25_saturates_repeated_terms_and_round_trips(tmp_path: Path) -> None:
    model = ProfileModel().fit(PROFILES)
    idx, counts = model.query_counts("télécoms 4G")
    scores = model.bm25(idx, counts)
    assert int(np.argmax(scores)) == 2 and scores[0] == 0
    loaded = ProfileModel.load(model.save(tmp_path / "m.npz"))
    np.testing.assert_allclose(loaded.bm25(idx, counts), scores)
