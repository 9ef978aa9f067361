"""Each fit of a base model, named once: what the run plan and its progress lines call it, and its folder.

A fit's folder is part of the saved formats: a model directory keeps its members as
`<model>/<member>` (model_dir.py), and a checkpoint directory its finished fits the same way
(checkpoints.py), where `fit --resume` looks for them. So these names never change:

    fold_step(1, 5)        task "fold 2/5"             member "fold-1"
    ALL_ROWS               task "all rows"             member "all-rows"
    pool_step(2, 8)        task "pool part 3/8"        member "pool-<pool key>-part-2"
    pool_step(None, 8)     task "with the whole pool"  member "pool-<pool key>-all"
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FitStep:
    """One fit of a base model: on fold `fold` (0-based) of `folds` of the labelled rows; on all of them (neither
    set); or with an unlabelled pool cut into `parts`, leaving out its part `part` (None: learning from all of it).
    The run plan tells its tasks apart by these fields."""

    fold: int | None = None
    folds: int | None = None
    part: int | None = None
    parts: int | None = None

    @property
    def task(self) -> str:
        """What the run plan and the progress lines call it.

        >>> fold_step(1, 5).task
        'fold 2/5'
        """
        if self.folds is not None:
            return f"fold {self.fold + 1}/{self.folds}"
        if self.parts is None:
            return "all rows"
        return "with the whole pool" if self.part is None else f"pool part {self.part + 1}/{self.parts}"

    def member(self, pool_key: str | None = None) -> str:
        """Its folder, in the checkpoints and in a saved model. A fit with a pool names it by `pool_key`, a hash of
        its sentences and pseudo-labels: a resumed fit with another pool refits these, and reuses the labelled
        rows' folds (which know no pool).

        >>> fold_step(1, 5).member(), pool_step(2, 8).member("1a2b3c4d")
        ('fold-1', 'pool-1a2b3c4d-part-2')
        """
        if self.folds is not None:
            return f"fold-{self.fold}"
        if self.parts is None:
            return "all-rows"
        if pool_key is None:
            raise ValueError("a fit with a pool is named by its pool's key")
        return f"pool-{pool_key}-" + ("all" if self.part is None else f"part-{self.part}")


ALL_ROWS = FitStep()  # a model refitted on every labelled row, to predict with


def fold_step(fold: int, folds: int) -> FitStep:
    """The fit on fold `fold` (0-based) of `folds`."""
    return FitStep(fold=fold, folds=folds)


def pool_step(part: int | None, parts: int) -> FitStep:
    """The fit with an unlabelled pool of `parts` parts that leaves out `part`; None: the fit with all of it."""
    return FitStep(part=part, parts=parts)
