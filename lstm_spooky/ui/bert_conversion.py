"""`convert-bert`'s work: a Hugging Face BERT folder made loadable by KerasHub, then loaded once to
prove it; a conversion that does not load is removed."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import click

from .errors import reported


def convert_checkpoint(source: Path, destination: Path, lowercase: bool | None) -> str:
    """Convert `source` into the new folder `destination`; the line saying what was converted and loaded."""
    from ..models.convert_bert import convert_bert_checkpoint

    if importlib.util.find_spec("keras_hub") is None:
        raise click.ClickException("converting BERT checkpoints needs the bert extra: pip install 'lstm-spooky[bert]'")
    if destination.exists() and any(destination.iterdir()):
        raise click.ClickException(f"{destination} exists and is not empty; choose a new folder")
    with reported(ValueError):
        summary = convert_bert_checkpoint(source, destination, lowercase)
    from ..models.tensorflow_start import start_tensorflow_quietly

    start_tensorflow_quietly()
    from ..models.tinybert import check_preset

    try:
        parameters = check_preset(str(destination))
    except ValueError as error:
        shutil.rmtree(destination)
        raise click.ClickException(f"{error}; removed {destination}") from None
    return (
        f"converted {summary['tensors']} tensors from {source / summary['weights']} "
        f"({'lowercasing' if summary['lowercase'] else 'cased'} tokenizer); KerasHub loads the "
        f"{parameters:,}-parameter backbone from {destination}"
    )
