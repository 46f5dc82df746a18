"""Compare two backtest folders (model v1 against v2) on the same origins.

Usage::

    .venv/bin/python benchmarks/compare_backtests.py OLD_FOLDER NEW_FOLDER \\
        [--horizon 4] [--subset 2003Q4:2021Q4]

For every conditioning mode of either folder and the Russell 2000 price target: the
number of origins, CRPS skill against the Gaussian random walk (with its Newey-West
standard error and without the most favourable origin), 90% interval coverage and mean
PIT, over all common origins and over ``--subset`` (the issue's 19 origins). It
re-summarises the stored ``scores.parquet`` with :func:`rutsim.validate._summary.summarise`,
so the numbers are the ones the backtest reports. Failed-gate origins stay in (flagged),
as in the backtests' own summaries.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from rutsim.validate._summary import summarise


def _load(folder: Path) -> tuple[pd.DataFrame, int]:
    scores = pd.read_parquet(folder / "scores.parquet")
    every = json.loads((folder / "manifest.json").read_text())["backtest"]["every"]
    return scores, int(every)


def _rows(scores: pd.DataFrame, every: int, h: int, label: str) -> list[dict]:
    s = summarise(scores, every)
    s = s[(s["target"] == "price") & (s["horizon"] == h)]
    out = []
    for _, r in s[s["forecaster"].str.startswith("rutsim:")].iterrows():
        out.append(
            {
                "model": label,
                "condition": r["forecaster"].removeprefix("rutsim:"),
                "n": int(r["n"]),
                "skill_vs_rw": r["skill_vs_random_walk"],
                "se": r["se_vs_random_walk"],
                "skill_ex_best": r["skill_vs_random_walk_ex_best"],
                "cover_90": r["cover_90"],
                "mean_pit": r["mean_pit"],
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--horizon", type=int, default=4)
    parser.add_argument("--subset", default="2003Q4:2021Q4")
    args = parser.parse_args()
    (old, every_old), (new, every_new) = _load(args.old), _load(args.new)
    common = sorted(set(old["origin"]) & set(new["origin"]))
    lo, hi = args.subset.split(":")
    for title, keep in (
        (f"all {len(common)} common origins", common),
        (f"origins {lo}..{hi}", [o for o in common if lo <= o <= hi]),
    ):
        rows = []
        for label, scores, every in (("v1", old, every_old), ("v2", new, every_new)):
            rows += _rows(scores[scores["origin"].isin(keep)], every, args.horizon, label)
        table = pd.DataFrame(rows)
        print(f"\n{args.horizon}-quarter Russell 2000 price return, {title}")
        print(
            "| model | condition | n | CRPS skill vs RW (se) | without best origin "
            "| 90% cover | mean PIT |"
        )
        print("|---|---|---|---|---|---|---|")
        for _, r in table.iterrows():
            print(
                f"| {r['model']} | {r['condition']} | {r['n']} | {r['skill_vs_rw']:+.1%} "
                f"({r['se']:.1%}) | {r['skill_ex_best']:+.1%} | {r['cover_90']:.1%} "
                f"| {r['mean_pit']:.2f} |"
            )


if __name__ == "__main__":
    main()
