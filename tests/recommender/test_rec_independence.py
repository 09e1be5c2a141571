"""The recommender package must not depend on Rasa (the actions depend on it, not vice versa)."""
import ast
from pathlib import Path

import recommender

PACKAGE = Path(recommender.__file__).parent
FORBIDDEN = ("rasa", "rasa_sdk", "actions")


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_no_module_imports_rasa():
    files = list(PACKAGE.rglob("*.py"))
    assert len(files) > 10
    for path in files:
        for name in imported_modules(path):
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_no_module_reads_the_shop_package():
    """The shop's data reaches the recommender through ``train.TrainingSource``, which the
    application layer fills (assistant/recommender_training.py)."""
    users = {p.name for p in PACKAGE.rglob("*.py") if any(n.split(".")[0] == "shop" for n in imported_modules(p))}
    assert users == set()
