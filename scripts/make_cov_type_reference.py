#!/usr/bin/env python3
"""Standard errors by cov_type from statsmodels, for arabica's --cov-type test.

For every case of tests/data/golden/sarimax_reference_set.json, at the
statsmodels optimum stored there, statsmodels' standard errors under
cov_type 'opg' (complex-step scores), 'approx' (complex-step Hessian) and
'robust_approx' (their sandwich), from `SARIMAX(...).filter(params,
cov_type=...)`. Cases where statsmodels gives no finite errors are left out.
statsmodels' Hessian (complex step for one derivative, EPS^(1/3) steps) is
not converged everywhere: "hessian_checked" says whether its 'approx'
errors agree to 0.5% with an independent finite-difference Hessian of the
same log-likelihood (statsmodels.tools.numdiff.approx_hess3, steps 1e-5
relative); only those are a reference for a Hessian-based cov_type.
Writes tests/data/golden/sarimax_cov_types.json.

    .venv/bin/python scripts/make_cov_type_reference.py
"""
from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
from statsmodels.tools.numdiff import approx_hess3

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
from make_reference_set import case_from  # noqa: E402

REFERENCE_SET = REPO / "tests" / "data" / "golden" / "sarimax_reference_set.json"
OUT = REPO / "tests" / "data" / "golden" / "sarimax_cov_types.json"
COV_TYPES = ("opg", "approx", "robust_approx")


def main() -> int:
    out = []
    for item in json.loads(REFERENCE_SET.read_text()):
        model = case_from(item).model()
        params = np.asarray(item["statsmodels"]["params"], dtype=float)
        bse = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for cov_type in COV_TYPES:
                bse[cov_type] = [float(v) for v in model.filter(params, cov_type=cov_type).bse]
        if not all(np.all(np.isfinite(v)) and np.all(np.asarray(v) > 0) for v in bse.values()):
            print(f"{item['name']}: statsmodels gives no finite errors, left out")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                hessian = approx_hess3(params, model.loglike, epsilon=1e-5 * np.maximum(1.0, np.abs(params)))
                independent = np.sqrt(np.diag(np.linalg.inv(-hessian)))
                checked = bool(np.all(np.abs(independent / np.asarray(bse["approx"]) - 1.0) < 5e-3))
            except (np.linalg.LinAlgError, ValueError):
                checked = False
        out.append({"name": item["name"], "params": [float(v) for v in params], "bse": bse,
                    "hessian_checked": checked})
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"{len(out)} cases -> {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
