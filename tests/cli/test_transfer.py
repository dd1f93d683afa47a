"""`todo export` and `todo import` through the real main(), on every backend
where the database is involved; the real peers (todo.txt-cli's todo.sh,
installed by Debian as todo-txt, and taskwarrior's task) where there is one.

Without a peer its tests skip with a reason; under CI=true they fail instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from tests.support.inprocess import InProcess
from tests.support.peers import Task, TodoTxt

# A fixed dataset in the exact layout of `todo export`: importing it into a
# new user keeps numbers and timestamps, so every export of it is exact.
FIXED = """\
[
  {
    "number": 1,
    "title": "Buy milk, eggs & \\"bread\\" 🥛",
    "done": false,
    "priority": "high",
    "due": "2026-12-01T10:59:59.000000Z",
    "tags": [
      "home.garden",
      "shop"
    ],
    "note": "first line\\nsecond, \\"quoted\\"",
    "created_at": "2026-11-01T09:00:00.000000Z",
    "updated_at": "2026-11-02T09:30:00.123456Z",
    "completed_at": null,
    "every": "1w",
    "until": "2027-06-30T11:59:59.000000Z",
    "wait": "2026-11-28T10:59:59.000000Z",
    "wait_before": "3d",
    "owner": "tester"
  },
  {
    "number": 2,
    "title": "Pay rent",
    "done": true,
    "priority": "low",
    "due": null,
    "tags": [
      "home"
    ],
    "note": null,
    "created_at": "2026-11-01T09:00:00.000000Z",
    "updated_at": "2026-11-20T08:15:00.000000Z",
    "completed_at": "2026-11-20T08:15:00.000000Z",
    "every": null,
    "until": null,
    "wait": null,
    "wait_before": null,
    "owner": "tester"
  },
  {
    "number": 4,
    "title": "Read a book",
    "done": false,
    "priority": null,
    "due": null,
    "tags": [],
    "note": null,
    "created_at": "2026-11-03T23:30:00.000000Z",
    "updated_at": "2026-11-03T23:30:00.000000Z",
    "completed_at": null,
    "every": null,
    "until": null,
    "wait": "2026-12-05T11:00:00.000000Z",
    "wait_before": null,
    "owner": "tester"
  }
]
"""
# Exported with TZ=Pacific/Auckland (UTC+13 in November): dates in todo.txt
# are local days, so "Read a book", created 23:30 UTC on the 3rd, is the 4th.
AUCKLAND = "Pacific/Auckland"
FIXED_EXPORTS = {
    "todotxt": (
        '(A) 2026-11-01 Buy milk, eggs & "bread" 🥛 +home.garden +shop due:2026-12-01 rec:+1w '
        "t:2026-11-28 id:1\n"
        "x 2026-11-20 2026-11-01 Pay rent +home pri:C id:2\n"
        "2026-11-04 Read a book t:2026-12-06 id:4\n"
    ),
    "csv": (
        "number,title,done,priority,due,tags,note,created_at,updated_at,completed_at,every,until,"
        "wait,wait_before\r\n"
        '1,"Buy milk, eggs & ""bread"" 🥛",false,high,2026-12-01T10:59:59.000000Z,'
        'home.garden shop,"first line\nsecond, ""quoted""",2026-11-01T09:00:00.000000Z,'
        "2026-11-02T09:30:00.123456Z,,1w,2027-06-30T11:59:59.000000Z,2026-11-28T10:59:59.000000Z,"
        "3d\r\n"
        "2,Pay rent,true,low,,home,,2026-11-01T09:00:00.000000Z,2026-11-20T08:15:00.000000Z,"
        "2026-11-20T08:15:00.000000Z,,,,\r\n"
        "4,Read a book,false,,,,,2026-11-03T23:30:00.000000Z,2026-11-03T23:30:00.000000Z,,,,"
        "2026-12-05T11:00:00.000000Z,\r\n"
    ),
    # The uuids are fixed forever (formats.records._NAMESPACE): a change would
    # make taskwarrior duplicate every task on the next import. An open
    # repeating todo is a template and its pending instance, as Taskwarrior
    # keeps them (importing a lone pending task with recur twice made two).
    "taskwarrior": (
        "[\n"
        '{"uuid": "098109b7-b751-5e47-a21e-ef73cadc08d9", "description": "Buy milk, eggs & \\"bread\\" 🥛", '
        '"status": "recurring", "entry": "20261101T090000Z", "modified": "20261102T093000Z", '
        '"due": "20261201T105959Z", "priority": "H", "tags": ["home.garden", "shop"], '
        '"recur": "weekly", "until": "20270630T115959Z", "wait": "20261128T105959Z", '
        '"annotations": [{"entry": "20261102T093000Z", "description": "first line"}, '
        '{"entry": "20261102T093001Z", "description": "second, \\"quoted\\""}], '
        '"rtype": "periodic", "mask": "-"},\n'
        '{"uuid": "4d77a6a6-b356-5fd7-8cba-c5733a2829cb", "description": "Buy milk, eggs & \\"bread\\" 🥛", '
        '"status": "pending", "entry": "20261101T090000Z", "modified": "20261102T093000Z", '
        '"due": "20261201T105959Z", "priority": "H", "tags": ["home.garden", "shop"], '
        '"recur": "weekly", "until": "20270630T115959Z", "wait": "20261128T105959Z", '
        '"annotations": [{"entry": "20261102T093000Z", "description": "first line"}, '
        '{"entry": "20261102T093001Z", "description": "second, \\"quoted\\""}], '
        '"parent": "098109b7-b751-5e47-a21e-ef73cadc08d9", "imask": 0, "rtype": "periodic"},\n'
        '{"uuid": "17bd20b0-274d-50b6-b418-9af111e75bd9", "description": "Pay rent", "status": "completed", '
        '"entry": "20261101T090000Z", "modified": "20261120T081500Z", '
        '"end": "20261120T081500Z", "priority": "L", "tags": ["home"]},\n'
        '{"uuid": "48ce0ac6-b574-536a-86ef-03c1af158ec1", "description": "Read a book", "status": "pending", '
        '"entry": "20261103T233000Z", "modified": "20261103T233000Z", "wait": "20261205T110000Z"}\n'
        "]\n"
    ),
}


