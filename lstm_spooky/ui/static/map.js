// A passage map, drawn from one row of `attribute --rolling --json` (or POST /attribute) and the text it maps:
// each label's probability along the text (an SVG line per label), a band of the most probable label per window
// (its confidence as the colour's strength), and the text beneath, each window's sentences shaded the same way.
// Clicking a window of the band, or pressing Enter on it, jumps to its sentences; pointing at a sentence, or moving
// to it with the keyboard, colours its words by the label each pushed towards hardest.
// Used by `attribute --html` (inlined in the page) and by `serve`'s document mode.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const PLOT = { width: 1000, top: 8, bottom: 172, bandTop: 182, bandBottom: 214 };

function rgb(hex) {
  return [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
}

function tinted(hex, strength) {
  return `rgba(${rgb(hex).join(", ")}, ${strength.toFixed(3)})`;
}

// The label's hue, saturated and dark enough to tell eleven lines apart on white (the pastel itself is for
// backgrounds); a grey stays grey.
function darker(hex) {
  const [r, g, b] = rgb(hex).map((c) => c / 255);
  const high = Math.max(r, g, b);
  const range = high - Math.min(r, g, b);
  if (range < 0.05) return "rgb(85, 85, 85)";
  const sector = high === r ? ((g - b) / range + 6) % 6 : high === g ? (b - r) / range + 2 : (r - g) / range + 4;
  return `hsl(${Math.round(sector * 60)}, 75%, 38%)`;
}

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG, name);
  Object.entries(attributes).forEach(([key, value]) => element.setAttribute(key, value));
  return element;
}

function best(probabilities) {
  return Object.entries(probabilities).reduce((a, b) => (b[1] > a[1] ? b : a));
}

// How sure a window is, from 0 (the uniform answer) to 1 (certain), for the colour's strength.
function confidence(p, nLabels) {
  return Math.max(0, (p - 1 / nLabels) / (1 - 1 / nLabels));
}

function describeWindow(row, i) {
  const w = row.windows[i];
  const ranked = Object.entries(w.probabilities).sort((a, b) => b[1] - a[1]).slice(0, 3);
  return (
    `Window ${i + 1} of ${row.windows.length}: sentences ${w.sentences[0] + 1}\u2013${w.sentences[1]} ` +
    `(${w.words.toLocaleString()} words): ` +
    ranked.map(([label, p]) => `${label} ${p.toFixed(3)}`).join(", ")
  );
}

// Each window's cell along the text, in sentences: from its start to the next window's (the band's cells tile
// the text however the windows overlap).
function cells(row) {
  return row.windows.map((w, i) => [w.sentences[0], i + 1 < row.windows.length ? row.windows[i + 1].sentences[0] : row.sentences]);
}

function drawPlot(row, colours, labels) {
  const n = Math.max(row.sentences, 1);
  const x = (sentence) => (PLOT.width * sentence) / n;
  const y = (p) => PLOT.bottom - p * (PLOT.bottom - PLOT.top);
  const svg = svgElement("svg", {
    viewBox: `0 0 ${PLOT.width} ${PLOT.bandBottom}`,
    preserveAspectRatio: "none",
    class: "map-plot",
    role: "group",
    "aria-label": "Each label's probability along the text, and below it the most probable label of each window",
  });
  [0, 0.25, 0.5, 0.75, 1].forEach((p) =>
    svg.append(svgElement("line", { x1: 0, x2: PLOT.width, y1: y(p), y2: y(p), class: "grid" })),
  );
  labels.forEach((label) => {
    const points = row.windows.map((w) => {
      const middle = row.windows.length > 1 ? (w.sentences[0] + w.sentences[1]) / 2 : null;
      return middle === null
        ? `0,${y(w.probabilities[label])} ${PLOT.width},${y(w.probabilities[label])}`
        : `${x(middle)},${y(w.probabilities[label])}`;
    });
    svg.append(svgElement("polyline", { points: points.join(" "), stroke: darker(colours[label]), class: "line" }));
  });
  // Chromium puts an SVG group with key listeners in the tab order: its cells take the focus, not the group.
  const band = svgElement("g", { class: "band", tabindex: -1 });
  cells(row).forEach(([start, stop], i) => {
    const [label, p] = best(row.windows[i].probabilities);
    const rect = svgElement("rect", {
      x: x(start),
      width: Math.max(x(stop) - x(start), 0.5),
      y: PLOT.bandTop,
      height: PLOT.bandBottom - PLOT.bandTop,
      fill: colours[label],
      "fill-opacity": (0.2 + 0.8 * confidence(p, labels.length)).toFixed(3),
      tabindex: i === 0 ? 0 : -1,
      role: "button",
      "aria-label": describeWindow(row, i),
      "data-window": i,
    });
    rect.append(svgElement("title", {}));
    rect.firstChild.textContent = describeWindow(row, i);
    band.append(rect);
  });
  svg.append(band);
  return svg;
}

