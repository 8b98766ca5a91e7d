"""A fresh PostgreSQL database per test, on the server named by BRIEFBOT_TEST_DATABASE_URL.

Without that variable the PostgreSQL tests are skipped, saying how to start a server; with
BRIEFBOT_REQUIRE_POSTGRES=1 (as `.ci/run` sets) they fail instead, so CI never skips them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

SERVER_ENV = "BRIEFBOT_TEST_DATABASE_URL"
REQUIRE_ENV = "BRIEFBOT_REQUIRE_POSTGRES"
HOW = (
    f"no PostgreSQL server for the tests: run `url=$(.ci/postgres.sh start /tmp/briefbot-pg)` and"
    f" set {SERVER_ENV}=$url (`.ci/run` does both)"
)


def server_url() -> str:
    """The test server's URL; skips (or fails, when required) the test without one."""
    url = os.environ.get(SERVER_ENV, "").strip()
    if url:
        return url
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {HOW}")
    pytest.skip(HOW)


def with_database(url: str, name: str) -> str:
    """`url` pointing at the database `name` instead."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a new, empty database, dropped after the test."""
    server = server_url()
    import psycopg

    name = f"briefbot_test_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield with_database(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
