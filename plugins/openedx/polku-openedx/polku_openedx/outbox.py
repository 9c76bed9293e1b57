"""Writing to the outbox. Called on the request path: only database writes
here, in the caller's transaction; the network is the sender's business.

After the transaction commits, the Celery send task is queued when Celery is
in use (POLKU_USE_CELERY); otherwise `polku_send --loop` picks rows up.
"""

import json
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from . import __version__
from .conf import instance_url, setting
from .models import DeadLetter, Operation, OutboxItem

log = logging.getLogger(__name__)

# polku.v1.SourceFormat values (proto/polku/v1/learning_event.proto).
SOURCE_FORMAT_OPENEDX_TRACKING = 4
SOURCE_FORMAT_OPENEDX_SIGNAL = 5

# Enrichment fields an enrichment function may return.
ENRICHMENT_FIELDS = frozenset({
    "enrolment_method", "course_required", "in_flow_of_work", "future_skill",
    "goal_ids", "competencies", "org_unit", "learner_role", "extensions",
})


def enrichment_for(user_id, course_key):
    """Enrichment for an event: the instance and adapter version, plus what
    POLKU_ENRICHMENT_FUNCTION knows about the learner and course."""
    enrichment = {"instance": instance_url(), "adapter_version": "polku-openedx/" + __version__}
    path = setting("POLKU_ENRICHMENT_FUNCTION")
    if path and user_id:
        extra = import_string(path)(user_id, course_key) or {}
        unknown = set(extra) - ENRICHMENT_FIELDS
        if unknown:
            raise ValueError("POLKU_ENRICHMENT_FUNCTION returned unknown fields: %s"
                             % ", ".join(sorted(unknown)))
        enrichment.update(extra)
    return enrichment


def enqueue_event(source_format, event_type, payload, user_id, course_key="", event_id=""):
    """Adds one SourceEvent to the outbox, in the current transaction.
    event_id: the Enrichment's event id, for payloads without an id."""
    enrichment = enrichment_for(user_id, course_key)
    if event_id:
        enrichment["event_id"] = event_id
    item = OutboxItem.objects.create(
        operation=Operation.INGEST,
        source_format=source_format,
        event_type=event_type[:255],
        payload=json.dumps(payload, sort_keys=True, separators=(",", ":")),
        enrichment=json.dumps(enrichment, sort_keys=True),
        user_id=user_id,
    )
    _send_after_commit()
    return item


def enqueue_request(operation, user_id, fields):
    """Adds a non-ingest request (DELETE_LEARNER, FEEDBACK, OPT_OUT) whose
    fields are the RPC request's, learner key included."""
    item = OutboxItem.objects.create(
        operation=operation, event_type=operation, user_id=user_id,
        payload=json.dumps(fields, sort_keys=True))
    _send_after_commit()
    return item


def purge_user(user_id):
    """Removes every pending and dead-lettered row about a user (retirement:
    their events must not reach Polku after the deletion, and their data must
    not linger here). Returns the number of rows removed."""
    removed, _ = OutboxItem.objects.filter(user_id=user_id).delete()
    dead, _ = DeadLetter.objects.filter(user_id=user_id).delete()
    return removed + dead


def replay(dead_letters):
    """Moves dead-lettered rows back to the outbox, due now, attempts reset.
    Returns the number replayed."""
    count = 0
    with transaction.atomic():
        for dead in dead_letters.select_for_update():
            OutboxItem.objects.create(
                operation=dead.operation, source_format=dead.source_format,
                event_type=dead.event_type, payload=dead.payload,
                enrichment=dead.enrichment, user_id=dead.user_id,
                created=dead.created, attempts=0, next_attempt_at=timezone.now(),
                last_error="replayed after: " + dead.reason[:1000])
            dead.delete()
            count += 1
        if count:
            _send_after_commit()
    return count


def _send_after_commit():
    if not setting("POLKU_USE_CELERY"):
        return
    from . import tasks  # pylint: disable=import-outside-toplevel

    if tasks.send_outbox is not None:
        transaction.on_commit(tasks.schedule_send)
