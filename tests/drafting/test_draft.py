"""Drafting a briefing from an article: what an editor finds in the draft.

Every article of the evaluation set is drafted and compared with its hand-curated gold briefing;
small articles written here pin single behaviours (split quotes, pronouns, clutter, odd input).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.briefing.loader import parse_briefing
from bot.briefing.textnorm import fold
from bot.drafting import Draft, DraftError, draft_article

ARTICLES = Path(__file__).resolve().parent.parent / "fixtures" / "articles"
SEED = ARTICLES / "ukraine-allies-virtual-meeting.txt"
GOLD_FILES = sorted(ARTICLES.glob("*.gold.yaml"))
TODAY = dt.date(2026, 1, 5)


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", fold(text)))


def same_quote(a: str, b: str) -> bool:
    wa, wb = words(a), words(b)
    return sum((wa & wb).values()) >= 0.8 * max(sum(wa.values()), sum(wb.values()))


def draft_of(text: str, **kwargs: Any) -> Draft:
    kwargs.setdefault("today", TODAY)
    return draft_article(text, **kwargs)


def reparsed(draft: Draft) -> dict[str, Any]:
    """The draft's YAML as `briefbot validate` reads it (and as a dict, for the tests)."""
    parse_briefing(draft.yaml.encode(), Path(f"{draft.briefing.id}.yaml"))
    data = yaml.safe_load(draft.yaml)
    assert isinstance(data, dict)
    return data


def article_of(gold: Path) -> Path:
    stem = gold.name.removesuffix(".gold.yaml")
    return next(p for p in ARTICLES.glob(f"{stem}.*") if p.suffix in (".txt", ".html"))


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    return reparsed(draft_article(SEED.read_bytes(), published=dt.date(2025, 3, 15)))


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=lambda p: p.name.split(".")[0])
def test_every_gold_quote_is_found_with_its_speaker(gold_path: Path) -> None:
    gold = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
    draft = reparsed(draft_article(article_of(gold_path).read_bytes(), published=gold["published"]))
    drafted = draft["quotes"]
    for quote in gold.get("quotes") or []:
        matches = [d for d in drafted if same_quote(d["text"], quote["text"])]
        assert matches, f"not found: {quote['text']!r}"
        surname = list(words(quote["speaker"]))[-1]
        assert any(surname in words(d["speaker"]) for d in matches), (quote, matches)
    assert len(drafted) == len(gold.get("quotes") or [])


def test_the_seed_has_its_18_quotes_by_speaker(seed: dict[str, Any]) -> None:
    speakers = Counter(q["speaker"] for q in seed["quotes"])
    assert speakers == {
        "Keir Starmer": 6,
        "Downing Street": 4,
        "Emmanuel Macron": 3,
        "Volodymyr Zelensky": 2,
        "Germany": 1,
        "Kathrin Deschauer": 1,
        "Vladimir Putin": 1,
    }
    macron = next(q for q in seed["quotes"] if q["speaker"] == "Emmanuel Macron")
    assert macron["role"] == "President of France"


def test_the_seed_teasers_are_related_in_order_and_nowhere_else(seed: dict[str, Any]) -> None:
    gold = yaml.safe_load((ARTICLES / "ukraine-allies-virtual-meeting.gold.yaml").read_text())
    titles = [r["title"] for r in seed["related"]]
    assert titles == [r["title"] for r in gold["related"]]
    assert len(titles) == 20
    prose = " ".join([seed["summary"], *seed["key_points"], *(q["text"] for q in seed["quotes"])])
    assert not [t for t in titles if t in prose]
    assert "Concrete Commitments" not in seed["summary"]


def test_the_seed_attendees_have_their_statuses(seed: dict[str, Any]) -> None:
    status = {a["name"]: a["status"] for a in seed["attendees"]}
    assert status["Keir Starmer"] == "host"
    assert status["Emmanuel Macron"] == "confirmed"
    assert status["Prime Minister of Romania"] == "confirmed"
    assert status["Ursula von der Leyen"] == "expected"
    assert status["Canada"] == "expected"
    assert status["Giorgia Meloni"] == "absent"
    assert "Vladimir Putin" not in status  # mentioned, not taking part


