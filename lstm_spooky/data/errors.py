"""`DataError`: what every reader and checker of user data raises, so the command prints one line, not a traceback."""


class DataError(ValueError):
    """Input data that cannot be used; the message says where and how to fix it."""
