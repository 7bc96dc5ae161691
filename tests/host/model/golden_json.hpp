// Reading golden JSON files of the SARIMAX tests (statsmodels parity and the
// outside reference set): model specs, vectors and the parity metrics.
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "arabica/sarimax.hpp"

namespace arabica::golden {

using nlohmann::json;

inline Eigen::VectorXd to_vector(const json& values) {
  const std::vector<double> v = values.get<std::vector<double>>();
  return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

/// Columns given as a list of equal-length lists (the reference set's
/// "exog"), as a rows x columns matrix.
inline Eigen::MatrixXd to_columns(const json& columns, Eigen::Index rows) {
  Eigen::MatrixXd out(rows, static_cast<Eigen::Index>(columns.size()));
  for (std::size_t j = 0; j < columns.size(); ++j)
    out.col(static_cast<Eigen::Index>(j)) = to_vector(columns[j]);
  return out;
}

inline double relative_error(double actual, double expected) {
  return std::abs(actual - expected) / std::abs(expected);
}

/// The parity metric for parameters: absolute for |expected| < 1, else relative.
inline double param_error(double actual, double expected) {
  return std::abs(actual - expected) / std::max(1.0, std::abs(expected));
}

inline double max_param_error(const Eigen::VectorXd& actual, const Eigen::VectorXd& expected) {
  double worst = 0.0;
  for (Eigen::Index i = 0; i < expected.size(); ++i)
    worst = std::max(worst, param_error(actual[i], expected[i]));
  return worst;
}

/// {"order", "seasonal_order", "trend", "enforce_*", optional "init" and
/// "simple_differencing"} as a SarimaxSpec.
inline SarimaxSpec spec_from(const json& spec) {
  const std::vector<int> order = spec.at("order").get<std::vector<int>>();
  const std::vector<int> seasonal = spec.at("seasonal_order").get<std::vector<int>>();
  SarimaxSpec s;
  s.p = order.at(0), s.d = order.at(1), s.q = order.at(2);
  s.P = seasonal.at(0), s.D = seasonal.at(1), s.Q = seasonal.at(2), s.s = seasonal.at(3);
  s.trend = parse_trend(spec.at("trend").get<std::string>());
  s.enforce_stationarity = spec.at("enforce_stationarity").get<bool>();
  s.enforce_invertibility = spec.at("enforce_invertibility").get<bool>();
  s.initialization = parse_initialization(spec.value("init", "approximate"));
  s.simple_differencing = spec.value("simple_differencing", false);
  return s;
}

/// A gtest parameter name from a case name (letters, digits and '_').
inline std::string test_name(std::string name, std::size_t index) {
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name.empty() ? "case" + std::to_string(index) : name;
}

}  // namespace arabica::golden
