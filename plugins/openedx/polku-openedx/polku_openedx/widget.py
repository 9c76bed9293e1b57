"""Tokens that open Polku's learner widget (/ui/learner) for one learner.

A token is short-lived and signed with the tenant's widget secret
(`polku ui secret --tenant=T`), so the browser never sees an API key:

  input = "polku-ui-v1\\n" + tenant + "\\n" + learner key + "\\n" + expiry
  token = "v1." + tenant + "." + base64url(learner key) + "." + expiry + "."
          + base64url(HMAC-SHA256(key=secret text, input))

base64url is RFC 4648 section 5 without padding; the expiry is in Unix
seconds. Polku (services/ui/ui_token.cc) refuses a token that expired, lives
longer than 600 seconds, or was used before. Pure functions, apart from
widget_for_learner, which reads the settings.
"""

import base64
import hashlib
import hmac
import re
import time
from urllib.parse import quote

# The longest lifetime Polku accepts, and the shortest this adapter mints.
MAX_LIFETIME_SECONDS = 600
MIN_LIFETIME_SECONDS = 30
# Seconds beyond MAX_LIFETIME_SECONDS an expiry may be bumped (Polku
# tolerates 30 s of clock skew).
SKEW_MARGIN_SECONDS = 15

_TENANT = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def signing_input(tenant, learner, expiry):
    """The exact bytes that are signed."""
    return ("polku-ui-v1\n%s\n%s\n%d" % (tenant, learner, int(expiry))).encode("utf-8")


def base64url(data):
    """RFC 4648 section 5 base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def valid_tenant(tenant):
    """Whether `tenant` is a Polku tenant id: 1-64 of a-z, 0-9, '-' and '_',
    starting with a letter or digit."""
    return isinstance(tenant, str) and _TENANT.fullmatch(tenant) is not None


def mint_token(secret, tenant, learner, expiry):
    """A widget token. ValueError for a bad tenant id, an empty learner key or
    an empty secret (the text exactly as `polku ui secret` printed it)."""
    if not valid_tenant(tenant):
        raise ValueError("tenant: may hold only a-z, 0-9, '-' and '_'")
    if not learner:
        raise ValueError("learner: is required")
    if not secret:
        raise ValueError("secret: is empty")
    signature = hmac.new(secret.encode("utf-8"), signing_input(tenant, learner, expiry),
                         hashlib.sha256).digest()
    return "v1.%s.%s.%d.%s" % (tenant, base64url(learner.encode("utf-8")), int(expiry),
                               base64url(signature))


def widget_url(base_url, token, lang=""):
    """<base>/ui/learner?token=T[&lang=en|fi]; another lang leaves the choice
    to the browser's language."""
    url = "%s/ui/learner?token=%s" % (base_url.strip().rstrip("/"), quote(token, safe=""))
    if lang in ("en", "fi"):
        url += "&lang=" + lang
    return url


def lifetime(value):
    """The token lifetime from POLKU_UI_TOKEN_LIFETIME_SECONDS, kept within
    what Polku accepts."""
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        seconds = 300
    return max(MIN_LIFETIME_SECONDS, min(MAX_LIFETIME_SECONDS, seconds))


def expiry_after(now, lifetime_seconds, previous=0):
    """The expiry of a new token: now + lifetime, but later than the expiry
    of the learner's previous token (when known). Two tokens for the same
    learner with the same expiry are the same token, and Polku accepts a
    token once; so a learner opening the widget twice within a second still
    gets two tokens. The bump stays within Polku's tolerance."""
    expiry = int(now) + int(lifetime_seconds)
    if expiry <= previous < int(now) + MAX_LIFETIME_SECONDS + SKEW_MARGIN_SECONDS:
        expiry = previous + 1
    return expiry


def configured(base_url, tenant, secret):
    """Whether the three widget settings are usable."""
    return bool((base_url or "").strip()) and valid_tenant(tenant) and bool(secret)


def widget_for_learner(learner, lang="", now=None, previous=0):
    """{"url", "expires_at"} of the widget for a learner key (the key the
    adapter forwards the learner's events under), with a fresh token;
    `previous` is the expiry of the learner's previous token, if known. None
    when POLKU_UI_BASE_URL, POLKU_UI_TENANT or POLKU_UI_SECRET is not set."""
    from .conf import setting  # pylint: disable=import-outside-toplevel

    base_url = setting("POLKU_UI_BASE_URL")
    tenant = setting("POLKU_UI_TENANT")
    secret = setting("POLKU_UI_SECRET")
    if not configured(base_url, tenant, secret):
        return None
    now = int(time.time()) if now is None else int(now)
    expiry = expiry_after(now, lifetime(setting("POLKU_UI_TOKEN_LIFETIME_SECONDS")), previous)
    token = mint_token(secret, tenant, learner, expiry)
    return {"url": widget_url(base_url, token, lang), "expires_at": expiry}