def test_weekdays_resolve_against_the_publication_date(seed: dict[str, Any]) -> None:
    whens = [t["when"] for t in seed["timeline"]]
    assert "Friday, 14 March 2025" in whens
    assert "Thursday, 13 March 2025" in whens
    assert whens.index("Thursday, 13 March 2025") < whens.index("Friday, 14 March 2025")


def test_without_a_date_today_is_used_and_flagged() -> None:
    draft = draft_of("Talks resume\n\nThe talks resumed after a pause of two weeks in Geneva.")
    assert draft.briefing.published == TODAY
    line = next(line for line in draft.yaml.splitlines() if line.startswith("published:"))
    assert "# review:" in line
    assert any("today" in note for note in draft.reviews)


def test_a_date_in_the_text_is_used() -> None:
    draft = draft_of("Talks resume\n\nGENEVA, 3 February 2024 – The talks resumed on Monday.")
    assert draft.briefing.published == dt.date(2024, 2, 3)


def test_a_split_quote_is_one_quote_with_its_speaker() -> None:
    text = (
        "Minister speaks\n\nGerman Chancellor Olaf Scholz arrived in Paris on Monday.\n"
        "“We have work to do,” he said. “And we will do it together.”\n"
    )
    quotes = reparsed(draft_of(text))["quotes"]
    assert [(q["speaker"], q["text"]) for q in quotes] == [
        ("Olaf Scholz", "We have work to do And we will do it together.")
    ]
    assert quotes[0]["role"] == "Chancellor of Germany"


def test_a_quote_over_a_paragraph_break_takes_its_later_attribution() -> None:
    text = (
        "Talks\n\nThe minister spoke at length.\n\n"
        '"We came here to reach a deal. We will stay as long as it takes.\n\n'
        '"There is no other way," Austrian Foreign Minister Anna Berger said.\n'
    )
    quotes = reparsed(draft_of(text))["quotes"]
    assert [(q["speaker"], q["role"], q["text"]) for q in quotes] == [
        (
            "Anna Berger",
            "Foreign Minister of Austria",
            "We came here to reach a deal. We will stay as long as it takes. There is no other way",
        )
    ]


def test_appositions_and_honorifics() -> None:
    text = (
        "Talks stall\n\nDOHA — Negotiators failed to agree on a text on Thursday.\n\n"
        "“We are not there yet,” said Majed al-Ansari, a spokesman for Qatar's foreign ministry."
        "\n\nJohn Kirby, 61, told reporters at the White House: “Gaps remain.”\n\n"
        "Mr. Kirby added that talks would go on. “We owe it to the hostages,” he said.\n"
    )
    data = reparsed(draft_of(text))
    assert [(q["speaker"], q.get("role")) for q in data["quotes"]] == [
        ("Majed al-Ansari", "Spokesman for Qatar's foreign ministry"),
        ("John Kirby", None),
        ("John Kirby", None),
    ]
    assert data["summary"].startswith("Negotiators failed")


def test_a_title_resolves_to_the_person_it_names() -> None:
    text = (
        "Summit\n\nFrench President Emmanuel Macron met Italian Prime Minister Giorgia Meloni.\n"
        "Later the French President stated, “Europe must stand together.”\n"
    )
    quote = reparsed(draft_of(text))["quotes"][0]
    assert (quote["speaker"], quote["role"]) == ("Emmanuel Macron", "President of France")


