"""Import: records parsed from a file (the formats package) into the user's todos.

One transaction, all or nothing. Items already imported (their key is a
todo's request id) are skipped, so importing the same file twice adds
nothing the second time; so are items of our json that are the user's own
todos (same number and creation time), so a backup restored into the
account it came from adds only what is missing. The new todos go in batches
of BATCH, each one round trip (todos.add_many), and the whole import is
journaled as one event, so one `todo undo` takes it back. Round trips on
PostgreSQL: one to learn what the file may already hold, one per batch,
one to journal and commit.

Our own json carries numbers: they are kept when every one of them is above
the user's last number (always so for a new user), so export and import
into an empty user reproduce the todos exactly. Otherwise (and for other
formats) the todos are numbered after the user's last, in file order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from todo_cli.classes import fields
from todo_cli.formats.records import Record, todo_key
from todo_cli.store import events
from todo_cli.store.session import Session
from todo_cli.store.sql import FOR_UPDATE, ME, in_set, sqlite_time
from todo_cli.store.todos import PROPOSED_ROLE, add_many
from todo_cli.todo import NewTodo, Todo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from todo_cli.store.sql import Backend

BATCH = 2_000


@dataclass(frozen=True)
class Imported:
    added: list[Todo]
    already: list[Record]  # imported before: skipped
    # Numbers an earlier attempt of this same import saved, though its
    # COMMIT reply was lost (the runner retried): added, not skipped.
    saved_before: list[int]
    repeated: list[Record]  # the same item as an earlier one in the file: skipped


# A todo's creation time to the second, as text in UTC: SQLite stores naive
# UTC text (microseconds after the 19th character), PostgreSQL a timestamptz.
_CREATED_SECOND = {
    "postgresql": "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')",
    "sqlite": "substr(created_at, 1, 19)",
}


def _candidates(backend: Backend, by_second: bool) -> list[str]:
    """The user's todos an import may already hold, one indexed lookup each
    (by request id, by number), so the cost follows the file, not the table.
    The lookup by second of creation scans the user's todos: it runs only
    for items that need it."""
    # Not what a grantee added to my list: they could choose a request id
    # to stand in for a line of my file (then the import meets a conflict,
    # exit 1, rather than skipping the line).
    mine = (
        "SELECT request_id, number, created_at, title FROM todos "
        f"WHERE user_id = {ME} AND added_by IS NULL"
    )
    found = [
        f"{mine} AND {in_set(backend, 'request_id', 'keys', kind='text')}",
        f"{mine} AND {in_set(backend, 'number', 'numbers')}",
    ]
    if by_second:
        found.append(
            f"{mine} AND {in_set(backend, _CREATED_SECOND[backend], 'seconds', kind='text')}"
        )
    return found


def import_records(
    session: Session,
    records: Sequence[Record],
    *,
    on_progress: Callable[[int], None] | None = None,
    planned: set[str] | None = None,
) -> Imported:
    """Add the records not imported before, in order. on_progress gets the
    number of records dealt with so far, after each batch. Pass the same
    `planned` set to every attempt of one import: it collects the keys an
    attempt set out to add, so a retry can tell its own saved items from
    items imported by an earlier run."""
    backend = session.backend
    seen: set[str] = set()
    repeated: list[Record] = []
    unique: list[Record] = []
    for r in records:
        (repeated if r.key in seen else unique).append(r)
        seen.add(r.key)
    records = unique
    # Items without a number (taskwarrior's) may be our own todos coming
    # back: the candidates are the todos created in the second the item's
    # entry names (our export writes created_at so), which a description
    # edited in Taskwarrior does not change.
    seconds = sorted(
        {
            sqlite_time(r.created_at)[:19]  # the text _CREATED_SECOND reads on both
            for r in records
            if r.number is None and r.created_at is not None
        }
    )
    session.begin()
    found = session.execute(
        # The user's row exists from here on, so there is always a row to lock
        # against a concurrent add taking a number this import means to keep.
        "INSERT INTO users (name, created_at, last_number, db_role) VALUES "
        f"(:me, :now, 0, {PROPOSED_ROLE[backend]}) ON CONFLICT (name) DO NOTHING",
        # Locked in a statement of its own, so the next one reads with a
        # snapshot taken after the wait: a concurrent import of the same file
        # that got there first is seen, and its items are skipped. The row
        # stays locked to the end, so no add can take a number the import
        # keeps. (On SQLite the write transaction holds the file already.)
        f"SELECT 1 FROM users WHERE name = :me{FOR_UPDATE[backend]}",
        "SELECT u.last_number, t.request_id, t.number, t.created_at, t.title FROM users u "
        f"LEFT JOIN ({' UNION '.join(_candidates(backend, bool(seconds)))}) AS t ON 1 = 1 "
        "WHERE u.name = :me",
        params={
            "keys": [r.key for r in records] + [r.alias for r in records if r.alias],
            "numbers": [r.number for r in records if r.number is not None],
            "seconds": seconds,
        },
    ).all()
    last = found[0][0] if found else 0
    rows = [
        (request_id, number, session.time(created), title)
        for _, request_id, number, created, title in found
        if number is not None
    ]
    known = {request_id for request_id, _, _, _ in rows}
    # A todo of this user with the item's number and creation time is the
    # item itself: our own export, imported back (a backup restored). A
    # todo.txt line knows the day only: the number and that local day.
    same = {(number, created) for _, number, created, _ in rows}
    same_day = {(number, created.astimezone().date()) for _, number, created, _ in rows}
    # Our taskwarrior export gave each todo a uuid derived from it: a task
    # with that uuid is the todo itself, back from a trip through Taskwarrior.
    ours = {todo_key(created, number, title) for _, number, created, title in rows}
    fresh: list[Record] = []
    already: list[Record] = []
    for r in records:
        there = (
            r.key in known
            or r.key in ours
            or (r.alias is not None and (r.alias in known or r.alias in ours))
            or (r.number is not None and (r.number, r.created_at) in same)
            or (
                r.day_only
                and r.created_at is not None
                and (r.number, r.created_at.astimezone().date()) in same_day
            )
        )
        (already if there else fresh).append(r)
    earlier = set(planned or ())
    number_of = {request_id: number for request_id, number, _, _ in rows}
    saved_before = sorted(number_of[r.key] for r in already if r.key in earlier)
    already = [r for r in already if r.key not in earlier]
    if planned is not None:
        planned.update(r.key for r in fresh)
    wanted = [r.number for r in fresh]
    keep = all(n is not None and n > last for n in wanted) and len(set(wanted)) == len(wanted)
    if on_progress:
        on_progress(len(already))
    added: list[Todo] = []
    for start in range(0, len(fresh), BATCH):
        batch = fresh[start : start + BATCH]
        numbers = [r.number for r in batch if r.number is not None] if keep else None
        added += add_many(
            session,
            todos=[_new(r) for r in batch],
            request_ids=[r.key for r in batch],
            numbers=numbers,
            last_number=last,
            action=None,
        )
        last = max(last, *(t.number for t in added[-len(batch) :]))
        if on_progress:
            on_progress(len(already) + start + len(batch))
    added.sort(key=lambda t: t.number)
    if added:
        session.execute_and_commit(
            events.record_created(backend, "import"),
            params={
                "event_numbers": json.dumps([t.number for t in added]),
                "event_title": added[0].title,
                "event_done": json.dumps([t.number for t in added if t.done]),
            },
        )
    return Imported(added, already, saved_before, repeated)


def _new(r: Record) -> NewTodo:
    """The todo an item becomes: its fields but its identity in the file.
    A repeating todo done before it came in has had its next one (in the
    file, as a rule): none is made for it."""
    return NewTodo(**{f.name: getattr(r, f.name) for f in fields(NewTodo)} | {"continued": r.done})
