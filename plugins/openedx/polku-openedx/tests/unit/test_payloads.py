"""Serialisation of openedx-events data and tracking events (no server)."""

import datetime
import glob
import json
import os
import uuid

import pytest

from polku_openedx.payloads import (canonical_instance, learner_key, signal_payload,
                                    signal_user_id, to_jsonable, tracking_payload,
                                    tracking_user_id)
from tests import lookalikes
from tests.conftest import fixture_path


def test_canonical_instance_matches_polku():
    # The cases of model::CanonicalInstance (services/model/learning_event.cc).
    assert canonical_instance("https://LMS.Example.edu/") == "lms.example.edu"
    assert canonical_instance("http://lms.example.edu:18000/sub/Path/?q=1#x") == "lms.example.edu:18000/sub/Path"
    assert canonical_instance("lms.example.edu") == "lms.example.edu"
    assert learner_key("https://LMS.Example.edu/", "42") == "lms.example.edu#42"


def test_data_classes_serialise_like_attr_asdict_without_pii():
    enrollment = lookalikes.signal_cases(42)[0][1]["enrollment"]
    out = to_jsonable(enrollment)
    assert out["user"] == {"id": 42, "is_active": True}
    assert out["created_by"] == {"id": 1042, "is_active": True}
    assert out["course"]["course_key"] == "course-v1:edX+DemoX+Demo_Course"
    assert out["course"]["start"] == "2024-01-01T00:00:00+00:00"
    assert out["creation_date"] == "2024-05-10T08:15:30+00:00"
    text = json.dumps(out)
    assert "learner@example.edu" not in text and "Learner Name" not in text


def test_signal_payload_has_the_normaliser_shape():
    metadata = lookalikes.EventsMetadata(
        event_type="org.openedx.learning.course.enrollment.created.v1",
        id=uuid.UUID("0ae5a1e4-0f4c-11ef-9c2f-0242ac120002"), minorversion=1,
        time=datetime.datetime(2024, 5, 10, 8, 15, 30, 123456, tzinfo=datetime.timezone.utc))
    data = dict(lookalikes.signal_cases(7)[0][1], signal=object(), sender=None,
                from_event_bus=False)
    payload = signal_payload(metadata.event_type, metadata, data, "https://lms.example.edu")
    assert payload["signal"] == metadata.event_type
    assert payload["id"] == "0ae5a1e4-0f4c-11ef-9c2f-0242ac120002"
    assert payload["time"] == "2024-05-10T08:15:30.123456+00:00"
    assert payload["minorversion"] == 1
    assert payload["source_lms"] == "https://lms.example.edu"
    assert list(payload["data"]) == ["enrollment"]
    assert signal_user_id(payload) == 7


@pytest.mark.parametrize("event_type,data", lookalikes.signal_cases(5))
def test_every_default_signal_names_its_learner(event_type, data):
    payload = signal_payload(event_type, lookalikes.EventsMetadata(event_type=event_type),
                             data, "https://lms.example.edu")
    json.dumps(payload)  # JSON-ready all the way down
    assert signal_user_id(payload) == 5


def test_naive_datetimes_are_utc():
    assert to_jsonable(datetime.datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05+00:00"


TRACKING = sorted(glob.glob(fixture_path("openedx", "tracking", "*.json")))


def test_there_are_tracking_fixtures():
    assert len(TRACKING) > 50


@pytest.mark.parametrize("path", TRACKING, ids=os.path.basename)
def test_tracking_event_round_trips_through_tracking_log_data(path):
    with open(path) as f:
        event = json.load(f)
    payload = tracking_payload(lookalikes.tracking_log_from_fixture(event))
    assert payload["name"] == (event.get("name") or event.get("event_type"))
    assert payload["data"] == event.get("data", event.get("event", {}))
    assert payload["context"] == event.get("context", {})
    data = payload["data"] if isinstance(payload["data"], dict) else {}
    user = data.get("attempt_user_id") or data.get("user_id") or payload["context"].get("user_id")
    assert tracking_user_id(payload) == (int(user) if user else None)
