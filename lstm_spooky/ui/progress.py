"""Progress views of a fit (ensemble/plan.py's RunProgress): plain lines, or a live bar on a terminal.

The bar is drawn with rich, which Keras already requires: no new install, it draws above
its own log lines and knows when standard error is no terminal (Keras' Progbar would import
TensorFlow for n-gram-only fits, and tqdm would be one more dependency).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from ..ensemble.plan import Status, minutes


class PlainLines:
    """The view for a file, a pipe or CI: lines through `log` (none without), which carry the estimate themselves."""

    def __init__(self, log: Callable[[str], None] | None):
        self.log = log or (lambda line: None)

    def print(self, line: str) -> None:
        self.log(line)

    def update(self, status: Status) -> None:
        pass

    def __enter__(self) -> PlainLines:
        return self

    def __exit__(self, *exc) -> None:
        pass


class LiveBar:
    """A live progress bar on standard error (rich), with log lines printed above it.

    Use as a context manager; `print` is the `log` and `update` the `status` of a RunProgress.
    The time left counts down between updates.
    """

    def __init__(self):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn
        from rich.text import Text

        class TimeLeft(ProgressColumn):
            def render(self, task) -> Text:
                status = task.fields.get("status")
                if status is None:
                    return Text("")
                return Text(f"~{minutes(max(status.seconds_left - (time.perf_counter() - status.at), 0.0))} left")

        self.console = Console(stderr=True)
        self.bar = Progress(
            TextColumn("{task.description:<32}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            TimeLeft(),
            console=self.console,
        )
        self.task = self.bar.add_task("starting", total=1.0)

    @staticmethod
    def wanted() -> bool:
        """Whether standard error is a terminal that can redraw a line: not a file, a pipe, CI
        (`$CI`, which most CI services set) or TERM=dumb; rich's TTY_COMPATIBLE=1 forces it."""
        from rich.console import Console

        console = Console(stderr=True)
        return console.is_terminal and not console.is_dumb_terminal and not os.environ.get("CI")

    def print(self, line: str) -> None:
        self.console.print(line, markup=False, highlight=False)

    def update(self, status: Status) -> None:
        self.bar.update(self.task, completed=status.done, description=status.description, status=status)

    def __enter__(self) -> LiveBar:
        self.bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self.bar.stop()
