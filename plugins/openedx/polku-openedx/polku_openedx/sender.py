"""Delivering the outbox to Polku.

send_pending() claims the rows that are due, sends them (INGEST rows in
batches of POLKU_BATCH_SIZE, one Ingest call per batch; the other operations
one call each, every call with the POLKU_DEADLINE_SECONDS deadline) and then:

- deletes a row Polku took: ACCEPTED, DUPLICATE (already stored: a resend
  after a lost answer stores nothing twice) or ERASED (the learner was
  deleted; Polku acknowledges and drops it);
- retries a row after a transient failure (UNAVAILABLE, DEADLINE_EXCEEDED,
  RESOURCE_EXHAUSTED, a wrong or revoked key...) with exponential back-off,
  and dead-letters it after POLKU_MAX_ATTEMPTS attempts;
- dead-letters at once a row Polku refuses (REJECTED or CONFLICT for that
  event, INVALID_ARGUMENT, UNIMPLEMENTED, FAILED_PRECONDITION...), with the
  reason Polku gave.

Nothing is dropped silently: every row ends delivered or in DeadLetter.
Several senders may run at once: a row is claimed by moving its
next_attempt_at forward with a compare-and-set update before it is sent.
"""

import datetime
import json
import logging
from dataclasses import dataclass

import grpc
from django.db import transaction
from django.utils import timezone

from .client import PolkuClient
from .conf import setting
from .models import DeadLetter, Operation, OutboxItem

log = logging.getLogger(__name__)

# Whole-call failures worth retrying: the server is down or busy, or its
# configuration (key, scopes) is being fixed; the row is kept meanwhile.
RETRYABLE = frozenset({
    grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.ABORTED,
    grpc.StatusCode.CANCELLED, grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL,
    grpc.StatusCode.DATA_LOSS, grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.PERMISSION_DENIED,
})

# polku.v1.EventOutcome values that mean "Polku has it, or never will".
_DELIVERED = frozenset({"EVENT_OUTCOME_ACCEPTED", "EVENT_OUTCOME_DUPLICATE", "EVENT_OUTCOME_ERASED"})

# Extra time a claim holds beyond the call's deadline.
_LEASE_MARGIN_SECONDS = 30


@dataclass
class SendReport:
    """What one send_pending() run did."""

    delivered: int = 0
    retrying: int = 0
    dead_lettered: int = 0

    def __str__(self):
        return "%d delivered, %d to retry, %d dead-lettered" % (
            self.delivered, self.retrying, self.dead_lettered)


def backoff_seconds(attempts):
    """Delay before attempt `attempts + 1`."""
    base = float(setting("POLKU_RETRY_BASE_SECONDS"))
    return min(base * (2 ** max(attempts - 1, 0)), float(setting("POLKU_RETRY_MAX_SECONDS")))


def rpc_reason(error):
    """'CODE: details' of a grpc.RpcError."""
    code = error.code() if hasattr(error, "code") else None
    details = error.details() if hasattr(error, "details") else str(error)
    return "%s: %s" % (code.name if code else "ERROR", details or "")


def _claim(limit):
    """Claims up to `limit` due rows; returns them."""
    now = timezone.now()
    lease = now + datetime.timedelta(
        seconds=float(setting("POLKU_DEADLINE_SECONDS")) + _LEASE_MARGIN_SECONDS)
    claimed = []
    for row in OutboxItem.objects.filter(next_attempt_at__lte=now).order_by("id")[:limit]:
        if OutboxItem.objects.filter(pk=row.pk, next_attempt_at=row.next_attempt_at).update(
                next_attempt_at=lease):
            row.next_attempt_at = lease
            claimed.append(row)
    return claimed


def _dead_letter(row, reason):
    with transaction.atomic():
        DeadLetter.objects.create(
            operation=row.operation, source_format=row.source_format,
            event_type=row.event_type, payload=row.payload, enrichment=row.enrichment,
            user_id=row.user_id, created=row.created, attempts=row.attempts,
            reason=reason)
        OutboxItem.objects.filter(pk=row.pk).delete()
    log.warning("Polku: outbox row %s (%s) dead-lettered: %s", row.pk, row.event_type, reason)


