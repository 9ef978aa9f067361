"""`lstm-spooky serve`: a web page and a JSON API over one model, loaded once.

    GET  /          the page: static/index.html, style.css and app.js (plain files, nothing fetched from elsewhere)
    POST /predict   {"texts": [...], "explain": false, "top": 3} -> the rows `predict --json` prints
                    (predictions.py)
    POST /attribute {"text": "...", "window": N, "step": K, "name": "..."} -> the row `attribute --rolling N
                    --step K --json` prints for the text: its verdict and its passage map (attribution.py);
                    window and step may be left out (the command's defaults), name is the row's "document"
    GET  /model     labels and their colours, package version, when fitted, settings, cross-validated scores,
                    and whether /attribute can answer ("documents")
    GET  /health    {"status": "ok"}, or 503 and /predict's error once the networks' process has ended
    HEAD            /, /model, /health and /static/...: as GET, without the body

Every error is a status and one line of JSON, {"error": "..."}: malformed JSON (an empty body,
not UTF-8, nested too deeply) 400; a body not sent as JSON 415; a wrong type, an empty text, a
text that is not valid Unicode (an unpaired surrogate such as "\\ud800", which JSON allows) or
explanations from a model that has none 422; too many texts or too long a text 413; an unknown
path 404; a wrong method 405; the networks' process gone 503.

The command loads the model with its networks in a second process, as `submit` does.
Requests are answered in a pool of threads, but the model is not known to be thread-safe,
so they take turns to score (one lock): a sentence takes tens of milliseconds, and a batch already
uses both cores. Built on FastAPI and uvicorn (the serve extra); only `serve` imports this
module.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from .._version import __version__
from ..data.corpus import validate_texts
from ..ensemble.explanation import source_description
from ..ensemble.network_process import NetworkLoadError, failure_message
from ..models.registry import explaining_model
from ..store.model_dir import CONFIG_FILE, read_model_meta
from .attribution import attribution_row
from .highlight import HTML_COLOURS
from .predictions import prediction_rows

STATIC = Path(__file__).with_name("static")
# The page may load its own files only, so it works, and reveals nothing, without the internet.
PAGE_POLICY = "default-src 'self'"
WARM_UP_TEXT = "It was a dark and stormy night."
GRACE_SECONDS = 5  # at a stop, how long requests being answered may take to finish
TOO_LARGE = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
# HEAD answers as GET does, without the body (uvicorn leaves it out): what monitors and link checkers ask.
GET_OR_HEAD = ["GET", "HEAD"]


@dataclass(frozen=True)
class Limits:
    """What one /predict or /attribute request may ask for; more is refused with 413 (defaults: `serve --help`)."""

    max_texts: int
    max_chars: int
    max_document_chars: int


class PredictRequest(BaseModel):
    """The body of POST /predict."""

    # Strict: "explain": "no" is an error rather than true, and a misspelt key is not ignored.
    model_config = ConfigDict(strict=True, extra="forbid")

    texts: list[str] = Field(min_length=1)
    explain: bool = False
    top: int = Field(3, ge=1)


class AttributeRequest(BaseModel):
    """The body of POST /attribute."""

    model_config = ConfigDict(strict=True, extra="forbid")

    text: str
    window: int | None = Field(None, ge=1)
    step: int | None = Field(None, ge=1)
    name: str = "text"


def create_app(model, model_dir: Path, limits: Limits) -> FastAPI:
    """The page and the API over `model`, a SpookyClassifier loaded from `model_dir`."""
    summary = model_summary(model_dir)
    summary["documents"] = {"attributes": model.documents_ is not None, "max_chars": limits.max_document_chars}
    scoring = threading.Lock()
    # No generated API docs: their pages load scripts from a CDN.
    app = FastAPI(title="lstm-spooky", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.api_route("/", methods=GET_OR_HEAD)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Content-Security-Policy": PAGE_POLICY})

    @app.api_route("/health", methods=GET_OR_HEAD)
    def health() -> dict:
        if not model.can_score():  # /predict would answer 503: say so now, as it would
            raise HTTPException(HTTPStatus.SERVICE_UNAVAILABLE, failure_message(BrokenProcessPool()))
        return {"status": "ok"}

    @app.api_route("/model", methods=GET_OR_HEAD)
    def model_info() -> dict:
        return summary

    @app.post("/predict")
    def predict(request: PredictRequest) -> JSONResponse:
        check_request(request, limits, summary["settings"]["models"])
        try:
            with scoring:
                rows = prediction_rows(model, request.texts, request.explain, request.top)
        except (BrokenProcessPool, NetworkLoadError) as error:
            raise HTTPException(HTTPStatus.SERVICE_UNAVAILABLE, failure_message(error)) from None
        return JSONResponse(rows)  # already JSON-ready: FastAPI's encoder would walk every token again

    @app.post("/attribute")
    def attribute(request: AttributeRequest) -> JSONResponse:
        check_document(request, limits, model.documents_ is not None)
        try:
            with scoring:
                row = attribution_row(model, request.text, request.window, request.step, request.name)
        except (BrokenProcessPool, NetworkLoadError) as error:
            raise HTTPException(HTTPStatus.SERVICE_UNAVAILABLE, failure_message(error)) from None
        return JSONResponse(row)

    _answer_errors_in_one_line(app)
    return app


def check_request(request: PredictRequest, limits: Limits, models: list[str]) -> None:
    """Refuse, as HTTPException, what no scoring should start on: too much (413), an empty text or
    explanations from a model without reasons (422)."""
    if len(request.texts) > limits.max_texts:
        raise HTTPException(TOO_LARGE, f"{len(request.texts)} texts; at most {limits.max_texts} per request")
    for i, text in enumerate(request.texts):
        if len(text) > limits.max_chars:
            message = f"texts[{i}] has {len(text)} characters; at most {limits.max_chars} per text"
            raise HTTPException(TOO_LARGE, message)
        if (at := unpaired_surrogate(text)) is not None:
            message = f"texts[{i}] is not valid Unicode: an unpaired surrogate \\u{ord(text[at]):04x} at character {at}"
            raise HTTPException(HTTPStatus.UNPROCESSABLE_ENTITY, message)
    try:
        validate_texts(request.texts, source="texts")
        if request.explain:
            explaining_model(models)
    except ValueError as error:
        raise HTTPException(HTTPStatus.UNPROCESSABLE_ENTITY, str(error)) from None


def check_document(request: AttributeRequest, limits: Limits, calibrated: bool) -> None:
    """Refuse, as HTTPException, a text no verdict should start on: too long (413), empty or not valid Unicode
    (422), or a model that cannot weigh documents (422)."""
    if len(request.text) > limits.max_document_chars:
        message = f"text has {len(request.text)} characters; at most {limits.max_document_chars} per text"
        raise HTTPException(TOO_LARGE, message)
    if not request.text.strip():
        raise HTTPException(HTTPStatus.UNPROCESSABLE_ENTITY, "text is empty: send the text to attribute")
    if (at := unpaired_surrogate(request.text)) is not None:
        message = f"text is not valid Unicode: an unpaired surrogate \\u{ord(request.text[at]):04x} at character {at}"
        raise HTTPException(HTTPStatus.UNPROCESSABLE_ENTITY, message)
    if not calibrated:
        message = "this model has no document calibration (saved by an earlier version); fit it again to attribute"
        raise HTTPException(HTTPStatus.UNPROCESSABLE_ENTITY, message)


def unpaired_surrogate(text: str) -> int | None:
    """Where `text` holds an unpaired surrogate, or None. JSON may escape one ("\\ud800"), but it is
    no character: it can be neither read as a word nor written back in UTF-8.

    >>> unpaired_surrogate("dark \\ud800 night"), unpaired_surrogate("dark \\U0001f319 night")
    (5, None)
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return error.start
    return None


