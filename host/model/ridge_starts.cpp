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

bool RidgeStep::bends() const { return std::abs(leading) >= kRidgeBendFrom; }

namespace {

Eigen::VectorXd& ar_of(SarimaxParams& p, bool seasonal) { return seasonal ? p.sar : p.ar; }
Eigen::VectorXd& ma_of(SarimaxParams& p, bool seasonal) { return seasonal ? p.sma : p.ma; }

}  // namespace

std::vector<RidgeStep> ridge_steps(const SarimaxParams& at) {
  std::vector<RidgeStep> out;
  for (const bool seasonal : {false, true}) {
    SarimaxParams moved = at;
    Eigen::VectorXd& ar = ar_of(moved, seasonal);
    if (ar.size() == 0 || ma_of(moved, seasonal).size() == 0) continue;
    for (const double leading : kRidgeGrid) {
      ar[0] = leading;
      if (is_stationary(ar)) out.push_back({seasonal, leading});
    }
  }
  return out;
}

SarimaxParams ridge_point(const SarimaxParams& at, const RidgeStep& step, double shift) {
  SarimaxParams moved = at;
  Eigen::VectorXd& ar = ar_of(moved, step.seasonal);
  Eigen::VectorXd& ma = ma_of(moved, step.seasonal);
  const Eigen::VectorXd old_ar = ar;
  ar[0] = step.leading;
  Eigen::VectorXd new_ma = ridge_ma(old_ar, ma, ar);
  new_ma[0] += shift;
  double factor = 1.0;
  ma = reflect_to_invertible(new_ma, factor);
  moved.sigma2 *= factor;
  return moved;
}

}  // namespace arabica
