"""Settings, migrations, the Celery task and the management commands."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from polku_openedx import client, handlers, tasks
from polku_openedx.models import DeadLetter, Operation, OutboxItem
from polku_openedx.settings import common, production
from tests import lookalikes
from tests.support import closed_port


class Settings:  # pylint: disable=too-few-public-methods
    pass


def test_plugin_settings_keep_what_the_lms_set():
    settings = Settings()
    settings.POLKU_GRPC_TARGET = "polku.internal:443"
    common.plugin_settings(settings)
    assert settings.POLKU_GRPC_TARGET == "polku.internal:443"
    assert settings.POLKU_TRACKING_EVENTS == ["edx.completion.block_completion.changed"]
    assert set(common.DEFAULTS) == {n for n in vars(settings) if n.startswith("POLKU_")}


def test_production_settings_read_env_tokens():
    settings = Settings()
    settings.ENV_TOKENS = {"POLKU_API_KEY": "polku_abc_def", "POLKU_MAX_ATTEMPTS": 3}
    production.plugin_settings(settings)
    assert settings.POLKU_API_KEY == "polku_abc_def" and settings.POLKU_MAX_ATTEMPTS == 3
    assert settings.POLKU_DEADLINE_SECONDS == 5.0


@pytest.mark.django_db
def test_migrations_match_the_models():
    call_command("makemigrations", "polku_openedx", "--check", "--dry-run", stdout=io.StringIO())


@pytest.mark.django_db
def test_celery_task_is_queued_after_commit_and_sends(settings, django_capture_on_commit_callbacks):
    assert tasks.send_outbox is not None, "python3-celery is installed for these tests"
    tasks.send_outbox.app.conf.task_always_eager = True
    client.close_channels()
    settings.POLKU_USE_CELERY = True
    settings.POLKU_GRPC_TARGET = "127.0.0.1:%d" % closed_port()
    settings.POLKU_DEADLINE_SECONDS = 2
    event_type, data = lookalikes.signal_cases(8)[0]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            handlers.record_signal(event_type, lookalikes.EventsMetadata(event_type=event_type), data)
        assert OutboxItem.objects.get().attempts == 0  # nothing sent inside the transaction
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: the task runs (eagerly) and meets a closed port
    row = OutboxItem.objects.get()
    assert row.attempts == 1 and row.last_error.startswith("UNAVAILABLE")
    client.close_channels()


@pytest.mark.django_db
def test_replay_command_needs_a_selection_and_moves_rows():
    DeadLetter.objects.create(operation=Operation.INGEST, payload="{}", event_type="x", reason="r")
    with pytest.raises(Exception):
        call_command("polku_replay", stdout=io.StringIO())
    out = io.StringIO()
    call_command("polku_replay", "--list", stdout=out)
    assert "\tx\t" in out.getvalue()
    call_command("polku_replay", "--event-type", "x", stdout=io.StringIO())
    assert DeadLetter.objects.count() == 0
    assert OutboxItem.objects.get().last_error == "replayed after: r"
