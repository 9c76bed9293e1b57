"""Receivers write the outbox, in the caller's transaction (no server)."""

import glob
import json
import os

import pytest
from django.db import transaction

from polku_openedx import handlers
from polku_openedx.models import DeadLetter, Operation, OutboxItem
from polku_openedx.payloads import TRACKING_SIGNAL
from polku_openedx.settings.common import DEFAULT_SIGNALS
from tests import lookalikes
from tests.conftest import fixture_path

pytestmark = pytest.mark.django_db


class LookalikeModule:
    """A module of look-alike signals, as openedx_events.learning.signals."""

    def __init__(self, event_types):
        self.signals = {}
        for number, event_type in enumerate(event_types):
            signal = lookalikes.OpenEdxPublicSignal(event_type)
            self.signals[event_type] = signal
            setattr(self, "SIGNAL_%d" % number, signal)


def _importer(modules):
    def import_module(name):
        if name not in modules:
            raise ImportError(name)
        return modules[name]
    return import_module


def test_default_signals_are_connected_and_fill_the_outbox():
    learning = LookalikeModule(DEFAULT_SIGNALS + ("org.openedx.learning.student.registration.completed.v1",))
    analytics = LookalikeModule((TRACKING_SIGNAL,))
    connected = handlers.connect_signals(_importer({
        "openedx_events.learning.signals": learning,
        "openedx_events.analytics.signals": analytics}))
    assert set(connected) == set(DEFAULT_SIGNALS) | {TRACKING_SIGNAL}
    for event_type, data in lookalikes.signal_cases(42):
        learning.signals[event_type].send_event(**data)
    # Not forwarded: not in POLKU_SIGNALS.
    learning.signals["org.openedx.learning.student.registration.completed.v1"].send_event(
        user=lookalikes.user(42))
    rows = list(OutboxItem.objects.all())
    assert [r.event_type for r in rows] == [c[0] for c in lookalikes.signal_cases(42)]
    for row in rows:
        payload = json.loads(row.payload)
        assert row.operation == Operation.INGEST and row.source_format == 5
        assert row.user_id == 42
        assert payload["source_lms"] == "https://LMS.Example.edu/"
        assert "learner@example.edu" not in row.payload
        enrichment = json.loads(row.enrichment)
        assert enrichment["instance"] == "https://LMS.Example.edu/"
        assert enrichment["adapter_version"].startswith("polku-openedx/")
    for signal in list(learning.signals.values()) + list(analytics.signals.values()):
        signal.disconnect(dispatch_uid="polku_openedx:" + signal.event_type)


def test_nothing_is_connected_without_openedx_events():
    assert handlers.connect_signals(_importer({})) == []


def test_outbox_row_rolls_back_with_the_request():
    event_type, data = lookalikes.signal_cases(3)[0]
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            handlers.record_signal(event_type, lookalikes.EventsMetadata(event_type=event_type), data)
            assert OutboxItem.objects.count() == 1
            raise RuntimeError("the enrolment failed")
    assert OutboxItem.objects.count() == 0


def test_disabled_adapter_writes_nothing(settings):
    settings.POLKU_ENABLED = False
    event_type, data = lookalikes.signal_cases(3)[0]
    assert handlers.record_signal(event_type, lookalikes.EventsMetadata(event_type=event_type), data) is None
    assert OutboxItem.objects.count() == 0


TRACKING = sorted(glob.glob(fixture_path("openedx", "tracking", "*.json")))


@pytest.mark.parametrize("path", TRACKING, ids=os.path.basename)
def test_every_tracking_fixture_is_forwarded_or_skipped_with_a_reason(path):
    with open(path) as f:
        event = json.load(f)
    item, reason = handlers.record_tracking_event(lookalikes.tracking_log_from_fixture(event))
    name = event.get("name") or event.get("event_type")
    if item is None:
        assert reason.startswith("not in POLKU_TRACKING_EVENTS") or reason.startswith("no user id")
        assert (name != "edx.completion.block_completion.changed") == reason.startswith("not in")
        assert OutboxItem.objects.count() == 0
    else:
        assert name == "edx.completion.block_completion.changed"
        assert item.source_format == 4
        assert item.user_id == 4  # data.user_id: the learner whose block completed


def test_retirement_purges_and_queues_the_deletion():
    for event_type, data in lookalikes.signal_cases(9)[:3]:
        handlers.record_signal(event_type, lookalikes.EventsMetadata(event_type=event_type), data)
    DeadLetter.objects.create(operation=Operation.INGEST, payload="{}", user_id=9, reason="x")
    other_type, other = lookalikes.signal_cases(10)[0]
    handlers.record_signal(other_type, lookalikes.EventsMetadata(event_type=other_type), other)
    retirement = lookalikes.OpenEdxPublicSignal("retirement")  # a plain Django signal
    retirement.connect(handlers.on_user_retired)

    class User:  # pylint: disable=too-few-public-methods
        id = 9
    retirement.send(sender=None, user=User(), email="old@example.edu", new_email="retired@example.edu")
    assert DeadLetter.objects.count() == 0
    rows = list(OutboxItem.objects.order_by("id"))
    assert [(r.operation, r.user_id) for r in rows] == [
        (Operation.INGEST, 10), (Operation.DELETE_LEARNER, 9)]
    assert json.loads(rows[1].payload) == {"learner": "lms.example.edu#9"}
