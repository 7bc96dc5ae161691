// SARIMAX(p,d,q)(P,D,Q,s) with exogenous regressors: specification, exact
// maximum-likelihood fit and forecasts. Conventions follow statsmodels'
// SARIMAX defaults (simple_differencing=False, mle_regression=True,
// approximate diffuse initialisation, hamilton_representation=False) so that
// fits are directly comparable with the Python reference.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

namespace arabica {

enum class Trend { none, c, t, ct };

// Model size limits, checked before any work: the filter costs O(states^3)
// per period until it is steady (and the stationary prior O(states^6)), so
// larger models would run for hours.
inline constexpr int kMaxArmaOrder = 20;          // p, q
inline constexpr int kMaxSeasonalArmaOrder = 4;   // P, Q
inline constexpr int kMaxDifferences = 2;         // d, D
inline constexpr int kMaxSeasonalPeriod = 366;    // s
inline constexpr int kMaxStates = 64;             // d + s*D + max(p + s*P, q + s*Q + 1)

Trend parse_trend(const std::string& text);  // "n"/"none", "c", "t", "ct"
std::string to_string(Trend trend);

/// Prior of the states the data cannot pin down. approximate_diffuse is
/// statsmodels' default: variance 1e6 in the data's units for the
/// differencing states, and for the ARMA states unless enforce_stationarity
/// gives them their stationary law; the first such periods are left out of
/// the likelihood. exact_diffuse is free of the data's scale: the
/// differencing states are exactly diffuse (Durbin-Koopman exact initial
/// Kalman filter; statsmodels' use_exact_diffuse=True) and the ARMA block
/// always takes its stationary law, as in R's and Stata's arima (a diffuse
/// prior on AR states has an unbounded likelihood), so AR parts must be
/// stationary.
enum class Initialization { approximate_diffuse, exact_diffuse };
Initialization parse_initialization(const std::string& text);  // "approximate", "exact-diffuse"
std::string to_string(Initialization initialization);

/// How standard errors are computed, by statsmodels' cov_type names:
///  opg            inverse outer product of the per-period scores (statsmodels'
///                 and Stata's default);
///  approx         inverse of the negative numerical Hessian of the
///                 log-likelihood (observed information);
///  robust_approx  the sandwich H^-1 (S'S) H^-1 of the two: quasi-ML errors that
///                 stay valid when the innovations are not Gaussian (fat-tailed
///                 returns, volatility clusters);
///  none           no standard errors (backfills, where they are not stored).
enum class CovarianceType { opg, approx, robust_approx, none };
CovarianceType parse_covariance_type(const std::string& text);
std::string to_string(CovarianceType cov_type);

struct SarimaxSpec {
  int p = 1, d = 1, q = 1;
  int P = 0, D = 0, Q = 0, s = 0;
  Trend trend = Trend::none;
  bool enforce_stationarity = false;
  bool enforce_invertibility = false;
  Initialization initialization = Initialization::approximate_diffuse;
  /// The likelihood of the differenced series (Stata's and R's arima): the
  /// differencing states take the exact diffuse prior and the periods it
  /// covers are left out of the likelihood. With enforce_stationarity this is
  /// statsmodels' simple_differencing=True; the model still forecasts levels.
  bool simple_differencing = false;

  /// Parses "p,d,q" (order) and "P,D,Q,s" (seasonal); throws InputError.
  static SarimaxSpec from_strings(const std::string& order, const std::string& seasonal,
                                  const std::string& trend);
  /// Throws InputError naming --order or --seasonal for negative orders, a
  /// seasonal period below 2, orders above the limits above, lags in both
  /// the seasonal and plain polynomials (statsmodels' rule) or too many states.
  void validate() const;
  /// e.g. "SARIMAX(1,1,1)(0,0,0,0) trend=n"; a non-default initialisation or
  /// simple differencing is appended (" init=exact-diffuse", " simple-differencing").
  std::string describe() const;

