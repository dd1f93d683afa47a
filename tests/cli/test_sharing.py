"""Sharing through main(), on every backend: what each user sees and may
do. (On PostgreSQL the database enforces the same: tests/system/test_sharing_rls.py.)"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.inprocess import InProcess


@pytest.fixture
def alice(todo_db: InProcess) -> InProcess:
    """alice's +groceries (1 Milk, 3 Eggs) and a private 2, shared with bob to read."""
    todo_db.env["TZ"] = "UTC"
    todo_db.clock = lambda: datetime(2026, 12, 1, 9, tzinfo=UTC)
    todo_db.env["TODO_USER"] = "alice"
    todo_db.ok("add", "Milk", "-t", "groceries")
    todo_db.ok("add", "Diary", "-t", "home")
    todo_db.ok("add", "Eggs", "-t", "groceries", "-p", "high")
    assert todo_db.ok("share", "groceries", "--with", "bob") == (
        "Shared +groceries with bob (read-only)\n"
    )
    return todo_db


def as_(todo: InProcess, user: str, *args: str) -> Any:
    result = todo(*args, env={"TODO_USER": user})
    return result


def ok(todo: InProcess, user: str, *args: str) -> str:
    result = as_(todo, user, *args)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return str(result.stdout)


def test_the_grantee_sees_the_shared_todos_as_owner_slash_number(alice: InProcess) -> None:
    assert ok(alice, "bob", "list", "--shared") == "alice/3\topen\tEggs\nalice/1\topen\tMilk\n"
    assert ok(alice, "bob", "list") == ""  # the default list stays personal
    assert ok(alice, "bob", "list", "--shared", "-p", "high") == "alice/3\topen\tEggs\n"
    (eggs,) = json.loads(ok(alice, "bob", "list", "--shared", "--json", "-p", "high"))
    assert (eggs["number"], eggs["owner"], eggs["tags"]) == (3, "alice", ["groceries"])
    assert ok(alice, "bob", "show", "alice/3").splitlines()[0] == "number     alice/3"
    # The private one is not there, whatever bob asks.
    result = as_(alice, "bob", "show", "alice/2")
    assert (result.returncode, result.stderr) == (
        1,
        "todo: error: no todo alice/2 shared with you (see: todo list --shared, todo shares)\n",
    )
    assert ok(alice, "carol", "list", "--shared") == ""


def test_a_read_share_refuses_changes(alice: InProcess) -> None:
    for args in (("done", "alice/1"), ("edit", "alice/1", "-p", "low"), ("reopen", "alice/1")):
        result = as_(alice, "bob", *args)
        assert (result.returncode, result.stdout) == (1, ""), args
        assert result.stderr.startswith("todo: error: no todo alice/1 shared with you to change")
    result = as_(alice, "bob", "rm", "--yes", "alice/1")
    assert (result.returncode, result.stderr) == (
        2,
        "todo: error: only alice can remove alice's todos; you may complete them (todo done)\n",
    )
    result = as_(alice, "bob", "add", "Bread", "--owner", "alice")
    assert (result.returncode, result.stderr) == (
        1,
        "todo: error: alice shares nothing with you to write (see: todo shares)\n",
    )
    assert ok(alice, "alice", "list") == "3\topen\tEggs\n1\topen\tMilk\n2\topen\tDiary\n"


def test_a_write_share_lets_the_grantee_change_complete_and_add(alice: InProcess) -> None:
    assert ok(alice, "alice", "share", "groceries", "--with", "bob", "--write") == (
        "Shared +groceries with bob (they may change them and add to them)\n"
    )
    assert ok(alice, "bob", "done", "alice/1") == "Completed alice/1: Milk\n"
    assert ok(alice, "bob", "edit", "alice/3", "-p", "low") == "Edited alice/3: Eggs\n"
    assert ok(alice, "bob", "add", "Bread", "--owner", "alice") == "alice/4\n"
    # Numbered in alice's sequence, tagged into the share.
    assert ok(alice, "alice", "add", "Jam") == "5\n"
    assert ok(alice, "alice", "list", "--all", "--sort", "number") == (
        "1\tdone\tMilk\n2\topen\tDiary\n3\topen\tEggs\n4\topen\tBread\n5\topen\tJam\n"
    )
    (bread,) = [t for t in json.loads(ok(alice, "alice", "list", "--json")) if t["number"] == 4]
    assert (bread["tags"], bread["owner"]) == (["groceries"], "alice")
    # The tags of alice's todos are hers: a tag could share one further, or
    # unshare it from someone else (alembic/versions/0011).
    for change in ("+cheap", "-groceries"):
        result = as_(alice, "bob", "edit", "alice/3", "-t", change)
        assert (result.returncode, result.stderr) == (
            2,
            "todo: error: the tags of alice's todos are theirs to change\n",
        )
    assert "groceries" in ok(alice, "alice", "show", "3")


