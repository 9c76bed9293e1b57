"""The learner widget against a live polku-server whose ui_tenants.json holds
the tenant's secret (`polku ui secret`) and the LMS origin as a frame
ancestor (`polku ui frame-ancestors`): tokens from the adapter open a
session for the learner the adapter forwards events for, two of them
minted within a second each work once, v1 tokens of an earlier release still
work; used, forged, expired and malformed tokens are refused."""

import base64
import hashlib
import hmac
import http.client
import json
import re
import time
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model

from polku_openedx import widget
from polku_openedx.client import PolkuClient
from polku_openedx.payloads import learner_key
from tests.conftest import TENANT, PolkuServer

pytestmark = pytest.mark.django_db

LMS_ORIGIN = "https://lms.example.edu"


@pytest.fixture(scope="module")
def polku_server():
    """This module's server: the widget settings are written before it starts."""
    server = PolkuServer()
    server.secret = server.ui("secret", "--tenant=" + TENANT)
    server.ui("frame-ancestors", "--tenant=" + TENANT, "--origins=" + LMS_ORIGIN)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def widget_settings(polku_settings, polku_server):
    polku_settings.POLKU_UI_BASE_URL = polku_server.http_base + "/"
    polku_settings.POLKU_UI_TENANT = TENANT
    polku_settings.POLKU_UI_SECRET = polku_server.secret
    polku_settings.POLKU_UI_TOKEN_LIFETIME_SECONDS = 300
    return polku_settings


_USER_IDS = iter(range(9000, 10000))


@pytest.fixture
def learner(client, widget_settings):  # pylint: disable=unused-argument
    # A new user id per test: each test's tokens are its own.
    user = get_user_model().objects.create_user("widget", "widget@example.edu", "pw", id=next(_USER_IDS))
    client.force_login(user)
    client.user = user
    return client


