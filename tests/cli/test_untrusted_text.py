"""Strings from the database are untrusted: whatever wrote them (raw SQL as
the tables' owner here, an older client, another user), no control or escape
character reaches a terminal or a pipe raw, in any command that shows them.
JSON stays exact."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.inprocess import InProcess
from tests.support.rawsql import raw_sql

# A window title, a bell, a clear screen, CSI as one C1 character, a bidi override.
TITLE = "Milk \x1b]0;HACKED\x07\x1b[2J \x9b31m \u202eevil"
SHOWN = "Milk ␛]0;HACKED␇␛[2J \ufffd31m \ufffdevil"
# A title that draws a fake line over the one above.
FORGED = "line1\n\x1b[1A\x1b[2Kfake line"
FORGED_SHOWN = "line1␊␛[1A␛[2Kfake line"
NOTE = "first\n\x1b[1A\x1b[2Kfake\r line\n\tindented\x7f\u202e"
TAG = "gro\x1b[31mceries\x85"
OWNER = "al\tice\x1b[8m"
# Any C0 but newline and tab, DEL, C1, the bidi overrides.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# On PostgreSQL the database refuses these since 0011 (its checks are NOT
# VALID: rows written before it stay): such rows are what the fixture makes.
CHECKS = {
    "todos": ("ck_todos_title", "title !~ '[\\x01-\\x1f\\x7f-\\x9f]'"),
    "todo_tags": (
        "ck_todo_tags_tag",
        "tag !~ '[\\x01-\\x1f\\x7f-\\x9f]' AND char_length(tag) <= 64",
    ),
    "shares": ("ck_shares_tag", "tag !~ '[\\x01-\\x1f\\x7f-\\x9f]' AND char_length(tag) <= 64"),
}


@pytest.fixture
def hostile(todo_db: InProcess, db_url: str) -> Iterator[InProcess]:
    """alice's 1 and 2 (+groceries, shared with bob), titles, tags, a note,
    her name in the share and a journal entry as raw SQL wrote them (on
    PostgreSQL, rows from before 0011's checks)."""
    todo_db.env.update(TZ="UTC", TODO_USER="alice")
    todo_db.clock = lambda: datetime(2026, 12, 1, 9, tzinfo=UTC)
    todo_db.ok("add", "Milk", "-t", "groceries", "--note", "n")
    todo_db.ok("add", "Bread", "-t", "groceries")
    todo_db.ok("share", "groceries", "--with", "bob")
    data = json.dumps({"numbers": [1], "title": TITLE})
    raw_sql(
        db_url,
        *written_before_0011(db_url, "DROP"),
        ("UPDATE todos SET title = ?, note = ? WHERE number = 1", (TITLE, NOTE)),
        ("UPDATE todos SET title = ? WHERE number = 2", (FORGED,)),
        ("INSERT INTO todo_tags (todo_id, tag) SELECT id, ? FROM todos", (TAG,)),
        ("UPDATE shares SET tag = ?, owner_name = ?", (TAG, OWNER)),
        ("UPDATE events SET data = ? WHERE action = 'add' AND data LIKE ?", (data, "%Milk%")),
    )
    yield todo_db
    raw_sql(db_url, *written_before_0011(db_url, "ADD"))


def written_before_0011(url: str, verb: str) -> list[tuple[str, tuple[Any, ...]]]:
    """The statements that take 0011's checks away (DROP: placed first) or
    put them back as it made them (ADD, NOT VALID)."""
    if url.startswith("sqlite"):
        return []
    if verb == "ADD":
        return [
            (f"ALTER TABLE {t} ADD CONSTRAINT {name} CHECK ({check}) NOT VALID", ())
            for t, (name, check) in CHECKS.items()
        ]
    return [(f"ALTER TABLE {t} DROP CONSTRAINT {name}", ()) for t, (name, _) in CHECKS.items()]


def _no_raw(text: str, tabs: int | None = 0) -> None:
    assert RAW.search(text) is None, text
    if tabs is not None:
        assert all(line.count("\t") == tabs for line in text.splitlines()), text


def test_plain_lines_show_stand_ins_one_todo_a_line(hostile: InProcess) -> None:
    assert hostile.ok("list") == f"1\topen\t{SHOWN}\n2\topen\t{FORGED_SHOWN}\n"
    shared = hostile.ok("list", "--shared", env={"TODO_USER": "bob"})
    assert shared == (f"al␉ice␛[8m/1\topen\t{SHOWN}\nal␉ice␛[8m/2\topen\t{FORGED_SHOWN}\n")


def test_json_stays_exact_and_escapes_what_a_terminal_obeys(hostile: InProcess) -> None:
    text = hostile.ok("list", "--json")
    assert RAW.search(text) is None
    first, second = json.loads(text)
    assert (first["title"], first["note"], second["title"]) == (TITLE, NOTE, FORGED)
    assert TAG in first["tags"]
    (event, *_) = [e for e in json.loads(hostile.ok("log", "--json")) if e["action"] == "add"][1:]
    assert TITLE in event["summary"]


@pytest.mark.parametrize(
    ("args", "user", "tabs"),
    [
        (("list",), "alice", 2),
        (("list", "--shared"), "bob", 2),
        (("show", "1"), "alice", 0),
        (("show", f"{OWNER}/1"), "bob", 0),
        (("log",), "alice", 3),
        (("shares",), "alice", 2),
        (("shares",), "bob", 2),
        (("stats",), "alice", 0),
        (("done", "1"), "alice", 0),
        (("undo",), "alice", 0),
        (("rm", "2"), "alice", 0),
        (("reopen", "1"), "alice", 0),
    ],
)
def test_no_command_lets_a_control_character_through(
    hostile: InProcess, args: tuple[str, ...], user: str, tabs: int | None
) -> None:
    result = hostile(*args, env={"TODO_USER": user})
    _no_raw(result.stdout, tabs)
    _no_raw(result.stderr, 0)
    # Without colour, so that any escape on the screen is one the data brought.
    _, screen = hostile.tty(*args, env={"TODO_USER": user, "NO_COLOR": "1"})
    _no_raw(screen, None)


def test_show_keeps_a_notes_lines_each_cleaned(hostile: InProcess) -> None:
    lines = hostile.ok("show", "1").splitlines()
    assert lines[1] == f"title      {SHOWN}"
    assert lines[5] == "tags       gro␛[31mceries\ufffd groceries"
    assert lines[-4:] == ["note", "  first", "  ␛[1A␛[2Kfake␍ line", "      indented␡\ufffd"]


def test_another_users_todo_shows_under_their_name_cleaned(hostile: InProcess) -> None:
    lines = hostile.ok("show", f"{OWNER}/1", env={"TODO_USER": "bob"}).splitlines()
    assert lines[:2] == ["number     al␉ice␛[8m/1", f"title      {SHOWN}"]


def test_the_log_shows_a_journal_title_cleaned(hostile: InProcess) -> None:
    lines = hostile.ok("log").splitlines()
    assert lines[-1].endswith(f"\tadd\t1: {SHOWN}")


def test_a_table_on_a_terminal_keeps_its_columns(hostile: InProcess) -> None:
    _, screen = hostile.tty("list", env={"NO_COLOR": "1"})
    head, first, second = screen.splitlines()
    assert first.index(SHOWN[:4]) == head.index("Title")
    assert "fake line" in second
    assert screen.count("\n") == 3


def test_an_error_quoting_a_name_is_one_clean_line(hostile: InProcess) -> None:
    result = hostile("show", "al\x1b[2Jice\n/9", env={"TODO_USER": "bob"})
    assert result.returncode == 1
    assert result.stderr == (
        "todo: error: no todo al␛[2Jice␊/9 shared with you (see: todo list --shared, todo shares)\n"
    )


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_offers_titles_and_tags_cleaned(
    hostile: InProcess, db_url: str, monkeypatch: pytest.MonkeyPatch, shell: str
) -> None:
    """A shell shows what `todo __complete` prints as its menu, raw."""
    import io

    from todo_cli import completion

    monkeypatch.chdir(hostile.cwd)
    for name, value in {**hostile.env, "DATABASE_URL": db_url, "TODO_USER": "alice"}.items():
        monkeypatch.setenv(name, value)
    for words in (["todo", "done", ""], ["todo", "list", "--tag", ""]):
        out = io.StringIO()
        completion.main([shell, str(len(words) - 1), *words], out)
        assert RAW.search(out.getvalue()) is None, out.getvalue()
        assert out.getvalue().count("\n") == 2, out.getvalue()
