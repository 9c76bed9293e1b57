"""Learner widget tokens without a Polku server: the format against a known
vector, the settings, and the two endpoints (JSON and redirect)."""

import base64
import logging
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model

from polku_openedx import widget

# A secret as `polku ui secret` prints it (64 hex digits).
SECRET = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4b6d8f0a1c3e5b7d9f"
WIDGET = "/api/polku/v1/widget/"
OPEN = "/api/polku/v1/widget/open/"


# Nonce bytes 00 01 .. 0f, injected so that the vectors are fixed.
NONCE = bytes(range(16))


def test_token_matches_the_known_vector():
    # Computed outside Python (openssl dgst -sha256 -hmac SECRET over the
    # signing input) and shared with Polku's and the Moodle plugin's tests;
    # one nonce and signature hold '+', '/' and padding in plain base64.
    assert widget.base64url(NONCE) == "AAECAwQFBgcICQoLDA0ODw"
    assert widget.signing_input("acme", "moodle.example.edu#42", 1767225600, "AAECAwQFBgcICQoLDA0ODw") == \
        b"polku-ui-v2\nacme\nmoodle.example.edu#42\n1767225600\nAAECAwQFBgcICQoLDA0ODw"
    assert widget.mint_token(SECRET, "acme", "moodle.example.edu#42", 1767225600, NONCE) == (
        "v2.acme.bW9vZGxlLmV4YW1wbGUuZWR1IzQy.1767225600.AAECAwQFBgcICQoLDA0ODw."
        "AxKdMF5p5zb2q6zqrjA16tNVTJTuOsEda8X41JKLPzY")
    assert widget.mint_token(SECRET, "moodle-test", "lms.example.org/moodle#7", 1767225600, NONCE) == (
        "v2.moodle-test.bG1zLmV4YW1wbGUub3JnL21vb2RsZSM3.1767225600.AAECAwQFBgcICQoLDA0ODw."
        "VmzDuBEAgR3fJhzl4qjBslc96SVviz1MbXJnXGpK-2k")
    # Nonce bytes ff fe .. f0.
    assert widget.mint_token(SECRET, "acme", "moodle.example.edu#42", 1767225600,
                             bytes.fromhex("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0")) == (
        "v2.acme.bW9vZGxlLmV4YW1wbGUuZWR1IzQy.1767225600.__79_Pv6-fj39vX08_Lx8A."
        "qp_JqT7tBp3LjZyPE-tsVMREa6ylBHF7j_m6HD67HoA")


def _b64decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _parts(token):
    """(tenant, learner key, expiry, nonce bytes) of a v2 token."""
    version, tenant, learner, expiry, nonce, signature = token.split(".")
    assert version == "v2"
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", nonce), nonce
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", signature), signature
    nonce = _b64decode(nonce)
    assert len(nonce) == widget.NONCE_BYTES
    return tenant, _b64decode(learner).decode(), int(expiry), nonce


def test_every_token_has_its_own_random_nonce():
    first = widget.mint_token(SECRET, "acme", "moodle.example.edu#42", 1767225600)
    second = widget.mint_token(SECRET, "acme", "moodle.example.edu#42", 1767225600)
    assert first != second
    tenant, learner, expiry, nonce = _parts(first)
    assert (tenant, learner, expiry) == ("acme", "moodle.example.edu#42", 1767225600)
    assert nonce != _parts(second)[3]
    # The signature covers the nonce the token carries.
    assert widget.mint_token(SECRET, "acme", "moodle.example.edu#42", 1767225600, nonce) == first


def test_base64url_has_no_padding_and_url_safe_letters():
    assert widget.base64url(b"lms.example.edu#9") == "bG1zLmV4YW1wbGUuZWR1Izk"
    assert widget.base64url(b"\xfb\xff") == "-_8"
    assert widget.base64url(b"") == ""


@pytest.mark.parametrize("tenant,learner,secret", [
    ("Acme", "l#1", SECRET), ("-acme", "l#1", SECRET), ("", "l#1", SECRET),
    ("acme.b", "l#1", SECRET), ("a" * 65, "l#1", SECRET), ("acme\n", "l#1", SECRET),
    ("acme", "", SECRET), ("acme", "l#1", ""), (None, "l#1", SECRET)])
def test_bad_input_is_refused(tenant, learner, secret):
    with pytest.raises(ValueError):
        widget.mint_token(secret, tenant, learner, 1767225600)


@pytest.mark.parametrize("nonce", [b"", b"short", NONCE + b"x", "AAECAwQFBgcICQoLDA0ODw"])
def test_a_nonce_of_another_length_is_refused(nonce):
    with pytest.raises(ValueError, match="nonce"):
        widget.mint_token(SECRET, "acme", "l#1", 1767225600, nonce)


def test_lifetime_stays_within_what_polku_accepts():
    assert [widget.lifetime(v) for v in (None, "", "soon", "120", 3600, 0, -5)] == \
        [300, 300, 300, 120, 600, 30, 30]


