"""Long-run effects and the driver split: known answers and additivity."""

from __future__ import annotations

import re
from pathlib import Path

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

from rutsim.config import REGISTRY
from rutsim.model import decompose, long_run_effects
from rutsim.model._effects import DRIVERS, skeleton, start_state
from rutsim.simulate import synthetic_initial, synthetic_posterior

DOCS = Path(__file__).resolve().parents[1] / "docs" / "model.md"


def _theta(n: int = 6, seed: int = 1) -> dict[str, np.ndarray]:
    p = synthetic_posterior(n, seed=seed)._asdict()
    p.pop("q_last")
    return p


def _start(q: float = -0.3) -> dict[str, float]:
    return {k: float(v) for k, v in start_state(synthetic_initial()._asdict(), q).items()}


def _row(table, driver: str, outcome: str):
    return table[(table["driver"] == driver) & (table["outcome"] == outcome)].iloc[0]


def test_long_run_effects_known_answers() -> None:
    theta = _theta(n=1)
    t = {k: float(v[0]) for k, v in theta.items()}
    table = long_run_effects(theta)
    # the multiple: the short-run coefficient over one minus the persistence
    for driver, coef in (("real 10y yield", "ml_d_rr"), ("credit spread", "ml_d_spread")):
        got = _row(table, driver, "large-cap log multiple")["median"]
        assert got == pytest.approx(t[coef] / (1 - t["ml_phi"]), rel=1e-6)
    # unemployment moves earnings once (du = 1 in one quarter), persisting through gl_rho;
    # as news it moves the multiple once by ml_n_du, which decays at ml_phi (m* does not
    # move), so the catch-up adds gl_ec times the summed gap ml_n_du / (1 - ml_phi)
    got = _row(table, "unemployment", "large-cap log earnings")["median"]
    gap = t["ml_n_du"] / (1 - t["ml_phi"])
    assert got == pytest.approx((t["gl_b_du"] + t["gl_ec"] * gap) / (1 - t["gl_rho"]), rel=1e-6)
    small = _row(table, "unemployment", "small-cap log earnings")["median"]
    assert small == pytest.approx(t["gs_beta_gl"] * got, rel=1e-6)
    assert not _row(table, "unemployment", "large-cap log multiple")["in_model"]  # decayed
    # the price is earnings plus multiple
    for driver in ("fed funds", "real 10y yield", "credit spread", "unemployment"):
        price = _row(table, driver, "small-cap log price")["median"]
        parts = (
            _row(table, driver, "small-cap log earnings")["median"]
            + _row(table, driver, "small-cap log multiple")["median"]
        )
        assert price == pytest.approx(parts, abs=1e-9)


def test_effect_intervals_and_theory_flags() -> None:
    table = long_run_effects(_theta(n=200, seed=3))
    assert (table["lower"] <= table["median"]).all() and (table["median"] <= table["upper"]).all()
    assert set(table["agrees"]) <= {"yes", "no", "unclear", ""}
    row = _row(table, "credit spread", "large-cap log multiple")
    # synthetic ml_d_spread is clearly negative: theory's sign, and the table says so
    assert row["theory"] == "-" and row["agrees"] == "yes" and row["p_positive"] < 0.05


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), horizon=st.integers(1, 16))
def test_driver_parts_add_up_to_the_skeleton(seed: int, horizon: int) -> None:
    rng = np.random.default_rng(seed)
    theta = _theta(n=4, seed=seed % 50)
    start = _start(q=float(rng.normal(-0.3, 0.1)))
    drivers = {k: start[k] + np.cumsum(rng.normal(0, 0.3, horizon)) for k in DRIVERS}
    table = decompose(theta, start, drivers)
    parts = table.drop(columns="total").sum(axis=1)
    np.testing.assert_allclose(parts, table["total"], atol=1e-10)
    # drivers held at their start: only valuation reversion and the earnings trend remain
    held = {k: np.full(horizon, start[k]) for k in DRIVERS}
    flat = decompose(theta, start, held)
    np.testing.assert_allclose(flat[["rates", "credit", "activity"]], 0.0, atol=1e-12)


def test_skeleton_price_identity() -> None:
    theta, start = _theta(), _start()
    drivers = {k: np.full(8, start[k]) for k in DRIVERS}
    out = skeleton(theta, start, drivers)
    np.testing.assert_allclose(out["small_price"], out["small_earnings"] + out["small_multiple"])
    np.testing.assert_allclose(out["small_earnings"], np.cumsum(out["gs"], axis=1))


def test_docs_priors_table_is_the_registry() -> None:
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \| (\w+)\(([^)]*)\) \|", DOCS.read_text(), re.M)
    documented = {name: (eq, dist, args) for name, eq, dist, args in rows}
    assert list(documented) == [p.name for p in REGISTRY]
    for p in REGISTRY:
        eq, dist, args = documented[p.name]
        assert (eq, dist) == (p.equation, p.prior[0]), p.name
        assert [float(a) for a in args.split(",")] == list(p.prior[1].values()), p.name


def test_policy_surprise_path_is_what_a_pinned_path_adds_beyond_the_policy_mean() -> None:
    from rutsim.model import policy_surprise_path

    theta = _theta(n=1)
    t = {k: float(v[0]) for k, v in theta.items()}
    start = _start()
    priced = np.array([-0.25, -0.2, -0.1, 0.0])
    u = np.array([4.4, 4.5, 4.5, 4.4])
    # the fed funds path the model expects: no surprise in any quarter
    f, dn, u_prev, path = start["fedfunds"], start["dn"], start["unemployment"], []
    for k in range(4):
        df = (
            t["ff_a"] + t["ff_b_pi"] * priced[k] + t["ff_phi"] * dn + t["ff_b_du"] * (u[k] - u_prev)
        )
        f, dn, u_prev = f + df, df, u[k]
        path.append(f)
    expected = {"fedfunds": np.array(path), "unemployment": u}
    np.testing.assert_allclose(policy_surprise_path(theta, start, expected, priced), 0, atol=1e-12)
    # 1pp lower from the first quarter: a -1pp surprise then, none after (a new level)
    lower = {**expected, "fedfunds": np.array(path) - 1.0}
    np.testing.assert_allclose(
        policy_surprise_path(theta, start, lower, priced), [[-1.0, 0.0, 0.0, 0.0]], atol=1e-12
    )
