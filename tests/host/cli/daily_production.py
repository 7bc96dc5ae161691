#!/usr/bin/env python3
"""`arabica daily` over 20 consecutive days of the canonical coffee file
(issue 16): the data file gains one row each morning and the job runs on it;
and a backfill to 2024-06-30 extended to 2024-12-31.

  * the 20 mornings give the store of one backfill over those 20 cutoffs,
    bit for bit (scripts/compare_backfills.py): late actuals filled in,
    every score recomputed;
  * with --refit weekly a model trains on the first trading day of each ISO
    week and re-filters its latest fit on the other days;
  * a model made to fail on one morning (ARABICA_FAULT_FAIL_FOLDS="k:naive")
    is recorded as failed, the other one proceeds, the run exits 0, and the
    next morning retries it;
  * a second run on the same morning changes nothing (the file's bytes) and
    says so; today's forecast.csv and distribution.csv hold today's cutoff;
  * the store's run_log holds one record per morning, with its counts.

    daily_production.py ARABICA REPO WORKDIR    (exit 77 without ../shared/data)
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import pandas as pd

DAYS = 20
FAIL_DAY = 10  # 1-based: this morning naive fails


def extension_to_year_end(arabica: str, repo: str, data: Path, work: Path) -> None:
    """The issue's case: a backfill to 2024-06-30 on the data of that day,
    extended to 2024-12-31 on the whole file, is one run to 2024-12-31; with
    --refit semiannual the extension trains only at the half-year's first
    cutoff (and re-filters the folds whose prices arrived)."""
    lines = data.read_text().splitlines()
    first_half = [line for line in lines[1:] if line[:10] <= "2024-06-30"]
    half_file, whole_file = work / "to_june.csv", work / "to_december.csv"
    half_file.write_text("\n".join([lines[0], *first_half]) + "\n")
    whole_file.write_text("\n".join(lines) + "\n")
    common = ["--target", "close", "--exog", "wx_temperature_2m_max_wavg,brl_usd", "--start", "2024-01-01",
              "--schedule", "weekly", "--refit", "semiannual", "--min-train-rows", "1500",
              "--model", "sarimax,naive", "--paths", "300", "--threads", "2", "--quiet"]
    store, once = work / "extended.h5", work / "one_run.h5"
    for csv, end, out in ((half_file, "2024-06-30", store), (whole_file, "2024-12-31", store),
                          (whole_file, "2024-12-31", once)):
        done = subprocess.run([arabica, "backfill", "--csv", str(csv), *common, "--end", end, "--out", str(out)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        if out == store and end == "2024-12-31":
            counts = {line.split()[0]: [int(v) for v in line.split()[1:5]] for line in done.stdout.splitlines()
                      if line.startswith(("sarimax(1,1,1) ", "naive ")) and len(line.split()) == 5}
    compare = subprocess.run([sys.executable, str(Path(repo) / "scripts" / "compare_backfills.py"),
                              str(store), str(once)], capture_output=True, text=True)
    assert compare.returncode == 0, compare.stdout + compare.stderr
    for model, (trained, refiltered, failed, kept) in counts.items():
        # One training in the second half-year (its first cutoff); every
        # other fold run re-filters the half-year's fit.
        assert trained == 1 and failed == 0 and kept > 0 and refiltered > 0, (model, counts)
    print(f"backfill to 2024-06-30 extended to 2024-12-31 equals one run; extension counts {counts}")


def main(arabica: str, repo: str, workdir: str) -> int:
    data = Path(repo).parent / "shared" / "data" / "coffee_kc_daily_features_2015_2024.csv"
    if not data.exists():
        print(f"skipped: {data} is not here")
        return 77
    work = Path(workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    lines = data.read_text().splitlines()
    header, rows = lines[0], lines[1:]
    first = len(rows) - DAYS  # rows[first] is the first morning's new row
    dates = [row.split(",")[0] for row in rows]
    day_file, store = work / "coffee.csv", work / "daily.h5"
    common = ["--csv", str(day_file), "--target", "close", "--exog",
              "wx_temperature_2m_max_wavg,wx_precipitation_sum_wavg,brl_usd",
              "--start", dates[first], "--min-train-rows", "1500", "--refit", "weekly",
              "--model", "sarimax,naive", "--paths", "400", "--stored-paths", "10", "--threads", "2",
              "--quiet"]
    weeks_seen = set()
    for day in range(DAYS):
        day_file.write_text("\n".join([header, *rows[: first + day + 1]]) + "\n")
        env = dict(os.environ)
        if day + 1 == FAIL_DAY:
            env["ARABICA_FAULT_FAIL_FOLDS"] = f"{day}:naive"
        done = subprocess.run([arabica, "daily", *common, "--out", str(store),
                               "--forecast-csv", str(work / "forecast.csv"),
                               "--distribution-csv", str(work / "distribution.csv")],
                              capture_output=True, text=True, env=env)
        assert done.returncode == 0, f"day {day + 1}: exit {done.returncode}\n{done.stderr}"
        today = dates[first + day]
        status = {line.split("model=")[1].split()[0]: line.split("status=")[1].split()[0]
                  for line in done.stdout.splitlines() if line.startswith(f"daily {today} model=")}
        week = datetime.date.fromisoformat(today).isocalendar()[:2]
        expected = "trained" if week not in weeks_seen else "re-filtered"
        weeks_seen.add(week)
        assert status.get("sarimax(1,1,1)") == expected, (today, status, done.stdout[-600:])
        if day + 1 == FAIL_DAY:
            assert status["naive"] == "failed", status
            assert "summary: trained=" in done.stdout and "failed=1" in done.stdout, done.stdout[-400:]
            with h5py.File(store, "r") as f:
                assert int(f["status"][1, day]) == 3 and int(f["status"][0, day]) != 3
        else:
            assert status["naive"] != "failed", status
        forecast = pd.read_csv(work / "forecast.csv")
        assert set(forecast.data_cutoff_date) == {today}, forecast.data_cutoff_date.unique()
        models = {"sarimax(1,1,1)"} if day + 1 == FAIL_DAY else {"sarimax(1,1,1)", "naive"}
        assert set(forecast.model_version) == models, forecast.model_version.unique()
        assert len(pd.read_csv(work / "distribution.csv")) == 10 * len(models)

    # The same morning again: nothing changes, and it says so.
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    again = subprocess.run([arabica, "daily", *common, "--out", str(store)], capture_output=True, text=True)
    assert again.returncode == 0 and "nothing changed" in again.stdout, again.stdout + again.stderr
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before, "a repeated morning changed the store"
    # A --date past the data (a feed that stopped): the last row's forecast,
    # said on stderr; the next day (a weekend's or a holiday's gap) is not.
    last = datetime.date.fromisoformat(dates[first + DAYS - 1])
    for gap, stale in ((1, False), (30, True)):
        later = subprocess.run([arabica, "daily", *common, "--out", str(store), "--date",
                                str(last + datetime.timedelta(days=gap))], capture_output=True, text=True)
        said = f"the last row on or before {last + datetime.timedelta(days=gap)} is {last}, {gap} days earlier"
        assert later.returncode == 0 and "nothing changed" in later.stdout, later.stdout + later.stderr
        assert (said in later.stderr) == stale, (gap, later.stderr)
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before, "a later --date changed the store"

    # One backfill over the 20 cutoffs, on the same file.
    once = work / "once.h5"
    done = subprocess.run([arabica, "backfill", *common, "--out", str(once)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    compare = subprocess.run([sys.executable, str(Path(repo) / "scripts" / "compare_backfills.py"),
                              str(store), str(once)], capture_output=True, text=True)
    assert compare.returncode == 0, compare.stdout + compare.stderr
    with h5py.File(store, "r") as f:
        assert int(f["fold_complete"][()].sum()) == DAYS
        log = json.loads(f.attrs["run_log"])
    # One record per morning that ran, in order, with its counts.
    assert [r["date"] for r in log] == dates[first:first + DAYS], [r["date"] for r in log]
    assert log[FAIL_DAY - 1]["failed"] == 1 and log[FAIL_DAY - 1]["models"]["naive"] == "failed", log[FAIL_DAY - 1]
    assert all(r["generated"] == 2 for k, r in enumerate(log) if k != FAIL_DAY - 1)
    assert sum(r["trained"] for r in log) + sum(r["skipped"] for r in log) == 2 * DAYS - 1
    print(f"{DAYS} mornings of arabica daily equal one backfill over their cutoffs")
    extension_to_year_end(arabica, repo, data, work)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
