import numpy as np
import pytest

from lstm_spooky.store.checkpoints import FoldCheckpoints, data_fingerprint


def test_fingerprint_changes_with_a_label():
    texts = ["a", "b", "c"]
    assert data_fingerprint(texts, np.array([0, 1, 2])) != data_fingerprint(texts, np.array([0, 1, 1]))


class Fitted:
    """A stand-in for a fitted base model: `save` writes one file."""

    def save(self, directory):
        (directory / "weights.npz").write_bytes(b"weights" * 100)


def test_a_fresh_run_clears_an_old_checkpoint_directory(tmp_path):
    FoldCheckpoints(tmp_path / "run", {"config": {"models": ["nblr"], "seed": 0}}, resume=False).save(
        "nblr", "fold-0", Fitted()
    )
    checkpoints = FoldCheckpoints(tmp_path / "run", {"config": {"models": ["nblr"], "seed": 1}}, resume=False)
    assert not checkpoints.finished("nblr", "fold-0")


@pytest.mark.parametrize("resume", [False, True])
@pytest.mark.parametrize("content", ["no run.json", "a stray file", "run.json is not ours"])
def test_a_directory_that_is_not_our_checkpoints_is_never_deleted(tmp_path, content, resume):
    run = tmp_path / "model.partial"
    (run / "nblr").mkdir(parents=True)
    if content == "a stray file":
        (run / "run.json").write_text('{"config": {"models": ["nblr"], "seed": 1}}')
        (run / "thesis.tex").write_text("mine")
    elif content == "run.json is not ours":
        (run / "run.json").write_text("[1, 2]")
    before = sorted(p.relative_to(run) for p in run.rglob("*"))
    with pytest.raises(ValueError, match="model.partial: exists and is not an lstm-spooky checkpoint directory"):
        FoldCheckpoints(run, {"config": {"models": ["nblr"], "seed": 1}}, resume=resume)
    assert sorted(p.relative_to(run) for p in run.rglob("*")) == before


def test_a_file_in_the_checkpoints_place_is_refused(tmp_path):
    (tmp_path / "model.partial").write_text("mine")
    with pytest.raises(ValueError, match="a file is in the way"):
        FoldCheckpoints(tmp_path / "model.partial", {"config": {"models": ["nblr"], "seed": 1}}, resume=False)
    assert (tmp_path / "model.partial").read_text() == "mine"


def test_resume_keeps_finished_folds_of_the_same_run(tmp_path):
    FoldCheckpoints(tmp_path / "run", {"config": {"models": ["nblr"], "seed": 1}}, resume=False).save(
        "nblr", "fold-0", Fitted()
    )
    assert FoldCheckpoints(tmp_path / "run", {"config": {"models": ["nblr"], "seed": 1}}, resume=True).finished(
        "nblr", "fold-0"
    )


def test_a_damaged_finished_fold_is_trained_again_rather_than_loaded(tmp_path):
    checkpoints = FoldCheckpoints(tmp_path / "run", {"config": {"models": ["nblr"], "seed": 1}}, resume=False)
    checkpoints.save("nblr", "fold-0", Fitted())
    weights = checkpoints.member_dir("nblr", "fold-0") / "weights.npz"
    weights.write_bytes(weights.read_bytes()[:10])
    assert not checkpoints.finished("nblr", "fold-0")
    checkpoints.save("nblr", "fold-0", Fitted())
    assert checkpoints.finished("nblr", "fold-0")


def test_resume_refuses_another_run(tmp_path):
    FoldCheckpoints(tmp_path / "run", {"config": {"models": ["nblr"], "seed": 1}}, resume=False)
    with pytest.raises(ValueError, match="run without --resume"):
        FoldCheckpoints(tmp_path / "run", {"config": {"models": ["nblr"], "seed": 2}}, resume=True)
