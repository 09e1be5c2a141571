"""The demo shop's web site: serves the chat page (``web/``) and the few JSON endpoints it
needs (where Rasa is, the demo sign-in). Run it with ``python -m shop_site``.

- ``config``     settings from the environment (host, port, where Rasa is, demo switch).
- ``customers``  the demo customer directory, read from the shop database.
- ``api``        JSON handlers: ``/api/config``, ``/api/demo/customers``, ``/api/demo/login``.
- ``pages``      the page, its assets and ``/healthz``.
- ``errors``     one JSON error shape and the middleware that guarantees it.
- ``app``        wires the above into an aiohttp application.
"""
