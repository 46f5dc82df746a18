"""The model written once: one registry, one set of equations for PyMC, NumPy and JAX."""

from __future__ import annotations

import inspect

import jax
import jax.numpy as jnp
import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

from rutsim import equations as eq
from rutsim.config import PARAMETER_NAMES, REGISTRY, ModelConfig
from rutsim.simulate import synthetic_posterior
from rutsim.types import PosteriorParams

EQUATIONS = [
    f for name, f in inspect.getmembers(eq, inspect.isfunction) if f.__module__ == eq.__name__
]


class _Recorder(dict):
    """A parameter mapping that records which names an equation reads."""

    def __init__(self, values: dict) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def __getitem__(self, key: str):
        self.read.add(key)
        return super().__getitem__(key)


def _inputs(f, rng: np.random.Generator, n: int) -> list[np.ndarray]:
    return [rng.normal(0.5, 1.0, n) for _ in list(inspect.signature(f).parameters)[1:]]


def test_registry_derives_priors_pytree_and_covers_every_equation() -> None:
    assert PosteriorParams._fields == (*PARAMETER_NAMES, "q_last")
    assert [name for name, _ in ModelConfig().priors.items()] == list(PARAMETER_NAMES)
    for p in REGISTRY:
        spec = getattr(ModelConfig().priors, p.name)
        assert (spec.dist, spec.args) == p.prior
    # every parameter is read by an equation, except shock scales and correlations
    theta = {k: float(v[0]) for k, v in synthetic_posterior(1)._asdict().items()}
    rec = _Recorder(theta)
    rng = np.random.default_rng(0)
    for f in EQUATIONS:
        f(rec, *_inputs(f, rng, 3))
    intercepts = {p.name: p.equation for p in REGISTRY if p.role == "intercept"}
    assert intercepts == {a: e for e, a in eq.INTERCEPT_OF.items()}
    shocks = {p.name for p in REGISTRY if p.role in ("scale", "correlation")}
    assert rec.read | shocks == set(PARAMETER_NAMES)
    assert not rec.read & shocks


def _stack(out) -> np.ndarray:
    """An equation's output as one array (a tuple of responses is stacked first)."""
    return np.asarray([np.asarray(o) for o in out] if isinstance(out, tuple) else out)


@pytest.mark.parametrize("f", EQUATIONS, ids=lambda f: f.__name__)
def test_numpy_jax_and_pytensor_agree(f) -> None:
    rng = np.random.default_rng(abs(hash(f.__name__)) % 2**32)
    n = 7
    theta = {k: float(v[0]) for k, v in synthetic_posterior(1, seed=4)._asdict().items()}
    args = _inputs(f, rng, n)
    want = _stack(f(theta, *args)).astype(np.float64)
    # NumPy, as the posterior checks call it: (sample, 1) parameter columns
    cols = {k: np.array([[v], [v]]) for k, v in theta.items()}
    got = _stack(f(cols, *args))
    for i in range(2):  # each sample row equals the scalar evaluation
        row = got[..., i, :] if args else got[..., i, 0]
        np.testing.assert_allclose(row, want, rtol=1e-12)
    # JAX, as the simulation step calls it, under jit and vmap over the inputs
    jp = {k: jnp.asarray(v, jnp.float32) for k, v in theta.items()}
    if args:
        got_jax = jax.jit(jax.vmap(lambda *xs: f(jp, *xs)))(
            *(jnp.asarray(a, jnp.float32) for a in args)
        )
    else:
        got_jax = jax.jit(lambda: f(jp))()
    np.testing.assert_allclose(_stack(got_jax), want, rtol=2e-5, atol=2e-6)
    # PyTensor, as the PyMC model calls it: symbolic scalars and data vectors
    sym = {k: pt.dscalar(k) for k in theta}
    xs = [pt.dvector(f"x{i}") for i in range(len(args))]
    out = f(sym, *xs)
    fn = pytensor.function(
        [*sym.values(), *xs],
        list(out) if isinstance(out, tuple) else out,
        on_unused_input="ignore",
    )
    np.testing.assert_allclose(_stack(fn(*theta.values(), *args)), want, rtol=1e-12)


def test_pymc_model_likelihood_uses_the_numpy_means() -> None:
    """The PyMC large-cap likelihood equals a bivariate normal around the NumPy means."""
    import warnings

    from scipy import stats

    from rutsim.model._build import PARAMETERS, build_model
    from rutsim.model._prep import mu_gl, mu_ml
    from test_model_synthetic import simulate

    data, _ = simulate(30, seed=8)
    model = build_model(data, ModelConfig(macro_shocks="normal"))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Numba will use object mode")
        point = model.initial_point()
    # move off the initial point so that every coefficient matters
    rng = np.random.default_rng(1)
    point = {k: v + 0.1 * rng.standard_normal(np.shape(v)) for k, v in point.items()}
    outs = model.replace_rvs_by_values([model[k] for k in PARAMETERS])
    values = model.compile_fn(outs, inputs=model.value_vars, on_unused_input="ignore")(point)
    t = dict(zip(PARAMETERS, (float(v) for v in values), strict=True))
    (obs,) = model.replace_rvs_by_values([model.logp(vars=[model["obs_glml"]])])
    got = float(model.compile_fn(obs, inputs=model.value_vars, on_unused_input="ignore")(point))
    j = np.arange(2, len(data.ml))
    mean_g = mu_gl({k: np.array([v]) for k, v in t.items()}, data)[0]
    mean_m = mu_ml({k: np.array([v]) for k, v in t.items()}, data)[0]
    r = t["glml_corr"] * t["gl_sigma"] * t["ml_sigma"]
    cov = np.array([[t["gl_sigma"] ** 2, r], [r, t["ml_sigma"] ** 2]])
    want = sum(
        stats.multivariate_normal(np.array([g, mm]), cov).logpdf([data.gl[k], data.ml[k]])
        for g, mm, k in zip(mean_g, mean_m, j, strict=True)
    )
    assert got == pytest.approx(want, rel=1e-9)


def test_a_model_of_another_version_is_refused_with_a_clear_message(tmp_path) -> None:
    import json

    from rutsim.errors import ModelStoreError
    from rutsim.model._store import read_manifest

    folder = tmp_path / "0123456789ab"
    folder.mkdir()
    v1_priors = {n: {"dist": "Normal", "mu": 0.0, "sigma": 1.0} for n in ("ff_a", "q_sigma")}
    manifest = {"config": {"model": {"priors": v1_priors}}, "model_id": folder.name}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelStoreError, match="another version of the rutsim model.*rutsim fit"):
        read_manifest(folder)
