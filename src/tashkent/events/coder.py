"""The rule-based English event coder: sentences in, CAMEO events out.

The coder works on surface text with dictionaries (no parser, no downloaded model):

1. split the text into sentences;
2. find actor mentions (countries by name, adjective, capital or government seat; office holders,
   resolved by their dates in office; organisations; militant groups) and attach sectors from
   neighbouring nouns ("Indian troops" → IND MIL);
3. find verb phrases from the verb dictionary; overlapping matches keep the most specific;
4. give each verb phrase a source (the nearest actor before it in its clause, which makes reported
   speech "X said Y would…" belong to Y; passive "was attacked by X" and quoted statements
   '"…," X said' handled) and its targets (the actors after it; "India and Pakistan" gives one event
   per target);
5. apply negation ("has not accepted" → reject) and modality ("would", "any attempt to" → a
   hypothetical material act is not an event; threats are their own codes).

`code_text` is a pure function of (text, dictionaries, date).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache

from tashkent.events.dictionaries import (
    ActorEntry,
    Dictionaries,
    compile_sequence,
    first_words,
    load_dictionaries,
)
from tashkent.events.model import Actor, Event
from tashkent.events.taxonomy import describe

# ---- sentences --------------------------------------------------------------------------------

_ABBREV = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "gen",
    "lt",
    "col",
    "maj",
    "capt",
    "sgt",
    "st",
    "no",
    "vs",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "u.s",
    "u.n",
    "u.k",
    "e.u",
    "inc",
    "corp",
    "govt",
    "prof",
    "sen",
    "rep",
    "gov",
    "j.d",
}
_SPLIT = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘']?[A-Z0-9])")


MAX_SENTENCE = 1000  # characters; longer runs of text are coded in pieces (keeps coding linear)


def _pieces(sentence: str) -> list[str]:
    """A sentence longer than MAX_SENTENCE cut at clause or word boundaries into bounded pieces."""
    out: list[str] = []
    while len(sentence) > MAX_SENTENCE:
        head = sentence[:MAX_SENTENCE]
        cut = max(head.rfind("; "), head.rfind(", "), head.rfind(" "))
        cut = cut + 1 if cut > MAX_SENTENCE // 2 else MAX_SENTENCE
        out.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    if sentence:
        out.append(sentence)
    return out


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences (a blank line always ends a sentence); an over-long run of text
    without a sentence end is cut into pieces of at most MAX_SENTENCE characters."""
    return [piece for s in _split_sentences(text) for piece in _pieces(s)]


def _split_sentences(text: str) -> list[str]:
    out: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        para = " ".join(para.split())
        if not para:
            continue
        start = 0
        for m in _SPLIT.finditer(para):
            head = para[start : m.start()].rstrip("\"”’'")
            last = head.rsplit(" ", 1)[-1].rstrip(".").lower()
            if last in _ABBREV or (len(last) == 1 and last.isalpha()):
                continue
            out.append(para[start : m.start()].strip())
            start = m.end()
        tail = para[start:].strip()
        if tail:
            out.append(tail)
    return out


# ---- compiled dictionaries ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Pattern:
    code: str
    rx: re.Pattern[str]
    lits: int
    passive: bool


@dataclass
class _Compiled:
    dicts: Dictionaries
    actor_rx: re.Pattern[str]
    sector_rx: re.Pattern[str]
    by_prefix: dict[str, list[_Pattern]]


@cache
def _compile(dicts: Dictionaries) -> _Compiled:
    forms = sorted(dicts.surface, key=len, reverse=True)
    actor_rx = re.compile(r"(?<![\w\-])(?:" + "|".join(re.escape(f) for f in forms) + r")(?![\w\-])")
    nouns = sorted(dicts.sectors, key=len, reverse=True)
    sector_rx = re.compile(
        r"(?<![\w\-])(?:" + "|".join(re.escape(n) for n in nouns) + r")(?![\w\-])", re.IGNORECASE
    )
    by_prefix: dict[str, list[_Pattern]] = defaultdict(list)
    for code, pat, passive in dicts.verbs:
        body, lits = compile_sequence(pat.lower())
        p = _Pattern(code, re.compile(r"(?<![\w\-])" + body), lits, passive)
        for w in first_words(pat.lower()):
            by_prefix[w[:3]].append(p)
    return _Compiled(dicts, actor_rx, sector_rx, dict(by_prefix))


