// Mean and standard deviation of each family's raw variable, in double: the
// one place the standardising constants are derived, shared by the
// constructors (which round them into InnovationParams) and the densities.
#pragma once

#include "arabica/innovations.hpp"

namespace arabica::detail {

struct Standardization {
  double mean = 0.0;
  double sd = 1.0;
};

/// Moments of the textbook variable of each family: N(0,1); t_nu; Azzalini's
/// SN(alpha) and ST(alpha, nu) with location 0 and scale 1; the mixture;
/// NIG(alpha, beta, delta = 1, mu = 0); Z + the compound Poisson jump sum.
/// Bootstrap residuals are standardised by the caller: {0, 1}.
Standardization standardization(const InnovationParams& params);

}  // namespace arabica::detail
