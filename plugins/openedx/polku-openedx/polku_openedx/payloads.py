"""What the adapter sends: openedx-events data and tracking-log events turned
into JSON payloads for Polku's SourceEvent, exactly in the shape Polku's C++
normaliser documents (services/ingest/openedx_normaliser.cc, "Signal
payload"). No mapping happens here: the normaliser does it, once.

openedx-events is not imported: its data classes (attrs classes such as
CourseEnrollmentData, UserData, CourseData) are serialised by shape, so any
look-alike object with the same attributes serialises the same way.
"""

import datetime
import json
import uuid

# Signal keyword arguments that are Django or openedx-events plumbing, not data.
PLUMBING_KWARGS = frozenset({"signal", "sender", "metadata", "from_event_bus"})

# The openedx-events signal that carries tracking-log events
# (openedx_events.analytics.signals.TRACKING_EVENT_EMITTED).
TRACKING_SIGNAL = "org.openedx.analytics.tracking.event.emitted.v1"


def canonical_instance(url):
    """The LMS instance as Polku writes it (model::CanonicalInstance): no
    scheme, query, fragment or trailing slash; the host lowercased."""
    rest = url.split("://", 1)[1] if "://" in url else url
    for cut in "?#":
        rest = rest.split(cut, 1)[0]
    rest = rest.rstrip("/")
    host, slash, path = rest.partition("/")
    return host.lower() + slash + path


def learner_key(instance, user_id):
    """Polku's learner key (model::LearnerKey): "<instance>#<user id>"."""
    return "%s#%d" % (canonical_instance(instance), int(user_id))


def to_jsonable(value):
    """A JSON-ready copy of an openedx-events value, as attr.asdict gives it:
    data classes become dicts (attrs or dataclasses, nested), datetimes ISO
    8601 strings, keys (CourseKey, UsageKey, UUID) their string form. A
    UserData's `pii` (username, e-mail, name) is dropped: Polku never reads
    it, so the outbox never holds it."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items() if k != "pii"}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    fields = _data_class_fields(value)
    if fields is not None:
        return {name: to_jsonable(getattr(value, name)) for name in fields if name != "pii"}
    return str(value)


def _data_class_fields(value):
    """Attribute names of an attrs class or dataclass instance, else None."""
    attrs_fields = getattr(type(value), "__attrs_attrs__", None)
    if attrs_fields is not None:
        return [f.name for f in attrs_fields]
    dataclass_fields = getattr(type(value), "__dataclass_fields__", None)
    if dataclass_fields is not None:
        return list(dataclass_fields)
    return None


def _iso(value):
    if isinstance(value, datetime.datetime):
        return to_jsonable(value)
    return str(value)


def signal_payload(event_type, metadata, data, source_lms):
    """The payload Polku's normaliser expects for one openedx-events signal.

    event_type: the signal's event type; metadata: its EventsMetadata (id,
    time, minorversion); data: the signal's keyword arguments (plumbing is
    left out); source_lms: the LMS base URL.
    """
    payload = {
        "signal": event_type,
        "id": str(getattr(metadata, "id", "") or uuid.uuid4()),
        "time": _iso(getattr(metadata, "time", None)
                     or datetime.datetime.now(datetime.timezone.utc)),
        "source_lms": source_lms,
        "data": {k: to_jsonable(v) for k, v in data.items() if k not in PLUMBING_KWARGS},
    }
    minorversion = getattr(metadata, "minorversion", None)
    if minorversion is not None:
        payload["minorversion"] = minorversion
    return payload


def _decode(text):
    """eventtracking sends data and context as JSON text; a browser event's
    data may be a plain string (a form's query string), which stays as it is."""
    if not isinstance(text, str):
        return to_jsonable(text)
    try:
        return json.loads(text)
    except ValueError:
        return text


def tracking_payload(tracking_log):
    """The tracking-log event ({name, timestamp, data, context}, the layout
    event-routing-backends uses) from a TrackingLogData."""
    return {
        "name": tracking_log.name,
        "timestamp": _iso(tracking_log.timestamp),
        "data": _decode(tracking_log.data),
        "context": _decode(tracking_log.context),
    }


def _positive_int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def tracking_user_id(payload):
    """The learner a tracking event is about, or None for an anonymous one:
    data.attempt_user_id (special exams), data.user_id (the subject of
    completion, grade and enrolment events), else context.user_id (who made
    the request)."""
    data = payload.get("data")
    data = data if isinstance(data, dict) else {}
    context = payload.get("context")
    context = context if isinstance(context, dict) else {}
    for value in (data.get("attempt_user_id"), data.get("user_id"), context.get("user_id")):
        user_id = _positive_int(value)
        if user_id:
            return user_id
    return None


# Where each forwarded signal names its learner, for the outbox's user_id
# column (used to purge a retired learner's pending rows).
_USER_PATHS = (("user", "id"), ("student_user", "id"), ("user_id",))


def signal_user_id(payload):
    """The learner's numeric id in a signal payload's data, or None."""
    for value in payload.get("data", {}).values():
        if not isinstance(value, dict):
            continue
        for path in _USER_PATHS:
            node = value
            for step in path:
                node = node.get(step) if isinstance(node, dict) else None
            user_id = _positive_int(node)
            if user_id:
                return user_id
    return None
