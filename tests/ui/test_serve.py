"""`lstm-spooky serve`'s JSON API through FastAPI's test client, and the command itself in a process of its own."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import resource_tracker

import pytest
from click.testing import CliRunner

NO_EXTRA = "the serve extra is not installed: pip install '.[serve]' (tox -e serve runs these tests)"
pytest.importorskip("fastapi", reason=NO_EXTRA)
pytest.importorskip("httpx2", reason="FastAPI's TestClient needs httpx2 (tox -e serve installs it)")

from fastapi.testclient import TestClient  # noqa: E402

from lstm_spooky import SpookyClassifier, __version__  # noqa: E402
from lstm_spooky.ensemble.network_process import failure_message  # noqa: E402
from lstm_spooky.ui.cli import main  # noqa: E402
from lstm_spooky.ui.highlight import HTML_COLOURS  # noqa: E402
from lstm_spooky.ui.serve import Limits, create_app, is_loopback  # noqa: E402
from tests.conftest import default_stop_signals, is_running  # noqa: E402

SENTENCES = ["The raven ; end.", "Eldritch cyclopean Arkham ! end.", "Perdita and Raymond , end."]
LIMITS = Limits(max_texts=5, max_chars=200, max_document_chars=5000)
SVG_NAMESPACE = "http://www.w3.org/2000/svg"  # a name in map.js, never fetched
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def model(served_model_dir):
    model = SpookyClassifier.load(served_model_dir, networks_apart=True)  # as `serve` loads it
    yield model
    model.close()


@pytest.fixture(scope="module")
def client(model, served_model_dir):
    with TestClient(create_app(model, served_model_dir, LIMITS)) as client:
        yield client


def test_predict_answers_the_rows_predict_json_prints(client, served_model_dir):
    printed = CliRunner().invoke(
        main, ["predict", "--model-dir", str(served_model_dir), "--json", "--explain", *SENTENCES]
    )
    assert printed.exit_code == 0, printed.output
    rows = json.loads(printed.stdout)
    explained = client.post("/predict", json={"texts": SENTENCES, "explain": True})
    assert explained.status_code == 200 and explained.json() == rows
    plain = client.post("/predict", json={"texts": SENTENCES})
    assert plain.json() == [{key: row[key] for key in ("text", "label", "probabilities")} for row in rows]


def test_attribute_answers_the_row_attribute_rolling_json_prints(client, served_model_dir, tmp_path):
    text = "\n\n".join(" ".join(SENTENCES[i % 3] for i in range(at, at + 3)) for at in range(0, 30, 3))
    letter = tmp_path / "letter.txt"
    letter.write_text(text)
    args = ["attribute", "--model-dir", str(served_model_dir), str(letter), "--rolling", "4", "--step", "2", "--json"]
    printed = CliRunner().invoke(main, args)
    assert printed.exit_code == 0, printed.output
    (row,) = json.loads(printed.stdout)
    answer = client.post("/attribute", json={"text": text, "window": 4, "step": 2, "name": "letter.txt"})
    assert answer.status_code == 200 and answer.json() == row
    assert len(row["windows"]) == 14 and row["sentence_spans"][-1][1] == len(text)


def test_attribute_without_a_window_maps_with_the_commands_default(client):
    row = client.post("/attribute", json={"text": " ".join(SENTENCES * 20)}).json()
    assert row["document"] == "text" and row["sentences"] == 60 and (row["window"], row["step"]) == (3, 3)


def test_top_says_how_many_reasons_per_label(client):
    (row,) = client.post("/predict", json={"texts": SENTENCES[:1], "explain": True, "top": 1}).json()
    assert all(len(reasons) <= 1 for reasons in row["reasons"].values())


def test_model_gives_labels_colours_version_settings_and_cross_validated_scores(client, served_model_dir):
    saved = json.loads((served_model_dir / "config.json").read_text())
    info = client.get("/model").json()
    assert info["labels"] == ["EAP", "HPL", "MWS"]
    assert info["colours"] == dict(zip(info["labels"], HTML_COLOURS))
    assert info["version"] == __version__
    assert info["settings"] == saved["config"] and info["cv"] == saved["cv"]
    assert info["explained_by"].startswith("word n-grams of the NB-LR model")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", info["fitted"])
    assert info["documents"] == {"attributes": True, "max_chars": 5000}


def test_health_says_ok(client):
    answer = client.get("/health")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


def test_health_says_what_predict_will_once_the_networks_process_has_ended(served_model_dir):
    resource_tracker.ensure_running()  # a child of this process too, started with the first second process
    before = child_processes()
    model = SpookyClassifier.load(served_model_dir, networks_apart=True)
    try:
        (networks,) = child_processes() - before
        with TestClient(create_app(model, served_model_dir, LIMITS)) as client:
            assert client.get("/health").status_code == 200
            os.kill(int(networks), signal.SIGKILL)
            deadline = time.monotonic() + 30
            while is_running(networks) and time.monotonic() < deadline:
                time.sleep(0.05)
            health, predict = client.get("/health"), client.post("/predict", json={"texts": SENTENCES})
    finally:
        model.close()
    assert health.status_code == predict.status_code == 503
    assert health.json() == predict.json() == {"error": failure_message(BrokenProcessPool())}


def child_processes() -> set[str]:
    """The ids of this process's children."""
    return set(subprocess.run(["pgrep", "-P", str(os.getpid())], capture_output=True, text=True).stdout.split())


