"""Learner widget tokens without a Polku server: the format against a known
vector, the settings, and the two endpoints (JSON and redirect)."""

import base64
import logging
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model

from polku_openedx import widget

# A secret as `polku ui secret` prints it (64 hex digits).
SECRET = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4b6d8f0a1c3e5b7d9f"
WIDGET = "/api/polku/v1/widget/"
OPEN = "/api/polku/v1/widget/open/"


def test_token_matches_the_known_vector():
    # Computed outside Python (openssl dgst -sha256 -hmac SECRET over the
    # signing input) and shared with the Moodle plugin's tests; the plain
    # base64 signature holds '+', '/' and padding.
    assert widget.signing_input("acme", "moodle.example.edu#42", 1767225600) == \
        b"polku-ui-v1\nacme\nmoodle.example.edu#42\n1767225600"
    assert widget.mint_token(SECRET, "acme", "moodle.example.edu#42", 1767225600) == (
        "v1.acme.bW9vZGxlLmV4YW1wbGUuZWR1IzQy.1767225600."
        "RMpWrpW5l5_-bGLebr_Dt3xemA8HlPhRlMhBVNKG_s8")
    assert widget.mint_token(SECRET, "moodle-test", "lms.example.org/moodle#7", 1767225600) == (
        "v1.moodle-test.bG1zLmV4YW1wbGUub3JnL21vb2RsZSM3.1767225600."
        "1toiW0F6s82jPyFww0HNEpdmn-6H2h1L-0t0F2k2Y5k")


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


def test_lifetime_stays_within_what_polku_accepts():
    assert [widget.lifetime(v) for v in (None, "", "soon", "120", 3600, 0, -5)] == \
        [300, 300, 300, 120, 600, 30, 30]


def test_two_tokens_within_a_second_differ():
    assert widget.expiry_after(1000, 300) == 1300
    assert widget.expiry_after(1000, 300, 1299) == 1300
    assert widget.expiry_after(1000, 300, 1300) == 1301
    assert widget.expiry_after(1000, 600, 1600) == 1601
    assert widget.expiry_after(1000, 600, 1614) == 1615
    # Beyond what Polku tolerates: not bumped (that token is then refused as used).
    assert widget.expiry_after(1000, 600, 1615) == 1600


def test_widget_url():
    assert widget.widget_url(" https://polku.example.edu/ ", "v1.a.b.1.c", "fi") == \
        "https://polku.example.edu/ui/learner?token=v1.a.b.1.c&lang=fi"
    assert widget.widget_url("https://polku.example.edu", "v1.a.b.1.c", "sv") == \
        "https://polku.example.edu/ui/learner?token=v1.a.b.1.c"


@pytest.fixture
def widget_settings(settings):
    settings.POLKU_UI_BASE_URL = "https://polku.example.edu/"
    settings.POLKU_UI_TENANT = "acme"
    settings.POLKU_UI_SECRET = SECRET
    settings.POLKU_UI_TOKEN_LIFETIME_SECONDS = 120
    return settings


def test_widget_for_a_learner_uses_the_settings(widget_settings):
    assert widget.widget_for_learner("moodle.example.edu#42", "fi", now=1767225480) == {
        "url": "https://polku.example.edu/ui/learner?token=v1.acme.bW9vZGxlLmV4YW1wbGUuZWR1IzQy."
               "1767225600.RMpWrpW5l5_-bGLebr_Dt3xemA8HlPhRlMhBVNKG_s8&lang=fi",
        "expires_at": 1767225600}
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
    version, tenant, learner, expiry, signature = query["token"][0].split(".")
    assert version == "v1" and len(signature) == 43
    learner = base64.urlsafe_b64decode(learner + "=" * (-len(learner) % 4)).decode()
    return tenant, learner, int(expiry), query.get("lang", [""])[0]


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
    assert body["url"].startswith("https://polku.example.edu/ui/learner?token=v1.acme.")
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
    # Opened again within the second: another token.
    again = learner_client.get(OPEN + "?lang=fi")["Location"]
    assert again != response["Location"] and _claims(again)[2] > expiry


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
