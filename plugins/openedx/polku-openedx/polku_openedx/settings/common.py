"""Defaults for every Polku setting (edx-platform calls plugin_settings()).

Each setting is only given its default when the LMS settings do not already
define it, so values from lms.yml, a private settings file or Tutor's
`openedx-lms-common-settings` patch win. README.md documents every setting.
"""

# The openedx-events signals the adapter forwards by default: those Polku's
# normaliser maps to learning events (services/ingest/openedx_normaliser.cc).
DEFAULT_SIGNALS = (
    "org.openedx.learning.course.enrollment.created.v1",
    "org.openedx.learning.course.enrollment.changed.v1",
    "org.openedx.learning.course.unenrollment.completed.v1",
    "org.openedx.learning.certificate.created.v1",
    "org.openedx.learning.course.passing.status.updated.v1",
    "org.openedx.learning.ccx.course.passing.status.updated.v1",
    "org.openedx.learning.course.persistent_grade_summary.changed.v1",
    "org.openedx.learning.forum.thread.created.v1",
    "org.openedx.learning.forum.thread.response.created.v1",
    "org.openedx.learning.forum.thread.response.comment.created.v1",
    "org.openedx.learning.badge.awarded.v1",
    "org.openedx.learning.program.certificate.awarded.v1",
    "org.openedx.learning.exam.attempt.submitted.v1",
)

# Tracking-log event names Polku maps to learning events (see the table in
# services/ingest/openedx_normaliser.cc); shell-style patterns allowed.
# `POLKU_TRACKING_EVENTS = MAPPED_TRACKING_EVENTS` forwards all of them.
MAPPED_TRACKING_EVENTS = (
    "edx.course.enrollment.activated",
    "edx.course.enrollment.mode_changed",
    "edx.course.enrollment.deactivated",
    "edx.course.grade.passed.first_time",
    "edx.course.grade.now_passed",
    "edx.course.grade.now_failed",
    "edx.grades.course.grade_calculated",
    "edx.grades.subsection.grade_calculated",
    "edx.grades.problem.submitted",
    "problem_check",
    "showanswer",
    "edx.problem.hint.demandhint_displayed",
    "edx.problem.completed",
    "edx.completion.block_completion.changed",
    "edx.certificate.created",
    "edx.forum.thread.created",
    "edx.forum.response.created",
    "edx.forum.comment.created",
    "edx.forum.*.voted",
    "edx.forum.thread.viewed",
    "edx.forum.*.edited",
    "play_video", "pause_video", "seek_video", "load_video", "stop_video",
    "speed_change_video", "show_transcript", "hide_transcript",
    "video_show_cc_menu", "video_hide_cc_menu", "complete_video",
    "edx.video.*",
    "edx.ui.lms.*",
    "seq_goto", "seq_next", "seq_prev",
    "edx.bookmark.added",
    "edx.special_exam.*.attempt.created",
    "edx.special_exam.*.attempt.started",
    "edx.special_exam.*.attempt.submitted",
)

# Tracking-log events forwarded by default. Administrators add more names to
# POLKU_TRACKING_EVENTS (README lists the ones Polku maps).
DEFAULT_TRACKING_EVENTS = ("edx.completion.block_completion.changed",)

DEFAULTS = {
    # Master switch: when False nothing is written to the outbox.
    "POLKU_ENABLED": True,
    # host:port of Polku's gRPC endpoint.
    "POLKU_GRPC_TARGET": "127.0.0.1:50051",
    # API key (`polku keys create`), sent as `authorization: Bearer <key>`.
    "POLKU_API_KEY": "",
    # TLS to Polku; POLKU_TLS_ROOT_CERTS is a PEM file (empty: system roots).
    "POLKU_TLS": False,
    "POLKU_TLS_ROOT_CERTS": "",
    # The LMS base URL learner keys are formed under; empty: LMS_ROOT_URL.
    "POLKU_INSTANCE": "",
    # Deadline of one gRPC call, in seconds.
    "POLKU_DEADLINE_SECONDS": 5.0,
    # Outbox rows sent per Ingest call.
    "POLKU_BATCH_SIZE": 100,
    # Attempts before a row is moved to the dead-letter table.
    "POLKU_MAX_ATTEMPTS": 8,
    # Exponential back-off between attempts: base * 2^(attempt-1), capped.
    "POLKU_RETRY_BASE_SECONDS": 30.0,
    "POLKU_RETRY_MAX_SECONDS": 3600.0,
    # Send with a Celery task when Celery is importable; else run
    # `manage.py lms polku_send --loop` (or cron `polku_send`).
    "POLKU_USE_CELERY": True,
    # Celery queue of the send task; empty: the default queue.
    "POLKU_CELERY_QUEUE": "",
    # Seconds between runs of `polku_send --loop`.
    "POLKU_SEND_INTERVAL_SECONDS": 10.0,
    # openedx-events signals to forward (event types).
    "POLKU_SIGNALS": list(DEFAULT_SIGNALS),
    # Tracking-log events to forward through the tracking signal: names or
    # shell-style patterns ("edx.video.*").
    "POLKU_TRACKING_EVENTS": list(DEFAULT_TRACKING_EVENTS),
    # Dotted path of a function(user_id, course_key) -> dict of Enrichment
    # fields (enrolment_method, course_required, goal_ids, competencies,
    # org_unit, learner_role, ...), for facts only this LMS knows.
    "POLKU_ENRICHMENT_FUNCTION": "",
    # How many recommendations the dashboard asks for.
    "POLKU_RECOMMENDATIONS_COUNT": 5,
    # The learner widget (/api/polku/v1/widget/): Polku's HTTP address as
    # learners' browsers reach it, the tenant, and the tenant's widget secret
    # (`polku ui secret --tenant=T`; never logged, never sent to a browser).
    # Empty: no widget.
    "POLKU_UI_BASE_URL": "",
    "POLKU_UI_TENANT": "",
    "POLKU_UI_SECRET": "",
    # Lifetime of a widget token, seconds (Polku accepts at most 600).
    "POLKU_UI_TOKEN_LIFETIME_SECONDS": 300,
}


def plugin_settings(settings):
    """Sets every Polku default the LMS settings do not already define."""
    for name, value in DEFAULTS.items():
        if not hasattr(settings, name):
            setattr(settings, name, list(value) if isinstance(value, list) else value)
