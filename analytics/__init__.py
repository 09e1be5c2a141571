"""Operator analytics fed by Rasa's event broker (see analytics/README in the main README).

Rasa publishes every tracker event to its event broker; a consumer turns them, exactly once,
into small tables an operator (or Metabase / Superset) reads:

- embedded default: Rasa's SQL event broker writes a SQLite file (``broker.py`` moves the
  writes off the server's event loop); ``sql_source.sync`` reads new rows by id;
- scale-out: Rasa's Pika broker publishes to RabbitMQ; ``rabbit`` consumes the queue and
  acknowledges a message only after its effects are committed.

Both end in ``store.ingest``, idempotent on the event's key, so a replay never counts twice.
"""
