"""``rutsim run`` from the command line: overrides, status lines, --version, help, names.

The fit is replaced by synthetic draws (``helpers.fake_fit``); the real first run with a
real fit, its status lines and the quarantine of a failed fit are in
``test_cli_first_run.py``.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import rutsim.pipeline
from helpers import STATUS_LINE, TINY, fake_fit, run_cli, without_status
from rutsim.config import load_run_config
from rutsim.runs import load_run

ROOT = Path(__file__).resolve().parents[1]
Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with configs/tiny.toml and the shipped scenarios, as the working folder."""
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "tiny.toml").write_text(TINY.format(scenarios="scenarios"))
    monkeypatch.setattr(rutsim.pipeline, "fit_or_load", fake_fit)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def test_version(cli: Cli) -> None:
    from importlib.metadata import version

    code, out, _ = cli("--version")
    assert code == 0 and out.strip() == f"rutsim {version('rutsim')}"


@pytest.mark.parametrize("command", [["run"], ["fit"], ["report"], ["scenario", "show"]])
def test_help_shows_no_value_for_flags_and_says_how_paths_resolve(
    cli: Cli, command: list[str]
) -> None:
    code, out, _ = cli(*command, "--help")
    assert code == 0
    assert "<bool>" not in out
    assert "--help" in out
    if command == ["run"]:
        for option in ("--set", "--seed", "--scenarios", "--horizon", "--allow-unconverged"):
            assert option in out
        assert "project root" in re.sub(r"[\s│]+", " ", out)


def test_one_word_for_replace_across_commands(cli: Cli) -> None:
    for command in (["report"], ["scenario", "show"], ["scenario", "import-fed"]):
        _, out, _ = cli(*command, "--help")
        assert "--overwrite" in out and "--force" not in out, command


def test_overrides_are_validated_recorded_and_part_of_the_hash(project: Path, cli: Cli) -> None:
    cfg = "configs/tiny.toml"
    assert cli("run", cfg, "--name", "plain", "--quiet")[0] == 0
    code, out, err = cli(
        "run",
        cfg,
        "--name",
        "changed",
        "--quiet",
        "--set",
        "simulation.paths_per_draw=12",
        "--seed",
        "3",
        "--horizon",
        "6",
        "--scenarios",
        "base,aggressive_easing",
    )
    assert code == 0, err
    plain = json.loads((project / "outputs" / "plain" / "manifest.json").read_text())
    changed = json.loads((project / "outputs" / "changed" / "manifest.json").read_text())
    assert changed["overrides"] == [
        "simulation.seed=3",
        "simulation.horizon=6",
        'scenarios.names=["base", "aggressive_easing"]',
        "simulation.paths_per_draw=12",
    ]
    assert plain["overrides"] == []
    assert changed["config_hash"] != plain["config_hash"]
    # The written config is the overridden one, and loads back to it.
    again = load_run_config(project / "outputs" / "changed" / "config.toml")
    sim = again.simulation
    assert (sim.paths_per_draw, sim.seed, sim.horizon) == (12, 3, 6)
    assert again.scenarios.names == ("base", "aggressive_easing")
    run = load_run(project / "outputs" / "changed")
    assert run.scenarios == ("base", "aggressive_easing")
    assert run.simulation.sizes["horizon"] == 6
    assert run.pooled is not None  # every one of the 12 paths per draw is pooled
    assert int(run.pooled["count"].sel(horizon=6).sum("bin")[0]) == 6 * 12
    assert "2 scenarios" not in out or "aggressive_easing" in out


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--set", "simulation.pathz_per_draw=5"], ["did you mean 'paths_per_draw'", "--set"]),
        (["--set", "simulation.paths_per_draw=-1"], ["simulation.paths_per_draw", "at least 1"]),
        (["--set", "nokey"], ["expected section.key=value", "To fix"]),
        (["--set", "simulation.horizon.x=1"], ["is a value, not a section"]),
        (["--scenarios", "basse"], ["Did you mean 'base'"]),
        (["--seed", "-4"], ["simulation.seed", "32-bit seed"]),
        (["--horizon", "0"], ["simulation.horizon", "at least 1"]),
    ],
)
def test_bad_overrides_name_the_key_and_the_fix(
    project: Path, cli: Cli, args: list[str], fragments: list[str]
) -> None:
    code, out, err = cli("run", "configs/tiny.toml", "--name", "bad", *args)
    assert code == 2, (out, err)
    # Status lines may come first; then exactly one error message, never a traceback.
    message = without_status(err)
    assert message.startswith("error: "), err
    assert sum(ln.startswith("error: ") for ln in message.splitlines()) == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert _files(project / "outputs") == []


def test_meeting_move_in_percent_is_refused_with_the_fix(project: Path, cli: Cli) -> None:
    path = project / "scenarios" / "base.toml"
    text = path.read_text()
    moved = text.replace("2025-10-29 = -25.0", "2025-10-29 = -0.25", 1)
    assert moved != text, "the shipped base scenario has a -25 bp meeting move"
    path.write_text(moved)
    code, _, err = cli("run", "configs/tiny.toml", "--name", "bp")
    assert code == 2 and "-0.25 bp" in err and "as -25" in err, err
    assert _files(project / "outputs") == []


#: The phases a run with figures and a report announces, in order (the fit is a stand-in).
RUN_PHASES = (
    "loading data and scenarios",
    "simulating 2 scenarios x 6 posterior draws x 8 paths x 8 quarters",
    "computing the metrics over every path",
    "computing the metrics table",
    "drawing the figures",
    "writing report.html",
    "writing outputs/status",
)


