"""Rasa input channels hardened for public traffic.

Loading them (Rasa imports this package for credentials.yml) also applies, to the Rasa
server process, the measured speed-up of ``shop_channels.rasa_speedups`` and the failure
handling of ``shop_channels.rasa_failures`` (every turn gets a reply) and the context reading
of ``shop_channels.rasa_follow_ups`` (follow-ups answered as the question they continue),
the session roll-over of ``shop_channels.rasa_sessions`` (a turn's cost bounded in long
conversations), the kept action-server connections of ``shop_channels.rasa_keepalive`` and
the one tracker read of a turn with a ``message_id`` (``shop_channels.idempotency``) and the
model graph run in an order planned once (``shop_channels.graph_runner``), and the dialogue
states built once per tracker state for the policies (``shop_channels.policy_states``), the
rules matched with each rule read once (``shop_channels.rule_matching``), the tracker copied
for each action without replaying the session (``shop_channels.turn_copies``), and
a conversation store that fails stopping the turn with a polite reply instead of answering
from an empty conversation (``shop_channels.tracker_store_failures``), and the events kept
while RabbitMQ is away bounded (``shop_channels.pika_backlog``).

Its settings (``shop_channels/settings.py``) are read and checked here, once: a bad value
stops the Rasa server at start-up with a message naming the variable.
"""
from shop_channels import (graph_runner, idempotency, pika_backlog, policy_states, rasa_failures, rasa_follow_ups,
                           rasa_keepalive, rasa_sessions, rasa_speedups, rule_matching, tracker_store_failures,
                           turn_copies)
from shop_channels.settings import server_settings

rasa_speedups.install()
graph_runner.install()
policy_states.install()
rule_matching.install()
turn_copies.install()
rasa_failures.install(server_settings().action_call_timeout_s)
rasa_follow_ups.install()
rasa_sessions.install(server_settings().session_max_user_turns)
rasa_keepalive.install()
idempotency.install()
tracker_store_failures.install()
pika_backlog.install()
