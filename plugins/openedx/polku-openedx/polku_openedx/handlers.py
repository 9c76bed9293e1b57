"""Receivers: openedx-events signals, the tracking-log signal and the LMS
user-retirement signal. They only write to the outbox (outbox.py), in the
transaction of the request that sent the signal.

openedx-events and edx-platform are imported lazily, in connect_signals()
(called from AppConfig.ready()): outside an LMS they are absent and nothing
is connected. Every receiver is a plain function of the signal's keyword
arguments, so tests call it with look-alike data classes.
"""

import fnmatch
import importlib
import logging

from .conf import instance_url, setting
from .models import Operation
from .outbox import (SOURCE_FORMAT_OPENEDX_SIGNAL, SOURCE_FORMAT_OPENEDX_TRACKING,
                     enqueue_event, enqueue_request, purge_user)
from .payloads import (TRACKING_SIGNAL, learner_key, signal_payload, signal_user_id,
                       tracking_payload, tracking_user_id)

log = logging.getLogger(__name__)

# Where openedx-events defines its signals.
SIGNAL_MODULES = ("openedx_events.learning.signals", "openedx_events.analytics.signals")

# edx-platform's retirement signal (sent by the LMS retirement API with the
# retired `user`).
RETIREMENT_SIGNAL = ("openedx.core.djangoapps.user_api.accounts.signals", "USER_RETIRE_LMS_MISC")


def on_openedx_event(sender=None, signal=None, metadata=None, **data):  # pylint: disable=unused-argument
    """Receiver for every connected openedx-events signal."""
    event_type = getattr(signal, "event_type", None) or getattr(metadata, "event_type", "")
    if event_type == TRACKING_SIGNAL:
        record_tracking_event(data.get("tracking_log"), metadata)
    else:
        record_signal(event_type, metadata, data)


def record_signal(event_type, metadata, data):
    """Puts one signal in the outbox, unless disabled or not allow-listed.
    Returns the OutboxItem, or None."""
    if not setting("POLKU_ENABLED") or event_type not in setting("POLKU_SIGNALS"):
        return None
    payload = signal_payload(event_type, metadata, data, instance_url())
    user_id = signal_user_id(payload)
    return enqueue_event(SOURCE_FORMAT_OPENEDX_SIGNAL, event_type, payload, user_id,
                         _course_key(payload["data"]))


def tracking_decision(payload):
    """(forward, reason) for a tracking event: forwarded when its name
    matches POLKU_TRACKING_EVENTS (names or shell-style patterns) and it
    names a learner."""
    name = payload.get("name") or ""
    if not any(fnmatch.fnmatchcase(name, pattern) for pattern in setting("POLKU_TRACKING_EVENTS")):
        return False, "not in POLKU_TRACKING_EVENTS: %s" % name
    if tracking_user_id(payload) is None:
        return False, "no user id (an anonymous or template event names no learner)"
    return True, "in POLKU_TRACKING_EVENTS"


def record_tracking_event(tracking_log, metadata=None):
    """Puts one tracking-log event (a TrackingLogData) in the outbox when
    tracking_decision() allows it. Returns (OutboxItem or None, reason).

    A tracking event has no id of its own; the signal's metadata.id (a UUID
    per emission) is sent as the enrichment's event id, so every emission is
    one event in Polku and a resend of the outbox row is a DUPLICATE."""
    if tracking_log is None or not setting("POLKU_ENABLED"):
        return None, "disabled"
    payload = tracking_payload(tracking_log)
    forward, reason = tracking_decision(payload)
    if not forward:
        log.debug("Polku: tracking event skipped, %s", reason)
        return None, reason
    course_key = ""
    for part in ("context", "data"):
        section = payload.get(part)
        if isinstance(section, dict) and section.get("course_id"):
            course_key = str(section["course_id"])
            break
    event_id = str(getattr(metadata, "id", "") or "")
    item = enqueue_event(SOURCE_FORMAT_OPENEDX_TRACKING, payload["name"], payload,
                         tracking_user_id(payload), course_key, event_id=event_id)
    return item, reason


def _course_key(data):
    """The course key a signal's data names, for the enrichment function."""
    for value in data.values():
        if not isinstance(value, dict):
            continue
        course = value.get("course")
        if isinstance(course, dict):
            key = course.get("course_key") or course.get("ccx_course_key")
            if key:
                return str(key)
        for name in ("course_id", "course_key"):
            if value.get(name):
                return str(value[name])
    return ""


def retire_learner(user_id):
    """Retirement: drops the learner's pending and dead-lettered rows and
    queues DeleteLearnerData for their learner key. Runs even with
    POLKU_ENABLED = False: data sent earlier must still go."""
    purged = purge_user(user_id)
    item = enqueue_request(Operation.DELETE_LEARNER, user_id,
                           {"learner": learner_key(instance_url(), user_id)})
    log.info("Polku: learner retirement queued (%d pending rows dropped)", purged)
    return item


def on_user_retired(sender=None, user=None, **kwargs):  # pylint: disable=unused-argument
    """Receiver for USER_RETIRE_LMS_MISC."""
    if user is not None and getattr(user, "id", None):
        retire_learner(user.id)


def connect_signals(import_module=importlib.import_module):
    """Connects the receivers to the signals that exist in this LMS. Returns
    the event types connected (plus "USER_RETIRE_LMS_MISC")."""
    wanted = set(setting("POLKU_SIGNALS"))
    if setting("POLKU_TRACKING_EVENTS"):
        wanted.add(TRACKING_SIGNAL)
    connected = []
    for module_name in SIGNAL_MODULES:
        try:
            module = import_module(module_name)
        except ImportError:
            log.info("Polku: %s is not installed; its signals are not forwarded", module_name)
            continue
        for name in dir(module):
            signal = getattr(module, name)
            event_type = getattr(signal, "event_type", None)
            if event_type in wanted and callable(getattr(signal, "connect", None)):
                signal.connect(on_openedx_event, dispatch_uid="polku_openedx:" + event_type)
                connected.append(event_type)
    missing = wanted - set(connected)
    if missing and connected:
        log.warning("Polku: signals not in this openedx-events version: %s",
                    ", ".join(sorted(missing)))
    module_name, attribute = RETIREMENT_SIGNAL
    try:
        retirement = getattr(import_module(module_name), attribute)
    except (ImportError, AttributeError):
        log.info("Polku: %s.%s not found; retirement is not connected", module_name, attribute)
    else:
        retirement.connect(on_user_retired, dispatch_uid="polku_openedx:retirement")
        connected.append(attribute)
    return connected
