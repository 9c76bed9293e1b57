"""The Celery task that sends the outbox, when Celery is installed (it is in
every Open edX LMS). Without Celery, or with POLKU_USE_CELERY = False, run
`manage.py lms polku_send --loop` instead.

The task is queued after each transaction that wrote to the outbox. When it
leaves rows waiting for a retry, it queues itself again for when the first
of them is due, so retries happen without a beat schedule.
"""

import logging

from .conf import setting

log = logging.getLogger(__name__)

try:
    from celery import shared_task
except ImportError:  # pragma: no cover - Celery is part of every LMS
    shared_task = None


if shared_task is not None:

    @shared_task(name="polku_openedx.tasks.send_outbox", ignore_result=True)
    def send_outbox():
        """Sends what is due; re-queues itself while rows wait for a retry."""
        from . import sender  # pylint: disable=import-outside-toplevel

        report = sender.send_pending()
        if report.retrying:
            delay = sender.seconds_until_next_due()
            if delay is not None:
                schedule_send(countdown=delay)
        elif report.delivered or report.dead_lettered:
            # More may be due than one run takes.
            if sender.seconds_until_next_due() == 0:
                schedule_send()
        return str(report)

else:
    send_outbox = None  # pylint: disable=invalid-name


def schedule_send(countdown=0):
    """Queues send_outbox (after the current transaction, when called from
    transaction.on_commit)."""
    options = {"countdown": countdown}
    queue = setting("POLKU_CELERY_QUEUE")
    if queue:
        options["queue"] = queue
    try:
        send_outbox.apply_async(**options)
    except Exception:  # pylint: disable=broad-except
        # A broker outage must not fail the learner's request; the rows stay
        # in the outbox for the next task or `polku_send`.
        log.exception("Polku: could not queue the outbox send task")
