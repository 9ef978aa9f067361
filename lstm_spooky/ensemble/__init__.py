"""Base models combined: folds, the stack or a temperature, the run plan, the unlabelled pool cross-fitted and its
kept scores, saving, prediction in chunks and processes, and `SpookyClassifier`, which orchestrates them.
"""
