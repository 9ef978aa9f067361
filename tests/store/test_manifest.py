import json
import time

import pytest

from lstm_spooky.store.manifest import MANIFEST_FILE, ManifestError, check_manifest, write_manifest


@pytest.fixture
def saved(tmp_path):
    (tmp_path / "config.json").write_text('{"a": 1}')
    (tmp_path / "bilstm" / "fold-0").mkdir(parents=True)
    (tmp_path / "bilstm" / "fold-0" / "model.weights.h5").write_bytes(bytes(range(256)) * 40)
    write_manifest(tmp_path)
    return tmp_path


def test_manifest_lists_every_file_with_size_and_sha256(saved):
    files = json.loads((saved / MANIFEST_FILE).read_text())["files"]
    assert sorted(files) == ["bilstm/fold-0/model.weights.h5", "config.json"]
    assert files["bilstm/fold-0/model.weights.h5"]["size"] == 256 * 40
    assert len(files["config.json"]["sha256"]) == 64


def test_an_intact_directory_passes(saved):
    check_manifest(saved)


def test_files_written_after_saving_are_not_checked(saved):
    (saved / "report.html").write_text("<html>")
    check_manifest(saved)


def test_a_missing_file_is_named(saved):
    (saved / "bilstm" / "fold-0" / "model.weights.h5").unlink()
    with pytest.raises(ManifestError, match=r"model.weights.h5: missing .*refit, or copy the whole directory again"):
        check_manifest(saved)


def test_a_truncated_file_is_named_with_both_sizes(saved):
    weights = saved / "bilstm" / "fold-0" / "model.weights.h5"
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(ManifestError, match=r"model.weights.h5: 100 bytes where 10240 were saved"):
        check_manifest(saved)


def test_an_edit_of_the_same_size_is_caught_by_the_checksum(saved):
    (saved / "config.json").write_text('{"a": 2}')
    with pytest.raises(ManifestError, match=r"config.json: changed since it was saved"):
        check_manifest(saved)


def test_a_missing_or_damaged_manifest_is_reported(saved):
    (saved / MANIFEST_FILE).write_text('{"files": ')
    with pytest.raises(ManifestError, match="manifest.json: damaged"):
        check_manifest(saved)
    (saved / MANIFEST_FILE).unlink()
    with pytest.raises(ManifestError, match="manifest.json is missing"):
        check_manifest(saved)


def test_checking_100_mb_takes_well_under_a_second(tmp_path):
    # The default model is about 100 MiB; the check runs before every load.
    (tmp_path / "weights.bin").write_bytes(b"\x5a" * 100_000_000)
    write_manifest(tmp_path)
    start = time.perf_counter()
    check_manifest(tmp_path)
    assert time.perf_counter() - start < 1.0
