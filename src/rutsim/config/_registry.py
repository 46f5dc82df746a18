"""The parameter registry: every model parameter written down once.

Each :class:`Param` names a parameter, the block and equation it belongs to, its role,
its default prior and, for an effect, the sign economic theory expects. Everything else
that lists parameters is derived from :data:`REGISTRY`: the ``[model.priors]`` config
table and its defaults, the fields of the posterior pytree handed to JAX
(``rutsim.model.PosteriorParams``), the intercepts sampled against centred regressors,
the scale and correlation checks on priors, and the groups of the posterior plots.
The equations themselves live in ``rutsim.equations``.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Block = Literal["macro", "large_cap", "small_cap", "announcement"]
Role = Literal["intercept", "persistence", "effect", "scale", "correlation", "level"]


class Param(NamedTuple):
    """One scalar model parameter.

    Attributes
    ----------
    name : the parameter's name everywhere (config key, posterior variable, pytree field).
    block : "macro", "large_cap" or "small_cap".
    equation : the variable whose equation it belongs to ("du", "df", "s", "c", "rr",
        "gL", "mL", "gS", "q").
    role : "intercept", "persistence", "effect", "scale", "correlation" or "level".
    prior : the default prior as ``(dist, {arg: value})`` in PyMC's names.
    theory : for effects, the sign theory expects ("+", "-") or "" when it has none.
    note : one line of meaning and units.
    """

    name: str
    block: Block
    equation: str
    role: Role
    prior: tuple[str, dict[str, float]]
    theory: str
    note: str


def _n(mu: float, sigma: float) -> tuple[str, dict[str, float]]:
    return ("Normal", {"mu": mu, "sigma": sigma})


def _hn(sigma: float) -> tuple[str, dict[str, float]]:
    return ("HalfNormal", {"sigma": sigma})


def _beta(a: float, b: float) -> tuple[str, dict[str, float]]:
    return ("Beta", {"alpha": a, "beta": b})


def _gamma(a: float, b: float) -> tuple[str, dict[str, float]]:
    return ("Gamma", {"alpha": a, "beta": b})


_FLAT_CORR = ("Uniform", {"lower": -1.0, "upper": 1.0})

# fmt: off
#: Every parameter, in the order of the equations in docs/model.md.
REGISTRY: tuple[Param, ...] = (
    # Activity: quarterly change of the unemployment rate (pp), mean-reverting level.
    Param("un_a", "macro", "du", "intercept", _n(0.0, 0.5), "", "unemployment change intercept (pp)"),
    Param("un_rho", "macro", "du", "persistence", _n(0.3, 0.3), "", "persistence of unemployment changes"),
    Param("un_kappa", "macro", "du", "effect", _n(-0.05, 0.1), "-", "pull of the unemployment level back to its mean, per pp"),
    Param("un_sigma", "macro", "du", "scale", _hn(0.5), "", "unemployment shock scale (pp)"),
    # Policy: reaction function for the quarterly fed funds change (pp).
    Param("ff_a", "macro", "df", "intercept", _n(0.0, 0.25), "", "mean policy change (pp)"),
    Param("ff_b_pi", "macro", "df", "effect", _n(1.0, 0.25), "+", "policy change per pp of the change markets priced in at the last quarter's end"),
    Param("ff_phi", "macro", "df", "persistence", _n(0.3, 0.3), "", "persistence of policy changes beyond what was priced in"),
    Param("ff_b_du", "macro", "df", "effect", _n(0.0, 0.3), "-", "policy change per pp of same-quarter unemployment change"),
    Param("ff_sigma", "macro", "df", "scale", _hn(0.5), "", "policy shock scale (pp): moves neither priced in nor explained by activity"),
    # Curve slope and credit spread (levels, pp), correlated shocks.
    Param("sl_a", "macro", "s", "intercept", _n(0.0, 0.5), "", "slope intercept (pp)"),
    Param("sl_phi", "macro", "s", "persistence", _beta(8.0, 2.0), "", "slope persistence"),
    Param("sl_beta_df", "macro", "s", "effect", _n(0.0, 0.5), "", "slope per pp of same-quarter policy change other than a policy surprise (association)"),
    Param("sl_beta_mp", "macro", "s", "effect", _n(0.0, 0.5), "-", "slope per pp of pure policy surprise (announcement data; cuts steepen)"),
    Param("sl_beta_du", "macro", "s", "effect", _n(0.0, 0.3), "+", "slope per pp of same-quarter unemployment change"),
    Param("sl_sigma", "macro", "s", "scale", _hn(0.5), "", "slope shock scale (pp)"),
    Param("cs_a", "macro", "c", "intercept", _n(0.0, 0.5), "", "spread intercept (pp)"),
    Param("cs_phi", "macro", "c", "persistence", _beta(8.0, 2.0), "", "spread persistence"),
    Param("cs_beta_df", "macro", "c", "effect", _n(0.0, 0.5), "", "spread per pp of same-quarter policy change other than a policy surprise (association)"),
    Param("cs_beta_mp", "macro", "c", "effect", _n(0.0, 0.5), "", "spread per pp of pure policy surprise (announcement data)"),
    Param("cs_beta_du", "macro", "c", "effect", _n(0.0, 0.3), "+", "spread per pp of same-quarter unemployment change"),
    Param("cs_sigma", "macro", "c", "scale", _hn(0.5), "", "spread shock scale (pp)"),
    Param("sc_corr", "macro", "c", "correlation", _FLAT_CORR, "", "slope/spread shock correlation"),
    # Real 10-year yield (10y minus 3-year average CPI inflation, pp).
    Param("rr_a", "macro", "rr", "intercept", _n(0.0, 0.5), "", "real yield intercept (pp)"),
    Param("rr_phi", "macro", "rr", "persistence", _beta(8.0, 2.0), "", "real yield persistence"),
    Param("rr_beta_df", "macro", "rr", "effect", _n(0.0, 0.5), "+", "real yield per pp of same-quarter policy change other than a policy surprise"),
    Param("rr_beta_du", "macro", "rr", "effect", _n(0.0, 0.3), "", "real yield per pp of same-quarter unemployment change"),
    Param("rr_sigma", "macro", "rr", "scale", _hn(0.5), "", "real yield shock scale (pp)"),
    # Large caps: growth of 12-quarter average EPS and the multiple on it.
    Param("gl_a", "large_cap", "gL", "intercept", _n(0.0, 0.05), "", "earnings growth intercept (log, per quarter)"),
    Param("gl_rho", "large_cap", "gL", "persistence", _n(0.3, 0.3), "", "persistence of smoothed earnings growth"),
    Param("gl_b_du", "large_cap", "gL", "effect", _n(0.0, 0.02), "-", "earnings growth per pp of same-quarter unemployment change"),
    Param("gl_b_df", "large_cap", "gL", "effect", _n(0.0, 0.05), "", "earnings growth per pp of last quarter's policy change other than a policy surprise (association)"),
    Param("gl_b_slope", "large_cap", "gL", "effect", _n(0.0, 0.02), "+", "earnings growth per pp of last quarter's slope"),
    Param("gl_b_dspread", "large_cap", "gL", "effect", _n(0.0, 0.05), "-", "earnings growth per pp of same-quarter spread change"),
    Param("gl_ec", "large_cap", "gL", "effect", _n(0.0, 0.05), "+", "earnings catch-up per log point of valuation gap"),
    Param("gl_sigma", "large_cap", "gL", "scale", _hn(0.05), "", "earnings growth shock sd"),
    Param("ml_a", "large_cap", "mL", "intercept", _n(0.3, 0.5), "", "log multiple intercept"),
    Param("ml_phi", "large_cap", "mL", "persistence", _beta(8.0, 2.0), "", "multiple persistence"),
    Param("ml_d_rr", "large_cap", "mL", "effect", _n(-0.025, 0.03), "-", "log multiple per pp of real 10y yield (short run)"),
    Param("ml_d_spread", "large_cap", "mL", "effect", _n(-0.02, 0.04), "-", "log multiple per pp of credit spread (short run)"),
    Param("ml_d_ff", "large_cap", "mL", "effect", _n(0.0, 0.02), "", "log multiple per pp of fed funds level (short run)"),
    Param("ml_n_dc", "large_cap", "mL", "effect", _n(0.0, 0.05), "-", "log multiple per pp of same-quarter spread change (credit news)"),
    Param("ml_n_du", "large_cap", "mL", "effect", _n(0.0, 0.05), "-", "log multiple per pp of unemployment news (change beyond the model's forecast)"),
    Param("ml_b_mp", "large_cap", "mL", "effect", _n(0.0, 0.1), "-", "log multiple per pp of pure policy surprise, direct (announcement data)"),
    Param("ml_sigma", "large_cap", "mL", "scale", _hn(0.15), "", "log multiple shock sd"),
    Param("glml_corr", "large_cap", "mL", "correlation", _FLAT_CORR, "", "earnings/multiple shock correlation"),
    # Small caps: earnings growth and the latent relative multiple q.
    Param("gs_a", "small_cap", "gS", "intercept", _n(0.0, 0.02), "", "small-cap earnings drift beyond large caps (centred on 0)"),
    Param("gs_beta_gl", "small_cap", "gS", "effect", _n(1.0, 0.5), "+", "small-cap earnings leverage to large-cap growth"),
    Param("gs_b_df", "small_cap", "gS", "effect", _n(0.0, 0.05), "-", "interest cost: small-cap earnings growth per pp of last quarter's policy change other than a policy surprise"),
    Param("gs_b_slope", "small_cap", "gS", "effect", _n(0.0, 0.02), "", "small-cap earnings growth per pp of last quarter's slope"),
    Param("gs_sigma", "small_cap", "gS", "scale", _gamma(4.0, 80.0), "", "small-cap earnings noise (zero-avoiding)"),
    Param("q_mu", "small_cap", "q", "level", _n(-0.2, 0.3), "", "long-run small/large log multiple gap"),
    Param("q_phi", "small_cap", "q", "persistence", _beta(30.0, 2.0), "", "persistence of q (prior-driven)"),
    Param("q_lambda_dspread", "small_cap", "q", "effect", _n(0.0, 0.1), "-", "q change per pp of spread change"),
    Param("q_b_mp", "small_cap", "q", "effect", _n(0.0, 0.1), "", "q change per pp of pure policy surprise (small minus large caps, announcement data)"),
    Param("q_sigma", "small_cap", "q", "scale", _gamma(5.0, 125.0), "", "q innovation sd (prior-driven; mean 0.04)"),
    # Announcement days (docs/model.md): day response = a + impact * policy surprise
    # + c * information surprise + Student-t noise; the impacts are the quarterly
    # model's own one-quarter responses (equations.surprise_impacts, sl_beta_mp, cs_beta_mp).
    Param("ev_a_rut", "announcement", "ev_rut", "level", _n(0.0, 0.01), "", "mean Russell 2000 log return on announcement days"),
    Param("ev_c_rut", "announcement", "ev_rut", "effect", _n(0.0, 0.1), "", "Russell 2000 day return per pp of information surprise"),
    Param("ev_s_rut", "announcement", "ev_rut", "scale", _hn(0.03), "", "Russell 2000 announcement-day noise scale"),
    Param("ev_a_spy", "announcement", "ev_spy", "level", _n(0.0, 0.01), "", "mean SPY log return on announcement days"),
    Param("ev_c_spy", "announcement", "ev_spy", "effect", _n(0.0, 0.1), "", "SPY day return per pp of information surprise"),
    Param("ev_s_spy", "announcement", "ev_spy", "scale", _hn(0.03), "", "SPY announcement-day noise scale"),
    Param("ev_a_sl", "announcement", "ev_sl", "level", _n(0.0, 0.05), "", "mean slope change on announcement days (pp)"),
    Param("ev_c_sl", "announcement", "ev_sl", "effect", _n(0.0, 0.5), "", "slope day change per pp of information surprise"),
    Param("ev_s_sl", "announcement", "ev_sl", "scale", _hn(0.1), "", "slope announcement-day noise scale (pp)"),
    Param("ev_a_cs", "announcement", "ev_cs", "level", _n(0.0, 0.05), "", "mean spread change on announcement days (pp)"),
    Param("ev_c_cs", "announcement", "ev_cs", "effect", _n(0.0, 0.5), "", "spread day change per pp of information surprise"),
    Param("ev_s_cs", "announcement", "ev_cs", "scale", _hn(0.1), "", "spread announcement-day noise scale (pp)"),
)
# fmt: on

#: Parameter names in registry order.
PARAMETER_NAMES: tuple[str, ...] = tuple(p.name for p in REGISTRY)
#: Lookup by name.
BY_NAME: dict[str, Param] = {p.name: p for p in REGISTRY}


def names_with(role: Role) -> tuple[str, ...]:
    """Return the names of the parameters with ``role``, in registry order."""
    return tuple(p.name for p in REGISTRY if p.role == role)


def names_in(block: Block) -> tuple[str, ...]:
    """Return the names of the parameters in ``block``, in registry order."""
    return tuple(p.name for p in REGISTRY if p.block == block)
