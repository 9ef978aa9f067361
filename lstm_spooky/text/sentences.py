"""Whole texts split into sentences, each remembering where it stands in its text.

A stylometrist's corpus is whole novels, hard-wrapped at about 70 characters, with chapter headings
and a title block; a model of this package reads sentences. The splitter is NLTK's Punkt, trained
without supervision on the corpus's own text (no download, no pickled model), with the titles and
abbreviations of 18th-20th century prose added to what it learns (`KNOWN_ABBREVIATIONS`: "Mr.
Knightley" is one sentence). Around Punkt, what prose needs:

- a blank line ends a paragraph, and a paragraph always ends a sentence;
- within a paragraph, a line break is a space (hard-wrapped lines are joined); a line much shorter
  than the text's lines ends its paragraph (texts without blank lines mark paragraphs so), and in a
  text of one paragraph per line (its lines mostly longer than `WRAP_WIDTH`) every line is one;
- a heading standing alone (a line in capitals, "Chapter 12", a row of stars) is no sentence: it is dropped;
- Punkt's breaks after a title or before a lowercase word are undone ('"How!" replied Jones'), and a
  sentence end run into a dash is a break ("taste.--At least").

Each `Sentence` keeps its character span in the text it came from, so a verdict on it can point
back there: `text[start:end]` is the sentence as written, and `Sentence.text` the same with its
whitespace normalised (line breaks and runs of spaces made one space). Sentences come in the order
of the text. Left out: verse quoted in short lines reads as one sentence per line, and so does a
table of contents; a title block of mixed case reads as a sentence or two.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer, PunktTrainer

FORMAT_VERSION = 1
# Titles, ranks and abbreviations of 18th-20th century prose, as Punkt keeps them: lowercase, without
# the final period. One novel may use "Col." too rarely for Punkt to learn it; these it need not learn.
KNOWN_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "messrs", "mme", "mlle", "dr", "st", "col", "capt", "lieut", "gen", "maj", "sgt", "adm", "rev"}
    | {"hon", "esq", "bart", "prof", "jun", "sen", "jr", "sr", "viz", "etc", "i.e", "e.g", "cf", "ibid", "vol"}
    | {"vols", "chap", "ch", "pp", "ult", "inst", "a.m", "p.m"}
)
# Titles come before a name and never end a sentence, so a break Punkt finds after one is undone:
# "Mrs. Long" is a name even where "long" is a common word.
TITLES = ("mr", "mrs", "messrs", "mme", "mlle", "dr", "st", "col", "capt", "lieut", "gen", "maj", "sgt", "adm", "rev")
TITLE_AT_END = re.compile(rf"(?i)\b(?:{'|'.join(TITLES)})\.$")
# A sentence's start in lowercase, after any opening quotes or marks: the break before it is false.
LOWERCASE_START = re.compile(r"[^\w\s]*[^\W\d_](?<=[a-z\u00df-\u00ff])")
# A sentence's end run into a dash, then a capital: "taste.--At least".
DASHED_END = re.compile(r"(?<=[.!?])-{2,}\s*(?=[\"'(_]*[A-Z])")
# A text whose lines are mostly longer than this keeps one paragraph per line; hard-wrapped prose
# wraps at 60-76 characters (Project Gutenberg's files, "A Small Collection of British Fiction").
WRAP_WIDTH = 80
HEADING_WORDS = r"(?:chapter|book|volume|part|letter|canto|stave|section)"
# "Chapter 12", "BOOK III.", "Letter the First": a heading word and its number, and nothing else.
NUMBERED_HEADING = re.compile(rf"(?i){HEADING_WORDS}\s+(?:[ivxlcdm]+|\d+|the\s+\w+)\W*")
# The end of a line that ends a sentence: . ! or ? then closing quotes, brackets or italics marks.
SENTENCE_END = re.compile(r"[.!?][\"'\u2019\u201d)\]_]*$")


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text with whitespace normalised, and its span [start, end) in the text it came from."""

    text: str
    start: int
    end: int


