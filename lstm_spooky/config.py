"""Hyperparameters of the classifier, in one dataclass saved beside the model.

A saved model directory stores this config as JSON, so `SpookyConfig.from_dict` is all
`submit` needs to rebuild the exact models that `fit` trained. The BiLSTM's settings
are the top-level fields; every other base model keeps its own in a nested dataclass.
A count's least sensible value is written beside its field (`at_least`), for `config_check`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


def at_least(minimum: int, default: Any) -> Any:
    """A setting's field, with the least value that makes sense for it (for a tuple, for each of its numbers):
    `folds: int = at_least(1, 5)`. `config_check` reads the bound off the field, so it is written beside it."""
    return field(default=default, metadata={"minimum": minimum})


class _Config:
    """JSON round trip shared by the config dataclasses: lists come back as tuples,
    dicts of nested configs as those configs, filled in from the field's own default
    (`{"mnb_chars": {"alpha": 1}}` keeps mnb_chars a naive Bayes on characters)."""

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict):
        defaults = cls()
        unknown = sorted(set(values) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise ValueError(f"unknown {cls.__name__} keys {unknown}; was the model saved by a newer lstm-spooky?")
        converted = {}
        for name, value in values.items():
            default = getattr(defaults, name)
            if isinstance(default, _Config) and isinstance(value, dict):
                value = type(default).from_dict({**default.to_dict(), **value})
            elif isinstance(value, list):
                value = tuple(value)
            converted[name] = value
        return cls(**converted)

    def replace(self, **changes):
        return dataclasses.replace(self, **changes)

    def flat_items(self, separator: str = ".") -> list[tuple[str, object]]:
        """Every setting as (name, value), a nested config's named through it: ("nblr.c", 24.0)."""
        items: list[tuple[str, object]] = []
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, _Config):
                items += [(f"{spec.name}{separator}{name}", inner) for name, inner in value.flat_items(separator)]
            else:
                items.append((spec.name, value))
        return items

    def with_values(self, values: dict[str, object], separator: str = "."):
        """A copy with the settings `values` replaced, named as `flat_items` names them ("folds", "nblr.c");
        lists become tuples. Raises ValueError for a name that is no setting."""
        fields = {spec.name for spec in dataclasses.fields(self)}
        changes: dict[str, object] = {}
        nested: dict[str, dict[str, object]] = {}
        for name, value in values.items():
            head, _, rest = name.partition(separator)
            if head not in fields or (rest and not isinstance(getattr(self, head), _Config)):
                raise ValueError(f"{name!r} is no setting of {type(self).__name__}")
            if rest:
                nested.setdefault(head, {})[rest] = value
            else:
                changes[head] = tuple(value) if isinstance(value, list) else value
        changes |= {head: getattr(self, head).with_values(inner, separator) for head, inner in nested.items()}
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class NBLRConfig(_Config):
    # Defaults chosen by 5-fold CV on the Kaggle training set (scripts/eval_classical.py); the
    # neighbours tried (C 16/32/64, alpha 0.01/0.1, char_wb, char 2-6, word 1-2) were within 0.005.
    word_ngrams: tuple[int, int] = at_least(1, (1, 3))
    char_ngrams: tuple[int, int] = at_least(1, (1, 5))
    char_analyzer: str = "char"  # "char_wb" (n-grams inside word boundaries) scored 0.002 worse
    # min_df=2 cost 0.013: n-grams seen in one sentence still carry weight through the NB ratio
    min_df: int = at_least(1, 1)
    alpha: float = 0.03  # NB smoothing added to each feature's TF-IDF sum; 1 (as for counts) is far too strong
    c: float = 24.0  # inverse L2 strength of each one-vs-rest regression

    def counts_word_pairs(self) -> bool:
        """Whether this model counts word pairs (or longer word n-grams) itself."""
        return self.word_ngrams[1] >= 2


@dataclass(frozen=True)
class LMConfig(_Config):
    # Defaults chosen by 5-fold CV on the Kaggle training set (scripts/eval_classical.py). One
    # character 5-gram and word 1- and 3-gram models gave OOF log loss 0.286 alone; characters
    # 3/5/7 and words 1/2/3 give 0.283 alone and their raw ratios lower the stack's by 0.001-0.003.
    # One Kneser-Ney model per entry (per author); each adds 3 calibration features.
    char_orders: tuple[int, ...] = at_least(1, (3, 5, 7))
    word_orders: tuple[int, ...] = at_least(1, (1, 2, 3))
    lowercase_chars: bool = False  # capitals carry a little style: lowercasing cost 0.002
    discount: float | None = None  # None: modified Kneser-Ney discounts per order and author; 0.75 alike
    length_power: float = 0.25  # ratios are divided by (symbols + 1)**length_power; 0 and 0.5 cost 0.003
    calibration_folds: int = at_least(2, 5)  # parts the cross-fitted calibration scores come from; 10 alike, slower
    calibration_c: float = 1.0  # inverse L2 strength of the calibrating regression; 0.1 to 10 alike
    seed: int = 0

    def counts_word_pairs(self) -> bool:
        """Whether this model counts word pairs (or longer word n-grams) itself."""
        return any(order >= 2 for order in self.word_orders)

    def models(self) -> list[tuple[str, int]]:
        """(unit, order) of every language model: ("char", 5), ("word", 1), ..."""
        return [("char", order) for order in self.char_orders] + [("word", order) for order in self.word_orders]


