"""Fixtures of the offline attack tests (test_offline_attack*.py): scratch
databases of their own, and a network in front of one. A module's own
fixture of the same name (test_offline.py's net, say) takes precedence."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support.databases import admin_url, drop_database, with_database
from tests.support.network import Network
from tests.support.offline_scene import create_db, port_of


@pytest.fixture
def dbs() -> Iterator[Callable[[], str]]:
    """A factory of scratch databases (their URLs), dropped afterwards."""
    made: list[str] = []

    def make() -> str:
        made.append(create_db())
        return with_database(admin_url(), made[-1])

    yield make
    for name in made:
        drop_database(admin_url(), name)


@pytest.fixture
def db(dbs: Callable[[], str]) -> str:
    return dbs()


@pytest.fixture
def net(db: str) -> Iterator[Network]:
    with Network(port_of(db)) as network:
        yield network
