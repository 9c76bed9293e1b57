"""Django app configuration and the Open edX plugin registration."""

from django.apps import AppConfig


class PolkuOpenedxConfig(AppConfig):
    """The Polku adapter, registered through the `lms.djangoapp` entry point.

    plugin_app tells edx-platform's plugin framework (edx-django-utils) where
    the URLs (/api/polku/v1/...) and the settings (settings/common.py,
    settings/production.py) are. Signal receivers are connected in ready(),
    because openedx-events is imported lazily and the set of signals depends
    on POLKU_SIGNALS and on the installed openedx-events version.
    """

    name = "polku_openedx"
    verbose_name = "Polku"
    default_auto_field = "django.db.models.AutoField"

    plugin_app = {
        "url_config": {
            "lms.djangoapp": {
                "namespace": "polku_openedx",
                "regex": r"^api/polku/",
                "relative_path": "urls",
            },
        },
        "settings_config": {
            "lms.djangoapp": {
                "common": {"relative_path": "settings.common"},
                "production": {"relative_path": "settings.production"},
            },
        },
    }

    def ready(self):
        from . import handlers  # pylint: disable=import-outside-toplevel

        handlers.connect_signals()
