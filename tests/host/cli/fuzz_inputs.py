"""Seeded fuzzing of `arabica backfill`'s inputs: whatever the input, a run
exits 0 or 2 (2: bad input, one `arabica: error:` line, the last on
stderr), never crashes, hangs or breaks a contract (exit 1 "internal
error"), and a store it wrote holds finite forecasts for every fold it
marks trained or refiltered.

Three kinds of cases, each drawn from its own seeded generator:
- universe: a small universe file (a long file's series and a wide file's)
  with mutated lines, values and rows of its TOML and CSV files;
- options: random combinations of backfill options (orders, models,
  innovation families, schedules, windows, horizons ...) on a wide file;
- commands: fit, forecast, simulate, stress (with mutated scenario files)
  and daily (three mornings in a row) with random options on a wide file,
  mutated or not. These may also exit 3 (numerical failure, one line), and
  their CSV outputs hold no NaN or infinity.

It found a crash on an empty --target, a contract error on --horizon 14
with training windows of fewer rows, pooled scores that failed a universe
on a price near 1e-308, and out-of-bounds reads in an estimator (the last
only under repetition: use --repeat to run each case several times); the
commands kind, contract errors in forecast and stress on horizons beyond
the covariates' rows, normal innovations refused on short windows and a
price of 1e308 that failed every model of a daily run.

usage: fuzz_inputs.py ARABICA WORKDIR [--seed N] [--cases N] [--repeat N] [--keep]
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[3]

WEIRD_CELLS = ["", "nan", "NaN", "inf", "-inf", "-1", "0", "1e309", "1e-320", "abc", '"x"', '"', "2023-02-30",
               "2023-13-01", "1,5", " 12 ", "1e5", "-0", "\x00", "é", "9" * 400, "2023-01-02", "KC", "A",
               "1e300", "1e-300", "1e308", "5e-324", "0.000001", "123456789012345678901234567890"]
TOML_VALUES = ['""', '"x"', '0', '-1', '99999999999', '1.5', 'true', '[]', '["a","a"]', '{}', '"../nope.csv"',
               '"long.csv"', '"wide.csv"', '"KC"', '"a/b"', '"."', '" "', '2023-01-01', '"sarimax:9,9,9"',
               '["sarimax:0,0,0"]', '"1,1,1"', '"1,0,0,5"', '"drop"', '"error"', '"y"', '"fx"', '["fx","fx"]']
TOML_LINES = ['seasonal = "1,0,0,5"', 'trend = "ct"', 'order = "0,0,0"', 'order = "2,1,2"', 'model = ["drift"]',
              'model = ["sarimax:1,1,1:log"]', 'model = ["naive:garch"]', 'min_rows = 1', 'min_rows = 100000',
              'min_train_rows = 2', 'missing = "error"', 'exog = []', 'horizon = 14', 'schedule = "weekly"',
              'window = "rolling"', 'window_rows = 3', 'refit = "once"', 'innovations = "bootstrap"',
              'innovations = "skew_t"', 'innovations = "jumps"', 'stored_paths = 5', 'end = 2023-04-01',
              'start = 2024-01-01', 'warm_start_chain = 1', 'future_exog = "realized"', 'phase = "all"']
OPTIONS = {
    "--target": ["A", "A,B", "B,A", "fx", "A,fx"],
    "--min-train-rows": ["2", "10", "40", "79", "80"],
    "--exog": ["fx", "", "A", "B"],
    "--order": ["0,0,0", "1,1,1", "2,0,2", "0,2,0", "3,1,0", "0,1,3"],
    "--seasonal": ["0,0,0,0", "1,0,0,5", "0,1,1,5", "1,1,1,7", "0,0,1,2"],
    "--trend": ["n", "c", "t", "ct"],
    "--missing": ["drop", "error", "ffill-bfill"],
    "--model": ["sarimax", "naive", "drift", "sarimax:1,1,1:log", "naive:garch", "drift:ewma",
                "sarimax:0,1,1:student_t", "naive:bootstrap", "sarimax:1,0,0:boxcox=0.5", "naive:window=10",
                "sarimax,naive,drift"],
    "--start": ["2023-01-02", "2023-03-01", "2023-04-20", "2022-01-01"],
    "--end": ["2023-04-21", "2023-03-10", "2030-01-01"],
    "--schedule": ["every_row", "every_n_rows", "weekly"],
    "--step-rows": ["1", "3", "100"],
    "--phase": ["0", "2", "all"],
    "--window": ["expanding", "rolling"],
    "--window-rows": ["5", "30", "60", "1000"],
    "--horizon": ["1", "7", "14"],
    "--refit": ["every_fold", "weekly", "monthly", "semiannual", "once"],
    "--warm-start-chain": ["1", "3", "8"],
    "--future-exog": ["repeat-last", "realized", "hold-last"],
    "--paths": ["2", "3", "100", "1000"],
    "--stored-paths": ["0", "2", "50"],
    "--innovations": ["normal", "student_t", "skew_normal", "skew_t", "mixture", "nig", "jumps", "bootstrap",
                      "regime"],
    "--threads": ["1", "2", "3"],
    "--registry-cov": ["none", "opg", "approx", "robust_approx"],
    "--mode": ["state-space", "marginal"],
    "--init": ["approximate", "exact-diffuse"],
}
FLAGS = ["--enforce-stationarity", "--enforce-invertibility", "--simple-differencing"]
# Options of the other commands: the model options every one takes, then each
# command's own; --device cpu so that the cases hold on a GPU machine.
MODEL_OPTIONS = {
    "--order": ["0,0,0", "1,1,1", "2,0,2", "0,2,0", "1,0,0", "0,1,3"],
    "--seasonal": ["0,0,0,0", "1,0,0,5", "0,1,1,5", "1,1,1,7"],
    "--trend": ["n", "c", "t", "ct"],
    "--missing": ["drop", "error", "ffill-bfill"],
    "--exog": ["fx", "B", "fx,B", ""],
    "--min-rows": ["1", "2", "5", "30", "500"],
    "--init": ["approximate", "exact-diffuse"],
    "--target": ["A", "B", "fx"],
}
FAMILIES = ["normal", "student_t", "skew_normal", "skew_t", "mixture", "nig", "jumps", "bootstrap", "regime"]
COMMAND_OPTIONS = {
    "fit": {"--cov-type": ["opg", "approx", "robust_approx"], "--json": ["fit.json"]},
    "forecast": {"--horizon": ["1", "7", "30", "366"], "--future-exog": ["repeat-last", "hold-last"],
                 "--calendar": ["calendar", "business"], "--out": ["out.csv"]},
    "simulate": {"--horizon": ["1", "7", "64"], "--paths": ["2", "3", "100", "500"], "--stored-paths": ["0", "2", "50"],
                 "--innovations": FAMILIES, "--threads": ["1", "2", "3"], "--mode": ["state-space", "marginal"],
                 "--stats-out": ["stats.csv"], "--h5": ["sim.h5"], "--window-rows": ["0", "3", "10", "50"],
                 "--seed": ["0", "7", "18446744073709551615"], "--out": ["out.csv"]},
    "stress": {"--horizon": ["7", "14", "64"], "--paths": ["2", "100", "500"], "--stored-paths": ["0", "5"],
               "--innovations": ["normal", "student_t", "skew_t", "jumps", "bootstrap", "regime"],
               "--cutoff": ["2023-03-01", "2023-01-02", "2022-01-01", "2030-01-01", "2023-02-10,2023-04-03"],
               "--threads": ["1", "2"], "--summary-csv": ["out.csv"], "--window-rows": ["0", "5", "40"]},
    "daily": {"--model": ["sarimax", "naive", "drift", "sarimax,naive", "sarimax:1,1,1:log", "naive:garch"],
              "--min-train-rows": ["2", "20", "60"], "--horizon": ["1", "7", "14"],
              "--refit": ["every_fold", "weekly", "once"], "--paths": ["2", "100"], "--stored-paths": ["0", "3"],
              "--innovations": ["normal", "skew_t", "bootstrap", "jumps"], "--window": ["expanding", "rolling"],
              "--window-rows": ["5", "30"], "--start": ["2023-03-01", "2023-04-10", "2023-04-19"],
              "--threads": ["1", "2"]},
}
SCENARIO_LINES = ["[[scenario]]", "[[scenario.shock]]", 'name = "baseline"', 'kind = "jump"', 'kind = "regime"',
                  "day = 0", "day = 65", "multiplier = 0", "from_day = 9", "to_day = 1", 'column = "nope"',
                  'family = "bootstrap"', 'regime = "boom"', "rate = 5", "relative = -2"]
SCENARIO_VALUES = ["0", "-1", "1e300", "-1e300", '"x"', "0.5", "99", "-0.99", "-1.5", "1e-300", '"skew_t"',
                   '"crisis"', '"calm"', '"nope"', '"fx"', '"B"', "nan", "inf", "-inf", "1000", "2", "65"]
BASE_TOML = """min_train_rows = 40
min_rows = 30
model = ["sarimax", "naive"]
order = "1,1,0"
paths = 50
missing = "drop"
out = "OUT"
start = 2023-03-20