def test_two_tokens_within_a_second_differ(widget_settings):
    # No state between calls: the nonce alone tells the tokens apart.
    first = widget.widget_for_learner("l#1", "en", now=1000)
    second = widget.widget_for_learner("l#1", "en", now=1000)
    assert first["expires_at"] == second["expires_at"] == 1120
    assert first["url"] != second["url"]


def test_widget_url():
    assert widget.widget_url(" https://polku.example.edu/ ", "v2.a.b.1.n.c", "fi") == \
        "https://polku.example.edu/ui/learner?token=v2.a.b.1.n.c&lang=fi"
    assert widget.widget_url("https://polku.example.edu", "v2.a.b.1.n.c", "sv") == \
        "https://polku.example.edu/ui/learner?token=v2.a.b.1.n.c"


@pytest.fixture
def widget_settings(settings):
    settings.POLKU_UI_BASE_URL = "https://polku.example.edu/"
    settings.POLKU_UI_TENANT = "acme"
    settings.POLKU_UI_SECRET = SECRET
    settings.POLKU_UI_TOKEN_LIFETIME_SECONDS = 120
    return settings


def test_widget_for_a_learner_uses_the_settings(widget_settings):
    result = widget.widget_for_learner("moodle.example.edu#42", "fi", now=1767225480)
    assert result["expires_at"] == 1767225600
    match = re.fullmatch(r"https://polku\.example\.edu/ui/learner\?token=([^&]+)&lang=fi", result["url"])
    assert match, result["url"]
    token = match.group(1)
    tenant, learner, expiry, nonce = _parts(token)
    assert (tenant, learner, expiry) == ("acme", "moodle.example.edu#42", 1767225600)
    assert widget.mint_token(SECRET, "acme", learner, expiry, nonce) == token
    widget_settings.POLKU_UI_TOKEN_LIFETIME_SECONDS = 86400
    assert widget.widget_for_learner("l#1", now=1000)["expires_at"] == 1600
    for name in ("POLKU_UI_BASE_URL", "POLKU_UI_TENANT", "POLKU_UI_SECRET"):
        saved = getattr(widget_settings, name)
        setattr(widget_settings, name, "")
        assert widget.widget_for_learner("l#1") is None, name
        setattr(widget_settings, name, saved)
    widget_settings.POLKU_UI_TENANT = "ACME"
    assert widget.widget_for_learner("l#1") is None


def _claims(url):
    """(tenant, learner key, expiry, lang) of a widget URL's token."""
    query = parse_qs(urlsplit(url).query)
    tenant, learner, expiry, _ = _parts(query["token"][0])
    return tenant, learner, expiry, query.get("lang", [""])[0]


@pytest.fixture
def learner_client(client):  # pylint: disable=redefined-outer-name
    user = get_user_model().objects.create_user("widget", "widget@example.edu", "pw")
    client.force_login(user)
    client.user = user
    return client


@pytest.mark.django_db
def test_widget_endpoint_mints_for_the_forwarding_learner_key(learner_client, widget_settings, caplog):
    caplog.set_level(logging.DEBUG)
    response = learner_client.get(WIDGET, HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"url", "expires_at"}
    assert body["url"].startswith("https://polku.example.edu/ui/learner?token=v2.acme.")
    # LMS_ROOT_URL is https://LMS.Example.edu/: the key events are sent under.
    assert _claims(body["url"]) == ("acme", "lms.example.edu#%d" % learner_client.user.id,
                                    body["expires_at"], "fi")
    assert "no-store" in response["Cache-Control"]
    assert _claims(learner_client.get(WIDGET + "?lang=en", HTTP_ACCEPT_LANGUAGE="fi").json()["url"])[3] == "en"
    # The secret is never in an answer or a log record.
    assert SECRET not in response.content.decode()
    assert all(SECRET not in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_open_endpoint_redirects_to_the_widget(learner_client, widget_settings):
    response = learner_client.get(OPEN + "?lang=fi")
    assert response.status_code == 302
    tenant, learner, expiry, lang = _claims(response["Location"])
    assert (tenant, learner, lang) == ("acme", "lms.example.edu#%d" % learner_client.user.id, "fi")
    assert 110 <= expiry - time.time() <= 121
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    # Opened again within the second: another token (its own nonce).
    again = learner_client.get(OPEN + "?lang=fi")["Location"]
    assert again != response["Location"] and _claims(again)[:2] == (tenant, learner)


@pytest.mark.django_db
def test_widget_is_not_found_until_configured(learner_client):
    for path in (WIDGET, OPEN):
        response = learner_client.get(path, HTTP_ACCEPT_LANGUAGE="fi")
        assert response.status_code == 404
        assert response.json() == {"error": "not_configured", "detail":
                                   "Oppimispolkujen näkymää ei ole otettu käyttöön tällä sivustolla."}
    assert learner_client.get(WIDGET).json()["detail"] == \
        "The learning paths view is not set up on this site."


@pytest.mark.django_db
def test_anonymous_requests_are_refused(client, widget_settings):  # pylint: disable=redefined-outer-name
    for path in (WIDGET, OPEN):
        response = client.get(path)
        assert response.status_code in (401, 403)
        assert "Location" not in response
