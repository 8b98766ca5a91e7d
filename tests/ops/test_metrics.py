"""Metrics as the real bot counts them, read back through Prometheus' own text parser."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import T0
from prometheus_client.parser import text_string_to_metric_families

from bot.simulation.harness import SimulatedBot

EIGHT = dt.datetime(2026, 11, 25, 8, tzinfo=dt.UTC)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text page, keyed by name and sorted labels."""
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def scrape(bot: SimulatedBot) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return samples(bot.services.metrics.render().decode())


class TestCounts:
    """Commands, updates, digests and briefings show up in the bot's own registry."""

    async def test_commands_and_updates_are_counted_by_name(self, sim: SimulatedBot) -> None:
        await sim.say("/summary", chat_id=5)
        await sim.say("/summary", chat_id=5)
        await sim.say("/nosuchcommand", chat_id=5)
        page = scrape(sim)
        assert page[("briefbot_commands_total", (("command", "/summary"), ("outcome", "ok")))] == 2
        assert page[("briefbot_commands_total", (("command", "unknown"), ("outcome", "ok")))] == 1
        assert page[("briefbot_updates_total", (("kind", "message"),))] == 3
        assert page[("briefbot_answer_seconds_count", (("command", "/summary"),))] == 2

    async def test_digests_sent_and_gone(self, sim: SimulatedBot) -> None:
        for chat_id in (1001, 1002):
            await sim.say("/subscribe", chat_id=chat_id)
        sim.api.block(1002)
        await sim.travel_to(EIGHT)
        page = scrape(sim)
        assert page[("briefbot_digests_total", (("outcome", "sent"),))] == 1
        assert page[("briefbot_digests_total", (("outcome", "gone"),))] == 1
        assert page[("briefbot_digests_total", (("outcome", "failed"),))] == 0
        assert page[("briefbot_fanout_queue", ())] == 0

    async def test_briefings_and_role(self, sim: SimulatedBot) -> None:
        page = scrape(sim)
        assert page[("briefbot_briefings", (("state", "loaded"),))] == len(sim.services.library)
        assert page[("briefbot_briefings", (("state", "broken"),))] == 0
        assert page[("briefbot_replica_role", (("role", "single"),))] == 1

    async def test_each_bot_has_its_own_registry(self, sim: SimulatedBot, tmp_path: Path) -> None:
        await sim.say("/help", chat_id=5)
        config = sim.services.config
        async with SimulatedBot(config, storage_path=tmp_path / "other.db", start=T0) as other:
            assert ("briefbot_commands_total", (("command", "/help"), ("outcome", "ok"))) not in (
                scrape(other)
            )
        assert scrape(sim)[("briefbot_commands_total", (("command", "/help"), ("outcome", "ok")))]
