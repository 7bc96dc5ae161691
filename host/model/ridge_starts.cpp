#include "model/ridge_starts.hpp"

#include <algorithm>
#include <cmath>

#include "model/parameter_transform.hpp"

namespace arabica {

Eigen::VectorXd ridge_ma(const Eigen::VectorXd& ar, const Eigen::VectorXd& ma,
                         const Eigen::VectorXd& new_ar) {
  const Eigen::Index q = ma.size();
  // psi_j = theta_j + sum_i phi_i psi_{j-i}, psi_0 = 1.
  Eigen::VectorXd psi = Eigen::VectorXd::Zero(q + 1);
  psi[0] = 1.0;
  for (Eigen::Index j = 1; j <= q; ++j) {
    psi[j] = ma[j - 1];
    for (Eigen::Index i = 1; i <= std::min(j, ar.size()); ++i) psi[j] += ar[i - 1] * psi[j - i];
  }
  Eigen::VectorXd out(q);
  for (Eigen::Index j = 1; j <= q; ++j) {
    out[j - 1] = psi[j];
    for (Eigen::Index i = 1; i <= std::min(j, new_ar.size()); ++i)
      out[j - 1] -= new_ar[i - 1] * psi[j - i];
  }
  return out;
}

namespace {

// One walk along the ridge of the (ar, ma) pair selected by `ar_of`/`ma_of`.
template <typename Ar, typename Ma>
void walk_ridge(const SarimaxParams& at, double offset, Ar ar_of, Ma ma_of,
                std::vector<SarimaxParams>& out) {
  const Eigen::VectorXd& ar = ar_of(at);
  const Eigen::VectorXd& ma = ma_of(at);
  if (ar.size() == 0 || ma.size() == 0) return;
  for (const double leading : kRidgeGrid) {
    Eigen::VectorXd new_ar = ar;
    new_ar[0] = leading;
    if (!is_stationary(new_ar)) continue;
    const Eigen::VectorXd on_ridge = ridge_ma(ar, ma, new_ar);
    for (const double shift : {0.0, -offset, offset}) {
      if (shift != 0.0 && std::abs(leading) < kRidgeBendFrom) continue;
      SarimaxParams moved = at;
      ar_of(moved) = new_ar;
      Eigen::VectorXd new_ma = on_ridge;
      new_ma[0] += shift;
      double factor = 1.0;
      ma_of(moved) = reflect_to_invertible(new_ma, factor);
      moved.sigma2 *= factor;
      out.push_back(std::move(moved));
    }
  }
}

}  // namespace

std::vector<SarimaxParams> ridge_starts(const SarimaxParams& at, double offset) {
  std::vector<SarimaxParams> out;
  walk_ridge(
      at, offset, [](auto& p) -> auto& { return p.ar; }, [](auto& p) -> auto& { return p.ma; },
      out);
  walk_ridge(
      at, offset, [](auto& p) -> auto& { return p.sar; }, [](auto& p) -> auto& { return p.sma; },
      out);
  return out;
}

}  // namespace arabica
