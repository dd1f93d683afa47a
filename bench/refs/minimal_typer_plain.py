"""Reference: minimal_typer.py with Rich help turned off, as todo turns it off.

Not the budget's reference (that is the default app); it shows how much of
the gap to minimal_typer.py is Rich rendering the help.
"""

import typer

app = typer.Typer(rich_markup_mode=None)


@app.command()
def hello(name: str) -> None:
    """Say hello."""
    print(f"Hello {name}")


@app.command()
def goodbye(name: str, formal: bool = False) -> None:
    """Say goodbye."""
    print(f"Goodbye Ms. {name}. Have a good day." if formal else f"Bye {name}!")


if __name__ == "__main__":
    app()
