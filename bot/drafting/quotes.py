"""Direct quotations and who said them.

Find the quoted spans, join a quote split around "he said", tell quotes from scare quotes and
quoted names, and attribute each to its speaker.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from bot.drafting.speakers import Mention, Person, Registry, display_role, find_mentions

_QUOTE = re.compile(
    r"“(?P<a>[^“”]{1,4000})”"
    r'|"(?P<b>[^"\n]{1,4000})"'
    r"|(?<![\w])‘(?P<c>(?=\S)[^‘]{0,4000}?(?<=\S))’(?![\w])"
    r"|«\s?(?P<d>[^«»\"]{1,4000}?)\s?[»\"”]"
    r"|„(?P<e>[^„“”]{1,4000})[“”]"
)
_SPLIT = re.compile(r"[.!?…][\"”’»)]*\s+(?=[\"“‘«„(]|[A-Z0-9À-Þ])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Prof|Jr|Sr|No|vs|Capt|Maj|Adm|Rev)"
    r"|\b[A-Z]|(?:\b[A-Z]\.)+[A-Z])\.?[\"”’»)]*\s*$"
)
_SPEECH = re.compile(
    r"\b(?:as saying|according to|in a statement|said|says|say|saying|stated|states|stating"
    r"|added|adds|adding|continued|continues|told|tell|tells|telling|warned|warns|warning"
    r"|stressed|stresses|stressing|urged|urges|urging|called on|calls on|calling on|called for"
    r"|calls for|calling for|calling it|called it|calling them|called them|described|describes"
    r"|describing|declared|declares|announced|announces|insisted|insists|noted|notes|noting"
    r"|argued|argues|arguing|explained|explains|wrote|writes|writing|posted|tweeted|asked|asks"
    r"|asserted|asserts|asserting|claimed|claims|acknowledged|admitted|emphasi[sz]ed"
    r"|emphasi[sz]es|emphasi[sz]ing|indicated|indicates|pledged|vowed|promised|replied"
    r"|responded|answered|commented|remarked|reiterated|demanded|accused|critici[sz]ed"
    r"|critici[sz]es|praised|hailed|dismissed|denounced|condemned|welcomed|suggested"
    r"|predicted|cautioned|conceded|recalled|revealed|denied|mentioned|quipped|shouted"
    r"|repeated|concluded|agreed|believes|thinks|maintained|maintains|affirmed|assured)\b",
    re.I,
)
_GAP_BEFORE = re.compile(
    r"^[\s,]*(?:(?:also|has|have|had|was|were|is|are|would|will|could|can|may|might|should"
    r"|later|then|previously|earlier|again|further|once|reportedly|recently|not|never|been|be"
    r"|being|expected|set|due|going|to|on|last|this|repeatedly|publicly|separately|sharply"
    r"|strongly|quickly|himself|herself|itself|firmly|openly|only|just|already|even|in|turn"
    r"|night|morning|evening|afternoon|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday|today|yesterday)\b[\s,]*){0,6}$",
    re.I,
)
_GAP_AFTER = re.compile(r"^\s*(?:the\s+|by\s+|to\s+|a\s+|an\s+)?$", re.I)
_QUOTED = re.compile(r"\bquoted\b", re.I)
_APPOSITION_GAP = re.compile(r"^\s*,[^“”\"«»]{2,160}?,?\s*(?:also\s+|later\s+)?$")
_SPOKESPEOPLE = frozenset(["spokesperson", "spokesman", "spokeswoman", "statement", "office"])
_GENERIC_ROLES = frozenset(
    [
        "official",
        "minister",
        "diplomat",
        "president",
        "leader",
        "envoy",
        "negotiator",
        "chief",
        "head",
        "ambassador",
        "premier",
        "chancellor",
        "secretary",
        "foreign",
    ]
)
# Words that make a short quoted phrase a name or label: his "peace formula", so-called "deal".
_LABEL_BEFORE = re.compile(
    r"\b(?:his|her|its|their|so-called|dubbed|termed|labell?ed|nicknamed|titled|known as"
    r"|the word|the term|the phrase)\s*[“\"«‘„]?\s*$",
    re.I,
)
_OPEN = '“"«„‘'
_GAP_ACCORDING = re.compile(
    r"^\s*(?:(?:a|an|the)\s+)?(?:(?:\w+\s+){0,2}?(?:statement|spokesperson|spokesman|spokeswoman"
    r"|source|sources|official|officials|report|readout|post|communiqué|press release)\s+"
    r"(?:from|of|for|by|at|in)\s+)?(?:the\s+)?$",
    re.I,
)
_SAY = (
    r"(?:said|says|added|adds|continued|continues|stated|told|explained|noted|insisted|argued"
    r"|wrote|warned|asked|stressed|went on)"
)
_ACTOR = (
    r"(?:he|she|they|it|we|I|the\s+[\w’'-]+(?:\s+[\w’'-]+){0,4}?"
    r"|(?:[A-Z]|(?:al|el|bin|ibn|abu|van|von|de)-[A-Z])[\w’'.-]*"
    r"(?:\s+(?:[A-Z]|(?:al|el|bin|ibn|abu|van|von|de)-[A-Z])[\w’'.-]*){0,3})"
)
_JOIN_GAP = re.compile(
    rf"^[\s,]*(?:{_ACTOR}\s+{_SAY}|{_SAY}\s+{_ACTOR})(?:\s+(?:on|in|at)\s+\w+)?\s*[,:;]?\s*$"
)
_SUBORDINATE = re.compile(
    r"^(?:since|after|before|when|while|as|although|though|if|regarding|alongside|despite"
    r"|following|unlike|in contrast|on|in|at|during|last|earlier|later|meanwhile|however)\b[^,]*,",
    re.I,
)
_NAME_LIKE_PRONOUNS = frozenset(
    ["i", "we", "our", "it", "this", "that", "they", "you", "there", "he", "she", "my", "no", "yes"]
)
_WORDS = re.compile(r"\w+")


@dataclass
class Sentence:
    """One sentence of the body, with its quoted spans masked out for finding names."""

    text: str
    outside: str
    quotes: list[tuple[int, int]]  # spans of the quoted words, inside the marks
    paragraph: int
    open_end: bool = False  # the last quotation runs on past the paragraph's end
    subject: Person | None = None  # who "he" or "she" meant as the sentence began


@dataclass
class FoundQuote:
    """A quotation with its attribution and, when inferred, what an editor should check."""

    text: str
    speaker: str
    role: str | None
    context: str | None
    review: str | None
    sentence: int
    attributed: bool = True
    open_end: bool = False  # may continue in the next sentence (split or running on)


def split_sentences(paragraphs: list[str]) -> list[Sentence]:
    """Sentences of the body, never split inside a quotation."""
    sentences: list[Sentence] = []
    for number, paragraph in enumerate(paragraphs):
        spans = [(m.start(), m.end()) for m in _QUOTE.finditer(paragraph)]
        open_end = False
        after = spans[-1][1] if spans else 0
        opener = paragraph.find("“", after)
        if opener < 0 and paragraph.count('"') % 2 == 1:
            straight = paragraph.rfind('"')
            if straight >= after and (straight == 0 or paragraph[straight - 1].isspace()):
                opener = straight  # a straight quotation mark left open
        if opener >= 0 and "”" not in paragraph[opener:] and len(paragraph) - opener > 3:
            spans.append((opener, len(paragraph) + 1))  # runs on into the next paragraph
            open_end = True
        masked = list(paragraph)
        for start, end in spans:
            inner_end = min(end, len(paragraph) + 1) - 1
            last = paragraph[inner_end - 1] if inner_end - 1 > start else ""
            for k in range(start + 1, min(inner_end, len(paragraph))):
                masked[k] = "q"
            if last in ".!?…" and inner_end - 1 < len(paragraph):
                masked[inner_end - 1] = last
        masked_text = "".join(masked)
        cuts = [0]
        for match in _SPLIT.finditer(masked_text):
            if _ABBREVIATION.search(masked_text[cuts[-1] : match.start() + 1]):
                continue
            cuts.append(match.end())
        cuts.append(len(paragraph))
        for a, b in itertools.pairwise(cuts):
            text = paragraph[a:b].rstrip()
            if not text.strip():
                continue
            end_of = a + len(text)
            quotes = [
                (s - a + 1, min(e - a - 1, len(text)))
                for s, e in spans
                if a <= s and min(e, len(paragraph)) <= end_of + 1 and e - s > 2
            ]
            outside = "".join(
                " " if any(s - 1 <= k <= e for s, e in quotes) and ch not in _OPEN else ch
                for k, ch in enumerate(masked_text[a:end_of])
            )
            runs_on = open_end and b == len(paragraph)
            sentences.append(Sentence(text, outside, quotes, number, runs_on))
    return sentences


def _subject(mentions: list[Mention], outside: str) -> Mention | None:
    skip = _SUBORDINATE.match(outside)
    offset = skip.end() if skip else 0
    for mention in mentions:
        if mention.start >= offset:
            return mention
    return mentions[0] if mentions else None


def _speaker_from_verbs(mentions: list[Mention], outside: str) -> Mention | None:
    for quoted in _QUOTED.finditer(outside):
        after = [m for m in mentions if m.start >= quoted.end()]
        if after and _GAP_AFTER.match(outside[quoted.end() : after[0].start]):
            return after[0]
    for verb in _SPEECH.finditer(outside):
        phrase = verb.group().lower()
        if phrase in ("according to", "in a statement"):
            for mention in mentions:
                if mention.start >= verb.end() and _GAP_ACCORDING.match(
                    outside[verb.end() : mention.start]
                ):
                    return mention
            continue
        before = [m for m in mentions if m.end <= verb.start()]
        if before:
            nearest = before[-1]
            gap = outside[nearest.end : verb.start()]
            if nearest.kind != "person" or not _GAP_BEFORE.match(gap):
                for candidate in reversed(before[-4:]):
                    apposition = _APPOSITION_GAP.match(outside[candidate.end : verb.start()])
                    if candidate.kind == "person" and apposition:
                        return candidate
            if _GAP_BEFORE.match(gap):
                return nearest
        after = [m for m in mentions if m.start >= verb.end()]
        if after and _GAP_AFTER.match(outside[verb.end() : after[0].start]):
            return after[0]
        if phrase.endswith("ing") and outside[: verb.start()].rstrip().endswith(","):
            subject = _subject(mentions, outside)
            if subject:
                return subject
    return None


def _is_quote(words: str, has_verb: bool) -> bool:
    count = len(_WORDS.findall(words))
    if count == 0:
        return False
    if words.rstrip("”’\"' ")[-1:] in ("!", "?") or (count >= 2 and words.rstrip()[-1:] in ".,"):
        return True  # a sentence, not a label
    if count <= 3:
        first = words.split()[0].strip("[(") if words.split() else ""
        if first[:1].isupper() and first.lower().strip(".,") not in _NAME_LIKE_PRONOUNS:
            return False  # a quoted name or title: "Normandy format", “Truce”
        return has_verb
    if count <= 6 and not has_verb:
        # A title-cased phrase is a name ("Behind-the-Scenes Agreements"), not speech.
        capitals = [w for w in words.split() if len(w) > 3]
        if capitals and all(w[:1].isupper() for w in capitals):
            return False
    return True


def _normal(text: str) -> str:
    return " ".join(w.lower() for w in _WORDS.findall(text))


def _only_quote(sentence: Sentence) -> bool:
    return bool(sentence.quotes) and not _WORDS.search(sentence.outside)


def _tail_is_attribution(sentence: Sentence) -> bool:
    if not sentence.quotes or _WORDS.search(sentence.outside[: sentence.quotes[0][0]]):
        return False
    tail = sentence.outside[sentence.quotes[-1][1] + 1 :].strip(' .”"')
    return bool(_JOIN_GAP.match(tail) or (_QUOTED.search(tail) and len(tail.split()) <= 8))


def find_quotes(sentences: list[Sentence], registry: Registry) -> list[FoundQuote]:
    """Every direct quotation in the sentences, in order, attributed where the article says."""
    found: list[FoundQuote] = []
    previous: FoundQuote | None = None
    for index, sentence in enumerate(sentences):
        sentence.subject = registry.last_subject
        mentions = find_mentions(sentence.outside, registry)
        outside = sentence.outside
        has_verb = bool(_SPEECH.search(outside) or _QUOTED.search(outside))
        spans = _join_split(sentence)
        if (
            previous is not None
            and previous.open_end
            and previous.sentence == index - 1
            and spans
            and not _WORDS.search(outside[: sentence.quotes[0][0]])
        ):
            # The quotation goes on: after "…,” he said." or across a paragraph break.
            previous.text = f"{previous.text} {spans[0][0].rstrip(',;: ')}"
            previous.sentence = index
            previous.open_end = sentence.open_end or (
                len(spans) == 1 and _tail_is_attribution(sentence)
            )
            spans = spans[1:]
            late = _speaker_from_verbs(mentions, outside) if not previous.attributed else None
            if late is not None:
                # The attribution comes only after the quotation's last part.
                again = _attribute(previous.text, sentence, late, None, None, index, registry)
                previous.speaker, previous.role, previous.review = (
                    again.speaker,
                    again.role,
                    again.review,
                )
                previous.attributed = True
                previous.context = previous.context or again.context
            if not spans:
                _update_subject(registry, late, _subject(mentions, outside), mentions)
                continue
        speaker_mention = _speaker_from_verbs(mentions, outside) if spans else None
        subject = _subject(mentions, outside)
        kept = [
            s
            for s in spans
            if _is_quote(s[0], has_verb)
            and not (len(_WORDS.findall(s[0])) <= 3 and _LABEL_BEFORE.search(outside[: s[1][0]]))
        ]
        for number, (text, _) in enumerate(kept):
            text = text.rstrip(",;: ")
            quote = _attribute(text, sentence, speaker_mention, subject, previous, index, registry)
            quote.attributed = has_verb
            last = number == len(kept) - 1
            quote.open_end = last and (sentence.open_end or _tail_is_attribution(sentence))
            found.append(quote)
            previous = quote
        _update_subject(registry, speaker_mention if kept else None, subject, mentions)
    return _dedupe(found)


def _join_split(sentence: Sentence) -> list[tuple[str, tuple[int, int]]]:
    out: list[tuple[str, tuple[int, int]]] = []
    for start, end in sentence.quotes:
        text = sentence.text[start:end].strip()
        if out:
            prev_text, (prev_start, prev_end) = out[-1]
            gap = sentence.outside[prev_end + 1 : start - 1]
            if (prev_text.endswith(",") or text[:1].islower()) and _JOIN_GAP.match(gap):
                out[-1] = (f"{prev_text.rstrip(',')} {text}", (prev_start, end))
                continue
        out.append((text, (start, end)))
    return out


def _attribute(
    text: str,
    sentence: Sentence,
    mention: Mention | None,
    subject: Mention | None,
    previous: FoundQuote | None,
    index: int,
    registry: Registry,
) -> FoundQuote:
    context = _context(sentence)
    review: str | None = None
    chosen = mention
    if chosen is None and subject is not None and subject.kind != "pronoun":
        chosen = subject
        review = "speaker taken from the sentence's subject; no speech verb names them"
    elif chosen is None and subject is not None:
        chosen = subject
        review = f'speaker resolved from "{subject.text}"; no speech verb names them'
    if chosen is not None:
        person = chosen.person
        if person is not None:
            if person.anonymous:
                review = "the article does not name this speaker; check"
                return FoundQuote(text, person.name, None, context, review, index)
            if chosen.kind in ("pronoun", "role") and review is None:
                review = f'speaker resolved from "{chosen.text}"'
            return FoundQuote(text, person.name, display_role(person), context, review, index)
        if chosen.kind in ("institution", "country"):
            return FoundQuote(text, chosen.text, None, context, review, index)
        if chosen.kind == "role":
            return _unnamed_role(text, chosen.text, context, index, registry)
    if previous is not None and index - previous.sentence <= 2:
        note = "speaker carried over from the previous quote; check"
        return FoundQuote(text, previous.speaker, previous.role, context, note, index)
    if registry.last_subject is not None:
        person = registry.last_subject
        note = "speaker not named near the quote; the article's current subject assumed"
        return FoundQuote(text, person.name, display_role(person), context, note, index)
    return FoundQuote(text, "Unknown", None, context, "speaker not found; who said this?", index)


def _unnamed_role(
    text: str, role: str, context: str | None, index: int, registry: Registry
) -> FoundQuote:
    """A quote from "the spokesperson" or "the official": who the article most likely means."""
    words = {w.lower() for w in role.split()}
    institution = registry.institution_of_subject() or registry.last_institution
    if words & _SPOKESPEOPLE and institution:
        note = f'"{role}" taken to speak for {institution}; check'
        return FoundQuote(text, institution, None, context, note, index)
    person = registry.last_subject
    if words <= _GENERIC_ROLES | _SPOKESPEOPLE and person is not None:
        note = f'"{role}" taken to be {person.name}; check'
        return FoundQuote(text, person.name, display_role(person), context, note, index)
    name = role[:1].upper() + role[1:]
    note = f'the article does not name "{role}"; who is it?'
    return FoundQuote(text, name, None, context, note, index)


def _update_subject(
    registry: Registry, speaker: Mention | None, subject: Mention | None, mentions: list[Mention]
) -> None:
    for mention in (speaker, subject, *mentions):
        if mention is not None and mention.person is not None:
            registry.last_subject = mention.person
            return


def _context(sentence: Sentence) -> str | None:
    parts: list[str] = []
    last = 0
    for start, end in sentence.quotes:
        parts.append(sentence.text[last:start])
        parts.append("…")
        last = end
    parts.append(sentence.text[last:])
    context = re.sub(r"\s+", " ", "".join(parts)).strip()
    if len(_WORDS.findall(context)) < 2:
        return None
    return context


def _dedupe(quotes: list[FoundQuote]) -> list[FoundQuote]:
    normals = [_normal(q.text) for q in quotes]
    kept: list[FoundQuote] = []
    for i, quote in enumerate(quotes):
        mine = f" {normals[i]} "
        inside_other = not quote.attributed and any(
            j != i
            and (len(normals[j]) > len(normals[i]) or (normals[j] == normals[i] and j < i))
            and mine in f" {normals[j]} "
            for j in range(len(quotes))
        )
        if not inside_other:
            kept.append(quote)
    return kept


__all__ = ["FoundQuote", "Person", "Sentence", "find_quotes", "split_sentences"]
