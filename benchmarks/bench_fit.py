"""Time the full default fit (`rutsim fit configs/default.toml`) in a fresh process.

Usage: .venv/bin/python benchmarks/bench_fit.py [CONFIG] [--models-dir DIR]

Fits with --refit into a scratch models folder (so an existing models/ entry is neither
reused nor touched), then prints wall time, the manifest's timings, the gate numbers, the
PPC coverage and the machine load (the 2 cores are shared, so load matters).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("config", nargs="?", default=str(ROOT / "configs" / "default.toml"))
    parser.add_argument("--models-dir", default=None)
    args = parser.parse_args()
    models = Path(args.models_dir or tempfile.mkdtemp(prefix="rutsim-bench-"))
    # A copy of the config pointing at the scratch models folder.
    text = Path(args.config).read_text()
    cfg = models / "bench.toml"
    models.mkdir(parents=True, exist_ok=True)
    # The config spells out [outputs]; point its models_dir at the scratch folder (a second
    # [outputs] table would be invalid TOML).
    line = 'models_dir = "models"'
    if line not in text:
        raise SystemExit(f"{args.config}: expected the line {line!r} under [outputs]")
    cfg.write_text(text.replace(line, f'models_dir = "{models.as_posix()}"'))
    load_before = os.getloadavg()
    start = time.perf_counter()
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "rutsim"), "fit", str(cfg), "--refit"],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    load_after = os.getloadavg()
    print(proc.stdout[-4000:])
    if proc.returncode != 0:
        print(proc.stderr[-4000:])
        raise SystemExit(proc.returncode)
    (folder,) = [p for p in models.iterdir() if (p / "manifest.json").is_file()]
    m = json.loads((folder / "manifest.json").read_text())
    d = m["diagnostics"]
    print(
        json.dumps(
            {
                "wall_s": round(wall, 1),
                "timings_s": m["timings_s"],
                "divergences": d["divergences"],
                "max_r_hat": round(d["max_r_hat"], 4),
                "min_ess_bulk": round(d["min_ess_bulk"]),
                "min_ess_tail": round(d["min_ess_tail"]),
                "passed": d["passed"],
                "ppc_coverage": {k: round(v, 3) for k, v in m["ppc_coverage"].items()},
                "prior_driven": m["prior_driven"],
                "loadavg_before": load_before,
                "loadavg_after": load_after,
                "cpus": os.cpu_count(),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
