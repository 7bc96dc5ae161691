"""Malformed-input corpus for options and config files (issue 12, defects 1,
8-11): every bad invocation exits 2 with one bounded line on stderr naming
the option or file:line:column, before any work, and creates or replaces no
file. A few good config files are checked to be read as documented.

usage: malformed_options.py ARABICA CSV WORKDIR
"""
import os
import re
import shutil
import subprocess
import sys

ARABICA, CSV, WORK = sys.argv[1:4]
MODEL = ["--csv", CSV, "--exog", "rain,brl_usd"]
SEED_MESSAGE = "--seed: must be an integer in 0..18446744073709551615"
SENTINEL = b"an output of an earlier run\n"
# Output files present before every case; none may change.
EXISTING = ["distribution.csv", "stress.h5", "backfill.h5.keep", "forecast.csv"]
SCENARIOS = b'[[scenario]]\nname = "calm"\n'


def case(name, args, expected, files=None, setup=()):
    """`setup`: commands run first (their files are part of the snapshot)."""
    return {"name": name, "args": args, "expected": expected, "files": files or {}, "setup": setup}


def bad_config(name, text, expected, command="backfill", extra=(), filename="cfg.toml"):
    data = text if isinstance(text, bytes) else text.encode()
    return case(name, [command, "--config", filename, *extra], expected, {filename: data})


BACKFILL = ["backfill", *MODEL, "--out", "new.h5"]
SIMULATE = ["simulate", *MODEL, "--paths", "100", "--out", "distribution.csv"]
DAILY = ["daily", *MODEL, "--out", "daily.h5"]
STRESS = ["stress", *MODEL, "--scenarios", "s.toml", "--paths", "100", "--out", "stress.h5"]
STRESS_FILES = {"s.toml": SCENARIOS}


def long_file(days=60):
    """statsforecast's long layout: three futures on the same dates."""
    lines = ["unique_id,ds,y"]
    for t in range(days):
        day = f"2024-{1 + t // 28:02d}-{1 + t % 28:02d}"
        for k, (uid, level) in enumerate((("KC", 180.0), ("HG", 3.8), ("CL", 72.0))):
            lines.append(f"{uid},{day},{level * (1 + 0.01 * ((t * (k + 3)) % 7 - 3)):.4f}")
    return ("\n".join(lines) + "\n").encode()


LONG = ["--csv", "long.csv", "--date-column", "ds", "--target", "y"]
LONG_FILES = {"long.csv": long_file()}
SHARDED = [*BACKFILL, "--start", "2023-02-01", "--min-train-rows", "100", "--paths", "100",
           "--model", "naive", "--num-shards", "2", "--quiet"]

