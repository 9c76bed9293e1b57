"""Django settings for the adapter's tests: SQLite, no edx-platform."""

SECRET_KEY = "polku-openedx-tests-only"
DEBUG = False
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fi", "Suomi")]
ROOT_URLCONF = "test_urls"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.admin",
    "django.contrib.messages",
    "rest_framework",
    "polku_openedx",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "django.template.context_processors.request",
    ]},
}]
# As in edx-platform: each request is one transaction, outbox rows included.
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:",
                         "ATOMIC_REQUESTS": True}}
LMS_ROOT_URL = "https://LMS.Example.edu/"

# The plugin's defaults, as edx-platform's plugin framework would apply them.
from polku_openedx.settings.common import plugin_settings  # noqa: E402  pylint: disable=wrong-import-position



class _PluginSettings:  # pylint: disable=too-few-public-methods
    """What plugin_settings() sets, copied into this module."""


_PLUGIN = _PluginSettings()
plugin_settings(_PLUGIN)
globals().update(vars(_PLUGIN))
# Tests send explicitly; no Celery broker here.
POLKU_USE_CELERY = False
