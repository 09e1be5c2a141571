"""Rasa input channels hardened for public traffic.

Loading them (Rasa imports this package for credentials.yml) also applies the measured
speed-up of ``shop_channels.rasa_speedups`` to the Rasa server process.
"""
from shop_channels import rasa_speedups

rasa_speedups.install()
