import pytest

from lstm_spooky.atomic import atomic_directory, atomic_file


def test_failed_directory_write_keeps_the_old_directory(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    (target / "weights").write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_directory(target) as tmp:
            (tmp / "weights").write_text("half")
            raise RuntimeError("interrupted")
    assert (target / "weights").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_completed_directory_write_replaces_the_old_one(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    (target / "stale").write_text("old")
    with atomic_directory(target) as tmp:
        (tmp / "weights").write_text("new")
    assert [p.name for p in target.iterdir()] == ["weights"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_failed_file_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "submission.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_file(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["submission.csv"]
