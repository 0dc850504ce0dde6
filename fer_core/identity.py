"""Stable identities for frozen config dataclasses.

A run's id hashes its config, so users' cached runs are found again. A field added to a
config after runs were made would change every id if it were hashed as is; fields declared
with `added(default)` are left out of the identity while they hold their default, so the ids
of runs made before the field existed stay the same. Old values that were renamed keep their
old spelling in the identity through `legacy` (see TrainConfig.val_tta).
"""

import dataclasses
from typing import Any

from fer_core.options import declaration

ADDED = "added_after_v1"
LEGACY = "legacy_values"


def added(
    default: Any = dataclasses.MISSING,
    *,
    default_factory: Any = dataclasses.MISSING,
    legacy: dict | None = None,
    help: str | None = None,
    **ui,
):
    """A dataclass field that joined the config after runs existed: hashed only when not at its default.
    With `help` (and `ui`), it is also a user option, declared as `fer_core.options.option` does."""
    meta = {ADDED: True, **({LEGACY: legacy} if legacy else {}), **(declaration(help=help, **ui) if help else {})}
    if default_factory is not dataclasses.MISSING:
        return dataclasses.field(default_factory=default_factory, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def renamed_values(legacy: dict):
    """Metadata for a field whose values were renamed: the identity keeps the old spelling."""
    return {LEGACY: legacy}


def _default(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def identity(obj: Any) -> Any:
    """JSON-ready value of `obj` as `dataclasses.asdict` gives it, less added fields at their default."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if f.metadata.get(ADDED) and value == _default(f):
                continue
            legacy = f.metadata.get(LEGACY, {})
            out[f.name] = legacy.get(value, value) if isinstance(value, str | bool | int | float) else identity(value)
        return out
    if isinstance(obj, list | tuple):
        return [identity(v) for v in obj]
    if isinstance(obj, dict):
        return {k: identity(v) for k, v in obj.items()}
    return obj