def model_summary(model_dir: Path) -> dict:
    """GET /model: the labels with their colours (the report's), where the reasons come from (None
    when the model has none), the package version, when the model was fitted, its settings and
    its cross-validated scores."""
    meta = read_model_meta(model_dir, check_files=False)  # the model is loaded: its files were checked
    labels = [str(label) for label in meta["classes"]]
    try:
        explained_by = source_description(explaining_model(meta["config"]["models"]))
    except ValueError:
        explained_by = None
    return {
        "labels": labels,
        "colours": {label: HTML_COLOURS[k % len(HTML_COLOURS)] for k, label in enumerate(labels)},
        "explained_by": explained_by,
        "version": __version__,
        "fitted": fitted_at(model_dir),
        "settings": meta["config"],
        "cv": meta["cv"],
    }


def fitted_at(model_dir: Path) -> str:
    """When the model was saved, in UTC: config.json is written once, by `save`, and never after
    (a copy keeps the time only if it keeps modification times, as `cp -p` does)."""
    seconds = (Path(model_dir) / CONFIG_FILE).stat().st_mtime
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")


def warm_up(model) -> None:
    """Score one sentence before the first request does: this waits for the networks' process to
    load them (raising NetworkLoadError now if it cannot) and traces their graphs."""
    model.predict_proba([WARM_UP_TEXT])


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach a server listening on `host`.

    >>> [is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "0.0.0.0", "example.org")]
    [True, True, True, False, False]
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may stand for any address
        return False


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on `host` and `port` (0: a free one), or OSError (taken, not this machine's).

    Connections wait in its queue until the server starts, so its address can be given out at once.
    """
    # Named TCP, so that asyncio sends each answer at once (TCP_NODELAY) on the connections it accepts:
    # with protocol 0 it does not, and every answer on a kept-alive connection waited 40 ms.
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restarted server gets its port back at once
    try:
        sock.bind((host, port))
        sock.listen()
    except OSError:
        sock.close()
        raise
    return sock


def server(app: FastAPI) -> uvicorn.Server:
    """A uvicorn server for `app`: `.run(sockets=[...])` serves until SIGINT or SIGTERM, stops
    gracefully, then raises that signal again for the caller to handle. Only warnings are logged."""
    config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=GRACE_SECONDS)
    return uvicorn.Server(config)


def _answer_errors_in_one_line(app: FastAPI) -> None:
    """Every error response as {"error": "one line"}, never a traceback (the server's log keeps those)."""

    @app.exception_handler(HTTPException)
    async def refused(request: Request, error: HTTPException) -> JSONResponse:
        message = str(error.detail)
        if message == HTTPStatus(error.status_code).phrase:  # the router's own 404 and 405
            message = f"{request.method} {request.url.path}: {message.lower()}"
        elif error.status_code == HTTPStatus.BAD_REQUEST and error.__cause__ is not None:
            message = unreadable_body(error.__cause__)  # FastAPI's "There was an error parsing the body"
        return JSONResponse({"error": message}, error.status_code, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        if not is_json(request.headers.get("content-type")):  # FastAPI then reads the body as bytes
            message = f"{request.method} {request.url.path} takes JSON: send it with Content-Type: application/json"
            return JSONResponse({"error": message}, HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
        status, message = invalid_body(error.errors()[0])
        return JSONResponse({"error": message}, status)

    @app.exception_handler(Exception)
    async def failed(request: Request, error: Exception) -> JSONResponse:
        message = f"internal error ({type(error).__name__}); the server's log has the details"
        return JSONResponse({"error": message}, HTTPStatus.INTERNAL_SERVER_ERROR)


def invalid_body(first: dict) -> tuple[HTTPStatus, str]:
    """The status and line for `first`, the first of the errors FastAPI found in a JSON body:
    400 for one that is not JSON (or empty), 422 for JSON that is not a request."""
    if first["type"] == "json_invalid":
        return HTTPStatus.BAD_REQUEST, f"malformed JSON: {first['ctx']['error']}"
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"][1:]).lstrip(".")
    if first["type"] == "missing" and not where:
        return HTTPStatus.BAD_REQUEST, "malformed JSON: the body is empty"
    if first["type"] == "string_unicode":  # a key holding an unpaired surrogate: a text's, check_request's
        return HTTPStatus.UNPROCESSABLE_ENTITY, f"{where or 'body'}: a key is not valid Unicode (an unpaired surrogate)"
    return HTTPStatus.UNPROCESSABLE_ENTITY, f"{where or 'body'}: {first['msg']}"


def unreadable_body(cause: BaseException) -> str:
    """Why a body could not be parsed at all, in one line: the error Python's JSON parser raised other
    than its own JSONDecodeError.

    >>> unreadable_body(RecursionError("maximum recursion depth exceeded"))
    'malformed JSON: nested too deeply'
    """
    if isinstance(cause, UnicodeDecodeError):
        return f"malformed JSON: not UTF-8 (byte {cause.start} of the body)"
    if isinstance(cause, RecursionError):
        return "malformed JSON: nested too deeply"
    return f"malformed JSON: {str(cause).split(':')[0]}"  # a number of over 4300 digits: its first clause


def is_json(content_type: str | None) -> bool:
    """Whether a Content-Type header says JSON, as FastAPI reads it: application/json or application/*+json.

    >>> [is_json(value) for value in ("application/json; charset=utf-8", "text/plain", None)]
    [True, False, False]
    """
    media_type = (content_type or "").split(";")[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))
