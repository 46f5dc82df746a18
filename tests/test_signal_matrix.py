"""The signal matrix: SIGINT, SIGTERM and SIGKILL in every phase of the real console script.

Each case starts ``rutsim`` as a user would (a subprocess of the installed console
script, in a project of its own), waits for the status line of a phase (start-up, fit,
simulate, write, report), sends the signal, and then runs the next command:

* SIGINT and SIGTERM stop at once with exit 130 / 143 and one line, no traceback, and
  leave nothing behind: no run or model folder, no temporary folder, no lock file; a
  report rebuild leaves the run folder exactly as it was;
* SIGKILL leaves what the kernel cannot tidy (a temporary folder, a lock file), and the
  next command on the same folder clears it, succeeds and leaves nothing behind.

Slow tier (about four minutes): the fast tier covers the same handlers in-process
(``tests/test_faults.py``, ``tests/test_run_integrity.py``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import SMALL_FIT_TOML, snapshot

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
RUTSIM = Path(sys.executable).with_name("rutsim")

#: Long enough a simulation that the signal lands inside it.
RUN = """
[simulation]
paths_per_draw = 4000
horizon = 8
keep_paths = 4
[scenarios]
names = ["base", "delayed_pivot"]
"""

#: (command, the status line to wait for): "" means 0.3 s after start.
PHASES = {
    "start-up": ("run", ""),
    "fit": ("run", "compiling the model"),
    "simulate": ("run", "simulating"),
    "write": ("run", "computing the metrics"),
    "report": ("report", "drawing the figures"),
}
SIGNALS = {"SIGINT": (signal.SIGINT, 130), "SIGTERM": (signal.SIGTERM, 143)}


def _project(tmp: Path, models: Path | None) -> Path:
    root = tmp / "project"
    (root / "configs").mkdir(parents=True)
    shutil.copytree(ROOT / "scenarios", root / "scenarios")
    fit = SMALL_FIT_TOML.replace('models_dir = "{models}"\n', "").replace("figures = false", "")
    (root / "configs" / "c.toml").write_text(fit + RUN)
    if models is not None:
        shutil.copytree(models, root / "models", ignore=shutil.ignore_patterns(".*"))
    return root


def _leftovers(root: Path) -> list[str]:
    found = []
    for folder in (root / "outputs", root / "models", root / "models" / "quarantine"):
        if folder.is_dir():
            found += [p.name for p in folder.iterdir() if p.name.startswith(".")]
    return found


def _start(root: Path, args: list[str]) -> subprocess.Popen[str]:
    # as a user runs it: reports draw part of their figures in a helper process
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "160", "RUTSIM_FIGURE_HELPER": "1"}
    return subprocess.Popen(
        [str(RUTSIM), *args],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _signal_at(proc: subprocess.Popen[str], line: str, sig: int) -> tuple[int, str]:
    """Send ``sig`` once ``line`` appears on stderr (or 0.3 s after start).

    Returns the exit code and everything the process wrote on stderr.
    """
    assert proc.stderr is not None
    seen = []
    if not line:
        time.sleep(0.3)
    else:
        deadline = time.monotonic() + 300
        for text in proc.stderr:
            seen.append(text)
            if line in text:
                break
            assert time.monotonic() < deadline, "".join(seen)
        else:
            pytest.fail(f"the process ended before '{line}':\n{''.join(seen)}")
    proc.send_signal(sig)
    rest = proc.stderr.read()
    code = proc.wait(timeout=120)
    proc.stderr.close()
    return code, "".join(seen) + rest


def _run_args(name: str) -> list[str]:
    return ["run", "configs/c.toml", "--name", name, "--allow-unconverged"]


@pytest.fixture(scope="module")
def models(small_fit) -> Path:
    return small_fit.path.parent


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory, models: Path) -> Path:
    """A project with a finished run ``r`` (the report cases rebuild it)."""
    root = _project(tmp_path_factory.mktemp("report"), models)
    done = subprocess.run(
        [str(RUTSIM), *_run_args("r"), "--quiet"], cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return root


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM", "SIGKILL"])
@pytest.mark.parametrize("phase", list(PHASES))
def test_signal_in_every_phase(
    phase: str, signame: str, tmp_path: Path, models: Path, finished_run: Path
) -> None:
    command, line = PHASES[phase]
    sig, code = SIGNALS.get(signame, (signal.SIGKILL, -9))
    if command == "report":
        root = tmp_path / "project"
        shutil.copytree(finished_run, root)
        args = ["report", "outputs/r", "--overwrite"]
    else:
        root = _project(tmp_path, None if phase == "fit" else models)
        args = _run_args("x")
    before = snapshot(root / "outputs") if command == "report" else {}
    returned, err = _signal_at(_start(root, args), line, sig)
    assert returned == code, (returned, err)
    assert "Traceback" not in err, err
    if signame != "SIGKILL":
        assert err.rstrip().splitlines()[-1].startswith("aborted ("), err
        assert _leftovers(root) == [], _leftovers(root)
        if command == "report":
            assert snapshot(root / "outputs") == before
        else:
            assert not (root / "outputs" / "x").exists()
    # The next command on the same folders: clears what a killed process left, succeeds.
    if command == "report" or phase != "fit":
        nxt = subprocess.run(
            [str(RUTSIM), *args, "--quiet"], cwd=root, capture_output=True, text=True
        )
        assert nxt.returncode == 0, nxt.stderr
        assert _leftovers(root) == [], _leftovers(root)
    else:
        # A fit stopped while compiling: the next command (a refit takes a minute) finds
        # the run name and the model id free at once and clears what was left, as every
        # writing command does on its folders before it starts.
        from rutsim import files

        for folder in (root / "outputs", root / "models"):
            for lock in folder.glob(".*.lock"):
                final = lock.with_name(lock.name.removeprefix(".").removesuffix(".lock"))
                with files.claim(final):
                    pass
            files.clear_stale(folder)
        assert _leftovers(root) == []
