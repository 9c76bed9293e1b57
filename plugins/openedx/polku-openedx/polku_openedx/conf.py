"""Access to the Polku settings with their defaults (settings/common.py)."""

from django.conf import settings

from .settings.common import DEFAULTS


def setting(name):
    """The value of a POLKU_* setting, or its default."""
    return getattr(settings, name, DEFAULTS[name])


def instance_url():
    """The LMS base URL learner keys are formed under: POLKU_INSTANCE, else
    LMS_ROOT_URL. Raises ImproperlyConfigured when neither is set."""
    from django.core.exceptions import ImproperlyConfigured  # pylint: disable=import-outside-toplevel

    url = setting("POLKU_INSTANCE") or getattr(settings, "LMS_ROOT_URL", "")
    if not url:
        raise ImproperlyConfigured("Polku needs POLKU_INSTANCE or LMS_ROOT_URL")
    return url
