// Exogenous regressors: identifiability checks before a fit, and the
// policies that supply covariates for the forecast horizon.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

#include "arabica/sarimax.hpp"
#include "arabica/series.hpp"

namespace arabica {

/// Throws InputError naming the file and the offending column when the
/// target does not vary after the model's differencing, or the regressors
/// (after the differencing, with the trend terms) are collinear or constant,
/// so that the model is not identified. Run before any work.
void require_identifiable_model(const Series& series, const SarimaxSpec& spec);
/// The target check alone; errors name `where` and `target_name` (may be empty).
void require_varying_target(const std::string& where, const std::string& target_name,
                            const SarimaxSpec& spec, const Eigen::VectorXd& y);
/// The regressor check on a bare matrix; errors name `where` (a file or "exog").
void require_identifiable_regressors(const std::string& where, const SarimaxSpec& spec,
                                     const Eigen::MatrixXd& exog,
                                     const std::vector<std::string>& exog_names);

enum class FutureExogPolicy {
  repeat_last,  // the last h observed rows, in order (legacy behaviour)
  hold_last,    // the last observed row repeated h times
  supplied,     // rows given by the caller (e.g. a scenario or realised values)
};

/// Parses "repeat-last" / "hold-last"; anything else is taken as a CSV path
/// (policy `supplied`) by the CLI.
FutureExogPolicy parse_future_exog_policy(const std::string& text);

/// The rows of `supplied` (covariates read from a file) dated `dates`, in
/// that order; other rows are ignored. Throws InputError naming the file
/// and the first date it lacks, so a file for another period is refused
/// instead of being taken row by row.
Eigen::MatrixXd exog_on_dates(const Series& supplied, const std::vector<Date>& dates);

/// Refuses, as an InputError naming `field`, a policy that needs more
/// observed rows of covariates than `history` holds: repeat-last repeats the
/// last `horizon` rows. Callers with user data call it before future_exog,
/// whose contract it is: the command-line edges, and a backfill's folds
/// (fold_future_exog), which fail on it.
void require_future_exog_rows(const Eigen::MatrixXd& history, FutureExogPolicy policy, int horizon,
                              const std::string& field);

/// Covariates for the next `horizon` periods after `history`'s last row.
/// `supplied` must hold at least `horizon` rows when policy is supplied.
Eigen::MatrixXd future_exog(const Eigen::MatrixXd& history, FutureExogPolicy policy,
                            int horizon, const Eigen::MatrixXd& supplied = {});

}  // namespace arabica
