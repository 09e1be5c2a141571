"""The demo shop site over real HTTP: the page and its assets, configuration, the demo
sign-in and its errors, product pictures. A real server process, a real seeded database."""
from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timezone

import pytest
import requests

from shop.identity import verify_customer_token
from tests.shop_site.harness import TEST_RASA_URL as RASA_URL
from tests.shop_site.harness import TOKEN_SECRET, site_env, start_site
from tests.support.stack import REPO_ROOT, free_port

MASKED_PHONE = re.compile(r"^\d{3}\*{4}\d{4}$")


def get(site, path, **kwargs):
    return requests.get(f"{site.url}{path}", timeout=10, allow_redirects=False, **kwargs)


def post(site, path, **kwargs):
    return requests.post(f"{site.url}{path}", timeout=10, **kwargs)


def assert_error(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"] == code
    assert body["status"] == status
    assert body["message"]  # a sentence for people, in Chinese


# --- page and assets ---------------------------------------------------------------------

def test_healthz(site):
    reply = get(site, "/healthz")
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok"}


def test_page_is_served_with_a_strict_content_security_policy(site):
    reply = get(site, "/")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "青柚优选" in reply.text
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    csp = reply.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "object-src 'none'" in csp
    # The widget's WebSocket goes straight to Rasa, so Rasa's origin must be allowed.
    assert "ws://127.0.0.1:5999" in csp and RASA_URL in csp


@pytest.mark.parametrize("path", ["/assets/js/app.js", "/assets/js/socket.js"])
def test_scripts_are_served_as_javascript_modules(site, path):
    reply = get(site, path)
    assert reply.status_code == 200
    # Browsers refuse to run a module script served with another MIME type.
    assert "javascript" in reply.headers["Content-Type"]


@pytest.mark.parametrize(
    "path",
    ["/tools/make_product_images.py", "/assets/../tools/make_product_images.py", "/web/index.html",
     "/static/../../shop_site/config.py", "/package.json"],
)
def test_nothing_outside_the_page_assets_is_served(site, path):
    assert get(site, path).status_code == 404


def test_unknown_api_paths_and_methods_get_json_errors(site):
    assert_error(get(site, "/api/nope"), 404, "not_found")
    assert_error(get(site, "/api/demo/login"), 405, "method_not_allowed")


# --- configuration ---------------------------------------------------------------------

def test_config_tells_the_page_where_rasa_is(site):
    reply = get(site, "/api/config")
    assert reply.status_code == 200
    assert reply.json() == {
        "rasa": {"url": RASA_URL, "port": 5005, "socket_path": "/socket.io"},
        "demo_login": True,
        "desk_hours": "9:00-22:00",
    }


# --- demo sign-in ------------------------------------------------------------------------

def test_demo_customers_are_seeded_customers_masked(site):
    reply = get(site, "/api/demo/customers")
    assert reply.status_code == 200
    assert reply.headers["Cache-Control"] == "no-store"
    customers = reply.json()["customers"]
    assert 1 <= len(customers) <= 8
    for customer in customers:
        assert isinstance(customer["id"], int) and customer["id"] > 0
        assert "*" in customer["name"] and re.match(r"^[\u4e00-\u9fff]", customer["name"])
        assert MASKED_PHONE.match(customer["phone"]), customer["phone"]
        assert customer["member_level"]
        assert isinstance(customer["order_count"], int)


def test_demo_login_signs_a_token_for_that_customer(site):
    customer = get(site, "/api/demo/customers").json()["customers"][0]
    reply = post(site, "/api/demo/login", json={"customer_id": customer["id"]})
    assert reply.status_code == 200, reply.text
    assert reply.headers["Cache-Control"] == "no-store"
    body = reply.json()
    assert verify_customer_token(body["token"], secret=TOKEN_SECRET) == customer["id"]
    assert verify_customer_token(body["token"], secret="another-secret-0123456789abcdef0123456789") is None
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    remaining = (expires - datetime.now(timezone.utc)).total_seconds()
    assert abs(remaining - body["expires_in"]) < 30 and body["expires_in"] == 7200
    # The endpoint needs no authentication: it shows no more than the public list does.
    assert body["customer"] == {"id": customer["id"], "name": customer["name"]}


def test_demo_login_accepts_a_numeric_string(site):
    customer = get(site, "/api/demo/customers").json()["customers"][0]
    reply = post(site, "/api/demo/login", json={"customer_id": str(customer["id"])})
    assert reply.status_code == 200
    assert reply.json()["customer"]["id"] == customer["id"]


@pytest.mark.parametrize(
    "body, status, code",
    [
        (b"not json", 400, "invalid_json"),
        (b"", 400, "invalid_json"),
        (b"\xff\xfe", 400, "invalid_json"),
        (b"[1]", 400, "invalid_json"),
        (b'"3"', 400, "invalid_json"),
        (b"{}", 400, "invalid_customer_id"),
        (b'{"customer_id": null}', 400, "invalid_customer_id"),
        (b'{"customer_id": "abc"}', 400, "invalid_customer_id"),
        (b'{"customer_id": -1}', 400, "invalid_customer_id"),
        (b'{"customer_id": 0}', 400, "invalid_customer_id"),
        (b'{"customer_id": 1.5}', 400, "invalid_customer_id"),
        (b'{"customer_id": true}', 400, "invalid_customer_id"),
        (b'{"customer_id": 99999999999999999999}', 400, "invalid_customer_id"),
        (b'{"customer_id": 987654321}', 404, "customer_not_found"),
        # Characters str.isdigit() takes but int() cannot read (a 500 before), and a number
        # longer than int() converts (Python 3.11's 4300-digit limit; a 500 before).
        ('{"customer_id": "²"}'.encode(), 400, "invalid_customer_id"),
        ('{"customer_id": "①"}'.encode(), 400, "invalid_customer_id"),
        ('{"customer_id": "⑴"}'.encode(), 400, "invalid_customer_id"),
        # Nested past the json module's recursion limit (RecursionError, a 500 before).
        pytest.param(b"[" * 3000, 400, "invalid_json", id="3000-deep-list"),
        pytest.param(b'{"a":[' * 600, 400, "invalid_json", id="1200-deep-object"),
    ],
)
def test_demo_login_refuses_bad_input_cleanly(site, body, status, code):
    reply = post(site, "/api/demo/login", data=body, headers={"Content-Type": "application/json"})
    assert_error(reply, status, code)


def test_demo_login_refuses_an_oversized_body(site):
    reply = post(site, "/api/demo/login", data=b'{"customer_id": 1, "pad": "' + b"x" * 40_000 + b'"}',
                 headers={"Content-Type": "application/json"})
    assert_error(reply, 413, "body_too_large")


@pytest.fixture(scope="module")
def production_site(tmp_path_factory, site_database_url):
    """SHOP_DEMO_LOGIN and RASA_URL unset: how a production deployment would run the page."""
    running = start_site(tmp_path_factory.mktemp("shop-site-prod"), site_database_url,
                         {"SHOP_DEMO_LOGIN": None, "RASA_PORT": "5105"})
    yield running
    running.stop()


def test_demo_sign_in_is_off_unless_asked_for(production_site):
    assert_error(get(production_site, "/api/demo/customers"), 404, "demo_login_disabled")
    assert_error(post(production_site, "/api/demo/login", json={"customer_id": 1}), 404, "demo_login_disabled")
    assert get(production_site, "/api/config").json()["demo_login"] is False


def test_demo_sign_in_can_be_switched_off(tmp_path, site_database_url):
    running = start_site(tmp_path, site_database_url, {"SHOP_DEMO_LOGIN": "0"})
    try:
        assert_error(post(running, "/api/demo/login", json={"customer_id": 1}), 404, "demo_login_disabled")
    finally:
        running.stop()


def test_the_site_will_not_hand_out_demo_tokens_on_every_address(tmp_path, site_database_url):
    """SHOP_DEMO_LOGIN=1 on 0.0.0.0: the site refuses to start, naming the variable."""
    env = site_env(site_database_url, free_port(), {"SHOP_DEMO_LOGIN": "1", "WEB_HOST": "0.0.0.0"})
    done = subprocess.run([sys.executable, "-m", "shop_site"], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode != 0
    assert "SHOP_DEMO_LOGIN" in done.stderr and "WEB_HOST" in done.stderr


def test_without_rasa_url_the_page_uses_its_own_host(production_site):
    assert get(production_site, "/api/config").json()["rasa"] == {
        "url": None, "port": 5105, "socket_path": "/socket.io",
    }
    # The CSP follows the host name the browser used for the page.
    csp = get(production_site, "/", headers={"Host": "shop.example:8000"}).headers["Content-Security-Policy"]
    assert "ws://shop.example:5105" in csp
    # A Host header that is not a plain host cannot add directives to the policy.
    hostile = get(production_site, "/", headers={"Host": "x; script-src *"})
    assert hostile.status_code == 200
    assert "script-src *" not in hostile.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "env, message",
    [
        ({"SHOP_TOKEN_SECRET": ""}, "SHOP_TOKEN_SECRET"),
        ({"WEB_PORT": "eighty"}, "WEB_PORT"),
        ({"RASA_URL": "ftp://x"}, "RASA_URL"),
    ],
)
def test_misconfiguration_stops_the_site_with_a_clear_message(site_database_url, env, message):
    done = subprocess.run(
        [sys.executable, "-m", "shop_site"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30,
        env={**site_env(site_database_url, free_port()), **env},
    )
    assert done.returncode != 0
    assert message in done.stderr


# --- product pictures ----------------------------------------------------------------------

def test_product_pictures_fall_back_to_their_category_drawing(site, site_database_url):
    from shop.db.catalogue import get_product_detail
    from shop.db.engine import make_engine, session_scope

    engine = make_engine(site_database_url)
    with session_scope(engine) as session:
        product = get_product_detail(session, 1)
    engine.dispose()
    assert product.image_ref, "the seed gives every product an image reference"
    reply = get(site, f"/static/{product.image_ref}")
    assert reply.status_code == 302
    target = reply.headers["Location"]
    assert re.fullmatch(r"/static/categories/[a-z]+\.svg", target), target
    drawing = get(site, target)
    assert drawing.status_code == 200
    assert drawing.headers["Content-Type"].startswith("image/svg+xml")


def test_unknown_product_pictures_get_the_placeholder(site):
    reply = get(site, "/static/products/987654321.jpg")
    assert reply.status_code == 302
    assert reply.headers["Location"] == "/assets/img/product-placeholder.svg"
    assert get(site, "/static/products/not-a-product.jpg").status_code == 404


def test_every_seeded_category_has_a_drawing(site_database_url):
    from shop.db.catalogue import list_categories
    from shop.db.engine import make_engine, session_scope
    from shop_site.product_images import art_for

    engine = make_engine(site_database_url)
    with session_scope(engine) as session:
        categories = list_categories(session)
    engine.dispose()
    drawings = REPO_ROOT / "web" / "static" / "categories"
    for category in categories:
        slug = art_for(category.path_names)
        assert slug, f"no drawing for category {'/'.join(category.path_names)}"
        assert (drawings / f"{slug}.svg").is_file(), slug
