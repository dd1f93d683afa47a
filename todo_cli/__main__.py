"""python -m todo_cli: the same as the `todo` command."""

from todo_cli.entry import run

run()
