"""Against a live polku-server: tracking fixtures and look-alike signals go
through the outbox and the sender over real gRPC, are accepted and tagged;
a server outage is retried and drained without storing anything twice;
failures are dead-lettered with the reason and replayed; retirement leaves
nothing in Polku."""

import glob
import json
import os

import pytest

from polku_openedx import handlers, sender
from polku_openedx.client import PolkuClient
from polku_openedx.models import DeadLetter, OutboxItem
from polku_openedx.payloads import learner_key
from polku_openedx.settings.common import MAPPED_TRACKING_EVENTS
from tests import lookalikes
from tests.conftest import fixture_path
from tests.live.support import exported

pytestmark = pytest.mark.django_db

INSTANCE = "https://LMS.Example.edu/"
TRACKING = sorted(glob.glob(fixture_path("openedx", "tracking", "*.json")))


def _send_signal(event_type, data, metadata=None):
    metadata = metadata or lookalikes.EventsMetadata(event_type=event_type)
    return handlers.record_signal(event_type, metadata, data)


def _tracking_rows(polku_settings):
    """Every tracking fixture through the receiver; returns {file: row or reason}."""
    polku_settings.POLKU_TRACKING_EVENTS = list(MAPPED_TRACKING_EVENTS)
    outcome = {}
    for path in TRACKING:
        with open(path) as f:
            event = json.load(f)
        item, reason = handlers.record_tracking_event(
            lookalikes.tracking_log_from_fixture(event),
            lookalikes.EventsMetadata(event_type="org.openedx.analytics.tracking.event.emitted.v1"))
        outcome[os.path.basename(path)] = item if item is not None else reason
    return outcome


def test_every_tracking_fixture_is_accepted_and_tagged_or_skipped_with_a_reason(polku_settings):
    outcome = _tracking_rows(polku_settings)
    forwarded = {name: row for name, row in outcome.items() if not isinstance(row, str)}
    skipped = {name: reason for name, reason in outcome.items() if isinstance(reason, str)}
    # The moderation events and the templates without a learner are skipped.
    assert all(reason.startswith(("not in POLKU_TRACKING_EVENTS", "no user id"))
               for reason in skipped.values()), skipped
    assert sorted(n for n, r in skipped.items() if r.startswith("no user id")) == [
        "edx.course.enrollment.activated.required.only.data.json",
        "edx.ui.lms.link_clicked(anonymous_user).json",
        "edx.ui.lms.link_clicked.required.only.data.json",
        "play_video.required.only.data.json",
        "problem_check(browser).required.only.data.json",
    ]
    assert len(forwarded) + len(skipped) == len(TRACKING)
    report = sender.send_all_due()
    assert DeadLetter.objects.count() == 0, list(DeadLetter.objects.values_list("event_type", "reason"))
    assert report.delivered == len(forwarded) and OutboxItem.objects.count() == 0
    # Every forwarded event is stored and tagged, under the learner key the
    # adapter computes the same way as Polku.
    users = sorted({row.user_id for row in forwarded.values()})
    stored = 0
    for user_id in users:
        events, tags, _ = exported(learner_key(INSTANCE, user_id))
        assert events, "nothing stored for user %d" % user_id
        for event, tag in zip(events, tags):
            assert event["learner"]["key"] == learner_key(INSTANCE, user_id)
            assert tag["mode"] in ("STRUCTURED", "SELF_DIRECTED", "BLENDED"), tag
        stored += len(events)
    assert stored == len(forwarded)
    print("tracking fixtures: %d forwarded and stored, %d skipped" % (len(forwarded), len(skipped)))


