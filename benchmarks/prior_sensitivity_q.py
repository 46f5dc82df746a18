"""Prior sensitivity of the relative-valuation block: refit with the q priors narrower/wider.

Usage: .venv/bin/python benchmarks/prior_sensitivity_q.py [--models-dir DIR] [--out-dir DIR]

For each factor (0.5, 1, 2) the priors of ``q_sigma`` and ``q_phi`` (the prior-driven
parameters of the small-cap relative multiple) are scaled in spread by that factor (same
centre; :func:`rutsim.model._checks.widened`), the model is refitted, and the ``base``
scenario is simulated. It prints, per factor, the gate, the posterior means of
``q_sigma`` and ``q_phi``, the base case's median cumulative total return at 4 and 12
quarters, and the mean earnings / multiple split of its cumulative log return at 12
quarters (the split the q priors decide). Results are in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _prior_lines(name: str, spec) -> str:  # noqa: ANN001 - a PriorSpec
    args = "\n".join(f"{k} = {v!r}" for k, v in spec.args.items())
    return f'[model.priors.{name}]\ndist = "{spec.dist}"\n{args}\n'


def main() -> None:
    import rutsim
    from rutsim.config import load_run_config
    from rutsim.model._api import theta_of
    from rutsim.model._checks import widened
    from rutsim.risk import compute_metrics

    parser = argparse.ArgumentParser()
    parser.add_argument("--models-dir", default=str(ROOT / "models"))
    parser.add_argument("--out-dir", default=None)
    args = parser.parse_args()
    out = Path(args.out_dir or tempfile.mkdtemp(prefix="rutsim-qsens-"))
    out.mkdir(parents=True, exist_ok=True)
    base_text = (ROOT / "configs" / "default.toml").read_text()
    base_cfg = load_run_config(ROOT / "configs" / "default.toml")
    rows = []
    for factor in (0.5, 1.0, 2.0):
        text = base_text.replace('models_dir = "models"', f'models_dir = "{args.models_dir}"')
        text = text.replace('dir = "outputs"', f'dir = "{out.as_posix()}"')
        text = text.replace('dir = "scenarios"', f'dir = "{(ROOT / "scenarios").as_posix()}"')
        text = text.replace(
            'names = ["base", "delayed_pivot", "aggressive_easing", "recession_easing"]',
            'names = ["base"]',
        )
        for name in ("q_sigma", "q_phi"):
            new = _prior_lines(name, widened(getattr(base_cfg.model.priors, name), factor))
            start = text.index(f"[model.priors.{name}]")
            end = text.index("\n[", start + 1) + 1
            text = text[:start] + new + "\n" + text[end:]
        tomllib.loads(text)  # still valid TOML
        cfg_path = out / f"q_prior_x{factor:g}.toml"
        cfg_path.write_text(text)
        fitted = rutsim.fit(cfg_path, allow_unconverged=True)
        result = rutsim.run(cfg_path, name=f"q-prior-x{factor:g}", echo=None)
        theta = theta_of(fitted.posterior)
        table = compute_metrics(result.folder)
        sel = table[(table["scenario"] == "base") & (table["statistic"] == "pooled")]

        def value(metric: str, h: int, sel=sel) -> float:
            return float(sel[(sel["metric"] == metric) & (sel["horizon"] == h)]["value"].iloc[0])

        d = fitted.manifest.diagnostics
        rows.append(
            (
                factor,
                "passed" if d.passed else f"FAILED ({d.divergences} div, R-hat {d.max_r_hat:.3f})",
                float(theta["q_sigma"].mean()),
                float(theta["q_phi"].mean()),
                value("return_median", 4),
                value("return_median", 12),
                value("attr_mean_earnings_growth", 12),
                value("attr_mean_multiple_change", 12),
            )
        )
    print(
        "| q prior spread | gate | q_sigma mean | q_phi mean | base median 4q | base median 12q "
        "| 12q mean log return: earnings | multiple |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for f, gate, qs, qp, r4, r12, ea, mu in rows:
        print(
            f"| x{f:g} | {gate} | {qs:.3f} | {qp:.3f} | {r4:+.1%} | {r12:+.1%} "
            f"| {ea:+.3f} | {mu:+.3f} |"
        )


if __name__ == "__main__":
    main()
