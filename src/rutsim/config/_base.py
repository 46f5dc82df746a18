"""Frozen, validated configuration base and TOML loading with clear error messages."""

from __future__ import annotations

import contextlib
import difflib
import math
import numbers
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from rutsim.errors import ConfigError
from rutsim.files import read_text, root_hint

#: Largest TOML file read (configs and scenarios are a few KiB).
MAX_TOML_BYTES = 4 * 2**20


def _scalar_kind(annotation: object) -> type | None:
    """``int``, ``float`` or ``bool`` when a field holds exactly that scalar (or None)."""
    if annotation in (int, float, bool):
        return annotation
    if get_origin(annotation) is Annotated:
        return _scalar_kind(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        kinds = {_scalar_kind(a) for a in get_args(annotation) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    return None


def _non_finite(value: object, at: str = "") -> tuple[str, float] | None:
    """Return where (`` (at key[i])``, empty at the top) and which non-finite float is in it."""
    if isinstance(value, float):
        return None if math.isfinite(value) else (at and f" (at {at})", value)
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        inner = f"{at}[{key}]" if isinstance(key, int) else (f"{at}.{key}" if at else str(key))
        found = _non_finite(item, inner)
        if found is not None:
            return found
    return None


def _holds_path(field: Any) -> bool:
    """Whether a field holds a ``Path`` (alone or optional)."""
    if field is None:
        return False
    annotation = field.annotation
    return annotation is Path or Path in get_args(annotation)


_EXAMPLES = {int: "12", float: "0.5", bool: "true"}
_NAMES = {int: "a whole number", float: "a number", bool: "true or false"}


class FrozenModel(BaseModel):
    """Base for every config object: immutable, unknown keys rejected, scalars strict.

    A number must be written as a number and a switch as ``true``/``false``: pydantic's
    lax mode would read ``horizon = true`` as 1, ``horizon = "12"`` as 12 and
    ``paths_per_draw = 1e9`` as an integer, so such values are refused with the fix.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    @field_validator("*", mode="before")
    @classmethod
    def _strict_scalars(cls, value: object, info: ValidationInfo) -> object:
        field = cls.model_fields.get(info.field_name or "")
        if field is None or _model_in(field.annotation) is None:
            # Nested config models check their own fields (and name them); here every
            # number in a scalar, list or table value must be finite: an inf or nan
            # would reach the sampler or the kernel (a native crash, or NaN paths).
            where = _non_finite(value)
            if where is not None:
                at, bad = where
                raise ValueError(
                    f"must be a finite number, got {bad}{at}. To fix: write a finite "
                    f"number (TOML reads inf and nan as numbers) for {info.field_name}"
                )
        if isinstance(value, str) and not value.strip() and _holds_path(field):
            # Path("") is the working folder: an empty path would silently write there.
            raise ValueError(
                f"is empty. To fix: give {info.field_name} a folder or file path, or leave "
                "the key out for its default"
            )
        kind = _scalar_kind(field.annotation) if field is not None else None
        if kind is None or value is None:
            return value
        ok = (
            isinstance(value, bool)
            if kind is bool
            else isinstance(value, numbers.Real) and not isinstance(value, bool)
            if kind is float
            else isinstance(value, numbers.Integral) and not isinstance(value, bool)
        )
        if not ok:
            shown = str(value).lower() if isinstance(value, bool) else repr(value)
            raise ValueError(
                f"must be {_NAMES[kind]}, got {shown} ({type(value).__name__}). To fix: write "
                f"{_NAMES[kind]} without quotes, e.g. {info.field_name} = {_EXAMPLES[kind]}"
            )
        return value


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file, turning I/O and syntax errors into :class:`ConfigError`.

    Parameters
    ----------
    path : Path
        The TOML file.

    Returns
    -------
    dict
        The parsed document (only ever passed straight to a pydantic model).
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"{path}: file not found. To fix: check the path (configs live in configs/, "
            f"scenarios in scenarios/).{root_hint(path)}"
        )
    text = read_text(path, error=ConfigError, what="config file", max_bytes=MAX_TOML_BYTES)
    return parse_toml(text, path, ConfigError)


def parse_toml(text: str, source: Path | str, error: type[Exception]) -> dict[str, Any]:
    """Parse TOML text, raising ``error`` (naming ``source``) for bad syntax or deep nesting."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: not valid TOML ({exc}). To fix: correct the syntax.") from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively.
        raise error(
            f"{source}: arrays or tables nested too deeply to read. To fix: a config or "
            "scenario needs at most a few levels of nesting; check the file is the right one."
        ) from None


def _model_in(annotation: object) -> type[BaseModel] | None:
    """Return the config model a field holds (through Optional, Annotated, list, dict)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _known_keys(model: type[BaseModel], loc: tuple[object, ...]) -> list[str]:
    """Return the keys allowed at ``loc`` (a pydantic error location) below ``model``."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return []
        field = current.model_fields.get(str(part))
        if field is None:
            continue  # a list index or dict key: stay on the same model
        current = _model_in(field.annotation)
    return list(current.model_fields) if current is not None else []


def _fix_for(err: Any, key: str) -> str:
    """Return a "To fix" sentence for one of pydantic's own error kinds."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "literal_error":
        return f"To fix: set {key} to one of {ctx.get('expected', 'the documented values')}"
    bounds = {
        "greater_than": "greater than {gt}",
        "greater_than_equal": "at least {ge}",
        "less_than": "less than {lt}",
        "less_than_equal": "at most {le}",
    }
    if kind in bounds:
        return f"To fix: set {key} to a value {bounds[kind].format(**ctx)}"
    if kind in ("too_short", "too_long"):
        return f"To fix: give {key} the documented number of entries"
    return f"To fix: correct {key} (every key is documented in configs/README.md)"


def format_validation_error(
    source: str, exc: ValidationError, model: type[BaseModel] | None = None
) -> str:
    """Render a pydantic ``ValidationError`` as one message naming file, keys and fixes.

    Every line names the key and ends with a fix; an unknown key gets the closest known
    keys ("did you mean") when ``model`` is given.
    """
    lines = [f"{source}: invalid configuration"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        kind = err["type"]
        msg = str(err["msg"]).removeprefix("Value error, ")
        if kind == "extra_forbidden":
            known = _known_keys(model, err["loc"][:-1]) if model is not None else []
            close = difflib.get_close_matches(str(err["loc"][-1]), known, n=3, cutoff=0.6)
            hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
            allowed = f" (allowed here: {', '.join(known)})" if known and not close else ""
            msg = f"unknown key. {hint}To fix: remove it or correct its spelling{allowed}"
        elif kind == "missing":
            msg = "required key is missing. To fix: add it"
        elif "To fix" not in msg:
            msg = f"{msg}. {_fix_for(err, key)}"
        lines.append(f"  - key '{key}': {msg}" if err["loc"] else f"  - {msg}")
    return "\n".join(lines)


@contextlib.contextmanager
def naming_source(source: str) -> Iterator[None]:
    """Prefix config errors raised in the block with the config file, unless they name it.

    Checks that run after loading (scenario selection, sizes, the sampler backend) know
    the key but not the file; every config error must name both.
    """
    try:
        yield
    except ConfigError as exc:
        if source in str(exc):
            raise
        raise ConfigError(f"{source}: {exc}") from None


def validate_model[T: FrozenModel](model: type[T], data: dict[str, Any], source: str) -> T:
    """Validate ``data`` into ``model``, raising :class:`ConfigError` that names ``source``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(source, exc, model)) from None


def load_toml_model[T: FrozenModel](model: type[T], path: Path) -> T:
    """Read a TOML file and validate it into a frozen config model."""
    return validate_model(model, read_toml(path), str(path))
