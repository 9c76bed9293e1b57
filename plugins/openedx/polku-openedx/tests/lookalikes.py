"""Look-alikes of openedx-events: its data classes (attrs, the same
attributes as openedx_events.learning.data and .analytics.data), its
EventsMetadata and an OpenEdxPublicSignal that sends the way the real one
does (sender=None, metadata=..., from_event_bus=False, plus the data).
openedx-events itself is not installable here."""

import datetime
import json
import uuid

import attr
from django.dispatch import Signal


class OpaqueKey:
    """Stands for opaque_keys' CourseKey / UsageKey: str() gives the key."""

    def __init__(self, text):
        self._text = text

    def __str__(self):
        return self._text


@attr.s(frozen=True)
class UserPersonalData:
    username = attr.ib(type=str)
    email = attr.ib(type=str)
    name = attr.ib(type=str, factory=str)


@attr.s(frozen=True)
class UserData:
    id = attr.ib(type=int)
    is_active = attr.ib(type=bool)
    pii = attr.ib(type=UserPersonalData)


@attr.s(frozen=True)
class CourseData:
    course_key = attr.ib()
    display_name = attr.ib(type=str, factory=str)
    start = attr.ib(default=None)
    end = attr.ib(default=None)


@attr.s(frozen=True)
class CcxCourseData:
    ccx_course_key = attr.ib()
    master_course_key = attr.ib()
    display_name = attr.ib(type=str, factory=str)
    coach_email = attr.ib(type=str, factory=str)
    start = attr.ib(default=None)
    end = attr.ib(default=None)
    max_students_allowed = attr.ib(default=None)


@attr.s(frozen=True)
class CourseEnrollmentData:
    user = attr.ib(type=UserData)
    course = attr.ib(type=CourseData)
    mode = attr.ib(type=str)
    is_active = attr.ib(type=bool)
    creation_date = attr.ib()
    created_by = attr.ib(default=None)


@attr.s(frozen=True)
class CertificateData:
    user = attr.ib(type=UserData)
    course = attr.ib(type=CourseData)
    mode = attr.ib(type=str)
    grade = attr.ib(type=str)
    download_url = attr.ib(type=str)
    name = attr.ib(type=str)
    current_status = attr.ib(type=str)
    previous_status = attr.ib(type=str, factory=str)


@attr.s(frozen=True)
class PersistentCourseGradeData:
    user_id = attr.ib(type=int)
    course = attr.ib(type=CourseData)
    course_edited_timestamp = attr.ib()
    course_version = attr.ib(type=str)
    grading_policy_hash = attr.ib(type=str)
    percent_grade = attr.ib(type=float)
    letter_grade = attr.ib(type=str)
    passed_timestamp = attr.ib()


@attr.s(frozen=True)
class CoursePassingStatusData:
    is_passing = attr.ib(type=bool)
    course = attr.ib()
    user = attr.ib(type=UserData)


@attr.s(frozen=True)
class DiscussionThreadData:
    body = attr.ib(type=str)
    commentable_id = attr.ib(type=str)
    id = attr.ib(type=str)
    truncated = attr.ib(type=bool)
    url = attr.ib(type=str)
    user = attr.ib(type=UserData)
    course_id = attr.ib()
    thread_type = attr.ib(default=None)
    anonymous = attr.ib(default=None)
    anonymous_to_peers = attr.ib(default=None)
    title = attr.ib(default=None)
    title_truncated = attr.ib(default=None)
    group_id = attr.ib(default=None)
    team_id = attr.ib(default=None)
    category_id = attr.ib(default=None)
    category_name = attr.ib(default=None)
    discussion = attr.ib(default=None)
    user_course_roles = attr.ib(factory=list)
    user_forums_roles = attr.ib(factory=list)
    options = attr.ib(factory=dict)


@attr.s(frozen=True)
class BadgeTemplateData:
    uuid = attr.ib(type=str)
    origin = attr.ib(type=str)
    name = attr.ib(default=None)
    description = attr.ib(default=None)
    image_url = attr.ib(default=None)


@attr.s(frozen=True)
class BadgeData:
    uuid = attr.ib(type=str)
    user = attr.ib(type=UserData)
    template = attr.ib(type=BadgeTemplateData)


@attr.s(frozen=True)
class ProgramData:
    uuid = attr.ib(type=str)
    title = attr.ib(type=str)
    program_type = attr.ib(type=str)


@attr.s(frozen=True)
class ProgramCertificateData:
    user = attr.ib(type=UserData)
    program = attr.ib(type=ProgramData)
    uuid = attr.ib(type=str)
    status = attr.ib(type=str)
    url = attr.ib(type=str)
    certificate_available_date = attr.ib(default=None)


@attr.s(frozen=True)
class ExamAttemptData:
    student_user = attr.ib(type=UserData)
    course_key = attr.ib()
    usage_key = attr.ib()
    exam_type = attr.ib(type=str)
    requesting_user = attr.ib(default=None)


@attr.s(frozen=True)
class TrackingLogData:
    """openedx_events.analytics.data.TrackingLogData: data and context are
    JSON text, as eventtracking's event-bus backend sends them."""
    name = attr.ib(type=str)
    timestamp = attr.ib()
    data = attr.ib(type=str)
    context = attr.ib(type=str)


@attr.s(frozen=True)
class EventsMetadata:
    event_type = attr.ib(type=str)
    id = attr.ib(factory=uuid.uuid1)
    minorversion = attr.ib(type=int, default=0)
    source = attr.ib(type=str, default="openedx/lms/web")
    sourcehost = attr.ib(type=str, default="lms.example.edu")
    time = attr.ib(factory=lambda: datetime.datetime.now(datetime.timezone.utc))
    sourcelib = attr.ib(default=(9, 0, 0))