CASES = [
    # CLI11's own parse errors: exit 2, one line, no "Run with --help".
    case("unknown option", ["fit", *MODEL, "--bogus"], "--bogus"),
    case("missing value", ["fit", "--csv"], "--csv"),
    case("wrong type", ["simulate", *MODEL, "--paths", "abc"], "--paths"),
    case("missing required", ["fit"], "--csv is required"),
    case("no command", [], "subcommand"),
    case("unknown command", ["bogus"], "subcommand"),
    case("horizon out of range", ["simulate", *MODEL, "--horizon", "0"], "--horizon"),
    # --innovations: one known family
    case("innovations levy", [*BACKFILL, "--innovations", "levy"],
         "--innovations: 'levy' is not one of: normal, student_t"),
    case("innovations list", [*BACKFILL, "--innovations", "normal,student_t"],
         "--innovations: 'normal,student_t' is not one of"),
    case("simulate innovations", [*SIMULATE, "--innovations", "cauchy"], "'cauchy' is not one of"),
    case("stress innovations", [*STRESS, "--innovations", "levy"], "'levy' is not one of",
         STRESS_FILES),
    # --init: one known initialisation
    case("init name", ["fit", *MODEL, "--init", "kappa"],
         "--init: unknown initialisation 'kappa' (expected approximate or exact-diffuse)"),
    case("backfill init name", [*BACKFILL, "--init", "diffuse"], "--init: unknown initialisation 'diffuse'"),
    # --cov-type: statsmodels' names that arabica computes
    case("cov type name", ["fit", *MODEL, "--cov-type", "oim"],
         "--cov-type: unknown covariance type 'oim' (expected opg, approx, robust_approx or none)"),
    # a long file (unique_id, ds, y): one series picked, never several spliced
    case("series without its column", ["fit", *MODEL, "--series", "KC"], "--series requires --series-column"),
    case("series column without series", ["fit", *MODEL, "--series-column", "unique_id"],
         "--series-column requires --series"),
    case("long file as one series", ["backfill", *LONG, "--out", "new.h5"],
         "long.csv:3:2: 120 of 180 rows repeat a date with other values", LONG_FILES),
    case("unknown series", ["fit", *LONG, "--series-column", "unique_id", "--series", "GC"],
         "long.csv: no rows of series 'GC' in column 'unique_id' (series in the file: 'KC', 'HG', 'CL')",
         LONG_FILES),
    # an id that cannot name a series' group is the file's fault, located
    # at its first row (not blamed on --series, which was not given)
    case("long file id pooled", ["backfill", *LONG, "--series-column", "unique_id", "--out", "new.h5"],
         "long.csv:3:1: column 'unique_id': series name 'pooled' is taken by the scores pooled across series",
         {"long.csv": long_file().replace(b"HG,", b"pooled,")}),
    case("long file id with a slash", ["backfill", *LONG, "--series-column", "unique_id", "--out", "new.h5"],
         "long.csv:4:1: column 'unique_id': series name 'CL/F' cannot name a group",
         {"long.csv": long_file().replace(b"CL,", b"CL/F,")}),
    case("missing policy name", ["fit", *MODEL, "--missing", "zero"], "--missing: zero not in"),
    # blank units broke the store's contract (an internal error, exit 1)
    *[case(f"{command[0]} blank units", [*command, "--units", units], "--units: units must not be blank",
           STRESS_FILES) for command in (BACKFILL, DAILY, STRESS) for units in ("", " ")],
    # --device
    case("device name", [*BACKFILL, "--device", "gpu"], "--device: 'gpu' is not one of: auto, cpu, cuda"),
    # --stored-paths >= 0 and <= --paths
    case("backfill stored -1", [*BACKFILL, "--stored-paths", "-1"], "--stored-paths"),
    case("simulate stored -5", [*SIMULATE, "--stored-paths", "-5"], "--stored-paths"),
    case("stress stored -1", [*STRESS, "--stored-paths", "-1"], "--stored-paths", STRESS_FILES),
    case("backfill stored > paths", [*BACKFILL, "--paths", "100", "--stored-paths", "101"],
         "--stored-paths: cannot exceed --paths (100)"),
    case("simulate stored > paths", [*SIMULATE, "--stored-paths", "101"],
         "--stored-paths: cannot exceed --paths (100)"),
    case("stress stored > paths", [*STRESS, "--stored-paths", "101"],
         "--stored-paths: cannot exceed --paths (100)", STRESS_FILES),
    # --paths a fold cannot hold in memory (no machine holds 99999999999 x 7
    # days): refused before any file; a backfill left a laid-out store that
    # refused the corrected rerun ("another configuration (paths differ)").
    # A backfill checks it up front on the CPU (--device cpu also on a GPU machine).
    *[case(f"{name} paths beyond memory", [*command, "--paths", "99999999999", "--device", "cpu"],
           ["--paths: ", "one request of 99999999999 paths x 7 days needs", "use fewer paths"], files)
      for name, command, files in (("backfill", BACKFILL, {}), ("daily", DAILY, {}),
                                   ("simulate", SIMULATE[:-4] + SIMULATE[-2:], {}),
                                   ("stress", STRESS[:-4] + STRESS[-2:], STRESS_FILES),
                                   ("universe", ["backfill", *LONG, "--series-column", "unique_id", "--out", "new.h5"],
                                    LONG_FILES))],
    bad_config("config paths beyond memory", "paths = 99999999999\n", ["cfg.toml:1:9: paths: ", "one request of 99999999999 paths"],
               extra=["--csv", CSV, "--device", "cpu"]),
    # repeat-last future covariates from fewer rows than the horizon broke
    # future_exog's contract (exit 1) in forecast and stress (found by fuzzing).
    case("forecast horizon beyond the covariates", ["forecast", *MODEL, "--horizon", "366", "--out", "forecast.csv"],
         "--future-exog: repeat-last repeats the covariates' last 366 rows, and the training window has 300"),
    case("stress window shorter than the horizon", [*STRESS, "--order", "0,1,0", "--window-rows", "5"],
         "--future-exog: repeat-last repeats the covariates' last 7 rows, and the training window has 5",
         STRESS_FILES),
    # blank column names: an empty --target read no prices (a crash in
    # backfill and simulate), an empty --date-column broke a contract
    *[case(f"{name} blank target", [*command, "--target", ""], "--target: must name a column, not be blank",
           files) for name, command, files in (("backfill", BACKFILL, {}), ("simulate", SIMULATE, {}),
                                               ("fit", ["fit", *MODEL], {}),
                                               ("universe", ["backfill", *LONG[:-2], "--series-column", "unique_id",
                                                             "--out", "new.h5"], LONG_FILES))],
    case("blank date column", ["fit", *MODEL, "--date-column", " "], "--date-column: must name a column"),
    *[bad_config(f"universe file blank {key}", f'[[series]]\nname = "A"\ncsv = "{CSV}"\n{key} = ""\n',
                 f"cfg.toml:4:{len(key) + 4}: '{key}' must name a column, not be blank")
      for key in ("target", "date_column")],
    # seeds: integers in 0..2^64-1
    *[case(f"seed {seed}", [*BACKFILL, "--seed", seed], SEED_MESSAGE)
      for seed in ["-1", "18446744073709551616", "1e23", "1.5", "abc", "99999999999999999999"]],
    case("simulate seed", [*SIMULATE, "--seed", "-1"], SEED_MESSAGE),
    case("stress seed", [*STRESS, "--seed", "1e23"], SEED_MESSAGE, STRESS_FILES),
    *[case(f"{command[0]} threads -3", [*command, "--threads", "-3"], "--threads: Value -3 not in range 0 to 4096",
           STRESS_FILES) for command in (BACKFILL, SIMULATE, STRESS)],
    # shards
    case("num-shards 0", [*BACKFILL, "--num-shards", "0"], "--num-shards"),
    case("shard out of range", [*BACKFILL, "--shard", "2", "--num-shards", "2"],
         "--shard: must be in 0..1"),
    case("shard negative", [*BACKFILL, "--shard", "-1"], "--shard"),
    # models
    case("model order too short", [*BACKFILL, "--model", "sarimax:0"], "--model: model 'sarimax:0'"),
    case("model unknown", [*BACKFILL, "--model", "arima"], "--model: unknown model 'arima'"),
    case("model twice", [*BACKFILL, "--model", "sarimax:1,1,1,sarimax"], "given twice"),
    case("model variant unknown", [*BACKFILL, "--model", "sarimax:1,1,1:egarch"],
         "--model: model 'sarimax:1,1,1:egarch': unknown option 'egarch'"),
    case("model ewma decay", [*BACKFILL, "--model", "naive:ewma=1.5"], "ewma's decay must be a number in (0, 1)"),
    case("phase beyond the step", [*BACKFILL, "--schedule", "every_n_rows", "--step-rows", "7", "--phase", "7"],
         "phase: must be between 0 and step_rows - 1 = 6 or all, got 7"),
    case("phase neither a row nor all", [*BACKFILL, "--schedule", "every_n_rows", "--step-rows", "7", "--phase", "some"],
         "--phase: must be an integer 0 .. step-rows - 1 or all, not 'some'"),
    case("phase negative", [*BACKFILL, "--schedule", "every_n_rows", "--step-rows", "7", "--phase", "-1"],
         "--phase: must be an integer 0 .. step-rows - 1 or all, not '-1'"),
    # The fold plan's settings, named as given: the flag, or the config
    # file's line (they read as the API's snake_case keys, window_rows).
    case("window shorter than the training rows", [*BACKFILL, "--window", "rolling", "--window-rows", "30",
                                                   "--min-train-rows", "60"],
         "--window-rows: rolling window of 30 rows is shorter than min_train_rows 60"),
    case("plan horizon 0", [*BACKFILL, "--horizon", "0"], "--horizon: must be between 1 and 64, got 0"),
    case("start after the data", [*BACKFILL, "--start", "2030-01-01"], "--start: 2030-01-01 is after end 2023-02-24"),
    case("end before the data", [*BACKFILL, "--end", "2021-01-01"],
         "--end: 2021-01-01 is before the data's first row, 2022-01-03"),
    bad_config("config end before the data", "end = 2021-01-01\n",
               "cfg.toml:1:7: end: 2021-01-01 is before the data's first row, 2022-01-03", extra=["--csv", CSV]),
    case("daily warm-start chain", [*DAILY, "--warm-start-chain", "-1"],
         "--warm-start-chain: must be 0 (no warm starts) or more, got -1"),
    bad_config("config window shorter than the training rows",
               "[backfill]\nwindow = 'rolling'\nwindow_rows = 30\nmin-train-rows = 60\n",
               "cfg.toml:3:15: window_rows: rolling window of 30 rows is shorter than min_train_rows 60",
               extra=["--csv", CSV]),
    bad_config("config window overridden on the command line", "window = 'rolling'\nwindow_rows = 30\n",
               "--window-rows: rolling window of 20 rows is shorter than min_train_rows 60",
               extra=["--csv", CSV, "--window-rows", "20", "--min-train-rows", "60"]),
    bad_config("config start after the data", "start = 2030-01-01\n", "cfg.toml:1:9: start: 2030-01-01 is after end",
               extra=["--csv", CSV]),
    bad_config("config no fold to run", "min_train_rows = 5000\n",
               "cfg.toml:1:18: min_train_rows: no fold to run: 300 cutoffs between", command="daily", extra=["--csv", CSV]),
    case("no fold after the start", [*BACKFILL, "--start", "2023-02-25"],
         "--start: 2023-02-25 is after end 2023-02-24"),
    bad_config("config model order", "order = '1,x,1'\n",
               "cfg.toml:1:9: order: '1,x,1' is not a list of 3 non-negative integers", extra=["--csv", CSV]),
    case("daily date", [*DAILY, "--date", "2023-02-30"], "--date: '2023-02-30' is not a date"),
    case("daily date before the data", [*DAILY, "--date", "1999-01-04"], "--date: 1999-01-04 is before the data's first row"),
    case("daily distribution without paths", [*DAILY, "--distribution-csv", "d.csv"],
         "--distribution-csv: needs paths kept in the store"),
    case("daily of several series, one forecast.csv", [*DAILY, "--target", "close,brl_usd", "--exog", "rain",
                                                       "--forecast-csv", "f.csv"],
         "--forecast-csv: a universe writes one file per series: put {series} in the path"),
    case("daily has no --end", [*DAILY, "--end", "2023-01-31"], "--end"),
    case("model two families", [*BACKFILL, "--model", "naive:normal:student_t"], "two innovation families"),
    case("bad start date", [*BACKFILL, "--start", "2020-13-01"], "--start"),
    # outputs: checked up front, nothing replaced
    case("stats-out missing dir", [*SIMULATE, "--stats-out", "missing/stats.csv"],
         "--stats-out: directory 'missing'"),
    case("simulate out missing dir", [*SIMULATE[:-1], "missing/d.csv"], "--out: directory 'missing'"),
    case("summary-csv missing dir", [*STRESS, "--summary-csv", "missing/s.csv"],
         "--summary-csv: directory 'missing'", STRESS_FILES),
    case("forecast-csv missing dir", [*BACKFILL, "--forecast-csv", "missing/f.csv"],
         "--forecast-csv: directory 'missing'"),
    case("out is a directory", [*SIMULATE[:-1], "."], "--out: '.' is a directory"),
    case("merge without shards", [*BACKFILL, "--min-train-rows", "100", "--num-shards", "2", "--merge"], "shard store missing"),
    # shards of another run (--seed 2): refused before OUT is created
    case("merge of another run's shards", [*SHARDED, "--merge"], "new.h5.shard-0-of-2",
         setup=[[*SHARDED, "--seed", "2", "--shard", str(k)] for k in (0, 1)]),
    case("fit json missing dir", ["fit", *MODEL, "--json", "missing/fit.json"], "--json: directory"),
    case("forecast out missing dir", ["forecast", *MODEL, "--out", "missing/f.csv"], "--out: directory"),
    # scenario values in their documented ranges, through the command
    case("scenario 1e300", STRESS,
         "s.toml:5:14: scenario 'x', shock 1 (volatility): multiplier must be in (0, 100], got 1e+300",
         {"s.toml": b'[[scenario]]\nname = "x"\n[[scenario.shock]]\nkind = "volatility"\n'
                    b'multiplier = 1e300\n'}),
    # config files
    case("config missing", [*BACKFILL, "--config", "nothing.toml"], "nothing.toml"),
    case("config directory", [*BACKFILL, "--config", "."], "."),
    case("config /dev/zero", [*BACKFILL, "--config", "/dev/zero"], "/dev/zero: larger than 1 MiB"),
    bad_config("config binary", b"csv = \"a\"\n\x00\x01\x02\xff", "cfg.toml:2:1: binary data"),
    bad_config("config malformed", "schedule = \n", "cfg.toml:1:"),
    bad_config("config unclosed table", "[backfill\nschedule = \"weekly\"\n", "cfg.toml:1:"),
    bad_config("config unknown key", "schedul = \"weekly\"\n", "cfg.toml:1:1: unknown key 'schedul' for 'arabica backfill'"),
    bad_config("config unknown key in table", "[backfill]\nhorizon = 7\nbogus = 1\n", "cfg.toml:3:1: unknown key 'bogus'"),
    bad_config("config unknown table", "[backfil]\nschedule = \"weekly\"\n", ["cfg.toml:1:", "unknown key 'backfil'"]),
    bad_config("config float for int", "paths = 1.5\n", "cfg.toml:1:9: 'paths' must be an integer, got a number"),
    bad_config("config string for flag", "quiet = \"yes\"\n", "cfg.toml:1:9: 'quiet' must be true or false, got a string"),
    bad_config("config int for text", "schedule = 5\n", "cfg.toml:1:12: 'schedule' must be a string, got an integer"),
    bad_config("config list for scalar", "order = [1, 1, 1]\n", "cfg.toml:1:9: 'order' takes one value, got a list"),
    bad_config("config refused value", "[backfill]\ninnovations = \"levy\"\n", "cfg.toml:2:15: --innovations: 'levy' is not one of"),
    bad_config("config seed -1", "seed = -1\n", "cfg.toml:1:8: --seed: must be an integer"),
    bad_config("config stored -1", "stored_paths = -1\n", "cfg.toml:1:16: --stored-paths"),
    bad_config("config range", "paths = 1\n", "cfg.toml:1:9: --paths"),
    bad_config("config csv missing required", "schedule = \"weekly\"\n", "--csv: required"),
    bad_config("ini unknown key", "[backfill]\nschedul = weekly\n", "cfg.ini:2:1: unknown key 'schedul'", filename="cfg.ini"),
    bad_config("ini bad section", "[backfil]\n", "cfg.ini:1:1: unknown section 'backfil'", filename="cfg.ini"),
    bad_config("ini no equals", "schedule weekly\n", "cfg.ini:1:1: expected key = value", filename="cfg.ini"),
    bad_config("ini refused value", "[simulate]\npaths = abc\n", "cfg.ini:2:9: --paths", "simulate", filename="cfg.ini"),
]


