"""Base models combined: folds, the stack or a temperature, the run plan, prediction in chunks and processes,
and `SpookyClassifier`, which orchestrates them.
"""
