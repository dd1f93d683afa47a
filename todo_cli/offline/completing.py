"""<TAB> offline: todo numbers from the copy, and the provisional names
of the adds still queued (completion.py asks when the server does not
answer; the embedded SQLite file is never offline)."""

from __future__ import annotations

from collections.abc import Mapping

from todo_cli.config import Settings

_WANTS = {"open": (False,), "done": (True,), "mine": (False, True), "any": (False, True)}


def offers(settings: Settings, environ: Mapping[str, str], kind: str) -> list[tuple[str, str]]:
    """What the copy offers for a word of `kind` (completion._LIVE)."""
    if settings.url.backend != "postgresql" or kind not in _WANTS:
        return []
    from todo_cli.offline.common import box_path
    from todo_cli.store.outbox import Box

    path = box_path(settings, environ)
    if not path.exists():
        return []
    me = settings.user.value
    with Box(path) as box:
        copied = sorted(
            box.copied(), key=lambda t: ((t.owner or me) != me, t.owner or "", t.number)
        )
        queued = [e for e in box.entries() if e.kind == "add" and e.name]
    found = [
        (str(t.number) if (t.owner or me) == me else f"{t.owner}/{t.number}", t.title)
        for t in copied
        if t.done in _WANTS[kind] and ((t.owner or me) == me or kind in ("open", "any"))
    ]
    if kind != "done":
        found += [(e.name or "", e.payload["titles"][0]) for e in queued]
    return found
