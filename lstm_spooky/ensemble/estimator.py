"""scikit-learn's parameter protocol over a frozen SpookyConfig, for SpookyClassifier.

scikit-learn reads an estimator's parameters from its `__init__` (`config`, `random_state`); a
grid search also sets nested ones, `config__folds`, which it expects to change in place. The
config is a frozen dataclass, so setting one builds a new config with that value instead.
"""

from __future__ import annotations

from sklearn.utils import check_random_state

from ..config import SpookyConfig


class ConfigParams:
    """get_params/set_params that reach every setting of `self.config`, and the settings a fit uses."""

    def get_params(self, deep: bool = True) -> dict:
        """The parameters; with `deep`, every setting of the config too, as `config__<field>`
        (a nested one as `config__lm__seed`)."""
        params = super().get_params(deep=False)
        config = self._config()
        if deep and isinstance(config, SpookyConfig):  # anything else is refused by fit, not here
            params |= {f"config__{key}": value for key, value in config.flat_items("__")}
        return params

    def set_params(self, **params) -> ConfigParams:
        """Set parameters; `config__<field>=value` replaces one setting of the (frozen) config."""
        settings = {key.removeprefix("config__"): params.pop(key) for key in list(params) if key.startswith("config__")}
        super().set_params(**params)
        if settings:
            self.config = self._config().with_values(settings, separator="__")
        return self

    def _config(self) -> SpookyConfig:
        return self.config if self.config is not None else SpookyConfig()

    def _settings(self) -> SpookyConfig:
        """The config, its seed replaced by `random_state` when one is given."""
        if not isinstance(self._config(), SpookyConfig):
            raise TypeError(f"config must be a SpookyConfig or None, got {self.config!r}")
        if self.random_state is None:
            return self._config()
        state = self.random_state
        seed = state if isinstance(state, int) else int(check_random_state(state).randint(2**31))
        return self._config().replace(seed=seed)
