"""arabica: SARIMAX fits, Monte Carlo price paths and walk-forward backfills
from the same C++ engine as the `arabica` command line.

    import arabica
    result = arabica.fit(y, X, order=(1, 1, 1))          # statsmodels' attributes
    paths = arabica.simulate(result, h=7, n_paths=100_000)  # xarray Dataset
    cv = arabica.cross_validation(df, h=7, n_windows=50)   # statsforecast's layout
    tree = arabica.open_store("backfill.h5")              # committed folds only
"""
from ._core import __version__
from .cross_validation import cross_validation
from .errors import ArabicaWarning, ContractError, InputError, NumericalError
from .sarimax import SarimaxResults, fit
from .simulation import simulate
from .store import StoreError, read_registry, to_parquet
from .store import open_committed as open_store

__all__ = ["ArabicaWarning", "ContractError", "InputError", "NumericalError", "SarimaxResults", "StoreError", "__version__",
           "cross_validation", "fit", "open_store", "read_registry", "simulate", "to_parquet"]
