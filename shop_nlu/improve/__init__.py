"""The operator's NLU improvement loop: ``python -m shop_nlu.improve`` (``make improve``).

Reads the conversation store the Rasa server writes, lists the shoppers' messages the
assistant did not understand (a clarifying question, an out-of-scope reply, the core
fallback, or a low-confidence guess), groups similar ones, lets the operator pick the right
intent per group or per message, and appends the chosen examples to ``data/nlu/<intent>.yml``
for the next ``make train``.

- :mod:`.conversations` — the tracker store (Rasa's own classes, from the endpoints file) and
  which user turns are listed, with why;
- :mod:`.grouping` — similar messages together (TF-IDF on character 1–2-grams,
  agglomerative clustering on cosine distance);
- :mod:`.training_files` — the training files: what is already there, and appending
  examples that stay valid Rasa YAML;
- :mod:`.review` — the review file (``--export`` / ``--apply``) and the terminal review;
- :mod:`.cli` — the command.

Messages are shop data: they are shown to the operator and written to the files the operator
asks for (review file, training files), never logged, and conversation ids, metadata and
customer tokens are never read into the output at all.
"""
