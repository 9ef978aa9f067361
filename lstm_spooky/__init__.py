"""lstm-spooky: who wrote this sentence, Poe, Lovecraft or Shelley? A small BiLSTM that says how sure it is."""

from .config import SpookyConfig
from .data import AUTHORS, DataError, read_test, read_train

__version__ = "0.1.0"
__all__ = ["AUTHORS", "DataError", "NotFittedError", "SpookyClassifier", "SpookyConfig", "read_test", "read_train"]


def __getattr__(name: str):
    # The classifier imports TensorFlow (seconds); load it only when asked for, so
    # `lstm-spooky --help` and the data helpers stay instant.
    if name in ("SpookyClassifier", "NotFittedError"):
        from . import classifier

        return getattr(classifier, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
