"""sync: replay the offline outbox now, and show what waits (issue 22)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from todo_cli.context import Invocation


def sync(
    inv: Invocation,
    *,
    apply: list[int] | None,
    drop: list[int] | None,
    accept_restore: bool,
    json_: bool,
) -> None:
    """Replay the changes made offline now, and show what still waits.

    A change whose todo moved on meanwhile (edited elsewhere, removed, no
    longer shared) is held: --apply N makes it anyway, --drop N drops it."""
    from todo_cli.offline import sync as offline_sync

    out = inv.out.use_json(json_)
    offline_sync.run(inv, out, apply=apply or [], drop=drop or [], accept_restore=accept_restore)
