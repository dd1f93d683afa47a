"""The type of the open_session fixture (conftest.py)."""

from collections.abc import Callable
from contextlib import AbstractContextManager

from todo_cli.store.session import Session

OpenSession = Callable[[str], AbstractContextManager[Session]]
