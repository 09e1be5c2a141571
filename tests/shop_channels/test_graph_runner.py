"""The Rasa server's graph runner (shop_channels.graph_runner) against Rasa's own, on the
trained model: the same parses and the same next-action predictions."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.engine import loader
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.graph_components.providers.domain_provider import DomainProvider
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import rasa.core.processor
from shop_channels import graph_runner
from shop_channels.graph_runner import SequentialGraphRunner, execution_order
from tests.support.stack import latest_model

MESSAGES = ["你好", "我的订单什么时候到", "推荐一款两千左右的手机", "我要退货，质量问题", "转人工", "今天天气怎么样",
            "iPhone 15 Pro Max 256GB 有货吗", "2220", "那多久能到"]


@pytest.fixture(scope="module")
def runners(tmp_path_factory):
    model = latest_model()
    assert model is not None, "train a model first (scripts/train.sh)"
    loaded = []
    for runner_class in (DaskGraphRunner, SequentialGraphRunner):
        metadata, runner = loader.load_predict_graph_runner(
            tmp_path_factory.mktemp(runner_class.__name__), Path(model), LocalModelStorage, runner_class)
        loaded.append((metadata, runner))
    return loaded


def _parse(metadata, runner, text, tracker):
    results = runner.run(inputs={"__message__": [UserMessage(text)], "__tracker__": tracker},
                         targets=[metadata.nlu_target])
    return results[metadata.nlu_target][0].as_dict(only_output_properties=True)


def _trackers(domain):
    yield DialogueStateTracker.from_events("t0", [ActionExecuted("action_listen")], slots=domain.slots)
    for intent in ("greet", "order_status", "after_sales", "recommend_product", "human_handoff", "out_of_scope"):
        yield DialogueStateTracker.from_events("t-" + intent, [
            ActionExecuted("action_session_start"), ActionExecuted("action_listen"),
            UserUttered("x", intent={"name": intent, "confidence": 0.99}),
        ], slots=domain.slots)
    yield DialogueStateTracker.from_events("t-slot", [
        ActionExecuted("action_listen"), UserUttered("x", intent={"name": "order_status", "confidence": 0.9}),
        SlotSet("order_no", "SO20240101"), ActionExecuted("action_listen"),
        UserUttered("y", intent={"name": "affirm", "confidence": 0.9}),
    ], slots=domain.slots)


def test_parses_are_the_same(runners):
    (meta_a, dask_runner), (meta_b, sequential) = runners
    tracker = DialogueStateTracker.from_events("t", [ActionExecuted("action_listen")])
    for text in MESSAGES:
        assert _parse(meta_a, dask_runner, text, tracker) == _parse(meta_b, sequential, text, tracker), text


def test_predictions_are_the_same(runners):
    (meta, dask_runner), (_, sequential) = runners
    for tracker in _trackers(meta.domain):
        expected = dask_runner.run(inputs={"__tracker__": tracker.copy()}, targets=[meta.core_target])[meta.core_target]
        got = sequential.run(inputs={"__tracker__": tracker.copy()}, targets=[meta.core_target])[meta.core_target]
        assert (got.probabilities, got.policy_name, got.events, got.optional_events, got.is_end_to_end_prediction,
                got.is_no_user_prediction, got.diagnostic_data, got.action_metadata) == (
            expected.probabilities, expected.policy_name, expected.events, expected.optional_events,
            expected.is_end_to_end_prediction, expected.is_no_user_prediction, expected.diagnostic_data,
            expected.action_metadata), tracker.sender_id
        assert max(got.probabilities) > 0


def test_a_string_input_naming_a_node_is_refused_as_rasa_refuses_it(runners):
    (meta, _), (_, sequential) = runners
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        sequential.run(inputs={"__tracker__": meta.core_target}, targets=[meta.core_target])


def test_nodes_come_after_what_they_need():
    def node(*needs):
        return SchemaNode(needs={f"n{i}": n for i, n in enumerate(needs)}, uses=DomainProvider,
                          constructor_name="create", fn="provide_inference", config={})
    schema = GraphSchema({"c": node("b", "a"), "b": node("a", "__input__"), "a": node(), "d": node("c")})
    order = execution_order(schema)
    assert order == ["a", "b", "c", "d"]
    with pytest.raises(GraphRunError, match="cycle"):
        execution_order(GraphSchema({"x": node("y"), "y": node("x")}))


def test_installed_for_the_rasa_server():
    import shop_channels  # noqa: F401  (the channels package installs the runner, as credentials.yml does)
    assert graph_runner.install() is True
    assert rasa.core.processor.DaskGraphRunner is SequentialGraphRunner
