"""No function of the package is longer than a reader can hold in view: a longer one holds several steps
that deserve names of their own (click's examples keep one short function per command; nanoGPT's are a
screen at most)."""

import ast
from pathlib import Path

import lstm_spooky

PACKAGE = Path(lstm_spooky.__file__).parent
MOST_LINES = 60  # docstring included, decorators not


def long_functions(source: str, most_lines: int = MOST_LINES) -> list[tuple[str, int]]:
    """(name, lines) of every function or method in `source` longer than `most_lines`."""
    return [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > most_lines
    ]


def test_a_function_over_the_limit_is_found():
    body = "".join(f"    x{i} = {i}\n" for i in range(MOST_LINES))
    assert long_functions(f"def short():\n    pass\n\n\ndef long():\n{body}") == [("long", MOST_LINES + 1)]


def test_no_function_of_the_package_is_over_sixty_lines():
    found = [
        f"{path.relative_to(PACKAGE)}: {name} has {lines} lines"
        for path in sorted(PACKAGE.rglob("*.py"))
        for name, lines in long_functions(path.read_text(encoding="utf-8"))
    ]
    assert not found, f"split into named steps (at most {MOST_LINES} lines each): {found}"
