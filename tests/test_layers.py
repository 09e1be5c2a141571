"""One layer per job: no package imports a layer above it (generalises the recommender's
old independence test).

    channels (shop_channels)  >  actions  >  assistant (application rules)
        >  growth, shop_nlu  >  shop.db (the only SQL)  >  shop settings, identity
        >  shop.domain (pure rules: the standard library only)

``recommender`` stands apart at the bottom: it imports nothing of the project (the shop's
data reaches it through ``recommender.train.TrainingSource``, which ``assistant`` fills).
``shop_site`` (the demo shop) and ``console`` (the operators') are entry points over the data
layer; ``analytics`` turns Rasa's event stream into figures. Rasa (``rasa``,
``rasa_sdk``) is allowed only where the chat is: channels, actions (``rasa_sdk``), NLU.
Above the data layer SQLAlchemy is used for its types and errors only, never to build SQL
or reach the ORM tables. No package imports the tool folders (tests, bench).
Every import counts, also one inside a function.
"""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import Iterator, Optional

import pytest

REPO = Path(__file__).resolve().parent.parent

# Which layer each module belongs to: the longest matching dotted prefix wins.
LAYER_OF = {
    "shop.domain": "domain",
    # shop's own package and its small base modules (a new module of shop/ lands here too,
    # so it may import only the domain until it is placed)
    "shop": "base", "shop.settings": "base", "shop.json_limits": "base", "shop.identity": "base",
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
# Pure rules: nothing but the standard library (and the domain itself).
STDLIB_ONLY = {"domain"}
# Layers that may build SQL: the data layer, analytics (its own read-model tables in its own
# database) and the NLU loop (it reads Rasa's conversation store). Everywhere else SQLAlchemy
# is used only for these parts (types to annotate, errors to catch), and the ORM tables
# (shop.db.models) stay inside the data layer, which hands out frozen records.
SQL_LAYERS = {"db", "analytics", "nlu"}
SQLALCHEMY_TYPES_AND_ERRORS = {"exc", "orm", "engine"}
ORM_TABLES = "shop.db.models"
PACKAGES = ("shop", "recommender", "shop_nlu", "growth", "assistant", "actions", "shop_channels", "shop_site",
            "analytics", "console")
# Folders with Python that are not layers: they may import any package, no package imports them.
TOOLS = ("tests", "bench", "web", "scripts")   # scripts: launchers (scripts/rasa_run.py)


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


def _outside_problem(layer: str, name: str) -> Optional[str]:
    """Why ``layer`` may not import ``name``, a module from outside the project (or None)."""
    parts = name.split(".")
    top = parts[0]
    if top in TOOLS:
        return "a tool folder"
    if top in ("rasa", "rasa_sdk"):
        return None if top in RASA_ALLOWED.get(layer, set()) else "Rasa"
    if top == "sqlalchemy" and layer not in SQL_LAYERS:
        return None if len(parts) > 1 and parts[1] in SQLALCHEMY_TYPES_AND_ERRORS else "SQL outside the data layer"
    if layer in STDLIB_ONLY and top not in sys.stdlib_module_names:
        return "not the standard library"
    return None


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    layer = layer_of(module)
    if layer is None:
        return []
    found = []
    for name in imported(source, module, is_package):
        target = layer_of(name)
        if target is None:
            problem = _outside_problem(layer, name)
            if problem:
                found.append(f"{module} ({layer}) imports {name} ({problem})")
            continue
        if (name == ORM_TABLES or name.startswith(ORM_TABLES + ".")) and layer != "db":
            found.append(f"{module} ({layer}) imports {name} (the ORM tables stay in the data layer)")
            continue
        if target == layer or target in BELOW[layer]:
            continue
        found.append(f"{module} ({layer}) imports {name} ({target})")
    return found


def project_modules(root: Path = REPO) -> Iterator[tuple[Path, str]]:
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            yield path, module_name(path, root)


def scan(root: Path = REPO) -> tuple[int, list[str]]:
    """(modules read, violations) over the packages of the tree at ``root``."""
    checked, problems = 0, []
    for path, module in project_modules(root):
        checked += 1
        problems += violations(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
    return checked, problems


def test_every_package_imports_only_layers_below_it():
    checked, problems = scan()
    assert checked > 150
    assert problems == []


def test_every_package_and_module_of_the_tree_has_a_layer():
    """A new top-level package, or a module no layer claims, fails here instead of going
    unchecked."""
    folders = {folder.name for folder in REPO.iterdir()
               if folder.is_dir() and not folder.name.startswith(".") and next(folder.rglob("*.py"), None)}
    assert folders - set(PACKAGES) - set(TOOLS) == set()
    assert set(PACKAGES) - folders == set()
    assert [module for _, module in project_modules() if layer_of(module) is None] == []


def test_the_layers_go_one_way():
    """Every layer named is defined, and no chain of allowed imports comes back to where it
    started (the graph of ``BELOW`` has no cycle)."""
    assert set(LAYER_OF.values()) == set(BELOW)
    assert all(below <= set(BELOW) for below in BELOW.values())

    def reachable(layer, seen):
        for lower in BELOW[layer]:
            assert lower not in seen, f"{lower} and {layer} import each other"
            reachable(lower, seen | {lower})

    for layer in BELOW:
        reachable(layer, {layer})


def test_the_check_fails_on_a_tree_with_a_violation(tmp_path):
    """The whole check, run over a small tree on disk, reports what was planted in it."""
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text('"""A package."""\n', encoding="utf-8")
    (tmp_path / "shop" / "domain").mkdir()
    (tmp_path / "shop" / "domain" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "shop" / "domain" / "rules.py").write_text("import re\n", encoding="utf-8")
    (tmp_path / "growth" / "report.py").write_text("from shop.domain import rules\n", encoding="utf-8")
    assert scan(tmp_path) == (len(PACKAGES) + 3, [])

    (tmp_path / "shop" / "domain" / "rules.py").write_text(
        "def f():\n    from ..db.orders import get_order\n", encoding="utf-8")
    (tmp_path / "growth" / "report.py").write_text("from assistant import faq\n", encoding="utf-8")
    _, problems = scan(tmp_path)
    assert sorted(problems) == ["growth.report (growth) imports assistant (application)",
                                "growth.report (growth) imports assistant.faq (application)",
                                "shop.domain.rules (domain) imports shop.db.orders (db)",
                                "shop.domain.rules (domain) imports shop.db.orders.get_order (db)"]


@pytest.mark.parametrize("module, source", [
    ("recommender.train", "from shop.db.engine import make_engine"),
    ("recommender.serving", "def f():\n    from assistant import product_picks"),
    ("recommender.service", "import growth.experiments"),
    ("shop.domain.orders", "from shop.db.orders import get_order"),
    ("shop.domain.orders", "from ..db import orders"),
    ("shop.domain.orders", "from shop.settings import REPO_ROOT"),
    ("shop.domain.money", "import yaml"),
    ("shop.settings", "from shop.db.engine import make_engine"),
    ("shop.identity", "from actions.settings import load_settings"),
    ("shop.db.orders", "import assistant.faq"),
    ("shop.db.orders", "from recommender.service import get_service"),
    ("shop.db.orders", "from growth.experiments import ExperimentBook"),
    ("shop.db.orders", "from tests.support.shop_db import ANCHOR"),
    ("shop_nlu.pipeline", "from assistant.follow_up import follow_up"),
    ("shop_nlu.gazetteer", "from growth.segments import segment"),
    ("growth.experiments", "from assistant.experiment_picks import variant_for"),
    ("growth.segments", "from shop_nlu.vocab import load_vocab"),
    ("growth.simulator", "from sqlalchemy import select"),
    ("growth.simulator", "from shop.db.models import Customer"),
    ("assistant.faq", "from actions.support import db"),
    ("assistant.faq", "from rasa_sdk import Tracker"),
    ("assistant.services", "import sqlalchemy as sa"),
    ("actions.orders", "from shop_channels.rest import ShopRestInput"),
    ("actions.orders", "from rasa.core.agent import Agent"),
    ("actions.orders", "from console.auth import auth_middleware"),
    ("shop_channels.rest", "from console.app import create_app"),
    ("shop_channels.rest", "from shop_site.api import routes"),
    ("shop_site.api", "from actions.support import db"),
    ("shop_site.api", "from console.accounts import routes"),
    ("shop_site.api", "from shop_nlu.gazetteer import Gazetteer"),
    ("shop_site.api", "from rasa.core.agent import Agent"),
    ("analytics.dashboard", "from console.render import make_environment"),
    ("analytics.dashboard", "from growth.statistics import compare"),
    ("analytics.broker", "from shop_channels.settings import load_settings"),
    ("console.app", "from shop_site.app import create_app"),
    ("console.app", "from actions.support import db"),
    ("console.app", "from assistant.handoff_summary import summary"),
])
def test_an_import_from_a_layer_above_is_caught(module, source):
    assert violations(source, module)


@pytest.mark.parametrize("module, source", [
    ("assistant.faq", "from shop.db.orders import get_order"),
    ("assistant.services", "from sqlalchemy.orm import Session\nfrom recommender.service import get_service"),
    ("actions.orders", "from assistant.services import answer_service_question\nfrom rasa_sdk import Tracker\n"
                       "from sqlalchemy.exc import SQLAlchemyError"),
    ("shop_channels.rest", "from actions.support import db\nfrom rasa.core.channels import InputChannel"),
    ("shop.db.orders", "from shop.domain.orders import OrderStatus\nfrom . import records\nfrom sqlalchemy import select"),
    ("shop.db.catalogue", "from shop.settings import REPO_ROOT\nfrom .models import Product"),
    ("shop.domain.orders", "import re\nfrom dataclasses import dataclass\nfrom .state_machine import StateMachine"),
    ("growth.simulator", "from shop.db.customers import seeded_tastes\nimport numpy"),
    ("analytics.store", "from sqlalchemy import Table\nfrom shop.settings import REPO_ROOT"),
    ("console.app", "from analytics import dashboard\nfrom growth.experiments import ExperimentBook"),
    ("shop_site.api", "from growth.assignment import pick_variant\nfrom shop.db.orders import get_order"),
    ("recommender.serving", "import numpy as np\nfrom recommender.model import RecommenderModel"),
])
def test_an_import_from_below_is_allowed(module, source):
    assert violations(source, module) == []


# --- actions are thin adapters -------------------------------------------------------------
# A conversation rule (a pattern, a word list) lives in the application layer or the domain,
# where it has a name and a unit test; an action reads the tracker, calls those rules and the
# units of work, and formats the reply. The action server runs every turn on one event loop:
# a unit of work (a function whose first parameter is ``session``) and file reads run on the
# database pool, handed to ``db`` / ``db_prompt`` / ``db_confirmed`` / ``run_blocking`` from
# ``actions.support``, never called in an action.
ACTIONS = "actions"
# Outside modules an action may not use: patterns (``re``), SQL (SQLAlchemy beyond its errors),
# files read on the loop.
ACTIONS_MAY_NOT_IMPORT = {"re": "a pattern is a conversation rule (assistant/ or shop/domain/)",
                          "yaml": "a file read belongs to the application layer, off the loop"}
ACTIONS_SQLALCHEMY = {"sqlalchemy.exc"}
# Calls that block on files or the database.
BLOCKING_CALLS = {"open", "session_scope", "default_engine", "make_engine"}
# A pattern's methods, and a Chinese word looked for ("尺码" in text): an action calls the named
# rule instead.
HAN = re.compile(r"[\u4e00-\u9fff]")
# (pattern methods)
PATTERN_METHODS = {"search", "match", "fullmatch", "findall", "finditer", "sub", "subn"}
# The one place that opens a unit of work: the pool's worker in actions/support.py.
RUNS_ON_THE_POOL = {("actions.support", "_in_unit_of_work")}


def _module_source(module: str, root: Path) -> Optional[str]:
    base = root / Path(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.exists():
            return path.read_text(encoding="utf-8")
    return None


_UNITS_OF_WORK: dict = {}


def units_of_work(module: str, root: Path = REPO) -> set:
    """Names of the top-level functions of ``module`` whose first parameter is ``session``."""
    key = (root, module)
    if key not in _UNITS_OF_WORK:
        source = _module_source(module, root)
        found = set()
        for node in ast.parse(source).body if source is not None else ():
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                params = node.args.posonlyargs + node.args.args
                if params and params[0].arg == "session":
                    found.add(node.name)
        _UNITS_OF_WORK[key] = found
    return _UNITS_OF_WORK[key]


def action_debts(source: str, module: str, root: Path = REPO) -> list[str]:
    """What makes the action module ``module`` more than a thin adapter."""
    tree = ast.parse(source)
    found = []
    functions, modules = {}, {}       # local name -> where the unit of work / module comes from
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                modules[alias.asname or alias.name] = alias.name
                top = alias.name.split(".")[0]
                if top in ACTIONS_MAY_NOT_IMPORT:
                    found.append(f"{module} imports {alias.name} ({ACTIONS_MAY_NOT_IMPORT[top]})")
                elif top == "sqlalchemy" and alias.name not in ACTIONS_SQLALCHEMY:
                    found.append(f"{module} imports {alias.name} (SQL stays in the data layer)")
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            top = node.module.split(".")[0]
            if top in ACTIONS_MAY_NOT_IMPORT:
                found.append(f"{module} imports {node.module} ({ACTIONS_MAY_NOT_IMPORT[top]})")
            elif top == "sqlalchemy" and node.module not in ACTIONS_SQLALCHEMY:
                found.append(f"{module} imports {node.module} (SQL stays in the data layer)")
            for alias in node.names:
                if alias.name in units_of_work(node.module, root):
                    functions[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                elif _module_source(f"{node.module}.{alias.name}", root) is not None:
                    modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    pooled = {name for owner, name in RUNS_ON_THE_POOL if owner == module}
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or function.name in pooled:
            continue
        params = function.args.posonlyargs + function.args.args
        if params and params[0].arg == "session":
            found.append(f"{module}.{function.name} is a unit of work (it belongs to assistant/ or shop/db/)")
            continue
        for node in ast.walk(function):
            if (isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)
                    and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops) and HAN.search(node.left.value)):
                found.append(f"{module}.{function.name} looks for the word {node.left.value!r}: name the rule in assistant/")
            if not isinstance(node, ast.Call):
                continue
            called = node.func
            if isinstance(called, ast.Name) and called.id in functions:
                found.append(f"{module}.{function.name} calls {functions[called.id]} on the event loop")
            elif isinstance(called, ast.Attribute) and called.attr in PATTERN_METHODS:
                found.append(f"{module}.{function.name} applies a pattern (.{called.attr}): name the rule in assistant/")
            elif isinstance(called, ast.Name) and called.id in BLOCKING_CALLS:
                found.append(f"{module}.{function.name} calls {called.id} on the event loop")
            elif (isinstance(called, ast.Attribute) and isinstance(called.value, ast.Name) and called.value.id in modules
                  and called.attr in units_of_work(modules[called.value.id], root)):
                found.append(f"{module}.{function.name} calls {modules[called.value.id]}.{called.attr} on the event loop")
    return found


def scan_actions(root: Path = REPO) -> tuple[int, list[str]]:
    checked, problems = 0, []
    for path in sorted((root / ACTIONS).rglob("*.py")):
        checked += 1
        problems += action_debts(path.read_text(encoding="utf-8"), module_name(path, root), root)
    return checked, problems


def test_actions_are_thin_adapters():
    checked, problems = scan_actions()
    assert checked > 20
    assert problems == []


@pytest.mark.parametrize("source, problem", [
    ("import re\nWANTS = re.compile('想买')", "imports re"),
    ("from re import compile", "imports re"),
    ("import yaml", "imports yaml"),
    ("from sqlalchemy import select", "SQL stays in the data layer"),
    ("from sqlalchemy.orm import Session", "SQL stays in the data layer"),
    ("from shop.db.orders import get_order\nasync def run(order_no):\n    return get_order(None, order_no)",
     "calls shop.db.orders.get_order on the event loop"),
    ("from shop.db import orders\nasync def run(order_no):\n    return orders.get_order(None, order_no)",
     "calls shop.db.orders.get_order on the event loop"),
    ("from assistant.purchase_search import listing_with_variant\ndef pick(ids):\n    return listing_with_variant(None, ids, '')",
     "calls assistant.purchase_search.listing_with_variant on the event loop"),
    ("async def run(path):\n    with open(path) as handle:\n        return handle.read()", "calls open on the event loop"),
    ("from shop.db.engine import default_engine, session_scope\nasync def run():\n"
     "    with session_scope(default_engine()) as session:\n        return session",
     "calls session_scope on the event loop"),
    ("def stock(session, product_id):\n    return product_id", "is a unit of work"),
    ("from assistant.order_matching import EARLIER_ORDER\ndef earlier(text):\n    return EARLIER_ORDER.search(text)",
     "applies a pattern (.search)"),
    ("def asks_size(text):\n    return '尺码' in text or '多大码' not in text", "looks for the word '尺码'"),
])
def test_an_action_doing_more_than_adapting_is_caught(source, problem):
    problems = action_debts(source, "actions.example")
    assert any(problem in found for found in problems), problems


def test_units_of_work_handed_to_the_pool_are_allowed():
    source = ("from actions.support import db\nfrom shop.db.orders import get_order\n"
              "from sqlalchemy.exc import SQLAlchemyError\nfrom assistant.faq import faq_book\n"
              "async def run(order_no):\n    order = await db(get_order, 1, order_no)\n"
              "    return order, faq_book().answer('invoice')\n")
    assert action_debts(source, "actions.example") == []
    assert units_of_work("shop.db.orders") >= {"get_order", "recent_orders"}
