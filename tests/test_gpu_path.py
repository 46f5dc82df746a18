"""The GPU path, run on the CPU: the device reducer and the benchmark that measures it.

* :func:`rutsim.risk.draw_reducer.device_metrics` gives every metric of the host reducer
  (whole-draw values) to float32 rounding, from the kernel's output left on the device.
* ``benchmarks/bench_gpu.py`` runs end to end in a process where PyMC, ArviZ, pydantic
  and matplotlib cannot be imported, as on the device image.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from rutsim.risk import metric_names
from rutsim.risk.draw_reducer import DrawReducer, device_metrics, reduce_draws
from rutsim.types import SimPaths

ROOT = Path(__file__).resolve().parents[1]
#: What the device image lacks (and rutsim's GPU path must not need).
ABSENT = ("pymc", "arviz", "arviz_stats", "arviz_plots", "pydantic", "matplotlib", "nutpie")


@pytest.mark.parametrize("n_paths", [1, 7, 200])
def test_device_metrics_equal_the_host_reducer(n_paths: int) -> None:
    rng = np.random.default_rng(n_paths)
    shape = (12, 3, 5, n_paths)
    fields = {k: rng.normal(0, 0.05, shape).astype(np.float32) for k in SimPaths._fields}
    out = SimPaths(**{k: jnp.asarray(v) for k, v in fields.items()})
    host = reduce_draws(out, DrawReducer(), ["a", "b", "c"])
    device = jax.device_get(device_metrics(out))
    assert set(device) == set(metric_names())
    for name in metric_names():
        np.testing.assert_allclose(
            np.moveaxis(device[name], 0, -1), host[name], rtol=3e-6, atol=3e-7, err_msg=name
        )


def test_the_gpu_benchmark_runs_on_the_cpu_without_the_rest_of_the_stack(tmp_path: Path) -> None:
    out = tmp_path / "gpu.json"
    script = (
        "import sys\n"
        f"for m in {ABSENT!r}: sys.modules[m] = None\n"
        f"sys.path.insert(0, {str(ROOT / 'benchmarks')!r})\n"
        "import bench_gpu\n"
        "bench_gpu.main(['--draws', '4', '--paths', '64', '--chunk', '2', '--repeats', '1',"
        f" '--json', {str(out)!r}])\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {ABSENT!r}]\n"
        "assert not [m for m in bad if sys.modules[m] is not None], bad\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "JAX_PLATFORMS": "cpu"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["metrics"] == len(metric_names()) and result["finite"]
    assert result["path_steps"] == 3 * 4 * 64 * 12
    assert result["path_steps_per_s"] > 0 and result["all_over_kernel"] >= 0.5
