"""Shortlist latency at 10,000 and 100,000 organisations, peak memory, cold CLI time.

Builds synthetic registries through the real schema (bulk SQL into a Registry created
by matcher.store: writing 100,000 organisations one document at a time through
replace_document would take most of an hour), fits the model, then times
`matcher.ranking.shortlist` in process for a few programmes and queries, and the cold
`match shortlist cern-associate` on the seeds registry in a fresh process.

    .venv/bin/python benchmarks/shortlist_latency.py [--sizes 10000 100000] [--repeat 30]

Prints figures; the targets (p50 <= 20 ms, p99 <= 100 ms at 100,000 organisations,
memory < 2 GB, cold CLI <= 1.5 s) are read from the output, not asserted.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matcher.store import Registry  # noqa: E402
from matcher.text import key  # noqa: E402
from matcher.themes import load_themes  # noqa: E402

TYPES = ["university", "school", "research_centre", "cluster", "company", "company", "company",
         "public_agency", "association", "international_org", "ministry", "media"]
COUNTRIES = ["MA"] * 7 + ["FR", "BE", "ES", "DE", "IT", "PT", "TN", None]
REGIONS = ["Fès-Meknès", "Rabat-Salé-Kénitra", "Casablanca-Settat", "Marrakech-Safi",
           "Oriental", "Souss-Massa", "Tanger-Tétouan-Al Hoceïma", "Laâyoune-Sakia El Hamra",
           "Drâa-Tafilalet", "Béni Mellal-Khénifra", "Guelmim-Oued Noun", "Dakhla-Oued Ed-Dahab"]
FILLER = ("le projet vise à renforcer la coopération entre les acteurs de la recherche et de "
          "l'industrie dans le cadre d'un partenariat signé pour développer des solutions "
          "innovantes au service des entreprises et des territoires avec un financement public "
          "une convention une plateforme un programme de formation des ingénieurs").split()
PROGRAMMES = ["cern-associate", "horizon-europe", "jazari-industrie", "prima"]
QUERIES = [("cern-associate", None), ("jazari-industrie", "maintenance prédictive et robotique"),
           ("horizon-europe", "numérique et télécoms"), (None, "intelligence artificielle santé"),
           (None, "électronique microélectronique cluster")]


def make_registry(db: Path, n_orgs: int, seed: int = 7) -> None:
    """A registry of `n_orgs` synthetic organisations, through the real schema."""
    rng = random.Random(seed)
    themes = list(load_themes().values())
    registry = Registry(db, create=True)
    conn = registry.conn
    n_docs = max(1, n_orgs // 40)
    doc_dates: dict[int, str] = {}
    with conn:
        for d in range(n_docs):
            year = rng.randint(2008, 2026)
            doc_dates[d + 1] = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            conn.execute(
                "INSERT INTO documents (id, path, sha256, title, date, language, text,"
                " ingested_at) VALUES (?,?,?,?,?,?,?,?)",
                (d + 1, f"synthetic/{d:06d}.txt", f"{d:064x}", f"Article {d}", doc_dates[d + 1],
                 "fr", "texte synthétique", "2026-01-01T00:00:00+00:00"))
        orgs, aliases, doc_orgs, evidence = [], [], [], []
        for i in range(1, n_orgs + 1):
            type_ = rng.choice(TYPES)
            country = rng.choice(COUNTRIES)
            region = rng.choice(REGIONS) if country == "MA" and rng.random() < 0.7 else None
            name = f"{type_.replace('_', ' ').title()} {rng.choice(FILLER).title()} {i}"
            chosen = rng.sample(themes, rng.randint(1, 3))
            weights: dict[str, float] = {}
            docs = rng.sample(range(1, n_docs + 1), min(n_docs, rng.randint(1, 3)))
            sentences = []
            for doc_id in docs:
                theme = rng.choice(chosen)
                words = rng.sample(FILLER, 12) + [rng.choice(theme.keywords_fr)]
                rng.shuffle(words)
                sentences.append((doc_id, f"{name} : " + " ".join(words) + "."))
                weights[theme.id] = weights.get(theme.id, 0.0) + 1.0
            programmes = [rng.choice(PROGRAMMES)] if rng.random() < 0.01 else []
            dates = sorted(doc_dates[d] for d in docs)
            orgs.append((i, name, type_, None, region, country, json.dumps(weights),
                         json.dumps(programmes), len(sentences), len(docs), dates[0], dates[-1]))
            aliases.append((i, name, key(name)))
            for doc_id in docs:
                doc_orgs.append((doc_id, i, name, type_, None, region, country))
            evidence += [(i, doc_id, s) for doc_id, s in sentences]
        conn.executemany("INSERT INTO organisations (id, name, type, city, region, country, themes,"
                         " programmes, mentions, documents, first_seen, last_seen)"
                         " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", orgs)
        conn.executemany("INSERT INTO aliases (org_id, alias, key) VALUES (?,?,?)", aliases)
        conn.executemany("INSERT INTO document_orgs (document_id, org_id, name, type, city, region,"
                         " country) VALUES (?,?,?,?,?,?,?)", doc_orgs)
        conn.executemany("INSERT INTO evidence (org_id, document_id, sentence) VALUES (?,?,?)",
                         evidence)
    registry.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench_size(n: int, repeat: int, workdir: Path) -> None:
    from matcher.model import ensure_model
    from matcher.ranking import shortlist

    db = workdir / f"synthetic_{n}.db"
    t0 = time.perf_counter()
    make_registry(db, n)
    t1 = time.perf_counter()
    with Registry(db) as registry:
        ensure_model(registry)
        t2 = time.perf_counter()
        print(f"\n{n:,} organisations: registry {t1 - t0:.1f} s, model fit {t2 - t1:.1f} s, "
              f"model file {(db.with_name(db.name + '.model.npz')).stat().st_size / 1e6:.0f} MB")
        shortlist(registry, "cern-associate")  # warm: model in memory, data files parsed
        all_times: list[float] = []
        for programme, query in QUERIES:
            times = []
            for _ in range(repeat):
                s = time.perf_counter()
                result = shortlist(registry, programme, query, top=10)
                times.append((time.perf_counter() - s) * 1000)
            all_times += times
            print(f"  {programme or '-':<17} {query or '':<38} p50 {statistics.median(times):6.1f}"
                  f" ms  p99 {percentile(times, 0.99):6.1f} ms  ({len(result.candidates)} listed)")
        print(f"  all queries: p50 {statistics.median(all_times):.1f} ms, "
              f"p99 {percentile(all_times, 0.99):.1f} ms")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory so far (ru_maxrss): {peak:.0f} MB")


def bench_cold_cli(workdir: Path, runs: int = 3) -> None:
    from matcher.build import build
    from matcher.model import ensure_model

    db = workdir / "seeds.db"
    build([ROOT / "seeds"], db, progress=False)
    with Registry(db) as registry:
        ensure_model(registry)  # the model is fitted once, after the build
    match = shutil.which("match", path=str(Path(sys.executable).parent)) or "match"
    times = []
    for _ in range(runs):
        s = time.perf_counter()
        done = subprocess.run([match, "shortlist", "cern-associate", "--db", str(db)],
                              capture_output=True, text=True)
        times.append(time.perf_counter() - s)
        if done.returncode != 0:
            print("  match shortlist failed:", done.stderr.strip()[-300:])
            return
    print(f"\ncold `match shortlist cern-associate` on the seeds registry: "
          f"{min(times):.2f} s best, {statistics.median(times):.2f} s median of {runs}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--no-cli", action="store_true", help="skip the cold CLI timing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shortlist-bench-") as tmp:
        for n in args.sizes:
            bench_size(n, args.repeat, Path(tmp))
        if not args.no_cli:
            bench_cold_cli(Path(tmp))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the benchmark process (ru_maxrss): {peak:.0f} MB")


if __name__ == "__main__":
    main()
