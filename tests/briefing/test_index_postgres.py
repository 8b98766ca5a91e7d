"""The briefing index in PostgreSQL: shared by replicas, searched like FTS5, never trusted blindly.

Needs a PostgreSQL server (`pg_fixtures`): skipped without one, failed with
BRIEFBOT_REQUIRE_POSTGRES=1. The restart tests shared with the SQLite index are in
`test_index_store.py`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import test_index_store as store_tests
from conftest import T0, briefing_yaml
from handlers.test_briefings import TestSearch as _BotSearch
from pg_fixtures import server_url
from test_index_store import summary, write
from test_library import TestSearch as _LibrarySearch

import bot.briefing.library as library_module
from bot.briefing.library import BriefingLibrary
from bot.briefing.loader import LoadedBriefing
from bot.config import Config
from bot.simulation.harness import SimulatedBot

psycopg = pytest.importorskip("psycopg", reason="the postgres extra is not installed")


# The SQLite index's folder of three briefings, and its spy on parsing.
folder = store_tests.folder
reads = store_tests.reads


def pg_config(briefings_dir: Path, tmp_path: Path, url: str) -> Config:
    """The default config with its state in the PostgreSQL database at `url`."""
    return Config.model_validate(
        {
            "briefings": {"dir": str(briefings_dir)},
            "storage": {"path": str(tmp_path / "unused.sqlite3"), "url": url},
            "admins": [42],
        }
    )


class Replicas:
    """Libraries on one database, each as a replica starts it; all closed at the end."""

    def __init__(self, url: str) -> None:
        from bot.briefing.index_postgres import PostgresIndex

        self.url = url
        self.opened: list[PostgresIndex] = []

    def start(self, folder: Path, *, load: bool = True) -> BriefingLibrary:
        from bot.briefing.index_postgres import PostgresIndex

        index = PostgresIndex(self.url, [folder], location="the test database", retry_seconds=0.0)
        self.opened.append(index)
        library = BriefingLibrary([folder], index=index)
        if load:
            library.reload()
        return library

    def sql(self, statement: str) -> None:
        """Change the index behind the replicas' backs."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(statement.encode())


@pytest.fixture
def replicas(pg_url: str) -> Iterator[Replicas]:
    """Start libraries on one fresh database."""
    started = Replicas(pg_url)
    yield started
    for index in started.opened:
        index.close()


