"""Topics: parsing what users type, and which briefings are about a topic."""

from __future__ import annotations

import pytest

from bot.briefing.models import Briefing
from bot.briefing.topics import (
    MAX_TOPIC_LENGTH,
    Topic,
    TopicError,
    TopicFilter,
    merge,
    most_common_tags,
    parse_topics,
    remove,
    stem,
)


def briefing(briefing_id: str = "b", **fields: object) -> Briefing:
    data: dict[str, object] = {
        "id": briefing_id,
        "title": "Leaders meet in Kyiv",
        "published": "2026-11-20",
        "summary": "A summary.",
    }
    data.update(fields)
    return Briefing.model_validate(data)


def texts(raw: str) -> list[str]:
    return [t.text for t in parse_topics(raw)]


class TestParsing:
    """Words, #tags and "quoted phrases" (straight or curly quotes); limits and bad input."""

    def test_words_tags_and_phrases(self) -> None:
        assert texts('ukraine #Energy "peace  talks"') == ["ukraine", "#Energy", "peace talks"]

    def test_curly_quotes(self) -> None:
        assert texts("“peace talks” nato") == ["peace talks", "nato"]

    def test_unclosed_quote_takes_the_words(self) -> None:
        assert texts('"peace talks') == ["peace", "talks"]

    def test_topic_of_64_characters_is_fine_65_is_not(self) -> None:
        assert texts("a" * MAX_TOPIC_LENGTH) == ["a" * MAX_TOPIC_LENGTH]
        with pytest.raises(TopicError, match="at most 64 characters"):
            parse_topics("a" * (MAX_TOPIC_LENGTH + 1))

    def test_no_words_is_refused(self) -> None:
        with pytest.raises(TopicError, match="no letters or digits"):
            parse_topics("#")

    def test_same_topic_differently_written_is_one(self) -> None:
        current = parse_topics("#Peace-Talks")
        merged, added = merge(current, parse_topics('"#peace talk" sanctions'))
        assert [t.text for t in merged] == ["#Peace-Talks", "sanctions"]
        assert [t.text for t in added] == ["sanctions"]

    def test_remove_with_or_without_the_hash(self) -> None:
        kept, gone = remove(parse_topics("#energy nato"), parse_topics("energy"))
        assert [t.text for t in kept] == ["nato"] and [t.text for t in gone] == ["#energy"]

    def test_remove_reports_what_was_followed(self) -> None:
        kept, gone = remove(parse_topics("ukraine nato"), parse_topics("NATO energy"))
        assert [t.text for t in kept] == ["ukraine"] and [t.text for t in gone] == ["nato"]


class TestPlural:
    """The plural rule is applied to both sides, so singular and plural meet."""

    @pytest.mark.parametrize(
        ("a", "b"), [("talks", "talk"), ("taxes", "tax"), ("matches", "match"), ("rates", "rate")]
    )
    def test_pairs(self, a: str, b: str) -> None:
        assert stem(a) == stem(b)

    @pytest.mark.parametrize("word", ["press", "crisis", "bus", "us"])
    def test_words_that_are_not_plurals_keep_their_s(self, word: str) -> None:
        assert stem(word) == word


class TestMatching:
    """Tags by equality; words and phrases in title, summary, key points, names and speakers."""

    def matches(self, topics: str, b: Briefing) -> bool:
        return TopicFilter(parse_topics(topics)).matches(b)

    def test_no_topics_match_everything(self) -> None:
        assert TopicFilter([]).matches(briefing())

    def test_tag_equality(self) -> None:
        b = briefing(tags=["peace-talks", "energy"])
        assert self.matches("#peace-talks", b) and self.matches("#Energy", b)
        assert not self.matches("#peace", b)

    def test_bare_word_matches_a_tag_too(self) -> None:
        assert self.matches("energy", briefing(tags=["energy"]))

    def test_tag_does_not_match_text(self) -> None:
        assert not self.matches("#kyiv", briefing())
        assert self.matches("kyiv", briefing())

    @pytest.mark.parametrize(
        "fields",
        [
            {"summary": "The peace talks stalled."},
            {"key_points": ["Nothing new", "Peace talks resume in May"]},
            {"attendees": [{"name": "Peace Talks Envoy"}]},
            {"quotes": [{"speaker": "Peace Talks", "text": "Hello."}]},
        ],
    )
    def test_phrase_in_each_field(self, fields: dict[str, object]) -> None:
        assert self.matches('"peace talk"', briefing(**fields))

    def test_phrase_words_must_be_in_order_and_together(self) -> None:
        b = briefing(summary="Talks about peace.")
        assert not self.matches('"peace talks"', b)
        assert self.matches("peace", b)

    def test_phrase_does_not_span_two_fields(self) -> None:
        b = briefing(title="Energy peace", summary="Talks later.")
        assert not self.matches('"peace talks"', b)

    def test_quote_text_is_not_searched(self) -> None:
        b = briefing(quotes=[{"speaker": "Someone", "text": "Sanctions now."}])
        assert not self.matches("sanctions", b)

    def test_accents_and_case(self) -> None:
        b = briefing(attendees=[{"name": "António Guterres"}])
        assert self.matches("antonio", b) and self.matches("ANTÓNIO", b)

    def test_plural_and_singular(self) -> None:
        assert self.matches("leader", briefing())
        assert self.matches('"peace talks"', briefing(title="A peace talk"))

    def test_whole_words_only(self) -> None:
        assert not self.matches("kyi", briefing())
        assert not self.matches("lead", briefing())

    @pytest.mark.parametrize("pattern", ["ky.*", "(ky", "[a-z]+", "k?yiv", "\\w+"])
    def test_regular_expressions_are_plain_text(self, pattern: str) -> None:
        assert not self.matches(pattern, briefing())

    def test_changed_briefing_is_read_again(self) -> None:
        chosen = TopicFilter(parse_topics("energy"))
        assert not chosen.matches(briefing())
        assert chosen.matches(briefing(title="Energy prices"))


class TestCommonTags:
    """The tags most briefings carry, for /follow's buttons."""

    def test_ranking(self) -> None:
        library = [
            briefing("a", tags=["nato", "energy"]),
            briefing("b", tags=["Energy", "kyiv"]),
            briefing("c", tags=["energy", "nato", "zeta"]),
        ]
        assert most_common_tags(library, 3) == ["energy", "nato", "kyiv"]


def test_topic_round_trips_through_its_text() -> None:
    for topic in parse_topics('#nato "peace talks" kyiv'):
        assert Topic.parse(topic.text) == topic
