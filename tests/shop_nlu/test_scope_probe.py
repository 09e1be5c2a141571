"""The scope probe (bench/scope_probe.py, issue 14 round 13): its files load, stay apart from the
training data, and its counts say what they claim."""
import importlib.util

from shop.settings import REPO_ROOT

_spec = importlib.util.spec_from_file_location("scope_probe", REPO_ROOT / "bench" / "scope_probe.py")
scope_probe = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scope_probe)


def test_the_probe_files_load_with_the_guides_intents():
    shop, off = scope_probe.load_probe()
    assert len(shop) >= 150 and len(off) >= 70
    assert {intent for _, intent, _ in shop} <= {"purchase", "product_inquiry", "after_sales", "order_status"}
    assert len({text for _, _, text in shop} | {text for _, text in off}) == len(shop) + len(off)


def test_no_probe_message_is_training_data():
    from rasa.shared.nlu.training_data.loading import load_data

    training = set()
    for path in sorted((REPO_ROOT / "data" / "nlu").glob("*.yml")):
        training |= {ex.get("text") for ex in load_data(str(path)).intent_examples}
    shop, off = scope_probe.load_probe()
    assert not ({text for _, _, text in shop} | {text for _, text in off}) & training


def test_the_counts():
    shop = [("a", "purchase", "x"), ("a", "after_sales", "y"), ("b", "order_status", "z")]
    off = [("w", "p"), ("w", "q")]
    got = scope_probe.score(shop, ["out_of_scope", "after_sales", "nlu_fallback"], [0.95, 0.2, 0.5],
                            off, ["out_of_scope", "nlu_fallback"])
    assert got == {"shop": 3, "shop_oos": 1, "shop_sure_oos": 1, "shop_clarify": 1, "shop_as_guide": 1,
                   "off": 2, "off_oos": 1, "off_oos_or_clarify": 2}
    text = scope_probe.report(shop, ["out_of_scope", "after_sales", "nlu_fallback"], [0.95, 0.2, 0.5],
                              off, ["out_of_scope", "nlu_fallback"], misses=True)
    assert "-> out of scope 1/3 = 33.3 %" in text and "off  [w] 'q' got=nlu_fallback" in text
