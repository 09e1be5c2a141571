"""Rasa input channels hardened for public traffic.

Loading them (Rasa imports this package for credentials.yml) also applies, to the Rasa
server process, the measured speed-up of ``shop_channels.rasa_speedups`` and the failure
handling of ``shop_channels.rasa_failures`` (every turn gets a reply).
"""
from shop_channels import rasa_failures, rasa_speedups

rasa_speedups.install()
rasa_failures.install()
