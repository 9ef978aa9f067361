// lstm-spooky serve's page: read GET /model once, then send each sentence to POST /predict and draw
// the answer: one bar per label, and the sentence with each word in the colour of the label it pushed towards.
// In document mode, send a whole text to POST /attribute and draw its verdict and passage map (map.js).
"use strict";

const page = {
  facts: document.getElementById("model-facts"),
  form: document.getElementById("ask"),
  button: document.querySelector("#ask button"),
  sentence: document.getElementById("sentence"),
  status: document.getElementById("status"),
  result: document.getElementById("result"),
  verdict: document.getElementById("verdict"),
  labels: document.getElementById("labels"),
  why: document.getElementById("why"),
  whySource: document.getElementById("why-source"),
  coloured: document.getElementById("coloured"),
  detail: document.getElementById("word-detail"),
  modes: document.querySelectorAll("input[name=mode]"),
  documentForm: document.getElementById("attribute"),
  documentButton: document.querySelector("#attribute button"),
  documentText: document.getElementById("document"),
  documentFile: document.getElementById("document-file"),
  window: document.getElementById("window"),
  working: document.getElementById("working"),
  documentResult: document.getElementById("document-result"),
  documentVerdict: document.getElementById("document-verdict"),
  documentLabels: document.getElementById("document-labels"),
  map: document.getElementById("map"),
};
let documentName = "text"; // the dropped or chosen file's name, else "text"
let model = null; // GET /model's answer

async function getJSON(url, options) {
  const response = await fetch(url, options);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || `${response.status} ${response.statusText}`);
  return body;
}

function say(message, isError) {
  page.status.textContent = message;
  page.status.classList.toggle("error", Boolean(isError));
}

function signed(score) {
  return (score >= 0 ? "+" : "\u2212") + Math.abs(score).toFixed(2);
}

