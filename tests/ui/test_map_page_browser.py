"""`attribute --html`'s page in a real headless browser (Debian's chromium, driven by playwright), opened from
disk as a reader would open it, with no server and no network."""

import json
import re

import pytest

from tests.conftest import make_corpus
from tests.ui.conftest import CHROMIUM, NO_CHROMIUM
from tests.ui.test_attribute import attribute

playwright = pytest.importorskip("playwright.sync_api", reason="no playwright: (tox -e serve has it)")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)

playwright.expect.set_options(timeout=30_000)


@pytest.fixture(scope="module")
def page_path(tmp_path_factory, corpus_model_dir):
    """The map of 30 sentences of HPL then 30 of MWS, in windows of 6."""
    root = tmp_path_factory.mktemp("page")
    corpus = make_corpus(600, seed=29)
    sentences = sum((corpus.loc[corpus["author"] == label, "text"].tolist()[:30] for label in ("HPL", "MWS")), [])
    text = root / "spliced.txt"
    text.write_text("\n\n".join(" ".join(sentences[at : at + 3]) for at in range(0, 60, 3)) + "\n")
    page = root / "map.html"
    result = attribute(corpus_model_dir, str(text), "--rolling", "6", "--html", str(page))
    assert result.exit_code == 0, result.output
    return page


def open_page(browser, page_path, **options):
    page = browser.new_page(**options)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: errors.append(request.url) if not request.url.startswith("file:") else None)
    page.goto(page_path.as_uri())
    playwright.expect(page.locator("#map svg")).to_be_visible()
    return page, errors


def page_data(page_path):
    html = page_path.read_text()
    return json.loads(re.search(r'id="map-data">(.*?)</script>', html, re.S).group(1))


def test_the_page_draws_a_band_cell_per_window_and_a_line_per_label_with_nothing_fetched(browser, page_path):
    page, errors = open_page(browser, page_path)
    windows = page_data(page_path)["row"]["windows"]
    assert len(windows) == 10
    playwright.expect(page.locator("#map svg .band rect")).to_have_count(len(windows))
    playwright.expect(page.locator("#map svg polyline")).to_have_count(3)
    playwright.expect(page.locator("#map .map-sentence")).to_have_count(60)
    assert errors == []


def test_the_band_is_coloured_by_each_windows_most_probable_label(browser, page_path):
    page, _ = open_page(browser, page_path)
    data = page_data(page_path)
    fills = page.locator("#map svg .band rect").evaluate_all("cells => cells.map(cell => cell.getAttribute('fill'))")
    assert fills == [data["colours"][window["label"]] for window in data["row"]["windows"]]
    assert fills[0] == data["colours"]["HPL"] and fills[-1] == data["colours"]["MWS"]


def test_enter_on_the_band_jumps_to_the_windows_sentences_and_shows_their_words(browser, page_path):
    page, _ = open_page(browser, page_path)
    page.keyboard.press("Tab")  # the band's first window: the first thing on the page that takes the focus
    playwright.expect(page.locator("#map svg .band rect").first).to_be_focused()
    page.keyboard.press("End")
    playwright.expect(page.locator("#map .map-caption")).to_contain_text("Window 10 of 10: sentences 55\u201360")
    page.keyboard.press("Enter")
    sentence = page.locator('#map .map-sentence[data-sentence="54"]')
    playwright.expect(sentence).to_be_focused()
    playwright.expect(sentence.locator("mark").first).to_be_visible()
    playwright.expect(page.locator("#map .map-detail")).to_contain_text("Sentence 55")
    playwright.expect(page.locator("#map .map-detail")).to_contain_text("MWS: ")


def test_pointing_at_a_sentence_colours_its_words(browser, page_path):
    page, _ = open_page(browser, page_path)
    page.locator('#map .map-sentence[data-sentence="3"]').hover()
    playwright.expect(page.locator('#map .map-sentence[data-sentence="3"] mark').first).to_be_visible()
    playwright.expect(page.locator("#map .map-detail")).to_contain_text("Sentence 4")


def test_the_page_needs_no_sideways_scrolling_on_a_phone(browser, page_path):
    page, _ = open_page(browser, page_path, viewport={"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
