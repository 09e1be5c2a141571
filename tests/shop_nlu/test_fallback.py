"""shop_nlu.fallback.ShopFallbackClassifier: unsure out-of-scope guesses are answered, every
other unsure guess still falls back to nlu_fallback."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from shop_nlu.fallback import ShopFallbackClassifier


def parse(intent, confidence, runner_up="order_status", runner_up_confidence=0.1):
    message = Message(data={"text": "x"})
    message.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": confidence},
                                   {"name": runner_up, "confidence": runner_up_confidence}], add_to_output=True)
    return message


@pytest.fixture()
def classifier():
    return ShopFallbackClassifier({**ShopFallbackClassifier.get_default_config(),
                                   "threshold": 0.5, "ambiguity_threshold": 0.25})


def test_unsure_out_of_scope_is_answered(classifier):
    low = parse("out_of_scope", 0.35, "purchase", 0.3)
    classifier.process([low])
    assert low.get("intent")["name"] == "out_of_scope"


@pytest.mark.parametrize("intent", ["purchase", "order_status", "greet"])
def test_other_unsure_intents_fall_back(classifier, intent):
    low = parse(intent, 0.35)
    ambiguous = parse(intent, 0.55, "product_inquiry", 0.4)
    classifier.process([low, ambiguous])
    assert low.get("intent")["name"] == "nlu_fallback"
    assert ambiguous.get("intent")["name"] == "nlu_fallback"


def test_confident_predictions_are_untouched(classifier):
    sure = parse("purchase", 0.9)
    classifier.process([sure])
    assert sure.get("intent")["name"] == "purchase"


def test_answer_directly_can_be_emptied():
    plain = ShopFallbackClassifier({**ShopFallbackClassifier.get_default_config(), "threshold": 0.5,
                                    "answer_directly": []})
    low = parse("out_of_scope", 0.35)
    plain.process([low])
    assert low.get("intent")["name"] == "nlu_fallback"
