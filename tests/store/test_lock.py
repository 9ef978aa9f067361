import os
import signal
import subprocess
import sys

import pytest

from lstm_spooky.store.lock import LockedError, directory_lock, lock_path

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")

HOLD = """
import sys, time
from lstm_spooky.store.lock import directory_lock
with directory_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(60)
"""


def hold_in_another_process(directory):
    """A process that takes the lock of `directory` and keeps it until killed."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(directory)], stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdout.readline().strip() == "locked"
    return process


def test_the_lock_file_sits_beside_the_directory_and_is_removed_after(tmp_path):
    with directory_lock(tmp_path / "model") as path:
        assert path == tmp_path.resolve() / ".model.lock" and path.is_file()
    assert not path.exists()
    assert lock_path(tmp_path / "sub" / ".." / "model") == path  # one lock however the path is spelled


def test_a_second_holder_is_refused_with_the_first_ones_pid(tmp_path):
    holder = hold_in_another_process(tmp_path / "model")
    try:
        refused = pytest.raises(
            LockedError, match=rf"model: another lstm-spooky fit \(pid {holder.pid} on .*\) is writing"
        )
        with refused, directory_lock(tmp_path / "model"):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_holder_does_not_leave_the_lock_stuck(tmp_path):
    holder = hold_in_another_process(tmp_path / "model")
    holder.send_signal(signal.SIGKILL)  # no clean-up runs: the lock file stays on disk
    holder.wait()
    assert lock_path(tmp_path / "model").exists()
    with directory_lock(tmp_path / "model"):
        pass


def test_the_lock_can_be_taken_again_after_release(tmp_path):
    for _ in range(3):
        with directory_lock(tmp_path / "model"):
            pass
    assert list(tmp_path.iterdir()) == []
