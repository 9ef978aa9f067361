"""SpookyClassifier is a scikit-learn estimator: parameters, clone, cross-validation, grid search, pipelines."""

import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import estimator_checks
from sklearn.utils.validation import check_is_fitted

from lstm_spooky import NotFittedError, SpookyClassifier
from tests.conftest import TINY, make_corpus

FAST = TINY.replace(models=("mnb_words", "svm_words"), folds=2)  # n-gram models only: a fit takes a second
CORPUS = make_corpus(150)
TEXTS, LABELS = CORPUS["text"].to_numpy(), CORPUS["author"].to_numpy()


def test_clone_gives_an_unfitted_estimator_with_the_same_parameters():
    model = SpookyClassifier(FAST, random_state=3).fit(TEXTS, LABELS)
    copy = clone(model)
    assert copy.get_params(deep=False) == model.get_params(deep=False) and is_classifier(copy)
    with pytest.raises(NotFittedError):
        check_is_fitted(copy)
    check_is_fitted(model)


def test_every_setting_of_the_config_is_a_parameter_and_can_be_set():
    model = SpookyClassifier(FAST)
    params = model.get_params()
    assert params["config__folds"] == 2 and params["config__nblr__c"] == FAST.nblr.c
    model.set_params(config__folds=3, config__nblr__c=5.0, random_state=7)
    assert (model.config.folds, model.config.nblr.c, model.random_state) == (3, 5.0, 7)
    assert FAST.folds == 2  # the frozen config given is not changed: the estimator holds a new one
    with pytest.raises(ValueError, match="'nope' is no setting of SpookyConfig"):
        model.set_params(config__nope=1)


def test_the_default_config_is_not_filled_in_by_init():
    assert SpookyClassifier().config is None


def test_cross_val_score_with_log_loss():
    scores = cross_val_score(SpookyClassifier(FAST), TEXTS, LABELS, scoring="neg_log_loss", cv=3)
    assert scores.shape == (3,) and np.all(scores < 0) and np.all(scores > -np.log(3))


def test_grid_search_over_one_setting():
    search = GridSearchCV(SpookyClassifier(FAST), {"config__stack_c": [0.1, 1.0]}, scoring="neg_log_loss", cv=2)
    search.fit(TEXTS, LABELS)
    assert search.best_params_["config__stack_c"] in (0.1, 1.0)
    assert search.predict(TEXTS[:3]).tolist() == search.best_estimator_.predict(TEXTS[:3]).tolist()


def test_a_pipeline_of_a_text_transformer_and_the_classifier():
    lowercase = FunctionTransformer(lambda texts: [text.lower() for text in texts])
    pipeline = make_pipeline(lowercase, SpookyClassifier(FAST)).fit(TEXTS, LABELS)
    assert pipeline.predict_proba(TEXTS[:5]).shape == (5, 3)
    assert pipeline.classes_.tolist() == ["EAP", "HPL", "MWS"]


def test_random_state_decides_the_model_and_leaves_the_global_generators_as_they_were():
    config = TINY.replace(models=("nblr", "svm_words"), folds=2)
    np.random.seed(5)
    expected = np.random.rand()
    np.random.seed(5)
    first = SpookyClassifier(config, random_state=11).fit(TEXTS, LABELS)
    assert np.random.rand() == expected  # fit seeded NumPy's global generator, then put it back
    second = SpookyClassifier(config.replace(seed=999), random_state=11).fit(TEXTS, LABELS)
    np.testing.assert_array_equal(first.predict_proba(TEXTS[:10]), second.predict_proba(TEXTS[:10]))
    assert first.config_.seed == 11 and first.config.seed == config.seed


def test_labels_are_data_and_run_time_options_are_keyword_only():
    with pytest.raises(TypeError):
        SpookyClassifier(FAST).fit(TEXTS, LABELS, None, print)


# scikit-learn's own checks that apply to an estimator of texts. The others feed numeric 2-D arrays
# (NaN and inf, sparse matrices, sample weights, a single feature...), which a text classifier
# rightly refuses, or fit on a handful of rows, fewer than its folds need.
CHECKS = [
    estimator_checks.check_no_attributes_set_in_init,
    estimator_checks.check_parameters_default_constructible,
    estimator_checks.check_get_params_invariance,
    estimator_checks.check_set_params,
    estimator_checks.check_estimator_cloneable,
    estimator_checks.check_estimator_repr,
    estimator_checks.check_estimator_tags_renamed,
    estimator_checks.check_valid_tag_types,
    estimator_checks.check_mixin_order,
    estimator_checks.check_do_not_raise_errors_in_init_or_set_params,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_scikit_learns_checks_that_apply_to_a_text_classifier(check):
    check("SpookyClassifier", SpookyClassifier(FAST))