# ---- mentions ---------------------------------------------------------------------------------


@dataclass
class Mention:
    start: int
    end: int
    code: str
    sector: str
    name: str
    kind: str
    locative: bool = False

    def actor(self) -> Actor | None:
        if not self.code:
            return None
        return Actor(self.code, self.sector, self.name)


_TITLE_GAP = re.compile(r"^(?:\s*(?:'s|’s|the|of|[A-Z][\w\.\-]*|\(|\)|,))*\s*$")
_LOCATIVE = re.compile(r"\b(?:in|at|near|outside|inside|via)\s+(?:the\s+)?$")
_PREP_BEFORE = re.compile(
    r"(?:\b(?:of|in|from|with|to|against|at|on|by|between|for|over|into|"
    r"near|across|about|toward|towards|among|than|under|like|via|inside|"
    r"along)\s+(?:the\s+)?)$",
    re.IGNORECASE,
)


def find_mentions(sentence: str, comp: _Compiled, when: date | None) -> list[Mention]:
    """Actor mentions of a sentence, with sectors attached and titles merged into one mention."""
    raw: list[Mention] = []
    for m in comp.actor_rx.finditer(sentence):
        entry: ActorEntry = comp.dicts.surface[m.group(0)]
        code, sector = entry.resolve(when)
        # "talks in Tashkent": a place, not an actor (but the target of a visit or an offer)
        locative = entry.kind == "capital" and bool(
            _LOCATIVE.search(sentence[max(0, m.start() - 12) : m.start()])
        )
        raw.append(Mention(m.start(), m.end(), code, sector, entry.name, entry.kind, locative))
    nouns = [
        (m.start(), m.end(), comp.dicts.sectors[m.group(0).lower()])
        for m in comp.sector_rx.finditer(sentence)
    ]
    # attach a sector noun that follows a country mention closely ("Indian troops",
    # "Pakistan's Foreign Office", "the Indian Army")
    used: set[int] = set()
    for men in raw:
        if men.kind not in ("country", "adjective", "capital", "org"):
            continue
        for i, (s, e, sec) in enumerate(nouns):
            if (
                s >= men.end
                and s - men.end <= 30
                and _TITLE_GAP.match(sentence[men.end : s])
                and (not any(o.start >= men.end and o.start < s for o in raw))
            ):
                men.sector = sec if men.kind != "org" or not men.sector else men.sector
                men.end = max(men.end, e)
                used.add(i)
                break
    # merge title chains: "Russian Foreign Minister Sergei Lavrov" → one mention (the person)
    merged: list[Mention] = []
    for men in sorted(raw, key=lambda x: x.start):
        if merged:
            prev = merged[-1]
            gap = sentence[prev.end : men.start]
            if (
                men.start >= prev.end
                and len(gap) <= 40
                and _TITLE_GAP.match(gap)
                and "," not in gap
                and (men.kind == "person" or prev.kind == "person")
                and prev.code == men.code
            ):
                keep = men if men.kind == "person" else prev
                merged[-1] = Mention(
                    prev.start, max(prev.end, men.end), keep.code, keep.sector, keep.name, keep.kind
                )
                continue
            if men.start < prev.end:
                continue
        merged.append(men)
    # bare sector nouns ("militants", "the government") are actors with no code
    for i, (s, e, sec) in enumerate(nouns):
        if i in used or any(m.start <= s < m.end for m in merged):
            continue
        if any(0 <= s - m.end <= 25 and _TITLE_GAP.match(sentence[m.end : s]) for m in merged):
            continue
        merged.append(Mention(s, e, "", sec, sentence[s:e], "sector"))
    merged.sort(key=lambda x: x.start)
    return merged


# ---- verb phrases -----------------------------------------------------------------------------


@dataclass
class _VMatch:
    code: str
    start: int
    end: int
    lits: int
    passive: bool


_WORD = re.compile(r"[\w\-']+")


