"""Files on disk: atomic writes, claims between processes, NetCDF, checked reading, hashes, TOML.

One package for everything rutsim does to the file system, so that every writer shares
the same guarantees: a result appears whole under its final name or not at all
(:func:`atomic_dir`), never over an earlier one; two processes never write one name
(:func:`claim`, on :mod:`filelock`); the leftovers of a dead process are found by their
temporary name (:data:`TMP_NAME`) and cleared (:func:`clear_stale`); every read or write
failure is one message naming the file and the fix.
"""

from rutsim.files._atomic import (
    TMP_NAME,
    atomic_dir,
    atomic_write_bytes,
    atomic_write_text,
    check_free_space,
    check_writable,
    tmp_prefix,
)
from rutsim.files._claim import Claim, ClaimHeld, claim, clear_stale, lock_path, wait_for_claim
from rutsim.files._hash import canonical_json, host_tag, package_versions, sha256_file, sha256_json
from rutsim.files._netcdf import write_netcdf
from rutsim.files._read import MAX_TEXT_BYTES, read_text, root_hint
from rutsim.files._toml import toml_document, toml_multiline, toml_string, toml_value

__all__ = [
    "MAX_TEXT_BYTES",
    "TMP_NAME",
    "Claim",
    "ClaimHeld",
    "atomic_dir",
    "atomic_write_bytes",
    "atomic_write_text",
    "canonical_json",
    "check_free_space",
    "check_writable",
    "claim",
    "clear_stale",
    "host_tag",
    "lock_path",
    "package_versions",
    "read_text",
    "root_hint",
    "sha256_file",
    "sha256_json",
    "tmp_prefix",
    "toml_document",
    "toml_multiline",
    "toml_string",
    "toml_value",
    "wait_for_claim",
    "write_netcdf",
]
