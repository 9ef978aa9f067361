import numpy as np
import pytest

from lstm_spooky.data.errors import DataError
from lstm_spooky.data.labels import AUTHORS, check_training_set, check_two_or_more, encode_labels, label_set


def test_kaggle_authors_are_their_own_sorted_label_set():
    assert AUTHORS == ("EAP", "HPL", "MWS")
    assert tuple(label_set(["MWS", "EAP", "HPL", "EAP"])) == AUTHORS
    assert encode_labels(["MWS", "EAP", "HPL"]).tolist() == [2, 0, 1]


def test_labels_are_any_strings_sorted_and_encoded_by_position():
    classes = label_set(["b", "a", "c", "a"])
    assert classes.tolist() == ["a", "b", "c"]
    assert encode_labels(["c", "a"], classes).tolist() == [2, 0]


def test_unknown_labels_are_rejected_by_the_api():
    with pytest.raises(DataError, match=r"unknown labels \['Poe'\]; the model knows EAP, HPL, MWS"):
        encode_labels(["EAP", "Poe"], AUTHORS)


@pytest.mark.parametrize(
    "labels, message", [(["x", "x"], "every label is 'x'"), (["x", ""], "a label is empty"), ([], "no labels")]
)
def test_a_label_set_needs_two_non_empty_labels(labels, message):
    with pytest.raises(DataError, match=message):
        label_set(labels)


def test_two_or_more_distinct_labels_pass():
    check_two_or_more(["EAP", "HPL"])


def test_one_label_is_named_where_it_was_found_with_the_hint():
    with pytest.raises(
        DataError, match=r"^f\.csv: every row is 'Poe'; a classifier needs two or more distinct labels \(hint\)$"
    ):
        check_two_or_more(["Poe"], "f.csv: every row is", " (hint)")


def test_a_training_set_of_one_class_id_is_refused_by_the_same_check():
    with pytest.raises(DataError, match="every class id is 0; a classifier needs two or more distinct labels"):
        check_training_set(["a", "b"], np.array([0, 0]))


def test_a_training_set_needs_sentences_of_every_class():
    with pytest.raises(ValueError, match=r"none for class ids \[2\]"):
        check_training_set(["a", "b"], np.array([0, 1]), n_classes=3)
