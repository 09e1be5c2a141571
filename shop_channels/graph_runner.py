"""The Rasa server runs its model graph in a fixed order, planned once per set of targets.

Rasa 3.6 serves a model through ``DaskGraphRunner``: for every parse (the NLU pipeline) and
every next-action prediction (several per shopper turn), ``run`` prunes the graph schema to
the targets, rebuilds a dask task graph and hands it to ``dask.get``, which orders the tasks
(``dask.order``) and drives them through its synchronous scheduler. The components do the
same work either way; what dask adds is bookkeeping, the same for every call. Profiling the
conversation benchmark (py-spy on the Rasa server at 1 shopper, bench/TURN_COST.md, round 4)
put the runner's own share at about a quarter of the time spent in the graph.

``SequentialGraphRunner`` keeps everything of ``DaskGraphRunner`` (the nodes, their hooks,
the input checks, the errors) and replaces ``run``: the pruned schema's nodes are put in a
dependency order once per tuple of targets, and each call runs that list, passing every node
the ``(node name, output)`` pairs of what it needs, exactly as dask did. Rasa's components
are written for a graph whose independent nodes may run in any order, so one fixed order is
one of the orders dask itself may choose.

Only the serving path uses it (``MessageProcessor`` loads models with it); training keeps
Rasa's runner. Installed by ``shop_channels`` for the Rasa version it was written against.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

import rasa
import rasa.core.processor
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphNode, GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner

from shop_channels.patching import patch_pinned

logger = logging.getLogger(__name__)

PATCHED_RASA_VERSIONS = frozenset({"3.6.21"})

# One step of a plan: the node's name, the node, the names of what it needs (in the order of
# its schema's ``needs``, which is how dask passed them).
Step = Tuple[Text, GraphNode, Tuple[Text, ...]]


def execution_order(schema: GraphSchema) -> List[Text]:
    """The schema's node names with every node after the nodes it needs (depth first, in
    the schema's own order, so the plan is the same on every start)."""
    order: List[Text] = []
    placed: set = set()
    visiting: set = set()

    def place(name: Text) -> None:
        if name in placed or name not in schema.nodes:    # done, or an input placeholder
            return
        if name in visiting:
            raise GraphRunError(f"The graph has a cycle through node '{name}'.")
        visiting.add(name)
        for needed in schema.nodes[name].needs.values():
            place(needed)
        visiting.discard(name)
        placed.add(name)
        order.append(name)

    for node_name in schema.nodes:
        place(node_name)
    return order


class SequentialGraphRunner(DaskGraphRunner):
    """``DaskGraphRunner`` whose ``run`` follows a plan made once per tuple of targets."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: Dict[Tuple[Text, ...], List[Step]] = {}

    def _plan(self, targets: Sequence[Text]) -> List[Step]:
        key = tuple(targets)
        plan = self._plans.get(key)
        if plan is None:
            schema = self._graph_schema.minimal_graph_schema(list(targets))
            plan = [(name, self._instantiated_nodes[name], tuple(schema.nodes[name].needs.values()))
                    for name in execution_order(schema)]
            self._plans[key] = plan
        return plan

    def run(self, inputs: Optional[Dict[Text, Any]] = None,
            targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        """Runs the graph (see ``GraphRunner.run``): the same results as Rasa's runner."""
        run_targets = targets if targets else self._graph_schema.target_names
        plan = self._plan(run_targets)
        values: Dict[Text, Any] = {}
        if inputs:
            taken = {name for name, _, _ in plan}
            for input_name, input_value in inputs.items():
                # Rasa's check (DaskGraphRunner._add_inputs_to_graph): a string input equal to
                # a node's or an earlier input's name would be read as a reference to it.
                if isinstance(input_value, str) and input_value in taken:
                    raise GraphRunError(
                        f"Input value '{input_value}' clashes with a node name. Make sure "
                        f"that none of the input names passed to the `run` method are the "
                        f"same as node names in the graph schema.")
                values[input_name] = (input_name, input_value)
                taken.add(input_name)
        try:
            for name, node, needs in plan:
                # A need that is neither a node nor an input reaches the node as the bare
                # string, as in a dask graph.
                values[name] = node(*[values.get(needed, needed) for needed in needs])
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e
        return dict(values[target] for target in run_targets)


def install() -> bool:
    """Serve models with ``SequentialGraphRunner``; True when in place."""
    return patch_pinned([(rasa.core.processor, "DaskGraphRunner", SequentialGraphRunner)],
                        PATCHED_RASA_VERSIONS, "stock graph runner", logger=logger, level=logging.INFO)


__all__ = ["SequentialGraphRunner", "execution_order", "install"]