// The label's colour at `strength` (0 to 1) as an rgba() background.
function tint(label, strength) {
  const hex = model.colours[label];
  const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${strength.toFixed(3)})`;
}

function showModel() {
  const cv = model.cv;
  const scope = cv.folds > 1 ? `${cv.folds}-fold out-of-fold` : "validation";
  page.facts.replaceChildren(
    "Labels ",
    ...model.labels.flatMap((label, k) => [k ? ", " : "", labelName(label)]),
    ` \u00b7 ${scope} log loss ${cv.log_loss.toFixed(4)} (${cv.rows} rows)`,
    ` \u00b7 fitted ${new Date(model.fitted).toLocaleString()}`,
    ` \u00b7 lstm-spooky ${model.version}`,
  );
}

function labelName(label) {
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = label;
  name.style.background = model.colours[label];
  return name;
}

function showRow(row) {
  page.verdict.textContent = `${row.label} ${row.probabilities[row.label].toFixed(3)}`;
  page.labels.replaceChildren(...model.labels.map((label) => labelRow(row, label)));
  page.why.hidden = !row.tokens;
  if (row.tokens) {
    page.whySource.textContent = `Reasons: ${model.explained_by}; scores add up per label.`;
    showColoured(row);
  }
  page.result.hidden = false;
}

// One label: its name, its probability as a bar and a number, and the words that pushed towards it.
function labelRow(row, label) {
  const p = row.probabilities[label];
  const item = document.createElement("li");
  item.dataset.label = label;
  const bar = document.createElement("span");
  bar.className = "bar";
  bar.setAttribute("aria-hidden", "true");
  const fill = document.createElement("span");
  fill.className = "fill";
  fill.style.width = `${(100 * p).toFixed(2)}%`;
  fill.style.background = model.colours[label];
  bar.append(fill);
  const value = document.createElement("span");
  value.className = "value";
  value.textContent = p.toFixed(3);
  item.append(labelName(label), bar, value);
  if (row.reasons) {
    const reasons = document.createElement("span");
    reasons.className = "reasons";
    const words = row.reasons[label].map((reason) => `${reason.token} ${signed(reason.score)}`);
    reasons.textContent = words.join("  ") || "(no word pushed towards it)";
    item.append(reasons);
  }
  return item;
}

// The sentence as it was typed, each token a focusable mark: the colour of the label it pushed
// hardest towards, as strong as its push relative to the sentence's strongest.
function showColoured(row) {
  const best = row.tokens.map((token) => Math.max(...Object.values(token.scores)));
  const strongest = Math.max(0, ...best);
  const pieces = [];
  let at = 0;
  row.tokens.forEach((token, i) => {
    if (token.end <= token.start) return; // a token without a trustworthy span (explain.token_spans)
    const label = model.labels.find((name) => token.scores[name] === best[i]);
    const mark = document.createElement("mark");
    mark.className = "token";
    mark.textContent = row.text.slice(token.start, token.end);
    mark.tabIndex = -1;
    if (best[i] > 0 && strongest > 0) {
      mark.dataset.label = label;
      mark.style.background = tint(label, Math.max(0.15, best[i] / strongest));
    }
    mark.dataset.tip = tokenScores(token, best[i] > 0 ? label : null);
    pieces.push(row.text.slice(at, token.start), mark);
    at = token.end;
  });
  pieces.push(row.text.slice(at));
  page.coloured.replaceChildren(...pieces);
  const first = page.coloured.querySelector(".token");
  if (first) first.tabIndex = 0;
}

function tokenScores(token, label) {
  const lines = model.labels.map((name) => `${name} ${signed(token.scores[name])}`);
  const pushed = label ? `pushed towards ${label}` : "pushed towards no label";
  return `${token.token}: ${pushed}\n${lines.join("\n")}`;
}

function showDetail(event) {
  const mark = event.target.closest(".token");
  if (mark) page.detail.textContent = mark.dataset.tip;
}

// Arrow keys, Home and End move between the sentence's words (one tab stop for the whole sentence).
function moveBetweenWords(event) {
  const marks = [...page.coloured.querySelectorAll(".token")];
  const from = marks.indexOf(document.activeElement);
  const to = { ArrowRight: from + 1, ArrowLeft: from - 1, Home: 0, End: marks.length - 1 }[event.key];
  if (from < 0 || to === undefined || to < 0 || to >= marks.length) return;
  event.preventDefault();
  marks[from].tabIndex = -1;
  marks[to].tabIndex = 0;
  marks[to].focus();
}

async function ask(event) {
  event.preventDefault();
  const text = page.sentence.value.trim();
  if (!text) {
    say("Type a sentence first.", true);
    return;
  }
  say("Reading it\u2026");
  try {
    const explain = model.explained_by !== null;
    const [row] = await getJSON("predict", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ texts: [text], explain }),
    });
    showRow(row);
    say("");
  } catch (error) {
    say(error.message, true);
  }
}

function showMode() {
  const mode = document.querySelector("input[name=mode]:checked").value;
  page.form.hidden = mode !== "sentence";
  page.result.hidden = mode !== "sentence" || !page.verdict.textContent;
  page.documentForm.hidden = mode !== "document";
  page.documentResult.hidden = mode !== "document" || !page.documentVerdict.textContent;
  say("");
}

async function readFile(file) {
  if (!file) return;
  if (file.size > model.documents.max_chars * 4) {
    say(`${file.name} is too large: at most ${model.documents.max_chars.toLocaleString()} characters`, true);
    return;
  }
  page.documentText.value = await file.text();
  documentName = file.name;
  say(`Read ${file.name}: ${page.documentText.value.length.toLocaleString()} characters.`);
}

// A sentence's words for the map, from POST /predict's reasons: each word with the label it pushed towards hardest.
async function sentenceWords(text) {
  if (model.explained_by === null) return null;
  const [row] = await getJSON("predict", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ texts: [text], explain: true }),
  });
  return row.tokens.map((token) => {
    const [label, score] = best(token.scores);
    return { start: token.start, end: token.end, label, score, word: token.token };
  });
}

// The request goes out and the page stays usable: a bar that moves and the seconds spent, until the answer.
async function attribute(event) {
  event.preventDefault();
  const text = page.documentText.value;
  if (!text.trim()) {
    say("Paste or drop a text first.", true);
    return;
  }
  if (text.length > model.documents.max_chars) {
    say(`The text has ${text.length.toLocaleString()} characters; at most ${model.documents.max_chars.toLocaleString()}.`, true);
    return;
  }
  const started = Date.now();
  const waiting = `Attributing ${text.length.toLocaleString()} characters`;
  say(`${waiting}\u2026`);
  const ticking = setInterval(() => say(`${waiting}\u2026 ${Math.round((Date.now() - started) / 1000)} s`), 1000);
  page.working.hidden = false;
  page.documentButton.disabled = true;
  try {
    const body = { text, name: documentName };
    if (page.window.value) body.window = Number(page.window.value);
    const row = await getJSON("attribute", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    showDocument(row, text);
    say(`${row.sentences.toLocaleString()} sentences, ${row.words.toLocaleString()} words, in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } catch (error) {
    say(error.message, true);
  } finally {
    clearInterval(ticking);
    page.working.hidden = true;
    page.documentButton.disabled = false;
  }
}

function showDocument(row, text) {
  page.documentVerdict.textContent = `${row.label} ${row.probabilities[row.label].toFixed(3)}`;
  page.documentLabels.replaceChildren(...model.labels.map((label) => labelRow(row, label)));
  page.documentResult.hidden = false;
  const reasonsOf = (i) => sentenceWords(text.slice(...row.sentence_spans[i]));
  drawMap(page.map, row, text, model.colours, reasonsOf);
}

page.form.addEventListener("submit", ask);
page.modes.forEach((input) => input.addEventListener("change", showMode));
page.documentForm.addEventListener("submit", attribute);
page.documentFile.addEventListener("change", () => readFile(page.documentFile.files[0]));
page.documentText.addEventListener("input", () => (documentName = "text"));
page.documentText.addEventListener("dragover", (event) => event.preventDefault());
page.documentText.addEventListener("drop", (event) => {
  event.preventDefault();
  readFile(event.dataTransfer.files[0]);
});
page.sentence.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
  event.preventDefault();
  page.form.requestSubmit();
});
page.coloured.addEventListener("focusin", showDetail);
page.coloured.addEventListener("mouseover", showDetail);
page.coloured.addEventListener("keydown", moveBetweenWords);

getJSON("model")
  .then((answer) => {
    model = answer;
    showModel();
    page.button.disabled = false;
    page.documentButton.disabled = !model.documents.attributes;
    if (!model.documents.attributes) {
      page.documentFile.disabled = true;
      document.getElementById("document-hint").textContent =
        "This model cannot weigh whole texts (it was saved by an earlier version): fit it again.";
    }
  })
  .catch((error) => say(`Could not read the model: ${error.message}`, true));
