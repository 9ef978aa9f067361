"""lstm-spooky: who wrote this sentence, Poe, Lovecraft or Shelley? A small BiLSTM that says how sure it is."""

from ._version import __version__
from .config import SpookyConfig
from .data.corpus import read_test, read_train
from .data.errors import DataError
from .data.labels import AUTHORS

__all__ = [
    "__version__",
    "AUTHORS",
    "DataError",
    "NotFittedError",
    "SpookyClassifier",
    "SpookyConfig",
    "read_test",
    "read_train",
]


def __getattr__(name: str):
    # The classifier imports scikit-learn and pandas (a second); load it only when asked for, so
    # `lstm-spooky --help` and the data helpers stay instant.
    if name == "SpookyClassifier":
        from .ensemble.classifier import SpookyClassifier

        return SpookyClassifier
    if name == "NotFittedError":  # scikit-learn's, raised by every model here
        from sklearn.exceptions import NotFittedError

        return NotFittedError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
