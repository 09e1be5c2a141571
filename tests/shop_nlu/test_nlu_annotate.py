"""bench/nlu_annotate.py: --adopt fixes stale annotations in bulk, --check skips intent-only files."""
import importlib.util
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from shop_nlu.pipeline import ShopEntityFinder

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("nlu_annotate", ROOT / "bench" / "nlu_annotate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def finder():
    return ShopEntityFinder.from_files()


def entities(path):
    return {ex.get("text"): sorted((e["entity"], e["value"]) for e in ex.get("entities") or [])
            for ex in load_data(str(path)).intent_examples}


def test_adopt_adds_the_missing_kind_and_keeps_the_rest(tool, finder, tmp_path):
    annotated = tmp_path / "after_sales.yml"
    annotated.write_text(
        'version: "3.1"\nnlu:\n- intent: after_sales\n  examples: |\n'
        '    - [手机](category)[坏了]{"entity": "reason", "value": "quality_issue"}能修吗\n'
        '    - 保修多久\n'
        '- intent: purchase\n  examples: |\n    - 临期零食专区在哪\n', encoding="utf-8")
    plain = tmp_path / "desk.yml"
    plain.write_text('version: "3.1"\nnlu:\n- intent: after_sales\n  examples: |\n    - 手机坏了\n',
                     encoding="utf-8")
    before_plain = plain.read_text(encoding="utf-8")

    tool.adopt([annotated, plain], finder, {("topic", "damaged")}, {"after_sales"})

    got = entities(annotated)
    assert got["手机坏了能修吗"] == [("category", "手机"), ("reason", "quality_issue"), ("topic", "damaged")]
    assert got["保修多久"] == []                 # only the kinds asked for (not `warranty`)
    assert got["临期零食专区在哪"] == []          # only the intents asked for
    assert plain.read_text(encoding="utf-8") == before_plain   # intent-only files untouched


def test_check_does_not_compare_intent_only_files(tool, finder, tmp_path, capsys):
    plain = tmp_path / "desk.yml"
    plain.write_text('version: "3.1"\nnlu:\n- intent: after_sales\n  examples: |\n    - 手机坏了\n',
                     encoding="utf-8")
    assert tool.check([plain], finder) == 0
    assert "desk.yml" in capsys.readouterr().err
