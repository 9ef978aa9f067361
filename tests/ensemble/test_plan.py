import pytest

from lstm_spooky.ensemble.plan import EpochProgress, RunProgress, Task, fit_plan
from lstm_spooky.models.registry import MODELS
from lstm_spooky.store.fit_steps import ALL_ROWS, fold_step

PLAN = [
    Task("bilstm", fold_step(0, 2), 1000),
    Task("bilstm", fold_step(1, 2), 1000),
    Task("nblr", fold_step(0, 2), 1000),
    Task("nblr", fold_step(1, 2), 1000),
    Task("nblr", ALL_ROWS, 2000),
]


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def prior(task: Task) -> float:
    return task.rows * MODELS[task.model].seconds_per_row


def test_the_whole_run_has_an_estimate_before_anything_has_run():
    run = RunProgress(PLAN, clock=Clock())
    assert run.seconds_left() == pytest.approx(sum(prior(t) for t in PLAN))
    assert run.status().done == 0


def test_a_finished_fold_sets_its_models_cost_per_row_and_this_machines_speed_for_the_others():
    clock = Clock()
    run = RunProgress(PLAN, clock=clock)
    run.start("bilstm", fold_step(0, 2))
    clock.now = 2 * prior(PLAN[0])  # this machine is twice as slow as the priors
    run.finish()
    assert run.expected_seconds(1) == pytest.approx(clock.now)  # bilstm: its own measured cost
    assert run.expected_seconds(4) == pytest.approx(2 * prior(PLAN[4]))  # nblr: the prior, at this machine's speed
    assert run.seconds_left() == pytest.approx(2 * sum(prior(t) for t in PLAN[1:]))


def test_a_running_networks_epochs_give_the_estimate_before_its_first_fold_ends():
    clock = Clock()
    run = RunProgress(PLAN, clock=clock)
    run.start("bilstm", fold_step(0, 2))
    clock.now = 10.0
    run.advance(0.25, "epoch 2/20")  # a quarter of the fold in 10 s: 30 s to go, and this machine's speed
    speed = 40.0 / prior(PLAN[0])
    assert run.seconds_left() == pytest.approx(30.0 + speed * sum(prior(t) for t in PLAN[1:]))
    assert run.status().description == "bilstm fold 1/2 epoch 2/20"


def test_folds_loaded_by_resume_cost_nothing_and_measure_nothing():
    clock = Clock()
    run = RunProgress(PLAN, clock=clock)
    run.start("bilstm", fold_step(0, 2))
    clock.now = 0.5
    run.finish(measured=False)
    assert run.expected_seconds(1) == pytest.approx(prior(PLAN[1]))
    assert run.seconds_left() == pytest.approx(sum(prior(t) for t in PLAN[1:]))


def test_every_line_ends_with_the_share_done_and_the_time_left():
    lines, clock = [], Clock()
    run = RunProgress(PLAN, log=lines.append, clock=clock)
    clock.now = 30.0
    run.line("nblr  fold 1/2  log loss 0.3300  12s")
    left = sum(prior(t) for t in PLAN)
    assert lines == [
        f"nblr  fold 1/2  log loss 0.3300  12s  "
        f"[{30 / (30 + left):.0%} done, ~{int(left // 60)}m{int(left % 60):02d}s left]"
    ]


def test_the_end_of_the_run_is_the_stack():
    clock = Clock()
    run = RunProgress(PLAN[:1], clock=clock)
    run.start("bilstm", fold_step(0, 2))
    clock.now = 5.0
    run.finish()
    status = run.status()
    assert (status.description, status.done, status.seconds_left) == ("stacking", 1.0, 0.0)


def test_a_folds_share_done_follows_the_expected_epochs_then_the_finished_folds():
    progress = EpochProgress(run=None, expected_epochs=5)
    assert progress.fraction(2.5) == 0.5
    assert progress.fraction(6) == 6 / 7  # past the guess: at least one more epoch
    progress.fold_done(3)
    progress.fold_done(5)
    assert progress.fraction(2) == 0.5  # the finished folds took 4 epochs on average


def test_a_pool_adds_each_pool_models_parts_and_whole_pool_fits_after_the_labelled_ones():
    splits = [(list(range(800)), list(range(200)))] * 2
    tasks = fit_plan(("bilstm", "nblr"), splits, 1000, ["nblr"], pool_rows=400, parts=4)
    assert [(t.model, t.step.task) for t in tasks[5:]] == [
        ("nblr", "pool part 1/4"),
        ("nblr", "pool part 2/4"),
        ("nblr", "pool part 3/4"),
        ("nblr", "pool part 4/4"),
        ("nblr", "with the whole pool"),
    ]
    assert [t.rows for t in tasks[5:]] == [1210, 1210, 1210, 1210, 1280]  # 70% of the pool expected to be used
