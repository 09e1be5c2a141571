"""One layer per job: no package imports a layer above it (generalises the recommender's
old independence test).

    channels (shop_channels)  >  actions  >  assistant (application rules)
        >  growth, shop_nlu  >  shop.db (the only SQL)  >  shop.domain (pure rules)

``recommender`` stands apart at the bottom: it imports nothing of the project (the shop's
data reaches it through ``recommender.train.TrainingSource``, which ``assistant`` fills).
``shop_site`` (the demo shop) and ``console`` (the operators') are entry points over the data
layer; ``analytics`` turns Rasa's event stream into figures. Rasa (``rasa``,
``rasa_sdk``) is allowed only where the chat is: channels, actions (``rasa_sdk``), NLU.
Every import counts, also one inside a function.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, Optional

import pytest

REPO = Path(__file__).resolve().parent.parent

# Which layer each module belongs to: the longest matching dotted prefix wins.
LAYER_OF = {
    "shop.domain": "domain",
    "shop.settings": "base", "shop.json_limits": "base", "shop.identity": "base",
    "shop.db": "db", "shop.migrations": "db", "shop.seed": "db",
    "recommender": "recommender",
    "shop_nlu": "nlu",
    "growth": "growth",
    "assistant": "application",
    "actions": "actions",
    "shop_channels": "channels",
    "shop_site": "site",
    "analytics": "analytics",
    "console": "console",
}
BELOW = {
    "domain": set(),
    "base": {"domain"},
    "db": {"domain", "base"},
    "recommender": set(),
    "nlu": {"db", "domain", "base"},
    "growth": {"recommender", "db", "domain", "base"},
    "application": {"growth", "recommender", "db", "domain", "base"},
    "actions": {"application", "growth", "recommender", "db", "domain", "base"},
    "channels": {"actions", "application", "nlu", "growth", "recommender", "db", "domain", "base"},
    "site": {"growth", "db", "domain", "base"},
    # the event-stream read model: Rasa's events in, figures out (reuses the NLU loop's lists)
    "analytics": {"nlu", "db", "domain", "base"},
    # the operators' entry point, like the shop site: over analytics, the growth tools
    # (experiment reports, the experiment file, segments) and the data layer
    "console": {"analytics", "growth", "nlu", "db", "domain", "base"},
}
# Outside packages a layer may use only where it says so.
RASA_ALLOWED = {"channels": {"rasa", "rasa_sdk"}, "actions": {"rasa_sdk"}, "nlu": {"rasa"},
                # Rasa's event broker and event classes; the conversation store's reader
                "analytics": {"rasa"}, "console": {"rasa"}}
PACKAGES = ("shop", "recommender", "shop_nlu", "growth", "assistant", "actions", "shop_channels", "shop_site",
            "analytics", "console")


def layer_of(module: str) -> Optional[str]:
    best = None
    for prefix, layer in LAYER_OF.items():
        if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, layer)
    return best[1] if best else None


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, module: str, is_package: bool) -> Iterator[str]:
    """Every module ``source`` imports (absolute names; relative imports resolved)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            yield name
            # `from shop import db` imports shop.db
            yield from (f"{name}.{alias.name}" for alias in node.names)


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    layer = layer_of(module)
    if layer is None:
        return []
    found = []
    for name in imported(source, module, is_package):
        top = name.split(".")[0]
        if top in ("rasa", "rasa_sdk"):
            if top not in RASA_ALLOWED.get(layer, set()):
                found.append(f"{module} ({layer}) imports {name}")
            continue
        target = layer_of(name)
        if target is None or target == layer or target in BELOW[layer]:
            continue
        found.append(f"{module} ({layer}) imports {name} ({target})")
    return found


def project_modules():
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            yield path, module_name(path, REPO)


def test_every_package_imports_only_layers_below_it():
    checked, problems = 0, []
    for path, module in project_modules():
        checked += 1
        problems += violations(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
    assert checked > 150
    assert problems == []


@pytest.mark.parametrize("module, source", [
    ("recommender.train", "from shop.db.engine import make_engine"),
    ("recommender.serving", "def f():\n    from assistant import product_picks"),
    ("shop.domain.orders", "from shop.db.orders import get_order"),
    ("shop.db.orders", "import assistant.faq"),
    ("assistant.faq", "from actions.support import db"),
    ("assistant.faq", "from rasa_sdk import Tracker"),
    ("actions.orders", "from shop_channels.rest import ShopRestInput"),
    ("actions.orders", "from rasa.core.agent import Agent"),
    ("shop_nlu.pipeline", "from assistant.follow_up import follow_up"),
    ("shop.domain.orders", "from ..db import orders"),
])
def test_an_import_from_a_layer_above_is_caught(module, source):
    assert violations(source, module)


@pytest.mark.parametrize("module, source", [
    ("assistant.faq", "from shop.db.orders import get_order"),
    ("actions.orders", "from assistant.services import answer_service_question\nfrom rasa_sdk import Tracker"),
    ("shop_channels.rest", "from actions.support import db\nfrom rasa.core.channels import InputChannel"),
    ("shop.db.orders", "from shop.domain.orders import OrderStatus\nfrom . import records"),
])
def test_an_import_from_below_is_allowed(module, source):
    assert violations(source, module) == []
