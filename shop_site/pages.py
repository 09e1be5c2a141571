"""The chat page, its assets, product images and the health check.

Only ``web/index.html``, ``web/assets/`` and ``web/static/`` are served: nothing else under
``web/`` (tools, package files, node_modules) is reachable over HTTP.
"""
from __future__ import annotations

from aiohttp import web

from shop_site.config import Settings
from shop_site.product_images import ProductImages


async def healthz(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def routes(settings: Settings, images: ProductImages) -> list[web.AbstractRouteDef]:
    index = settings.web_root / "index.html"

    async def page(_: web.Request) -> web.FileResponse:
        # no-cache: the browser revalidates, so a new deploy shows up on the next load.
        return web.FileResponse(index, headers={"Cache-Control": "no-cache"})

    cart = settings.web_root / "cart.html"

    async def cart_page(_: web.Request) -> web.FileResponse:
        return web.FileResponse(cart, headers={"Cache-Control": "no-cache"})

    return [
        web.get("/", page),
        web.get("/cart", cart_page),
        web.get("/healthz", healthz),
        web.static("/assets", settings.web_root / "assets"),
        # Before the /static directory: product pictures fall back to category drawings.
        web.get("/static/products/{name}", images.handle),
        web.static("/static", settings.web_root / "static"),
    ]


TEXT_TYPES = ("text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml")


async def content_headers(request: web.Request, response: web.StreamResponse) -> None:
    """UTF-8 stated for text files (the page is Chinese, and a proxy or a client without
    the page's <meta charset> must not guess); assets revalidate (they change with the
    code); product images may be cached a day."""
    content_type = response.headers.get("Content-Type", "")
    if content_type.startswith(TEXT_TYPES) and "charset" not in content_type:
        response.headers["Content-Type"] = f"{content_type}; charset=utf-8"
    if "Cache-Control" in response.headers:
        return
    if request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "public, max-age=86400"
    elif request.path.startswith("/assets/"):
        response.headers["Cache-Control"] = "no-cache"
