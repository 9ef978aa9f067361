"""One progress view for a whole fit: which model and fold runs, and the time left for the entire run.

A fit is a plan of tasks known before it starts: every base model on every fold, and each
n-gram model once more on all rows. A task's expected cost is its training rows times its
model's seconds per row: at first the costs measured below, then, as tasks finish, the
model's own measured cost per row, and for models not started yet the prior scaled by how
much faster or slower this machine ran the finished tasks (before any has finished, the
running network's share of its fold done, from its epochs, gives that speed). So the
whole run has an estimate from its first second on, and it improves with every fold.

The view is either plain lines (`log`: each line ends with the share done and the time
left) or a live bar on a terminal (`LiveBar`, drawn with rich, which Keras already
requires: no new install, it draws above its own log lines and knows when stderr is no
terminal; Keras' Progbar would import TensorFlow for n-gram-only fits, and tqdm would be
one more dependency).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

# Seconds of fit per training row on one fold, on 2 CPU cores: README's benchmark of the
# default model (fit seconds over all rows its folds and refit trained on, 80/20 split).
# Only the first guess; each model's own measured cost replaces it as its folds finish.
SECONDS_PER_ROW = {
    "bilstm": 2.6e-3,  # the BiLSTM with NB ratios and width batches: 170 s for 5 folds of 13,297 rows
    "nblr": 1.0e-3,
    "lm": 1.3e-3,
    "mnb_words": 3e-5,
    "mnb_chars": 3.8e-4,
    "svm_words": 9e-5,
    "svm_words_binary": 9e-5,
    "svm_chars": 4.4e-4,
    "tinybert": 7.5e-2,  # all-MiniLM-L6, README's backend comparison
}
ALL_ROWS_TASK = "all rows"
MIN_FRACTION = 0.05  # a network's first batches include tracing: too early to extrapolate from


@dataclass(frozen=True)
class Task:
    """One model fitted once: on a fold (`member` "fold 2/5") or on all rows."""

    model: str
    member: str
    rows: int


@dataclass(frozen=True)
class Status:
    """What a view shows: the running task, the share of the whole run done, and the seconds left, as of `at`."""

    description: str
    done: float
    seconds_left: float
    at: float


class RunProgress:
    """The plan of a fit, the tasks finished and the one running, and the time left for all of it."""

    def __init__(
        self,
        tasks: list[Task],
        log: Callable[[str], None] | None = None,
        status: Callable[[Status], None] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ):
        self.tasks, self.clock = tasks, clock
        self._log, self._status = log or (lambda line: None), status or (lambda status: None)
        self.measured: dict[int, float] = {}  # task index -> seconds it took
        self.skipped: set[int] = set()  # finished by an earlier run (--resume): no cost, no measure
        self.current: int | None = None
        self.fraction: float | None = None  # share of the running task done, when its model says
        self.detail = ""
        self.begun = self.started = clock()

    def start(self, model: str, member: str) -> None:
        self.current = next(i for i, t in enumerate(self.tasks) if (t.model, t.member) == (model, member))
        self.started, self.fraction, self.detail = self.clock(), None, ""
        self._emit()

    def advance(self, fraction: float, detail: str = "") -> None:
        """The running task is `fraction` done (0..1); `detail` says where (e.g. the epoch)."""
        self.fraction, self.detail = min(max(fraction, 0.0), 1.0), detail
        self._emit()

    def finish(self, measured: bool = True) -> None:
        """The running task is done; `measured=False` when it was loaded, not trained."""
        if measured:
            self.measured[self.current] = self.clock() - self.started
        else:
            self.skipped.add(self.current)
        self.current = None
        self._emit()

    def line(self, text: str) -> None:
        """Log `text` with the whole run's share done and time left."""
        status = self.status()
        self._log(f"{text}  [{status.done:.0%} done, ~{minutes(status.seconds_left)} left]")

    def status(self) -> Status:
        now = self.clock()
        left = self.seconds_left()
        elapsed = now - self.begun
        description = " ".join(part for part in self._where() if part)
        return Status(description, elapsed / (elapsed + left) if elapsed + left > 0 else 1.0, left, now)

    def seconds_left(self) -> float:
        """Expected seconds until every task is done."""
        waiting = [i for i in range(len(self.tasks)) if i not in self.measured and i not in self.skipped and i != self.current]
        return sum(self.expected_seconds(i) for i in waiting) + self._running_left()

    def expected_seconds(self, index: int) -> float:
        """The expected cost of task `index`: its model's measured cost per row, else the prior at this machine's speed."""
        task = self.tasks[index]
        own = [i for i in self.measured if self.tasks[i].model == task.model]
        if own:
            return task.rows * sum(self.measured[i] for i in own) / sum(self.tasks[i].rows for i in own)
        return self._prior(index) * self._speed()

    def _running_left(self) -> float:
        if self.current is None:
            return 0.0
        elapsed = self.clock() - self.started
        if self.fraction is not None and self.fraction >= MIN_FRACTION:
            return elapsed * (1 - self.fraction) / self.fraction
        return max(self.expected_seconds(self.current) - elapsed, 0.0)

    def _speed(self) -> float:
        """Measured seconds over prior seconds: above 1 on a machine slower than the priors'."""
        if self.measured:
            return sum(self.measured.values()) / sum(self._prior(i) for i in self.measured)
        if self.current is not None and self.fraction is not None and self.fraction >= MIN_FRACTION:
            return (self.clock() - self.started) / self.fraction / self._prior(self.current)
        return 1.0

    def _prior(self, index: int) -> float:
        task = self.tasks[index]
        return task.rows * SECONDS_PER_ROW.get(task.model, max(SECONDS_PER_ROW.values()))

    def _where(self) -> tuple[str, ...]:
        if self.current is None:
            return ("stacking",) if len(self.measured) + len(self.skipped) == len(self.tasks) else ()
        task = self.tasks[self.current]
        return task.model, task.member, self.detail

    def _emit(self) -> None:
        self._status(self.status())


def minutes(seconds: float) -> str:
    """'7m05s' for 425 seconds."""
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


class PlainLines:
    """The view for a file, a pipe or CI: lines through `log` (none without), which carry the estimate themselves."""

    def __init__(self, log: Callable[[str], None] | None):
        self.log = log or (lambda line: None)

    def print(self, line: str) -> None:
        self.log(line)

    def update(self, status: Status) -> None:
        pass

    def __enter__(self) -> "PlainLines":
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
            TextColumn("{task.description:<32}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(), TimeLeft(), console=self.console,
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

    def __enter__(self) -> "LiveBar":
        self.bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self.bar.stop()
