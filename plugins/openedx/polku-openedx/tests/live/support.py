"""Helpers of the live suites."""

import json

from polku_openedx.client import PolkuClient


def exported(learner):
    """(events, tags) Polku holds for a learner key, as parsed JSON."""
    response = PolkuClient().export_learner(learner)
    events = [json.loads(e) for e in response.events_json]
    tags = [json.loads(t) for t in response.tags_json]
    return events, tags, getattr(response, "state_json", "")