  /// AR parts held stationary (and the ARMA block given its stationary
  /// law): enforce_stationarity, or the exact diffuse prior, which has no
  /// likelihood for non-stationary AR parts (see Initialization).
  bool stationary_ar() const {
    return enforce_stationarity || initialization == Initialization::exact_diffuse;
  }
  int k_trend() const;         // number of trend coefficients
  int k_states_diff() const;   // d + s*D differencing states
  int k_order() const;         // max(p + s*P, q + s*Q + 1) ARMA states
  int k_states() const { return k_states_diff() + k_order(); }
  /// Number of estimated parameters for k exogenous regressors.
  int k_params(int k_exog) const { return k_trend() + k_exog + p + q + P + Q + 1; }
  /// statsmodels' parameter names, in its order: trend, exog, ar, ma,
  /// seasonal ar, seasonal ma, sigma2.
  std::vector<std::string> param_names(const std::vector<std::string>& exog_names) const;
};

/// Parameters split into their roles (constrained space).
struct SarimaxParams {
  Eigen::VectorXd trend;   // k_trend
  Eigen::VectorXd beta;    // k_exog
  Eigen::VectorXd ar;      // p, statsmodels sign: y_t = ar_1 y_{t-1} + ...
  Eigen::VectorXd ma;      // q, y_t = ... + e_t + ma_1 e_{t-1}
  Eigen::VectorXd sar;     // P
  Eigen::VectorXd sma;     // Q
  double sigma2 = 1.0;

  static SarimaxParams unpack(const SarimaxSpec& spec, int k_exog, const Eigen::VectorXd& flat);
  Eigen::VectorXd pack() const;
};

struct FitOptions {
  /// Bounds on the optimisation; a fit that reaches one is returned with
  /// converged = false and message "stopped: iteration limit N" or
  /// "stopped: time limit (S s)".
  int max_iterations = 500;
  double max_seconds = 120.0;
  /// Stop when the gradient's max-norm of the mean log-likelihood is below this.
  double gradient_tolerance = 1e-8;
  /// Stop when the relative change of the mean log-likelihood is below this.
  double function_tolerance = 1e-13;
  /// Warm start (flat constrained parameters, statsmodels order). Empty: use
  /// The covariance matrix of constrained params by cov_type (statsmodels'
/// cov_params()): sarimax_standard_errors are the roots of its diagonal.
Eigen::MatrixXd sarimax_parameter_covariance(const SarimaxSpec& spec, const Eigen::VectorXd& y,
                                             const Eigen::MatrixXd& exog, const Eigen::VectorXd& params,
                                             CovarianceType cov_type,
                                             std::vector<std::string>* warnings = nullptr);

/// statsmodels-style start parameters.
  Eigen::VectorXd start_params;
  /// Standard errors to compute (none: skip them, as backfills do).
  CovarianceType cov_type = CovarianceType::opg;
};

/// Kalman filter end state: predicted mean/covariance for the period after
/// the last observation. Everything a forecast or a path simulation needs.
struct FilterEndState {
  Eigen::VectorXd state;                // a_{n+1|n}
  Eigen::MatrixXd covariance;           // P_{n+1|n}
  Eigen::VectorXd filtered_state;       // a_{n|n}
  Eigen::MatrixXd filtered_covariance;  // P_{n|n}
};

struct SarimaxFit {
  SarimaxSpec spec;
  std::vector<std::string> param_names;
  Eigen::VectorXd params;          // constrained, statsmodels order
  Eigen::VectorXd standard_errors; // by cov_type (NaN with a warning where not available)
  /// The parameters' covariance matrix by cov_type (standard_errors is the
  /// root of its diagonal); empty for cov_type none, NaN where not available.
  Eigen::MatrixXd covariance;
  CovarianceType cov_type = CovarianceType::opg;
  double llf = 0.0;
  double aic = 0.0, bic = 0.0, hqic = 0.0;
  int nobs = 0;                    // observations in the fit
  int loglikelihood_burn = 0;      // leading periods left out of llf
  /// Leading periods whose residuals are not innovations of the fitted
  /// model: the burn-in, or the exact diffuse periods (which stay in the
  /// likelihood through log F_inf).
  int initialisation_periods = 0;
  Eigen::VectorXd residuals;       // one-step forecast errors (statsmodels' resid)
  bool converged = false;
  int iterations = 0;
  std::string message;             // optimiser's stop reason
  std::vector<std::string> warnings;  // e.g. standard errors that could not be computed
  FilterEndState end_state;
  int k_exog = 0;

