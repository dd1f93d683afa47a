"""todo: a command-line todo manager for a shared PostgreSQL database."""

__version__ = "0.1.0"
