"""`python -m lstm_spooky`: the `lstm-spooky` command, for environments without its script on the PATH."""

from .ui.cli import main

main(prog_name="lstm-spooky")
