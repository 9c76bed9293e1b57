"""A small gRPC client for Polku (python3-grpcio).

The stubs are generated from proto/polku/v1 with grpc_python_plugin (at
build time; scripts/generate_stubs.sh writes them into
polku_openedx/_generated). They import each other as `polku.v1...` and
`google.rpc...`, so that directory is appended to sys.path the first time a
stub is needed, unless `polku.v1` is importable already (POLKU_PYTHON_STUBS
in tests, or stubs installed separately).

Every call carries `authorization: Bearer <POLKU_API_KEY>` and a deadline of
POLKU_DEADLINE_SECONDS. Errors are grpc.RpcError, as grpcio raises them.
"""

import importlib
import os
import sys
import threading

import grpc

from .conf import setting

_GENERATED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_generated")
_lock = threading.Lock()
_channels = {}


def stubs():
    """The generated modules, as a namespace: events, learning_event,
    recommendations, privacy, insights, each a (pb2, pb2_grpc) pair."""
    try:
        importlib.import_module("polku.v1.event_service_pb2")
    except ImportError:
        if os.path.isdir(_GENERATED) and _GENERATED not in sys.path:
            sys.path.append(_GENERATED)
    modules = {}
    for name in ("event_service", "learning_event", "recommendation_service",
                 "privacy_service", "insight_service"):
        modules[name] = importlib.import_module("polku.v1.%s_pb2" % name)
        if name != "learning_event":
            modules[name + "_grpc"] = importlib.import_module("polku.v1.%s_pb2_grpc" % name)
    return type("PolkuStubs", (), modules)


def _channel(target, tls, root_certs_path):
    """One channel per (target, TLS settings), shared by threads."""
    key = (target, tls, root_certs_path)
    with _lock:
        channel = _channels.get(key)
        if channel is None:
            if tls:
                root = None
                if root_certs_path:
                    with open(root_certs_path, "rb") as f:
                        root = f.read()
                channel = grpc.secure_channel(target, grpc.ssl_channel_credentials(root))
            else:
                channel = grpc.insecure_channel(target)
            _channels[key] = channel
        return channel


def close_channels():
    """Closes every cached channel (tests; a changed POLKU_GRPC_TARGET)."""
    with _lock:
        for channel in _channels.values():
            channel.close()
        _channels.clear()


class PolkuClient:
    """Calls Polku with the configured target, key and deadline. Thread-safe."""

    def __init__(self, target=None, api_key=None, deadline=None, tls=None, root_certs=None):
        self.target = target or setting("POLKU_GRPC_TARGET")
        self.api_key = setting("POLKU_API_KEY") if api_key is None else api_key
        self.deadline = float(deadline or setting("POLKU_DEADLINE_SECONDS"))
        tls = setting("POLKU_TLS") if tls is None else tls
        root_certs = setting("POLKU_TLS_ROOT_CERTS") if root_certs is None else root_certs
        self.pb = stubs()
        channel = _channel(self.target, bool(tls), root_certs or "")
        self.events = self.pb.event_service_grpc.EventServiceStub(channel)
        self.recommendations = self.pb.recommendation_service_grpc.RecommendationServiceStub(channel)
        self.privacy = self.pb.privacy_service_grpc.PrivacyServiceStub(channel)
        self.insights = self.pb.insight_service_grpc.InsightServiceStub(channel)

    def _call(self, method, request):
        metadata = (("authorization", "Bearer " + self.api_key),) if self.api_key else ()
        return method(request, timeout=self.deadline, metadata=metadata)

    def ingest(self, source_events, locale="en"):
        """IngestRequest of SourceEvents; returns the IngestResponse."""
        es = self.pb.event_service
        request = es.IngestRequest(
            events=[es.IngestItem(source=s) for s in source_events], locale=locale)
        return self._call(self.events.Ingest, request)

    def source_event(self, source_format, payload_json, enrichment):
        """A SourceEvent from a payload (JSON text) and an enrichment dict."""
        le = self.pb.learning_event
        enrichment = dict(enrichment or {})
        method = enrichment.pop("enrolment_method", None)
        extensions = enrichment.pop("extensions", None) or {}
        message = le.Enrichment(**enrichment)
        if method:
            message.enrolment_method = (
                le.EnrolmentMethod.Value("ENROLMENT_METHOD_" + method.upper())
                if isinstance(method, str) else int(method))
        message.extensions.update({str(k): str(v) for k, v in extensions.items()})
        return le.SourceEvent(format=source_format, payload=payload_json, enrichment=message)

    def delete_learner(self, learner):
        return self._call(self.privacy.DeleteLearnerData,
                          self.pb.privacy_service.DeleteLearnerDataRequest(learner=learner))

    def export_learner(self, learner):
        return self._call(self.privacy.ExportLearnerData,
                          self.pb.privacy_service.ExportLearnerDataRequest(learner=learner))

    def set_opt_out(self, learner, opted_out):
        ps = self.pb.privacy_service
        if not hasattr(ps, "SetProfilingOptOutRequest"):
            raise _Unimplemented("the Polku contract these stubs were built from has no SetProfilingOptOut")
        return self._call(self.privacy.SetProfilingOptOut,
                          ps.SetProfilingOptOutRequest(learner=learner, opted_out=bool(opted_out)))

    def get_recommendations(self, learner, k, locale):
        rs = self.pb.recommendation_service
        return self._call(self.recommendations.GetRecommendations,
                          rs.GetRecommendationsRequest(learner=learner, k=int(k), locale=locale))

    def record_feedback(self, learner, recommendation_id, outcome, occurred_at_seconds):
        rs = self.pb.recommendation_service
        request = rs.RecordFeedbackRequest(
            learner=learner, recommendation_id=recommendation_id,
            outcome=rs.FeedbackOutcome.Value("FEEDBACK_OUTCOME_" + outcome.upper()))
        request.occurred_at.seconds = int(occurred_at_seconds)
        return self._call(self.recommendations.RecordFeedback, request)

    def get_profile(self, learner, locale):
        ins = self.pb.insight_service
        return self._call(self.insights.GetLearnerProfile,
                          ins.GetLearnerProfileRequest(learner=learner, locale=locale))


class _Unimplemented(grpc.RpcError):
    """Raised locally when the stubs lack an RPC: handled like the server's
    UNIMPLEMENTED (the row is dead-lettered with this reason)."""

    def __init__(self, details):
        super().__init__(details)
        self._details = details

    def code(self):  # pylint: disable=no-self-use
        return grpc.StatusCode.UNIMPLEMENTED

    def details(self):
        return self._details