class OpenEdxPublicSignal(Signal):
    """Sends as openedx_events.tooling.OpenEdxPublicSignal.send_event does."""

    def __init__(self, event_type):
        super().__init__()
        self.event_type = event_type

    def send_event(self, time=None, **data):
        metadata = EventsMetadata(event_type=self.event_type,
                                  time=time or datetime.datetime.now(datetime.timezone.utc))
        return self.send(sender=None, metadata=metadata, from_event_bus=False, **data)


COURSE = "course-v1:edX+DemoX+Demo_Course"


def user(user_id, username="learner", email="learner@example.edu"):
    return UserData(id=user_id, is_active=True,
                    pii=UserPersonalData(username=username, email=email, name="Learner Name"))


def course(key=COURSE, name="Demonstration Course"):
    return CourseData(course_key=OpaqueKey(key), display_name=name,
                      start=datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc))


def signal_cases(user_id, staff_id=None):
    """(event_type, data) for every signal the adapter forwards by default:
    one realistic payload each, for learner `user_id`."""
    now = datetime.datetime(2024, 5, 10, 8, 15, 30, tzinfo=datetime.timezone.utc)
    learner = user(user_id)
    staff = user(staff_id or user_id + 1000, "staff", "staff@example.edu")
    enrollment = CourseEnrollmentData(user=learner, course=course(), mode="audit",
                                      is_active=True, creation_date=now, created_by=staff)
    thread = DiscussionThreadData(
        body="What did you think?", commentable_id="course", id="64f1c0ffee0000000000000a",
        truncated=False, url="https://lms.example.edu/courses/%s/discussion/forum/course/threads/64f1c0ffee0000000000000a" % COURSE,
        user=learner, course_id=OpaqueKey(COURSE), thread_type="discussion",
        title="First impressions", category_name="General")
    response = attr.evolve(thread, id="64f1c0ffee0000000000000b", title=None,
                           discussion={"id": "64f1c0ffee0000000000000a"})
    comment = attr.evolve(thread, id="64f1c0ffee0000000000000c", title=None,
                          discussion={"id": "64f1c0ffee0000000000000a"})
    prefix = "org.openedx.learning."
    return [
        (prefix + "course.enrollment.created.v1", {"enrollment": enrollment}),
        (prefix + "course.enrollment.changed.v1", {"enrollment": attr.evolve(enrollment, mode="verified")}),
        (prefix + "course.unenrollment.completed.v1", {"enrollment": attr.evolve(enrollment, is_active=False)}),
        (prefix + "certificate.created.v1", {"certificate": CertificateData(
            user=learner, course=course(), mode="verified", grade="0.92",
            download_url="https://lms.example.edu/certificates/abc", name="Learner Name",
            current_status="downloadable")}),
        (prefix + "course.passing.status.updated.v1", {"course_passing_status": CoursePassingStatusData(
            is_passing=True, course=course(), user=learner)}),
        (prefix + "ccx.course.passing.status.updated.v1", {"course_passing_status": CoursePassingStatusData(
            is_passing=False, user=learner, course=CcxCourseData(
                ccx_course_key=OpaqueKey("ccx-v1:edX+DemoX+Demo_Course+ccx@3"),
                master_course_key=OpaqueKey(COURSE), display_name="Demo CCX",
                coach_email="coach@example.edu"))}),
        (prefix + "course.persistent_grade_summary.changed.v1", {"grade": PersistentCourseGradeData(
            user_id=user_id, course=course(), course_edited_timestamp=now, course_version="v1",
            grading_policy_hash="abc", percent_grade=0.83, letter_grade="Pass",
            passed_timestamp=now)}),
        (prefix + "forum.thread.created.v1", {"thread": thread}),
        (prefix + "forum.thread.response.created.v1", {"thread": response}),
        (prefix + "forum.thread.response.comment.created.v1", {"thread": comment}),
        (prefix + "badge.awarded.v1", {"badge": BadgeData(
            uuid=str(uuid.uuid4()), user=learner, template=BadgeTemplateData(
                uuid="8a5c3d4e-1111-4222-8333-944455556666", origin="credly",
                name="Forum Helper"))}),
        (prefix + "program.certificate.awarded.v1", {"program_certificate": ProgramCertificateData(
            user=learner, program=ProgramData(uuid="0f2a3b4c-5d6e-4f70-8192-a3b4c5d6e7f8",
                                              title="Data Literacy", program_type="professional"),
            uuid=str(uuid.uuid4()), status="awarded", url="https://credentials.example.edu/c/1")}),
        (prefix + "exam.attempt.submitted.v1", {"exam_attempt": ExamAttemptData(
            student_user=learner, course_key=OpaqueKey(COURSE),
            usage_key=OpaqueKey("block-v1:edX+DemoX+Demo_Course+type@sequential+block@exam1"),
            exam_type="timed", requesting_user=learner)}),
    ]


def tracking_log_from_fixture(event):
    """The TrackingLogData eventtracking would send for a tracking event:
    data and context as JSON text (an event's data that is a string, such as
    a browser problem_check, stays a JSON string)."""
    return TrackingLogData(
        name=event.get("name") or event.get("event_type"),
        timestamp=event.get("timestamp") or event.get("time"),
        data=json.dumps(event.get("data", event.get("event", {}))),
        context=json.dumps(event.get("context", {})))
