"""One progress view for a whole fit: which model and fold runs, and the time left for the entire run.

A fit is a plan of tasks known before it starts: every base model on every fold, and each
n-gram model once more on all rows. A task's expected cost is its training rows times its
model's seconds per row: at first the costs measured below, then, as tasks finish, the
model's own measured cost per row, and for models not started yet the prior scaled by how
much faster or slower this machine ran the finished tasks (before any has finished, the
running network's share of its fold done, from its epochs, gives that speed). So the
whole run has an estimate from its first second on, and it improves with every fold.

The plan reports to two callables, `log` (lines, each ending with the share done and the
time left) and `status` (a `Status` at every step); `ui/progress.py` draws them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..models import registry
from ..store.fit_steps import ALL_ROWS, FitStep, fold_step, pool_step

# The share of an unlabelled pool expected to be pseudo-labelled, for the plan's first guess of the
# pool's fits: 71-73% of the Kaggle benchmark's pool at probability 0.9 (docs/experiments.md).
EXPECTED_POOL_SHARE = 0.7
MIN_FRACTION = 0.05  # a network's first batches include tracing: too early to extrapolate from


@dataclass(frozen=True)
class Task:
    """One model fitted once: on a fold, on all rows, or with an unlabelled pool (`step`)."""

    model: str
    step: FitStep
    rows: int
    share: float = 1.0  # of its cost on the clock: 1 / the number of tasks running side by side with it


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

    def start(self, model: str, step: FitStep) -> None:
        self.current = next(i for i, t in enumerate(self.tasks) if (t.model, t.step) == (model, step))
        self.started, self.fraction, self.detail = self.clock(), None, ""
        self._emit()

    def advance(self, fraction: float, detail: str = "") -> None:
        """The running task is `fraction` done (0..1); `detail` says where (e.g. the epoch)."""
        self.fraction, self.detail = min(max(fraction, 0.0), 1.0), detail
        self._emit()

    def finish(self, measured: bool = True, seconds: float | None = None) -> None:
        """The running task is done; `measured=False` when it was loaded, not trained; `seconds`, what it took
        when it ran elsewhere (a worker process) rather than from `start` until now."""
        if measured:
            self.measured[self.current] = self.clock() - self.started if seconds is None else seconds
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
        waiting = [
            i for i in range(len(self.tasks)) if i not in self.measured and i not in self.skipped and i != self.current
        ]
        return sum(self.expected_seconds(i) * self.tasks[i].share for i in waiting) + self._running_left()

    def expected_seconds(self, index: int) -> float:
        """The expected cost of task `index`: its model's measured cost per row, else the prior at this
        machine's speed."""
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
        return task.rows * registry.entry(task.model).seconds_per_row

    def _where(self) -> tuple[str, ...]:
        if self.current is None:
            return ("stacking",) if len(self.measured) + len(self.skipped) == len(self.tasks) else ()
        task = self.tasks[self.current]
        return task.model, task.step.task, self.detail

    def _emit(self) -> None:
        self._status(self.status())


def fit_plan(
    models: Sequence[str],
    splits: list,
    n_rows: int,
    pool_models: Sequence[str] = (),
    pool_rows: int = 0,
    parts: int = 0,
    workers: int = 1,
) -> list[Task]:
    """Every model fitted once per fold, and the n-gram models once more on all rows, with their training rows;
    then each of `pool_models` once per part of an unlabelled pool of `pool_rows` sentences, and once with all of
    it, `workers` of those at a time."""
    tasks = []
    for name in models:
        tasks += [Task(name, fold_step(k, len(splits)), len(train)) for k, (train, _) in enumerate(splits)]
        if not registry.entry(name).network:
            tasks.append(Task(name, ALL_ROWS, n_rows))
    used = int(EXPECTED_POOL_SHARE * pool_rows)
    for name in pool_models:
        part_rows = n_rows + used * (parts - 1) // parts
        tasks += [Task(name, pool_step(part, parts), part_rows, 1 / workers) for part in range(parts)]
        tasks.append(Task(name, pool_step(None, parts), n_rows + used, 1 / workers))
    return tasks


class EpochProgress:
    """A network's epochs, as the share of its running fold done and as log lines (`base.FitProgress`).

    Until a fold has finished, a fold is guessed to take `expected_epochs` epochs (early
    stopping usually ends there); afterwards the finished folds' mean is used.
    """

    def __init__(self, run: RunProgress | None, expected_epochs: int):
        self.run, self.expected_epochs = run, expected_epochs
        self.finished_epochs: list[int] = []

    def epochs(self, done: float, detail: str) -> None:
        self.run.advance(self.fraction(done), detail)

    def line(self, text: str) -> None:
        task = self.run.tasks[self.run.current]
        self.run.line(f"{task.model}  {task.step.task}  {text}")

    def fold_done(self, epochs: int) -> None:
        self.finished_epochs.append(epochs)

    def fraction(self, epochs: float) -> float:
        """The share of a fold done after `epochs` epochs (a fraction while one runs).

        >>> EpochProgress(None, 5).fraction(2.5)
        0.5
        """
        per_fold = np.mean(self.finished_epochs) if self.finished_epochs else self.expected_epochs
        return float(epochs / max(per_fold, np.floor(epochs) + 1))  # past the guess: at least one more epoch


def minutes(seconds: float) -> str:
    """'7m05s' for 425 seconds."""
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"