class TestReplicas:
    """Replicas on one database restart from each other's index."""

    def test_a_new_replica_starts_from_what_another_wrote(
        self, folder: Path, replicas: Replicas, reads: list[str]
    ) -> None:
        first = replicas.start(folder)
        assert sorted(reads) == ["a.yaml", "b.yaml", "c.yaml"]
        reads.clear()
        second = replicas.start(folder)
        assert reads == []
        assert summary(second) == summary(first)

    def test_a_change_one_replica_saw_spares_the_next_its_parse(
        self, folder: Path, replicas: Replicas, reads: list[str]
    ) -> None:
        first = replicas.start(folder)
        second = replicas.start(folder)
        write(folder / "c.yaml", briefing_yaml("gamma", "2025-03-03", title="Gamma, ceasefire"))
        first.reload()
        reads.clear()
        third = replicas.start(folder)
        assert reads == []
        assert [b.id for b in third.search("ceasefire")] == ["gamma", "beta"]
        second.reload()  # the other running replica catches up, and agrees
        assert summary(second) == summary(third)

    def test_replicas_loading_together_leave_one_whole_index(
        self,
        folder: Path,
        replicas: Replicas,
        reads: list[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        for n in range(20):
            write(folder / f"n{n:02d}.yaml", briefing_yaml(f"n{n:02d}", "2025-04-01"))
        # Neither replica writes before both have found the index empty.
        both_parsing = threading.Barrier(2)
        spy: Callable[[Path], LoadedBriefing] = library_module.read_briefing

        def in_step(path: Path) -> LoadedBriefing:
            if path.name == "a.yaml":
                both_parsing.wait(timeout=10)
            return spy(path)

        monkeypatch.setattr(library_module, "read_briefing", in_step)
        libraries = [replicas.start(folder, load=False) for _ in range(2)]
        threads = [threading.Thread(target=library.reload) for library in libraries]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(reads) == 46
        reads.clear()
        late = replicas.start(folder)
        assert reads == []
        assert summary(late) == summary(libraries[0]) == summary(libraries[1])
        assert len(late) == 23

    def test_another_folder_keeps_rows_of_its_own(
        self, folder: Path, tmp_path: Path, replicas: Replicas, reads: list[str]
    ) -> None:
        other = tmp_path / "other"
        other.mkdir()
        write(other / "a.yaml", briefing_yaml("elsewhere", "2025-05-01", tags=["ceasefire"]))
        first = replicas.start(folder)
        elsewhere = replicas.start(other)
        assert [b.id for b in elsewhere.search("ceasefire")] == ["elsewhere"]
        reads.clear()
        again = replicas.start(folder)
        assert reads == []
        assert summary(again) == summary(first)
        assert [b.id for b in again.search("ceasefire")] == ["beta"]


class TestUntrustedIndex:
    """An index of another format or model, or a broken or partial one, is rebuilt."""

    @pytest.mark.parametrize(
        ("statement", "warning"),
        [
            (
                "UPDATE briefing_index_meta SET model = 'fields of an older release'",
                "made for another version of the briefing fields",
            ),
            ("UPDATE briefing_index_meta SET format = format + 1", "format version"),
            ("DELETE FROM briefing_index_meta", "without its format record"),
        ],
    )
    def test_other_version_is_rebuilt_with_a_warning(
        self,
        folder: Path,
        replicas: Replicas,
        reads: list[str],
        caplog: pytest.LogCaptureFixture,
        statement: str,
        warning: str,
    ) -> None:
        expected = summary(replicas.start(folder))
        replicas.sql(statement)
        reads.clear()
        assert summary(replicas.start(folder)) == expected
        assert len(reads) == 3
        rebuilt = [r.message for r in caplog.records if "rebuilding it from the files" in r.message]
        assert len(rebuilt) == 1 and warning in rebuilt[0]
        reads.clear()
        assert summary(replicas.start(folder)) == expected
        assert reads == []  # the rebuilt index is trusted again

    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE briefing_index_files SET doc = NULL WHERE briefing_id = 'beta'",
            "UPDATE briefing_index_files SET briefing_id = 'alpha'",
            "DROP TABLE briefing_index_files",
        ],
    )
    def test_broken_or_partial_index_is_rebuilt(
        self, folder: Path, replicas: Replicas, reads: list[str], statement: str
    ) -> None:
        expected = summary(replicas.start(folder))
        replicas.sql(statement)
        reads.clear()
        assert summary(replicas.start(folder)) == expected
        assert len(reads) == 3

    def test_a_replica_of_another_version_stops_writing_once_taken_over(
        self, folder: Path, replicas: Replicas, reads: list[str], caplog: pytest.LogCaptureFixture
    ) -> None:
        old = replicas.start(folder)
        # A newer release starts and takes the index over (here: its record says so).
        replicas.sql("UPDATE briefing_index_meta SET model = 'a newer release'")
        write(folder / "c.yaml", briefing_yaml("gamma", "2025-03-03", title="Edited"))
        with caplog.at_level(logging.WARNING):
            assert old.reload().changed == ["gamma"]
        assert any("belongs to another version" in r.message for r in caplog.records)
        assert old.get("gamma") is not None and old.get("gamma").title == "Edited"  # type: ignore[union-attr]


class TestConnectionLost:
    """A connection the server ended (a restart, a fail-over) is made again at the next use."""

    def test_search_and_writes_carry_on(
        self, folder: Path, replicas: Replicas, reads: list[str]
    ) -> None:
        library = replicas.start(folder)
        replicas.sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'briefbot index'"
        )
        assert [b.id for b in library.search("ceasefire")] == ["beta"]
        replicas.sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'briefbot index'"
        )
        write(folder / "c.yaml", briefing_yaml("gamma", "2025-03-03", tags=["ceasefire"]))
        library.reload()
        assert [b.id for b in library.search("ceasefire")] == ["gamma", "beta"]
        reads.clear()
        assert summary(replicas.start(folder)) == summary(library)
        assert reads == []


