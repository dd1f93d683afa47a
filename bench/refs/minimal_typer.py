"""Reference: the smallest real Typer app, two commands and no imports of its own.

`python minimal_typer.py --help` is what `todo --help` is compared against.
"""

import typer

app = typer.Typer()


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
