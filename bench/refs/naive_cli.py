"""Reference: a todo CLI written the way the Typer and SQLModel tutorials show.

A model class, an engine from the URL, and a Session per command:
`add` is Session -> add -> commit -> refresh, `list` is select(Todo).
Nothing here is tuned; that is the point of the comparison.

    DATABASE_URL=postgresql://... python naive_cli.py init      # create the table once
    DATABASE_URL=postgresql://... python naive_cli.py add "Call the bank"
    DATABASE_URL=postgresql://... python naive_cli.py list
"""

import os

import typer
from sqlmodel import Field, Session, SQLModel, create_engine, select


class Todo(SQLModel, table=True):
    __tablename__ = "naive_todo"

    id: int | None = Field(default=None, primary_key=True)
    title: str
    done: bool = False


engine = create_engine(os.environ["DATABASE_URL"])
app = typer.Typer()


def create_db_and_tables() -> None:
    SQLModel.metadata.create_all(engine)


@app.command()
def init() -> None:
    """Create the table (once, before the timed commands)."""
    create_db_and_tables()


@app.command()
def add(title: str) -> None:
    """Add a todo."""
    todo = Todo(title=title)
    with Session(engine) as session:
        session.add(todo)
        session.commit()
        session.refresh(todo)
    print(f"Added {todo.id}: {todo.title}")


@app.command("list")
def list_todos() -> None:
    """List the todos."""
    with Session(engine) as session:
        todos = session.exec(select(Todo)).all()
        for todo in todos:
            print(f"{todo.id}\t{'done' if todo.done else 'open'}\t{todo.title}")


if __name__ == "__main__":
    app()
