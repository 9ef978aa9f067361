"""Second processes and stops: a stop that comes while they start is raised once the pool can end them, and
`terminate` returns with nothing of the pool still running."""

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from lstm_spooky.ensemble.processes import second_processes, starting, terminate


@pytest.fixture
def ctrl_c_interrupts():
    """Ctrl-C raises KeyboardInterrupt, as in a terminal, however the tests were started (a runner started in the
    background, `cmd &`, inherits SIGINT ignored, and this test then saw nothing to raise)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def test_a_stop_that_comes_while_a_process_starts_is_raised_once_the_pool_knows_the_process(ctrl_c_interrupts):
    # The signal reaches another thread, as a Ctrl-C does while this one blocks it to start processes;
    # Python would still raise its KeyboardInterrupt here at once, halfway through a start.
    with starting():
        pool = second_processes(max_workers=1)
    came = threading.Event()
    sender = threading.Thread(target=lambda: came.wait() and os.kill(os.getpid(), signal.SIGINT))
    sender.start()
    started = []
    try:
        with pytest.raises(KeyboardInterrupt), starting():
            came.set()
            sender.join()  # the signal has come
            started.append(pool.submit(time.sleep, 30))
    finally:
        terminate(pool)
    assert len(started) == 1


def test_terminate_returns_once_the_pools_processes_are_gone_and_its_tasks_failed():
    before = set(multiprocessing.active_children())
    with starting():
        pool = second_processes(max_workers=2)
        tasks = [pool.submit(time.sleep, 30) for _ in range(2)]
    terminate(pool)
    assert set(multiprocessing.active_children()) == before
    assert all(isinstance(task.exception(timeout=0), BrokenProcessPool) for task in tasks)
