"""ShopVocabFeaturizer: fixed columns from the vocabulary, sequence and sentence features."""
import pytest

pytest.importorskip("rasa")

from rasa.engine.graph import ExecutionContext  # noqa: E402
from rasa.shared.nlu.constants import TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from shop_nlu.featurizer import ShopVocabFeaturizer  # noqa: E402
from shop_nlu.pipeline import ShopEntityFinder  # noqa: E402
from shop_nlu.tokenizer import ShopJiebaTokenizer  # noqa: E402


@pytest.fixture(scope="module")
def parts():
    finder = ShopEntityFinder.from_files()
    context = ExecutionContext(graph_schema=None, node_name="vocab_featurizer")
    featurizer = ShopVocabFeaturizer({}, None, None, context, finder)
    tokenizer = ShopJiebaTokenizer.create({}, None, None, context)
    return tokenizer, featurizer


def featurize(parts, text):
    tokenizer, featurizer = parts
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    featurizer.process([message])
    seq, sent = message.get_sparse_features(TEXT)
    return featurizer, message, seq.features.toarray(), sent.features.toarray()


def names(featurizer, row):
    return {featurizer.names[i] for i, v in enumerate(row) if v}


def test_columns_are_fixed_by_the_vocabulary(parts):
    featurizer = parts[1]
    assert "topic=refund_progress" in featurizer.names
    assert "cue=handoff" in featurizer.names
    assert "has=order_no" in featurizer.names
    assert len(featurizer.names) == len(set(featurizer.names))


def test_sentence_features(parts):
    featurizer, _, _, sent = featurize(parts, "订单２０２６１１２０１２３４５６７８９０的退款怎么还没到")
    assert {"has=order_no", "topic=refund_progress", "service_type=退款"} <= names(featurizer, sent[0])


def test_sequence_features_mark_the_matching_tokens(parts):
    featurizer, message, seq, _ = featurize(parts, "转人工")
    column = featurizer.index["cue=handoff"]
    assert seq[:, column].sum() >= 1


def test_only_values_shape_for_answers(parts):
    featurizer, _, _, sent = featurize(parts, "小米14 黑色")
    assert "shape=only_values" in names(featurizer, sent[0])
    featurizer, _, _, sent = featurize(parts, "小米14有黑色的吗 多少钱")
    assert "shape=only_values" not in names(featurizer, sent[0])


@pytest.mark.parametrize("text, intent", [
    ("可以自提吗", "purchase"),                      # self-pickup asked before ordering
    ("我的订单可以改成自提吗", "order_status"),        # ... and about an order of mine
    ("这单我想自己去自提", "order_status"),
    ("现在有货吗", "purchase"),
    ("我买的空调怎么没货了", "order_status"),
])
def test_an_order_dependent_topic_points_at_the_order_once_one_is_placed(parts, text, intent):
    featurizer, _, _, sent = featurize(parts, text)
    found = {n for n in names(featurizer, sent[0]) if n.startswith("topic_intent=")}
    assert f"topic_intent={intent}" in found
    other = "purchase" if intent == "order_status" else "order_status"
    assert f"topic_intent={other}" not in found


@pytest.mark.parametrize("text", ["我想入驻自营 要什么条件", "拼多多的订单怎么退款"])
def test_a_topic_beside_another_worlds_business_points_at_no_shop_intent(parts, text):
    # issue 14 round 16: the out-of-scope guard vetoes the signal, so the pointer goes too
    featurizer, _, _, sent = featurize(parts, text)
    found = names(featurizer, sent[0])
    assert "cue=off_topic" in found
    assert not [n for n in found if n.startswith("topic_intent=")]


def test_the_same_topic_without_it_still_points_at_its_intent(parts):
    featurizer, _, _, sent = featurize(parts, "自营的发货快吗")
    assert "topic_intent=purchase" in names(featurizer, sent[0])