def is_heading(line: str) -> bool:
    """Whether a line, standing alone, is a heading rather than prose: it has no lowercase letter
    (capitals, a roman numeral, a row of stars), or is a heading word with its number.

    >>> [is_heading(line) for line in ["CHAPTER IV", "Chapter 12.", "* * *", "WHO WILL BE THE NEW BISHOP?"]]
    [True, True, True, True]
    >>> [is_heading(line) for line in ["Mr. Knightley came.", "Part of the house", ""]]
    [False, False, False]
    """
    line = line.strip()
    return bool(line) and (not any(c.islower() for c in line) or NUMBERED_HEADING.fullmatch(line) is not None)


def short_line_length(lines: list[str]) -> float:
    """The length under which a line of `lines` ends its paragraph.

    In hard-wrapped prose (the lines' median length at most WRAP_WIDTH) a wrapped line reaches
    nearly the width, so a line under half the median length is a paragraph's last (or a title's,
    or a line of verse); in a text of one paragraph per line, every line ends one (infinity).

    >>> short_line_length(["Emma Woodhouse, handsome, clever, and rich,", "with a comfortable home and", "her."])
    13.5
    >>> short_line_length(["It is a truth universally acknowledged, that a single man " * 2])
    inf
    """
    lengths = [len(line.strip()) for line in lines if line.strip()]
    median = statistics.median(lengths) if lengths else 0
    return median / 2 if median <= WRAP_WIDTH else float("inf")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """The spans [start, end) of `text`'s paragraphs of prose, in order, headings left out.

    A paragraph ends at a blank line, before a heading and after a short line (`short_line_length`).
    A heading stands alone: after the text's start, a blank line, another heading, or a line that
    ends a paragraph or a sentence.

    >>> text = "CHAPTER I\\nIt was late when she came.\\nShe slept long and deeply,\\nand woke.\\n\\nNext day."
    >>> [text[start:end] for start, end in paragraphs(text)]
    ['It was late when she came.\\nShe slept long and deeply,\\nand woke.', 'Next day.']
    """
    lines = [(match.start(), match.group()) for match in re.finditer(r"^.*$", text, re.MULTILINE)]
    short_line = short_line_length([line for _, line in lines])
    spans: list[tuple[int, int]] = []
    open_span, alone = None, True
    for start, line in lines:
        stripped = line.strip()
        if not stripped or (alone and is_heading(stripped)):
            spans += [open_span] if open_span else []
            open_span, alone = None, True
            continue
        first = start + len(line) - len(line.lstrip())
        open_span = (open_span[0] if open_span else first, start + len(line.rstrip()))
        if len(stripped) < short_line:
            spans, open_span = spans + [open_span], None
        alone = open_span is None or SENTENCE_END.search(stripped) is not None
    return spans + [open_span] if open_span else spans


def normalise_whitespace(text: str) -> str:
    """Line breaks and runs of whitespace made one space, none at either end.

    >>> normalise_whitespace("  hard-wrapped\\r\\nlines,   joined ")
    'hard-wrapped lines, joined'
    """
    return " ".join(text.split())


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span [start, end) of `text` without the whitespace at either end.

    >>> strip_span(" It was late. ", 0, 14)
    (1, 13)
    """
    piece = text[start:end]
    start += len(piece) - len(piece.lstrip())
    return start, start + len(piece.strip())


def split_after_dashes(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans of `text`, each also cut where a sentence's end runs into a dash and a capital
    ("taste.--At least"), as Austen's and her contemporaries' punctuation has it; Punkt sees one word there.

    >>> text = "No disputing about taste.--At least you admire her."
    >>> [text[start:end] for start, end in split_after_dashes(text, [(0, len(text))])]
    ['No disputing about taste.--', 'At least you admire her.']
    """
    cut = []
    for start, end in spans:
        cuts = [start, *(match.end() for match in DASHED_END.finditer(text, start, end)), end]
        cut += [strip_span(text, first, last) for first, last in zip(cuts, cuts[1:])]
    return cut


