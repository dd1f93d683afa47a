"""run(): one command's transaction, retried through what Neon, a pooler or
a busy file throw at it, without ever applying a change twice.

A failure before the committing message was sent leaves nothing behind, so
it is always safe to repeat, and so is any failure the server reported (it
rolled the transaction back). A connection lost after the committing
message was sent leaves the outcome unknown:

- "read": nothing was saved; the result never arrived, so nothing was
  printed either (a read prints after its one message comes back), and the
  read is repeated. If output has begun (a SQLite listing streams as the
  file is read), a failure is not repeated, which would print the first rows
  twice: it ends the command, saying the output is incomplete.
- "idempotent": repeated; the operation finds what the first attempt saved
  (an add carries a request id, done and reopen change nothing twice).
- "once": not repeated (a second undo would undo one change more); exit 4,
  saying the change may or may not have been saved.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from datetime import UTC, datetime

from todo_cli.errors import (
    ConcurrentChangeError,
    ConfigError,
    DatabaseUnreachableError,
    InterruptedAfterSaveError,
    InvalidInputError,
)
from todo_cli.store import driver, faults
from todo_cli.store.reach import OfflineError, is_offline
from todo_cli.store.session import Session

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Literal, Protocol, TypeVar

    from todo_cli.store.target import Target

    T = TypeVar("T")
    Mode = Literal["read", "idempotent", "once"]

    class OutputSeen(Protocol):
        """What the runner needs to know of the command's output (output.Output
        is one): whether it has begun."""

        @property
        def started(self) -> bool: ...


RetryHook = Callable[[str], None]

_FIRST_BACKOFF = 0.2
_MAX_BACKOFF = 3.0


class _Retry(Exception):
    """Start over on a new connection; `final` is the error once the budget is spent."""

    def __init__(self, reason: str, final: faults.Final) -> None:
        super().__init__(reason)
        self.reason = reason
        self.final = final


def run(
    settings: Target,
    operation: Callable[[Session], T],
    *,
    mode: Mode,
    on_retry: RetryHook | None = None,
    output: OutputSeen | None = None,
    clock: Callable[[], datetime] | None = None,
    on_sql: Callable[[str], None] | None = None,
    offline_after: float | None = None,
) -> T:
    """operation(session) in one transaction, retried within the budget;
    on_sql sees each message before it is sent. offline_after (PostgreSQL,
    issue 22): a network that is not there raises OfflineError at once, a
    silent server after that many seconds (todo_cli/offline/detect.py)."""
    now = clock or (lambda: datetime.now(UTC))
    backend = settings.url.backend
    sent = [False]  # OFFLINE: a COMMIT went out, so a later OfflineError is not "nothing saved"

    def attempt(remaining: float) -> T:
        conn = _connect(
            settings, read=mode == "read", remaining=remaining, offline_after=offline_after
        )
        session = Session(
            conn, backend, settings.user.value, now(), write=mode != "read", trace=on_sql
        )
        try:
            result = operation(session)
            session.finish()
            if session.interrupted_after_save:
                raise InterruptedAfterSaveError(
                    "interrupted after the change was saved (see: todo log)"
                )
            return result
        except driver.errors(backend) as exc:
            session.rollback()
            sent[0] = sent[0] or (session.commit_sent and not driver.server_reported(exc))
            raise _failure(settings, session, exc, mode, output) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            _close(conn)

    try:
        return _with_retries(settings, attempt, on_retry)
    except OfflineError as exc:
        if sent[0] and mode != "read":
            # OFFLINE: the change may be saved; queueing it could apply it twice.
            raise DatabaseUnreachableError(
                f"lost the connection to {settings.url.display()} while committing, and it "
                f"is gone ({exc.reason}); the change may or may not have been saved: check "
                "with todo list --all when back online"
            ) from None
        raise


def connection(settings: Target, *, on_retry: RetryHook | None = None) -> Any:
    """An open connection, with the retries and messages every command has
    (for the schema commands, which run their own statements)."""
    return _with_retries(
        settings, lambda remaining: _connect(settings, remaining=remaining), on_retry
    )


def _with_retries(settings: Target, step: Callable[[float], T], on_retry: RetryHook | None) -> T:
    """step(seconds left of the budget), retried within the budget; a
    connection attempt waits no longer than what is left of it."""
    deadline = time.monotonic() + settings.retry_budget
    backoff = _FIRST_BACKOFF
    attempt = 1
    while True:
        try:
            return step(deadline - time.monotonic())
        except _Retry as retry:
            wait = _backoff(backoff, deadline)
            if wait is None:
                raise retry.final(attempt) from retry.__cause__
            attempt += 1
            if on_retry:
                on_retry(f"{retry.reason}; retrying (attempt {attempt}) in {wait:.1f}s")
            time.sleep(wait)
            backoff = min(backoff * 2, _MAX_BACKOFF)


def _connect(
    settings: Target, *, remaining: float, read: bool = False, offline_after: float | None = None
) -> Any:
    """One connection attempt; on SQLite the file's schema is created or
    upgraded first if need be. A read of a file todo may not write (a
    read-only folder, a read-only journal beside it) opens it read-only."""
    url = settings.url
    if url.backend == "sqlite" and (odd := faults.not_a_file(url.database or "")):
        raise odd
    offline = offline_after if url.backend == "postgresql" else None
    try:
        # Within what is left of the retry budget (with no budget, no retry:
        # the one attempt takes its whole timeout).
        timeout = settings.connect_timeout
        if settings.retry_budget > 0:
            timeout = min(timeout, max(remaining, 0.1))
        conn = driver.connect(url, connect_timeout=timeout, silent_after=offline)
    except driver.errors(url.backend) as exc:
        kind = driver.classify(exc)
        if offline is not None and is_offline(driver.first_line(exc)):
            reason = url.redact(driver.first_line(exc))
            raise OfflineError(
                f"cannot reach {url.display()} (offline): {reason}", reason
            ) from None
        final = faults.cannot_connect(settings, exc, kind)
        if kind in ("transient", "busy"):
            raise _Retry(url.redact(driver.first_line(exc)), final) from exc
        raise final(1) from None
    except OSError as exc:
        raise faults.local_file(settings, exc) from None
    if url.backend == "sqlite":
        from todo_cli.store.embedded import ensure_sqlite

        try:
            ensure_sqlite(conn, url)
        except driver.errors("sqlite") as exc:
            _close(conn)
            if read and (reader := driver.connect_read_only(url.database or "", exc)):
                return reader
            if driver.classify(exc) == "busy":
                raise _Retry(faults.busy_reason(settings), faults.busy(settings)) from exc
            raise faults.translate(settings, exc) from None
        except BaseException:
            _close(conn)
            raise
    return conn


def _failure(
    settings: Target, session: Session, exc: BaseException, mode: Mode, output: OutputSeen | None
) -> BaseException:
    """What a driver failure inside the transaction becomes: _Retry, or a TodoError."""
    kind = driver.classify(exc)
    url = settings.url
    reason = url.redact(driver.first_line(exc))
    if kind == "schema":
        from todo_cli.store.revision import mismatch

        return mismatch(session.connection, url) or exc
    if kind == "refused":
        return ConfigError(
            f"the database refused: {reason}; check that the user (todo whoami) matches "
            "the credentials in the database URL"
        )
    if kind == "locked":
        return faults.locked(settings)
    if kind == "conflict":
        return ConcurrentChangeError(
            f"another change took the same key at the same moment ({reason}); nothing was "
            "changed: try again"
        )
    if kind == "invalid":
        return InvalidInputError(f"the database refused it: {reason} (nothing was changed)")
    if kind not in ("transient", "busy"):
        return faults.translate(settings, exc)
    if output is not None and output.started:
        return faults.output_cut(settings)
    if kind == "busy":
        return _Retry(faults.busy_reason(settings), faults.busy(settings))
    if session.commit_sent and not driver.server_reported(exc) and mode == "once":
        return DatabaseUnreachableError(
            f"lost the connection to {url.display()} while committing; the change "
            "may or may not have been saved: check with todo list --all"
        )
    return _Retry(reason, faults.lost(settings, reason))


def _close(conn: Any) -> None:
    with contextlib.suppress(Exception):  # a lost connection cannot be closed politely
        conn.close()


def _backoff(base: float, deadline: float) -> float | None:
    """Exponential backoff with jitter, cut to what is left of the budget so
    the last attempt lands on the deadline; None once the budget is spent."""
    remaining = deadline - time.monotonic()
    if remaining <= 0.05:
        return None
    import random  # here: only a retry needs it

    return min(base * random.uniform(0.5, 1.5), remaining)