def test_signals_from_lookalike_data_classes_are_accepted_and_tagged(polku_settings):
    cases = lookalikes.signal_cases(501, staff_id=502)
    for event_type, data in cases:
        _send_signal(event_type, data)
    report = sender.send_all_due()
    assert DeadLetter.objects.count() == 0, list(DeadLetter.objects.values_list("event_type", "reason"))
    assert report.delivered == len(cases)
    events, tags, _ = exported(learner_key(INSTANCE, 501))
    assert sorted(e["source"]["event_type"] for e in events) == sorted(c[0] for c in cases)
    assert all(t["mode"] in ("STRUCTURED", "SELF_DIRECTED", "BLENDED") for t in tags)
    by_type = {e["source"]["event_type"].split("learning.")[1]: (e, t) for e, t in zip(events, tags)}
    enrolment, enrolment_tag = by_type["course.enrollment.created.v1"]
    assert enrolment["initiator"] == "STAFF"  # created_by is someone else
    assert enrolment_tag["dimensions"]["initiative"] < 0
    assert by_type["forum.thread.created.v1"][1]["dimensions"]["social"] > 0
    assert by_type["forum.thread.response.created.v1"][1]["dimensions"]["social"] > 0
    print("signals: %d look-alike payloads accepted and tagged" % len(cases))


def _tag_of(client, source_format, payload, instance=None):
    le = client.pb.learning_event
    enrichment = le.Enrichment(instance=instance or "")
    es = client.pb.event_service
    request = es.TagEventRequest(event=es.IngestItem(source=le.SourceEvent(
        format=source_format, payload=payload, enrichment=enrichment)))
    response = client._call(client.events.TagEvent, request)  # pylint: disable=protected-access
    return response.events[0].tags


def _self_enrolment(event):
    """The Moodle fixture is a manual enrolment by an administrator; the Open
    edX one is the learner enrolling themself (/change_enrollment). The
    counterpart: the same Moodle event with the learner as the actor and the
    self enrolment method."""
    event["userid"] = event["relateduserid"]
    event["other"] = 'a:1:{s:5:"enrol";s:4:"self";}'
    return event


@pytest.mark.parametrize("name,moodle,variant", [
    ("edx.course.enrollment.activated", "core/user_enrolment_created", _self_enrolment),
    ("edx.course.grade.passed.first_time", "core/course_completed", None),
    ("edx.forum.thread.created", "mod_forum/discussion_created", None),
])
def test_tracking_events_tag_like_their_xapi_and_moodle_counterparts(
        polku_settings, name, moodle, variant):
    client = PolkuClient()
    le = client.pb.learning_event
    with open(fixture_path("openedx", "tracking", name + ".json")) as f:
        openedx = _tag_of(client, le.SOURCE_FORMAT_OPENEDX_TRACKING, f.read(), INSTANCE)
    with open(fixture_path("openedx", "xapi", name + ".json")) as f:
        xapi = _tag_of(client, le.SOURCE_FORMAT_XAPI, f.read())
    moodle_event = sorted(glob.glob(os.path.join(fixture_path("moodle", *moodle.split("/")),
                                                 "**", "event.json"), recursive=True))[0]
    with open(moodle_event) as f:
        event = json.load(f)
    moodle_tag = _tag_of(client, le.SOURCE_FORMAT_MOODLE, json.dumps(variant(event) if variant else event),
                         "https://moodle.example.edu")
    assert openedx.mode == xapi.mode == moodle_tag.mode, (openedx.mode, xapi.mode, moodle_tag.mode)
    for dim in ("initiative", "format", "social"):
        signs = {(getattr(t.dimensions, dim) > 0) - (getattr(t.dimensions, dim) < 0)
                 for t in (openedx, xapi, moodle_tag)}
        assert len(signs) == 1, (name, dim, [getattr(t.dimensions, dim) for t in (openedx, xapi, moodle_tag)])