@dataclass(frozen=True)
class LinearConfig(_Config):
    """One fast linear model on n-grams, whose scores feed the stack (models/linear.py)."""

    classifier: str = "svm"  # "svm": LinearSVC margins; "mnb": multinomial naive Bayes
    analyzer: str = "word"  # "word": project tokens, lowercased; "char": character n-grams, case kept
    ngrams: tuple[int, int] = at_least(1, (1, 2))
    weighting: str = "tfidf"  # "tfidf", "binary" or "counts" (text/ngrams.py)
    c: float = 0.3  # svm: inverse L2 strength
    alpha: float = 10.0  # mnb: additive smoothing; strong, because the stack rescales its scores

    def counts_word_pairs(self) -> bool:
        """Whether this model counts word pairs (or longer word n-grams) itself."""
        return self.analyzer == "word" and self.ngrams[1] >= 2


@dataclass(frozen=True)
class BertConfig(_Config):
    """Fine-tuning settings of the optional TinyBERT model (the `bert` extra)."""

    # A KerasHub preset name, a local KerasHub preset folder, or a local Hugging Face BERT
    # folder with model.safetensors (`lstm-spooky convert-bert` makes one from TinyBERT's).
    preset: str = "bert_tiny_en_uncased"
    sequence_length: int = at_least(2, 64)  # WordPiece tokens: 90% of the training sentences fit whole
    batch_size: int = at_least(1, 32)
    learning_rate: float = 5e-5  # peak, reached after the warm-up, then cosine decay to 0
    warmup_fraction: float = 0.1  # of all training steps
    weight_decay: float = 0.01  # AdamW; biases and LayerNorm weights are not decayed
    epochs: int = at_least(1, 3)  # at most; early stopping on the held-out fold keeps the best epoch
    patience: int = at_least(0, 1)
    dropout: float = 0.1  # before the classification layer


