"""The base models: the contract they keep (`base`), the table that lists them (`registry`), one module each.

A new base model is its module, its settings dataclass in `config`, and one entry in `registry.MODELS`.
"""
