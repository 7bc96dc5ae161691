#!/usr/bin/env python3
"""examples/universe.toml as the README runs it (issue 15): the 14 real
series of ../shared/data (11 Stooq futures, coffee, sugar, cocoa), each
cleaned and planned on its own calendar, into one store with a group per
series; a short window and few paths so that it stays quick. Every series
commits every fold with its CF units, xarray opens the store as a DataTree,
and the Parquet export holds every series.

    universe_example.py ARABICA REPO WORKDIR    (exit 77 without ../shared/data)
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

SERIES = ["KC", "SB", "cocoa", "CL.F", "GC.F", "HG.F", "KC.F", "LE.F", "LS.F", "OJ.F", "PA.F",
          "PL.F", "RB.F", "SI.F"]


def main(arabica: str, repo: str, workdir: str) -> int:
    if not (Path(repo).parent / "shared" / "data" / "SOURCES.md").exists():
        print("skipped: no ../shared/data beside the repository")
        return 77
    work = Path(workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    out = work / "universe.h5"
    done = subprocess.run([arabica, "backfill", "--config", "examples/universe.toml", "--start",
                           "2021-12-01", "--end", "2021-12-17", "--paths", "200", "--quiet",
                           "--out", str(out)], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "universe of 14 series" in done.stdout, done.stdout[:400]
    import xarray as xr
    with xr.open_datatree(out, engine="h5netcdf") as tree:
        assert list(tree.children) == [*SERIES, "pooled"], list(tree.children)
        assert list(tree["pooled"].to_dataset().model.values) == ["sarimax(1,1,1)", "naive", "drift"]
        for name in SERIES:
            ds = tree[name].to_dataset()
            assert ds.sizes["cutoff"] == 13 and int(ds.fold_complete.sum()) == 13, (name, dict(ds.sizes))
            assert ds.path_mean.attrs["units"] not in ("", "1"), (name, ds.path_mean.attrs)
            assert list(ds.model.values) == ["sarimax(1,1,1)", "naive", "drift"], name
        assert tree["cocoa"].to_dataset().path_mean.attrs["units"] == "USD/t"
    subprocess.run([sys.executable, Path(repo) / "scripts" / "arabica_store.py", "parquet", out,
                    "--out", work / "universe.parquet"], check=True)
    import pandas as pd
    table = pd.read_parquet(work / "universe.parquet")
    assert sorted(set(table.unique_id)) == sorted(SERIES), set(table.unique_id)
    assert len(table) == len(SERIES) * 13 * 7 * 3, len(table)
    print("examples/universe.toml: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
