"""shop.json_limits: the depth check steps only into containers and answers as the
straightforward walk over every node does."""
import json
import random
from collections import OrderedDict

from shop.json_limits import json_depth_exceeds


def depth_by_walking_every_node(value, limit):
    """The check as first written (one step per node, leaves included): the reference."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def random_json(rng, depth):
    kind = rng.random()
    if depth <= 0 or kind < 0.35:
        return rng.choice(["文本", 1, 2.5, True, None, "", 0])
    if kind < 0.7:
        return [random_json(rng, depth - 1) for _ in range(rng.randint(0, 4))]
    return {f"k{i}": random_json(rng, depth - 1) for i in range(rng.randint(0, 4))}


def test_the_depth_check_answers_as_the_walk_over_every_node():
    rng = random.Random(18)
    for _ in range(3000):
        value = random_json(rng, rng.randint(0, 9))
        value = json.loads(json.dumps(value))        # as the callers have it: parsed JSON
        for limit in range(0, 11):
            assert json_depth_exceeds(value, limit) == depth_by_walking_every_node(value, limit), (value, limit)


def test_depth_counts_containers_only():
    assert not json_depth_exceeds("text", 0)
    assert json_depth_exceeds({}, 0) and not json_depth_exceeds({}, 1)
    assert not json_depth_exceeds({"a": [1, {"b": 2}]}, 3)
    assert json_depth_exceeds({"a": [1, {"b": [3]}]}, 3)
    deep = []
    for _ in range(200):
        deep = [deep, "x"]
    assert json_depth_exceeds(deep, 64) and not json_depth_exceeds(deep, 201)
    # Subclasses of dict and list count, as isinstance says (an object_pairs_hook's OrderedDict).
    assert json_depth_exceeds(OrderedDict(a=OrderedDict(b=[1])), 2)
    assert not json_depth_exceeds(OrderedDict(a=OrderedDict(b=[1])), 3)
