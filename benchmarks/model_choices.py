"""The OLS evidence behind model v2's specification choices (docs/model.md, "Choices").

Usage: .venv/bin/python benchmarks/model_choices.py

On the embedded quarterly panel, 1989Q1-2025Q3, with S&P 500 EPS lagged one quarter:
the large-cap multiple on trailing vs 12-quarter smoothed EPS, the real-yield effect for
several inflation windows, unemployment changes vs an NBER recession share in the
earnings-growth equation, and activity terms in the multiple equation. Plain OLS with
classical standard errors: a screening tool for the specification, not the model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rutsim.data import load_nber_dates, load_panel
from rutsim.data._nber import in_recession


def ols(y: pd.Series, xs: dict[str, pd.Series]) -> tuple[dict[str, tuple[float, float]], float]:
    """Coefficients with standard errors, and the R-squared."""
    df = pd.concat([y, *xs.values()], axis=1).dropna()
    yv = df.iloc[:, 0].to_numpy()
    z = np.column_stack([np.ones(len(df)), df.iloc[:, 1:].to_numpy()])
    beta, *_ = np.linalg.lstsq(z, yv, rcond=None)
    resid = yv - z @ beta
    s2 = resid @ resid / (len(yv) - z.shape[1])
    se = np.sqrt(np.diag(s2 * np.linalg.inv(z.T @ z)))
    names = ["const", *xs]
    return {n: (b, s) for n, b, s in zip(names, beta, se, strict=True)}, 1 - resid.var() / yv.var()


def show(label: str, fit: tuple[dict[str, tuple[float, float]], float], keys: list[str]) -> None:
    coefs, r2 = fit
    cells = ", ".join(f"{k} {coefs[k][0]:+.4f} (se {coefs[k][1]:.4f})" for k in keys)
    print(f"{label}: {cells}; R2 {r2:.3f}")


def main() -> None:
    p = load_panel().loc["1986Q1":"2025Q3"]
    cpi = p["cpi"]
    eps = p["sp500_op_eps_ttm"].shift(1)  # eps_lag = 1
    e12 = (eps + eps.shift(4) + eps.shift(8)) / 3
    price = np.log(p["sp500_end"])
    u, f, c = p["unrate"], p["fedfunds_avg"], p["spread_baa10y"]
    ml12, ml4 = price - np.log(e12), price - np.log(eps)

    def rr(k: int) -> pd.Series:
        return p["ust10y_avg"] - 100 * np.log(cpi / cpi.shift(k)) * 4 / k

    sample = slice("1989Q1", None)

    def cut(s: pd.Series) -> pd.Series:
        return s.loc[sample]

    print("1. multiple on trailing vs smoothed EPS (regressors: lag, real yield 12q, spread, ff)")
    for label, m in (("trailing", ml4), ("12-quarter", ml12)):
        fit = ols(cut(m), {"lag": cut(m.shift(1)), "rr": cut(rr(12)), "c": cut(c), "f": cut(f)})
        show(f"   {label}", fit, ["lag", "rr", "c", "f"])
    print("2. real-yield effect on the smoothed multiple by inflation window")
    for k in (4, 12, 20, 40):
        fit = ols(
            cut(ml12), {"lag": cut(ml12.shift(1)), "rr": cut(rr(k)), "c": cut(c), "f": cut(f)}
        )
        show(f"   {k:2d} quarters", fit, ["rr", "c"])
    print("3. smoothed earnings growth: unemployment change vs NBER recession share")
    gl = np.log(e12).diff()
    months = pd.period_range("1986-01", "2025-12", freq="M")
    rec = in_recession(months, load_nber_dates()).astype(float).groupby(months.asfreq("Q")).mean()
    rec = rec.reindex(p.index)
    du = u.diff()
    base = {"lag": cut(gl.shift(1))}
    show("   du", ols(cut(gl), {**base, "du": cut(du)}), ["du"])
    show("   recession share", ols(cut(gl), {**base, "rec": cut(rec)}), ["rec"])
    show("   both", ols(cut(gl), {**base, "du": cut(du), "rec": cut(rec)}), ["du", "rec"])
    print("4. activity in the smoothed multiple (with lag, real yield 12q, spread, ff)")
    xs = {"lag": cut(ml12.shift(1)), "rr": cut(rr(12)), "c": cut(c), "f": cut(f)}
    show("   du", ols(cut(ml12), {**xs, "du": cut(du)}), ["du", "c"])
    show("   u", ols(cut(ml12), {**xs, "u": cut(u)}), ["u", "c"])


if __name__ == "__main__":
    main()
