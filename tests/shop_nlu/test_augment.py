"""The noisy copies of the training examples (shop_nlu/augment.py): deterministic, same label,
entity spans still on the annotated words."""
import random

from shop_nlu import augment
from shop_nlu.augment import Example, augment as noisy_examples, noisy_copies


def order_question():
    text = "我的订单2026120412345678到哪了，在吗"
    start = text.index("2026")
    return Example(text, "order_status",
                   [{"start": start, "end": start + 16, "entity": "order_no", "value": "2026120412345678"}])


def test_copies_are_deterministic_and_keep_the_label():
    ex = Example("这个空调的保修期是多久呢", "product_inquiry")
    first, again = noisy_copies(ex, copies=3), noisy_copies(ex, copies=3)
    assert [c.text for c in first] == [c.text for c in again]
    assert first and all(c.intent == "product_inquiry" and c.text != ex.text for c in first)
    assert len({c.text for c in first}) == len(first)


def test_a_copy_does_not_depend_on_the_other_examples():
    ex = Example("退款什么时候到账", "after_sales")
    alone = noisy_examples([ex])
    among = noisy_examples([Example("推荐个耳机", "ask_recommendation"), ex])
    assert [c.text for c in alone] == [c.text for c in among if c.intent == "after_sales"]


def test_entity_spans_stay_on_their_words():
    ex = order_question()
    for copy in noisy_copies(ex, copies=40):
        (entity,) = copy.entities
        typed = copy.text[entity["start"]:entity["end"]]
        assert typed == entity["value"] and typed.isdigit() and len(typed) == 16


def test_each_edit_keeps_spans_valid():
    ex = Example("亲，我在你们家买的这个华为手机以经用了三天，帐单号123456呢？",
                 "after_sales", [{"start": 11, "end": 13, "entity": "brand", "value": "华为"},
                                 {"start": 13, "end": 15, "entity": "category", "value": "手机"}])
    rng = random.Random(0)
    for edit in set(augment.EDITS):
        for _ in range(20):
            out = edit(ex, rng)
            if out is None:
                continue
            assert out.intent == ex.intent
            for before, after in zip(ex.entities, out.entities):
                assert out.text[after["start"]:after["end"]] == ex.text[before["start"]:before["end"]]


def test_edits_do_what_they_say():
    rng = random.Random(1)
    ex = Example("在吗，我想定一台空调。", "purchase")
    assert augment.strip_punctuation(ex, rng).text == "在吗我想定一台空调"
    respelt = augment.homophone(ex, rng).text
    assert len(respelt) == len(ex.text) and sum(a != b for a, b in zip(respelt, ex.text)) == 1
    assert augment.filler_after(ex, rng).text.startswith(ex.text)
    assert augment.filler_before(ex, rng).text.endswith(ex.text)
    assert augment.drop_character(Example("好的", "affirm"), rng) is None  # nothing to spare


def test_the_short_dialogue_acts_are_not_noised():
    examples = [Example("好的", "affirm"), Example("不要了", "deny"), Example("你好", "greet"),
                Example("12345678", "inform"), Example("谢谢", "thank")]
    assert noisy_examples(examples, copies=3) == []


def test_the_file_is_written_from_the_training_files(tmp_path):
    data = tmp_path / "nlu"
    data.mkdir()
    (data / "orders.yml").write_text(
        'version: "3.1"\nnlu:\n  - intent: order_status\n    examples: |\n'
        '      - 订单[2026120412345678](order_no)到哪了\n      - 我的快递怎么还没到\n'
        '  - intent: affirm\n    examples: |\n      - 好的\n', encoding="utf-8")
    out = tmp_path / "noisy.yml"
    assert augment.build(data_dir=data, output=out) and not augment.build(check=True, data_dir=data, output=out)
    written = augment.read_examples([out])
    assert written and {ex.intent for ex in written} == {"order_status"}
    for ex in written:
        for e in ex.entities:
            assert ex.text[e["start"]:e["end"]] == e["value"]


def test_texts_already_written_are_not_added_again():
    ex = Example("运费多少", "product_inquiry")
    written = [ex, *[Example(c.text, "product_inquiry") for c in noisy_copies(ex, copies=5)]]
    assert not {c.text for c in noisy_examples(written, copies=5)} & {w.text for w in written}
