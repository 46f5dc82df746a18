"""The policy answers a user tries first, on the default model fitted to the shipped data.

With base's SEP unemployment path pinned and slope and spread left to the model
(``configs/policy_check.toml``), a cut the market had not priced must raise small-cap
returns against base and hikes must lower them, by amounts the FOMC announcement days
allow (issue 25; docs/model.md, "Policy answers"). It needs the full default fit, so it
runs under -m slow (about 2 minutes with a fitted model in ``models/``, 4 without).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_cuts_beyond_what_is_priced_raise_small_caps_and_hikes_lower_them(
    tmp_path: Path,
) -> None:
    import rutsim
    from rutsim.report import scenario_differences
    from rutsim.runs import load_run, run_metrics

    project = tmp_path / "project"
    shutil.copytree(ROOT / "configs", project / "configs")
    shutil.copytree(ROOT / "scenarios", project / "scenarios")
    if (ROOT / "models").is_dir():  # reuse a default fit when there is one
        shutil.copytree(
            ROOT / "models", project / "models", ignore=shutil.ignore_patterns("*.lock")
        )
    result = rutsim.run(project / "configs" / "policy_check.toml", name="policy")
    run = load_run(result.folder)
    diffs = scenario_differences(run, run_metrics(run), (2, 4), "base")
    median = {(d.a, d.horizon): d for d in diffs if d.metric == "return_median"}
    # an extra 100bp cut at the next meeting: inside the event study's band per 100bp
    cut = median[("surprise_cut", 2)]
    assert 0.001 <= cut.difference <= 0.069 and cut.prob_positive >= 0.8
    # three 50bp cuts: the 1-year median above base
    assert median[("fast_cuts", 4)].difference > 0 and median[("fast_cuts", 4)].prob_positive >= 0.8
    # two 25bp hikes: the 1-year median below base
    assert median[("two_hikes", 4)].difference < 0 and median[("two_hikes", 4)].prob_positive <= 0.2
