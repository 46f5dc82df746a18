"""Content hashes and provenance: what makes every saved result self-describing."""

from __future__ import annotations

import hashlib
import json
import socket
from importlib import metadata
from pathlib import Path

_CORE_PACKAGES = (
    "rutsim",
    "numpy",
    "pandas",
    "jax",
    "jaxlib",
    "pymc",
    "pytensor",
    "arviz",
    "xarray",
    "nutpie",
    "pydantic",
)


def sha256_bytes(data: bytes) -> str:
    """Return the hex SHA-256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 digest of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical_json(obj: object) -> str:
    """Serialise ``obj`` to JSON with sorted keys and no whitespace variation.

    Used for hashing: two equal objects always give the same string.
    """
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def sha256_json(obj: object) -> str:
    """Return the SHA-256 of the canonical JSON form of ``obj``."""
    return sha256_bytes(canonical_json(obj).encode())


def package_versions() -> dict[str, str]:
    """Return the installed versions of rutsim and its core stack."""
    versions: dict[str, str] = {}
    for name in _CORE_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def host_tag() -> str:
    """Six hex digits naming this machine (folders may be shared between machines)."""
    return sha256_bytes(socket.gethostname().encode())[:6]
