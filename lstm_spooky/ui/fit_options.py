"""fit's settings from its options: the --config file (else the defaults), then the options given,
then each --set, then --bert-preset; a mistake is named after the option or file that made it.

Values that no click type has checked (a --config file's, a --set's) are checked as they come in
(`_checked`: the fields' types, and registered model names), so that an error names their source.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..config import SpookyConfig
from ..models import registry
from .errors import reported


class ModelsOption(click.Option):
    """`--models`, whose help lists the registry's models as they are when it is shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        models = "; ".join(f"{entry.name} ({entry.summary})" for entry in registry.MODELS.values())
        default, corpus = ",".join(SpookyConfig().models), ",".join(SpookyConfig.for_corpus().models)
        self.help = (
            f"Comma-separated base models to train; several are stacked. {models}.  "
            f"[default: {default}; for a CORPUS_DIR: {corpus}]"
        )
        return super().get_help_record(ctx)


def complete_models(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of the model name being typed after any already given: "nblr,l" -> "nblr,lm"."""
    given, _, last = incomplete.rpartition(",")
    prefix = f"{given}," if given else ""
    return [prefix + name for name in registry.MODELS if name.startswith(last)]


def bert_models() -> list[str]:
    """The registered models whose settings are `SpookyConfig.bert`, the ones --bert-preset applies to."""
    return [name for name, entry in registry.MODELS.items() if entry.settings_field == "bert"]


def fit_config(
    config_path: Path | None,
    models: str | None,
    settings: tuple[str, ...],
    bert_preset: str | None,
    corpus: bool = False,
    **options,
) -> SpookyConfig:
    """fit's settings: the defaults (a `corpus` folder's its own), then the --config file's, then --models and the
    `options` given (None: not given), then each --set, then --bert-preset."""
    options["models"] = parse_models(models)
    config = _read_config(config_path, SpookyConfig.for_corpus() if corpus else SpookyConfig())
    config = config.replace(**{name: value for name, value in options.items() if value is not None})
    if settings:
        config = _with_settings(config, settings)
    if bert_preset is not None:
        config = _with_bert_preset(config, bert_preset)
    return config


def parse_models(models: str | None) -> tuple[str, ...] | None:
    """--models as names, each once, in order: "nblr, lm,nblr" -> ("nblr", "lm"); a usage error naming
    the choices for an unknown name or none."""
    if models is None:
        return None
    names = tuple(dict.fromkeys(m.strip() for m in models.split(",") if m.strip()))
    try:
        registry.check_names(names)
    except ValueError:
        raise click.BadParameter(
            f"{models!r}: choose from {', '.join(registry.MODELS)}", param_hint="--models"
        ) from None
    return names


def _read_config(path: Path | None, defaults: SpookyConfig) -> SpookyConfig:
    """The --config file's settings over `defaults` (a corpus folder's, or SpookyConfig's own)."""
    if path is None:
        return defaults
    with reported(ValueError, TypeError, message=lambda error: f"{path}: not a valid config ({error})"):
        values = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(values, dict):
            raise ValueError('expected a JSON object such as {"folds": 5}')
        read = _checked(SpookyConfig.from_dict(values))
        return defaults.replace(**{name: getattr(read, name) for name in values})


def _with_settings(config: SpookyConfig, settings: tuple[str, ...]) -> SpookyConfig:
    """`config` with each FIELD=VALUE of --set (VALUE read as JSON, else as text), checked as a --config file is."""
    values = {}
    for setting in settings:
        field, equals, text = setting.partition("=")
        if not equals or not field.strip():
            raise click.BadParameter(f"{setting!r}: expected FIELD=VALUE, e.g. folds=3", param_hint="--set")
        try:
            values[field.strip()] = json.loads(text)
        except json.JSONDecodeError:
            values[field.strip()] = text
    try:
        return _checked(config.with_values(values))
    except (ValueError, TypeError) as error:
        raise click.BadParameter(str(error), param_hint="--set") from None


def _with_bert_preset(config: SpookyConfig, preset: str) -> SpookyConfig:
    """`config` with the BERT models' preset; a usage error when it trains none of them."""
    names = bert_models()
    if not set(names) & set(config.models):
        raise click.UsageError(
            f"--bert-preset only applies to the {' or '.join(names)} model; add it with --models ...,{names[0]}"
        )
    return config.replace(bert=config.bert.replace(preset=preset))


def _checked(config: SpookyConfig) -> SpookyConfig:
    """`config`, once each value has its field's type and every model named is registered; ValueError otherwise."""
    from ..config_check import check_config

    check_config(config)
    registry.check_names(config.models)
    return config