@pytest.mark.parametrize("path", ["/", "/health", "/model", "/static/app.js"])
def test_head_answers_as_get_without_the_body(client, path):
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == str(len(get.content))


@pytest.mark.parametrize(
    "method, path, body, status, error",
    [
        ("POST", "/predict", b'{"texts": ["unclosed', 400, "malformed JSON"),
        ("POST", "/predict", b'{"texts": "one sentence"}', 422, "texts: Input should be a valid list"),
        ("POST", "/predict", b'{"texts": [1]}', 422, "texts[0]: Input should be a valid string"),
        ("POST", "/predict", b'{"texts": ["a"], "explain": "no"}', 422, "explain: Input should be a valid boolean"),
        ("POST", "/predict", b'{"texts": []}', 422, "texts: List should have at least 1 item"),
        ("POST", "/predict", b'{"texts": ["  "]}', 422, "texts: item 0 is empty"),
        ("POST", "/predict", json.dumps({"texts": ["a"] * 6}).encode(), 413, "6 texts; at most 5 per request"),
        ("POST", "/predict", json.dumps({"texts": ["a", "b" * 201]}).encode(), 413, "texts[1] has 201 characters"),
        ("POST", "/predict", b"", 400, "malformed JSON: the body is empty"),
        ("POST", "/predict", b'{"texts": ["\xff"]}', 400, "malformed JSON: not UTF-8 (byte 12 of the body)"),
        pytest.param("POST", "/predict", b"[" * 100_000 + b"]" * 100_000, 400, "nested too deeply", id="deep"),
        pytest.param("POST", "/predict", b"9" * 5000, 400, "Exceeds the limit (4300 digits)", id="long-number"),
        ("POST", "/predict", b'{"texts": ["a"], "top": 1e400}', 422, "top: Input should be a valid integer"),
        ("POST", "/predict", b'{"texts": [{"a": [[1]]}]}', 422, "texts[0]: Input should be a valid string"),
        ("POST", "/predict", b"[]", 422, "body: Input should be a valid dictionary"),
        # JSON may escape half of a surrogate pair alone; it is no character, and cannot be answered in UTF-8.
        ("POST", "/predict", b'{"texts": ["\\ud800"]}', 422, "texts[0] is not valid Unicode: an unpaired surrogate"),
        ("POST", "/predict", b'{"texts": ["ok", "dark \\udc00 night"]}', 422, "texts[1] is not valid Unicode"),
        ("POST", "/predict", b'{"texts": ["a"], "\\ud800": 1}', 422, "body: a key is not valid Unicode"),
        ("POST", "/attribute", b'{"text": "  "}', 422, "text is empty"),
        ("POST", "/attribute", b'{"texts": ["a"]}', 422, "text: Field required"),
        (
            "POST",
            "/attribute",
            b'{"text": "a", "window": 0}',
            422,
            "window: Input should be greater than or equal to 1",
        ),
        ("POST", "/attribute", b'{"text": "a", "step": "2"}', 422, "step: Input should be a valid integer"),
        (
            "POST",
            "/attribute",
            json.dumps({"text": "a" * 5001}).encode(),
            413,
            "text has 5001 characters; at most 5000",
        ),
        ("POST", "/attribute", b'{"text": "dark \\ud800 night"}', 422, "text is not valid Unicode"),
        ("GET", "/nowhere", None, 404, "GET /nowhere: not found"),
        ("GET", "/static/nowhere.js", None, 404, "GET /static/nowhere.js: not found"),
        ("GET", "/predict", None, 405, "GET /predict: method not allowed"),
        ("DELETE", "/model", None, 405, "DELETE /model: method not allowed"),
    ],
)
def test_a_bad_request_gets_its_status_and_one_line_of_json(client, method, path, body, status, error):
    answer = client.request(method, path, content=body, headers=JSON)
    assert answer.status_code == status
    assert list(answer.json()) == ["error"] and error in answer.json()["error"] and "\n" not in answer.json()["error"]


