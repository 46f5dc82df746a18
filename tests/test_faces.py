"""Each package's face (``__all__``) lists only what other code uses.

A name in ``rutsim.<pkg>.__all__`` must be used by some module outside that package (other
packages, the tests or the benchmarks): a face that lists everything hides which names
are the contract. The top-level ``rutsim`` face is the user's API and is exempt. Text
search, not import tracing: a name counts as used by a file that mentions the package
(``rutsim.<pkg>``) and the name as a word.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "rutsim"


def _faces() -> dict[str, list[str]]:
    faces = {}
    for init in sorted(SRC.rglob("__init__.py")):
        if init.parent == SRC:
            continue
        package = ".".join(init.parent.relative_to(SRC.parent).parts)
        for node in ast.parse(init.read_text()).body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
            ):
                faces[package] = [ast.literal_eval(e) for e in node.value.elts]  # type: ignore[attr-defined]
    return faces


FACES = _faces()
CODE = {
    p: p.read_text()
    for folder in (SRC, ROOT / "tests", ROOT / "benchmarks")
    for p in folder.rglob("*.py")
}


@pytest.mark.parametrize("package", sorted(FACES))
def test_a_face_lists_only_names_used_outside_its_package(package: str) -> None:
    home = SRC.parent.joinpath(*package.split("."))
    outside = [
        text
        for path, text in CODE.items()
        if home not in path.parents and re.search(rf"\b{re.escape(package)}\b", text)
    ]
    unused = [
        name
        for name in FACES[package]
        if not any(re.search(rf"\b{re.escape(name)}\b", text) for text in outside)
    ]
    assert not unused, f"{package}.__all__ lists names no other code uses: {unused}"


def test_every_face_name_is_importable() -> None:
    import importlib

    for package, names in FACES.items():
        module = importlib.import_module(package)
        assert [n for n in names if not hasattr(module, n)] == [], package


def test_one_list_of_simulated_macro_variables() -> None:
    # types.SIMULATED_MACRO is the list; the report's display order is the same set.
    from rutsim.report._summary import MACRO_SHOWN
    from rutsim.types import SIMULATED_MACRO, SimPaths

    assert SIMULATED_MACRO == SimPaths._fields[: len(SIMULATED_MACRO)]
    assert sorted(MACRO_SHOWN) == sorted(SIMULATED_MACRO)
