#!/usr/bin/env python3
"""Fits the polynomial coefficients of include/arabica/float_math.hpp.

log: R(z) in log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)), s = f / (2 + f),
|s| <= (sqrt 2 - 1) / (sqrt 2 + 1): least squares in relative error.
sin, cos on [0, pi/4]: sin r = r + r^3 P(r^2), cos r = 1 - r^2/2 + r^4 Q(r^2),
Lawson's iteration towards the minimax relative error. Prints the float32
coefficients; tests/host/mc/float_math_test.cpp checks the result in ulps.
"""
import numpy as np


def lawson(a, y, iterations=200):
    weights = np.ones(len(y))
    for _ in range(iterations):
        c = np.linalg.lstsq(a * np.sqrt(weights)[:, None], y * np.sqrt(weights), rcond=None)[0]
        error = np.abs(a @ c - y)
        weights = weights * error
        weights /= weights.sum()
    return c, error.max()


def main():
    s_max = (np.sqrt(2) - 1) / (np.sqrt(2) + 1)
    s = np.linspace(1e-6, s_max * 1.001, 200001)
    z = s * s
    r = (2 * np.arctanh(s) - 2 * s) / s
    a = np.stack([z, z**2, z**3, z**4], 1)
    log_c = np.linalg.lstsq(a / r[:, None], np.ones_like(r), rcond=None)[0]
    print("log R(z):", [float(np.float32(c)) for c in log_c])
    x = np.linspace(1e-6, np.pi / 4 * 1.001, 200001)
    sin_c, sin_e = lawson(np.stack([x**3, x**5, x**7], 1) / np.sin(x)[:, None], (np.sin(x) - x) / np.sin(x))
    print("sin P:", [float(np.float32(c)) for c in sin_c], "max relative error", sin_e)
    cos_c, cos_e = lawson(np.stack([x**4, x**6, x**8], 1) / np.cos(x)[:, None],
                          (np.cos(x) - 1 + x * x / 2) / np.cos(x))
    print("cos Q:", [float(np.float32(c)) for c in cos_c], "max relative error", cos_e)


if __name__ == "__main__":
    main()
