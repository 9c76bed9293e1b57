"""A second language on the same contract: Python's grpcio and the stubs
generated from proto/polku/v1 at build time."""
import json
import os

import grpc
from polku.v1 import event_service_pb2, event_service_pb2_grpc, learning_event_pb2

SHARED = os.path.join(os.environ.get("POLKU_SOURCE_DIR", "."), "..", "shared")
TENANT = (("x-polku-tenant", "python"),)


def test_health_is_serving(server):
    # grpc.health.v1.Health/Check by hand: the generated health module would
    # shadow Debian's grpc package. An empty HealthCheckRequest is b"", and
    # the response's field 1 (status) SERVING is 1: b"\x08\x01".
    with grpc.insecure_channel(server["address"]) as channel:
        check = channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=lambda _: b"", response_deserializer=lambda b: b)
        assert check(None, timeout=10) == b"\x08\x01"


def test_ingest_native_and_source_events(server):
    event = learning_event_pb2.LearningEvent(
        event_id="py-1",
        source=learning_event_pb2.EventSource(platform=learning_event_pb2.PLATFORM_NATIVE),
        learner=learning_event_pb2.Learner(key="lms.example#42"),
        verb=learning_event_pb2.VERB_REPLIED,
        initiator=learning_event_pb2.INITIATOR_SELF,
        object=learning_event_pb2.EventObject(
            type=learning_event_pb2.OBJECT_TYPE_DISCUSSION, id="lms.example/mod/forum/1"),
    )
    event.occurred_at.GetCurrentTime()
    event.occurred_at.seconds -= 60
    with open(os.path.join(SHARED, "fixtures/openedx/tracking/edx.forum.thread.created.json")) as f:
        payload = f.read()
    source = learning_event_pb2.SourceEvent(
        format=learning_event_pb2.SOURCE_FORMAT_OPENEDX_TRACKING, payload=payload)
    request = event_service_pb2.IngestRequest(events=[
        event_service_pb2.IngestItem(native=event),
        event_service_pb2.IngestItem(source=source),
    ])
    with grpc.insecure_channel(server["address"]) as channel:
        stub = event_service_pb2_grpc.EventServiceStub(channel)
        first = stub.Ingest(request, metadata=TENANT, timeout=30)
        assert first.results[0].outcome == event_service_pb2.EVENT_OUTCOME_ACCEPTED
        assert first.results[0].tags.dimensions.social > 0
        assert first.results[0].tags.evidence
        second = stub.Ingest(request, metadata=TENANT, timeout=30)
        assert second.results[0].outcome == event_service_pb2.EVENT_OUTCOME_DUPLICATE
        assert [r.outcome for r in second.results] == [
            event_service_pb2.EVENT_OUTCOME_DUPLICATE
            if r.outcome == event_service_pb2.EVENT_OUTCOME_ACCEPTED else r.outcome
            for r in first.results]


def test_invalid_event_names_the_field(server):
    bad = learning_event_pb2.LearningEvent(event_id="py-bad")
    with grpc.insecure_channel(server["address"]) as channel:
        stub = event_service_pb2_grpc.EventServiceStub(channel)
        resp = stub.Ingest(event_service_pb2.IngestRequest(
            events=[event_service_pb2.IngestItem(native=bad)]), metadata=TENANT, timeout=30)
        result = resp.results[0]
        assert result.outcome == event_service_pb2.EVENT_OUTCOME_REJECTED
        assert result.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
        assert result.error.field_violations[0].field.startswith("events[0].")
