"""What counts as a model directory, and how a broken one is reported (no TensorFlow needed)."""

import gzip
import json

import pytest

from lstm_spooky.store.manifest import write_manifest
from lstm_spooky.store.model_dir import (
    FORMAT_MARKER,
    FORMAT_VERSION,
    FORMAT_VERSION_WITHOUT_POOL,
    foreign_entries,
    is_model_dir,
    read_model_meta,
)
from lstm_spooky.store.safe_paths import check_model_dir_target

REFIT = "refit, or copy the whole directory again"


def saved_model(directory, **meta):
    """The files `SpookyClassifier.save` writes, with placeholder contents."""
    (directory / "bilstm" / "fold-0").mkdir(parents=True)
    (directory / "bilstm" / "fold-0" / "model.weights.h5").write_bytes(b"\x89HDF" + bytes(4000))
    (directory / "oof.csv").write_text("id,EAP,HPL,MWS,author\n")
    (directory / "oof-bilstm.csv.gz").write_bytes(gzip.compress(b"id,EAP,HPL,MWS,author\n"))
    meta = {
        "format": FORMAT_MARKER,
        "format_version": FORMAT_VERSION,
        "lstm_spooky_version": "0.1.0",
        "config": {},
        "members": {"bilstm": ["fold-0"]},
        **meta,
    }
    (directory / "config.json").write_text(json.dumps(meta))
    write_manifest(directory)
    return directory


def test_an_intact_model_is_read(tmp_path):
    assert read_model_meta(saved_model(tmp_path))["format"] == FORMAT_MARKER


def test_a_folder_with_someone_elses_config_json_is_no_model(tmp_path):
    (tmp_path / "config.json").write_text('{"theme": "dark", "format_version": 4}')
    assert not is_model_dir(tmp_path)
    with pytest.raises(ValueError, match="not an lstm-spooky model directory"):
        read_model_meta(tmp_path)


def test_a_format_4_model_is_recognised_and_asked_to_be_refitted(tmp_path):
    saved_model(tmp_path)
    meta = json.loads((tmp_path / "config.json").read_text())
    del meta["format"]
    (tmp_path / "config.json").write_text(json.dumps({**meta, "format_version": 4}))
    (tmp_path / "manifest.json").unlink()
    assert is_model_dir(tmp_path)
    with pytest.raises(
        ValueError, match=r"model format 4 is not supported .*an older version\); re-run `lstm-spooky fit`"
    ):
        read_model_meta(tmp_path)


def test_a_model_from_a_newer_version_says_so(tmp_path):
    saved_model(tmp_path, format_version=99)
    with pytest.raises(ValueError, match="model format 99 is not supported .*another version"):
        read_model_meta(tmp_path)


@pytest.mark.parametrize(
    "damage, message",
    [
        (
            lambda d: (d / "bilstm" / "fold-0" / "model.weights.h5").unlink(),
            r"model.weights.h5: missing from the model directory",
        ),
        (
            lambda d: (d / "bilstm" / "fold-0" / "model.weights.h5").write_bytes(b"\x89HDF"),
            r"model.weights.h5: 4 bytes where 4004 were saved",
        ),
        (lambda d: (d / "oof.csv").write_text("id,EAP,HPL,MWS,autho!\n"), r"oof.csv: changed since it was saved"),
        (
            lambda d: (d / "config.json").write_text('{"format": "lstm-sp'),
            r"config.json: \d+ bytes where \d+ were saved",
        ),
        (lambda d: (d / "config.json").unlink(), r"config.json: missing from the model directory"),
        (lambda d: (d / "manifest.json").unlink(), r"manifest.json is missing, so the directory may be incomplete"),
        (lambda d: (d / "manifest.json").write_text("{"), r"manifest.json: damaged"),
    ],
    ids=[
        "weights deleted",
        "weights truncated",
        "oof edited",
        "config truncated",
        "config deleted",
        "manifest missing",
        "manifest damaged",
    ],
)
def test_a_damaged_model_names_the_file_and_what_to_do(tmp_path, damage, message):
    damage(saved_model(tmp_path))
    with pytest.raises(ValueError, match=message) as error:
        read_model_meta(tmp_path)
    assert REFIT in str(error.value) and "\n" not in str(error.value)


def test_a_missing_empty_or_file_model_dir_is_explained(tmp_path):
    with pytest.raises(ValueError, match=r"none: no model there; run `lstm-spooky fit` first"):
        read_model_meta(tmp_path / "none")
    with pytest.raises(ValueError, match=r"not an lstm-spooky model directory \(it is empty\)"):
        read_model_meta(tmp_path)
    (tmp_path / "model").write_text("x")
    with pytest.raises(ValueError, match="is a file, not a model directory"):
        read_model_meta(tmp_path / "model")


def test_a_broken_model_is_still_recognised_as_ours(tmp_path):
    (saved_model(tmp_path) / "config.json").write_text("{")
    assert is_model_dir(tmp_path)


def test_files_the_model_did_not_write_are_foreign(tmp_path):
    saved_model(tmp_path)
    (tmp_path / "report.html").write_text("<html>")
    (tmp_path / ".DS_Store").write_bytes(b"\0")  # a Mac's Finder opened it
    assert foreign_entries(tmp_path) == []
    (tmp_path / "submission.csv").write_text("id,EAP,HPL,MWS\n")
    assert foreign_entries(tmp_path) == ["submission.csv"]


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda d: (d / "config.json").write_text("{}"),
            "not an lstm-spooky model directory, so fit will not replace it",
        ),
        (
            lambda d: (saved_model(d) / "notes.txt").write_text("mine"),
            r"holds files that are not part of the model \(notes.txt\)",
        ),
        (lambda d: d.rmdir() or d.write_text("mine"), "is a file, not a directory"),
    ],
    ids=["user folder with config.json", "model plus a user file", "a file"],
)
def test_fit_may_not_replace(tmp_path, make, message):
    target = tmp_path / "model"
    target.mkdir()
    make(target)
    with pytest.raises(ValueError, match=message):
        check_model_dir_target(target)


def test_fit_may_replace_a_model_an_empty_folder_or_nothing(tmp_path):
    (tmp_path / "model").mkdir()
    check_model_dir_target(saved_model(tmp_path / "model"))
    (tmp_path / "empty").mkdir()
    check_model_dir_target(tmp_path / "empty")
    check_model_dir_target(tmp_path / "new" / "model")


def test_the_checkpoints_of_an_unfinished_fit_are_no_model(tmp_path):
    (tmp_path / "run.json").write_text("{}")
    with pytest.raises(
        ValueError,
        match=r"holds the finished folds of an unfinished fit, not a model; "
        r"complete it with `lstm-spooky fit ... --resume`",
    ):
        read_model_meta(tmp_path)


def test_reading_a_model_left_aside_by_a_crash_puts_it_back_first(fitted, tmp_path):
    from lstm_spooky.store.atomic import aside_path

    fitted.save(aside_path(tmp_path / "model"))  # as a crash between the two renames of a replacement leaves it
    assert read_model_meta(tmp_path / "model")["format_version"] == FORMAT_VERSION_WITHOUT_POOL
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
