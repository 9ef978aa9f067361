"""Starting TensorFlow without its start-up chatter, for the command and the network process."""

from __future__ import annotations

import functools
import logging
import os

# TensorFlow's C++ start-up lines are not for users; they can set the variable themselves.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@functools.cache  # once per process: every network's loader asks (five fold networks, each fit's folds)
def start_tensorflow_quietly() -> None:
    """Import TensorFlow with its C++ start-up lines (CUDA probing, oneDNN notices) silenced.

    Those lines bypass TF_CPP_MIN_LOG_LEVEL and Python's logging, so file descriptor 2
    is pointed at /dev/null while TensorFlow starts; Python errors still surface after.
    Its Python warnings (retracing notices when each fold's network first predicts)
    are not for users either.
    """
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import keras

        keras.ops.convert_to_numpy(keras.ops.ones(1))  # device discovery happens at the first op
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