def find_verbs(low: str, comp: _Compiled) -> list[_VMatch]:
    found: list[_VMatch] = []
    seen: set[tuple[str, int, int]] = set()
    for w in _WORD.finditer(low):
        word = w.group(0)
        for key in {word[:3], word[:2], word[:1]}:
            for p in comp.by_prefix.get(key, ()):
                m = p.rx.match(low, w.start())
                if m is None or (p.code, m.start(), m.end()) in seen:
                    continue
                seen.add((p.code, m.start(), m.end()))
                found.append(_VMatch(p.code, m.start(), m.end(), p.lits, p.passive))
    # a noun phrase naming an event told elsewhere is not an event ("the April 22 attack")
    found = [v for v in found if not _nominal(low, v)]
    # most specific first: more literal words, a finer code, a tighter span
    found.sort(
        key=lambda v: (
            -(v.lits - (v.code in _GENERIC)),
            v.code in _GENERIC,
            not v.code.startswith("08"),  # "eased restrictions on movement": the lifting wins
            -len(v.code),
            -(v.end - v.start),
            v.start,
        )
    )
    chosen: list[_VMatch] = []
    for v in found:
        if any(v.start < c.end and c.start < v.end for c in chosen):
            continue
        chosen.append(v)
    chosen.sort(key=lambda v: v.start)
    # "agreed to | supply jets": the generic intent phrase gives way to the act it introduces
    return [
        v
        for i, v in enumerate(chosen)
        if not (v.code == "030" and i + 1 < len(chosen) and chosen[i + 1].start - v.end <= 2)
    ]


# ---- assembling events ------------------------------------------------------------------------

