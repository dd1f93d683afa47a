"""Hostile and unusual input: every title either round-trips byte for byte or
fails with a clear message, on every backend; secrets never leak."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.inprocess import InProcess
from tests.support.sessions import OpenSession
from todo_cli.errors import InvalidInputError
from todo_cli.store import listing, todos

NASTY = [
    'it\'s "quoted"',
    "100% of the_total",
    "back\\slash \\n not a newline",
    "'; DROP TABLE todos; --",
    "Robert'); DELETE FROM users;--",
    "emoji 🎉👩‍👩‍👧 ok",
    "עברית right-to-left",
    "e\u0301 combining mark",
    "-leading dash",
    "--json",
    "$(rm -rf /) `whoami`",
    "%s %(me)s :me {me}",
    "\u200b zero width \u2028 line sep",
]

# Printable text of every script, without the control characters titles refuse.
TITLES = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=120
).filter(lambda t: t.strip() != "")


@pytest.mark.parametrize("title", NASTY)
def test_nasty_titles_round_trip_exactly(open_session: OpenSession, title: str) -> None:
    with open_session("alice") as s:
        added = todos.add(s, title=title)
    with open_session("alice") as s:
        (listed,) = listing.list_todos(s)
    assert listed.title == added.title == title.strip()
    assert listed.title.encode() == title.strip().encode()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=TITLES)
def test_any_printable_title_round_trips(open_session: OpenSession, title: str) -> None:
    with open_session("prop") as s:
        added = todos.add(s, title=title)
        found = [t for t in listing.list_todos(s, status="all") if t.number == added.number]
    assert found[0].title == title.strip()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(needle=st.text(alphabet=string.printable.strip() + "%_\\", min_size=1, max_size=6))
def test_search_treats_every_character_literally(open_session: OpenSession, needle: str) -> None:
    with open_session("search") as s:
        haystack = f"x{needle}y"
        added = todos.add(s, title=haystack)
        found = listing.iter_todos(s, filter=listing.Filter(search=needle))
        assert added.number in [t.number for t in found]
        others = listing.iter_todos(s, filter=listing.Filter(search=needle + "\u2603"))
        assert added.number not in [t.number for t in others]


@pytest.mark.parametrize("bad", ["a\x00b", "a\x1bb", "tab\there", "a\x7fb", "x" * 501])
def test_control_characters_and_long_titles_are_refused(
    open_session: OpenSession, bad: str
) -> None:
    with pytest.raises(InvalidInputError), open_session("alice") as s:
        todos.add(s, title=bad)
    with open_session("alice") as s:
        assert listing.list_todos(s, status="all") == []


def test_a_ten_megabyte_title_fails_cleanly_and_writes_nothing(todo_db: InProcess) -> None:
    huge = "x" * (10 * 1024 * 1024)
    result = todo_db("add", "-", input=huge + "\n")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"todo: error: stdin line 1: the title is {len(huge)} characters; the limit is 500. "
        "Shorten it (nothing was saved)\n"
    )
    assert json.loads(todo_db.ok("list", "--all", "--json")) == []


SECRET = "S3cr3t-Passw0rd"


@pytest.mark.parametrize(
    "args",
    [
        ["add", "x"],
        ["list"],
        ["whoami"],
        ["whoami", "--check"],
        ["--debug", "add", "x"],
        ["--debug", "--verbose", "list", "--json"],
        ["db", "status"],
        ["db", "upgrade"],
    ],
)
def test_passwords_never_appear_in_output(todo: InProcess, args: list[str]) -> None:
    for url in (
        f"postgresql://alice:{SECRET}@127.0.0.1:9/nowhere?sslmode=disable",
        f"postgres://alice:{SECRET}@bad host/db",
        f"postgresql://alice:{SECRET}@127.0.0.1:notaport/db",
    ):
        result = todo(*args, env={"DATABASE_URL": url, "TODO_RETRY_BUDGET": "0"})
        assert result.returncode in (0, 3, 4), (args, url, result.stderr)
        assert SECRET not in result.stdout + result.stderr, (args, url)
