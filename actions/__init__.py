"""Custom actions (rasa_sdk). Thin adapters: read the tracker and the verified identity,
call the shop's domain and data layer (``shop``, ``recommender``), format replies.

The action server imports every module in this package and registers their Action classes.
"""
