"""`lstm-spooky serve`'s page in a real headless browser (Debian's chromium, driven by playwright),
against a real uvicorn server on a free loopback port, used with the keyboard alone."""

import threading

import pytest

pytest.importorskip("fastapi", reason="no serve extra: pip install '.[serve]' (tox -e serve installs it)")
playwright = pytest.importorskip("playwright.sync_api", reason="no playwright: (tox -e serve has it)")
from tests.ui.conftest import CHROMIUM, NO_CHROMIUM  # noqa: E402

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)

from lstm_spooky import SpookyClassifier  # noqa: E402
from lstm_spooky.ui.highlight import HTML_COLOURS  # noqa: E402
from lstm_spooky.ui.predictions import prediction_rows  # noqa: E402
from lstm_spooky.ui.serve import Limits, create_app, listening_socket, server, warm_up  # noqa: E402

SENTENCE = "The raven and the eldritch Arkham ! end."
# Every wait ends as soon as its condition holds; this is how long a busy CI machine may take.
playwright.expect.set_options(timeout=30_000)


@pytest.fixture(scope="module")
def model(served_model_dir):
    model = SpookyClassifier.load(served_model_dir, networks_apart=True)
    warm_up(model)  # as `serve` does before it listens
    yield model
    model.close()


@pytest.fixture(scope="module")
def address(model, served_model_dir):
    sock = listening_socket("127.0.0.1", 0)
    uvicorn_server = server(
        create_app(model, served_model_dir, Limits(max_texts=10, max_chars=1000, max_document_chars=20_000))
    )
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    uvicorn_server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def ask_with_the_keyboard(page, address: str) -> None:
    """Open the page, tab past the choice of a sentence or a text to the text box, type SENTENCE and press Enter;
    wait for the answer."""
    page.goto(address)
    playwright.expect(page.locator("#ask button")).to_be_enabled()  # the model's facts have arrived
    page.keyboard.press("Tab")
    playwright.expect(page.locator("input[name=mode][value=sentence]")).to_be_focused()
    page.keyboard.press("Tab")
    playwright.expect(page.locator("#sentence")).to_be_focused()
    page.keyboard.type(SENTENCE)
    page.keyboard.press("Enter")
    playwright.expect(page.locator("#result")).to_be_visible()


def test_a_typed_sentence_gets_a_bar_per_label_and_its_words_in_the_colour_of_their_label(browser, address, model):
    page = browser.new_page()
    ask_with_the_keyboard(page, address)
    (expected,) = prediction_rows(model, [SENTENCE], explain=True)
    labels = list(expected["probabilities"])
    rows = page.locator("#labels li")
    playwright.expect(rows).to_have_count(len(labels))
    best = expected["label"]
    playwright.expect(page.locator("#verdict")).to_have_text(f"{best} {expected['probabilities'][best]:.3f}")
    for label, row in zip(labels, rows.all()):
        p = expected["probabilities"][label]
        assert row.get_attribute("data-label") == label
        assert row.locator(".value").inner_text() == f"{p:.3f}"
        fill, bar = row.locator(".fill").bounding_box(), row.locator(".bar").bounding_box()
        assert fill["width"] == pytest.approx(p * bar["width"], abs=1.5)
    coloured = page.locator("#coloured .token[data-label]")
    playwright.expect(coloured.first).to_be_visible()
    for mark in coloured.all():
        token = next(t for t in expected["tokens"] if SENTENCE[t["start"] : t["end"]] == mark.inner_text())
        assert mark.get_attribute("data-label") == max(token["scores"], key=token["scores"].get)
    assert page.locator("#coloured").inner_text() == SENTENCE
    facts = page.locator("#model-facts").inner_text()
    assert "Labels EAP, HPL, MWS" in facts and "out-of-fold log loss" in facts and "fitted" in facts


def test_the_words_scores_show_on_keyboard_focus_and_the_arrow_keys_move_between_words(browser, address, model):
    page = browser.new_page()
    ask_with_the_keyboard(page, address)
    page.keyboard.press("Tab")  # the button
    page.keyboard.press("Tab")  # the sentence's first word
    first = page.locator("#coloured .token").first
    playwright.expect(first).to_be_focused()
    (expected,) = prediction_rows(model, [SENTENCE], explain=True)
    playwright.expect(page.locator("#word-detail")).to_contain_text(f"{expected['tokens'][0]['token']}: pushed towards")
    page.keyboard.press("ArrowRight")
    playwright.expect(page.locator("#coloured .token").nth(1)).to_be_focused()
    playwright.expect(page.locator("#word-detail")).to_contain_text(f"{expected['tokens'][1]['token']}: pushed towards")
    tooltip = page.evaluate("getComputedStyle(document.activeElement, '::after').content")
    assert "EAP" in tooltip and "HPL" in tooltip and "MWS" in tooltip