def test_both_logs_show_who_and_each_undoes_their_own(alice: InProcess) -> None:
    ok(alice, "alice", "share", "groceries", "--with", "bob", "--write")
    ok(alice, "bob", "done", "alice/1")
    alice_log = ok(alice, "alice", "log").splitlines()
    assert alice_log[0].split("\t")[2:] == ["done", "1: Milk (by bob)"]
    assert ok(alice, "bob", "log").split("\t")[2:] == ["done", "alice/1: Milk\n"]
    # alice's own last change (the add of Eggs) changed since? No: bob's
    # done was of Milk. Her undo takes back her own, not bob's.
    assert ok(alice, "alice", "undo") == "Undid add 3: Eggs (removed)\n"
    assert ok(alice, "bob", "undo") == "Undid done alice/1: Milk (open again)\n"
    # Once alice changes it after bob's change, bob's undo refuses.
    ok(alice, "bob", "done", "alice/1")
    ok(alice, "alice", "edit", "1", "-n", "oat milk")
    result = as_(alice, "bob", "undo")
    assert result.returncode == 1
    assert result.stderr.startswith("todo: error: cannot undo the done of todo alice/1 ")


def test_shares_lists_both_ways_and_unshare_revokes(alice: InProcess) -> None:
    ok(alice, "carol", "share", "work", "--with", "alice", "--write")
    assert ok(alice, "alice", "shares") == "+groceries\tto bob\tread\n+work\tfrom carol\twrite\n"
    assert json.loads(ok(alice, "bob", "shares", "--json")) == {
        "mine": [],
        "with_me": [{"owner": "alice", "tag": "groceries", "write": False}],
    }
    assert ok(alice, "alice", "unshare", "groceries", "--with", "bob") == (
        "Stopped sharing +groceries with bob\n"
    )
    assert ok(alice, "bob", "list", "--shared") == ""
    result = as_(alice, "alice", "unshare", "groceries", "--with", "bob")
    assert (result.returncode, result.stderr) == (
        1,
        "todo: error: you do not share +groceries with bob (see: todo shares)\n",
    )
    result = as_(alice, "alice", "share", "groceries", "--with", "alice")
    assert result.returncode == 2


def test_a_new_todo_with_the_tag_is_shared_too(alice: InProcess) -> None:
    ok(alice, "alice", "add", "Butter", "-t", "groceries")
    ok(alice, "alice", "edit", "2", "-t", "+groceries")
    assert ok(alice, "bob", "list", "--shared", "--sort", "number") == (
        "alice/1\topen\tMilk\nalice/2\topen\tDiary\nalice/3\topen\tEggs\nalice/4\topen\tButter\n"
    )
    ok(alice, "alice", "edit", "2", "-t", "-groceries")
    assert "alice/2" not in ok(alice, "bob", "list", "--shared")


def test_one_owners_todos_at_a_time(alice: InProcess) -> None:
    result = as_(alice, "bob", "done", "alice/1", "3")
    assert (result.returncode, result.stderr) == (
        2,
        "todo: error: one owner's todos at a time: give yours and each owner's in separate "
        "commands\n",
    )
    # Your own name before a number is your own todo.
    assert ok(alice, "alice", "done", "alice/1") == "Completed 1: Milk\n"