def _fail(rows, reason, retryable, report):
    max_attempts = int(setting("POLKU_MAX_ATTEMPTS"))
    for row in rows:
        row.attempts += 1
        if not retryable or row.attempts >= max_attempts:
            if retryable:
                reason_text = "%s (gave up after %d attempts)" % (reason, row.attempts)
            else:
                reason_text = reason
            _dead_letter(row, reason_text)
            report.dead_lettered += 1
        else:
            due = timezone.now() + datetime.timedelta(seconds=backoff_seconds(row.attempts))
            OutboxItem.objects.filter(pk=row.pk).update(
                attempts=row.attempts, next_attempt_at=due, last_error=reason[:2000])
            report.retrying += 1


def _delivered(rows, report):
    OutboxItem.objects.filter(pk__in=[r.pk for r in rows]).delete()
    report.delivered += len(rows)


def _send_ingest(client, rows, report):
    try:
        sources = [client.source_event(r.source_format, r.payload, json.loads(r.enrichment or "{}"))
                   for r in rows]
    except (ValueError, TypeError) as error:
        # A row that cannot even be turned into a request will never send.
        if len(rows) == 1:
            _fail(rows, "INVALID_ROW: %s" % error, False, report)
            return
        for row in rows:
            _send_ingest(client, [row], report)
        return
    try:
        response = client.ingest(sources)
    except grpc.RpcError as error:
        code = error.code()
        if code == grpc.StatusCode.INVALID_ARGUMENT and len(rows) > 1:
            # The batch as a whole was refused (e.g. too large): one by one.
            for row in rows:
                _send_ingest(client, [row], report)
            return
        _fail(rows, rpc_reason(error), code in RETRYABLE, report)
        return
    outcome_name = client.pb.event_service.EventOutcome.Name
    problems = {}
    for result in response.results:
        outcome = outcome_name(result.outcome)
        if outcome not in _DELIVERED:
            problems.setdefault(result.item_index, "%s (%s): %s" % (
                outcome.replace("EVENT_OUTCOME_", ""), _code_name(result.error.code),
                result.error.message))
    seen = {result.item_index for result in response.results}
    ok_rows = []
    for index, row in enumerate(rows):
        if index in problems:
            _fail([row], problems[index], False, report)
        elif index not in seen:
            _fail([row], "NO_RESULT: Polku returned no result for the event", True, report)
        else:
            ok_rows.append(row)
    _delivered(ok_rows, report)


def _code_name(number):
    for code in grpc.StatusCode:
        if code.value[0] == number:
            return code.name
    return str(number)


def _send_request(client, row, report):
    fields = json.loads(row.payload)
    try:
        if row.operation == Operation.DELETE_LEARNER:
            response = client.delete_learner(fields["learner"])
            log.info("Polku: deleted a retired learner's data (%d events)", response.events_deleted)
        elif row.operation == Operation.FEEDBACK:
            client.record_feedback(fields["learner"], fields["recommendation_id"],
                                   fields["outcome"], fields["occurred_at"])
        elif row.operation == Operation.OPT_OUT:
            client.set_opt_out(fields["learner"], fields["opted_out"])
        else:
            _fail([row], "INVALID_ROW: unknown operation %r" % row.operation, False, report)
            return
    except grpc.RpcError as error:
        _fail([row], rpc_reason(error), error.code() in RETRYABLE, report)
        return
    _delivered([row], report)


def send_pending(client=None, limit=None):
    """Sends the rows that are due. Returns a SendReport."""
    report = SendReport()
    batch_size = max(1, int(setting("POLKU_BATCH_SIZE")))
    rows = _claim(limit or batch_size * 10)
    if not rows:
        return report
    if client is None:
        client = PolkuClient()
    ingest = [r for r in rows if r.operation == Operation.INGEST]
    for start in range(0, len(ingest), batch_size):
        _send_ingest(client, ingest[start:start + batch_size], report)
    for row in rows:
        if row.operation != Operation.INGEST:
            _send_request(client, row, report)
    log.info("Polku outbox: %s", report)
    return report


def send_all_due(client=None):
    """Repeats send_pending() until no row is due. Returns the summed report."""
    total = SendReport()
    while True:
        report = send_pending(client)
        total.delivered += report.delivered
        total.retrying += report.retrying
        total.dead_lettered += report.dead_lettered
        if not (report.delivered or report.dead_lettered):
            return total


def seconds_until_next_due():
    """Seconds until the earliest pending row is due (0 if one is due now),
    or None when the outbox is empty."""
    row = OutboxItem.objects.order_by("next_attempt_at").first()
    if row is None:
        return None
    return max(0.0, (row.next_attempt_at - timezone.now()).total_seconds())
