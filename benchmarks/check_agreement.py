"""Does a run agree with a much larger plain run within its own Monte Carlo errors?

Compares the pooled headline metrics of two runs' ``metrics.parquet`` (the same config
and model, e.g. stratified paths against 50x more plain paths with another seed)::

    .venv/bin/python benchmarks/check_agreement.py outputs/RUN outputs/BIG_PLAIN_RUN

For every scenario (and the blend), headline horizon and metric it prints the difference
in units of the first run's reported ``mc_se`` and of both runs' errors together, and
exits 1 when any difference exceeds 3 of the first run's own standard errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

METRICS = ("return_median", "var_95", "cvar_95", "prob_loss", "var_99", "cvar_99")


def main() -> int:
    """Print the table and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("big", type=Path)
    parser.add_argument("--horizons", type=int, nargs="*", default=[4, 8, 12])
    args = parser.parse_args()
    key = ["scenario", "horizon", "metric"]
    tables = []
    for folder in (args.run, args.big):
        t = pd.read_parquet(folder / "metrics.parquet")
        t = t[(t.statistic == "pooled") & t.metric.isin(METRICS) & t.horizon.isin(args.horizons)]
        tables.append(t[[*key, "value", "mc_se"]])
    both = tables[0].merge(tables[1], on=key, suffixes=("", "_big"))
    both["z_own"] = (both.value - both.value_big) / both.mc_se
    both["z_both"] = (both.value - both.value_big) / np.hypot(both.mc_se, both.mc_se_big)
    pd.set_option("display.width", 200)
    print(both.to_string(index=False, float_format=lambda v: f"{v:.5f}"))
    worst = both.z_own.abs().max()
    print(
        f"{len(both)} metrics; |difference| / own mc_se: max {worst:.2f}, "
        f"mean {both.z_own.abs().mean():.2f}; within 3: {(both.z_own.abs() <= 3).sum()}"
        f"/{len(both)}; |z| with both errors: max {both.z_both.abs().max():.2f}"
    )
    return 0 if worst <= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
