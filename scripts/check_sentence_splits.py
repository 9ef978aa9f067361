"""Check the sentence splitter of whole texts (lstm_spooky.text.sentences) against a person's judgement.

    python scripts/check_sentence_splits.py CORPUS_DIR                       # print a sample to judge
    python scripts/check_sentence_splits.py CORPUS_DIR --judged scripts/sentence_splits_judged_at_0.7.csv

The splitter is trained as `fit` would train it, on every text of the corpus folder (a few minutes on
"A Small Collection of British Fiction"; `--splitter FILE.json` keeps the trained one to reuse). The
sample is, in each of `--works`, `--sentences` consecutive sentences from `--at` of the way into
the text: each is printed whole under the character offset of its start, for a person to judge
every boundary the splitter put (is it a sentence's start?) and to find the ones it missed.

Judgements are kept as a CSV of `document,offset,boundary` (yes or no) that holds no text of the
corpus: each boundary the splitter put, and each one it missed (yes), as the offset in the
document's text where the sentence after it starts. With `--judged`, the boundaries inside each
judged stretch are scored, precision and recall, for the trained splitter and for two baselines
on the same paragraphs: NLTK's untrained Punkt, and a regex splitting after . ! or ? and a space
before a capital. The trained splitter's wrong and missed boundaries are then printed in context.
The judgements of "A Small Collection of British Fiction" and their numbers are in docs/experiments.md.
"""

from __future__ import annotations

import argparse
import csv
import re
from collections.abc import Callable
from pathlib import Path

from nltk.tokenize.punkt import PunktSentenceTokenizer

from lstm_spooky.data.documents import Document, read_documents
from lstm_spooky.text.sentences import Sentence, Splitter, paragraphs, strip_span, train_splitter

WORKS = ["Fielding_Tom", "Austen_Emma", "Dickens_Bleak", "Trollope_Barchester"]
NAIVE = re.compile(r"(?<=[.!?])[\"')\]_]*\s+(?=[\"'(_]*[A-Z])")


def paragraph_starts(text: str, split: Callable[[str], list[tuple[int, int]]]) -> list[int]:
    """The sentence starts of a baseline splitting each of our paragraphs as `split` does."""
    starts = []
    for first, last in paragraphs(text):
        spans = [strip_span(text[first:last], start, end) for start, end in split(text[first:last])]
        starts += [first + start for start, end in spans if start < end]
    return starts


def naive_spans(paragraph: str) -> list[tuple[int, int]]:
    cuts = [0, *(match.end() for match in NAIVE.finditer(paragraph)), len(paragraph)]
    return list(zip(cuts, cuts[1:]))


def print_sample(document: Document, sentences: list[Sentence], at: float, count: int) -> None:
    """`count` sentences and the start of the next, each under the offset of its start."""
    first = next(i for i, sentence in enumerate(sentences) if sentence.start >= at * len(document.text))
    window = sentences[first : first + count + 1]
    print(f"\n## {document.name}: {len(window)} boundaries, offsets {window[0].start}..{window[-1].start}")
    for sentence in window:
        print(f"[{sentence.start}] {sentence.text}")


def read_judged(path: Path) -> dict[str, dict[int, bool]]:
    judged: dict[str, dict[int, bool]] = {}
    with open(path, newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            judged.setdefault(row["document"], {})[int(row["offset"])] = row["boundary"] == "yes"
    return judged


def score(judged: dict[str, dict[int, bool]], predicted: dict[str, list[int]]) -> tuple[float, float, int, int]:
    """Precision and recall of the `predicted` boundaries inside each judged stretch, and the counts of
    true boundaries and predicted ones there; a boundary nobody judged is no boundary."""
    true = found = hits = 0
    for name, verdicts in judged.items():
        gold = {offset for offset, boundary in verdicts.items() if boundary}
        inside = {offset for offset in predicted[name] if min(verdicts) <= offset <= max(verdicts)}
        true, found, hits = true + len(gold), found + len(inside), hits + len(gold & inside)
    return hits / found, hits / true, true, found


def print_errors(documents: dict[str, Document], judged: dict[str, dict[int, bool]], predicted) -> None:
    for name, verdicts in judged.items():
        text, ours = documents[name].text, set(predicted[name])
        for offset, boundary in sorted(verdicts.items()):
            if boundary != (offset in ours):
                kind = "missed" if boundary else "wrong"
                context = (
                    " ".join(text[offset - 60 : offset].split()) + " || " + " ".join(text[offset : offset + 40].split())
                )
                print(f"{kind:6} {name}:{offset}  ...{context}...")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="a folder of Label_Title.txt texts")
    parser.add_argument("--works", nargs="+", default=WORKS, help="the texts to sample (file names without .txt)")
    parser.add_argument("--sentences", type=int, default=38, help="consecutive sentences per text")
    parser.add_argument("--at", type=float, default=0.4, help="where the sample starts, as a fraction of the text")
    parser.add_argument("--splitter", type=Path, help="a trained splitter's JSON: read if it exists, else written")
    parser.add_argument("--judged", type=Path, help="a CSV document,offset,boundary: score instead of printing")
    args = parser.parse_args()
    documents = {document.name: document for document in read_documents(args.corpus)}
    if args.splitter and args.splitter.exists():
        splitter = Splitter.load(args.splitter)
    else:
        splitter = train_splitter(document.text for document in documents.values())
        if args.splitter:
            splitter.save(args.splitter)
    sentences = {name: splitter.split(documents[name].text) for name in args.works}
    if not args.judged:
        for name in args.works:
            print_sample(documents[name], sentences[name], args.at, args.sentences)
        return
    ours = {name: [sentence.start for sentence in sentences[name]] for name in args.works}
    judged = read_judged(args.judged)
    untrained = PunktSentenceTokenizer()
    methods = {
        "lstm_spooky.text.sentences (trained Punkt and the rules around it)": ours,
        "NLTK's untrained Punkt": {n: paragraph_starts(documents[n].text, untrained.span_tokenize) for n in judged},
        "regex: . ! or ? then a space and a capital": {
            n: paragraph_starts(documents[n].text, naive_spans) for n in judged
        },
    }
    print("| splitter | precision | recall | boundaries found / true |\n|---|---|---|---|")
    for method, predicted in methods.items():
        precision, recall, true, found = score(judged, predicted)
        print(f"| {method} | {precision:.3f} | {recall:.3f} | {found} / {true} |")
    print_errors(documents, judged, ours)


if __name__ == "__main__":
    main()