def run(args, cwd):
    return subprocess.run([ARABICA, *args], cwd=cwd, capture_output=True, timeout=120)


def snapshot(folder):
    return {name: open(os.path.join(folder, name), "rb").read()
            for name in sorted(os.listdir(folder)) if os.path.isfile(os.path.join(folder, name))}


def check_case(c, folder):
    os.makedirs(folder)
    for name in EXISTING:
        with open(os.path.join(folder, name), "wb") as f:
            f.write(SENTINEL)
    for name, data in c["files"].items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
    for command in c["setup"]:
        subprocess.run([ARABICA, *command], cwd=folder, capture_output=True, check=True, timeout=120)
    before = snapshot(folder)
    result = run(c["args"], folder)
    stderr = result.stderr.decode(errors="replace")
    lines = [line for line in stderr.splitlines() if line.strip()]
    problems = []
    if result.returncode != 2:
        problems.append(f"exit {result.returncode}, expected 2")
    if len(lines) != 1:
        problems.append(f"{len(lines)} stderr lines, expected 1")
    elif len(lines[0]) > 400:
        problems.append(f"stderr line of {len(lines[0])} characters")
    expected = c["expected"] if isinstance(c["expected"], list) else [c["expected"]]
    for fragment in expected:
        if fragment not in stderr:
            problems.append(f"stderr lacks {fragment!r}")
    after = snapshot(folder)
    if after != before:
        changed = sorted(set(after) ^ set(before) | {n for n in after if n in before and after[n] != before[n]})
        problems.append(f"files created or replaced: {changed}")
    if os.path.isdir(os.path.join(folder, "missing")):
        problems.append("created the missing directory")
    return problems, stderr.strip()


