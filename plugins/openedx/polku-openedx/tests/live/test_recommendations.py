"""The dashboard endpoints against a live polku-server. Skipped, with the
reason, only while the server answers UNIMPLEMENTED for the RPC."""

import pytest
from django.contrib.auth import get_user_model

from polku_openedx import handlers, sender
from polku_openedx.models import DeadLetter, OutboxItem
from tests import lookalikes

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner(client, polku_settings):  # pylint: disable=unused-argument
    user = get_user_model().objects.create_user("dashboard", "dashboard@example.edu", "pw")
    # Some history, so a recommender has something to go on.
    for event_type, data in lookalikes.signal_cases(user.id)[:8]:
        handlers.record_signal(event_type, lookalikes.EventsMetadata(event_type=event_type), data)
    assert sender.send_all_due().dead_lettered == 0
    client.force_login(user)
    return client


def _skip_if_unimplemented(response, rpc):
    if response.status_code == 501:
        pytest.skip("%s answers UNIMPLEMENTED on this polku-server" % rpc)


def test_recommendations_for_the_current_learner(learner):
    response = learner.get("/api/polku/v1/recommendations/?k=3", HTTP_ACCEPT_LANGUAGE="fi")
    _skip_if_unimplemented(response, "RecommendationService")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["locale"] == "fi"
    assert isinstance(body["opted_out"], bool)
    assert len(body["recommendations"]) <= 3
    for recommendation in body["recommendations"]:
        assert recommendation["recommendation_id"] and recommendation["kind"].startswith("NUDGE_KIND_")
        assert recommendation["text"]
    if body["recommendations"]:
        chosen = body["recommendations"][0]["recommendation_id"]
        posted = learner.post("/api/polku/v1/feedback/",
                              {"recommendation_id": chosen, "outcome": "accepted"},
                              content_type="application/json")
        assert posted.status_code == 202
        report = sender.send_all_due()
        assert (report.delivered, report.dead_lettered) == (1, 0), list(
            DeadLetter.objects.values_list("reason", flat=True))
        assert OutboxItem.objects.count() == 0


def test_profile_for_the_current_learner(learner):
    response = learner.get("/api/polku/v1/profile/")
    _skip_if_unimplemented(response, "InsightService.GetLearnerProfile")
    assert response.status_code == 200, response.content
    assert response.json()["locale"] == "en"
