"""The aiohttp application and ``main()``."""
from __future__ import annotations

import logging
import sys
from typing import Optional

from aiohttp import web

from shop.identity import IdentityConfigError
from shop.settings import ConfigError
from shop_site import api, checkout, pages
from shop_site.config import Settings, load_settings
from shop_site.customers import DemoDirectory
from shop_site.errors import json_errors
from shop_site.headers import security_headers
from shop_site.product_images import ProductImages

logger = logging.getLogger("shop_site")

# Every JSON body this site accepts is tiny; anything bigger is refused before it is read.
MAX_REQUEST_BYTES = 16 * 1024


def create_app(settings: Settings, directory: Optional[DemoDirectory] = None) -> web.Application:
    directory = directory or DemoDirectory()
    app = web.Application(middlewares=[json_errors], client_max_size=MAX_REQUEST_BYTES)
    app.add_routes(api.routes(settings, directory))
    app.add_routes(checkout.routes(settings, directory))
    images = ProductImages(settings.web_root, lambda: directory.engine)
    app.add_routes(pages.routes(settings, images))
    app.on_response_prepare.append(security_headers(settings))
    app.on_response_prepare.append(pages.content_headers)

    async def close_directory(_: web.Application) -> None:
        directory.close()

    app.on_cleanup.append(close_directory)
    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
        if settings.demo_login:
            settings.identity.secret()  # fail now, not on the first sign-in
    except (ConfigError, IdentityConfigError) as error:
        sys.exit(f"shop_site: {error}")
    if settings.demo_login:
        logger.warning("demo sign-in is ON (anyone who can reach http://%s:%d/ can sign in as a seeded "
                       "customer); it is off unless SHOP_DEMO_LOGIN is set", settings.host, settings.port)
    else:
        logger.info("demo sign-in is off (SHOP_DEMO_LOGIN=1 turns it on, on a loopback address)")
    logger.info("serving the shop page on http://%s:%d/", settings.host, settings.port)
    web.run_app(create_app(settings), host=settings.host, port=settings.port,
                print=None, access_log=None)
