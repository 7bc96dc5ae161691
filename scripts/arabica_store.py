#!/usr/bin/env python3
"""Read an `arabica backfill` store from Python: the package's
`arabica.store` module (python/arabica/store.py), loaded from this checkout
so that scripts and tests use it without the package installed.

    scripts/arabica_store.py statsforecast STORE --out cv.csv [--unique-id KC]
    scripts/arabica_store.py legacy-csv backfill.h5 --out forecast.csv [--series KC]
    scripts/arabica_store.py parquet STORE --out DIR [--unique-id KC]
    scripts/arabica_store.py pooled UNIVERSE --out pooled.csv

`import arabica_store` (with scripts/ on sys.path) gives its functions.
"""
import importlib.util
import sys
from pathlib import Path

_SOURCE = Path(__file__).resolve().parents[1] / "python" / "arabica" / "store.py"
_spec = importlib.util.spec_from_file_location("arabica_store_module", _SOURCE)
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
globals().update({name: value for name, value in vars(_module).items() if not name.startswith("__")})

if __name__ == "__main__":
    sys.exit(_module.main())
