"""Rasa input channels hardened for public traffic."""
