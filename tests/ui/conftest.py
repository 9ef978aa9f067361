"""What the command's tests share: a model fitted on a small corpus folder, and the browser the page tests drive
(Debian's chromium, headless, cut off from the network, through playwright, which the `serve` tox environment
installs; the tests that need it skip without it)."""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = f"no browser at {CHROMIUM}: apt-get install chromium"
# No network of any kind: the browser must not download, update or phone anything.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def corpus_model_dir(tmp_path_factory) -> Path:
    """`fit` on a folder of three works of each of three labels, 40 sentences each (NB-LR, 2 folds: seconds)."""
    from tests.ui.test_fit_corpus import fit, write_corpus

    root = tmp_path_factory.mktemp("corpus-model")
    result = fit(write_corpus(root / "texts", (3, 3, 3), sentences=40), root / "model")
    assert result.exit_code == 0, result.output
    return root / "model"
