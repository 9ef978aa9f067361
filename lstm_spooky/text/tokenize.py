"""A from-scratch regex tokenizer for 19th-century English prose.

Words, numbers and punctuation marks each become tokens: on this task semicolons,
dashes and quotes are strong signals of who wrote a sentence, so they are never
dropped. Letters are matched by Unicode class, so accented names ("Mademoiselle
Lalande", "Agatha" with an é) survive intact. Clitics split off the word they attach
to, as in the Penn Treebank: "it's" -> "it", "'s".

It deliberately leaves out stemming, stop-word removal and sentence splitting: the
inputs are single sentences and the model learns what to ignore.
"""

from __future__ import annotations

import re

# Order matters: a word with a leading apostrophe ("'s", "'tis") is tried first, then
# plain words, then numbers, then one run of a repeated punctuation mark ("--", "...").
TOKEN_RE = re.compile(r"'?[^\W\d_]+|\d+(?:[.,]\d+)*|([^\w\s])\1*")


def tokenize(text: str, lowercase: bool = True) -> list[str]:
    """Split one sentence into word, number and punctuation tokens.

    >>> tokenize("It's late; the clock -- I fear -- has stopped.")
    ['it', "'s", 'late', ';', 'the', 'clock', '--', 'i', 'fear', '--', 'has', 'stopped', '.']
    """
    if lowercase:
        text = text.lower()
    return [match.group(0) for match in TOKEN_RE.finditer(text)]
