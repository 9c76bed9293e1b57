"""Tokens that open Polku's learner widget (/ui/learner) for one learner.

A token is short-lived and signed with the tenant's widget secret
(`polku ui secret --tenant=T`), so the browser never sees an API key:

  nonce = base64url(16 random bytes)
  input = "polku-ui-v2\\n" + tenant + "\\n" + learner key + "\\n" + expiry
          + "\\n" + nonce
  token = "v2." + tenant + "." + base64url(learner key) + "." + expiry + "."
          + nonce + "." + base64url(HMAC-SHA256(key=secret text, input))

base64url is RFC 4648 section 5 without padding; the expiry is in Unix
seconds. The random nonce makes every token unique, so two tokens for one
learner within the same second differ. Polku (services/ui/ui_token.cc)
refuses a token that expired, lives longer than 600 seconds, or was used
before. Pure functions apart from the nonce, and widget_for_learner, which
reads the settings.
"""

import base64
import hashlib
import hmac
import re
import secrets
import time
from urllib.parse import quote

# The longest lifetime Polku accepts, and the shortest this adapter mints.
MAX_LIFETIME_SECONDS = 600
MIN_LIFETIME_SECONDS = 30
# Random bytes in a token's nonce.
NONCE_BYTES = 16

_TENANT = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def signing_input(tenant, learner, expiry, nonce):
    """The exact bytes that are signed; `nonce` is the nonce's base64url
    text, as it appears in the token."""
    return ("polku-ui-v2\n%s\n%s\n%d\n%s" % (tenant, learner, int(expiry), nonce)).encode("utf-8")


def base64url(data):
    """RFC 4648 section 5 base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def valid_tenant(tenant):
    """Whether `tenant` is a Polku tenant id: 1-64 of a-z, 0-9, '-' and '_',
    starting with a letter or digit."""
    return isinstance(tenant, str) and _TENANT.fullmatch(tenant) is not None


def mint_token(secret, tenant, learner, expiry, nonce=None):
    """A widget token with a fresh random nonce. ValueError for a bad tenant
    id, an empty learner key, an empty secret (the text exactly as `polku ui
    secret` printed it) or a nonce of another length. `nonce` (NONCE_BYTES
    raw bytes) is for tests only: a nonce must never repeat."""
    if not valid_tenant(tenant):
        raise ValueError("tenant: may hold only a-z, 0-9, '-' and '_'")
    if not learner:
        raise ValueError("learner: is required")
    if not secret:
        raise ValueError("secret: is empty")
    if nonce is None:
        nonce = secrets.token_bytes(NONCE_BYTES)
    elif not isinstance(nonce, bytes) or len(nonce) != NONCE_BYTES:
        raise ValueError("nonce: must be %d bytes" % NONCE_BYTES)
    nonce = base64url(nonce)
    signature = hmac.new(secret.encode("utf-8"), signing_input(tenant, learner, expiry, nonce),
                         hashlib.sha256).digest()
    return "v2.%s.%s.%d.%s.%s" % (tenant, base64url(learner.encode("utf-8")), int(expiry), nonce,
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


def configured(base_url, tenant, secret):
    """Whether the three widget settings are usable."""
    return bool((base_url or "").strip()) and valid_tenant(tenant) and bool(secret)


def widget_for_learner(learner, lang="", now=None):
    """{"url", "expires_at"} of the widget for a learner key (the key the
    adapter forwards the learner's events under), with a fresh token. None
    when POLKU_UI_BASE_URL, POLKU_UI_TENANT or POLKU_UI_SECRET is not set."""
    from .conf import setting  # pylint: disable=import-outside-toplevel

    base_url = setting("POLKU_UI_BASE_URL")
    tenant = setting("POLKU_UI_TENANT")
    secret = setting("POLKU_UI_SECRET")
    if not configured(base_url, tenant, secret):
        return None
    now = int(time.time()) if now is None else int(now)
    expiry = now + lifetime(setting("POLKU_UI_TOKEN_LIFETIME_SECONDS"))
    token = mint_token(secret, tenant, learner, expiry)
    return {"url": widget_url(base_url, token, lang), "expires_at": expiry}
