"""Text features, below every model: the tokenizer, the vocabulary, n-gram counting and naive Bayes ratios;
and whole texts split into sentences.

Nothing here imports Keras, scikit-learn's models or anything else of the package but `config`.
"""