function legend(labels, colours) {
  const list = document.createElement("ul");
  list.className = "map-legend";
  labels.forEach((label) => {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = darker(colours[label]);
    item.append(swatch, label);
    list.append(item);
  });
  return list;
}

// The text, one span per window cell holding its sentences (each a span that can take the keyboard's focus).
function drawText(row, text, colours, labels) {
  const article = document.createElement("div");
  article.className = "map-text";
  const spans = row.sentence_spans;
  let at = 0;
  cells(row).forEach(([start, stop], i) => {
    const [label, p] = best(row.windows[i].probabilities);
    const cell = document.createElement("span");
    cell.className = "map-window";
    cell.dataset.window = i;
    cell.style.background = tinted(colours[label], 0.08 + 0.4 * confidence(p, labels.length));
    const end = stop < spans.length ? spans[stop][0] : text.length;
    for (let s = start; s < stop; s += 1) {
      cell.append(text.slice(at, spans[s][0]));
      const sentence = document.createElement("span");
      sentence.className = "map-sentence";
      sentence.dataset.sentence = s;
      sentence.tabIndex = s === 0 ? 0 : -1;
      sentence.textContent = text.slice(spans[s][0], spans[s][1]);
      cell.append(sentence);
      at = spans[s][1];
    }
    cell.append(text.slice(at, end));
    at = end;
    article.append(cell);
  });
  article.append(text.slice(at));
  return article;
}

// Roving focus: one tab stop for a group, the arrow keys (and Home, End) move within it.
function roving(container, selector, keys, onMove) {
  container.addEventListener("keydown", (event) => {
    const items = [...container.querySelectorAll(selector)];
    const from = items.indexOf(document.activeElement);
    const to = { [keys[0]]: from - 1, [keys[1]]: from + 1, Home: 0, End: items.length - 1 }[event.key];
    if (from < 0 || to === undefined || to < 0 || to >= items.length) return;
    event.preventDefault();
    items[from].setAttribute("tabindex", -1);
    items[to].setAttribute("tabindex", 0);
    items[to].focus();
    if (onMove) onMove(items[to]);
  });
}

