"""What a person sees: the `lstm-spooky` command, the HTML report, explanations drawn, and progress views."""
