"""Crontab schedules: parsing, crontab day numbers, and firing across daylight-saving changes."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from bot.digest.cron import (
    CronSchedule,
    CronSyntaxError,
    crontab_days_to_apscheduler,
    parse_time_of_day,
)

UTC = dt.UTC
UTC_ZONE = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
# 2026 transitions: Berlin springs forward 02:00→03:00 on 29 March and falls back 03:00→02:00 on
# 25 October; New York springs forward 02:00→03:00 on 8 March and falls back 02:00→01:00 on
# 1 November.
BERLIN_SPRING = dt.date(2026, 3, 29)
BERLIN_FALL = dt.date(2026, 10, 25)
NEW_YORK_SPRING = dt.date(2026, 3, 8)
NEW_YORK_FALL = dt.date(2026, 11, 1)


def fires(
    schedule: CronSchedule, tz: ZoneInfo, start: dt.datetime, end: dt.datetime
) -> list[dt.datetime]:
    """Every fire time in (start, end], following `next_after` as the bot does, in `tz`."""
    out: list[dt.datetime] = []
    moment = start
    while True:
        fire = schedule.next_after(moment, tz)
        assert fire > moment, "next_after must move forwards"
        if fire > end:
            return out
        out.append(fire.astimezone(tz))
        moment = fire
        assert len(out) < 10_000, "runaway schedule"


def around(day: dt.date, tz: ZoneInfo, days: int = 3) -> tuple[dt.datetime, dt.datetime]:
    """From local midnight `days` days before `day` to local midnight `days` days after it."""
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    return midnight - dt.timedelta(days=days), midnight + dt.timedelta(days=days)


def local_day(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight of `day` and the last second of that local day, as UTC instants."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(UTC)
    next_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return start, next_midnight.astimezone(UTC) - dt.timedelta(seconds=1)


def per_local_day(times: list[dt.datetime]) -> Counter[dt.date]:
    """How many fire times fall on each local date."""
    return Counter(t.date() for t in times)


class TestParse:
    """A crontab expression is accepted or refused with a reason a config editor can act on."""

    @pytest.mark.parametrize(
        "expression",
        ["0 8 * * *", "*/30 * * * *", "15 6 1 * *", "0 8 * * mon-fri", "0 9 * jan,jul 1-5"],
    )
    def test_valid_expressions_parse(self, expression: str) -> None:
        assert CronSchedule.parse(expression).expression == expression

    @pytest.mark.parametrize("expression", ["0 8 * *", "0 8 * * * *", "", "daily"])
    def test_wrong_field_count_names_the_fields(self, expression: str) -> None:
        with pytest.raises(CronSyntaxError, match="needs 5 fields"):
            CronSchedule.parse(expression)

    @pytest.mark.parametrize("expression", ["0 8 1 * 1", "0 8 */2 * mon", "0 8 15 * 0-6"])
    def test_both_day_fields_restricted_is_refused(self, expression: str) -> None:
        with pytest.raises(CronSyntaxError, match="not both"):
            CronSchedule.parse(expression)

    @pytest.mark.parametrize(
        ("expression", "reason"),
        [
            ("60 8 * * *", "59"),
            ("0 24 * * *", "23"),
            ("0 8 32 * *", "31"),
            ("0 8 0 * *", "minimum"),
            ("0 8 * 13 *", "12"),
            ("x 8 * * *", "Unrecognized"),
            ("0 8 * * 8", "0 and 7 = Sunday"),
            ("0 8 * * monday", "0 and 7 = Sunday"),
            ("0 8 * * 1,,2", "day of week"),
            ("0 8 * * */0", "bad step"),
            ("0 8 * * */x", "bad step"),
            ("0 8 * * 5-1", "backwards"),
            ("0 0 30 2 *", "never fires"),
            ("0 0 31 4 *", "never fires"),
        ],
    )
    def test_bad_values_are_refused_with_the_reason(self, expression: str, reason: str) -> None:
        with pytest.raises(CronSyntaxError, match=reason):
            CronSchedule.parse(expression)

    def test_feb_29_is_a_real_date(self) -> None:
        leap = CronSchedule.parse("0 8 29 2 *")
        fire = leap.next_after(dt.datetime(2026, 11, 25, tzinfo=UTC), UTC_ZONE)
        assert fire == dt.datetime(2028, 2, 29, 8, tzinfo=UTC)

    def test_daily_at_fires_at_that_time(self) -> None:
        schedule = CronSchedule.daily_at("7:05")
        after = dt.datetime(2026, 11, 25, 7, 5, tzinfo=UTC)
        assert schedule.next_after(after, UTC_ZONE) == dt.datetime(2026, 11, 26, 7, 5, tzinfo=UTC)


class TestTimeOfDay:
    """A user's HH:MM is normalised to two-digit hours, or refused."""

    @pytest.mark.parametrize(
        ("text", "normal"),
        [
            ("7:30", "07:30"),
            ("07:30", "07:30"),
            ("0:00", "00:00"),
            ("23:59", "23:59"),
            (" 8:05 ", "08:05"),
        ],
    )
    def test_valid_times(self, text: str, normal: str) -> None:
        assert parse_time_of_day(text) == normal

    @pytest.mark.parametrize(
        "text", ["24:00", "25:00", "7:60", "7:5", "730", "banana", "", "-1:00"]
    )
    def test_invalid_times(self, text: str) -> None:
        with pytest.raises(CronSyntaxError, match="time of day"):
            parse_time_of_day(text)


