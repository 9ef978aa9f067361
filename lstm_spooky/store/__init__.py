"""Safe storage: atomic writes, the manifest of checksums, the fit lock, the model directory's layout,
the paths a command may write, the names of each fit's folder, and the checkpoints of finished folds.

Nothing here knows a model: members are saved by their own `save` into directories this layer makes safe.
"""