@pytest.fixture(autouse=True)
def _utc(todo: InProcess) -> None:
    """A fixed zone, whatever the machine's: dates in the output are local."""
    todo.env["TZ"] = "UTC"


def run_ok(todo: InProcess, *args: str, **kw: object) -> tuple[str, str]:
    """(stdout, stderr) of a command that must succeed."""
    result = todo(*args, **kw)  # type: ignore[arg-type]
    assert result.returncode == 0, (args, result.returncode, result.stdout, result.stderr)
    return result.stdout, result.stderr


def run_raw(todo: InProcess, *args: str, env: dict[str, str] | None = None) -> tuple[bytes, bytes]:
    """(stdout, stderr) as bytes, line ends as written (csv's are CRLF)."""
    result = todo(*args, env=env)
    assert result.returncode == 0, (args, result)
    return result.stdout.encode(), result.stderr.encode()


def import_fixed(todo: InProcess, tmp_path: Path, user: str = "tester") -> Path:
    path = tmp_path / "fixed.json"
    path.write_text(FIXED, encoding="utf-8")
    assert run_ok(todo, "--user", user, "import", str(path)) == (
        "Imported 3 todos (1-4) from json\n",
        "",
    )
    return path


def listed(todo: InProcess, *args: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(
        todo.ok(*args, "list", "--all", "--json", "--sort", "number")
    )
    return items


def utc_day(iso: str) -> date:
    return datetime.fromisoformat(iso).astimezone(UTC).date()


def parts(todos: list[dict[str, object]], *fields: str) -> list[tuple[object, ...]]:
    return [tuple(t[f] for f in fields) for t in todos]


# --- 1. json round trip -------------------------------------------------------


def test_json_round_trip_into_another_user_is_byte_identical(todo_db: InProcess) -> None:
    """Byte for byte, but for whose they are ("owner")."""
    todo_db.ok("add", "Write report", "-p", "high", "-d", "2030-06-01T09:30Z", "-t", "work")
    todo_db.ok("add", "Gone soon", "-t", "x")
    todo_db.ok(
        "add", "Pay rent ünd 🏠", "-p", "low", "-d", "2030-01-31", "-t", "home", "-t", "money",
        "-n", "line one\n  line two, \"quoted\"",
    )  # fmt: skip
    todo_db.ok("add", "Plain")
    todo_db.ok("done", "3")
    todo_db.ok("edit", "1", "--note", "edited later")
    todo_db.ok("rm", "--yes", "2")  # a gap in the numbers

    original = todo_db.ok("export")
    assert [t["number"] for t in json.loads(original)] == [1, 3, 4]
    assert run_ok(todo_db, "export", "-o", "f.json") == ("", "Exported 3 todos to f.json\n")
    assert (todo_db.cwd / "f.json").read_text(encoding="utf-8") == original

    assert run_ok(todo_db, "--user", "other", "import", "f.json") == (
        "Imported 3 todos (1-4) from json\n",
        "",
    )
    theirs = original.replace('"owner": "tester"', '"owner": "other"')
    assert theirs.count('"owner": "other"') == 3
    assert todo_db.ok("--user", "other", "export").encode() == theirs.encode()
    log = todo_db.ok("--user", "other", "log", "--json")

    # Again: every item was imported before, so nothing changes.
    assert run_ok(todo_db, "--user", "other", "import", "f.json") == (
        "Imported 0 todos from json; skipped 3\n",
        "  skipped already imported: Write report\n"
        "  skipped already imported: Pay rent ünd 🏠\n"
        "  skipped already imported: Plain\n",
    )
    assert todo_db.ok("--user", "other", "export") == theirs
    assert todo_db.ok("--user", "other", "log", "--json") == log
    # New todos of the copy are numbered after the imported ones.
    assert todo_db.ok("--user", "other", "add", "next") == "5\n"


def test_import_into_a_user_with_todos_renumbers_after_the_last(
    todo_db: InProcess, tmp_path: Path
) -> None:
    todo_db.ok("--user", "busy", "add", "-", input="a\nb\nc\nd\ne\n")
    path = tmp_path / "fixed.json"
    path.write_text(FIXED, encoding="utf-8")
    # Number 1, 2 and 4 are taken: all three go after 5, in file order.
    assert json.loads(todo_db.ok("--user", "busy", "import", str(path), "--json")) == {
        "format": "json",
        "added": 3,
        "numbers": [6, 7, 8],
        "skipped": [],
    }
    moved = listed(todo_db, "--user", "busy")[5:]
    fixed = json.loads(FIXED)
    for got, want in zip(moved, fixed, strict=True):
        assert got == {**want, "number": got["number"], "owner": "busy"}
    assert [t["number"] for t in moved] == [6, 7, 8]


# --- 2. exact output of every format ------------------------------------------


def test_export_formats_exact(todo_db: InProcess, tmp_path: Path) -> None:
    import_fixed(todo_db, tmp_path)
    for format, expected in {"json": FIXED, **FIXED_EXPORTS}.items():
        out, err = run_raw(todo_db, "export", "--format", format, env={"TZ": AUCKLAND})
        assert (out.decode(), err) == (expected, b""), format
        # -o writes the same bytes (csv keeps its CRLF rows, and the LF in a note).
        out_file = todo_db.cwd / f"out.{format}"
        assert run_raw(
            todo_db, "export", "-f", format, "-o", str(out_file), env={"TZ": AUCKLAND}
        ) == (
            b"",
            f"Exported 3 todos to {out_file}\n".encode(),
        )
        assert out_file.read_bytes() == out, format


@pytest.mark.parametrize("backend", ["sqlite"])
def test_export_of_todos_added_now_is_dated_today(todo_db: InProcess) -> None:
    # A minute before midnight, then a minute after: each line is dated the
    # day its todo was made or done (UTC is the zone here).
    todo_db.clock = lambda: datetime(2026, 11, 29, 23, 59, tzinfo=UTC)
    todo_db.ok("add", "Water plants", "-p", "m", "-d", "2030-12-24", "-t", "garden", "-t", "home")
    todo_db.ok("add", "Call mom", "-p", "h")
    todo_db.clock = lambda: datetime(2026, 11, 30, 0, 1, tzinfo=UTC)
    todo_db.ok("done", "2")
    assert todo_db.ok("export", "-f", "todotxt") == (
        "(B) 2026-11-29 Water plants +garden +home due:2030-12-24 id:1\n"
        "x 2026-11-30 2026-11-29 Call mom pri:A id:2\n"
    )


EMPTY = {
    "json": "[]\n",
    "todotxt": "",
    "csv": "number,title,done,priority,due,tags,note,created_at,updated_at,completed_at,every,until,wait,wait_before\r\n",
    "taskwarrior": "[]\n",
}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_export_of_nothing(todo_db: InProcess) -> None:
    todo_db.ok("--user", "someone", "add", "not mine")
    for format, empty in EMPTY.items():
        assert run_raw(todo_db, "export", "-f", format) == (empty.encode(), b""), format
        assert run_ok(todo_db, "export", "-f", format, "-o", "e.out") == (
            "",
            "Exported 0 todos to e.out\n",
        )
        assert (todo_db.cwd / "e.out").read_bytes() == empty.encode(), format


@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_empty_export_imports_as_nothing(todo_db: InProcess) -> None:
    (todo_db.cwd / "e.json").write_text(todo_db.ok("export"))
    assert todo_db.ok("import", "e.json") == "Imported 0 todos from json\n"
    (todo_db.cwd / "e.txt").write_text(todo_db.ok("export", "-f", "todotxt"))
    assert todo_db.ok("import", "e.txt") == "Imported 0 todos from todotxt\n"
    assert todo_db.ok("import", "-", input="") == "Imported 0 todos from todotxt\n"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_export_refuses_an_unknown_format(todo_db: InProcess) -> None:
    result = todo_db("export", "-f", "xml", "-o", "x.xml")
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        "todo: error: unknown format 'xml': use json, todotxt, csv, taskwarrior\n",
    )
    assert list(todo_db.cwd.iterdir()) == []


