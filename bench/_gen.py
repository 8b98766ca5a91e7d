"""Synthetic briefings shaped like the shipped seed, for benchmarks.

Each generated file has the seed's sections and roughly its size (about 12 KB): a title, a date or
a date-time with an offset, tags, a ~900-character summary, eight key points, fifteen attendees,
eighteen quotes, twenty related headlines and a seven-step timeline. Text is drawn with a Zipf-like
distribution from the seed's own words plus a few thousand made-up ones, so the search index sees a
realistic vocabulary; names include the seed's politicians (with accents) and a few hundred others.
Everything is derived from one `random.Random`, so a seed gives the same files every time.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeDumper as Dumper
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as Dumper  # type: ignore[assignment]

SEED_FILE = (
    Path(__file__).resolve().parent.parent / "briefings" / "ukraine-allies-virtual-meeting.yaml"
)

FAMOUS = [
    ("Emmanuel Macron", "President of France", "France"),
    ("Keir Starmer", "Prime Minister of the United Kingdom", "United Kingdom"),
    ("Volodymyr Zelensky", "President of Ukraine", "Ukraine"),
    ("António Costa", "President of the European Council", None),
    ("Giorgia Meloni", "Prime Minister of Italy", "Italy"),
    ("Ursula von der Leyen", "President of the European Commission", None),
    ("Mark Rutte", "Secretary-General of NATO", None),
    ("Vladimir Putin", "President of Russia", "Russia"),
    ("Olaf Scholz", "Chancellor of Germany", "Germany"),
    ("Pedro Sánchez", "Prime Minister of Spain", "Spain"),
]
FIRST = [
    "Anna",
    "Björn",
    "Carlos",
    "Dana",
    "Élodie",
    "Farid",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Katarzyna",
    "Luís",
    "Maya",
    "Nikolai",
    "Olga",
    "Pavel",
    "Quentin",
    "Rania",
    "Søren",
    "Tomás",
    "Ulla",
    "Viktor",
    "Wen",
    "Xenia",
    "Yusuf",
    "Zofia",
]
LAST = [
    "Andersen",
    "Bauer",
    "Costa",
    "Dimitrov",
    "Eriksen",
    "Fischer",
    "García",
    "Horvát",
    "Ivanova",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Novák",
    "Okafor",
    "Petrov",
    "Quiroga",
    "Rossi",
]
COUNTRIES = [
    "France",
    "Germany",
    "Italy",
    "Spain",
    "Portugal",
    "Poland",
    "Sweden",
    "Finland",
    "Latvia",
    "Romania",
    "Canada",
    "Australia",
    "Japan",
    "Turkey",
    "Norway",
    "Denmark",
    "Greece",
    "Ukraine",
]
ROLES = [
    "Foreign Minister",
    "Defence Minister",
    "Prime Minister",
    "President",
    "spokesperson",
    "ambassador",
    "envoy",
    "chief negotiator",
    "Secretary of State",
    "government adviser",
]
TAGS = [
    "ukraine",
    "russia",
    "ceasefire",
    "diplomacy",
    "peacekeeping",
    "europe",
    "nato",
    "sanctions",
    "energy",
    "trade",
    "united-kingdom",
    "france",
    "germany",
    "security",
    "elections",
    "economy",
    "migration",
    "climate",
    "middle-east",
    "china",
    "united-states",
    "defence",
    "humanitarian",
    "monitoring",
    "negotiations",
    "summit",
    "aid",
    "reconstruction",
    "grain",
    "cyber",
]
STATUSES = ["host", "confirmed", "confirmed", "expected", "expected", "undecided", "absent"]
WHEN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SYLLABLES = [
    "ar",
    "ba",
    "ce",
    "do",
    "en",
    "fi",
    "ga",
    "ho",
    "is",
    "ju",
    "ka",
    "lo",
    "mi",
    "na",
    "or",
    "pe",
    "qu",
    "ri",
    "so",
    "ta",
    "un",
    "ve",
    "wa",
    "xi",
    "yo",
    "za",
    "tion",
    "ment",
    "ly",
]
PUNCTUATION = ["’", "“", "”", "…", "‘"]


class Generator:
    """Makes synthetic briefing documents from one random seed."""

    def __init__(self, seed: int = 1234) -> None:
        self.rng = random.Random(seed)
        # The seed's words, most frequent first, then made-up ones: the common words of real
        # English stay common, and the long tail gives each briefing words of its own.
        seed_counts = Counter(re.findall(r"[A-Za-z’']{2,}", SEED_FILE.read_text("utf-8")))
        seed_words = [word for word, _ in seed_counts.most_common()]
        made_up = sorted({self._made_up_word() for _ in range(6000)} - set(seed_words))
        self.rng.shuffle(made_up)
        self.vocabulary = seed_words + made_up
        # Zipf-like: the k-th word is drawn with weight 1/k.
        self.cumulative = list(
            itertools.accumulate(1 / k for k in range(1, len(self.vocabulary) + 1))
        )
        self.people = [(f"{first} {last}", None, None) for first in FIRST for last in LAST]

    def _made_up_word(self) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 4)))

    def words(self, n: int) -> list[str]:
        """`n` words drawn from the vocabulary."""
        return self.rng.choices(self.vocabulary, cum_weights=self.cumulative, k=n)

    def sentence(self, length: int) -> str:
        """A sentence of about `length` characters."""
        out: list[str] = []
        size = 0
        while size < length:
            word = self.words(1)[0]
            if self.rng.random() < 0.03:
                word = self.rng.choice(FAMOUS)[0].split()[-1]
            out.append(word)
            size += len(word) + 1
        text = " ".join(out)
        if self.rng.random() < 0.2:
            text = f"{self.rng.choice(PUNCTUATION)}{text}{self.rng.choice(PUNCTUATION)}"
        return text[:1].upper() + text[1:] + "."

    def paragraph(self, length: int) -> str:
        """Sentences adding up to about `length` characters."""
        out: list[str] = []
        size = 0
        while size < length:
            out.append(self.sentence(self.rng.randint(60, 160)))
            size += len(out[-1]) + 1
        return " ".join(out)

    def person(self) -> tuple[str, str | None, str | None]:
        """A name, role and country; a famous one one time in four."""
        if self.rng.random() < 0.25:
            return self.rng.choice(FAMOUS)
        name, _, _ = self.rng.choice(self.people)
        country = self.rng.choice(COUNTRIES)
        return name, f"{self.rng.choice(ROLES)} of {country}", country

    def published(self) -> dt.date | dt.datetime:
        """A date, or three times in ten a date-time with a whole-hour offset."""
        day = dt.date(2020, 1, 1) + dt.timedelta(days=self.rng.randrange(7 * 365))
        if self.rng.random() < 0.7:
            return day
        offset = dt.timezone(dt.timedelta(hours=self.rng.randint(-8, 9)))
        return dt.datetime(
            day.year,
            day.month,
            day.day,
            self.rng.randrange(24),
            self.rng.randrange(60),
            tzinfo=offset,
        )

    def briefing(self, number: int) -> dict[str, Any]:
        """One briefing document with a unique id."""
        rng = self.rng
        title = self.sentence(rng.randint(50, 110)).rstrip(".")
        slug = "-".join(re.findall(r"[a-z]+", title.lower())[:4]) or "briefing"
        attendees = []
        for _ in range(15):
            name, role, country = self.person()
            attendee: dict[str, Any] = {"name": name}
            if role:
                attendee["role"] = role
            if country:
                attendee["country"] = country
            attendee["status"] = rng.choice(STATUSES)
            if rng.random() < 0.5:
                attendee["note"] = self.sentence(rng.randint(60, 130))
            attendees.append(attendee)
        quotes = []
        for _ in range(18):
            speaker = (
                rng.choice(attendees)
                if rng.random() < 0.8
                else dict(zip(("name", "role"), self.person()[:2], strict=True))
            )
            quote: dict[str, Any] = {"speaker": speaker["name"]}
            if speaker.get("role"):
                quote["role"] = speaker["role"]
            quote["text"] = self.sentence(rng.choice([15, 30, 90, 160]))
            quote["context"] = self.sentence(rng.randint(30, 100))
            quotes.append(quote)
        return {
            "id": f"{slug}-{number:05d}",
            "title": title,
            "published": self.published(),
            "tags": rng.sample(TAGS, rng.randint(4, 8)),
            "summary": self.paragraph(880),
            "key_points": [self.paragraph(rng.randint(110, 230)) for _ in range(8)],
            "attendees": attendees,
            "quotes": quotes,
            "related": [
                {"title": self.sentence(rng.randint(35, 90)).rstrip(".")} for _ in range(20)
            ],
            "timeline": [
                {
                    "when": f"{rng.choice(WHEN)}, {rng.randint(1, 28)} March 2025",
                    "what": self.sentence(rng.randint(50, 160)),
                }
                for _ in range(7)
            ],
        }


def dump(document: dict[str, Any]) -> str:
    """The YAML text of a briefing document."""
    return yaml.dump(document, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=100)


def write_briefings(folder: Path, count: int, seed: int = 1234) -> list[Path]:
    """Write `count` briefings into `folder`; return their paths, in name order."""
    generator = Generator(seed)
    paths = []
    for number in range(count):
        document = generator.briefing(number)
        path = folder / f"{document['id']}.yaml"
        path.write_text(dump(document), encoding="utf-8")
        paths.append(path)
    return sorted(paths)