// Draws the map of `row` over `text` into `container`. `reasonsOf(i)` gives a promise of sentence i's words:
// [{start, end, label, score}] in the sentence's own characters (or null when the model gives no reasons).
function drawMap(container, row, text, colours, reasonsOf) {
  const labels = Object.keys(row.probabilities);
  const caption = document.createElement("p");
  caption.className = "map-caption";
  caption.setAttribute("aria-live", "polite");
  caption.textContent = row.windows.length
    ? `${row.windows.length} windows of ${row.window} sentences, one every ${row.step}. Choose a window to read it.`
    : "The text has no sentence to map.";
  const plot = drawPlot(row, colours, labels);
  const body = drawText(row, text, colours, labels);
  const detail = document.createElement("p");
  detail.className = "map-detail";
  detail.setAttribute("aria-live", "polite");
  detail.textContent = "Point at a sentence, or tab to the text and move with the arrow keys, to see its words' reasons.";
  const axis = document.createElement("p");
  axis.className = "map-axis";
  axis.setAttribute("aria-hidden", "true");
  const ends = ["sentence 1", `sentence ${row.sentences.toLocaleString()}`].map((words) => {
    const end = document.createElement("span");
    end.textContent = words;
    return end;
  });
  axis.append(ends[0], "lines: probability, 0 to 1 \u00b7 band: the likeliest label, stronger when surer", ends[1]);
  container.replaceChildren(legend(labels, colours), plot, axis, caption, body, detail);

  const band = plot.querySelector(".band");
  const jump = (rect) => {
    const i = Number(rect.dataset.window);
    const first = body.querySelector(`.map-sentence[data-sentence="${row.windows[i].sentences[0]}"]`);
    if (!first) return;
    body.querySelectorAll(".map-sentence[tabindex='0']").forEach((s) => s.setAttribute("tabindex", -1));
    first.setAttribute("tabindex", 0);
    first.scrollIntoView({ block: "center" });
    first.focus({ preventScroll: true });
  };
  band.addEventListener("click", (event) => event.target.closest("rect") && jump(event.target.closest("rect")));
  band.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      jump(event.target);
    }
  });
  band.addEventListener("focusin", (event) => {
    caption.textContent = describeWindow(row, Number(event.target.dataset.window));
  });
  roving(band, "rect", ["ArrowLeft", "ArrowRight"]);
  roving(body, ".map-sentence", ["ArrowUp", "ArrowDown"]);

  let shown = null; // the sentence whose words are coloured
  const explain = async (sentence) => {
    if (sentence === shown) return;
    if (shown) shown.textContent = shown.textContent;
    shown = sentence;
    const i = Number(sentence.dataset.sentence);
    const tokens = await reasonsOf(i);
    if (shown !== sentence) return;
    if (!tokens) {
      detail.textContent = `Sentence ${i + 1}: the model gives no reasons for its words.`;
      return;
    }
    colourWords(sentence, tokens, colours);
    detail.textContent = sentenceReasons(i, tokens, labels);
  };
  ["mouseover", "focusin"].forEach((kind) =>
    body.addEventListener(kind, (event) => {
      const sentence = event.target.closest(".map-sentence");
      if (sentence) explain(sentence).catch((error) => (detail.textContent = error.message));
    }),
  );
}

function colourWords(sentence, tokens, colours) {
  const said = sentence.textContent;
  const strongest = Math.max(0, ...tokens.map((t) => t.score));
  const pieces = [];
  let at = 0;
  tokens.forEach((token) => {
    if (token.end <= token.start || token.score <= 0) return;
    const mark = document.createElement("mark");
    mark.textContent = said.slice(token.start, token.end);
    mark.style.background = tinted(colours[token.label], Math.max(0.25, token.score / strongest));
    mark.title = `${mark.textContent}: towards ${token.label} +${token.score.toFixed(2)}`;
    pieces.push(said.slice(at, token.start), mark);
    at = token.end;
  });
  pieces.push(said.slice(at));
  sentence.replaceChildren(...pieces);
}

// One line per label: the words of the sentence that pushed towards it hardest, strongest first.
function sentenceReasons(i, tokens, labels) {
  const lines = labels.map((label) => {
    const words = tokens
      .filter((t) => t.label === label && t.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, 4)
      .map((t) => `${t.word} +${t.score.toFixed(2)}`);
    return words.length ? `${label}: ${words.join("  ")}` : null;
  });
  return [`Sentence ${i + 1}: each word in the colour of the label it pushed towards hardest.`, ...lines.filter(Boolean)].join("\n");
}
