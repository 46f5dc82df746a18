"""Origins, conditioning modes, the real-time panel and the worker pool, before any fit."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from rutsim.config import BacktestConfig, DataConfig
from rutsim.data import load_panel
from rutsim.errors import ConfigError
from rutsim.validate._origins import (
    EPS_COLUMNS,
    Mode,
    mode_arrays,
    parse_modes,
    parse_origins,
    plan_origins,
    realtime_panel,
)

Q = pd.Period


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return load_panel()


def test_origin_ranges_and_lists() -> None:
    got = parse_origins("1998Q4:2000Q4,2007Q2", every=4)
    assert [str(q) for q in got] == ["1998Q4", "1999Q4", "2000Q4", "2007Q2"]
    assert len(parse_origins("2000Q1:2000Q4", every=1)) == 4
    with pytest.raises(ConfigError, match="ends before it starts"):
        parse_origins("2005Q1:2000Q1", every=1)


def test_modes() -> None:
    modes = parse_modes(("realized", "spread+fedfunds", "none"))
    assert modes == (
        Mode("realized", ("fedfunds", "slope", "spread", "unemployment")),
        Mode("fedfunds+spread", ("fedfunds", "spread")),
        Mode("none", ()),
    )
    with pytest.raises(ConfigError, match="unknown conditioning mode 'fedfund'.*--condition"):
        parse_modes(("fedfund",))
    with pytest.raises(ConfigError, match="repeat"):
        parse_modes(("fedfunds", "fedfunds"))


def test_plan_scores_only_horizons_inside_the_data(panel: pd.DataFrame) -> None:
    bt = BacktestConfig(horizons=(1, 2, 4, 8))
    plans = plan_origins(panel, DataConfig(), bt, (Q("2020Q4", "Q"), Q("2024Q4", "Q")))
    assert plans[0].horizons == (1, 2, 4, 8)
    assert plans[1].horizons == (1, 2)  # data end in 2025Q3


@pytest.mark.parametrize(
    ("origins", "horizons", "message"),
    [
        (("2026Q1",), (1,), r"origin 2026Q1 .*outside the data.*1988Q1\.\.2025Q3"),
        (("1990Q1",), (1,), r"origin 1990Q1 has 9 quarters .* at least 24 .*min_history"),
        (("2025Q3",), (1,), r"origin 2025Q3: horizon 1 ends after the last realized"),
        (("2024Q1", "2023Q4"), (1, 12), r"horizon 12 .*--horizons.*every origin"),
    ],
)
def test_bad_origins_and_horizons(
    panel: pd.DataFrame, origins: tuple[str, ...], horizons: tuple[int, ...], message: str
) -> None:
    bt = BacktestConfig(horizons=horizons)
    with pytest.raises(ConfigError, match=message):
        plan_origins(panel, DataConfig(), bt, tuple(Q(o, "Q") for o in origins))


def test_realtime_panel_drops_the_future_and_unpublished_eps(panel: pd.DataFrame) -> None:
    seen = realtime_panel(panel, Q("2007Q2", "Q"), eps_lag=1)
    assert seen.index.max() == Q("2007Q2", "Q")
    for col in EPS_COLUMNS:
        assert np.isnan(seen.at[Q("2007Q2", "Q"), col])
        assert seen.at[Q("2007Q1", "Q"), col] == panel.at[Q("2007Q1", "Q"), col]
    assert seen.at[Q("2007Q2", "Q"), "rut_end"] == panel.at[Q("2007Q2", "Q"), "rut_end"]


def test_mode_arrays_pin_the_realized_path(panel: pd.DataFrame) -> None:
    data = DataConfig()
    arr = mode_arrays(panel, data, Q("2024Q4", "Q"), 4, Mode("fedfunds", ("fedfunds",)))
    assert arr.values[0, 0] == panel.at[Q("2025Q1", "Q"), "fedfunds_avg"]
    # Fed funds pinned while the data last (2025Q1..Q3), free after; slope/spread free.
    assert arr.pinned[:, 0].tolist() == [True, True, True, False]
    assert not arr.pinned[:, 1:].any()
    assert np.all(np.isfinite(arr.values))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
def test_backtest_workers_die_with_a_killed_parent(tmp_path) -> None:
    # A parent that starts a pool the way the backtest does, then is SIGKILLed (no
    # clean-up runs): its worker must not live on as an orphan holding a core.
    script = tmp_path / "parent.py"
    script.write_text(
        "import multiprocessing as mp, os, time\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from rutsim.validate._runner import die_with_parent\n"
        "if __name__ == '__main__':\n"
        "    ctx = mp.get_context('spawn')\n"
        "    pool = ProcessPoolExecutor(1, mp_context=ctx, initializer=die_with_parent)\n"
        "    print(pool.submit(os.getpid).result(), flush=True)\n"
        "    pool.submit(time.sleep, 120)\n"
        "    time.sleep(120)\n"
    )
    with subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True
    ) as parent:
        try:
            worker = int(parent.stdout.readline())
            assert _alive(worker)
            parent.send_signal(signal.SIGKILL)
            parent.wait(timeout=30)
            deadline = time.monotonic() + 20
            while _alive(worker) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not _alive(worker)
        finally:
            parent.kill()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"  # a zombie is dead
    except FileNotFoundError:
        return False
