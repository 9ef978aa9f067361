import os
import sys

import pytest

from lstm_spooky.store import atomic
from lstm_spooky.store.atomic import aside_path, atomic_directory, atomic_file, exchange, recover_aside


def test_failed_directory_write_keeps_the_old_directory(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    (target / "weights").write_text("old")
    with pytest.raises(RuntimeError), atomic_directory(target) as tmp:
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
    with pytest.raises(RuntimeError), atomic_file(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["submission.csv"]


def test_what_is_renamed_into_place_gets_the_umasks_ordinary_mode(tmp_path):
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


def model_in(path, content):
    path.mkdir()
    (path / "weights").write_text(content)
    return path


def test_a_stop_right_after_the_swap_leaves_the_new_directory_and_nothing_else(tmp_path, monkeypatch):
    target = model_in(tmp_path / "model", "old")

    def swap_then_stop(first, second):
        assert exchange(first, second)
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic, "exchange", swap_then_stop)
    with pytest.raises(KeyboardInterrupt), atomic_directory(target) as tmp:
        (tmp / "weights").write_text("new")
    assert (target / "weights").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_every_file_and_folder_reaches_the_disk_before_the_swap_and_the_swap_after(tmp_path, monkeypatch):
    target = model_in(tmp_path / "model", "old")
    events = []
    monkeypatch.setattr(atomic, "flush_to_disk", lambda path: events.append(("flush", path.name)))
    real_exchange = atomic.exchange
    monkeypatch.setattr(atomic, "exchange", lambda a, b: events.append(("swap", b.name)) or real_exchange(a, b))
    with atomic_directory(target) as tmp:
        (tmp / "member").mkdir()
        (tmp / "member" / "weights").write_text("new")
        (tmp / "config.json").write_text("{}")
    swap = events.index(("swap", "model"))
    assert {("flush", "weights"), ("flush", "member"), ("flush", "config.json"), ("flush", tmp.name)} <= set(
        events[:swap]
    )
    assert events[swap + 1 :] == [("flush", tmp_path.name)]  # the folder that now names the new directory


@pytest.mark.parametrize("fail_at", ["moving the old aside", "renaming the new into place"])
def test_without_an_exchange_an_error_between_the_renames_keeps_the_old_directory(tmp_path, monkeypatch, fail_at):
    target = model_in(tmp_path / "model", "old")
    monkeypatch.setattr(atomic, "exchange", lambda a, b: False)
    renames = []
    real_replace = os.replace

    def replace(source, destination):
        renames.append(destination)
        if len(renames) == (1 if fail_at == "moving the old aside" else 2):
            raise KeyboardInterrupt
        real_replace(source, destination)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt), atomic_directory(target) as tmp:
        (tmp / "weights").write_text("new")
    monkeypatch.setattr(atomic.os, "replace", real_replace)
    assert (target / "weights").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_without_an_exchange_a_directory_is_still_replaced(tmp_path, monkeypatch):
    target = model_in(tmp_path / "model", "old")
    monkeypatch.setattr(atomic, "exchange", lambda a, b: False)
    with atomic_directory(target) as tmp:
        (tmp / "weights").write_text("new")
    assert (target / "weights").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_a_directory_left_aside_by_a_crash_between_the_renames_comes_back_at_the_next_write(tmp_path):
    target = tmp_path / "model"
    model_in(aside_path(target), "old")  # the crash: the old one aside, the new one not yet in place
    with pytest.raises(RuntimeError), atomic_directory(target):
        raise RuntimeError("this write fails too")
    assert (target / "weights").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_a_directory_left_aside_beside_its_complete_replacement_is_deleted(tmp_path):
    target = model_in(tmp_path / "model", "new")
    model_in(aside_path(target), "old")  # the crash came after the second rename
    recover_aside(target)
    assert (target / "weights").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_two_directories_swap_in_one_step_on_linux(tmp_path):
    if sys.platform != "linux":
        pytest.skip("renameat2's RENAME_EXCHANGE is Linux's")
    first, second = model_in(tmp_path / "a", "first"), model_in(tmp_path / "b", "second")
    assert exchange(first, second)
    assert (first / "weights").read_text() == "second" and (second / "weights").read_text() == "first"
