"""The learner dashboard's API, for the current user only:

  GET  /api/polku/v1/recommendations/?k=5  GetRecommendations (live call)
  POST /api/polku/v1/feedback/             RecordFeedback (through the outbox)
  GET  /api/polku/v1/profile/              GetLearnerProfile (live call)
  POST /api/polku/v1/opt-out/              SetProfilingOptOut (through the outbox)
  GET  /api/polku/v1/widget/               {"url", "expires_at"}: Polku's learner
                                           widget with a fresh token
  GET  /api/polku/v1/widget/open/          302 to that URL (a link or an iframe)

Authentication: edx-platform's JWT cookie/header and session authentication
(edx-drf-extensions) when installed, else Django REST framework's session
authentication. Reads call Polku with the short POLKU_DEADLINE_SECONDS
deadline; writes only add an outbox row and answer 202.
The texts are in the request's language (English or Finnish); Polku's own
texts (reasons, explanations) are asked for in the same language. Widget
tokens are minted locally (widget.py) and work once; answers carrying one
are never cached.
"""

import time

import grpc
from django.http import HttpResponseRedirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language, gettext as _
from google.protobuf.json_format import MessageToDict
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .client import PolkuClient
from .conf import instance_url, setting
from .models import Operation
from .outbox import enqueue_request
from .payloads import learner_key
from .widget import widget_for_learner

FEEDBACK_OUTCOMES = ("shown", "accepted", "dismissed", "completed")


def _authentication_classes():
    classes = []
    try:
        from edx_rest_framework_extensions.auth.jwt.authentication import JwtAuthentication  # pylint: disable=import-outside-toplevel
        classes.append(JwtAuthentication)
    except ImportError:
        pass
    try:
        from edx_rest_framework_extensions.auth.session.authentication import (  # pylint: disable=import-outside-toplevel
            SessionAuthenticationAllowInactiveUser as Session)
    except ImportError:
        from rest_framework.authentication import SessionAuthentication as Session  # pylint: disable=import-outside-toplevel
    classes.append(Session)
    return classes


def polku_locale():
    """"fi" when the request's language is Finnish, else "en"."""
    return "fi" if (get_language() or "").lower().startswith("fi") else "en"


def _error(http_status, code, detail):
    return Response({"error": code, "detail": detail}, status=http_status)


def _read_error(error, not_yet, not_now):
    """The answer for a failed read: 501 while Polku does not serve the RPC,
    503 while it cannot (down, busy, not ready), 502 otherwise."""
    code = error.code()
    if code == grpc.StatusCode.UNIMPLEMENTED:
        return _error(status.HTTP_501_NOT_IMPLEMENTED, "unimplemented", not_yet)
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.FAILED_PRECONDITION):
        return _error(status.HTTP_503_SERVICE_UNAVAILABLE, code.name.lower(), not_now)
    return _error(status.HTTP_502_BAD_GATEWAY, code.name.lower(), not_now)


class _LearnerView(APIView):
    authentication_classes = _authentication_classes()
    permission_classes = [permissions.IsAuthenticated]

    def learner(self, request):
        return learner_key(instance_url(), request.user.id)


class RecommendationsView(_LearnerView):
    """GET: the current learner's recommendations, best first."""

    def get(self, request):
        count = request.query_params.get("k", setting("POLKU_RECOMMENDATIONS_COUNT"))
        try:
            count = int(count)
        except (TypeError, ValueError):
            count = 0
        if not 1 <= count <= 50:
            return _error(status.HTTP_400_BAD_REQUEST, "invalid_argument",
                          _("k must be a whole number from 1 to 50."))
        locale = polku_locale()
        try:
            response = PolkuClient().get_recommendations(self.learner(request), count, locale)
        except grpc.RpcError as error:
            return _read_error(
                error, _("Recommendations are not available yet."),
                _("Recommendations are not available right now. Please try again later."))
        body = _to_dict(response)
        body["locale"] = locale
        return Response(body)