def test_the_colours_are_the_reports(browser, address):
    page = browser.new_page()
    ask_with_the_keyboard(page, address)
    fills = page.locator("#labels .fill")
    backgrounds = fills.evaluate_all("fills => fills.map(fill => getComputedStyle(fill).backgroundColor)")
    assert backgrounds == [f"rgb({int(c[1:3], 16)}, {int(c[3:5], 16)}, {int(c[5:7], 16)})" for c in HTML_COLOURS[:3]]


def test_an_error_is_shown_on_the_page(browser, address):
    page = browser.new_page()
    page.goto(address)
    playwright.expect(page.locator("#ask button")).to_be_enabled()
    page.fill("#sentence", "x" * 1001)
    page.click("#ask button")
    playwright.expect(page.locator("#status")).to_contain_text("at most 1000 per text")


# 40 sentences in paragraphs of 4: with windows of 4 sentences, 10 windows.
DOCUMENT_SENTENCES = ["The raven and the abyss ; end.", "Eldritch cyclopean Arkham ! end.", "Perdita wept , end."]
DOCUMENT = "\n\n".join(" ".join(DOCUMENT_SENTENCES[k % 3] for k in range(at, at + 4)) for at in range(0, 40, 4))


def attribute_a_text(page, address: str, window: str = "4") -> dict:
    """Open the page, choose a whole text with the keyboard, paste DOCUMENT, ask; the row POST /attribute gave."""
    page.goto(address)
    playwright.expect(page.locator("#attribute button")).to_be_enabled()
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the radio group: from "a sentence" to "a whole text"
    playwright.expect(page.locator("#document")).to_be_visible()
    page.fill("#document", DOCUMENT)
    page.fill("#window", window)
    with page.expect_response("**/attribute") as answer:
        page.click("#attribute button")
    playwright.expect(page.locator("#document-result")).to_be_visible()
    return answer.value.json()


def test_a_pasted_text_gets_its_verdict_and_a_map_with_a_band_cell_per_window(browser, address, model):
    page = browser.new_page()
    row = attribute_a_text(page, address)
    assert len(row["windows"]) == 10
    playwright.expect(page.locator("#map svg .band rect")).to_have_count(len(row["windows"]))
    playwright.expect(page.locator("#map svg polyline")).to_have_count(3)
    playwright.expect(page.locator("#document-verdict")).to_have_text(
        f"{row['label']} {row['probabilities'][row['label']]:.3f}"
    )
    assert page.locator("#map .map-text").inner_text() == DOCUMENT
    playwright.expect(page.locator("#status")).to_contain_text("40 sentences")


def test_enter_on_a_band_cell_jumps_to_its_first_sentence_and_shows_its_words_reasons(browser, address):
    page = browser.new_page()
    attribute_a_text(page, address)
    cell = page.locator("#map svg .band rect").nth(0)
    cell.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    playwright.expect(page.locator("#map svg .band rect").nth(2)).to_be_focused()
    playwright.expect(page.locator("#map .map-caption")).to_contain_text("Window 3 of 10: sentences 9\u201312")
    page.keyboard.press("Enter")
    sentence = page.locator('#map .map-sentence[data-sentence="8"]')
    playwright.expect(sentence).to_be_focused()
    playwright.expect(page.locator("#map .map-detail")).to_contain_text("Sentence 9")
    playwright.expect(sentence.locator("mark").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    playwright.expect(page.locator('#map .map-sentence[data-sentence="9"]')).to_be_focused()
    playwright.expect(page.locator("#map .map-detail")).to_contain_text("Sentence 10")


def test_a_click_on_the_band_jumps_too(browser, address):
    page = browser.new_page()
    attribute_a_text(page, address)
    page.locator("#map svg .band rect").nth(9).click()
    playwright.expect(page.locator('#map .map-sentence[data-sentence="36"]')).to_be_focused()


@pytest.mark.parametrize("ask", [ask_with_the_keyboard, attribute_a_text], ids=["a sentence", "a whole text"])
def test_a_narrow_window_needs_no_sideways_scrolling(browser, address, ask):
    page = browser.new_page(viewport={"width": 320, "height": 640})
    ask(page, address)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_a_text_too_long_is_refused_on_the_page_before_it_is_sent(browser, address):
    page = browser.new_page()
    page.goto(address)
    playwright.expect(page.locator("#attribute button")).to_be_enabled()
    page.check("input[name=mode][value=document]")
    page.evaluate("document.getElementById('document').value = 'x'.repeat(20_001)")
    page.click("#attribute button")
    playwright.expect(page.locator("#status")).to_contain_text("at most 20,000")