def test_undo_never_takes_back_what_is_no_longer_shared(alice: InProcess) -> None:
    """bob's done made alice's next todo; she made it private; bob's undo
    reopens his done but leaves her todo alone."""
    ok(alice, "alice", "share", "groceries", "--with", "bob", "--write")
    ok(alice, "alice", "add", "Weekly shop", "-t", "groceries", "--every", "week")
    ok(alice, "bob", "done", "alice/4")
    ok(alice, "alice", "edit", "5", "-t", "-groceries", "-t", "+private")
    result = as_(alice, "bob", "undo")
    assert result.returncode == 0, result.stderr
    assert "5\topen\tWeekly shop" in ok(alice, "alice", "list")


def test_the_log_shows_no_title_of_what_is_no_longer_shared(alice: InProcess) -> None:
    ok(alice, "alice", "share", "groceries", "--with", "bob", "--write")
    ok(alice, "bob", "edit", "alice/3", "-p", "low")
    ok(alice, "alice", "unshare", "groceries", "--with", "bob")
    ok(alice, "alice", "edit", "3", "--title", "Eggs, and the diagnosis")
    assert "diagnosis" not in ok(alice, "bob", "log")


def test_unshare_revokes_one_grantee_and_leaves_the_others(alice: InProcess) -> None:
    ok(alice, "alice", "share", "groceries", "--with", "carol", "--write")
    ok(alice, "alice", "share", "home", "--with", "bob")
    assert ok(alice, "alice", "unshare", "groceries", "--with", "bob") == (
        "Stopped sharing +groceries with bob\n"
    )
    assert ok(alice, "alice", "shares") == "+groceries\tto carol\twrite\n+home\tto bob\tread\n"
    assert ok(alice, "carol", "list", "--shared", "--sort", "number") == (
        "alice/1\topen\tMilk\nalice/3\topen\tEggs\n"
    )
    assert ok(alice, "carol", "done", "alice/1") == "Completed alice/1: Milk\n"
    assert ok(alice, "bob", "list", "--shared") == "alice/2\topen\tDiary\n"


def test_add_to_anothers_list_refuses_a_tag_they_do_not_share_to_write(
    alice: InProcess,
) -> None:
    """Never silently swapped for a tag that is shared: refused, nothing added."""
    ok(alice, "alice", "share", "groceries", "--with", "bob", "--write")
    for tag in ("work", "home"):  # home: alice's, but not shared with bob
        result = as_(alice, "bob", "add", "Bread", "--owner", "alice", "-t", tag)
        assert (result.returncode, result.stdout, result.stderr) == (
            2,
            "",
            "todo: error: a todo added to alice's list carries only tags they share with you "
            "to write: +groceries\n",
        )
    result = as_(alice, "bob", "add", "Bread", "--owner", "alice", "-t", "groceries", "-t", "work")
    assert (result.returncode, result.stdout) == (2, "")
    assert ok(alice, "alice", "list", "--sort", "number") == (
        "1\topen\tMilk\n2\topen\tDiary\n3\topen\tEggs\n"
    )
    assert ok(alice, "alice", "add", "Jam") == "4\n"  # no number was taken


def test_add_to_anothers_list_keeps_the_shared_tag_given(alice: InProcess) -> None:
    """Of two tags shared to write, the one given is the one it carries."""
    ok(alice, "alice", "share", "groceries", "--with", "bob", "--write")
    ok(alice, "alice", "share", "baking", "--with", "bob", "--write")
    assert ok(alice, "bob", "add", "Flour", "--owner", "alice", "-t", "groceries") == "alice/4\n"
    assert ok(alice, "bob", "add", "Yeast", "--owner", "alice", "-t", "baking") == "alice/5\n"
    tags = {t["number"]: t["tags"] for t in json.loads(ok(alice, "alice", "list", "--json"))}
    assert (tags[4], tags[5]) == (["groceries"], ["baking"])
    # With none given and two to choose from, it asks which.
    result = as_(alice, "bob", "add", "Sugar", "--owner", "alice")
    assert (result.returncode, result.stderr) == (
        2,
        "todo: error: a todo added to alice's list carries only tags they share with you "
        "to write: +baking, +groceries\n",
    )