# --- 3. -o replaces the file whole, or not at all -----------------------------


@pytest.mark.parametrize("backend", ["sqlite"])
def test_export_to_a_file_is_atomic(todo_db: InProcess, db_url: str) -> None:
    todo_db.ok("add", "-", input="one\ntwo\nthree\n")
    work = todo_db.cwd

    # A file that cannot be written, as the README's table has it: 6 (not 2).
    result = todo_db("export", "-o", "nodir/x.json")
    assert (result.returncode, result.stdout, result.stderr) == (
        6,
        "",
        "todo: error: cannot write nodir/x.json: no such directory nodir\n",
    )
    assert list(work.iterdir()) == []  # no directory made, no file, no .part

    target = work / "todos.json"
    target.write_text("old contents\n")
    assert run_ok(todo_db, "export", "-o", str(target)) == (
        "",
        f"Exported 3 todos to {target}\n",
    )
    assert target.read_text(encoding="utf-8") == todo_db.ok("export")
    assert [p.name for p in work.iterdir()] == ["todos.json"]
    # The file keeps its mode; a new one gets what `todo export > FILE` would.
    target.chmod(0o640)
    run_ok(todo_db, "export", "-o", str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    umask = os.umask(0o022)
    os.umask(umask)
    run_ok(todo_db, "export", "-o", str(work / "new.json"))
    assert stat.S_IMODE((work / "new.json").stat().st_mode) == 0o666 & ~umask
    (work / "new.json").unlink()

    # A failure halfway through the rows (todo 3's title is not UTF-8: a
    # damaged file) leaves the old file as it was, and no temporary file
    # next to it.
    target.write_text("old contents\n")
    with contextlib.closing(sqlite3.connect(db_url.removeprefix("sqlite:///"))) as conn, conn:
        conn.execute("UPDATE todos SET title = CAST(x'ff' AS TEXT) WHERE number = 3")
    streamed = todo_db("export")
    assert (streamed.returncode, streamed.stdout) == (6, ""), streamed.stderr
    result = todo_db("export", "-o", str(target))
    assert (result.returncode, result.stdout) == (6, "")
    assert result.stderr.startswith("todo: error: ")
    assert result.stderr.count("\n") == 1
    assert "damaged" in result.stderr
    assert target.read_text() == "old contents\n"
    assert [p.name for p in work.iterdir()] == ["todos.json"]

    result = todo_db("export", "-o", str(work))  # a directory is not a file
    assert (result.returncode, result.stdout) == (6, "")
    assert result.stderr == f"todo: error: cannot write {work}: it is a directory\n"


# --- 4. import refuses bad input, and then nothing is imported ----------------


@pytest.mark.parametrize("backend", ["sqlite"])
def test_import_errors_change_nothing(todo_db: InProcess) -> None:
    work = todo_db.cwd
    todo_db.ok("add", "mine")
    before = todo_db.ok("export"), todo_db.ok("log", "--json")
    (work / "latin1.json").write_bytes('[{"title": "café"}]'.encode("latin-1"))
    (work / "broken.json").write_text('[\n  {"title": "a"}\n  {"title": "b"}\n]\n')
    (work / "tasks.json").write_text('[{"description": "a", "status": "pending"}]\n')
    (work / "export.csv").write_text(todo_db.ok("export", "-f", "csv"))
    (work / "folder").mkdir()
    cases = [
        (["missing.json"], "no such file: missing.json"),
        (["latin1.json"], "latin1.json is not UTF-8 text (byte 15); convert it first, e.g. with iconv"),
        (
            ["broken.json"],
            "the input is not valid JSON: Expecting ',' delimiter at line 3 column 3; "
            "fix the file, or pass --format todotxt if it is a todo.txt file",
        ),
        (
            ["export.csv", "--format", "csv"],
            "cannot import format 'csv' (csv is for export only); use json, todotxt or taskwarrior",
        ),
        (["tasks.json", "-f", "json"], "the input is a taskwarrior export, not json; pass --format taskwarrior"),
        (["folder"], "folder is a directory; give a file"),
    ]  # fmt: skip
    for args, message in cases:
        result = todo_db("import", *args)
        assert (result.returncode, result.stdout, result.stderr) == (
            2,
            "",
            f"todo: error: {message}\n",
        ), args
    assert (todo_db.ok("export"), todo_db.ok("log", "--json")) == before


# --- 5. skipped items ---------------------------------------------------------

TASKS = [
    {
        "uuid": "6f1c2a0e-3d4b-4c5d-8e9f-0a1b2c3d4e5f",
        "description": "Keep me",
        "status": "pending",
        "entry": "20261101T090000Z",
        "modified": "20261101T090000Z",
        "priority": "H",
        "project": "home",
        "tags": ["shop"],
    },
    {
        "uuid": "7f1c2a0e-3d4b-4c5d-8e9f-0a1b2c3d4e5f",
        "description": "Thrown away",
        "status": "deleted",
        "entry": "20261101T090000Z",
        "end": "20261102T090000Z",
    },
    {
        "uuid": "8f1c2a0e-3d4b-4c5d-8e9f-0a1b2c3d4e5f",
        "description": "Finished",
        "status": "completed",
        "entry": "20261101T090000Z",
        "modified": "20261103T090000Z",
        "end": "20261103T090000Z",
    },
    {
        "uuid": "9f1c2a0e-3d4b-4c5d-8e9f-0a1b2c3d4e5f",
        "description": "Every week",
        "status": "recurring",
        "entry": "20261101T090000Z",
        "due": "20261110T090000Z",
        "recur": "weekly",
    },
]


def test_import_reports_what_it_skipped(todo_db: InProcess, tmp_path: Path) -> None:
    path = tmp_path / "tw.json"
    path.write_text(json.dumps(TASKS))
    assert run_ok(todo_db, "import", str(path)) == (
        "Imported 3 todos (1-3) from taskwarrior; skipped 1\n",
        "  skipped item 2: deleted in taskwarrior\n",
    )
    # A recurring template with no instance in the file is its own open todo.
    assert parts(
        listed(todo_db), "number", "title", "done", "priority", "tags", "completed_at", "every"
    ) == [
        (1, "Keep me", False, "high", ["home", "shop"], None, None),
        (2, "Finished", True, None, [], "2026-11-03T09:00:00.000000Z", None),
        (3, "Every week", False, None, [], None, "1w"),
    ]
    assert json.loads(todo_db.ok("import", str(path), "--json")) == {
        "format": "taskwarrior",
        "added": 0,
        "numbers": [],
        "skipped": [
            {"item": 2, "reason": "deleted in taskwarrior"},
            {"item": None, "reason": "already imported: Keep me"},
            {"item": None, "reason": "already imported: Finished"},
            {"item": None, "reason": "already imported: Every week"},
        ],
    }


@pytest.mark.parametrize("backend", ["sqlite"])
def test_import_shows_ten_skips_then_counts_the_rest(todo_db: InProcess) -> None:
    gone = [
        {**TASKS[1], "uuid": f"00000000-0000-4000-8000-{i:012d}", "description": f"gone {i}"}  # type: ignore[dict-item]
        for i in range(12)
    ]
    text = json.dumps([*gone[:5], TASKS[0], *gone[5:]])
    assert run_ok(todo_db, "import", "-", input=text) == (
        "Imported 1 todo (1) from taskwarrior; skipped 12\n",
        "".join(f"  skipped item {i}: deleted in taskwarrior\n" for i in (1, 2, 3, 4, 5, 7, 8, 9, 10, 11))
        + "  … and 2 more skipped (--json lists all)\n",
    )  # fmt: skip
    out, err = run_ok(todo_db, "import", "-", "--json", input=text)
    assert err == ""
    assert json.loads(out) == {
        "format": "taskwarrior",
        "added": 0,
        "numbers": [],
        "skipped": [
            *({"item": i, "reason": "deleted in taskwarrior"} for i in (*range(1, 6), *range(7, 14))),
            {"item": None, "reason": "already imported: Keep me"},
        ],
    }  # fmt: skip


# --- 6. one transaction, one undo ---------------------------------------------


def _poison(backend: str, db_url: str, request: pytest.FixtureRequest) -> Callable[[bool], None]:
    """poison(True) makes the database refuse the tag "poison" (a trigger that
    fires after the todos are in, halfway through the import's transaction);
    poison(False) lifts it."""
    if backend == "sqlite":
        path = db_url.removeprefix("sqlite:///")

        def on_sqlite(on: bool) -> None:
            with contextlib.closing(sqlite3.connect(path)) as conn, conn:
                conn.execute(
                    "CREATE TRIGGER poison BEFORE INSERT ON todo_tags WHEN NEW.tag = 'poison' "
                    "BEGIN SELECT RAISE(ABORT, 'poisoned tag'); END"
                    if on
                    else "DROP TRIGGER poison"
                )

        return on_sqlite
    pg = request.getfixturevalue("pg_url")

    def on_pg(on: bool) -> None:
        with contextlib.closing(psycopg2.connect(pg)) as conn, conn, conn.cursor() as cur:
            cur.execute(
                "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.tag = 'poison' THEN RAISE EXCEPTION 'poisoned tag'; END IF; "
                "RETURN NEW; END $$; "
                "CREATE TRIGGER poison BEFORE INSERT ON todo_tags "
                "FOR EACH ROW EXECUTE FUNCTION poison()"
                if on
                else "DROP TRIGGER poison ON todo_tags; DROP FUNCTION poison()"
            )

    request.addfinalizer(lambda: on_pg(False) if _has_poison(pg) else None)
    return on_pg


def _has_poison(pg_url: str) -> bool:
    with contextlib.closing(psycopg2.connect(pg_url)) as conn, conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_trigger WHERE tgname = 'poison'")
        return cur.fetchone() is not None


def test_import_is_all_or_nothing_and_undone_in_one_go(
    todo_db: InProcess, backend: str, db_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    todo_db.ok("add", "mine")
    before = todo_db.ok("export"), todo_db.ok("log", "--json")
    txt = tmp_path / "todo.txt"
    txt.write_text("(A) one +ok\ntwo +poison due:2030-01-02\nx three\n")

    poison = _poison(backend, db_url, request)
    poison(True)
    result = todo_db("import", str(txt))
    assert (result.returncode, result.stdout) == (1, "")
    assert "poisoned tag" in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert (todo_db.ok("export"), todo_db.ok("log", "--json")) == before
    poison(False)

    assert run_ok(todo_db, "import", str(txt)) == ("Imported 3 todos (2-4) from todotxt\n", "")
    assert parts(listed(todo_db), "number", "title", "done", "priority", "tags") == [
        (1, "mine", False, None, []),
        (2, "one", False, "high", ["ok"]),
        (3, "two", False, None, ["poison"]),
        (4, "three", True, None, []),
    ]
    assert todo_db.ok("undo") == "Undid import 2-4: one and 2 more (removed)\n"
    assert todo_db.ok("list", "--all") == "1\topen\tmine\n"
    imported, added = json.loads(todo_db.ok("log", "--json"))
    assert (imported["action"], imported["numbers"], imported["undone"]) == (
        "import",
        [2, 3, 4],
        True,
    )
    assert imported["summary"] == "2-4: one and 2 more"
    assert (added["action"], added["undone"]) == ("add", False)
    lines = todo_db.ok("log").splitlines()
    assert lines[0].split("\t")[2:] == ["import", "2-4: one and 2 more", "undone"]
    # Undone is gone: importing again adds them anew, numbered after the last.
    assert todo_db.ok("import", str(txt)) == "Imported 3 todos (5-7) from todotxt\n"


# --- 7. the real peers --------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite"])
def test_todo_sh_reads_our_todotxt_export(todo_db: InProcess, tmp_path: Path) -> None:
    todotxt = TodoTxt(tmp_path, TZ="UTC")
    todo_db.clock = lambda: datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    todo_db.ok("add", "Buy milk", "-p", "high", "-d", "2030-12-01", "-t", "shop", "-t", "home")
    todo_db.ok("add", "Write report", "-p", "medium", "-t", "work")
    todo_db.ok("add", "Call mom", "-p", "low")
    todo_db.ok("add", "Pay rent", "-p", "high", "-t", "home")
    todo_db.ok("add", "Read a book", "-n", "notes are not in todo.txt")
    todo_db.ok("done", "4")
    (todotxt.dir / "todo.txt").write_text(todo_db.ok("export", "-f", "todotxt"))
    todos = listed(todo_db)
    day = done = "2026-11-30"  # the clock above

    assert todotxt("ls") == (
        f"1 (A) {day} Buy milk +home +shop due:2030-12-01 id:1\n"
        f"2 (B) {day} Write report +work id:2\n"
        f"3 (C) {day} Call mom id:3\n"
        f"5 {day} Read a book id:5\n"
        f"4 x {done} {day} Pay rent +home pri:A id:4\n"
        "--\n"
        "TODO: 5 of 5 tasks shown\n"
    )
    # todo.sh sees no (A) on a done task: its priority rides in pri:A.
    assert todotxt("listpri") == (
        f"1 (A) {day} Buy milk +home +shop due:2030-12-01 id:1\n"
        f"2 (B) {day} Write report +work id:2\n"
        f"3 (C) {day} Call mom id:3\n"
        "--\n"
        "TODO: 3 of 5 tasks shown\n"
    )
    assert todotxt("listproj") == "+home\n+shop\n+work\n"
    assert todotxt("ls", "+home") == (
        f"1 (A) {day} Buy milk +home +shop due:2030-12-01 id:1\n"
        f"4 x {done} {day} Pay rent +home pri:A id:4\n"
        "--\n"
        "TODO: 2 of 5 tasks shown\n"
    )
    # And back: todo.sh's file imports as the same todos, less the note.
    out = todo_db.ok("--user", "back", "import", str(todotxt.dir / "todo.txt"))
    assert out == "Imported 5 todos (1-5) from todotxt\n"
    fields = ("title", "done", "priority", "due", "tags")
    assert parts(listed(todo_db, "--user", "back"), *fields) == parts(todos, *fields)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_we_import_what_task_export_writes(todo_db: InProcess, tmp_path: Path) -> None:
    task = Task(tmp_path)
    task("add", "Buy milk", "due:2030-12-01", "priority:H", "+shop", "project:home.garden")
    task("add", "Write report", "priority:M", "due:2030-12-01T17:00:00Z", "+work", "+q4")
    task("add", "Finished one", "+work")
    task("add", "Deleted one")
    task("add", "Plain one")
    task("1", "annotate", "call the shop first")
    task("1", "annotate", "then go")
    task("3", "done")
    task("4", "delete")
    text = task("export")
    (tmp_path / "tw.json").write_text(text)
    raw = {t["description"]: t for t in json.loads(text)}
    position = list(raw).index("Deleted one") + 1

    assert run_ok(todo_db, "import", str(tmp_path / "tw.json")) == (
        "Imported 4 todos (1-4) from taskwarrior; skipped 1\n",
        f"  skipped item {position}: deleted in taskwarrior\n",
    )
    todos = {t["title"]: t for t in listed(todo_db)}
    assert [t["title"] for t in listed(todo_db)] == [d for d in raw if d != "Deleted one"]

    def tw(value: str) -> str:
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").strftime("%Y-%m-%dT%H:%M:%S.000000Z")

    days = [tw(a["entry"])[:10] for a in raw["Buy milk"]["annotations"]]
    fields = ("done", "priority", "due", "tags", "note", "created_at", "completed_at")
    assert {title: tuple(t[f] for f in fields) for title, t in todos.items()} == {
        "Buy milk": (
            False, "high", "2030-12-01T23:59:59.000000Z", ["home.garden", "shop"],
            f"{days[0]}: call the shop first\n{days[1]}: then go",
            tw(raw["Buy milk"]["entry"]), None,
        ),
        "Write report": (
            False, "medium", "2030-12-01T17:00:00.000000Z", ["q4", "work"], None,
            tw(raw["Write report"]["entry"]), None,
        ),
        "Finished one": (
            True, None, None, ["work"], None,
            tw(raw["Finished one"]["entry"]), tw(raw["Finished one"]["end"]),
        ),
        "Plain one": (False, None, None, [], None, tw(raw["Plain one"]["entry"]), None),
    }  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite"])
def test_taskwarrior_round_trip_through_task(todo_db: InProcess, tmp_path: Path) -> None:
    task = Task(tmp_path)
    todo_db.ok("add", "Buy milk ünd Brot", "-p", "high", "-d", "2030-12-01", "-t", "home.garden",
               "-t", "shop-1", "-n", "first line\n\nsecond line")  # fmt: skip
    todo_db.ok("add", "Pay rent", "-p", "low", "-t", "home")
    todo_db.ok("add", "Read a book")
    todo_db.ok("done", "2")
    ours = tmp_path / "ours.json"
    ours.write_text(todo_db.ok("export"))
    (tmp_path / "out.tw").write_text(todo_db.ok("export", "-f", "taskwarrior"))
    task("import", str(tmp_path / "out.tw"))
    back = tmp_path / "back.json"
    back.write_text(task("export"))
    assert sorted(t["status"] for t in json.loads(back.read_text())) == [
        "completed", "pending", "pending",
    ]  # fmt: skip

    assert run_ok(todo_db, "--user", "x", "import", str(back)) == (
        "Imported 3 todos (1-3) from taskwarrior\n",
        "",
    )
    fields = ("title", "done", "priority", "due", "tags")
    mine, theirs = listed(todo_db), listed(todo_db, "--user", "x")
    assert sorted(parts(theirs, *fields)) == sorted(parts(mine, *fields))
    day = utc_day(mine[0]["updated_at"])
    assert [t["note"] for t in theirs if t["title"] == "Buy milk ünd Brot"] == [
        f"{day}: first line\n{day}: second line"
    ]
    # A todo back from taskwarrior has the identity our json gives it.
    assert run_ok(todo_db, "--user", "x", "import", str(ours)) == (
        "Imported 0 todos from json; skipped 3\n",
        "".join(f"  skipped already imported: {t['title']}\n" for t in mine),
    )
    # Back into the account they came from, with a task added in Taskwarrior
    # and another's description changed there: our todos are recognised by
    # the uuids we gave them; only the new task is added.
    task("add", "Added in task", "priority:H")
    task("/Read a book/", "modify", "Read two books")
    back.write_text(task("export"))
    out, err = run_ok(todo_db, "import", str(back))
    assert out == "Imported 1 todo (4) from taskwarrior; skipped 3\n"
    assert sorted(err.splitlines()) == [  # (in the order of task's export)
        "  skipped already imported: Buy milk ünd Brot",
        "  skipped already imported: Pay rent",
        "  skipped already imported: Read two books",
    ]
    assert [(t["number"], t["title"]) for t in listed(todo_db)] == [
        (1, "Buy milk ünd Brot"),
        (2, "Pay rent"),
        (3, "Read a book"),
        (4, "Added in task"),
    ]


# --- 8. the progress bar is for terminals only --------------------------------


@pytest.mark.parametrize("backend", ["postgresql"])
def test_progress_bar_only_on_a_terminal_and_only_on_stderr(
    todo_db: InProcess, tmp_path: Path
) -> None:
    big = tmp_path / "big.txt"
    big.write_text("".join(f"(B) 2026-11-01 task {i}\n" for i in range(1, 3001)))
    code, stdout, stderr = todo_db.stderr_tty("--user", "a", "import", str(big))
    assert (code, stdout) == (0, "Imported 3000 todos (1-3000) from todotxt\n")
    assert "Importing" in stderr
    assert "task" not in stderr
    small = tmp_path / "small.txt"
    small.write_text("one\ntwo\n")
    assert todo_db.stderr_tty("--user", "d", "import", str(small), env={"TERM": "dumb"}) == (
        0,
        "Imported 2 todos (1-2) from todotxt\n",
        "",
    )
    # On a terminal for both, the bar is drawn, then wiped (transient).
    code, output = todo_db.tty("--user", "b", "import", str(big), env={"NO_COLOR": "1"})
    assert code == 0
    assert "Importing" in output
    assert "\x1b[?25h" in output
    # The last line-erase wipes the bar; after it comes the result, alone.
    assert output.rsplit("\x1b[2K", 1)[1] == "Imported 3000 todos (1-3000) from todotxt\n"
    # In a pipe there is no bar, and nothing at all on stderr.
    assert run_ok(todo_db, "--user", "c", "import", str(big)) == (
        "Imported 3000 todos (1-3000) from todotxt\n",
        "",
    )
    assert run_ok(todo_db, "--user", "c", "import", str(big)) == (
        "Imported 0 todos from todotxt; skipped 3000\n",
        "".join(f"  skipped already imported: task {i}\n" for i in range(1, 11))
        + "  … and 2990 more skipped (--json lists all)\n",
    )


def test_a_backup_restored_into_its_own_account_adds_only_what_is_missing(
    todo_db: InProcess,
) -> None:
    todo_db.ok("add", "-", input="keep\ngone\n")
    backup = todo_db.cwd / "backup.json"
    backup.write_text(todo_db.ok("export"))
    todo_db.ok("rm", "2", "--yes")
    todo_db.ok("edit", "1", "--title", "kept, edited since")
    result = todo_db("import", str(backup))
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "Imported 1 todo (3) from json; skipped 1\n",
        "  skipped already imported: keep\n",
    )
    # Number 2 is not reused: the restored todo comes back as 3.
    assert todo_db.ok("list") == "1\topen\tkept, edited since\n3\topen\tgone\n"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_recurring_task_from_task_export_is_one_series(
    todo_db: InProcess, tmp_path: Path
) -> None:
    """Taskwarrior writes a template and the instances it made; they come in
    as one series, which goes on from its earliest pending instance."""
    task = Task(tmp_path)
    task("add", "Water plants", "due:2030-12-02", "recur:weekly", "until:2031-03-01",
         "wait:due-2d", "+home")  # fmt: skip
    task("add", "Standup", "due:2020-01-06", "recur:weekdays")  # Taskwarrior makes many
    task("count")  # Taskwarrior makes its instances when it runs
    text = task("export")
    raw = json.loads(text)
    standups = [t for t in raw if t["description"] == "Standup" and t["status"] == "pending"]
    assert len(standups) > 100
    (tmp_path / "tw.json").write_text(text)
    out, err = run_ok(todo_db, "import", str(tmp_path / "tw.json"))
    assert out == f"Imported 2 todos (1-2) from taskwarrior; skipped {len(standups) - 1}\n"
    assert "a later occurrence of the recurring task 'Standup'" in err
    got = {t["title"]: t for t in listed(todo_db)}
    assert {
        k: got["Water plants"][k] for k in ("due", "every", "until", "wait", "wait_before")
    } == {
        "due": "2030-12-02T23:59:59.000000Z",
        "every": "1w",
        "until": "2031-03-01T23:59:59.000000Z",
        "wait": "2030-11-30T23:59:59.000000Z",
        "wait_before": "2d",
    }
    assert (got["Standup"]["due"], got["Standup"]["every"]) == (
        "2020-01-06T23:59:59.000000Z",
        "weekday",
    )
    # The right next due date: a week on, waiting two days before it.
    number = got["Water plants"]["number"]
    assert todo_db.ok("done", str(number)).endswith(
        "Next 3: Water plants (due 2030-12-09 23:59 UTC)\n"
    )
    (nxt,) = [t for t in listed(todo_db) if t["number"] == 3]
    assert (nxt["due"], nxt["wait"]) == (
        "2030-12-09T23:59:59.000000Z",
        "2030-12-07T23:59:59.000000Z",
    )
    # Imported again, nothing comes twice: the series is its template.
    out, _ = run_ok(todo_db, "import", str(tmp_path / "tw.json"))
    assert out.startswith("Imported 0 todos from taskwarrior")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_our_repeats_go_to_task_and_back(todo_db: InProcess, tmp_path: Path) -> None:
    task = Task(tmp_path)
    todo_db.ok("add", "Water plants", "--every", "2w", "-d", "2030-12-02", "--until",
               "2031-06-30", "--wait", "1 day before")  # fmt: skip
    (tmp_path / "out.tw").write_text(todo_db.ok("export", "-f", "taskwarrior"))
    task("import", str(tmp_path / "out.tw"))
    task("count")
    (tmp_path / "back.json").write_text(task("export"))
    # Its template and the pending instance, as exported.
    tws = json.loads((tmp_path / "back.json").read_text())
    assert sorted((tw["status"], tw["recur"]) for tw in tws) == [
        ("pending", "2w"), ("recurring", "2w"),
    ]  # fmt: skip
    run_ok(todo_db, "--user", "x", "import", str(tmp_path / "back.json"))
    (back,) = listed(todo_db, "--user", "x")
    fields = ("title", "due", "every", "until", "wait", "wait_before")
    assert parts([back], *fields) == parts(listed(todo_db), *fields)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_todo_sh_keeps_our_rec_and_t(todo_db: InProcess, tmp_path: Path) -> None:
    todotxt = TodoTxt(tmp_path, keep_done=True, TZ="UTC")
    todo_db.clock = lambda: datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    todo_db.ok("add", "Water plants", "--every", "week", "-d", "2026-12-02", "--wait", "2026-12-01")
    todo_db.ok("add", "Haircut", "--every", "6w", "--from-done", "-d", "2026-12-20")
    (todotxt.dir / "todo.txt").write_text(todo_db.ok("export", "-f", "todotxt"))
    assert todotxt("ls") == (
        "2 2026-11-30 Haircut due:2026-12-20 rec:6w id:2\n"
        "1 2026-11-30 Water plants due:2026-12-02 rec:+1w t:2026-12-01 id:1\n"
        "--\n"
        "TODO: 2 of 2 tasks shown\n"
    )
    todotxt("do", "1")
    out = todo_db.ok("--user", "back", "import", str(todotxt.dir / "todo.txt"))
    assert out == "Imported 2 todos (1-2) from todotxt\n"
    fields = ("title", "done", "due", "every", "wait")
    assert parts(listed(todo_db, "--user", "back"), *fields) == [
        ("Water plants", True, "2026-12-02T23:59:59.000000Z", "1w", "2026-12-01T00:00:00.000000Z"),
        ("Haircut", False, "2026-12-20T23:59:59.000000Z", "6w from done", None),
    ]
