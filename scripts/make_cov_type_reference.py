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
statsmodels' complex-step scores are not exact everywhere either (its
filter is not complex-analytic where the gain settles: on Stata's grid row
41, a seasonal AR pair 3% inside the unit circle, its OPG errors are 0.5%
off a value that Richardson-extrapolated central differences reproduce to
2e-4 at every step from 1e-6 to 1e-5): "opg_independent" holds the OPG
errors from those differences of statsmodels' own per-period
log-likelihood (steps 4e-6 and 2e-6 times max(1, |x|), sigma2 relative;
kept only where steps 2.5 times longer agree to 1e-3, null elsewhere), and
"opg_checked" says whether statsmodels' OPG agrees with them to 1e-3.
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


def independent_opg(model, params: np.ndarray, h: float) -> np.ndarray:
    """OPG standard errors from Richardson-extrapolated central differences
    of the per-period log-likelihood: (4 D(h/2) - D(h)) / 3, error O(h^4)."""
    scale = np.maximum(1.0, np.abs(params))
    scale[-1] = abs(params[-1])  # sigma2, relative

    def differences(h: float) -> np.ndarray:
        columns = []
        for i in range(len(params)):
            up, down = params.copy(), params.copy()
            up[i] += h * scale[i]
            down[i] -= h * scale[i]
            columns.append((model.loglikeobs(up) - model.loglikeobs(down)) / (up[i] - down[i]))
        return np.array(columns).T

    scores = (4.0 * differences(0.5 * h) - differences(h)) / 3.0
    return np.sqrt(np.diag(np.linalg.inv(scores.T @ scores)))


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
            try:
                # Kept only where two step sizes agree: the 1e6 approximate
                # prior's rounding noise swamps steps this small elsewhere.
                opg = independent_opg(model, params, 4e-6)
                wider = independent_opg(model, params, 1e-5)
                if not (np.all(np.isfinite(opg)) and np.all(np.abs(wider / opg - 1.0) < 1e-3)):
                    raise ValueError("no stable independent OPG")
                opg_checked = bool(np.all(np.abs(opg / np.asarray(bse["opg"]) - 1.0) < 1e-3))
                opg_independent = [float(v) for v in opg]
            except (np.linalg.LinAlgError, ValueError):
                opg_checked, opg_independent = False, None
        out.append({"name": item["name"], "params": [float(v) for v in params], "bse": bse,
                    "hessian_checked": checked, "opg_checked": opg_checked,
                    "opg_independent": opg_independent})
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"{len(out)} cases -> {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
