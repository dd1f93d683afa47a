"""Shell completion: `todo __complete SHELL CWORD WORDS...` prints the
candidates for the word at CWORD, one per line (`value` for bash,
`value:description` for zsh, `value<TAB>description` for fish).

Quick by construction: the commands and their options are the table below
(tests/unit/test_completion.py holds it to the Typer app), so completing a
command or an option imports neither Typer nor a database driver. Todo
numbers and tags are read live, with a one-second connect timeout, no
retries, and a deadline: if the database does not answer in time, nothing
is offered rather than a shell kept waiting.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from typing import TextIO

from todo_cli.safetext import clean

# Option kinds: None takes no value; "" a value with nothing to offer; else
# the name of what to offer (VALUES, or a live kind).
Options = dict[str, str | None]

_JSON: Options = {"--json": None}
_PRIORITY = {"--priority": "priority", "-p": "priority"}
_WHEN = {"--due": "when", "-d": "when"}
_NUMBERS_RM: Options = {"--yes": None, "-y": None, "--series": None, **_JSON}
_LIST: Options = {
    "--all": None, "-a": None, "--done": None, "--tag": "tag", "-t": "tag", **_PRIORITY,
    "--overdue": None, "--waiting": None, "--shared": None, "--due-before": "when",
    "--search": "", "-s": "", "--sort": "sort", "--reverse": None, "-r": None,
    "--limit": "", "-n": "", **_JSON,
}  # fmt: skip
_REPEAT: Options = {"--every": "every", "--from-done": None, "--until": "when", "--wait": "when"}

# command -> (options, what its arguments are)
COMMANDS: dict[str, tuple[Options, str]] = {
    "add": (
        {
            **_PRIORITY,
            **_WHEN,
            "--tag": "tag",
            "-t": "tag",
            "--note": "",
            "-n": "",
            **_REPEAT,
            "--owner": "sharer",
            **_JSON,
        },
        "",
    ),
    "list": (_LIST, ""),
    "show": (_JSON, "any"),
    "edit": (
        {
            "--title": "",
            **_PRIORITY,
            **_WHEN,
            "--no-due": None,
            "--tag": "tagedit",
            "-t": "tagedit",
            "--note": "",
            "-n": "",
            **_REPEAT,
            "--no-repeat": None,
            **_JSON,
        },
        "open",
    ),
    "done": (_JSON, "open"),
    "reopen": (_JSON, "done"),
    "rm": (_NUMBERS_RM, "mine"),
    "log": ({"--limit": "", "-n": "", **_JSON}, ""),
    "undo": (_JSON, ""),
    "sync": ({"--apply": "", "--drop": "", "--accept-restore": None, **_JSON}, ""),
    "share": ({"--with": "", "-w": "", "--write": None}, "mytag"),
    "unshare": ({"--with": "", "-w": ""}, "mytag"),
    "shares": (_JSON, ""),
    "export": ({"--format": "export", "-f": "export", "--output": "file", "-o": "file"}, ""),
    "import": ({"--format": "import", "-f": "import", **_JSON}, "file"),
    "whoami": ({"--check": None, **_JSON}, ""),
    "completion": ({}, "shell"),
    "stats": (_JSON, ""),
    "profile add": (
        {"--user": "", "-u": "", "--database-url": "", "--force": None},
        "",
    ),
    "profile list": (_JSON, ""),
    "profile rm": ({}, "profile"),
    "profile use": ({}, "profile"),
    "db status": (_JSON, ""),
    "db upgrade": ({}, ""),
    "admin user add": ({"--profile-name": "", "--print-url": None, "--adopt": None}, ""),
    "admin user rm": ({"--purge": None, "--yes": None, "-y": None}, ""),
}
GROUPS = {"profile": "Named profiles", "db": "Database schema", "admin": "Administration"}
# What zsh and fish show beside each command: the start of its help.
DESCRIPTIONS = {
    **GROUPS,
    "add": "Add a todo", "list": "List your todos", "show": "Show one todo in full",
    "edit": "Change todos", "done": "Mark todos done", "reopen": "Mark done todos open again",
    "rm": "Remove todos", "log": "Your recent changes", "undo": "Undo your last change",
    "sync": "Replay the changes made offline now",
    "stats": "Your progress", "share": "Share every todo of yours that carries TAG",
    "unshare": "Stop sharing TAG with a user", "shares": "What you share",
    "export": "Write all your todos", "import": "Add todos from a file",
    "whoami": "Show the user, profile and database in use",
    "completion": "Print the shell completion script", "profile add": "Create a profile",
    "profile list": "List profiles", "profile rm": "Delete a profile",
    "profile use": "Make a profile the current one", "db status": "Show the schema revision",
    "db upgrade": "Create or upgrade the schema", "admin user": "Per-user credentials",
    "admin user add": "Create a login role", "admin user rm": "Drop NAME's login role",
}  # fmt: skip
ALIASES = {"ls": "list", "complete": "done", "finish": "done", "remove": "rm", "delete": "rm"}
GLOBAL: Options = {
    "--profile": "profile", "-P": "profile", "--user": "", "-u": "", "--database-url": "",
    "--debug": None, "--verbose": None, "-v": None, "--version": None, "--help": None,
    "-h": None, "--online": None,
}  # fmt: skip
VALUES = {
    "priority": ["high", "medium", "low", "none"],
    "when": ["today", "tomorrow", "mon", "tue", "wed", "thu", "fri", "sat", "sun",
             "next week", "in 3 days", "none"],
    "every": ["day", "week", "month", "year", "weekday", "2w", "mon,thu"],
    "sort": ["number", "due", "priority", "created"],
    "export": ["json", "todotxt", "csv", "taskwarrior"],
    "import": ["json", "todotxt", "taskwarrior"],
    "shell": ["bash", "zsh", "fish"],
}  # fmt: skip
DEADLINE = 0.9  # seconds for the live part; then nothing is offered


def main(args: Sequence[str], out: TextIO) -> int:
    """The entry of `todo __complete`: never fails, never waits long."""
    with contextlib.suppress(Exception):  # a shell gets nothing rather than an error
        shell, cword, *words = args
        out.write("".join(f"{line}\n" for line in candidates(shell, words, int(cword))))
        out.flush()
    return 0


def candidates(shell: str, words: Sequence[str], cword: int) -> list[str]:
    """The lines to print for the word at words[cword] (words[0] is todo)."""
    current = words[cword] if cword < len(words) else ""
    # bash splits --tag=home into --tag, =, home (COMP_WORDBREAKS); right
    # after the =, "=" is the word, and readline replaces what follows it.
    before = [w for i, w in enumerate(words[1:cword], 1) if w != "=" or words[i - 1][:1] != "-"]
    if current == "=" and before[-1:] and before[-1].startswith("-"):
        current = ""
    if current.startswith("-") and "=" in current:
        # zsh and fish hand --tag=ho over whole, and want it back whole.
        option, _, value = current.partition("=")
        pairs = [(f"{option}={v}", d) for v, d in _offers([*before, option], value)]
    else:
        pairs = _offers(before, current)
    # Titles and tags from the database: a shell prints its menu raw.
    chosen = [(clean(v), clean(d)) for v, d in pairs if v.startswith(current)]
    if shell == "zsh":
        return [f"{v.replace(':', chr(92) + ':')}:{d}" if d else v.replace(":", "\\:")
                for v, d in chosen]  # fmt: skip
    if shell == "fish":
        return [f"{v}\t{d}" if d else v for v, d in chosen]
    return [v for v, _ in chosen]


def _offers(before: list[str], current: str) -> list[tuple[str, str]]:
    """(value, description) pairs for the word after `before`."""
    options = GLOBAL
    command = ""
    positional: list[str] = []
    chosen: dict[str, str] = {}  # --user bob and the like, for the live part
    i = 0
    while i < len(before):
        word = before[i]
        if word.startswith("-") and not positional and word in options:
            if options[word] is not None:
                i += 1  # its value
                if not command and i < len(before):
                    chosen[_GLOBAL_NAMES.get(word, "")] = before[i]
        elif word.startswith("-"):
            pass
        elif not command or command in GROUPS or _prefix(command):
            joined = f"{command} {ALIASES.get(word, word)}".strip()
            if joined in COMMANDS or joined in GROUPS or _prefix(joined):
                command = joined
                options = COMMANDS[joined][0] if joined in COMMANDS else {}
            else:
                positional.append(word)
        else:
            positional.append(word)
        i += 1
    previous = before[-1] if before else ""
    kind = options.get(previous) if previous.startswith("-") else None
    if previous.startswith("-") and kind is not None:
        return _values(kind, chosen, positional)
    if current.startswith("-"):
        return [(o, "") for o in (options if command else GLOBAL)]
    if not command or command in GROUPS or _prefix(command):
        return _subcommands(command)
    return _values(COMMANDS[command][1], chosen, positional) if command in COMMANDS else []


def _prefix(command: str) -> bool:
    """A group with subcommands below it (admin, admin user)."""
    return any(c.startswith(command + " ") for c in COMMANDS) and command not in COMMANDS


def _subcommands(group: str) -> list[tuple[str, str]]:
    depth = len(group.split()) if group else 0
    names = sorted(
        {c.split()[depth] for c in COMMANDS if c.startswith(group) and len(c.split()) > depth}
    )
    return [(n, DESCRIPTIONS.get(f"{group} {n}".strip(), "")) for n in names]


_GLOBAL_NAMES = {
    "--user": "user", "-u": "user", "--profile": "profile", "-P": "profile",
    "--database-url": "database_url",
}  # fmt: skip


def _values(kind: str, chosen: dict[str, str], named: list[str]) -> list[tuple[str, str]]:
    if kind in VALUES:
        return [(v, "") for v in VALUES[kind]]
    if kind == "profile":
        return [(p, "") for p in _profiles()]
    if kind not in ("tagedit", *_LIVE):
        return []
    from todo_cli.store import completing

    if kind == "tagedit":
        return _live(lambda session: completing.tag_edits(session, named), chosen)
    return _live(completing.LIVE[kind], chosen, kind)


def _profiles() -> list[str]:
    from todo_cli.config import config_dir, environment, read_config

    config = read_config(config_dir(environment()) / "config.toml")
    return sorted(config.profiles)


# --- live: todo numbers and tags (store/completing.py) -------------------------------

_LIVE = ("open", "mine", "done", "any", "tag", "mytag", "sharer")


Query = Callable[..., list[tuple[str, str]]]


def _live(query: Query, chosen: dict[str, str], kind: str = "") -> list[tuple[str, str]]:
    """What the database answers to `query`, or nothing after DEADLINE;
    offline (PostgreSQL), what the offline copy holds."""
    found: list[tuple[str, str]] = []

    def read() -> None:
        with contextlib.suppress(Exception):  # unreachable, misconfigured: nothing
            found.extend(_read(query, chosen, kind))

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(DEADLINE)
    return list(found) if not worker.is_alive() else []


def _read(query: Query, chosen: dict[str, str], kind: str = "") -> list[tuple[str, str]]:
    from dataclasses import replace

    from todo_cli.config import environment, load_settings
    from todo_cli.offline import OfflineError
    from todo_cli.store.runner import run

    environ = environment()
    settings = load_settings(env=environ, **chosen)
    quick = replace(settings, connect_timeout=1.0, retry_budget=0.0)
    try:
        return run(quick, query, mode="read", offline_after=0.5)
    except OfflineError:  # OFFLINE: the numbers this machine last saw, and q1, q2...
        from todo_cli.offline.completing import offers

        return offers(settings, environ, kind)


def script(shell: str) -> str:
    """The completion script for `shell` (todo completion SHELL)."""
    return SCRIPTS[shell]


SCRIPTS = {
    "bash": """\
# todo completion for bash: add to ~/.bashrc
#   eval "$(todo completion bash)"
_todo_complete() {
    local IFS=$'\\n'
    COMPREPLY=($(todo __complete bash "$COMP_CWORD" "${COMP_WORDS[@]}" 2>/dev/null))
}
complete -o default -F _todo_complete todo
""",
    "zsh": """\
#compdef todo
# todo completion for zsh: add to ~/.zshrc (after compinit)
#   eval "$(todo completion zsh)"
_todo() {
    local -a items
    items=("${(@f)$(todo __complete zsh $((CURRENT - 1)) "${words[@]}" 2>/dev/null)}")
    [[ -n "$items" ]] && _describe -V todo items || _files
}
compdef _todo todo
""",
    "fish": """\
# todo completion for fish: save as ~/.config/fish/completions/todo.fish
#   todo completion fish > ~/.config/fish/completions/todo.fish
function __todo_complete
    set -l tokens (commandline -opc) (commandline -ct)
    todo __complete fish (math (count $tokens) - 1) $tokens 2>/dev/null
end
complete -c todo -f -a '(__todo_complete)'
""",
}