def fetch(url, method="GET", headers=None, body=None):
    """(status, headers as a list of (lowercase name, value), body) without
    following redirects."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        target = parts.path + ("?" + parts.query if parts.query else "")
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        return (response.status, [(k.lower(), v) for k, v in response.getheaders()],
                response.read().decode("utf-8", "replace"))
    finally:
        conn.close()


def header(headers, name):
    return [v for k, v in headers if k == name]


def open_widget(url, lang):
    """Opens the widget URL; asserts the 303 to a session and returns the
    cookie ("name=value")."""
    status, headers, body = fetch(url)
    assert status == 303, body
    assert header(headers, "location") == ["/ui/learner?lang=" + lang]
    cookie = header(headers, "set-cookie")[0]
    assert re.match(r"polku_ui_learner=[^;]+; Path=/ui/learner;.*HttpOnly", cookie), cookie
    assert "frame-ancestors " + LMS_ORIGIN in " ".join(header(headers, "content-security-policy"))
    return cookie.split(";", 1)[0]


def test_adapter_token_opens_a_session_for_the_forwarding_learner(learner, polku_server):
    response = learner.get("/api/polku/v1/widget/", HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 200, response.content
    url = response.json()["url"]
    assert url.startswith(polku_server.http_base + "/ui/learner?token=v2.%s." % TENANT)
    cookie = open_widget(url, "fi")

    status, _, page = fetch(polku_server.http_base + "/ui/learner?lang=fi", headers={"Cookie": cookie})
    assert status == 200, page
    assert '<html lang="fi"' in page
    csrf = re.search(r'<meta name="polku-csrf" content="([^"]+)"', page).group(1)
    status, _, data = fetch(polku_server.http_base + "/ui/learner/data", headers={"Cookie": cookie})
    assert status == 200, data

    # The widget's opt-out reaches the key the adapter forwards this user's
    # events under, and no other learner.
    status, _, body = fetch(polku_server.http_base + "/ui/learner/profiling", "PUT",
                            {"Cookie": cookie, "X-Polku-Csrf": csrf, "Content-Type": "application/json"},
                            json.dumps({"opted_out": True}))
    assert status == 200, body
    own = learner_key("https://lms.example.edu", learner.user.id)
    assert PolkuClient().get_profile(own, "en").opted_out
    assert not PolkuClient().get_profile(learner_key("https://lms.example.edu", learner.user.id + 1),
                                         "en").opted_out


def test_redirect_endpoint_token_works_once(learner):
    response = learner.get("/api/polku/v1/widget/open/?lang=en")
    assert response.status_code == 302
    open_widget(response["Location"], "en")
    status, headers, body = fetch(response["Location"])
    assert status == 401
    assert "already used" in body
    assert not header(headers, "set-cookie")
    # Opened again within the second: another token (its own nonce), accepted.
    again = learner.get("/api/polku/v1/widget/open/?lang=en")["Location"]
    assert again != response["Location"]
    open_widget(again, "en")


def test_two_tokens_in_the_same_second_differ_and_each_works_once(widget_settings):  # pylint: disable=unused-argument
    # A double click, or a quick reload of a page that frames the widget:
    # two tokens for one learner within the same second, same expiry.
    now = int(time.time())
    first = widget.widget_for_learner("lms.example.edu#8", "en", now=now)
    second = widget.widget_for_learner("lms.example.edu#8", "en", now=now)
    assert first["expires_at"] == second["expires_at"]
    assert first["url"] != second["url"]
    open_widget(first["url"], "en")
    open_widget(second["url"], "en")
    for url in (first["url"], second["url"]):
        status, _, body = fetch(url)
        assert status == 401 and "already used" in body


def test_v1_token_of_an_earlier_release_still_works_once(polku_server):
    # Until every adapter is upgraded, Polku accepts the nonce-less v1 format.
    learner = "lms.example.edu#9"
    expiry = int(time.time()) + 120
    signature = hmac.new(polku_server.secret.encode(),
                         ("polku-ui-v1\n%s\n%s\n%d" % (TENANT, learner, expiry)).encode(),
                         hashlib.sha256).digest()
    token = "v1.%s.%s.%d.%s" % (TENANT, widget.base64url(learner.encode()), expiry, widget.base64url(signature))
    url = widget.widget_url(polku_server.http_base, token, "en")
    open_widget(url, "en")
    assert "already used" in fetch(url)[2]


def test_malformed_nonce_is_refused(widget_settings):  # pylint: disable=unused-argument
    url = widget.widget_for_learner("lms.example.edu#1", "en")["url"]
    bad, count = re.subn(r"\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})&", r".\1x.\2&", url)
    assert count == 1, url
    status, headers, body = fetch(bad)
    assert status == 401
    assert "bad nonce" in body
    assert not header(headers, "set-cookie")


def test_longest_lifetime_is_accepted(learner, widget_settings):
    widget_settings.POLKU_UI_TOKEN_LIFETIME_SECONDS = 86400
    body = learner.get("/api/polku/v1/widget/?lang=en").json()
    assert abs(body["expires_at"] - (time.time() + widget.MAX_LIFETIME_SECONDS)) <= 1
    open_widget(body["url"], "en")


def test_forged_token_is_refused(learner, widget_settings, polku_server):
    widget_settings.POLKU_UI_SECRET = "0" * 64
    status, headers, body = fetch(learner.get("/api/polku/v1/widget/").json()["url"])
    assert status == 401
    assert "the signature does not match" in body
    assert not header(headers, "set-cookie")
    # Another tenant's name under this tenant's secret.
    token = widget.mint_token(polku_server.secret, "someone-else", "lms.example.edu#1",
                              int(time.time()) + 60)
    assert fetch(widget.widget_url(polku_server.http_base, token))[0] == 401


def test_expired_token_is_refused(polku_server):
    # Expired 70 s ago: beyond the 30 s clock skew Polku allows.
    token = widget.mint_token(polku_server.secret, TENANT, "lms.example.edu#1", int(time.time()) - 70)
    status, headers, body = fetch(widget.widget_url(polku_server.http_base, token))
    assert status == 401
    assert "expired" in body
    assert not header(headers, "set-cookie")


def test_adapter_mints_the_token_polku_ui_token_mints(polku_server):
    # Both draw a random nonce: with the CLI's nonce injected, the adapter
    # makes the very same token, and both verify.
    learner = "lms.example.edu#42"
    cli = polku_server.ui("token", "--tenant=" + TENANT, "--learner=" + learner, "--ttl=120")
    parts = cli.split(".")
    assert len(parts) == 6 and parts[:3] == ["v2", TENANT, widget.base64url(learner.encode())], cli
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", parts[4])
    nonce = base64.urlsafe_b64decode(parts[4] + "==")
    assert len(nonce) == widget.NONCE_BYTES
    assert widget.mint_token(polku_server.secret, TENANT, learner, int(parts[3]), nonce) == cli
    url = polku_server.ui("token", "--tenant=" + TENANT, "--learner=" + learner,
                          "--base_url=https://polku.example.edu/")
    match = re.search(r"\.(\d+)\.([A-Za-z0-9_-]{22})\.[A-Za-z0-9_-]{43}$", url)
    assert match and match.group(2) != parts[4], url
    assert widget.widget_url("https://polku.example.edu/", widget.mint_token(
        polku_server.secret, TENANT, learner, int(match.group(1)),
        base64.urlsafe_b64decode(match.group(2) + "=="))) == url
    # The CLI's token and the adapter's own (its own nonce) are each accepted.
    open_widget(widget.widget_url(polku_server.http_base, cli, "en"), "en")
    open_widget(widget.widget_url(polku_server.http_base,
                                  widget.mint_token(polku_server.secret, TENANT, learner,
                                                    int(time.time()) + 120), "en"), "en")
