"""What the organisation rules share: per-Doc token indexes, and the simpler rules.

`RuleBase` reads a Doc once (sentence starts, trigger words found by a PhraseMatcher) and
holds the rules that need no head word: names closed by a suffix head ("Maroc Numeric
Cluster"), lists after a class noun ("des sociétés comme X, Y ou Z") and appositions ("X,
une plateforme ..."). `matcher.rules.OrgRules` adds the head-word rules.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from .gazetteer import Gazetteer, fold, load_gazetteer
from .resolution import Candidate

QUOTES_OPEN = {"“", "«", '"', "„", "‘"}
QUOTES_CLOSE = {"”", "»", '"', "“", "’"}
MARKUP = {"[", "]", "*", "**", "_", "#"}
INTRO_WORDS = {"comme", "tels", "telles", "tel", "telle", "que", "notamment", "dont", ":", "(",
               "savoir", "a", "parmi", "lesquels", "lesquelles", "such", "as", "including",
               "like", "en", "l'occurrence", "entre", "autres"}
DETERMINERS = {"le", "la", "les", "l'", "un", "une", "des", "du", "the"}
COPULAS = {"est", "etait", "sera", "devient", "reste", "is", "was"}
# Vote weights of the evidence for a type.
W_HEAD, W_LIST, W_APPOSITION, W_NON_PROFIT = 2, 3, 3, 10


def is_cap(token: Token) -> bool:
    ch = token.text[:1]
    return ch.isupper() or (ch.isdigit() and any(c.isalpha() for c in token.text))


class RuleBase:
    """Per-Doc state and the rules without a head word; `OrgRules` builds on it."""

    def __init__(self, nlp: Language) -> None:
        self.gaz: Gazetteer = load_gazetteer()
        v = self.gaz.vocab
        # trigger words (one token each), found by a matcher, not by a loop over the Doc
        self.triggers = PhraseMatcher(nlp.vocab, attr="NORM")
        for kind, words in (("suffix", v.suffix_heads),
                            ("class", [*v.class_nouns, *v.non_org_class_nouns]),
                            ("apposition", v.apposition_nouns)):
            patterns = []
            for word in words:
                pattern = nlp.make_doc(word)
                if len(pattern) == 1:
                    pattern[0].norm_ = word
                    patterns.append(pattern)
            self.triggers.add(kind, patterns)
        self._where: dict[str, list[int]] = {}
        self._sent_starts: list[int] = [0]
        self._sent_texts: dict[int, str] = {}
        self._doc_text = ""

    def _read(self, doc: Doc, text: str, sent_starts: list[int]) -> None:
        """Index one Doc before the rules run."""
        self._sent_texts = {}
        self._doc_text = text
        self._sent_starts = sent_starts or [0]
        self._where = {}
        for label, start, _end in self.triggers(doc):
            self._where.setdefault(doc.vocab.strings[label], []).append(start)

    def _sent(self, doc: Doc, i: int) -> Span:
        """The sentence of token i, from the sentence starts read once per Doc."""
        k = bisect_right(self._sent_starts, i) - 1
        start = self._sent_starts[k] if k >= 0 else 0
        end = self._sent_starts[k + 1] if k + 1 < len(self._sent_starts) else len(doc)
        return doc[start:end]

    def _sent_text(self, doc: Doc, i: int) -> str:
        """The text of the sentence of token i, cut from doc.text (no token iteration)."""
        sent = self._sent(doc, i)
        text = self._sent_texts.get(sent.start)
        if text is None:
            last = doc[sent.end - 1]
            text = self._doc_text[doc[sent.start].idx : last.idx + len(last.text)]
            self._sent_texts[sent.start] = text
        return text

    def _at(self, kind: str) -> list[int]:
        return sorted(set(self._where.get(kind, ())))
    # -- "Maroc Numeric Cluster", "Boston Consulting Group" ---------------------------------

    def _suffix_heads(self, doc: Doc, covered: set[int]) -> Iterator[Candidate]:
        v = self.gaz.vocab
        for i in self._at("suffix"):
            t = doc[i]
            org_type = v.suffix_heads.get(t.norm_)
            if org_type is None or not is_cap(t) or t.i in covered:
                continue
            if t.i + 1 < len(doc) and is_cap(doc[t.i + 1]) and \
                    doc[t.i + 1].norm_ in v.suffix_heads:
                continue  # "Boston Consulting Group": the run ends at "Group"
            start = t.i
            while start > 0:
                prev = doc[start - 1]
                if prev.is_sent_end or not (is_cap(prev) or prev.text in {"&", "-"}):
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
                sentence=self._sent_text(doc, t.i),
                name=span.text,
                source="suffix",
                types=Counter({org_type: W_HEAD}),
            )

    # -- "des sociétés comme Inwi, Meditel ou Logica", "les universités X, Y et Z" -----------

    def _lists(self, doc: Doc) -> Iterator[Candidate]:
        v = self.gaz.vocab
        for i in self._at("class"):
            t = doc[i]
            n = t.norm_
            blocked = n in v.non_org_class_nouns
            if n not in v.class_nouns and not blocked:
                continue
            org_type = None if blocked else v.class_nouns.get(n)
            sent = self._sent(doc, t.i)
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
                text = join_tokens([x for x in item if x.text != ","])
                name = text if org_type != "university" or item[0].norm_ in {
                    "universite", "university"} else f"Université {text}"
                yield Candidate(
                    surface=item.text,
                    start=item.start_char,
                    end=item.end_char,
                    sentence=self._sent_text(doc, t.i),
                    name=strip_markup(name),
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
            elif is_cap(doc[k]) and doc[k].norm_ not in v.never_first:
                start = k
                while k < limit:
                    t = doc[k]
                    if is_cap(t) or t.text in {"&", "-"} or t.like_num:
                        k += 1
                    elif t.norm_ in v.particles and k + 1 < limit and is_cap(doc[k + 1]):
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
        for i in self._at("apposition"):
            t = doc[i]
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
            while start > 0 and (is_cap(doc[start - 1]) or doc[start - 1].text in {"&", "-"}):
                start -= 1
            if start == end or doc[start].norm_ in v.never_first:
                continue
            span = doc[start:end]
            if self.gaz.place(span.text) or self.gaz.country(span.text):
                continue
            sent = self._sent(doc, t.i)
            after = fold(doc[t.i : min(sent.end, t.i + 15)].text)
            votes = Counter({org_type: W_APPOSITION})
            if any(m in after for m in v.non_profit_markers):
                votes["association"] += W_NON_PROFIT
            yield Candidate(
                surface=span.text,
                start=span.start_char,
                end=span.end_char,
                sentence=self._sent_text(doc, t.i),
                name=span.text,
                source="apposition",
                types=votes,
            )


def join_tokens(tokens: list[Token]) -> str:
    """Text of tokens (possibly not contiguous) with their original spacing."""
    out = []
    for x, t in enumerate(tokens):
        out.append(t.text)
        if x + 1 < len(tokens):
            out.append(t.whitespace_ or (" " if tokens[x + 1].i != t.i + 1 else ""))
    return "".join(out).replace(" ,", ",").strip()


def trailing_proper(tokens: list[Token], connectors: frozenset[str]) -> str | None:
    """'numérique Systematic' -> 'Systematic'; None when the name holds a joining word."""
    if any((t.norm_ in connectors and t.text != "&") or t.text == "," for t in tokens):
        return None
    start = len(tokens)
    while start > 0 and (is_cap(tokens[start - 1]) or tokens[start - 1].text in {"&", "-"}
                         or tokens[start - 1].like_num):
        start -= 1
    if start == len(tokens) or not is_cap(tokens[start]):
        return None
    return join_tokens(tokens[start:])


def strip_markup(text: str) -> str:
    """'[Bull](#)' -> 'Bull': markdown remains are not part of a name."""
    for ch in "[]*#()":
        text = text.replace(ch, "")
    return " ".join(text.split())