[[series]]
name = "KC"
csv = "long.csv"
date_column = "ds"
series_column = "unique_id"
series = "KC"
target = "y"
exog = ["fx"]
units = "USc/lb"

[[series]]
name = "A"
csv = "wide.csv"
target = "A"
units = "USD"
"""


def make_data() -> tuple[str, str]:
    """80 business days: a long file of three series and a wide file of two."""
    rng = np.random.default_rng(1)
    days = [d.date().isoformat() for d in pd.bdate_range("2023-01-02", periods=80)]
    rows = []
    for uid, level in (("KC", 180.0), ("HG", 3.8), ("CL", 72.0)):
        prices = level * np.exp(np.cumsum(rng.normal(0, 0.01, len(days))))
        fx = 5 + np.cumsum(rng.normal(0, 0.01, len(days)))
        rows += [(uid, day, round(p, 4), round(x, 4)) for day, p, x in zip(days, prices, fx)]
    long_csv = pd.DataFrame(rows, columns=["unique_id", "ds", "y", "fx"]).to_csv(index=False)
    wide = pd.DataFrame({"date": days})
    for name, level in (("A", 10.0), ("B", 20.0)):
        wide[name] = np.round(level * np.exp(np.cumsum(rng.normal(0, 0.01, len(days)))), 4)
    wide["fx"] = np.round(5 + np.cumsum(rng.normal(0, 0.01, len(days))), 4)
    return long_csv, wide.to_csv(index=False)


def mutate_csv(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 6)):
        i, op = rng.randrange(len(lines)), rng.random()
        if op < 0.5 and lines[i]:
            cells = lines[i].split(",")
            cells[rng.randrange(len(cells))] = rng.choice(WEIRD_CELLS)
            lines[i] = ",".join(cells)
        elif op < 0.65:
            del lines[i]
        elif op < 0.8:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op < 0.9:
            lines[i] = lines[i][:rng.randrange(len(lines[i]) + 1)]
        else:
            lines[i] += "\r"
    return "\n".join(lines)


def mutate_toml(text: str, rng: random.Random, values=TOML_VALUES, new_lines=TOML_LINES) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        i, op = rng.randrange(len(lines)), rng.random()
        if op < 0.5 and "=" in lines[i]:
            lines[i] = lines[i].split("=")[0] + "= " + rng.choice(values)
        elif op < 0.6:
            del lines[i]
        elif op < 0.75:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op < 0.95:
            lines.insert(i, rng.choice(new_lines))
        else:
            lines[i] = lines[i][:rng.randrange(len(lines[i]) + 1)]
    return "\n".join(lines)


def universe_case(folder: Path, rng: random.Random, long_csv: str, wide_csv: str) -> list[str]:
    toml, long_text, wide_text = BASE_TOML, long_csv, wide_csv
    which = rng.random()
    if which < 0.4:
        toml = mutate_toml(toml, rng)
    elif which < 0.7:
        long_text = mutate_csv(long_text, rng)
    elif which < 0.9:
        wide_text = mutate_csv(wide_text, rng)
    else:
        toml, long_text, wide_text = mutate_toml(toml, rng), mutate_csv(long_text, rng), mutate_csv(wide_text, rng)
    (folder / "u.toml").write_text(toml)
    (folder / "long.csv").write_text(long_text)
    (folder / "wide.csv").write_text(wide_text)
    args = ["backfill", "--config", "u.toml", "--out", "o.h5", "--quiet"]
    return args + (["--threads", "2"] if rng.random() < 0.3 else [])


def options_case(folder: Path, rng: random.Random, wide_csv: str) -> list[str]:
    (folder / "wide.csv").write_text(wide_csv)
    args = ["backfill", "--csv", "wide.csv", "--out", "o.h5", "--quiet", "--min-rows", "5"]
    others = [k for k in OPTIONS if k not in ("--target", "--min-train-rows")]
    for key in ["--target", "--min-train-rows", *rng.sample(others, rng.randint(2, 9))]:
        args += [key, rng.choice(OPTIONS[key])]
    return args + [flag for flag in FLAGS if rng.random() < 0.15]


def commands_case(folder: Path, rng: random.Random, wide_csv: str, scenarios: str) -> list[list[str]]:
    """One command with random options (daily: three mornings in a row)."""
    (folder / "wide.csv").write_text(wide_csv if rng.random() < 0.6 else mutate_csv(wide_csv, rng))
    command = rng.choice(sorted(COMMAND_OPTIONS))
    options = {**MODEL_OPTIONS, **COMMAND_OPTIONS[command]}
    if command == "stress":  # target A, covariates fx and B: the scenarios' columns
        del options["--target"], options["--exog"]
    chosen = rng.sample(sorted(options), rng.randint(2, 9))
    args = [command, "--csv", "wide.csv"]
    for key in chosen:
        args += [key, rng.choice(options[key])]
    args += [] if "--target" in chosen else ["--target", "A"]
    args += [flag for flag in FLAGS if rng.random() < 0.15]
    if command in ("simulate", "stress", "daily"):
        args += ["--device", "cpu"]
    if command == "stress":
        (folder / "s.toml").write_text(scenarios if rng.random() < 0.4 else mutate_toml(scenarios, rng, SCENARIO_VALUES, SCENARIO_LINES))
        args += ["--scenarios", "s.toml", "--out", "o.h5"]
        args += ["--exog", "fx,B"]
    if command == "daily":
        args += ["--out", "o.h5", "--quiet", "--forecast-csv", "out.csv"]
        if "--stored-paths" in chosen and args[args.index("--stored-paths") + 1] != "0":
            args += ["--distribution-csv", "dist.csv"]  # the paths kept
        args += [] if "--min-train-rows" in chosen else ["--min-train-rows", "30"]
        args += [] if "--start" in chosen else ["--start", "2023-04-10"]
        return [args + ["--date", day] for day in ("2023-04-18", rng.choice(["2023-04-19", "2023-04-20"]), "2023-04-21")]
    return [args]


def csv_problems(path: Path) -> list[str]:
    """Rows of an output CSV with a NaN or infinite field."""
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        if any(field.strip().lower() in ("nan", "-nan", "inf", "-inf") for field in line.split(",")):
            return [f"{path.name}:{number}: not finite: {line[:120]}"]
    return []


def store_problems(path: Path) -> list[str]:
    """Folds marked trained (1) or refiltered (2) whose forecast_mean or
    path_mean is not finite (a backfill's, daily's or stress's store)."""
    problems = []
    with h5py.File(path, "r") as f:
        groups = {name: f[name] for name in json.loads(f.attrs["series"])} if "series" in f.attrs else {"": f}
        for name, group in groups.items():
            scored = np.isin(group["status"][()], [1, 2])[..., None]
            for variable in ("forecast_mean", "path_mean"):
                bad = scored & ~np.isfinite(group[variable][()])
                if bad.any():
                    problems.append(f"series {name!r}: {int(bad.sum())} non-finite {variable} in scored folds")
    return problems


def check(arabica: str, args: list[str], folder: Path) -> list[str]:
    """One run: a backfill must exit 0 (with a store) or 2; the other
    commands may also exit 3 (numerical failure), and daily 1 when every
    model failed (README: its exit status); 2 and 3 with one final line."""
    command = args[0]
    try:
        run = subprocess.run([arabica, *args], cwd=folder, capture_output=True, timeout=600)
    except subprocess.TimeoutExpired:
        return ["no exit within 600 s"]
    lines = [line for line in run.stderr.decode(errors="replace").splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(("arabica: error", "arabica: numerical failure"))
              or "internal error" in line]
    allowed = {"backfill": (0, 2), "daily": (0, 1, 2, 3)}.get(command, (0, 2, 3))
    if run.returncode not in allowed or any("internal error" in line for line in lines):
        return [f"exit {run.returncode}: {lines[-1] if lines else ''}"]
    if run.returncode in (2, 3) and (len(errors) != 1 or errors[0] != lines[-1]):
        return [f"exit {run.returncode} without one final error line: {lines[-3:]}"]
    if run.returncode == 1 and not (lines and lines[-1].endswith("every model failed")):
        return [f"exit 1: {lines[-1] if lines else ''}"]
    problems = []
    if run.returncode == 0 and command == "backfill" and not (folder / "o.h5").exists():
        return ["exit 0 without a store"]
    if run.returncode == 0 and command in ("backfill", "daily", "stress"):
        problems += store_problems(folder / "o.h5")
    for output in ("out.csv", "dist.csv", "stats.csv"):
        if run.returncode == 0 and (folder / output).exists():
            problems += csv_problems(folder / output)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("arabica")
    parser.add_argument("workdir")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=40, help="cases of each kind")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each case (races, uninitialised reads)")
    parser.add_argument("--keep", action="store_true", help="keep the folders of passing cases too")
    args = parser.parse_args(argv)
    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    long_csv, wide_csv = make_data()
    scenarios = (REPO / "examples" / "stress_scenarios.toml").read_text()
    scenarios = scenarios.replace("wx_temperature_2m_max_wavg", "fx").replace("brl_usd", "B")
    failures = 0
    for kind in ("universe", "options", "commands"):
        rng = random.Random(f"{kind}-{args.seed}")
        for n in range(args.cases):
            folder = work / f"{kind}{n:04d}"
            folder.mkdir()
            runs = ([universe_case(folder, rng, long_csv, wide_csv)] if kind == "universe"
                    else [options_case(folder, rng, wide_csv)] if kind == "options"
                    else commands_case(folder, rng, wide_csv, scenarios))
            problems = []
            for _ in range(args.repeat):
                for output in ("o.h5", "o.h5.lock", "out.csv", "dist.csv", "stats.csv"):
                    (folder / output).unlink(missing_ok=True)
                for command in runs:
                    problems = check(args.arabica, command, folder)
                    if problems:
                        break
                if problems:
                    break
            if problems:
                failures += 1
                print(f"FAIL {folder.name}: arabica {' '.join(command)}\n  " + "\n  ".join(problems))
            elif not args.keep:
                shutil.rmtree(folder)
    total = 3 * args.cases
    print(f"{total} fuzzed runs (seed {args.seed}, {args.repeat} run(s) each), {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
