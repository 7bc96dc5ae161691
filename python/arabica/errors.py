"""What the package raises and warns: the engine's errors (InputError and
ContractError are ValueErrors, NumericalError an ArithmeticError, with the
CLI's one-line messages) and ArabicaWarning."""
from ._core import ContractError, InputError, NumericalError


class ArabicaWarning(UserWarning):
    """What the engine reports and goes on: data cleaned, a series not run,
    a fold whose fit failed, covariates that leak."""


__all__ = ["ArabicaWarning", "ContractError", "InputError", "NumericalError"]
