"""What a person sees on the terminal: messages on standard error unless --quiet, colour unless NO_COLOR."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import click


def say(quiet: bool) -> Callable[[str], None]:
    """Messages for a person, on standard error; none with --quiet."""
    return (lambda message: None) if quiet else (lambda message: click.echo(message, err=True))


def colour() -> bool:
    """Colour on a terminal, unless NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")
