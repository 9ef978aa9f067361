"""Check a config that a user wrote (`fit --config FILE.json`) before anything is trained.

`SpookyConfig.from_dict` trusts its values, as it must for the configs `save` wrote; a
hand-written file can hold `"folds": "five"` or `"lm": 3`, which would otherwise fail
minutes later, deep in scikit-learn or Keras, with a traceback. Here each value is checked
against its field's type annotation, and counts against the least sensible value their field
carries (`config.at_least`), so the error names the field (the model names are the registry's
to check: models/registry.py).
It leaves out what only training can tell (a learning rate that diverges).
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing

from .config import _Config


def check_config(config: _Config, where: str = "") -> None:
    """Raise ValueError naming the first field whose value has the wrong type or is too small.

    check_config(SpookyConfig(folds="five")) -> ValueError: folds: expected int, got 'five'
    """
    hints = typing.get_type_hints(type(config))
    for spec in dataclasses.fields(config):
        name, value = f"{where}{spec.name}", getattr(config, spec.name)
        if isinstance(hints[spec.name], type) and issubclass(hints[spec.name], _Config):
            if not isinstance(value, hints[spec.name]):
                raise ValueError(f"{name}: expected an object of settings, got {value!r}")
            check_config(value, f"{name}.")
        elif not _matches(value, hints[spec.name]):
            raise ValueError(f"{name}: expected {_describe(hints[spec.name])}, got {value!r}")
        elif "minimum" in spec.metadata and any(v < spec.metadata["minimum"] for v in _numbers(value)):
            raise ValueError(f"{name}: must be at least {spec.metadata['minimum']}, got {value!r}")


def _matches(value: object, hint: object) -> bool:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in args)
    if origin is tuple:
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_matches(v, args[0]) for v in value)
        return len(value) == len(args) and all(_matches(v, a) for v, a in zip(value, args))
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return isinstance(value, hint)


def _describe(hint: object) -> str:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(arg) for arg in args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return f"a list of {_describe(args[0])}"
        return f"a list of {len(args)} {_describe(args[0])}"
    return "null" if hint is type(None) else getattr(hint, "__name__", str(hint))


def _numbers(value: object) -> list[float]:
    values = value if isinstance(value, tuple) else (value,)
    return [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
