from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rutsim.errors import RunOutputError
from rutsim.files import (
    TMP_NAME,
    atomic_dir,
    atomic_write_text,
    canonical_json,
    host_tag,
    package_versions,
    sha256_file,
    sha256_json,
)


def test_atomic_dir_renames_on_success(tmp_path):
    final = tmp_path / "run"
    with atomic_dir(final) as tmp:
        (tmp / "a.txt").write_text("x")
        assert not final.exists()
    assert (final / "a.txt").read_text() == "x"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_atomic_dir_leaves_nothing_on_failure(tmp_path):
    final = tmp_path / "run"
    with pytest.raises(ZeroDivisionError), atomic_dir(final) as tmp:
        (tmp / "a.txt").write_text("x")
        _ = 1 / 0
    assert list(tmp_path.iterdir()) == []


def test_atomic_dir_refuses_to_overwrite(tmp_path):
    final = tmp_path / "run"
    final.mkdir()
    (final / "keep.txt").write_text("old")
    with pytest.raises(RunOutputError, match="never overwrites"), atomic_dir(final):
        pass
    assert (final / "keep.txt").read_text() == "old"


def test_atomic_dir_overwrite_replaces_only_when_complete(tmp_path):
    final = tmp_path / "run"
    final.mkdir()
    (final / "keep.txt").write_text("old")
    with pytest.raises(RuntimeError), atomic_dir(final, overwrite=True) as tmp:
        (tmp / "new.txt").write_text("new")
        raise RuntimeError("boom")
    assert (final / "keep.txt").read_text() == "old"
    with atomic_dir(final, overwrite=True) as tmp:
        (tmp / "new.txt").write_text("new")
    assert sorted(p.name for p in final.iterdir()) == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_atomic_write_text_and_hash(tmp_path):
    path = tmp_path / "sub" / "f.txt"
    atomic_write_text(path, "hello")
    assert path.read_text() == "hello"
    # sha256("hello")
    assert sha256_file(path) == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    assert [p.name for p in path.parent.iterdir()] == ["f.txt"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)


@given(json_values)
def test_canonical_json_is_stable_under_key_order(value):
    text = canonical_json(value)
    assert json.loads(text) == value
    if isinstance(value, dict):
        reordered = dict(reversed(list(value.items())))
        assert sha256_json(reordered) == sha256_json(value)


def test_package_versions_names_core_stack():
    versions = package_versions()
    for name in ("rutsim", "numpy", "jax", "pymc", "arviz", "xarray"):
        assert versions[name] != "not installed"


def test_atomic_dir_never_replaces_a_folder_that_appears_meanwhile(tmp_path) -> None:
    final = tmp_path / "run"
    with pytest.raises(RunOutputError, match="appeared while"):
        with atomic_dir(final) as tmp:
            (tmp / "mine").write_text("new")
            final.mkdir()
            (final / "theirs").write_text("first")
    assert (final / "theirs").read_text() == "first" and not (final / "mine").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temporary folder left
    # Even an empty folder made in the last instant is not replaced: the rename refuses
    # any existing target (renameat2 RENAME_NOREPLACE on Linux).
    other = tmp_path / "other"
    with pytest.raises(RunOutputError, match="appeared while"):
        with atomic_dir(other):
            other.mkdir()
    assert other.is_dir() and not any(other.iterdir())


@given(
    name=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
        min_size=1,
        max_size=40,
    ).filter(lambda n: n not in (".", ".."))
)
def test_every_temporary_name_parses_back_to_its_owner(name: str) -> None:
    # The name format is written once (tmp_prefix) and read once (TMP_NAME in clear_stale).
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as root:
        final = Path(root) / name
        with atomic_dir(final) as tmp:
            match = TMP_NAME.match(tmp.name)
            assert match is not None
            assert (match["name"], match["host"], int(match["pid"])) == (
                name,
                host_tag(),
                os.getpid(),
            )
        assert final.is_dir() and os.listdir(root) == [name]
