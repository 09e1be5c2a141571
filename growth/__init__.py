"""Growing GMV with evidence: experiments on the conversation (definition, assignment,
analysis), customer segments (RFM + K-means) and a shopper simulator.

- ``growth.experiments``  the experiment file (content/experiments.yml), re-read on change;
- ``growth.assignment``   deterministic, weighted, stable assignment of a unit to a variant;
- ``growth.statistics``   pure statistics (scipy / statsmodels): intervals, lift, SRM, CUPED,
                          sample size;
- ``growth.analyse``      ``python -m growth.analyse NAME``: the report, from the database;
- ``growth.segments``     ``python -m growth.segments``: RFM features, K-means, Chinese names;
- ``growth.simulator``    simulated shoppers talking to the live stack over REST.

SQL lives in ``shop/db/experiments.py``, ``shop/db/segments.py`` and ``shop/db/checkout.py``.
"""
