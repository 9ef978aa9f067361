"""Each fit's names: saved models and checkpoints keep their members by them, so they never change."""

import pytest

from lstm_spooky.store.fit_steps import ALL_ROWS, fold_step, pool_step


@pytest.mark.parametrize(
    "step, task, member",
    [
        (fold_step(0, 5), "fold 1/5", "fold-0"),
        (fold_step(4, 5), "fold 5/5", "fold-4"),
        (ALL_ROWS, "all rows", "all-rows"),
        (pool_step(0, 8), "pool part 1/8", "pool-1a2b3c4d-part-0"),
        (pool_step(None, 8), "with the whole pool", "pool-1a2b3c4d-all"),
    ],
)
def test_a_fit_is_named_as_earlier_versions_saved_and_printed_it(step, task, member):
    assert (step.task, step.member("1a2b3c4d")) == (task, member)


def test_a_fit_with_a_pool_cannot_be_named_without_its_pools_key():
    with pytest.raises(ValueError, match="pool's key"):
        pool_step(1, 8).member()


def test_the_plan_tells_steps_apart_by_what_they_are():
    assert fold_step(1, 5) == fold_step(1, 5) != fold_step(1, 4)
    assert pool_step(None, 8) != ALL_ROWS
