"""The diagnostics gate: R-hat, bulk and tail ESS for every parameter, no divergences.

BFMI (Betancourt 2016; energy Bayesian fraction of missing information) is computed per
chain and reported beside the gate: below :data:`BFMI_WARN` a chain's momentum
resampling explored the energy distribution poorly (heavy tails, a funnel), which R-hat
and ESS can miss. It warns rather than fails, as PyMC does.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from rutsim.config import FrozenModel, SamplerConfig
from rutsim.errors import FitDiagnosticsError


class ParameterDiagnostics(FrozenModel):
    """Convergence numbers of one scalar (or one element of a vector) parameter."""

    name: str
    r_hat: float
    ess_bulk: float
    ess_tail: float


#: Below this BFMI a chain is reported as exploring the energy distribution poorly.
BFMI_WARN = 0.3


def bfmi_per_chain(posterior: xr.DataTree) -> tuple[float, ...]:
    """BFMI of every chain from ``sample_stats.energy`` (empty when the sampler has none)."""
    stats = posterior["sample_stats"].to_dataset() if "sample_stats" in posterior.children else None
    if stats is None or "energy" not in stats:
        return ()
    import arviz_stats as azs  # only when diagnosing a fit: keeps loading a saved one light

    values = azs.bfmi(posterior)
    if isinstance(values, xr.DataTree):
        values = values.to_dataset()
    energy = values["energy"] if isinstance(values, xr.Dataset) else values
    return tuple(float(v) for v in np.atleast_1d(np.asarray(energy)))


class Diagnostics(FrozenModel):
    """The gate's verdict, recorded in the manifest.

    ``bfmi`` (per chain) is empty in manifests written before it was recorded.
    """

    passed: bool
    divergences: int
    max_r_hat: float
    min_ess_bulk: float
    min_ess_tail: float
    worst: tuple[ParameterDiagnostics, ...]
    thresholds: dict[str, float]
    bfmi: tuple[float, ...] = ()

    @property
    def low_bfmi(self) -> tuple[int, ...]:
        """Chains whose BFMI is below :data:`BFMI_WARN`."""
        return tuple(i for i, b in enumerate(self.bfmi) if b < BFMI_WARN)


def _flatten(ds: xr.Dataset) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, da in ds.data_vars.items():
        values = np.atleast_1d(da.to_numpy()).ravel()
        if values.size == 1:
            out[str(name)] = float(values[0])
            continue
        labels = np.atleast_1d(da[da.dims[0]].to_numpy()).ravel()
        for label, value in zip(labels, values, strict=True):
            out[f"{name}[{label}]"] = float(value)
    return out


def diagnose(posterior: xr.DataTree, var_names: list[str], sampler: SamplerConfig) -> Diagnostics:
    """Compute R-hat, bulk/tail ESS and divergences, and judge them against the gate.

    Parameters
    ----------
    posterior : DataTree
        With ``posterior`` and ``sample_stats`` groups.
    var_names : list of str
        The sampled parameters to check (scalars, or vectors along one dim).
    sampler : SamplerConfig
        Thresholds ``max_rhat`` and ``min_ess``.
    """
    ds = posterior["posterior"].to_dataset()[var_names]
    import arviz_stats as azs  # see bfmi_per_chain

    rhat = _flatten(azs.rhat(ds))
    bulk = _flatten(azs.ess(ds, method="bulk"))
    tail = _flatten(azs.ess(ds, method="tail"))
    div = int(posterior["sample_stats"].to_dataset()["diverging"].sum())
    rows = [
        ParameterDiagnostics(name=k, r_hat=rhat[k], ess_bulk=bulk[k], ess_tail=tail[k])
        for k in rhat
    ]

    def badness(p: ParameterDiagnostics) -> float:
        r = p.r_hat if math.isfinite(p.r_hat) else 10.0
        return max(
            (r - 1.0) / (sampler.max_rhat - 1.0),
            sampler.min_ess / max(min(p.ess_bulk, p.ess_tail), 1.0),
        )

    rows.sort(key=badness, reverse=True)
    max_rhat = max((p.r_hat for p in rows), default=1.0)
    passed = (
        div == 0
        and all(math.isfinite(p.r_hat) and p.r_hat <= sampler.max_rhat for p in rows)
        and all(min(p.ess_bulk, p.ess_tail) >= sampler.min_ess for p in rows)
    )
    return Diagnostics(
        passed=passed,
        divergences=div,
        max_r_hat=max_rhat,
        min_ess_bulk=min(p.ess_bulk for p in rows),
        min_ess_tail=min(p.ess_tail for p in rows),
        worst=tuple(rows[:5]),
        thresholds={
            "max_rhat": sampler.max_rhat,
            "min_ess": sampler.min_ess,
            "bfmi_warn": BFMI_WARN,
        },
        bfmi=bfmi_per_chain(posterior),
    )


def gate_message(diag: Diagnostics, sampler: SamplerConfig) -> str:
    """Return the error text of a failed gate: what failed, the worst parameters, the knobs."""
    worst = "\n".join(
        f"    {p.name}: R-hat {p.r_hat:.3f}, bulk ESS {p.ess_bulk:.0f}, tail ESS {p.ess_tail:.0f}"
        for p in diag.worst
    )
    return (
        f"the fit failed the diagnostics gate (R-hat <= {sampler.max_rhat}, bulk and tail "
        f"ESS >= {sampler.min_ess:.0f}, zero divergences): {diag.divergences} divergences, "
        f"max R-hat {diag.max_r_hat:.3f}, min bulk ESS {diag.min_ess_bulk:.0f}, min tail "
        f"ESS {diag.min_ess_tail:.0f}.\n  Worst parameters:\n{worst}\n"
        "  To fix: raise [sampler].tune (now "
        f"{sampler.tune}) and draws (now {sampler.draws}); raise [sampler].target_accept "
        f"(now {sampler.target_accept}) toward 0.95-0.99 against divergences; or change "
        "[model].q_parameterisation ('marginal', 'centred', 'noncentred') or tighten the "
        "prior of a weakly identified parameter. To keep the fit anyway, pass "
        "--allow-unconverged (recorded in the manifest)."
    )


def bfmi_line(bfmi: tuple[float, ...]) -> str:
    """One line on BFMI per chain, with a warning when a chain is below :data:`BFMI_WARN`."""
    if not bfmi:
        return "BFMI: not available (the sampler recorded no energy)"
    values = ", ".join(f"{b:.2f}" for b in bfmi)
    low = [i for i, b in enumerate(bfmi) if b < BFMI_WARN]
    if not low:
        return f"BFMI per chain: {values} (all >= {BFMI_WARN}: energy well explored)"
    return (
        f"BFMI per chain: {values}. WARNING: chain(s) {', '.join(map(str, low))} below "
        f"{BFMI_WARN}: the sampler explored the energy distribution poorly (heavy tails or "
        "a funnel), which R-hat and ESS can miss. To fix: reparameterise ([model]."
        "q_parameterisation) or tighten the prior of a weakly identified parameter; see "
        "energy.png in the model's plots"
    )


def enforce(diag: Diagnostics, sampler: SamplerConfig, allow_unconverged: bool) -> None:
    """Raise :class:`FitDiagnosticsError` when the gate fails and it is not allowed."""
    if not diag.passed and not allow_unconverged:
        raise FitDiagnosticsError(gate_message(diag, sampler))
