"""Scratch databases copied at head (tests/support/databases.copy_at_head):
a copy is what `todo db upgrade` makes, save for sharing its roles."""

from __future__ import annotations

from tests.support.databases import ScratchDatabases, admin_url, groups
from tests.support.rawsql import pg_rows as rows


def _doors(url: str) -> list[str]:
    """Who may connect to url's database, the groups named by kind."""
    app, person = groups(url)
    (acl,) = rows(
        admin_url(),
        f"SELECT datacl::text FROM pg_database WHERE datname = '{url.rsplit('/', 1)[1]}'",
    )[0]
    return sorted(str(acl).replace(app, "APP").replace(person, "PERSON").strip("{}").split(","))


def test_a_copy_has_the_doors_of_an_upgraded_database(scratch_dbs: ScratchDatabases) -> None:
    upgraded = scratch_dbs.create()
    copy = scratch_dbs.copy_at_head()
    assert _doors(copy) == _doors(upgraded)
    assert "APP=c/postgres" in _doors(copy)  # the group may connect, PUBLIC may not
    assert not [d for d in _doors(copy) if d.startswith("=")]