class ProfileView(_LearnerView):
    """GET: the current learner's profile (balance and explanation)."""

    def get(self, request):
        locale = polku_locale()
        try:
            response = PolkuClient().get_profile(self.learner(request), locale)
        except grpc.RpcError as error:
            return _read_error(
                error, _("Your learner profile is not available yet."),
                _("Your learner profile is not available right now. Please try again later."))
        body = _to_dict(response)
        body["locale"] = locale
        return Response(body)


def _to_dict(message):
    """The message as JSON-ready dict, default values included (the keyword
    was renamed in protobuf 26)."""
    try:
        return MessageToDict(message, preserving_proto_field_name=True,
                             including_default_value_fields=True)
    except TypeError:
        return MessageToDict(message, preserving_proto_field_name=True,
                             always_print_fields_with_no_presence=True)


def _json_object(request):
    return request.data if isinstance(request.data, dict) else None


class FeedbackView(_LearnerView):
    """POST {"recommendation_id", "outcome"}: queued for RecordFeedback."""

    def post(self, request):
        data = _json_object(request)
        if data is None:
            return _error(status.HTTP_400_BAD_REQUEST, "invalid_argument",
                          _("The request body must be a JSON object."))
        recommendation_id = data.get("recommendation_id")
        if not isinstance(recommendation_id, str) or not 0 < len(recommendation_id) <= 200:
            return _error(status.HTTP_400_BAD_REQUEST, "invalid_argument",
                          _("recommendation_id is required."))
        outcome = data.get("outcome")
        if outcome not in FEEDBACK_OUTCOMES:
            return _error(status.HTTP_400_BAD_REQUEST, "invalid_argument",
                          _("outcome must be one of: shown, accepted, dismissed, completed."))
        enqueue_request(Operation.FEEDBACK, request.user.id, {
            "learner": self.learner(request), "recommendation_id": recommendation_id,
            "outcome": outcome, "occurred_at": int(time.time())})
        return Response({"status": "queued", "detail": _("Thank you, your feedback was saved.")},
                        status=status.HTTP_202_ACCEPTED)


class OptOutView(_LearnerView):
    """POST {"opted_out": true|false}: queued for SetProfilingOptOut."""

    def post(self, request):
        data = _json_object(request)
        if data is None:
            return _error(status.HTTP_400_BAD_REQUEST, "invalid_argument",
                          _("The request body must be a JSON object."))
        opted_out = data.get("opted_out")
        if not isinstance(opted_out, bool):
            return _error(status.HTTP_400_BAD_REQUEST, "invalid_argument",
                          _("opted_out must be true or false."))
        enqueue_request(Operation.OPT_OUT, request.user.id,
                        {"learner": self.learner(request), "opted_out": opted_out})
        return Response({"status": "queued", "opted_out": opted_out,
                         "detail": _("Your choice was saved.")},
                        status=status.HTTP_202_ACCEPTED)


class _WidgetView(_LearnerView):
    """The learner widget's link for the current learner (widget.py)."""

    def widget(self, request):
        """The widget for the current learner in the asked language (?lang=en
        or fi, else the request's), or None when it is not set up. Every
        token has its own random nonce, so two openings within a second get
        two tokens (a token works once)."""
        lang = request.query_params.get("lang", "")
        return widget_for_learner(self.learner(request), lang if lang in ("en", "fi") else polku_locale())

    @staticmethod
    def not_configured():
        response = _error(status.HTTP_404_NOT_FOUND, "not_configured",
                          _("The learning paths view is not set up on this site."))
        add_never_cache_headers(response)
        return response


class WidgetView(_WidgetView):
    """GET: {"url", "expires_at"} of Polku's learner widget for the current
    learner, with a fresh single-use token, for a frontend to link to or
    frame (expires_at in Unix seconds)."""

    def get(self, request):
        widget = self.widget(request)
        if widget is None:
            return self.not_configured()
        response = Response(widget)
        add_never_cache_headers(response)
        return response


class WidgetOpenView(_WidgetView):
    """GET: 302 to Polku's learner widget with a fresh token, so a link (new
    window) or an iframe's src gets a valid token whenever it is opened."""

    def get(self, request):
        widget = self.widget(request)
        if widget is None:
            return self.not_configured()
        response = HttpResponseRedirect(widget["url"])
        add_never_cache_headers(response)
        response["Referrer-Policy"] = "no-referrer"
        return response