def test_status_lines_announce_every_phase_once_in_order(project: Path, cli: Cli) -> None:
    code, out, err = cli(
        "run",
        "configs/tiny.toml",
        "--name",
        "status",
        "--set",
        "outputs.figures=true",
        "--set",
        "outputs.report=true",
    )
    assert code == 0, err
    lines = [ln for ln in err.splitlines() if STATUS_LINE.match(ln)]
    found = [next(i for i, ln in enumerate(lines) if phase in ln) for phase in RUN_PHASES]
    assert found == sorted(found) and len(lines) == len(RUN_PHASES), lines
    # The result goes to stdout, the phases only to stderr, nothing twice.
    assert "run status -> outputs/status" in out and "VaR 95" in out
    assert not any(STATUS_LINE.match(ln) for ln in out.splitlines())
    assert "report: outputs/status/report.html" in out


def test_quiet_prints_only_the_result(project: Path, cli: Cli) -> None:
    code, out, err = cli("run", "configs/tiny.toml", "--name", "quiet", "--quiet")
    assert code == 0
    assert err == ""
    assert "run quiet -> outputs/quiet" in out and "CVaR 95" in out


def test_terminal_table_follows_headline_horizons_with_blend_and_var(
    project: Path, cli: Cli
) -> None:
    code, out, _ = cli(
        "run",
        "configs/tiny.toml",
        "--name",
        "table",
        "--quiet",
        "--set",
        "outputs.headline_horizons=[2, 6]",
        "--scenarios",
        "base,recession_easing",
    )
    assert code == 0
    blocks = re.findall(r"^(\d+) quarters \(to (\d{4}Q\d)\)$", out, re.M)
    assert [b[0] for b in blocks] == ["2", "6", "8"]  # the last quarter is always shown
    rows = [ln for ln in out.splitlines() if ln.startswith("  ")]
    header = rows[0]
    for label in ("median", "95%", "P(loss)", "VaR 95", "CVaR 95", "weight"):
        assert label in header
    # Long names stay aligned: every value column ends at the same character.
    data = [r for r in rows if not r.lstrip().startswith("scenario")]
    assert {len(r) for r in data} == {len(header)}
    assert sum(r.lstrip().startswith("blend") for r in data) == 3


def test_every_command_resolves_default_folders_against_the_project_root(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # From a subfolder, `scenario list` finds the same scenarios/ that `run` uses.
    (project / "outputs" / "deep").mkdir(parents=True)
    monkeypatch.chdir(project / "outputs" / "deep")
    code, out, err = cli("scenario", "list")
    assert code == 0, err
    assert "base" in out and "recession_easing" in out
    code, out, err = cli("run", "../../configs/tiny.toml", "--name", "from-deep", "--quiet")
    assert code == 0, err
    assert (project / "outputs" / "from-deep" / "manifest.json").is_file()
    assert f"run from-deep -> {project / 'outputs' / 'from-deep'}" in out


def test_commands_are_registered_once_however_often_main_runs(cli: Cli) -> None:
    from rutsim.cli import app

    for _ in range(3):
        assert cli("--version")[0] == 0
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert len(names) == len(set(names)), names


@pytest.mark.parametrize(
    "command",
    [
        ["run", "missing.toml"],
        ["backtest", "missing.toml"],
        ["study", "easing", "missing.toml"],
        ["study", "fomc", "missing.toml"],
    ],
)
@pytest.mark.parametrize("name", ["", "../x", " "])
def test_a_bad_name_is_refused_before_the_config_is_read(
    monkeypatch, capsys, tmp_path: Path, command: list[str], name: str
) -> None:
    # The argument is named first (the config does not even exist), and nothing is written.
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(monkeypatch, capsys, *command, "--name", name)
    assert code == 2
    assert f"error: --name {name!r} is not a safe folder name" in err
    assert "To fix" in err and "missing.toml" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["frobnicate"], "rutsim: No such command 'frobnicate'"),
        (["run"], "rutsim run: Missing argument 'config'"),
        (["run", "a.toml", "b.toml"], "rutsim run: Got unexpected extra argument"),
        (["run", "a.toml", "--seed", "abc"], "rutsim run: Invalid value for '--seed'"),
        (["run", "a.toml", "--bogus"], "rutsim run: No such option: --bogus"),
        (["study", "easing", "--nope"], "rutsim study easing: No such option: --nope"),
    ],
)
def test_usage_mistakes_are_one_line_in_the_house_style(
    monkeypatch, capsys, tmp_path: Path, args: list[str], said: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(monkeypatch, capsys, *args)
    assert code == 2
    assert err.startswith(f"error: {said}") and "To fix: see `" in err
    assert "Usage:" not in err and "Traceback" not in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--workers", "100000"], "--workers: Input should be less than or equal to 256"),
        (["--horizons", "1,2,500"], "--horizons: must be distinct horizons"),
        (["--condition", "fedfunds+fedfunds"], "--condition: mode 'fedfunds+fedfunds'"),
        (["--origins", "1998"], "--origins: '1998' is not a list of quarters"),
    ],
)
def test_backtest_options_are_checked_before_the_config(
    monkeypatch, capsys, tmp_path: Path, args: list[str], said: str
) -> None:
    # The config does not exist: the option is still the first thing reported.
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(monkeypatch, capsys, "backtest", "missing.toml", *args)
    assert code == 2
    assert err.startswith(f"error: {said}") and "To fix" in err
    assert list(tmp_path.iterdir()) == []
