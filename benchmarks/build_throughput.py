"""Build throughput and memory: `match build` against bare `nlp.pipe` on the same texts.

Makes a corpus of synthetic French articles (plus the seeds), then, each in a fresh
process so peak memory is per run:
  - bare `nlp.pipe` of the same spaCy pipeline the extractor uses, on the cleaned texts;
  - the whole build (read, clean, extract, resolve, store, profiles; model fit excluded
    and timed apart) into a new SQLite registry.
Runs the build at two corpus sizes to show whether peak memory grows with the corpus.

    .venv/bin/python benchmarks/build_throughput.py [--docs 2000] [--small 500]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CITIES = ["Rabat", "Casablanca", "Fès", "Meknès", "Marrakech", "Agadir", "Tanger", "Oujda",
          "Kénitra", "Tétouan", "El Jadida", "Settat", "Béni Mellal", "Laâyoune", "Dakhla"]
TOPICS = ["l'intelligence artificielle", "la maintenance prédictive", "l'Internet des objets",
          "la robotique", "l'électronique", "la cybersécurité", "l'agriculture intelligente",
          "la gestion de l'eau", "les énergies renouvelables", "les matériaux avancés",
          "la santé numérique", "la physique des particules", "le calcul haute performance"]
HEADS = ["Université", "Institut", "École supérieure", "Centre de recherche", "Cluster",
         "Agence", "Fondation", "Association"]
SYLLABLES = ["ka", "ri", "mo", "ta", "za", "ne", "lu", "bo", "sa", "di", "fa", "ho", "ya"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def synthetic_article(rng: random.Random, n: int) -> str:
    """A French article naming a few organisations, acronyms, cities and topics."""
    orgs = []
    for _ in range(rng.randint(3, 6)):
        head, name, city = rng.choice(HEADS), _word(rng), rng.choice(CITIES)
        full = f"{head} {name} de {city}"
        acronym = "".join(w[0] for w in full.split() if w[0].isupper())
        orgs.append((full, acronym))
    company = f"{_word(rng)} Technologies S.A."
    paragraphs = [
        f"date 20{rng.randint(10, 26):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        f"Une convention de partenariat a été signée à {rng.choice(CITIES)} entre "
        f"l'{orgs[0][0]} ({orgs[0][1]}) et {orgs[1][0]}, dans le domaine de "
        f"{rng.choice(TOPICS)}.",
        f"Selon le président de l'{orgs[0][1]}, cet accord permettra de développer des projets "
        f"de recherche appliquée sur {rng.choice(TOPICS)} et {rng.choice(TOPICS)}, avec le "
        f"soutien de la société {company}.",
    ]
    for full, _ in orgs[2:]:
        paragraphs.append(
            f"{full} rejoint également l'initiative, qui vise à renforcer les liens entre la "
            f"recherche scientifique et les besoins industriels en matière de "
            f"{rng.choice(TOPICS)}. Les chercheurs travailleront sur {rng.choice(TOPICS)}."
        )
    paragraphs.append(
        "La cérémonie s'est déroulée en présence des responsables d'institutions publiques et "
        "privées, d'étudiants et d'entrepreneurs, qui ont salué une initiative structurante "
        f"pour la région de {rng.choice(CITIES)}."
    )
    return "\n\n".join(paragraphs) + "\n"


def make_corpus(folder: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for seed_file in sorted((ROOT / "seeds").glob("*.txt")):
        shutil.copy(seed_file, folder / seed_file.name)
    for i in range(n):
        (folder / f"synthetic_{i:05d}.txt").write_text(synthetic_article(rng, i), "utf-8")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_bare(corpus: str) -> dict:
    """Bare nlp.pipe of the extractor's own pipeline over the cleaned texts.

    Also times the same pipe without the matcher's own spaCy components (the trained
    model alone), to show what those components cost.
    """
    from matcher.documents import iter_paths, read_document
    from matcher.extraction import load_nlp

    nlp = load_nlp()
    texts = [read_document(p).text for p in iter_paths([corpus])]
    start, cpu = time.perf_counter(), time.process_time()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=16))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    ours = [name for name in nlp.pipe_names if name.startswith("matcher_")]
    with nlp.select_pipes(disable=ours):
        start = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=16):
            pass
        model_seconds = time.perf_counter() - start
    return {"docs": len(texts), "tokens": tokens, "seconds": seconds, "cpu_seconds": cpu,
            "model_seconds": model_seconds, "peak_mb": _peak_mb()}


class TimedExtractor:
    """The build's own Extractor, with clocks around its input and its rules.

    `build()` pulls documents (read + clean) lazily from inside `Extractor.pipe`, so
    the time of one run splits into: waiting for documents, the spaCy pipeline,
    `Extractor.from_spacy` (candidates to organisations) and, outside the pipe, the
    registry writes.
    """

    def __init__(self) -> None:
        from matcher.extraction import Extractor

        self.extractor = Extractor()
        self.read = self.rules = self.in_pipe = 0.0
        from_spacy = self.extractor.from_spacy

        def timed_from_spacy(doc):  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            try:
                return from_spacy(doc)
            finally:
                self.rules += time.perf_counter() - start

        self.extractor.from_spacy = timed_from_spacy  # type: ignore[method-assign]

    def pipe(self, docs):  # type: ignore[no-untyped-def]
        def reading():  # type: ignore[no-untyped-def]
            source = iter(docs)
            while True:
                start = time.perf_counter()
                try:
                    doc = next(source)
                except StopIteration:
                    return
                finally:
                    self.read += time.perf_counter() - start
                yield doc

        results = self.extractor.pipe(reading())
        while True:
            start = time.perf_counter()
            try:
                item = next(results)
            except StopIteration:
                return
            finally:
                self.in_pipe += time.perf_counter() - start
            yield item


def run_build(corpus: str) -> dict:
    """The whole ingestion into a new registry; the model fit is timed apart."""
    from matcher.build import build
    from matcher.extraction import load_nlp

    load_nlp()  # model loading is a fixed cost, excluded as in the bare run
    timed = TimedExtractor()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        start = time.perf_counter()
        cpu = time.process_time()
        summary = build([corpus], db, progress=False, fit_model=False, extractor=timed)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
        build_peak = _peak_mb()
        fit_start = time.perf_counter()
        from matcher.store import Registry

        with Registry(db) as registry:
            from matcher.model import fit_registry

            fit_registry(registry)
            fit_seconds = time.perf_counter() - fit_start
    split = {"read_clean": timed.read, "nlp": timed.in_pipe - timed.read - timed.rules,
             "rules": timed.rules, "store_other": seconds - timed.in_pipe}
    return {"docs": summary.read, "orgs": summary.organisations, "seconds": seconds,
            "cpu_seconds": cpu, "fit_seconds": fit_seconds, "skipped": len(summary.skipped),
            "build_peak_mb": build_peak, "peak_mb": _peak_mb(), "split": split}


def _in_subprocess(mode: str, corpus: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", mode, str(corpus)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000, help="synthetic articles (large run)")
    parser.add_argument("--small", type=int, default=500, help="synthetic articles (small run)")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        mode, corpus = args.worker
        print(json.dumps(run_bare(corpus) if mode == "bare" else run_build(corpus)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp) / "small", Path(tmp) / "large"
        make_corpus(small, args.small)
        make_corpus(large, args.docs)
        bare = _in_subprocess("bare", large)
        built = _in_subprocess("build", large)
        built_small = _in_subprocess("build", small)
    bare_rate = bare["docs"] / bare["seconds"]
    build_rate = built["docs"] / built["seconds"]
    print(f"corpus: {bare['docs']} documents, {bare['tokens']} tokens")
    print(f"bare nlp.pipe      : {bare_rate:8.1f} docs/s ({bare['tokens'] / bare['seconds']:.0f}"
          f" tokens/s); spaCy model alone {bare['docs'] / bare['model_seconds']:.1f} docs/s")
    print(f"match build        : {build_rate:8.1f} docs/s -> {build_rate / bare_rate:.2f} of bare"
          f" nlp.pipe; {built['orgs']} organisations; model fit {built['fit_seconds']:.1f} s")
    split = built["split"]
    print("build time split   : " + ", ".join(
        f"{label} {split[name]:.1f} s ({split[name] / built['seconds']:.0%})"
        for name, label in (("read_clean", "read+clean"), ("nlp", "nlp.pipe"),
                            ("rules", "from_spacy"), ("store_other", "store+rest"))))
    outside = split["read_clean"] + split["rules"] + split["store_other"]
    print(f"outside nlp.pipe   : {outside:.1f} s; with the bare run's nlp.pipe time in its place,"
          f" build would be {bare['seconds'] / (bare['seconds'] + outside):.2f} of bare"
          " (less sensitive to load on a shared machine)")
    print(f"CPU time           : bare {bare['cpu_seconds']:.1f} s for {bare['seconds']:.1f} s,"
          f" build {built['cpu_seconds']:.1f} s for {built['seconds']:.1f} s (one process,"
          " one thread each)")
    print(f"peak memory (build): {built_small['docs']} docs {built_small['build_peak_mb']:.0f} MB,"
          f" {built['docs']} docs {built['build_peak_mb']:.0f} MB; with the model fit"
          f" {built_small['peak_mb']:.0f} MB, {built['peak_mb']:.0f} MB; bare nlp.pipe"
          f" {bare['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
