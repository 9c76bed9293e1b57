"""The dashboard API without a Polku server: authentication, validation,
texts in English and Finnish, writes through the outbox, and the answer
when Polku cannot be reached (a real gRPC call to a closed port)."""

import json

import pytest
from django.contrib.auth import get_user_model

from polku_openedx import client
from polku_openedx.models import Operation, OutboxItem
from tests.support import closed_port

pytestmark = pytest.mark.django_db

RECOMMENDATIONS = "/api/polku/v1/recommendations/"
FEEDBACK = "/api/polku/v1/feedback/"
OPT_OUT = "/api/polku/v1/opt-out/"


@pytest.fixture
def learner_client(client):  # pylint: disable=redefined-outer-name
    user = get_user_model().objects.create_user("learner", "learner@example.edu", "pw")
    client.force_login(user)
    client.user = user
    return client


def test_anonymous_requests_are_refused(client):  # pylint: disable=redefined-outer-name
    assert client.get(RECOMMENDATIONS).status_code in (401, 403)
    assert client.post(FEEDBACK, {"recommendation_id": "r", "outcome": "accepted"},
                       content_type="application/json").status_code in (401, 403)
    assert OutboxItem.objects.count() == 0


def test_feedback_is_queued_for_the_current_learner(learner_client):
    response = learner_client.post(FEEDBACK, {"recommendation_id": "rec-1", "outcome": "dismissed"},
                                   content_type="application/json")
    assert response.status_code == 202
    row = OutboxItem.objects.get()
    assert row.operation == Operation.FEEDBACK and row.user_id == learner_client.user.id
    fields = json.loads(row.payload)
    assert fields["learner"] == "lms.example.edu#%d" % learner_client.user.id
    assert (fields["recommendation_id"], fields["outcome"]) == ("rec-1", "dismissed")


def test_feedback_validation_speaks_finnish(learner_client):
    response = learner_client.post(FEEDBACK, {"recommendation_id": "rec-1", "outcome": "loved"},
                                   content_type="application/json", HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("outcome-arvon on oltava")
    response = learner_client.post(FEEDBACK, {"outcome": "shown"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "recommendation_id is required."
    assert OutboxItem.objects.count() == 0


def test_opt_out_is_queued(learner_client):
    assert learner_client.post(OPT_OUT, {"opted_out": "yes"},
                               content_type="application/json").status_code == 400
    response = learner_client.post(OPT_OUT, {"opted_out": True}, content_type="application/json",
                                   HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 202 and response.json()["detail"] == "Valintasi tallennettiin."
    assert json.loads(OutboxItem.objects.get(operation=Operation.OPT_OUT).payload)["opted_out"] is True


def test_unreachable_polku_gives_503_with_a_finnish_text(learner_client, settings):
    client.close_channels()
    settings.POLKU_GRPC_TARGET = "127.0.0.1:%d" % closed_port()
    settings.POLKU_DEADLINE_SECONDS = 2
    response = learner_client.get(RECOMMENDATIONS, HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 503
    assert response.json() == {"error": "unavailable",
                               "detail": "Suosituksia ei saada juuri nyt. Yritä myöhemmin uudelleen."}
    assert learner_client.get(RECOMMENDATIONS + "?k=0").status_code == 400
    client.close_channels()
