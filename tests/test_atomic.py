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


def test_what_is_renamed_into_place_gets_the_umasks_ordinary_mode(tmp_path):
    import os

    previous = os.umask(0o022)
    try:
        with atomic_file(tmp_path / "submission.csv") as tmp:
            tmp.write_text("id\n")
        with atomic_directory(tmp_path / "model") as tmp:
            (tmp / "config.json").write_text("{}")
    finally:
        os.umask(previous)
    assert (tmp_path / "submission.csv").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "model").stat().st_mode & 0o777 == 0o755
