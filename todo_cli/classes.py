"""Frozen dataclasses and named tuples without importing `dataclasses` or
`typing` at run time: the everyday commands' start-up (issue 23).

`import dataclasses` brings inspect, ast, dis and tokenize (about a sixth of
`todo add`'s instructions), and each @dataclass then generates and compiles
its methods; `typing.NamedTuple` needs `typing`, and under `from __future__
import annotations` compiles every field's annotation. Type checkers see the
real ones (the TYPE_CHECKING branch); at run time these do the same for what
todo uses: @dataclass(frozen=..., kw_only=...), a record extending another,
field(default=..., default_factory=..., repr=..., compare=...), fields(),
replace(), asdict(), and class X(NamedTuple) with defaults and methods.
tests/unit/test_classes.py holds them to the real ones. A record made here
is not a dataclass to the dataclasses module: use this module's fields()
and replace() on it.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dataclasses import FrozenInstanceError as FrozenInstanceError
    from dataclasses import asdict as asdict
    from dataclasses import dataclass as dataclass
    from dataclasses import field as field
    from dataclasses import fields as fields
    from dataclasses import replace as replace
    from typing import NamedTuple as NamedTuple
else:
    from collections import namedtuple

    _MISSING = object()

    class FrozenInstanceError(AttributeError):
        """Assigning to a field of a frozen record."""

    class Field:
        """One field: its name and how it is made, shown and compared."""

        __slots__ = ("compare", "default", "default_factory", "kw_only", "name", "repr")

        def __init__(self, default, default_factory, repr, compare):
            self.name, self.kw_only = "", False
            self.default, self.default_factory = default, default_factory
            self.repr, self.compare = repr, compare

        def __repr__(self):
            return f"Field(name={self.name!r})"

    def field(*, default=_MISSING, default_factory=_MISSING, repr=True, compare=True):
        return Field(default, default_factory, repr, compare)

    def fields(record):
        return record.__record_fields__

    def replace(record, /, **changes):
        for f in record.__record_fields__:
            changes.setdefault(f.name, record.__dict__[f.name])
        return record.__class__(**changes)

    def asdict(record):
        """A record's fields as a dict, records within it (in lists, tuples
        and dicts too) made dicts as well, as dataclasses.asdict does."""

        def plain(value):
            if hasattr(type(value), "__record_fields__"):
                return {f.name: plain(value.__dict__[f.name]) for f in value.__record_fields__}
            if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
                return type(value)(plain(v) for v in value)
            if isinstance(value, dict):
                return {plain(k): plain(v) for k, v in value.items()}
            return value

        return plain(record)

    def _init(self, *args, **kwargs):
        spec, positional = self.__record_fields__, self.__record_positional__
        if len(args) > len(positional):
            raise TypeError(f"{type(self).__name__}() takes {len(positional)} arguments")
        values = self.__dict__  # straight into the instance: frozen blocks setattr
        for f, value in zip(positional, args, strict=False):
            if f.name in kwargs:
                raise TypeError(f"{type(self).__name__}() got two values for {f.name!r}")
            values[f.name] = value
        for f in spec:
            if f.name in values:
                continue
            if f.name in kwargs:
                values[f.name] = kwargs.pop(f.name)
            elif f.default is not _MISSING:
                values[f.name] = f.default
            elif f.default_factory is not _MISSING:
                values[f.name] = f.default_factory()
            else:
                raise TypeError(f"{type(self).__name__}() missing argument {f.name!r}")
        if kwargs:
            raise TypeError(f"{type(self).__name__}() got unexpected arguments: {sorted(kwargs)}")

    def _repr(self):
        shown = ", ".join(f"{f.name}={self.__dict__[f.name]!r}" for f in self.__record_repr__)
        return f"{type(self).__qualname__}({shown})"

    def _key(self):
        return tuple(self.__dict__[f.name] for f in self.__record_compare__)

    def _eq(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _key(self) == _key(other)

    def _hash(self):
        return hash(_key(self))

    def _frozen_setattr(_self, name, _value):
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def _frozen_delattr(_self, name):
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def dataclass(cls=None, /, *, frozen=False, kw_only=False):
        def wrap(cls):
            # A base's fields first (a record may extend another), then its own.
            spec = {f.name: f for f in getattr(cls, "__record_fields__", ())}
            for name in cls.__dict__.get("__annotations__", {}):  # noqa: RUF063 (no inspect)
                made = cls.__dict__.get(name, _MISSING)
                f = made if isinstance(made, Field) else Field(made, _MISSING, True, True)
                f.name, f.kw_only = name, kw_only
                if f.default is _MISSING:
                    if name in cls.__dict__:
                        delattr(cls, name)
                else:
                    setattr(cls, name, f.default)
                spec[name] = f
            cls.__record_fields__ = tuple(spec.values())
            cls.__record_positional__ = tuple(f for f in spec.values() if not f.kw_only)
            cls.__record_repr__ = tuple(f for f in spec.values() if f.repr)
            cls.__record_compare__ = tuple(f for f in spec.values() if f.compare)
            cls.__init__, cls.__repr__, cls.__eq__ = _init, _repr, _eq
            if frozen:
                cls.__hash__ = _hash
                cls.__setattr__, cls.__delattr__ = _frozen_setattr, _frozen_delattr
            else:
                cls.__hash__ = None
            return cls

        return wrap if cls is None else wrap(cls)

    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})

    class _NamedTupleMeta(type):
        def __new__(cls, typename, _bases, ns):
            names = tuple(ns.get("__annotations__", {}))
            defaults = [ns[n] for n in names if n in ns]
            made = namedtuple(typename, names, defaults=defaults, module=ns["__module__"])
            made.__annotations__ = dict(ns.get("__annotations__", {}))
            for key, value in ns.items():
                if key not in _SPECIAL and key not in names:
                    setattr(made, key, value)
            return made

    NamedTuple = type.__new__(_NamedTupleMeta, "NamedTuple", (), {})
