"""Builders shared by several test modules."""

from __future__ import annotations

import sys

import pytest

from rutsim.cli import main

#: The Fed's first cuts of each easing cycle since 1987 (FOMC decision months).
FIRST_CUTS_SINCE_1987 = (
    "1989-06",
    "1995-07",
    "1998-09",
    "2001-01",
    "2007-09",
    "2019-07",
    "2024-09",
)


def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """Run ``rutsim ARGS`` in-process through the real entry point; (exit code, out, err)."""
    monkeypatch.setattr(sys, "argv", ["rutsim", *args])
    monkeypatch.setenv("COLUMNS", "160")
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err