class TestDayOfWeek:
    """Crontab numbers days from Sunday (0 and 7), APScheduler from Monday: they are converted."""

    @pytest.mark.parametrize(
        ("field", "days"),
        [
            ("*", "*"),
            ("0", "sun"),
            ("7", "sun"),
            ("7-7", "sun"),
            ("1", "mon"),
            ("6", "sat"),
            ("1-5", "mon,tue,wed,thu,fri"),
            ("5-7", "fri,sat,sun"),
            ("6-7", "sat,sun"),
            ("0-7", "mon,tue,wed,thu,fri,sat,sun"),
            ("*/2", "tue,thu,sat,sun"),
            ("1-5/2", "mon,wed,fri"),
            ("sun", "sun"),
            ("SUN", "sun"),
            ("sat", "sat"),
            ("mon-fri", "mon,tue,wed,thu,fri"),
            ("sun-sat", "mon,tue,wed,thu,fri,sat,sun"),
            ("sun,sat", "sat,sun"),
            ("0,6", "sat,sun"),
            ("mon,wed,fri", "mon,wed,fri"),
            ("7,1", "mon,sun"),
        ],
    )
    def test_conversion(self, field: str, days: str) -> None:
        assert crontab_days_to_apscheduler(field) == days

    @pytest.mark.parametrize(
        ("weekday", "expected"),
        [
            ("0", dt.date(2026, 11, 29)),  # Sunday
            ("7", dt.date(2026, 11, 29)),
            ("sun", dt.date(2026, 11, 29)),
            ("1", dt.date(2026, 11, 30)),  # Monday
            ("3", dt.date(2026, 11, 25)),  # Wednesday: today, still ahead
            ("1-5", dt.date(2026, 11, 25)),
            ("6", dt.date(2026, 11, 28)),  # Saturday
            ("5-7", dt.date(2026, 11, 27)),  # Friday
        ],
    )
    def test_schedule_fires_on_the_crontab_day(self, weekday: str, expected: dt.date) -> None:
        wednesday_morning = dt.datetime(2026, 11, 25, 7, tzinfo=UTC)
        schedule = CronSchedule.parse(f"0 8 * * {weekday}")
        assert schedule.next_after(wednesday_morning, UTC_ZONE).date() == expected

    def test_weekdays_skip_the_weekend(self) -> None:
        schedule = CronSchedule.parse("0 8 * * 1-5")
        start = dt.datetime(2026, 11, 27, 9, tzinfo=UTC)  # Friday, after the digest
        times = fires(schedule, UTC_ZONE, start, start + dt.timedelta(days=7))
        assert [t.strftime("%a") for t in times] == ["Mon", "Tue", "Wed", "Thu", "Fri"]

    def test_sunday_seven_every_week(self) -> None:
        schedule = CronSchedule.parse("30 9 * * 7")
        start = dt.datetime(2026, 11, 1, tzinfo=UTC)
        times = fires(schedule, UTC_ZONE, start, start + dt.timedelta(days=28))
        assert [t.date() for t in times] == [dt.date(2026, 11, d) for d in (1, 8, 15, 22)]
        assert {t.strftime("%a %H:%M") for t in times} == {"Sun 09:30"}


