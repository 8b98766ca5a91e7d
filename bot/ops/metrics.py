"""The bot's Prometheus metrics, in a registry of its own (one per application, never global).

No `telegram` import: the digest runner, the handlers and the limiter all report here.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Answers usually take milliseconds; a draft or a long search can take seconds.
ANSWER_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Counters, gauges and the answer-latency histogram of one bot."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self.updates = Counter(
            "briefbot_updates", "Updates received, by kind.", ["kind"], registry=r
        )
        self.commands = Counter(
            "briefbot_commands",
            "Commands and other handled updates, by name and outcome.",
            ["command", "outcome"],
            registry=r,
        )
        self.answer_seconds = Histogram(
            "briefbot_answer_seconds",
            "Time from an update's arrival at its handler to the end of the answer.",
            ["command"],
            buckets=ANSWER_BUCKETS,
            registry=r,
        )
        self.digests = Counter(
            "briefbot_digests", "Digests by outcome: sent, failed, gone.", ["outcome"], registry=r
        )
        self.flood_waits = Counter(
            "briefbot_flood_waits", "429 answers from Telegram that made the bot wait.", registry=r
        )
        self.flood_wait_seconds = Counter(
            "briefbot_flood_wait_seconds", "Seconds Telegram asked the bot to wait.", registry=r
        )
        self.fanout_queue = Gauge(
            "briefbot_fanout_queue", "Chats waiting for their digest in a fan-out.", registry=r
        )
        self.briefings = Gauge(
            "briefbot_briefings", "Briefing files, loaded or broken.", ["state"], registry=r
        )
        self.role = Gauge(
            "briefbot_replica_role", "1 for this replica's role, 0 for roles it had.", ["role"],
            registry=r,
        )  # fmt: skip
        self._roles: set[str] = set()
        # The labelled children per command: `labels()` costs a lock and a lookup each call.
        self._per_command: dict[tuple[str, str], tuple[Counter, Histogram]] = {}
        for outcome in ("sent", "failed", "gone"):
            self.digests.labels(outcome)  # present at 0 before the first digest
        self.set_role("single")

    def command(self, name: str, outcome: str, seconds: float) -> None:
        """Count one handled update and how long its answer took."""
        children = self._per_command.get((name, outcome))
        if children is None:
            children = (self.commands.labels(name, outcome), self.answer_seconds.labels(name))
            self._per_command[name, outcome] = children
        children[0].inc()
        children[1].observe(seconds)

    def digest(self, outcome: str) -> None:
        """Count one digest: ``sent``, ``failed`` or ``gone``."""
        self.digests.labels(outcome).inc()

    def flood_wait(self, seconds: float) -> None:
        """Count one 429 answer and the wait it asked for."""
        self.flood_waits.inc()
        self.flood_wait_seconds.inc(max(seconds, 0.0))

    def watch_briefings(self, loaded: Callable[[], float], broken: Callable[[], float]) -> None:
        """Read the briefing counts from the library whenever metrics are scraped."""
        self.briefings.labels("loaded").set_function(loaded)
        self.briefings.labels("broken").set_function(broken)

    def set_role(self, role: str) -> None:
        """Set this process's role: ``single`` when it runs alone (the default)."""
        self._roles.add(role)
        for name in self._roles:
            self.role.labels(name).set(1 if name == role else 0)

    def render(self) -> bytes:
        """Every metric in Prometheus' text format."""
        return generate_latest(self.registry)
