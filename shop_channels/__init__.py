"""Rasa input channels hardened for public traffic.

Loading them (Rasa imports this package for credentials.yml) also applies, to the Rasa
server process, the measured speed-up of ``shop_channels.rasa_speedups`` and the failure
handling of ``shop_channels.rasa_failures`` (every turn gets a reply) and the context reading
of ``shop_channels.rasa_follow_ups`` (follow-ups answered as the question they continue) and
the session roll-over of ``shop_channels.rasa_sessions`` (a turn's cost bounded in long
conversations) and the kept action-server connections of ``shop_channels.rasa_keepalive``.
"""
from shop_channels import rasa_failures, rasa_follow_ups, rasa_keepalive, rasa_sessions, rasa_speedups

rasa_speedups.install()
rasa_failures.install()
rasa_follow_ups.install()
rasa_sessions.install()
rasa_keepalive.install()
