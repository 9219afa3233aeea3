"""The rule component that proposes organisation candidates in a spaCy Doc.

Head words ("Université ...", "le pôle de compétitivité ...", "Fraunhofer-Institut für ..."),
matched with their accents; heads of plans and strategies that block what follows; acronyms
standing for a head ("KU Leuven"). The rules without a head word (suffix heads, lists,
appositions) are in `matcher.enumerations`. The component sets doc._.org_candidates;
`matcher.extraction` turns candidates into organisations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token

from .enumerations import (
    DETERMINERS,
    QUOTES_CLOSE,
    QUOTES_OPEN,
    W_HEAD,
    RuleBase,
    is_cap,
    join_tokens,
    strip_markup,
    trailing_proper,
)
from .gazetteer import SPANS_KEY, doc_text, fold, key
from .resolution import Candidate, is_acronym, short_form

__all__ = ["OrgRules", "PLACE_PREPOSITIONS", "is_cap", "strip_markup"]

if not Doc.has_extension("org_candidates"):
    Doc.set_extension("org_candidates", default=None)

MONTHS = set("janvier fevrier mars avril mai juin juillet aout septembre octobre novembre "
             "decembre lundi mardi mercredi jeudi vendredi samedi dimanche".split())
# What joins an English-order or foreign head to its complement ("Fraunhofer-Institut für").
OF_WORDS = {"for", "of", "in", "pour", "de", "du", "des", "d'", "fur", "di", "del", "della",
            "degli", "delle", "dei", "van", "voor", "von", "do", "da", "dos", "das"}
# Prepositions before a place: "dans la région X", "en Région X", "à travers la Région X".
LOCATIVES = {"dans", "en", "travers", "sur", "vers", "partout", "toute", "across", "throughout"}
# "le président de la région X": the region as a body (its council), not a place.
ROLE_WORDS = {"president", "presidente", "vice-president", "conseil", "assemblee", "budget",
              "elus", "presidence"}
# A name stops before "in Belgium", "à Rabat", "en Allemagne": the place is not part of it.
PLACE_PREPOSITIONS = {"in", "at", "a", "en", "au", "aux"}
# Endings of common nouns written with a capital inside a name ("Électronique, Mécatronique").
NOUN_ENDINGS = ("ique", "tion", "sion", "ie", "ence", "ance", "ment", "age", "ite", "ure",
                "isme", "logie")
# Name endings whose full stop belongs to the name.
ABBREVIATED = ("S.A.", "Inc.", "Ltd.", "Co.", "Corp.", "Cie.")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "´": "'", "`": "'"})


def _accents_agree(written: str, form: str) -> bool:
    """A word is a head word as written: accents may be missing ('Ecole', 'Universite'), not
    added or changed ('Centré', a participle, is not 'centre')."""
    low = written.lower().translate(_APOSTROPHES)
    return low == form or (len(low) == len(form) and all(
        a == b or (a.isascii() and fold(b) == a) for a, b in zip(low, form, strict=True)))


# --- rule component -----------------------------------------------------------------------


class OrgRules(RuleBase):
    """Head-word, list and apposition rules; sets doc._.org_candidates (list of Candidate)."""

    def __init__(self, nlp: Language, name: str = "matcher_org_rules") -> None:
        super().__init__(nlp)
        self.name = name
        v = self.gaz.vocab
        # one matcher finds every head word (folded); accents are checked on each match
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        self.head_types: dict[int, str | None] = {}
        self.head_forms: dict[int, tuple[str, ...]] = {}
        heads: list[tuple[str, str | None]] = [
            (written, v.heads[folded])
            for folded, forms in v.head_forms.items() for written in forms]
        heads += [(h, None) for h in v.non_org_heads]
        for head, org_type in heads:
            pattern = nlp.make_doc(head)
            for token in pattern:
                token.norm_ = fold(token.text)
            name = f"HEAD|{head}|{org_type}"
            label = nlp.vocab.strings.add(name)
            self.head_types[label] = org_type
            self.head_forms[label] = tuple(t.text.lower() for t in pattern)
            self.matcher.add(name, [pattern])
        self._heads_at: dict[int, tuple[int, str | None]] = {}
        self._gaz_starts: set[int] = set()
        self._ent_starts: set[int] = set()
        self._place_starts: set[int] = set()
        self._long_forms: list[tuple[int, int]] = []
        self.acronym_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        for acronym, org_type in v.acronym_heads.items():
            self.acronym_matcher.add(f"ACR|{org_type}", [nlp.make_doc(acronym)])

    def __call__(self, doc: Doc) -> Doc:
        self._read(doc, doc_text(doc), numpy.nonzero(doc.to_array(SENT_START) == 1)[0].tolist()
                   if doc.has_annotation("SENT_START") else [0])
        self._heads_at = self._find_heads(doc)
        self._gaz_starts = {s.start for s in doc.spans.get(SPANS_KEY, []) if s.label_ == "ORG"} \
            if SPANS_KEY in doc.spans else set()
        self._ent_starts = {e.start for e in doc.ents}
        self._place_starts = {s.start for s in doc.spans.get(SPANS_KEY, []) if s.label_ in {
            "CITY", "REGION", "COUNTRY", "FOREIGN_REGION"}} if SPANS_KEY in doc.spans else set()
        self._long_forms = [(a.long_start, a.long_end) for a in doc._.abbreviations or []]
        cands: list[Candidate] = []
        covered: set[int] = set()
        for i in sorted(self._heads_at):
            if i in covered:
                continue
            if self._heads_at[i][1] is None:
                blocked = self._non_org(doc, i, self._heads_at[i][0])
                if blocked is not None:
                    cands.append(blocked[0])
                    covered.update(range(i, blocked[1]))
                continue
            found = self._head(doc, i)
            if found is not None:
                cands.append(found[0])
                covered.update(range(found[1], found[2]))
        cands.extend(self._acronym_heads(doc, covered))
        cands.extend(self._suffix_heads(doc, covered))
        cands.extend(self._lists(doc))
        cands.extend(self._appositions(doc))
        doc._.org_candidates = cands
        return doc

    def _find_heads(self, doc: Doc) -> dict[int, tuple[int, str | None]]:
        """Longest head word at each token whose accents agree ('Centré' is no 'centre')."""
        found: dict[int, tuple[int, str | None]] = {}
        for label, start, end in self.matcher(doc):
            if start in found and found[start][0] >= end:
                continue
            forms = self.head_forms[label]
            if all(_accents_agree(doc[k].text, forms[k - start]) for k in range(start, end)):
                found[start] = (end, self.head_types[label])
        return found

    # -- "le Plan Génération Green", "la stratégie Maroc Digital 2030": not organisations -------

    def _non_org(self, doc: Doc, i: int, j: int) -> tuple[Candidate, int] | None:
        """The name after a plan/strategy/offer head, so that no other rule takes it."""
        v = self.gaz.vocab
        limit = self._sent(doc, i).end
        k = j
        while k < limit:
            t = doc[k]
            if is_cap(t) or t.like_num or (t.text in {"-", "&", "+"} and k > j):
                k += 1
                continue
            nxt = k
            while nxt < limit and doc[nxt].norm_ in v.connectors and nxt - k < 3:
                nxt += 1
            if k > j and nxt > k and nxt < limit and is_cap(doc[nxt]):
                k = nxt
                continue
            break
        if k == j and not is_cap(doc[i]):
            return None
        span = doc[i:k] if is_cap(doc[i]) else doc[j:k]
        cand = Candidate(surface=span.text, start=span.start_char, end=span.end_char,
                         sentence=self._sent_text(doc, i), name=span.text, source="blocked",
                         aliases={doc[j:k].text} if k > j else set())
        return cand, max(k, j)

    # -- "KU Leuven", "TU Delft": an acronym that stands for a head word ---------------------

    def _acronym_heads(self, doc: Doc, covered: set[int]) -> Iterator[Candidate]:
        v = self.gaz.vocab
        for label, start, end in self.acronym_matcher(doc):
            if start in covered or end >= len(doc) or not doc[end].text[:1].isupper() or \
                    doc[end].norm_ in v.never_first or is_acronym(doc[end].text):
                continue
            k = end
            while k < len(doc) and k - end < 2 and doc[k].text[:1].isupper() and \
                    doc[k].is_alpha and self._match_head(doc, k) is None:
                k += 1
            if k == end:
                continue
            span = doc[start:k]
            org_type = doc.vocab.strings[label].split("|", 1)[1]
            covered.update(range(start, k))
            yield Candidate(surface=span.text, start=span.start_char, end=span.end_char,
                            sentence=self._sent_text(doc, start), name=span.text, source="head",
                            types=Counter({org_type: W_HEAD}))

    # -- "Université X de Y", "le ministère de l'Industrie", "la division MARWAN" --------------

    def _match_head(self, doc: Doc, i: int) -> tuple[int, str] | None:
        found = self._heads_at.get(i)
        if found is None or found[1] is None:
            return None
        return found  # type: ignore[return-value]

    def _head(self, doc: Doc, i: int) -> tuple[Candidate, int, int] | None:
        head = self._match_head(doc, i)
        if head is None:
            return None
        j, org_type = head
        # English order: "Moroccan Foundation for Advanced Science", "X University in Ifrane"
        first = i
        current = doc[i]
        while first > 0 and i - first < 8 and is_cap(current) and not current.is_sent_start:
            prev = doc[first - 1]
            if prev.norm_ in self.gaz.vocab.never_first:
                break
            if is_cap(prev):
                first -= 1
            elif prev.text in {"&", "-"} and first >= 2 and is_cap(doc[first - 2]):
                first -= 2  # "Fraunhofer-Institut", "Max-Planck-Gesellschaft"
            else:
                break
            current = doc[first]
        v = self.gaz.vocab
        head_norms = [t.norm_ for t in doc[i:j]]
        if head_norms[-1].endswith("s") and head_norms[-1] not in v.suffix_heads and \
                head_norms[-1] not in {"fonds", "caisse"} and len(head_norms) == 1:
            return None  # plural heads start lists, handled by _lists
        sent = self._sent(doc, i)
        tail = self._tail(doc, j, sent.end)
        if tail is None:
            return None
        end, name_tokens, aliases, has_proper = tail
        if not name_tokens or (first < i and name_tokens[0].norm_ not in OF_WORDS and not (
                self.gaz.place(name_tokens[0].text) and is_cap(name_tokens[0]))):
            # a prefix without an "of/for" tail is a suffix head (_suffix_heads), unless a
            # city follows: "Technische Universität München", "Helmholtz-Zentrum Berlin"
            return None
        tail_norms = [t.norm_ for t in name_tokens]
        lower_head = not doc[i].text[:1].isupper()
        if org_type == "ministry":
            if not any(n in v.portfolio_words for n in tail_norms):
                return None
        elif head_norms[0] == "region":
            acts = i >= 3 and doc[i - 3].norm_ in ROLE_WORDS and doc[i - 2].norm_ == "de"
            if (lower_head and not acts) or (i >= 2 and doc[i - 1].norm_ in {"la", "toute"} and
                                             doc[i - 2].norm_ in LOCATIVES) or \
                    doc[i - 1].norm_ in LOCATIVES:
                return None  # "la région Fès-Meknès", "dans la Région X": a place
            place = self.gaz.place(" ".join(t.text for t in name_tokens if t.norm_ not in
                                            {"de", "du", "l'", "d'"}))
            if place is None or place.kind != "region":
                return None
        content_toks = [t for t in name_tokens if t.norm_ not in v.connectors and t.text != ","]
        if content_toks and all(self.gaz.country(t.text) for t in content_toks):
            return None  # "l'Association du Maroc": a head and a country are not a name
        if content_toks and all(self.gaz.generic_owners(t.text) for t in content_toks):
            return None  # "le réseau des FST": the schools of a kind, not one body
        if org_type != "ministry" and not has_proper:
            content = [n for n in tail_norms if n not in v.connectors]
            if lower_head or len(content) < 2 or doc[i].is_sent_start:
                return None
        if head_norms[0] == "reseau" and tail_norms[0] in {"de", "des", "d'"} and len(
            tail_norms
        ) > 1 and tail_norms[1].endswith("s") and tail_norms[1] in v.name_words:
            org_type = "funding_programme"  # "réseau des instituts X": a programme of bodies
        head_text = doc[first:j].text
        tail_text = join_tokens(name_tokens)
        if tail_text.endswith(".") and tail_text[-2:-1].isalnum() and not tail_text.endswith(
                ABBREVIATED):
            tail_text = tail_text[:-1]  # "de l'UM6P.": the tokenizer kept the full stop
        full = f"{head_text} {tail_text}"
        display = full[:1].upper() + full[1:]
        if org_type == "ministry" and head_norms[0] != "ministere" and head_norms[0] != "ministry":
            display = "Ministère " + tail_text
            aliases.add(full)
        proper_run = trailing_proper(name_tokens, v.connectors)
        if lower_head and proper_run and org_type not in {"ministry", "university", "school"} \
                and fold(proper_run) not in v.name_words:  # "le cluster Solaire" keeps its head
            aliases.add(full)
            display = proper_run
        elif proper_run and (org_type == "cluster" or head_norms[0] in {"groupe", "group"}) \
                and fold(proper_run) not in v.name_words:  # not "Solaire" of "Cluster Solaire"
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
            sentence=self._sent_text(doc, i),
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
        gaz_starts, ent_starts = self._gaz_starts, self._ent_starts
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
                if close is None or close == k + 1 or not is_cap(doc[k + 1]):
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
                inside = short_form(doc[k + 1 : close].text) if close else None
                if not close or not inside or not name:
                    break
                aliases.add(inside)
                last_good, good_len = close + 1, len(name)
                k = close + 1
                if not (k + 1 < limit and doc[k].norm_ in {"de", "d'", "du"}
                        and is_cap(doc[k + 1])):
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
                            then.norm_ in v.name_words or is_cap(then)) or not any(
                            x.norm_ in {"l'", "la", "le", "les"} for x in name):
                        break
                elif is_cap(nxt) and len(nxt.text) > 5 and nxt.norm_.endswith(NOUN_ENDINGS) \
                        and not self._match_head(doc, k + 1) and k + 1 not in gaz_starts:
                    pass  # "Cluster Électronique, Mécatronique et Mécanique": common nouns
                elif nxt.norm_ in v.name_words and is_cap(nxt) and not self._match_head(
                        doc, k + 1):
                    pass  # "Ministry of Higher Education, Scientific Research and Innovation"
                elif nxt.norm_ not in {"de", "du", "des", "d'"}:
                    break
                name.append(t)
                k += 1
                continue
            if t.is_lower and n not in {"et", "and"} and len(name) >= 2 and name[-2].norm_ in {
                    "de", "d'"} and self.gaz.place(name[-1].text):
                break  # "Université X de Tétouan chargé de ...": the name ended at the city
            if n in PLACE_PREPOSITIONS and k + 1 < limit and name:
                after = k + 2 if doc[k + 1].norm_ in DETERMINERS and k + 2 < limit else k + 1
                if after in self._place_starts or self.gaz.place(doc[after].text):
                    break  # "KU Leuven in Belgium", "... à Rabat": the place is not the name
            if n in v.connectors or t.text in {"&", "-"}:
                if not name and t.text in {"&", "-"}:
                    break  # "cluster-Etat": a compound word, not a name
                if n in {"et", "and"} and len(name) >= 2 and name[-2].norm_ in {"de", "d'"} \
                        and self.gaz.place(name[-1].text):
                    break  # "... de Casablanca et Images & Réseaux": the name ended
                if n in {"et", "and", "ou"} and k + 1 < limit:
                    after = k + 2 if doc[k + 1].norm_ in DETERMINERS and k + 2 < limit else k + 1
                    if after in gaz_starts or after in self._place_starts or (
                            is_acronym(doc[after].text) and len(
                            doc[after].text) > 2 and (after + 1 >= limit or not is_cap(
                                doc[after + 1]))):
                        break  # "programme PRIMA et Horizon Europe", "... et l'AMEE": another
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
            if len(t.text) > 1 and t.text[-1] in "'’" and k + 1 < limit and doc[k + 1].text == "s":
                break  # "... and Germany's Federal Ministry": a possessive starts a new phrase
            if len(name) >= 2 and name[-2].norm_ in {"de", "d'"} and t.is_lower and \
                    self.gaz.place(name[-1].text):
                break  # "Conseil régional de Fès-Meknès finance ...": the name ended
            if is_cap(t) and n not in v.never_first:
                if self._match_head(doc, k) and name and name[-1].norm_ in {"et", ","}:
                    break
                if name and name[-1].norm_ in {"et", "and"} and k in ent_starts and not any(
                        a < j <= k < b for a, b in self._long_forms):
                    break  # "... des Aéroports et Royal Air Maroc": NER starts a new name
                if key(t.text) not in v.non_organisations or n in v.name_words:
                    has_proper = True  # not "Groupe de PMI", but "Direction de la Santé"
            elif n in v.name_words:
                pass
            elif not name and self.gaz.adjectives.get(n):
                pass  # "la start-up tunisienne Wattnow", "le pôle de compétitivité français"
            elif n in v.particles and k + 1 < limit and is_cap(doc[k + 1]):
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

@Language.factory("matcher_org_rules")
def make_org_rules(nlp: Language, name: str) -> OrgRules:
    return OrgRules(nlp, name)
