#!/usr/bin/env python3
"""Stress-scenario throughput: scenarios x cutoffs x paths through
`arabica stress` (examples/stress_scenarios.toml: 5 scenarios covering every
shock kind), on the CPU backend and, when this build and machine have one,
the CUDA backend. Wall time of the whole command (one SARIMAX fit per cutoff,
scenario application, simulation with statistics, VaR/ES, the HDF5 store);
a path-step is one path advanced one day. Median of --repeat runs.

Data: the shared coffee file when present, else the demo generator's
synthetic prices. Writes bench/results/stress.md.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "bench"))
from make_demo_data import EXOG, simulate  # noqa: E402
from run_fit_bench import COFFEE, cpu_name  # noqa: E402

SCENARIOS = REPO / "examples" / "stress_scenarios.toml"
HORIZON = 7


def cuda_usable(arabica: str, csv: str, exog: str, cutoff: str, work: Path) -> bool:
    probe = subprocess.run([arabica, "stress", "--csv", csv, "--exog", exog, "--scenarios", str(SCENARIOS),
                            "--cutoff", cutoff, "--paths", "1000", "--device", "cuda",
                            "--out", str(work / "probe.h5")], capture_output=True)
    return probe.returncode == 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arabica", default=str(REPO / "build" / "arabica"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--paths", default="100000,1000000")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "stress.md"))
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="arabica_stress_bench_"))
    if COFFEE.exists():
        csv, exog = str(COFFEE), "wx_temperature_2m_max_wavg,wx_precipitation_sum_wavg,wx_wind_speed_10m_max_wavg,brl_usd,inr_usd"
        cutoffs = ["2024-03-28", "2024-06-28", "2024-09-30", "2024-12-31"]
    else:
        frame = simulate(2515, seed=7)
        frame.to_csv(work / "demo.csv", index=False)
        csv, exog = str(work / "demo.csv"), ",".join(EXOG)
        cutoffs = [str(d)[:10] for d in frame["date"].iloc[[-190, -127, -64, -1]]]
    scenarios = SCENARIOS.read_text().count("[[scenario]]")
    devices = ["cpu"] + (["cuda"] if cuda_usable(args.arabica, csv, exog, cutoffs[-1], work) else [])
    load_before = os.getloadavg()[0]
    rows = []
    for device in devices:
        for paths in [int(p) for p in args.paths.split(",")]:
            command = [args.arabica, "stress", "--csv", csv, "--exog", exog, "--scenarios", str(SCENARIOS),
                       "--cutoff", ",".join(cutoffs), "--paths", str(paths), "--device", device,
                       "--out", str(work / "stress.h5")]
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
                times.append(time.perf_counter() - start)
            seconds = statistics.median(times)
            steps = scenarios * len(cutoffs) * paths * HORIZON
            rows.append((device, paths, seconds, steps / seconds))
    load_after = os.getloadavg()[0]
    lines = [
        "# Stress-scenario throughput",
        "",
        f"`arabica stress` with {scenarios} scenarios (examples/stress_scenarios.toml) x {len(cutoffs)} cutoffs "
        f"({', '.join(cutoffs)}) of `{Path(csv).name}`, SARIMAX(1,1,1) + 5 exog fitted per cutoff, "
        f"{HORIZON}-day paths with statistics, quantiles and VaR/ES, written to HDF5; wall time of the whole "
        f"command, median of {args.repeat}.",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {cpu_name()} ({os.cpu_count()} CPUs); "
        f"load average {load_before:.2f} at start, {load_after:.2f} at end."
        + ("" if "cuda" in devices else " No CUDA device was available: CPU only."),
        "",
        "| device | paths per scenario x cutoff | wall s | path-steps/s |",
        "|---|---:|---:|---:|",
    ]
    for device, paths, seconds, rate in rows:
        lines.append(f"| {device} | {paths:,} | {seconds:.2f} | {rate:.3g} |")
    lines += ["", "Command:", "", "```", ".venv/bin/python bench/run_stress_bench.py", "```", ""]
    text = "\n".join(lines)
    print(text)
    Path(args.out).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
