"""The outbox and the dead-letter table.

Receivers only write OutboxItem rows, inside the transaction of the request
that produced the event (edx-platform runs requests with ATOMIC_REQUESTS), so
an event exists in the outbox exactly when the change it reports was
committed. The sender (sender.py) delivers rows and deletes them; a row that
keeps failing, or that Polku refuses, moves to DeadLetter with the reason and
can be replayed (admin action or `manage.py lms polku_replay`).
"""

from django.db import models
from django.utils import timezone


class Operation(models.TextChoices):
    """What a row asks Polku to do."""

    INGEST = "ingest", "Ingest an event"
    DELETE_LEARNER = "delete_learner", "Delete a learner's data"
    FEEDBACK = "feedback", "Record recommendation feedback"
    OPT_OUT = "opt_out", "Set the profiling opt-out"


class _Item(models.Model):
    """Columns shared by the outbox and the dead-letter table."""

    operation = models.CharField(max_length=32, choices=Operation.choices)
    # SourceFormat number of an INGEST row (4 tracking, 5 signal).
    source_format = models.PositiveSmallIntegerField(default=0)
    # Signal event type or tracking event name, for people reading the table.
    event_type = models.CharField(max_length=255, blank=True, default="")
    # JSON: the SourceEvent payload (INGEST) or the request's fields.
    payload = models.TextField()
    # JSON: the Enrichment fields (INGEST only).
    enrichment = models.TextField(blank=True, default="")
    # The LMS user the row is about; lets retirement purge pending rows.
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class OutboxItem(_Item):
    """A row waiting to be sent."""

    # Not sent before this time (back-off, and the lease of a running sender).
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        app_label = "polku_openedx"
        ordering = ["id"]

    def __str__(self):
        return "%s %s #%s" % (self.operation, self.event_type, self.pk)


class DeadLetter(_Item):
    """A row Polku refused or that failed POLKU_MAX_ATTEMPTS times."""

    failed_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Why: the gRPC status or the per-event error Polku gave.
    reason = models.TextField()

    class Meta:
        app_label = "polku_openedx"
        ordering = ["id"]

    def __str__(self):
        return "%s %s #%s: %s" % (self.operation, self.event_type, self.pk, self.reason[:80])
