"""Frozen, validated configuration base and TOML loading with clear error messages."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from rutsim.errors import ConfigError


class FrozenModel(BaseModel):
    """Base for every config object: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


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
            "scenarios in scenarios/)."
        )
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}). To fix: correct the syntax.") from exc


def format_validation_error(source: str, exc: ValidationError) -> str:
    """Render a pydantic ``ValidationError`` as one message naming file, keys and fixes."""
    lines = [f"{source}: invalid configuration"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        kind = err["type"]
        msg = err["msg"]
        if kind == "extra_forbidden":
            msg = "unknown key. To fix: remove it or check its spelling against the docs"
        elif kind == "missing":
            msg = "required key is missing. To fix: add it"
        lines.append(f"  - key '{key}': {msg}")
    return "\n".join(lines)


def validate_model[T: FrozenModel](model: type[T], data: dict[str, Any], source: str) -> T:
    """Validate ``data`` into ``model``, raising :class:`ConfigError` that names ``source``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(source, exc)) from None


def load_toml_model[T: FrozenModel](model: type[T], path: Path) -> T:
    """Read a TOML file and validate it into a frozen config model."""
    return validate_model(model, read_toml(path), str(path))
