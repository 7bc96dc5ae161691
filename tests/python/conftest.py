"""Fixtures of the Python package's tests: the CLI they are compared with
(ARABICA_CLI), the real data beside the checkout, the repository."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))  # compare_backfills


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def cli() -> str:
    path = os.environ.get("ARABICA_CLI", str(REPO / "build" / "arabica"))
    if not Path(path).is_file():
        pytest.skip(f"no arabica binary at {path}")
    return path


@pytest.fixture(scope="session")
def coffee_csv() -> Path:
    path = Path(os.environ.get("ARABICA_SHARED_DATA", REPO.parent / "shared" / "data")) / \
        "coffee_kc_daily_features_2015_2024.csv"
    if not path.is_file():
        pytest.skip(f"real data absent: {path}")
    return path


def run_cli(cli: str, *args: str, expect: int = 0) -> subprocess.CompletedProcess:
    done = subprocess.run([cli, *map(str, args)], capture_output=True, text=True)
    assert done.returncode == expect, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done
