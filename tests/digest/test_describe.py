"""Crontab schedules in words, with the zone they run in."""

from __future__ import annotations

import pytest

from bot.digest.describe import describe_schedule, schedule_in_words


class TestScheduleInWords:
    """The shapes used for digests read as words; anything else is shown as it is."""

    @pytest.mark.parametrize(
        ("expression", "words"),
        [
            ("0 8 * * *", "every day at 08:00"),
            ("30 7 * * 1-5", "on weekdays at 07:30"),
            ("0 9 * * 1", "every Monday at 09:00"),
            ("0 9 * * mon", "every Monday at 09:00"),
            ("5 18 * * 1,3,5", "every Monday, Wednesday and Friday at 18:05"),
            ("0 10 * * 6,0", "at weekends at 10:00"),
            ("0 10 * * 0", "every Sunday at 10:00"),
            ("0 10 * * 7", "every Sunday at 10:00"),
            ("0 6 * * 0-6", "every day at 06:00"),
            ("0 6 1 * *", "on the 1st of every month at 06:00"),
            ("0 6 22 * *", "on the 22nd of every month at 06:00"),
            ("0 6 13 * *", "on the 13th of every month at 06:00"),
        ],
    )
    def test_plain_schedules(self, expression: str, words: str) -> None:
        assert schedule_in_words(expression) == words

    @pytest.mark.parametrize(
        "expression",
        [
            "*/30 9-17 * * *",
            "0 8,20 * * *",
            "0 8 * 1 *",
            "0 8 1 * 1",
            "0 8 * * 9",
            "0 8 *",
            "61 8 * * *",
        ],
    )
    def test_unusual_schedules_have_no_words(self, expression: str) -> None:
        assert schedule_in_words(expression) is None

    def test_with_the_zone(self) -> None:
        assert describe_schedule("0 8 * * *", "UTC") == "every day at 08:00 (UTC)"
        assert describe_schedule("30 7 * * 1-5", "Europe/Berlin") == (
            "on weekdays at 07:30 (Europe/Berlin)"
        )

    def test_unusual_schedule_is_quoted(self) -> None:
        assert describe_schedule("*/30  9-17 * * *", "UTC") == (
            "on the crontab schedule “*/30 9-17 * * *” (UTC)"
        )
