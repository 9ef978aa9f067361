"""The package's version, in a module of its own so that anything may import it without importing the package."""

# Saved in every model (config.json's lstm_spooky_version); raised with each release (CHANGELOG.md).
__version__ = "0.3.0"