def test_straight_quotes_inverted_attribution_and_statuses() -> None:
    text = (
        "Ministers split over sanctions\n\n"
        "LUXEMBOURG, June 23, 2025 - Foreign ministers gathered in Luxembourg on Monday.\n\n"
        '"We will not support it," Hungarian Foreign Minister Peter Szijjarto told reporters. '
        'He added that Budapest had "no intention" of changing course.\n\n'
        "EU foreign policy chief Kaja Kallas, who chaired the meeting, said a deal was close.\n\n"
        "German Foreign Minister Johann Wadephul also attended the meeting, while his Polish "
        "counterpart Radoslaw Sikorski did not attend.\n\n"
        '"Sanctions are working," said Sikorski.\n\n'
        "Slovakia's Prime Minister Robert Fico is expected to join the debate on Thursday.\n"
    )
    draft = draft_of(text)
    data = reparsed(draft)
    assert data["published"] == dt.date(2025, 6, 23)
    assert [(q["speaker"], q["text"]) for q in data["quotes"]] == [
        ("Peter Szijjarto", "We will not support it"),
        ("Peter Szijjarto", "no intention"),
        ("Radoslaw Sikorski", "Sanctions are working"),
    ]
    attendees = {a["name"]: (a["status"], a.get("role")) for a in data["attendees"]}
    assert attendees == {
        "Kaja Kallas": ("host", "EU foreign policy chief"),
        "Johann Wadephul": ("confirmed", "Foreign Minister of Germany"),
        "Radoslaw Sikorski": ("absent", None),
        "Robert Fico": ("expected", "Prime Minister of Slovakia"),
    }
    timeline = {t["when"] for t in data["timeline"]}
    assert {"Monday, 23 June 2025", "Thursday, 26 June 2025"} <= timeline


def test_an_unnamed_official_is_found_again_and_flagged() -> None:
    text = (
        "Talks resume\n\n"
        "Talks resumed in Vienna on Monday, with the EU's Enrique Mora chairing the meeting and"
        " US special envoy Robert Malley staying away.\n\n"
        "According to a senior EU official, the negotiators will meet again on Wednesday.\n\n"
        '"There is a real sense of urgency," the official said, declining to be named.\n'
    )
    draft = draft_of(text)
    data = reparsed(draft)
    assert [q["speaker"] for q in data["quotes"]] == ["EU official"]
    speaker_line = next(line for line in draft.yaml.splitlines() if "speaker: EU official" in line)
    assert "# review:" in speaker_line
    status = {a["name"]: a["status"] for a in data["attendees"]}
    assert status["Enrique Mora"] == "host"
    assert status["Robert Malley"] == "absent"
    assert "EU official" not in status


def test_an_unknown_speaker_is_kept_and_flagged() -> None:
    draft = draft_of("Crowd\n\n“We will never give up on this city and its people,” came a cry.")
    quote = reparsed(draft)["quotes"][0]
    assert quote["text"].startswith("We will never give up")
    line = next(line for line in draft.yaml.splitlines() if "speaker:" in line)
    assert "# review:" in line


def test_scare_quotes_and_quoted_names_are_not_quotes() -> None:
    text = (
        "Talks\n\nTalks in the “Normandy format” resumed in Berlin.\n"
        "The ministers discussed a “roadmap” for the region.\n"
    )
    assert reparsed(draft_of(text))["quotes"] == []


def test_page_clutter_stays_out_and_teasers_go_to_related() -> None:
    text = "\n".join(
        [
            "Home > World > Europe",
            "Ministers meet in Vienna",
            "By Jane Doe",
            "Text size",
            "Follow us",
            "Foreign ministers met in Vienna on Tuesday to discuss the ceasefire.",
            "Advertisement",
            "Also read: Ceasefire holds for a third day",
            "“We are closer than ever,” Austrian Foreign Minister Anna Berger said.",
            "Subscribe to our channels on WhatsApp and Telegram",
            "Read more: Vienna prepares for the summit",
            "Support our journalism",
            "The talks will continue next week.",
        ]
    )
    data = reparsed(draft_of(text))
    assert data["title"] == "Ministers meet in Vienna"
    assert [r["title"] for r in data["related"]] == [
        "Ceasefire holds for a third day",
        "Vienna prepares for the summit",
    ]
    prose = " ".join([data["summary"], *data["key_points"], *(q["text"] for q in data["quotes"])])
    for clutter in ("Follow us", "Subscribe", "Support our", "Text size", "Jane Doe", "Also read"):
        assert clutter not in prose
    assert [q["speaker"] for q in data["quotes"]] == ["Anna Berger"]


def test_the_headline_is_found_below_menus_and_banners() -> None:
    text = "\n\n".join(
        [
            "dailyplanet.com",
            "NewsApp (Free)",
            "Download NewsApp",
            "Sign in | Create an account",
            "Daily Planet » News » Ministers meet in Vienna to save the ceasefire",
            "Ministers meet in Vienna to save the ceasefire",
            "November 24, 2016 20:55 IST",
            "Foreign ministers met in Vienna on Tuesday to discuss the ceasefire, which has held"
            " for three weeks despite repeated violations along the front line.",
        ]
    )
    data = reparsed(draft_of(text))
    assert data["title"] == "Ministers meet in Vienna to save the ceasefire"
    assert data["published"] == dt.date(2016, 11, 24)
    assert data["summary"].startswith("Foreign ministers met in Vienna")


