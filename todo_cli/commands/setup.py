"""whoami, profiles, and the database schema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from todo_cli import render
from todo_cli.errors import InvalidInputError, SchemaError

if TYPE_CHECKING:
    from todo_cli.context import Invocation

# --- identity ------------------------------------------------------------------


def whoami(inv: Invocation, *, check: bool, json_: bool) -> None:
    """Show the user, profile and database in use, and where each came from.

    --check connects too, and exits 4 if the database is unreachable and 5 if
    its schema is missing, behind, or newer than this todo: a smoke check for CI.
    """
    out = inv.out.use_json(json_)
    s = inv.settings()
    url = s.url
    data: dict[str, Any] = {
        "user": {"name": s.user.value, "source": s.user.source},
        "profile": {"name": s.profile.value, "source": s.profile.source},
        "database": {
            "backend": url.backend,
            "host": url.host,
            "port": url.port,
            "name": url.database,
            "source": s.database.source,
        },
        "config_file": str(s.config_path),
    }
    rows = [
        ("user", f"{s.user.value}  ({s.user.source})"),
        ("profile", f"{s.profile.value}  ({s.profile.source})"),
        ("database", f"{url.display()}  ({s.database.source})"),
        ("config", str(s.config_path)),
    ]
    problem = None
    if check:
        from todo_cli.store import schema

        st = schema.status(s)
        state = schema.state(st.current)
        data["check"] = {
            "server_version": st.server,
            "schema_revision": st.current,
            "head_revision": st.head,
            "ok": state == "up to date",
            "role": st.role,
            "role_bypasses_rls": st.bypasses_rls,
        }
        rows += [
            ("server", st.server),
            ("schema", f"{st.current or 'none'} (head {st.head}, {state})"),
        ]
        if st.role is not None:
            rows.append(
                ("role", st.role + ("  (bypasses row-level security)" if st.bypasses_rls else ""))
            )
        if st.bypasses_rls:
            out.warn(
                f"the database role {st.role} bypasses row-level security (superuser, BYPASSRLS "
                "or owner of the tables; Neon's console roles have BYPASSRLS): isolation rests "
                "on the application alone. Connect as a role in this database's group "
                "todo_<tag>_app, which todo db upgrade names (README: Isolation)",
            )
        if state != "up to date":
            problem = (
                schema.newer_message(st.current)
                if st.current is not None and state == "newer"
                else "the database schema is not at head; run: todo db upgrade"
            )
    render.key_values(out, rows, data)
    if problem:
        raise SchemaError(problem)


# --- profiles ------------------------------------------------------------------


def profile_add(
    inv: Invocation, *, name: str, user: str, database_url: str | None, force: bool
) -> None:
    """Create a profile. Switch to it with: todo profile use NAME"""
    from todo_cli.profiles import add_profile

    add_profile(inv.config_path(), name, user=user, database_url=database_url, replace=force)
    inv.out.saved = f"saved profile {name}"
    inv.out.line(f"Saved profile {name} (user {user}). Use it with: todo profile use {name}")


def profile_list(inv: Invocation, *, json_: bool) -> None:
    """List profiles; * marks the current one."""
    from todo_cli.config import read_config
    from todo_cli.dburl import parse_database_url

    out = inv.out.use_json(json_)
    config = read_config(inv.config_path())
    items = []
    for p in sorted(config.profiles.values(), key=lambda p: p.name):
        shown = (
            parse_database_url(p.database_url, source=f"profile {p.name}").display()
            if p.database_url
            else "sqlite (embedded default)"
        )
        items.append(
            {"name": p.name, "user": p.user, "database": shown, "current": p.name == config.current}
        )
    if out.form == "json":
        out.json(items)
    elif not items:
        out.note("No profiles. Create one with: todo profile add NAME --user USER")
    else:
        out.lines(
            f"{'*' if i['current'] else ' '} {i['name']}\t{i['user']}\t{i['database']}"
            for i in items
        )


def profile_use(inv: Invocation, *, name: str) -> None:
    """Make a profile the current one."""
    from todo_cli.profiles import use_profile

    use_profile(inv.config_path(), name)
    inv.out.saved = f"now using profile {name}"
    inv.out.line(f"Now using profile {name}")


def profile_rm(inv: Invocation, *, name: str) -> None:
    """Delete a profile (its todos stay in the database)."""
    from todo_cli.profiles import remove_profile

    was_current = remove_profile(inv.config_path(), name)
    inv.out.saved = f"removed profile {name}"
    inv.out.line(
        f"Removed profile {name}" + (" (no profile is current now)" if was_current else "")
    )


# --- schema --------------------------------------------------------------------


def db_status(inv: Invocation, *, json_: bool) -> None:
    """Show the schema revision of the database next to the newest one."""
    from todo_cli.store import schema

    out = inv.out.use_json(json_)
    st = schema.status(inv.settings())
    state = schema.state(st.current)
    data = {
        "current": st.current,
        "head": st.head,
        "up_to_date": st.current == st.head,
        "state": state,
        "server_version": st.server,
    }
    rows = [("current", f"{st.current or 'none'} ({state})"), ("head", st.head)]
    render.key_values(out, [*rows, ("server", st.server)], data)


def db_upgrade(inv: Invocation) -> None:
    """Create or upgrade the schema (over DATABASE_URL_DIRECT when set)."""
    from todo_cli.store import schema

    before, after, notes = schema.upgrade(inv.settings())
    for note in notes:
        inv.out.note(f"todo: {note}")
    if before == after:
        inv.out.line(f"Schema already at head ({after})")
    else:
        inv.out.line(f"Upgraded schema: {before or 'none'} -> {after}")


def completion(inv: Invocation, *, shell: str) -> None:
    """Print the shell completion script for bash, zsh or fish.

    Commands, options, your open todo numbers (with their titles in zsh and
    fish) and your tags complete on TAB. zsh: eval "$(todo completion zsh)"
    in ~/.zshrc, after compinit; fish: todo completion fish >
    ~/.config/fish/completions/todo.fish
    """
    from todo_cli.completion import SCRIPTS

    if shell not in SCRIPTS:
        raise InvalidInputError(f"no completion for {shell!r}: use bash, zsh or fish")
    inv.out.write(SCRIPTS[shell])
