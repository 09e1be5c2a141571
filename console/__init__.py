"""The operator console: agents and admins sign in, take live hand-offs, (analytics pages
plug in through ``console.app.PAGE_MODULES``). An aiohttp app, run by ``python -m console``."""