  /// The residuals after initialisation_periods: the sample the innovation
  /// families and the bootstrap are estimated from.
  Eigen::VectorXd innovation_residuals() const {
    return residuals.tail(residuals.size() - initialisation_periods);
  }
};

/// Exact Gaussian log-likelihood of y given constrained params (statsmodels'
/// loglike): the building block for parity checks and the optimiser.
double sarimax_loglike(const SarimaxSpec& spec, const Eigen::VectorXd& y,
                       const Eigen::MatrixXd& exog, const Eigen::VectorXd& params);

/// Standard errors of constrained params (statsmodels order) by cov_type,
/// as a fit reports them (with its warnings, when `warnings` is given).
/// Throws NumericalError where the information matrix is singular or the
/// likelihood is not finite beside params.
Eigen::VectorXd sarimax_standard_errors(const SarimaxSpec& spec, const Eigen::VectorXd& y,
                                        const Eigen::MatrixXd& exog, const Eigen::VectorXd& params,
                                        CovarianceType cov_type,
                                        std::vector<std::string>* warnings = nullptr);

/// The covariance matrix of constrained params by cov_type (statsmodels'
/// cov_params()): sarimax_standard_errors are the roots of its diagonal.
Eigen::MatrixXd sarimax_parameter_covariance(const SarimaxSpec& spec, const Eigen::VectorXd& y,
                                             const Eigen::MatrixXd& exog, const Eigen::VectorXd& params,
                                             CovarianceType cov_type,
                                             std::vector<std::string>* warnings = nullptr);

/// statsmodels-style start parameters (OLS for exog, conditional sum of
/// squares / Hannan-Rissanen for ARMA and trend).
Eigen::VectorXd sarimax_start_params(const SarimaxSpec& spec, const Eigen::VectorXd& y,
                                     const Eigen::MatrixXd& exog);

/// Maximum-likelihood fit. exog has y.size() rows (0 columns for none).
/// Throws InputError for collinear exog / too few rows, NumericalError when
/// the likelihood cannot be evaluated.
SarimaxFit fit_sarimax(const SarimaxSpec& spec, const Eigen::VectorXd& y,
                       const Eigen::MatrixXd& exog, const FitOptions& options = {},
                       const std::vector<std::string>& exog_names = {});

/// Re-filters new data with fixed parameters (no estimation): llf, residuals
/// and end state for `y`. Used between refits in walk-forward backtests.
SarimaxFit refilter_sarimax(const SarimaxFit& fitted, const Eigen::VectorXd& y,
                            const Eigen::MatrixXd& exog);

struct Forecast {
  Eigen::VectorXd mean;       // h
  Eigen::VectorXd std_error;  // h
  Eigen::VectorXd lower_95, upper_95;
  /// h, or empty where it equals the mean (a Gaussian forecast): a model of
  /// log prices has exp(mu) here and the lognormal mean in `mean`.
  Eigen::VectorXd median;
};

/// h-step forecast from the fit's end state. future_exog: h rows x k_exog.
Forecast forecast_sarimax(const SarimaxFit& fitted, const Eigen::MatrixXd& future_exog,
                          int horizon);

}  // namespace arabica
