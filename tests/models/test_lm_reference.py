"""Our NumPy Kneser-Ney models against NLTK's `nltk.lm.KneserNeyInterpolated`, the reference.

The two define the same model when our discount is one fixed value (`LMConfig(discount=D)`,
not the modified per-count discounts), NLTK counts exactly the n-grams we predict (each
symbol with its order-1 BOS of history, one EOS at the end: we hand it those n-grams rather
than its own padding, which pads the end order-1 times and counts BOS as a symbol), and the
recursion ends at the same unigram distribution. That last part differs by design: NLTK ends
at the unigram continuation counts, undiscounted, which gives a symbol never seen in training
probability 0 (log-likelihood -inf); ours discounts them too and gives the mass taken to a
uniform distribution over every predictable symbol. So the reference is NLTK's recursion
(continuation counts, discounted mass, unseen histories) over our unigram level, and the
unigram level itself is checked against the closed form.
"""

import numpy as np
import pytest

from lstm_spooky.models.kneser_ney import BOS, EOS, UNK, KneserNeyLM, SymbolTable

pytest.importorskip("nltk.lm")
from nltk.lm.models import InterpolatedLanguageModel  # noqa: E402
from nltk.lm.smoothing import KneserNey  # noqa: E402

DISCOUNT = 0.75
SYMBOLS = {BOS: "<s>", EOS: "</s>", UNK: "<unk>"}
# Two classes of character sentences, with shared and unshared contexts.
TRAIN = ["the cat sat", "a cat ate the hat", "that hat", "the bat", "cats chat", "a tall cat"]
LABELS = np.array([0, 0, 0, 1, 1, 1])
HELD_OUT = ["the hat sat", "zebra", "cab", "a"]  # "z", "e", "r", "b" in "zebra": unseen or class-specific


class UniformBaseKneserNey(KneserNey):
    """NLTK's Kneser-Ney with our unigram level: discounted continuation counts plus the
    mass taken spread uniformly over the `n_predictable` symbols (all but BOS)."""

    def __init__(self, vocabulary, counter, order, discount, n_predictable, **kwargs):
        super().__init__(vocabulary, counter, order, discount, **kwargs)
        self.n_predictable = n_predictable

    def unigram_score(self, word):
        count, total = self._continuation_counts(word)
        types = len({w for _, followers in self.counts[2].items() for w, n in followers.items() if n > 0})
        return (max(count - self.discount, 0.0) + self.discount * types / self.n_predictable) / total


def predicted_ngrams(symbols: list[str], order: int) -> list[tuple[str, ...]]:
    """Every k-gram (k = 1..order) ending at a predicted symbol: the text's symbols and one EOS, after order-1 BOS."""
    padded = ["<s>"] * (order - 1) + symbols + ["</s>"]
    return [tuple(padded[t - k + 1 : t + 1]) for t in range(order - 1, len(padded)) for k in range(1, order + 1)]


def reference_models(order: int, table: SymbolTable) -> list[InterpolatedLanguageModel]:
    """One NLTK model per class, fitted on exactly the n-grams our model counts."""
    models = []
    for label in (0, 1):
        model = InterpolatedLanguageModel(
            UniformBaseKneserNey,
            order,
            params={"order": order, "discount": DISCOUNT, "n_predictable": table.n_ids - 1},
        )
        texts = [list(text) for text, y in zip(TRAIN, LABELS) if y == label]
        model.fit(
            [predicted_ngrams(text, order) for text in texts], vocabulary_text=table.symbols + ["<s>", "</s>"]
        )  # NLTK maps the rest to its <UNK>
        models.append(model)
    return models


def fitted(order: int) -> tuple[SymbolTable, KneserNeyLM]:
    table = SymbolTable.build([list(text) for text in TRAIN])
    return table, KneserNeyLM.fit(
        table.encode([list(text) for text in TRAIN]), LABELS, order, table.n_ids, 2, discount=DISCOUNT
    )


def name(table: SymbolTable, symbol_id: int) -> str:
    return SYMBOLS.get(symbol_id) or table.symbols[symbol_id - len(SYMBOLS)]


@pytest.mark.parametrize("order", [2, 3, 4])
def test_next_symbol_probabilities_match_nltk_kneser_ney_with_a_fixed_discount(order):
    table, ours = fitted(order)
    references = reference_models(order, table)
    for text in TRAIN[:2] + HELD_OUT:
        ids = list(table.encode([list(text)]).ids)
        for t in range(len(ids) + 1):
            history = ["<s>"] * (order - 1) + [name(table, i) for i in ids[:t]]
            proba = ours.next_proba(ids[:t])
            expected = [
                [
                    reference.unmasked_score(name(table, i), tuple(history[len(history) - order + 1 :]))
                    for i in range(1, table.n_ids)
                ]
                for reference in references
            ]
            np.testing.assert_allclose(proba[:, 1:], expected, rtol=1e-12, atol=0)


def test_unigram_level_is_nltks_continuation_distribution_discounted_towards_uniform():
    table, ours = fitted(2)
    references = reference_models(2, table)
    proba = ours.next_proba([UNK])  # a history never seen: the unigram level alone
    for label, reference in enumerate(references):
        estimator = reference.estimator
        total = estimator._continuation_counts("</s>")[1]
        types = sum(estimator._continuation_counts(name(table, i))[0] > 0 for i in range(1, table.n_ids))
        for i in range(1, table.n_ids):
            nltk_p = KneserNey.unigram_score(estimator, name(table, i))  # count / total, undiscounted
            uniform = DISCOUNT * types / total / (table.n_ids - 1)
            # Our unigram probability: NLTK's minus the discount, for a seen symbol, plus the uniform share.
            assert proba[label, i] == pytest.approx(max(nltk_p - DISCOUNT / total, 0.0) + uniform, rel=1e-12)