def test_a_saved_page_gives_title_date_and_site() -> None:
    html = """<!doctype html><html><head><title>Ministers meet in Vienna | Daily Planet</title>
    <meta property="og:title" content="Ministers meet in Vienna">
    <meta property="og:site_name" content="Daily Planet">
    <meta property="article:published_time" content="2024-05-02T08:00:00+00:00">
    </head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav><article>
    <h1>Ministers meet in Vienna</h1>
    <p>Foreign ministers met in Vienna on Tuesday to discuss the ceasefire in the region.</p>
    <p>“We are closer than ever,” Austrian Foreign Minister Anna Berger said after the talks
    had ended late in the evening.</p>
    <p>The talks will continue next week, officials said on Wednesday morning.</p>
    </article><footer>Subscribe to our newsletter</footer></body></html>"""
    data = reparsed(draft_of(html))
    assert data["title"] == "Ministers meet in Vienna"
    assert data["published"] == dt.date(2024, 5, 2)
    assert data["source"]["name"] == "Daily Planet"
    assert [q["speaker"] for q in data["quotes"]] == ["Anna Berger"]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "<html><body><p>Only a paragraph of text here.</p></body></html>", id="bare-html"
        ),
        pytest.param("One line only", id="one-line"),
        pytest.param("Title\n\nNo quotes in this body at all, just facts.", id="no-quotes"),
        pytest.param('Title\n\nHe said “this never closes. And "another', id="unbalanced"),
        pytest.param("Другие новости\n\nМинистр сказал: «Мы готовы».", id="cyrillic"),
        pytest.param("محادثات القاهرة\n\nقال الوزير إن المحادثات مستمرة.", id="arabic"),
        pytest.param("x" * 500 + "\n\n" + "y " * 3000, id="long-title"),
        pytest.param("Title\n\n" + "“yes” " * 400, id="many-short-quotes"),
    ],
)
def test_odd_input_still_gives_a_valid_draft(text: str) -> None:
    draft = draft_of(text)
    reparsed(draft)
    assert len(draft.briefing.title) <= 200
    assert len(draft.briefing.id) <= 56


def test_a_huge_article_is_clipped_to_the_limits() -> None:
    body = SEED.read_text(encoding="utf-8").split("\n", 1)[1]
    draft = draft_of("Huge\n\n" + body * 40)
    data = reparsed(draft)
    assert len(data["quotes"]) == 200
    assert len(data["related"]) == 100
    assert len(draft.yaml.encode()) <= 1 << 20


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"  \n\t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"Caf\xe9 society", "not UTF-8"),
        ("Follow us\nAdvertisement\nSubscribe to our newsletter\n", "only page clutter"),
    ],
)
def test_unreadable_input_is_one_clear_error(raw: bytes | str, message: str) -> None:
    with pytest.raises(DraftError, match=message) as caught:
        draft_article(raw)
    assert "\n" not in str(caught.value)


def test_given_id_published_and_source_are_used() -> None:
    moment = dt.datetime(2025, 3, 15, 9, 30, tzinfo=dt.UTC)
    draft = draft_of(
        "Talks\n\nThe talks resumed.",
        briefing_id="talks-resume",
        published=moment,
        source_url="https://www.example.org/news/talks",
    )
    assert draft.briefing.id == "talks-resume"
    assert draft.briefing.published == moment
    assert draft.briefing.source is not None
    assert draft.briefing.source.name == "example.org"
    assert not any("published" in note for note in draft.reviews)


def test_every_review_note_sits_on_a_line_of_the_yaml() -> None:
    draft = draft_article(SEED.read_bytes(), today=TODAY)
    commented = [line for line in draft.yaml.splitlines() if "# review: " in line]
    assert len(commented) == len(draft.reviews) > 0
    assert all(not line.lstrip().startswith("#") for line in commented)
