"""An example or two for each command's --help (todo --help has its own)."""

from __future__ import annotations

EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "add": [
        ("todo add Call the bank", "prints the new todo's number"),
        ('todo add "Pay rent" -d 2026-12-01 -p high -t home', "due, priority, a tag"),
        ("todo add Water plants --every week -d sat", "repeats: done, the next one appears"),
        ("printf 'a\\nb\\n' | todo add -", "one todo per line of stdin"),
    ],
    "list": [
        ("todo list --tag work --overdue", "filters combine"),
        ("todo list --all --sort due --json", "everything, by due date, as JSON"),
        ("todo list --shared", "what others share with you"),
    ],
    "show": [("todo show 3", "one todo in full"), ("todo show alice/3 --json", "a shared one")],
    "edit": [
        ("todo edit 3 --title 'Call the bank about the loan'", "one todo"),
        ("todo edit 1-3 -p low -t +later -t -urgent", "several: all or nothing"),
        ("todo edit 4 --every month --until 2027-06-30", "make it repeat"),
    ],
    "done": [("todo done 3 4", "complete two"), ("todo done alice/2", "one shared with you")],
    "reopen": [("todo reopen 3", "open again")],
    "rm": [("todo rm 2", "asks first on a terminal"), ("todo rm 2-5 --yes", "in a script")],
    "log": [("todo log", "your last 20 changes"), ("todo log -n 0 --json", "all of them")],
    "undo": [("todo undo", "the last change"), ("todo undo 3", "the last three")],
    "sync": [("todo sync", "replay what was queued offline"), ("todo sync --drop 2", "drop one")],
    "share": [("todo share groceries --with bob --write", "bob may change and add")],
    "unshare": [("todo unshare groceries --with bob", "at once")],
    "shares": [("todo shares --json", "both ways, for a script")],
    "export": [
        ("todo export > todos.json", "everything, lossless"),
        ("todo export -f todotxt -o todo.txt", "for todo.sh"),
    ],
    "import": [
        ("task export > t.json && todo import t.json", "from Taskwarrior"),
        ("todo import todo.txt", "from todo.sh; the format is detected"),
    ],
    "whoami": [("todo whoami --check", "and is the database healthy?")],
    "completion": [('eval "$(todo completion bash)"', "in ~/.bashrc")],
    "stats": [("todo stats", "on a terminal"), ("todo stats --json", "the numbers")],
    "profile add": [
        ("todo profile add work --user alice --database-url postgresql://...", "a profile"),
    ],
    "profile list": [("todo profile list", "* marks the one in use")],
    "profile use": [("todo profile use work", "from now on")],
    "profile rm": [("todo profile rm work", "remove it")],
    "db status": [("todo db status --json", "is the schema up to date?")],
    "db upgrade": [("DATABASE_URL=$OWNER_URL todo db upgrade", "as the tables' owner")],
    "admin user add": [("todo admin user add alice", "a login role for alice, and a profile")],
    "admin user rm": [("todo admin user rm alice --purge --yes", "and her todos")],
}


def epilog(command: str) -> str:
    """The Examples section of a command's help (\\b keeps Click from rewrapping it)."""
    lines = EXAMPLES[command]
    width = max(len(example) for example, _ in lines) + 2
    body = "\n".join(f"  {example.ljust(width)}{why}" for example, why in lines)
    return f"Examples:\n\n\b\n{body}\n"