def good_configs(work):
    """Config files read as documented (top level, command table, INI, flags)."""
    folder = os.path.join(work, "good")
    os.makedirs(folder)
    failures = []

    def expect(name, args, files, fragment):
        for file, text in files.items():
            with open(os.path.join(folder, file), "w") as f:
                f.write(text)
        result = run(args, folder)
        out = result.stdout.decode(errors="replace")
        if result.returncode != 0 or fragment not in out:
            failures.append(f"{name}: exit {result.returncode}, {fragment!r} in stdout: "
                            f"{fragment in out}; stderr: {result.stderr.decode(errors='replace').strip()}")

    csv = f'csv = "{CSV}"\nexog = ["rain", "brl_usd"]\n'
    # csv only in the file (was: "--csv is required"); the [fit] table wins
    # over the top level, other commands' tables are ignored.
    expect("toml table wins", ["fit", "--config", "a.toml"],
           {"a.toml": csv + 'order = "0,1,1"\n[fit]\norder = "1,1,0"\n[backfill]\nschedule = "weekly"\n'},
           "(1,1,0)")
    # a top-level key of other commands only (horizon, scenarios) is ignored
    expect("shared top level", ["fit", "--config", "s.toml"],
           {"s.toml": csv + 'horizon = 7\nscenarios = "x.toml"\n'}, "(1,1,1)")
    expect("one series of a long file", ["fit", *LONG, "--series-column", "unique_id", "--series", "HG",
                                         "--order", "0,1,1"], {"long.csv": long_file().decode()},
           "(0,1,1)")
    missing = re.sub(r"HG,2024-01-05,[^\n]*", "HG,2024-01-05,NA", long_file().decode())
    expect("missing policy drop", ["fit", *LONG, "--series-column", "unique_id", "--series", "HG",
                                   "--order", "0,1,0", "--missing", "drop"], {"long.csv": missing}, "nobs 59")
    expect("command line wins", ["fit", "--config", "a.toml", "--order", "0,1,0"], {}, "(0,1,0)")
    expect("ini", ["fit", "--config", "b.ini"],
           {"b.ini": f"; comment\ncsv = {CSV}\n[fit]\nexog = rain,brl_usd\norder = \"0,1,1\"\n"},
           "(0,1,1)")
    expect("flags and lists", ["simulate", "--config", "c.toml"],
           {"c.toml": csv + '[simulate]\npaths = 100\nstored_paths = 5\nseed = 18\n'
                            'innovations = "student_t"\nout = "d.csv"\nenforce_stationarity = false\n'},
           "wrote d.csv (5 paths)")
    return failures


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    cuda = run(["simulate", *MODEL, "--paths", "2", "--device", "cuda", "--out", "probe.csv"], WORK)
    cases = list(CASES)
    if cuda.returncode == 0:
        print("a CUDA device is present: the --device cuda refusals are not checked")
    else:
        cases += [
            case("backfill cuda without GPU", [*BACKFILL, "--device", "cuda"], "--device: cuda requested"),
            case("simulate cuda without GPU", [*SIMULATE, "--device", "cuda"], "--device: cuda requested"),
            case("stress cuda without GPU", [*STRESS, "--device", "cuda"], "--device: cuda requested",
                 STRESS_FILES),
        ]
    failures = 0
    for index, c in enumerate(cases):
        problems, stderr = check_case(c, os.path.join(WORK, f"case{index:03d}"))
        if problems:
            failures += 1
            print(f"FAIL {c['name']}: {'; '.join(problems)}\n  args: {c['args']}\n  stderr: {stderr[:500]}")
        else:
            print(f"ok   {c['name']}: {stderr}")
    for problem in good_configs(WORK):
        failures += 1
        print(f"FAIL {problem}")
    print(f"{len(cases)} bad invocations, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
