"""The package's imports flow one way, as docs/architecture.md draws it: each layer imports only from
the layers below it (and from itself), and no modules import each other in a circle, even lazily or
for type hints alone."""

import ast
from pathlib import Path

import lstm_spooky

PACKAGE = Path(lstm_spooky.__file__).parent
# Bottom to top; a module may import from its own layer and any layer before it.
LAYERS = [
    {"_version", "config", "config_check", "probability", "text"},
    {"store"},
    {"data"},
    {"models"},
    {"ensemble"},
    {"ui"},
    {"__init__", "__main__"},
]


def layer_of(module: str) -> int:
    top = module.split(".")[0]
    ranks = [rank for rank, names in enumerate(LAYERS) if top in names]
    assert ranks, f"{module} belongs to no layer: add {top!r} to LAYERS, where docs/architecture.md draws it"
    return ranks[0]


def package_imports(path: Path) -> set[str]:
    """The package's own modules that the module at `path` imports, anywhere in it, as "layer.module"."""
    module = path.relative_to(PACKAGE).with_suffix("").parts
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # Imports for type hints alone (under `if TYPE_CHECKING:`) count too: two modules that name each other's
    # types are one concept split in two, a circle a reader must hold in mind whether or not it runs.
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            base = list(module[: len(module) - node.level])
            target = base + (node.module.split(".") if node.module else [])
            # `from ..models import registry` imports a module; `from .stack import Stacker` a name of one.
            imported.update(".".join(target + [alias.name]) for alias in node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            imported.update(name.removeprefix("lstm_spooky.") for name in names if name.startswith("lstm_spooky."))
    return imported


def modules() -> dict[str, set[str]]:
    return {".".join(p.relative_to(PACKAGE).with_suffix("").parts): package_imports(p) for p in PACKAGE.rglob("*.py")}


def test_every_module_belongs_to_a_layer():
    for module in modules():
        layer_of(module)


def test_no_module_imports_from_a_layer_above_its_own():
    upward = [
        f"{module} imports {target}"
        for module, targets in modules().items()
        for target in targets
        if layer_of(target) > layer_of(module)
    ]
    assert upward == []


def test_no_modules_import_each_other_in_a_circle():
    graph = modules()

    def resolve(name: str) -> str | None:  # "models.registry.MODELS" -> "models.registry"
        while name and name not in graph:
            name = name.rpartition(".")[0]
        return name or None

    edges = {module: sorted({resolve(t) for t in targets} - {None, module}) for module, targets in graph.items()}
    done: set[str] = set()

    def circle_from(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return path[path.index(module) :] + [module]
        if module in done:
            return None
        for target in edges[module]:
            found = circle_from(target, path + [module])
            if found:
                return found
        done.add(module)
        return None

    assert [circle for module in edges if (circle := circle_from(module, []))] == []