def test_an_unpaired_surrogate_is_named_with_where_it_is(client):
    answer = client.post("/predict", content=b'{"texts": ["ok", "dark \\udc00 night"]}', headers=JSON)
    assert answer.json() == {"error": "texts[1] is not valid Unicode: an unpaired surrogate \\udc00 at character 5"}


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_body_not_sent_as_json_is_refused_with_415(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    answer = client.post("/predict", content=json.dumps({"texts": SENTENCES}).encode(), headers=headers)
    assert answer.status_code == 415
    assert answer.json() == {"error": "POST /predict takes JSON: send it with Content-Type: application/json"}


@pytest.mark.parametrize(
    "text",
    ["a NUL \x00 inside", "\x00", "a pair of surrogates, one character: \U0001f319", "zero\u200bwidth", "\ufeffBOM"],
)
def test_odd_but_valid_unicode_is_scored_and_answered_as_sent(client, text):
    body = json.dumps({"texts": [text], "explain": True, "top": 10**30})  # all but ASCII as \\u escapes
    answer = client.post("/predict", content=body.encode(), headers=JSON)
    assert answer.status_code == 200 and answer.json()[0]["text"] == text


def test_explanations_from_a_model_without_reasons_are_refused(tmp_path, train_csv):
    model_dir = tmp_path / "m"
    args = ["fit", str(train_csv), "--model-dir", str(model_dir), "--models", "mnb_words,svm_words", "--quiet"]
    fit = CliRunner().invoke(main, args)
    assert fit.exit_code == 0, fit.output
    with TestClient(create_app(SpookyClassifier.load(model_dir), model_dir, LIMITS)) as client:
        assert client.get("/model").json()["explained_by"] is None
        answer = client.post("/predict", json={"texts": ["The raven ; end."], "explain": True})
        assert answer.status_code == 422 and "explanations need one of the models nblr, lm" in answer.json()["error"]
        assert client.post("/predict", json={"texts": ["The raven ; end."]}).status_code == 200


def test_concurrent_requests_each_get_their_own_sentences_answers(client):
    batches = [[SENTENCES[i % 3], SENTENCES[(i + 1) % 3]][: 1 + i % 2] for i in range(20)]

    def ask(texts):
        return client.post("/predict", json={"texts": texts, "explain": True})

    alone = [ask(texts).json() for texts in batches]
    with ThreadPoolExecutor(max_workers=20) as threads:
        together = list(threads.map(ask, batches))
    assert [answer.status_code for answer in together] == [200] * 20
    assert [answer.json() for answer in together] == alone


def test_the_page_and_its_files_come_from_the_package_and_may_load_nothing_else(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-security-policy"] == "default-src 'self'"
    assets = ("static/style.css", "static/map.css", "static/map.js", "static/app.js")
    assert all(f'="{asset}"' in page.text for asset in assets)
    for asset in assets:
        answer = client.get(f"/{asset}")
        text = answer.text.replace(SVG_NAMESPACE, "")
        assert answer.status_code == 200 and "http://" not in text and "https://" not in text


def test_only_loopback_addresses_count_as_private():
    assert [is_loopback(host) for host in ("127.0.0.1", "127.0.0.2", "::1", "localhost")] == [True] * 4
    assert [is_loopback(host) for host in ("0.0.0.0", "::", "192.168.1.10", "example.org")] == [False] * 4


def test_serve_on_a_non_loopback_address_warns_that_there_is_no_authentication(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "0", "--model-dir", str(tmp_path)])
    assert result.exit_code == 1  # no model there: it stops before serving
    warning = "warning: listening on 0.0.0.0, other machines can reach the server, and it has no authentication"
    assert result.stderr.splitlines()[0] == warning


def test_serve_on_a_taken_port_is_one_line(served_model_dir):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port), "--model-dir", str(served_model_dir)])
    assert result.exit_code == 1
    assert re.fullmatch(
        rf"Error: cannot listen on 127\.0\.0\.1 port {port}: .*; choose another --host or --port\n", result.output
    )


def test_ctrl_c_stops_serve_with_130_one_line_and_no_process_left(served_model_dir):
    import urllib.request

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [
        sys.executable,
        "-c",
        "from lstm_spooky.ui.cli import main; main()",
        "serve",
        "--port",
        "0",
        "--model-dir",
        str(served_model_dir),
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
        preexec_fn=default_stop_signals,
    )
    try:
        serving = process.stdout.readline()  # printed once the model is loaded and its networks answered
        address = re.search(r"http://\S+/", serving).group(0)
        assert json.load(urllib.request.urlopen(address + "health", timeout=30)) == {"status": "ok"}
        children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
        assert children  # the networks' process (and multiprocessing's resource tracker)
        os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to the whole process group
        stderr = process.communicate(timeout=60)[1]
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines() == ["stopped serving"]
    deadline = time.monotonic() + 10
    while any(is_running(child) for child in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [child for child in children if is_running(child)]