class TestOutage:
    """The database gone while the bot runs: searches find nothing, said once; the files rule."""

    def test_searches_come_back_and_what_was_not_written_is_parsed_again(
        self,
        folder: Path,
        replicas: Replicas,
        reads: list[str],
        pg_url: str,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        library = replicas.start(folder)
        name = pg_url.rsplit("/", 1)[1]
        with psycopg.connect(server_url(), autocommit=True) as admin:
            admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false".encode())
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND application_name = 'briefbot index'",
                (name,),
            )
            with caplog.at_level(logging.INFO):
                assert library.search("ceasefire") == []
                assert library.search("ceasefire") == []
                write(folder / "c.yaml", briefing_yaml("gamma", "2025-03-03", title="Edited"))
                assert library.reload().changed == ["gamma"]  # served, not written down
                admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true".encode())
                assert [b.id for b in library.search("ceasefire")] == ["beta"]
        warned = [r.message for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warned) == 1 and "cannot search the briefing index" in warned[0]
        assert any("is reachable again" in r.message for r in caplog.records)
        reads.clear()
        restarted = replicas.start(folder)
        assert reads == ["c.yaml"]
        assert summary(restarted) == summary(library)


class TestSearchInPostgres(_LibrarySearch):
    """The library's search answers from PostgreSQL as it does from FTS5."""

    @pytest.fixture
    def folder(self, tmp_path: Path) -> Path:
        """An empty folder, which each test fills."""
        path = tmp_path / "corpus"
        path.mkdir()
        return path

    @pytest.fixture
    def library(self, folder: Path, replicas: Replicas) -> BriefingLibrary:
        return replicas.start(folder, load=False)


class TestBotSearchInPostgres(_BotSearch):
    """/search through the bot, with the state and the index in PostgreSQL."""

    @pytest.fixture
    async def sim(
        self, briefings_dir: Path, tmp_path: Path, pg_url: str
    ) -> AsyncIterator[SimulatedBot]:
        config = pg_config(briefings_dir, tmp_path, pg_url)
        async with SimulatedBot(config, storage_path=None, start=T0) as bot:
            yield bot
            assert not bot.errors, f"handlers raised: {bot.errors!r}"


class TestBotStart:
    """The bot keeps its index in the database it stores state in, or goes on without one."""

    async def test_a_restart_answers_from_the_index(
        self, briefings_dir: Path, tmp_path: Path, pg_url: str, reads: list[str]
    ) -> None:
        config = pg_config(briefings_dir, tmp_path, pg_url)
        async with SimulatedBot(config, storage_path=None, start=T0) as bot:
            [before] = await bot.say("/search ceasefire monitoring")
        assert reads
        reads.clear()
        async with SimulatedBot(config, storage_path=None, start=T0) as bot:
            [after] = await bot.say("/search ceasefire monitoring")
        assert reads == []
        assert after.visible_text == before.visible_text
        assert not (tmp_path / "unused.index.sqlite3").exists()

    async def test_an_index_that_cannot_be_made_is_a_warning(
        self,
        briefings_dir: Path,
        tmp_path: Path,
        pg_url: str,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("CREATE VIEW briefing_index_files AS SELECT 1 AS path")
        config = pg_config(briefings_dir, tmp_path, pg_url)
        with caplog.at_level(logging.WARNING):
            async with SimulatedBot(config, storage_path=None, start=T0) as bot:
                [answer] = await bot.say("/search ceasefire monitoring")
        assert "ukraine-allies" in answer.visible_text
        warned = [r.message for r in caplog.records if "cannot keep a briefing index" in r.message]
        assert len(warned) == 1 and "parsing every file" in warned[0]