def test_outage_is_retried_and_drained_without_storing_twice(polku_settings, polku_server):
    polku_server.stop()
    cases = lookalikes.signal_cases(601)[:5]
    for event_type, data in cases:
        _send_signal(event_type, data)
    rows = list(OutboxItem.objects.values("operation", "source_format", "event_type", "payload",
                                          "enrichment", "user_id"))
    for attempt in (1, 2):
        report = sender.send_pending()
        assert (report.retrying, report.delivered, report.dead_lettered) == (5, 0, 0)
        assert set(OutboxItem.objects.values_list("attempts", flat=True)) == {attempt}
    assert OutboxItem.objects.first().last_error.startswith("UNAVAILABLE")
    polku_settings.POLKU_GRPC_TARGET = polku_server.start()
    assert sender.send_all_due().delivered == 5 and OutboxItem.objects.count() == 0
    # The same rows again (a resend after an answer lost to the deadline):
    # DUPLICATE, a success that stores nothing.
    for row in rows:
        OutboxItem.objects.create(**row)
    assert sender.send_all_due().delivered == 5
    events, _, _ = exported(learner_key(INSTANCE, 601))
    assert len(events) == 5 and len({e["event_id"] for e in events}) == 5
    assert DeadLetter.objects.count() == 0


def test_failures_are_dead_lettered_with_the_reason_and_replayed(polku_settings, polku_server):
    from django.core.management import call_command  # pylint: disable=import-outside-toplevel

    polku_settings.POLKU_MAX_ATTEMPTS = 2
    # Refused by Polku: an enrolment whose user has no id.
    broken = lookalikes.signal_cases(0)[0][1]["enrollment"]
    bad = _send_signal("org.openedx.learning.course.enrollment.created.v1",
                       {"enrollment": broken.__class__(
                           user=lookalikes.UserData(id=None, is_active=True, pii=None),
                           course=broken.course, mode="audit", is_active=True,
                           creation_date=broken.creation_date)})
    assert sender.send_all_due().dead_lettered == 1
    refused = DeadLetter.objects.get(event_type=bad.event_type)
    assert refused.reason.startswith("REJECTED (INVALID_ARGUMENT): ")
    assert refused.reason.endswith("payload.data.enrollment.user.id: is required")
    # Polku down: retried, then dead-lettered with the reason.
    polku_server.stop()
    event_type, data = lookalikes.signal_cases(701)[3]  # certificate created
    _send_signal(event_type, data)
    assert sender.send_pending().retrying == 1
    assert sender.send_pending().dead_lettered == 1
    down = DeadLetter.objects.get(user_id=701)
    assert down.reason.startswith("UNAVAILABLE: ") and down.reason.endswith("(gave up after 2 attempts)")
    assert down.attempts == 2 and OutboxItem.objects.count() == 0
    assert exported_after_restart(polku_settings, polku_server, 701) == 0
    call_command("polku_replay", "--all", "--send", stdout=open(os.devnull, "w"))
    events, _, _ = exported(learner_key(INSTANCE, 701))
    assert [e["source"]["event_type"] for e in events] == [event_type]
    # The refused one is refused again, with the same reason: nothing lost.
    again = DeadLetter.objects.get()
    assert again.reason == refused.reason and again.payload == refused.payload


def exported_after_restart(polku_settings, polku_server, user_id):
    polku_settings.POLKU_GRPC_TARGET = polku_server.start()
    return len(exported(learner_key(INSTANCE, user_id))[0])


def test_retirement_leaves_nothing_in_polku(polku_settings):
    for event_type, data in lookalikes.signal_cases(801)[:4]:
        _send_signal(event_type, data)
    sender.send_all_due()
    key = learner_key(INSTANCE, 801)
    assert len(exported(key)[0]) == 4
    # One more event still waiting in the outbox when the learner retires.
    event_type, data = lookalikes.signal_cases(801)[7]
    _send_signal(event_type, data)
    retirement = lookalikes.OpenEdxPublicSignal("USER_RETIRE_LMS_MISC")
    retirement.connect(handlers.on_user_retired)

    class User:  # pylint: disable=too-few-public-methods
        id = 801
    retirement.send(sender=None, user=User(), email="a@example.edu", new_email="b@example.edu")
    report = sender.send_all_due()
    assert (report.delivered, report.dead_lettered) == (1, 0)
    events, tags, state = exported(key)
    assert events == [] and tags == [] and state == ""
    # A late resend of the learner's event is acknowledged and not stored.
    _send_signal(*lookalikes.signal_cases(801)[0])
    assert sender.send_all_due().delivered == 1
    assert exported(key)[0] == []