@dataclass(frozen=True)
class SpookyConfig(_Config):
    # Base models to train (models/registry.py lists them); several are combined by a stacked
    # logistic regression, which scores lower than any of them alone (docs/experiments.md). The
    # linear ones were chosen by forward selection on the stack's 5-fold log loss.
    models: tuple[str, ...] = (
        "bilstm",
        "nblr",
        "lm",
        "mnb_words",
        "mnb_chars",
        "svm_words",
        "svm_words_binary",
        "svm_chars",
    )
    stack_c: float = 1.0  # inverse L2 strength of the stacking regression
    stack_meta_features: bool = True  # sentence length, punctuation counts, capitals (ensemble/stack.py)
    # Unlabelled sentences (`fit --unlabeled`, ensemble/cross_fit.py): the base models refitted with the
    # pool's confidently pseudo-labelled sentences (those not in `models` are skipped), the least
    # probability a pseudo-label needs, and the parts the pool is cross-fitted in. Measured on the
    # benchmark's 80/20 split with the held-out rows and test.csv as the pool (docs/experiments.md):
    # with these settings the stack scores 0.2223 and 0.2245 (seeds 0, 1) instead of 0.2477 and 0.2448.
    # Every n-gram model gains alone, but beside the language models the others add at most 0.001, for
    # three to four times their cost. Thresholds 0.5 to 0.95 score within 0.001; more parts put more of
    # the pool behind each part's models (seed 1: 2 parts 0.2325, 4 0.2281, 8 0.2245), each one more fit.
    pool_models: tuple[str, ...] = ("lm",)
    pool_threshold: float = 0.9
    pool_parts: int = at_least(2, 8)
    nblr: NBLRConfig = field(default_factory=NBLRConfig)
    lm: LMConfig = field(default_factory=LMConfig)
    mnb_words: LinearConfig = LinearConfig(classifier="mnb", analyzer="word", ngrams=(1, 1), weighting="counts")
    mnb_chars: LinearConfig = LinearConfig(classifier="mnb", analyzer="char", ngrams=(1, 5), weighting="counts")
    svm_words: LinearConfig = LinearConfig(classifier="svm", analyzer="word", ngrams=(1, 2), weighting="tfidf")
    svm_words_binary: LinearConfig = LinearConfig(classifier="svm", analyzer="word", ngrams=(1, 2), weighting="binary")
    svm_chars: LinearConfig = LinearConfig(classifier="svm", analyzer="char", ngrams=(2, 5), weighting="tfidf")
    bert: BertConfig = field(default_factory=BertConfig)

    # tokenizer and vocabulary
    # Case kept: capitals (names, a sentence's first word) tell the authors apart a little, and
    # the n-gram models lowercase their words. Five fold networks on an 80/20 split
    # (docs/experiments.md): alone 0.2950 instead of 0.2984; stacked, with word ratios only, they
    # lower the stack by 0.0036 and 0.0046 (seeds 42 and 7) instead of 0.0030 and 0.0038.
    lowercase: bool = False
    min_count: int = at_least(1, 2)  # words seen once carry no signal a held-out sentence can reuse
    max_vocab: int = at_least(3, 30_000)
    max_len_percentile: float = 99.0  # longer sentences are truncated at this length

    # Naive Bayes log-count ratios each token carries beside its embedding (text/nb_ratios.py):
    # their word n-gram orders, () for none, None for `network_nb_orders`' choice.
    nb_orders: tuple[int, ...] | None = None
    nb_alpha: float = 0.25  # additive smoothing of the n-gram counts; 1 cost 0.01-0.02, 0.5 0.002
    nb_cross_fit_folds: int = 5  # parts a training row's own ratios are counted without

    # network
    embedding_dim: int = at_least(1, 64)
    spatial_dropout: float = 0.3
    lstm_units: int = at_least(1, 64)
    dense_units: tuple[int, ...] = at_least(1, (64, 32))  # one Dense+Dropout block per entry
    dense_dropout: float = 0.4

    # training
    # With the ratios the network fits in 1-2 epochs; 2e-3 halved per epoch was 0.002-0.005
    # worse than this gentler start on two seeds.
    learning_rate: float = 1e-3
    lr_decay: float = 0.7  # learning rate multiplier per epoch
    batch_size: int = at_least(1, 64)
    max_epochs: int = at_least(1, 10)
    # Epochs without a better validation log loss before stopping. With the NB ratios, in the
    # 15 fold networks of three full fits (words' ratios, lowercased or not; ratios of words,
    # pairs and triples) the best epoch was the first or second, the next 0.008-0.06 worse and
    # none later better: a second epoch of patience found nothing and cost 6-9 s a fold.
    patience: int = at_least(0, 1)
    folds: int = at_least(1, 5)  # one network per stratified fold, averaged; 1 trains a single network
    validation_fraction: float = 0.1  # held out for early stopping when folds == 1
    seed: int = 42

    @classmethod
    def for_corpus(cls) -> SpookyConfig:
        """The defaults for a corpus of whole texts (`fit CORPUS_DIR`): the language models alone, on 3 folds of works.

        Whole novels are ten times Kaggle's file: the 26 of British fiction are 242,706 sentences, on which the
        eight default models would take hours on 2 cores (NB-LR alone took 292 s on 30,000 of them, 172 s of it in
        liblinear's eleven one-vs-rest fits). The language models fit the whole corpus in 22 minutes and 4 GB,
        and on novels they never saw they beat NB-LR too (1,000 sentences per training novel, round 0 of
        scripts/benchmark_documents.py: one sentence right 0.40 of the time against 0.31, 0.76 at 1,000 words
        against 0.67). Three folds hold a third of the works out each: fewer fits than five, and each held-out
        work leaves its author's other works in training.
        """
        return cls(models=("lm",), folds=3)

    @property
    def stacked(self) -> bool:
        """Whether the base models are combined by a stack (several models) or one is calibrated by a temperature."""
        return len(self.models) > 1

    def network_nb_orders(self) -> tuple[int, ...]:
        """The word n-gram orders of the BiLSTM's NB ratios: `nb_orders`, or if that is None,
        (1, 2, 3) for a network on its own and (1,) for one stacked beside a model that counts
        word pairs itself, as set here (NB-LR, the language models and the word SVMs do by default).

        Alone, pair and triple ratios make the network: one network on an 80/20 split
        (docs/experiments.md) scored 0.435 with no ratios, 0.382 with words', 0.321 with pairs' too,
        0.308 with triples'. Stacked, the n-gram models already count those pairs and triples;
        a network given word ratios only learns word order itself, so it errs differently:
        0.347 alone instead of 0.298 (five fold networks, held out, tokens lowercased), but it
        lowers the default stack by 0.0030 and 0.0038 (seeds 42 and 7) instead of 0.0017 and
        0.0025; with the case kept, by 0.0036 (`scripts/benchmark.py --ablate bilstm`).
        """
        if self.nb_orders is not None:
            return self.nb_orders
        settings = [getattr(self, name, None) for name in self.models]  # the n-gram models' own fields
        return (1,) if any(hasattr(s, "counts_word_pairs") and s.counts_word_pairs() for s in settings) else (1, 2, 3)