_NEG = re.compile(
    r"\b(?:not|n't|never|no|neither|nor|without|refus\w*\s+to|declin\w*\s+to|"
    r"fail\w*\s+to|unwilling\s+to|ruled\s+out|rule\s+out)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
_HYPO = re.compile(
    r"\b(?:if|would|could|might|may|any\s+attempt\s+to|attempts?\s+to|"
    r"threat\w*\s+to|ready\s+to|willing\s+to|prepared\s+to|plans?\s+to|"
    r"considering|consider\w*|whether|will)\s+(?:\w+\s+){0,3}$",
    re.IGNORECASE,
)
_PASSIVE = re.compile(r"\b(?:was|were|been|being|is|are|be|got|get)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_CLAUSE = re.compile(
    r";|\bbut\b|\bwhile\b|\bwhereas\b|\bafter\b|\bbefore\b|,\s*as\b|\bwhen\b|"
    r"\bwhich\b|\bwho\b|\bbecause\b|\bsince\b|\balthough\b|\bfollowing\b|"
    r"\bamid\b",
    re.IGNORECASE,
)
_SPEECH_AFTER = re.compile(
    r"^[\s,\"”’']*(?:said|says|told|added|stated|declared|announced|"
    r"wrote|posted|tweeted|noted|insisted)\b",
    re.IGNORECASE,
)
_SPEECH_BEFORE = re.compile(r"\b(?:said|says|according\s+to)\s*$", re.IGNORECASE)
_JOIN = re.compile(r"^\s*(?:,|and|&|,\s*and|or)\s*(?:the\s+)?$", re.IGNORECASE)

_NEGATE = {
    "038": "126",
    "039": "126",
    "045": "126",
    "036": "125",
    "046": "125",
    "040": "125",
    "041": "125",
    "042": "125",
    "043": "125",
    "044": "125",
    "057": "127",
    "037": "127",
    "0356": "1246",
    "087": "1246",
    "0871": "1246",
    "084": "1243",
    "0841": "1243",
    "085": "1244",
    "081": "1241",
    "051": "110",
    "052": "110",
    "030": "120",
    "032": "120",
    "033": "122",
    "070": "122",
    "071": "122",
    "072": "1212",
    "073": "122",
    "060": "120",
    "061": "1211",
    "062": "1212",
    "075": "120",
    "086": "1245",
    "0861": "1245",
    "035": "124",
    "080": "124",
    "083": "124",
}

_INTENT = re.compile(
    r"\b(?:agreed|agrees|agree|offered|offers|offer|pledged|pledges|pledge|promised|"
    r"promises|promise|vowed|vows|vow|ready|willing|prepared|plans?|planning|"
    r"intends?|intending|expected|will|would|shall|wants?|hopes?|seeks?|sought|"
    r"proposed|proposes|propose|considering|mulling|set|aims?)\s+"
    r"(?:to\s+)?(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
_INTENT_COOP = {
    "04": "036",
    "05": "032",
    "080": "035",
    "06": "031",
    "061": "031",
    "062": "0312",
    "063": "032",
    "064": "032",
    "07": "033",
    "074": "0334",
    "072": "0312",
    "071": "031",
    "08": "035",
    "087": "0356",
    "0871": "0356",
    "0872": "0356",
    "086": "0355",
    "0861": "0355",
    "075": "033",
}
_INTENT_CONFLICT = {"15": "138", "16": "1313", "17": "132", "18": "138", "19": "138", "20": "138"}

_REPORTING = {"010"}
_COORDINATED = re.compile(r"(?:,\s*|\s)and\s+(?:then\s+|also\s+)?$")
_SYMMETRIC = {
    "036",
    "037",
    "040",
    "041",
    "044",
    "046",
    "057",
    "060",
    "061",
    "062",
    "063",
    "064",
    "0356",
    "087",
    "0871",
    "0872",
    "0841",
    "190",
    "193",
    "194",
    "196",
}
_CLAIMED = re.compile(
    r"\bclaim\w*\s+(?:that\s+)?(?:it|they|he|she|we|its\s+\w+)\s+(?:had\s+|have\s+|has\s+)?$"
)
_LOCATIVE_TARGET = {"042", "039", "036"}
_PRONOUN = re.compile(r"\b(?:it|they|he|she|we)\b")
_GENERIC = {"010", "020", "030", "060", "090", "100", "110", "120", "130", "170"}
_ADJECTIVAL = {
    "prepared",
    "determined",
    "committed",
    "concerned",
    "interested",
    "opposed",
    "expected",
    "pleased",
    "disappointed",
    "worried",
    "alarmed",
    "engaged",
    "involved",
    "united",
    "divided",
    "ready",
    "open",
    "keen",
    "eager",
    "inclined",
    "dedicated",
    "poised",
    "resolved",
    "set",
}
_IRREGULAR = {
    "shot",
    "hit",
    "held",
    "struck",
    "brought",
    "made",
    "put",
    "cut",
    "built",
    "sent",
    "told",
    "met",
    "led",
    "fought",
    "caught",
    "seized",
    "slain",
    "set",
    "let",
    "freed",
}


@dataclass
class _Draft:
    v: _VMatch
    code: str
    sources: list[Mention]
    targets: list[Mention]
    modality: str
    confidence: float


def _compound(ms: list[Mention], i: int, sentence: str, forward: bool) -> list[Mention]:
    out = [ms[i]]
    j = i
    while True:
        k = j + 1 if forward else j - 1
        if not 0 <= k < len(ms):
            break
        a, b = (ms[j], ms[k]) if forward else (ms[k], ms[j])
        if not _JOIN.match(sentence[a.end : b.start]):
            break
        out.append(ms[k])
        j = k
    return sorted(out, key=lambda m: m.start)


def _clause_start(sentence: str, pos: int) -> int:
    start = 0
    for m in _CLAUSE.finditer(sentence, 0, pos):
        start = m.end()
    return start


def code_sentence(
    sentence: str,
    doc: str = "1",
    index: int = 1,
    when: date | None = None,
    dicts: Dictionaries | None = None,
) -> list[Event]:
    """All events of one sentence, in text order."""
    comp = _compile(dicts or load_dictionaries())
    low = sentence.lower().replace("’", "'").replace("‘", "'")
    mentions = find_mentions(sentence, comp, when)
    verbs = find_verbs(low, comp)
    if len(verbs) > 1:  # "said" is subordinate to the events it reports
        verbs = [v for v in verbs if v.code not in _REPORTING] or verbs
        if any(v.code[:2] == "13" for v in verbs):  # "warned that … act of war": a threat
            verbs = [v for v in verbs if v.code != "012"]
    drafts: list[_Draft] = []
    used_targets: set[int] = set()
    for vi, v in enumerate(verbs):
        before = low[max(0, v.start - 40) : v.start]
        code = v.code
        modality = ""
        conf = 0.9
        if code[:2] in ("18", "19", "20") and _CLAIMED.search(before):
            code, modality = "015", "claimed"  # "X claimed that they had attacked …"
        negated = bool(_NEG.search(before)) and not code.startswith(("12", "16"))
        if negated:
            if code in _NEGATE:
                code = _NEGATE[code]
                modality = "negated"
            elif code[:2] in ("03", "04", "05", "06", "07", "08"):
                code, modality = "120", "negated"
            else:
                continue  # "did not attack": no event
        elif (
            _INTENT.search(before)
            and code[:2] in ("04", "05", "06", "07", "08")
            and (code not in ("0874", "057"))
        ):
            code, modality = _INTENT_COOP.get(code, _INTENT_COOP.get(code[:2], "030")), "intent"
        elif (
            _INTENT.search(before)
            and code[:2] in ("15", "16", "17", "18", "19", "20")
            and (not any(u.code[:2] == "13" for u in verbs))
        ):
            code, modality = _INTENT_CONFLICT.get(code[:2], "130"), "intent"
        elif _HYPO.search(before) and code[:2] in ("14", "15", "16", "17", "18", "19", "20"):
            if not any(u.code[:2] == "13" for u in verbs):
                modality, conf = "hypothetical", 0.4
            else:
                continue
        # passive voice: "X was attacked by Y"
        head = _WORD.match(low, v.start)
        participle = bool(
            head
            and (head.group(0).endswith(("ed", "en", "wn")) or head.group(0) in _IRREGULAR)
            and head.group(0) not in _ADJECTIVAL
        )
        passive = v.passive or (participle and bool(_PASSIVE.search(low[max(0, v.start - 25) : v.start])))
        if passive and code[:2] == "01":
            continue  # "would be considered": not a statement event
        nxt = verbs[vi + 1].start if vi + 1 < len(verbs) else len(sentence)
        next_clause = _CLAUSE.search(sentence, v.end)
        if next_clause:  # "closed the border after clashes between X and Y": X, Y are not targets
            nxt = min(nxt, next_clause.start())
        clause0 = _clause_start(sentence, v.start)
        pre = [
            i
            for i, m in enumerate(mentions)
            if m.start < v.start
            and m.end <= v.end
            and m.start >= clause0
            and not m.locative
            and id(m) not in used_targets
        ]
        pre = [
            i
            for i in pre
            if not _PREP_BEFORE.search(sentence[max(0, mentions[i].start - 25) : mentions[i].start])
        ] or pre
        post = [
            i
            for i, m in enumerate(mentions)
            if m.start >= v.start
            and m.start < nxt
            and i not in pre
            and (not m.locative or code[:3] in _LOCATIVE_TARGET)
        ]
        # drop a speaker in '…, X said' from the targets; use it as source when none precedes
        speaker = [
            i
            for i in post
            if _SPEECH_AFTER.match(sentence[mentions[i].end :])
            or _SPEECH_BEFORE.search(sentence[: mentions[i].start])
        ]
        post = [i for i in post if i not in speaker]
        sources: list[Mention] = []
        targets: list[Mention] = []
        if passive:
            by = re.search(r"\bby\b", low[v.start : nxt])
            by_i = [i for i in post if by and mentions[i].start >= v.start + by.start()]
            if by_i:
                sources = _compound(mentions, by_i[0], sentence, True)
            if pre:
                targets = _compound(mentions, pre[-1], sentence, False)
        else:
            if drafts and drafts[-1].sources and _COORDINATED.search(low, 0, v.start):
                # "accused Pakistan of violating Afghan airspace and warned …": same subject
                sources = drafts[-1].sources
            elif pre:
                sources = _compound(mentions, pre[-1], sentence, False)
            elif speaker:
                sources = [mentions[speaker[0]]]
            elif drafts and drafts[-1].sources and not _CLAUSE.search(sentence, drafts[-1].v.end, v.start):
                sources = drafts[-1].sources
            elif _PRONOUN.search(low, clause0, v.start):
                # "…, but said it did not need a mediator": the pronoun is the sentence's subject
                first = [m for m in mentions if m.start < clause0 and not m.locative and m.code]
                if first:
                    sources = [first[0]]
            if post:
                coded = [i for i in post if mentions[i].code]
                targets = _compound(mentions, (coded or post)[0], sentence, True)
        for t in targets:
            used_targets.add(id(t))
        if not sources or not any(s.code for s in sources):
            conf -= 0.2
        drafts.append(_Draft(v, code, sources, targets, modality, conf))
    merged: list[_Draft] = []
    for d in drafts:  # one event per (code, source): "spoke with X by telephone"
        twin = next(
            (
                m
                for m in merged
                if m.code == d.code and [s.code for s in m.sources] == [s.code for s in d.sources]
            ),
            None,
        )
        if twin is None:
            merged.append(d)
        elif not twin.targets and d.targets:
            twin.targets = d.targets
    return list(_events(merged, sentence, doc, index, when))


_NOMINAL = {
    "attack",
    "attacks",
    "offensive",
    "clash",
    "clashes",
    "fighting",
    "assault",
    "bombing",
    "blast",
    "explosion",
    "strike",
    "strikes",
    "raid",
    "shelling",
    "invasion",
    "hostilities",
    "ambush",
    "airstrike",
    "airstrikes",
    "crackdown",
    "siege",
    "massacre",
    "protest",
    "protests",
    "sanctions",
    "boycott",
    "talks",
    "abeyance",
    "curfew",
    "blockade",
    "occupation",
    "expulsion",
    "mediation",
    "investigation",
    "negotiations",
}
_NOMINAL_HEADS = _NOMINAL | {
    "killing",
    "killings",
    "fight",
    "terrorist",
    "terror",
    "retaliatory",
    "firing",
    "bombings",
    "shootings",
    "arrests",
    "accusations",
    "accusation",
    "allegations",
    "allegation",
    "charges",
}
_DETERMINER = re.compile(
    r"(?:\b(?:the|this|that|these|those|its|their|his|her|our|any|all|such|last|previous|"
    r"earlier|recent|since|after|before|over)|\S+'s)\s+(?:\S+\s+){0,3}$"
)


def _nominal(low: str, v: _VMatch) -> bool:
    """A noun phrase after a determiner or possessive ("the April 22 attack", "India's military
    strikes", "the killing of civilians") names an event told elsewhere, not a new one."""
    text = low[v.start : v.end]
    first = text.split(" ", 1)[0]
    if text not in _NOMINAL and first not in _NOMINAL_HEADS:
        return False
    return bool(_DETERMINER.search(low[max(0, v.start - 40) : v.start]))


def _events(drafts: list[_Draft], sentence: str, doc: str, index: int, when: date | None) -> Iterator[Event]:
    for d in drafts:
        info = describe(d.code)
        srcs: list[Mention | None] = [s for s in d.sources if s.code] or [None]
        tgts: list[Mention | None] = [t for t in d.targets if t.code] or [None]
        pairs: list[tuple[Mention | None, Mention | None]] = []
        if tgts == [None] and len(srcs) > 1 and (d.code in _SYMMETRIC or d.code[:2] in ("03", "06")):
            # "India and Pakistan held talks": one event each way
            pairs = [(a, b) for a in srcs for b in srcs if a is not b and a and b and a.code != b.code]
        if not pairs:
            pairs = [(s, t) for s in srcs for t in tgts]
        seen: set[tuple[str, str]] = set()
        for s, t in pairs:
            if s is not None and t is not None and s.code == t.code and s.sector == t.sector:
                t = None
            key = (s.code if s else "", t.code if t else "")
            if key in seen:
                continue
            seen.add(key)
            yield Event(
                doc=doc,
                sentence=index,
                date=when,
                source=s.actor() if s else None,
                target=t.actor() if t else None,
                cameo=d.code,
                root=info.root,
                goldstein=info.goldstein,
                quad=info.quad,
                penta=info.penta,
                plover=info.plover,
                plover_mode=info.plover_mode,
                text=sentence,
                span=sentence[d.v.start : d.v.end],
                confidence=round(d.confidence, 2),
                modality=d.modality,
            )


def code_text(
    text: str, doc: str = "1", when: date | None = None, dicts: Dictionaries | None = None
) -> list[Event]:
    """All events of a document; sentences are numbered from 1."""
    out: list[Event] = []
    for i, s in enumerate(split_sentences(text), start=1):
        out.extend(code_sentence(s, doc=doc, index=i, when=when, dicts=dicts))
    return out


def primary_event(events: list[Event]) -> Event | None:
    """The sentence's main event for sentence-level scoring: the first that is not a bare
    statement, else the first."""
    for e in events:
        if e.cameo not in _REPORTING:
            return e
    return events[0] if events else None
