"""Production settings: values from the LMS's YAML configuration (ENV_TOKENS
in edx-platform's production settings) override the defaults."""

from .common import DEFAULTS, plugin_settings as _common_settings


def plugin_settings(settings):
    """Reads every POLKU_* key of ENV_TOKENS (lms.yml), then the defaults."""
    env_tokens = getattr(settings, "ENV_TOKENS", None) or {}
    for name in DEFAULTS:
        if name in env_tokens:
            setattr(settings, name, env_tokens[name])
    _common_settings(settings)
