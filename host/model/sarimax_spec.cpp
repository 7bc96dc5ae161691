#include <algorithm>
#include <sstream>

#include "arabica/error.hpp"
#include "arabica/sarimax.hpp"

namespace arabica {

Trend parse_trend(const std::string& text) {
  if (text == "n" || text == "none" || text.empty()) return Trend::none;
  if (text == "c") return Trend::c;
  if (text == "t") return Trend::t;
  if (text == "ct") return Trend::ct;
  throw InputError("--trend", "unknown trend '" + text + "' (expected n, c, t or ct)");
}

std::string to_string(Trend trend) {
  switch (trend) {
    case Trend::none: return "n";
    case Trend::c: return "c";
    case Trend::t: return "t";
    case Trend::ct: return "ct";
  }
  return "n";
}

Initialization parse_initialization(const std::string& text) {
  if (text == "approximate" || text == "approximate-diffuse") return Initialization::approximate_diffuse;
  if (text == "exact-diffuse" || text == "exact") return Initialization::exact_diffuse;
  throw InputError("--init", "unknown initialisation '" + text +
                                 "' (expected approximate or exact-diffuse)");
}

std::string to_string(Initialization initialization) {
  return initialization == Initialization::exact_diffuse ? "exact-diffuse" : "approximate";
}

namespace {
std::vector<int> parse_int_list(const std::string& what, const std::string& text,
                                std::size_t expected) {
  std::vector<int> values;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    std::size_t used = 0;
    int value = -1;
    try {
      value = std::stoi(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || value < 0)
      throw InputError(what, "'" + text + "' is not a list of " + std::to_string(expected) +
                                 " non-negative integers");
    values.push_back(value);
  }
  if (values.size() != expected)
    throw InputError(what, "'" + text + "' has " + std::to_string(values.size()) +
                               " values, expected " + std::to_string(expected));
  return values;
}
}  // namespace

SarimaxSpec SarimaxSpec::from_strings(const std::string& order, const std::string& seasonal,
                                      const std::string& trend) {
  SarimaxSpec spec;
  const auto o = parse_int_list("--order", order, 3);
  spec.p = o[0], spec.d = o[1], spec.q = o[2];
  const auto so = parse_int_list("--seasonal", seasonal.empty() ? "0,0,0,0" : seasonal, 4);
  spec.P = so[0], spec.D = so[1], spec.Q = so[2], spec.s = so[3];
  spec.trend = parse_trend(trend);
  spec.validate();
  return spec;
}

namespace {
// "{4, 8}": the lags both lists hold, or "" when none.
std::string shared_lags(int order, int seasonal_order, int s) {
  std::string out;
  for (int i = 1; i <= seasonal_order; ++i)
    if (i * s <= order) out += (out.empty() ? "{" : ", ") + std::to_string(i * s);
  return out.empty() ? out : out + "}";
}

void require_at_most(const char* option, const char* what, int value, int limit) {
  if (value > limit)
    throw InputError(option, std::string(what) + " " + std::to_string(value) +
                                 " is above the supported maximum " + std::to_string(limit));
}
}  // namespace

void SarimaxSpec::validate() const {
  if (p < 0 || d < 0 || q < 0) throw InputError("--order", "orders must be non-negative");
  if (P < 0 || D < 0 || Q < 0 || s < 0)
    throw InputError("--seasonal", "orders and period must be non-negative");
  if ((P || D || Q) && s < 2) throw InputError("--seasonal", "seasonal terms need a period s >= 2");
  if (s == 1) throw InputError("--seasonal", "seasonal period must be 0 or >= 2");
  require_at_most("--order", "p", p, kMaxArmaOrder);
  require_at_most("--order", "d", d, kMaxDifferences);
  require_at_most("--order", "q", q, kMaxArmaOrder);
  require_at_most("--seasonal", "P", P, kMaxSeasonalArmaOrder);
  require_at_most("--seasonal", "D", D, kMaxDifferences);
  require_at_most("--seasonal", "Q", Q, kMaxSeasonalArmaOrder);
  require_at_most("--seasonal", "period s", s, kMaxSeasonalPeriod);
  // statsmodels' rule: one lag cannot be both a seasonal and a plain term.
  if (const std::string lags = shared_lags(p, P, s); !lags.empty())
    throw InputError("--seasonal", "autoregressive lag(s) " + lags +
                                       " are in both the seasonal and non-seasonal "
                                       "autoregressive components");
  if (const std::string lags = shared_lags(q, Q, s); !lags.empty())
    throw InputError("--seasonal", "moving average lag(s) " + lags +
                                       " are in both the seasonal and non-seasonal moving "
                                       "average components");
  if (k_states() > kMaxStates)
    throw InputError(s > 0 ? "--seasonal" : "--order",
                     describe() + " needs " + std::to_string(k_states()) +
                         " states; at most " + std::to_string(kMaxStates) + " are supported");
}

std::string SarimaxSpec::describe() const {
  std::ostringstream out;
  out << "SARIMAX(" << p << "," << d << "," << q << ")(" << P << "," << D << "," << Q << ","
      << s << ") trend=" << to_string(trend);
  // Defaults add nothing, so the descriptions (and store hashes) of
  // existing models stay as they were.
  if (initialization != Initialization::approximate_diffuse) out << " init=" << to_string(initialization);
  if (simple_differencing) out << " simple-differencing";
  return out.str();
}

int SarimaxSpec::k_trend() const {
  switch (trend) {
    case Trend::none: return 0;
    case Trend::c:
    case Trend::t: return 1;
    case Trend::ct: return 2;
  }
  return 0;
}

int SarimaxSpec::k_states_diff() const { return d + s * D; }

int SarimaxSpec::k_order() const { return std::max(p + s * P, q + s * Q + 1); }

std::vector<std::string> SarimaxSpec::param_names(
    const std::vector<std::string>& exog_names) const {
  std::vector<std::string> names;
  if (trend == Trend::c || trend == Trend::ct) names.push_back("intercept");
  if (trend == Trend::t || trend == Trend::ct) names.push_back("drift");
  names.insert(names.end(), exog_names.begin(), exog_names.end());
  for (int i = 1; i <= p; ++i) names.push_back("ar.L" + std::to_string(i));
  for (int i = 1; i <= q; ++i) names.push_back("ma.L" + std::to_string(i));
  for (int i = 1; i <= P; ++i) names.push_back("ar.S.L" + std::to_string(i * s));
  for (int i = 1; i <= Q; ++i) names.push_back("ma.S.L" + std::to_string(i * s));
  names.push_back("sigma2");
  return names;
}

SarimaxParams SarimaxParams::unpack(const SarimaxSpec& spec, int k_exog,
                                    const Eigen::VectorXd& flat) {
  ARABICA_REQUIRE(flat.size() == spec.k_params(k_exog), "parameter vector has the wrong length");
  SarimaxParams out;
  Eigen::Index at = 0;
  auto take = [&](Eigen::Index n) {
    Eigen::VectorXd part = flat.segment(at, n);
    at += n;
    return part;
  };
  out.trend = take(spec.k_trend());
  out.beta = take(k_exog);
  out.ar = take(spec.p);
  out.ma = take(spec.q);
  out.sar = take(spec.P);
  out.sma = take(spec.Q);
  out.sigma2 = flat[at];
  return out;
}

Eigen::VectorXd SarimaxParams::pack() const {
  Eigen::VectorXd flat(trend.size() + beta.size() + ar.size() + ma.size() + sar.size() +
                       sma.size() + 1);
  flat << trend, beta, ar, ma, sar, sma, sigma2;
  return flat;
}

}  // namespace arabica