def join_false_breaks(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans of `text`, each break undone that comes after a title (`TITLES`), or before a
    lowercase word: a sentence of this prose starts with a capital, so '"How!" replied Jones' is one.

    >>> text = '"For Mrs. Long has come." "How!" replied Jones.'
    >>> [text[start:end] for start, end in join_false_breaks(text, [(0, 9), (10, 25), (26, 32), (33, 47)])]
    ['"For Mrs. Long has come."', '"How!" replied Jones.']
    """
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        after_title = joined and TITLE_AT_END.search(text, joined[-1][0], joined[-1][1])
        if joined and (after_title or LOWERCASE_START.match(text, start, end)):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


class Splitter:
    """Punkt's sentence boundaries in whole texts: `split(text)` gives the text's sentences in order.

    Made by `train_splitter` from a corpus's texts, or read back from its JSON (`load`).
    """

    def __init__(self, parameters: PunktParameters):
        self.parameters = parameters
        self._punkt = PunktSentenceTokenizer(parameters)

    def split(self, text: str) -> list[Sentence]:
        """The sentences of `text` in order, each with its span in `text` (see the module's docstring)."""
        return [
            Sentence(normalise_whitespace(text[start:end]), start, end)
            for paragraph_start, paragraph_end in paragraphs(text)
            for start, end in self._spans(text[paragraph_start:paragraph_end], paragraph_start)
        ]

    def _spans(self, paragraph: str, offset: int) -> Iterator[tuple[int, int]]:
        spans = [strip_span(paragraph, start, end) for start, end in self._punkt.span_tokenize(paragraph)]
        spans = split_after_dashes(paragraph, [span for span in spans if span[0] < span[1]])
        for start, end in join_false_breaks(paragraph, [span for span in spans if span[0] < span[1]]):
            yield offset + start, offset + end

    def to_dict(self) -> dict:
        """Punkt's learned parameters as JSON values, each set sorted so the same training writes the same file."""
        parameters = self.parameters
        return {
            "format_version": FORMAT_VERSION,
            "abbrev_types": sorted(parameters.abbrev_types),
            "collocations": sorted(list(pair) for pair in parameters.collocations),
            "sent_starters": sorted(parameters.sent_starters),
            "ortho_context": dict(sorted(parameters.ortho_context.items())),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Splitter:
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise ValueError(f"sentence splitter format {version!r} is not supported (expected {FORMAT_VERSION})")
        parameters = PunktParameters()
        parameters.abbrev_types = set(data["abbrev_types"])
        parameters.collocations = {tuple(pair) for pair in data["collocations"]}
        parameters.sent_starters = set(data["sent_starters"])
        parameters.ortho_context.update(data["ortho_context"])
        return cls(parameters)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=0), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Splitter:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def train_splitter(texts: Iterable[str]) -> Splitter:
    """A splitter trained on `texts` (whole texts, as `Splitter.split` takes them): Punkt learns from
    their paragraphs which words are abbreviations, which start sentences and how words are capitalised,
    then KNOWN_ABBREVIATIONS are added.

    >>> train_splitter(["Mr. Knightley came. He sat down."]).split("Mr. Knightley came. He sat down.")[1]
    Sentence(text='He sat down.', start=20, end=32)
    """
    trainer = PunktTrainer()
    for text in texts:
        for start, end in paragraphs(text):
            trainer.train(text[start:end], finalize=False)
    trainer.finalize_training()
    parameters = trainer.get_params()
    parameters.abbrev_types.update(KNOWN_ABBREVIATIONS)
    return Splitter(parameters)


def untrained_splitter() -> Splitter:
    """A splitter that learnt nothing but KNOWN_ABBREVIATIONS, with this module's rules around it: for the texts given
    to a model fitted on sentences, which has no corpus to train one on."""
    parameters = PunktParameters()
    parameters.abbrev_types.update(KNOWN_ABBREVIATIONS)
    return Splitter(parameters)