class TestDaylightSaving:
    """A daily digest stays at its local time, once a day, when the clocks change."""

    @pytest.mark.parametrize(
        ("tz", "day"),
        [
            (BERLIN, BERLIN_SPRING),
            (BERLIN, BERLIN_FALL),
            (NEW_YORK, NEW_YORK_SPRING),
            (NEW_YORK, NEW_YORK_FALL),
        ],
    )
    def test_eight_oclock_stays_at_local_eight(self, tz: ZoneInfo, day: dt.date) -> None:
        start, end = around(day, tz)
        times = fires(CronSchedule.daily_at("08:00"), tz, start, end)
        assert len(times) == 6
        assert all(count == 1 for count in per_local_day(times).values())
        assert {t.strftime("%H:%M") for t in times} == {"08:00"}
        # The UTC time moves by the hour the clocks moved, so the local time does not.
        offsets = {t.utcoffset() for t in times}
        assert len(offsets) == 2

    def test_spring_forward_gap_fires_once_when_the_gap_ends(self) -> None:
        start, end = around(BERLIN_SPRING, BERLIN)
        times = fires(CronSchedule.daily_at("02:30"), BERLIN, start, end)
        assert all(count == 1 for count in per_local_day(times).values())
        assert len(times) == 6
        on_the_day = [t for t in times if t.date() == BERLIN_SPRING]
        # 02:30 does not exist that night; the digest goes out as soon as it is 03:00 CEST.
        assert [t.strftime("%H:%M %Z") for t in on_the_day] == ["03:00 CEST"]
        assert on_the_day[0].astimezone(UTC) == dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
        others = {t.strftime("%H:%M") for t in times if t.date() != BERLIN_SPRING}
        assert others == {"02:30"}

    def test_fall_back_repeated_time_fires_once_at_the_first_occurrence(self) -> None:
        start, end = around(BERLIN_FALL, BERLIN)
        times = fires(CronSchedule.daily_at("02:30"), BERLIN, start, end)
        assert len(times) == 6
        assert all(count == 1 for count in per_local_day(times).values())
        assert {t.strftime("%H:%M") for t in times} == {"02:30"}
        on_the_day = [t for t in times if t.date() == BERLIN_FALL]
        assert on_the_day[0].astimezone(UTC) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
        assert on_the_day[0].tzname() == "CEST"

    def test_new_york_fall_back_repeated_time_fires_once(self) -> None:
        start, end = around(NEW_YORK_FALL, NEW_YORK)
        times = fires(CronSchedule.daily_at("01:30"), NEW_YORK, start, end)
        assert len(times) == 6
        assert all(count == 1 for count in per_local_day(times).values())
        assert {t.strftime("%H:%M") for t in times} == {"01:30"}
        on_the_day = next(t for t in times if t.date() == NEW_YORK_FALL)
        assert on_the_day.astimezone(UTC) == dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)

    def test_new_york_spring_gap_fires_at_three(self) -> None:
        start, end = around(NEW_YORK_SPRING, NEW_YORK)
        times = fires(CronSchedule.daily_at("02:30"), NEW_YORK, start, end)
        assert len(times) == 6
        on_the_day = [t for t in times if t.date() == NEW_YORK_SPRING]
        assert [t.strftime("%H:%M %Z") for t in on_the_day] == ["03:00 EDT"]

    def test_asking_from_inside_the_repeated_hour_moves_to_the_next_day(self) -> None:
        schedule = CronSchedule.daily_at("02:30")
        # 02:40 CET is the second pass through 02:xx; 02:30 already fired in the first.
        second_pass = dt.datetime(2026, 10, 25, 1, 40, tzinfo=UTC)
        assert second_pass.astimezone(BERLIN).strftime("%H:%M %Z") == "02:40 CET"
        fire = schedule.next_after(second_pass, BERLIN)
        assert fire.astimezone(BERLIN) == dt.datetime(2026, 10, 26, 2, 30, tzinfo=BERLIN)

    def test_every_half_hour_on_spring_forward_day(self) -> None:
        start, end = local_day(BERLIN_SPRING, BERLIN)
        assert end - start == dt.timedelta(hours=23) - dt.timedelta(seconds=1)
        times = fires(CronSchedule.parse("*/30 * * * *"), BERLIN, start, end)
        walls = [t.strftime("%H:%M") for t in times]
        assert len(walls) == len(set(walls)) == len(set(times)) == 45
        assert "02:00" not in walls and "02:30" not in walls
        assert walls[2:5] == ["01:30", "03:00", "03:30"]
        # Real time between fires is half an hour throughout: the gap costs no extra digest.
        instants = [t.astimezone(UTC) for t in times]
        assert all(b - a == dt.timedelta(minutes=30) for a, b in itertools.pairwise(instants))

    def test_every_half_hour_on_fall_back_day(self) -> None:
        start, end = local_day(BERLIN_FALL, BERLIN)
        assert end - start == dt.timedelta(hours=25) - dt.timedelta(seconds=1)
        times = fires(CronSchedule.parse("*/30 * * * *"), BERLIN, start, end)
        walls = [t.strftime("%H:%M") for t in times]
        # 47 half-hours after midnight, each wall time once although 02:xx happens twice.
        assert len(walls) == len(set(walls)) == 47
        assert walls[2:6] == ["01:30", "02:00", "02:30", "03:00"]
        assert times[4].tzname() == "CEST" and times[5].tzname() == "CET"
        # Real time from 02:30 CEST to 03:00 CET: the repeated hour is not fired again.
        assert times[5].astimezone(UTC) - times[4].astimezone(UTC) == dt.timedelta(minutes=90)

    def test_schedule_in_utc_has_no_dst(self) -> None:
        start, end = around(BERLIN_SPRING, UTC_ZONE)
        times = fires(CronSchedule.daily_at("02:30"), UTC_ZONE, start, end)
        assert [t.hour for t in times] == [2] * 6


class TestLatestBetween:
    """The last fire time in a window, which decides what a missed digest catches up."""

    def test_latest_of_several(self) -> None:
        schedule = CronSchedule.daily_at("08:00")
        start = dt.datetime(2026, 11, 20, 8, tzinfo=UTC)
        end = dt.datetime(2026, 11, 25, 9, tzinfo=UTC)
        latest = schedule.latest_between(start, end, UTC_ZONE)
        assert latest == dt.datetime(2026, 11, 25, 8, tzinfo=UTC)

    def test_window_bounds_are_inclusive(self) -> None:
        schedule = CronSchedule.daily_at("08:00")
        eight = dt.datetime(2026, 11, 25, 8, tzinfo=UTC)
        assert schedule.latest_between(eight, eight, UTC_ZONE) == eight

    def test_empty_window(self) -> None:
        schedule = CronSchedule.daily_at("08:00")
        start = dt.datetime(2026, 11, 25, 8, 0, 1, tzinfo=UTC)
        assert schedule.latest_between(start, start + dt.timedelta(hours=23), UTC_ZONE) is None
