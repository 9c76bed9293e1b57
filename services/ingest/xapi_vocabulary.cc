#include "ingest/xapi_vocabulary.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "common/field_error.h"
#include "common/str_cat.h"
#include "common/strings.h"
#include "model/event_codec.h"

namespace polku::ingest {
namespace {

using model::EnrolmentMethod;
using model::Initiator;
using model::ObjectType;
using model::Verb;

// A table entry: a key (an IRI without scheme, a term...) and its value.
template <typename V>
struct Entry {
  std::string_view key;
  V value;
};

// A copy of a table, sorted by key; each lookup function keeps its own in a
// function-local static, so it is built once, on first use.
template <typename V, size_t N>
const std::vector<Entry<V>>* SortedCopy(const Entry<V> (&entries)[N]) {
  auto* v = new std::vector<Entry<V>>(entries, entries + N);
  std::sort(v->begin(), v->end(),
            [](const Entry<V>& a, const Entry<V>& b) { return a.key < b.key; });
  return v;
}

template <typename V>
const V* Find(const std::vector<Entry<V>>& table, std::string_view key) {
  auto it = std::lower_bound(
      table.begin(), table.end(), key,
      [](const Entry<V>& e, std::string_view k) { return e.key < k; });
  if (it == table.end() || it->key != key) return nullptr;
  return &it->value;
}

// The IRI without "http://" or "https://" (other schemes are kept).
std::string_view StripHttpScheme(std::string_view iri) {
  if (common::StartsWith(iri, "https://")) return iri.substr(8);
  if (common::StartsWith(iri, "http://")) return iri.substr(7);
  return iri;
}

// ---------------------------------------------------------------- verbs

constexpr std::string_view kVerbNamespaces[] = {
    "adlnet.gov/expapi/verbs/",
    "w3id.org/xapi/adl/verbs/",  // the ADL verbs' xAPI 2.0 home
    "id.tincanapi.com/verb/",
    "activitystrea.ms/",
    "activitystrea.ms/schema/1.0/",
    "w3id.org/xapi/acrossx/verbs/",
    "w3id.org/xapi/tla/verbs/",
    "w3id.org/xapi/dod-isd/verbs/",
    "w3id.org/xapi/video/verbs/",
    "w3id.org/xapi/cmi5/verbs/",
    "w3id.org/xapi/openedx/verb/",
    "w3id.org/xapi/openedx/verbs/",
    "xapi.edlm/profiles/edlm-lms/concepts/verbs/",
};

constexpr VerbInfo D(Verb v) { return {VerbRule::kDirect, v}; }
constexpr VerbInfo R(VerbRule r) { return {r, Verb::kUnspecified}; }

// Terms of the vocabularies above. Several vocabularies share a term with
// the same meaning (viewed, completed, registered...), so one table serves
// them all.
const Entry<VerbInfo> kVerbTerms[] = {
    {"abandoned", D(Verb::kInteracted)},  // cmi5: session ended abnormally
    {"accessed", D(Verb::kViewed)},
    {"achieved", D(Verb::kAchieved)},
    {"adjourned", R(VerbRule::kAdministrative)},  // meeting ended by host
    {"answered", D(Verb::kSubmitted)},
    {"asked", D(Verb::kAsked)},
    {"assessed", D(Verb::kGraded)},
    {"assign", R(VerbRule::kAssigned)},
    {"assigned", R(VerbRule::kAssigned)},
    {"attempted", D(Verb::kSubmitted)},  // Open edX: a problem submitted
    {"attended", D(Verb::kAttended)},
    {"bookmarked", D(Verb::kBookmarked)},
    {"commented", D(Verb::kCommented)},
    {"completed", R(VerbRule::kCompleted)},
    {"create", R(VerbRule::kCreate)},
    {"created", R(VerbRule::kCreate)},
    {"delete", R(VerbRule::kAdministrative)},
    {"deleted", R(VerbRule::kAdministrative)},
    {"disliked", D(Verb::kRated)},
    {"downvoted", D(Verb::kRated)},
    {"earned", D(Verb::kGraded)},  // Open edX: a grade calculated
    {"edited", R(VerbRule::kUpdate)},
    {"enrolled", D(Verb::kEnrolled)},
    // Open edX: a problem answer checked (and scored) on submission, as the
    // tracking log's problem_check.
    {"evaluated", D(Verb::kSubmitted)},
    {"exceeded", R(VerbRule::kNotLearning)},  // time limit passed (cron)
    {"experienced", D(Verb::kViewed)},
    {"failed", D(Verb::kFailed)},
    {"forfeited", R(VerbRule::kNotLearning)},  // badge or certificate revoked
    {"imported", R(VerbRule::kAdministrative)},
    {"initialized", R(VerbRule::kInitialized)},
    {"interacted", D(Verb::kInteracted)},
    {"join", R(VerbRule::kJoin)},
    {"joined", R(VerbRule::kJoin)},
    {"launched", D(Verb::kStarted)},
    {"leave", R(VerbRule::kLeave)},
    {"left", R(VerbRule::kLeave)},
    {"liked", D(Verb::kRated)},
    {"live", D(Verb::kInteracted)},  // spoke, chatted in a live session
    {"locked", R(VerbRule::kAdministrative)},
    {"logged-in", R(VerbRule::kAdministrative)},
    {"logged-out", R(VerbRule::kAdministrative)},
    {"loggedin", R(VerbRule::kAdministrative)},
    {"loggedout", R(VerbRule::kAdministrative)},
    {"login", R(VerbRule::kAdministrative)},
    {"logout", R(VerbRule::kAdministrative)},
    {"mastered", D(Verb::kAchieved)},
    {"mentored", D(Verb::kMentored)},
    {"navigated", D(Verb::kViewed)},
    {"opened", D(Verb::kViewed)},
    {"passed", D(Verb::kPassed)},
    {"paused", D(Verb::kInteracted)},
    {"played", D(Verb::kInteracted)},
    {"posted", R(VerbRule::kPosted)},
    {"progressed", R(VerbRule::kProgressed)},
    {"published", R(VerbRule::kAdministrative)},
    {"rated", D(Verb::kRated)},
    {"read", D(Verb::kViewed)},
    {"receive", D(Verb::kViewed)},  // a review of one's attempt received
    {"received", D(Verb::kViewed)},
    {"reflected", D(Verb::kReflected)},
    {"registered", R(VerbRule::kRegister)},
    {"replied", D(Verb::kReplied)},
    {"reported", R(VerbRule::kAdministrative)},  // reported content
    {"restarted", D(Verb::kStarted)},
    {"resumed", R(VerbRule::kResumed)},
    {"retract", R(VerbRule::kAdministrative)},
    {"reviewed", D(Verb::kViewed)},
    {"satisfied", D(Verb::kCompleted)},  // cmi5: course requirements met
    {"scored", D(Verb::kGraded)},
    {"searched", D(Verb::kSearched)},
    {"secured", R(VerbRule::kAdministrative)},
    {"seeked", D(Verb::kInteracted)},
    {"send", D(Verb::kPosted)},
    {"sent", D(Verb::kPosted)},
    {"shared", D(Verb::kShared)},
    {"share", D(Verb::kShared)},
    {"skipped", D(Verb::kInteracted)},
    {"start", D(Verb::kStarted)},
    {"started", D(Verb::kStarted)},
    {"submit", D(Verb::kSubmitted)},
    {"submitted", D(Verb::kSubmitted)},
    {"subscribed", D(Verb::kBookmarked)},  // follows a forum or discussion
    {"suspended", R(VerbRule::kSuspended)},
    {"terminated", R(VerbRule::kTerminated)},
    {"toured", R(VerbRule::kNotLearning)},       // a user-interface tour
    {"uncompleted", R(VerbRule::kNotLearning)},  // completion withdrawn
    {"unenrolled", D(Verb::kUnenrolled)},
    {"unlocked", R(VerbRule::kAdministrative)},
    {"unregistered", D(Verb::kUnenrolled)},
    {"unreported", R(VerbRule::kAdministrative)},
    {"unsecured", R(VerbRule::kAdministrative)},
    {"unsubscribed", R(VerbRule::kNotLearning)},
    {"update", R(VerbRule::kUpdate)},
    {"updated", R(VerbRule::kUpdate)},
    {"upvoted", D(Verb::kRated)},
    {"verified", R(VerbRule::kNotLearning)},  // a certificate code checked
    {"viewed", D(Verb::kViewed)},
    {"voided", R(VerbRule::kVoided)},
    {"voted", D(Verb::kRated)},
    {"waived", R(VerbRule::kNotLearning)},  // cmi5: requirement waived
    {"watched", D(Verb::kViewed)},
};

// Caliper 1.1 and 1.2 actions.
const Entry<VerbInfo> kCaliperActions[] = {
    {"Abandoned", D(Verb::kInteracted)},
    {"Accepted", R(VerbRule::kNotLearning)},
    {"Activated", R(VerbRule::kActivated)},
    {"Added", R(VerbRule::kAdministrative)},
    {"Archived", R(VerbRule::kAdministrative)},
    {"Attached", R(VerbRule::kAdministrative)},
    {"Bookmarked", D(Verb::kBookmarked)},
    {"ChangedResolution", D(Verb::kInteracted)},
    {"ChangedSize", D(Verb::kInteracted)},
    {"ChangedSpeed", D(Verb::kInteracted)},
    {"ChangedVolume", D(Verb::kInteracted)},
    {"Classified", D(Verb::kBookmarked)},
    {"ClosedPopout", D(Verb::kInteracted)},
    {"Commented", D(Verb::kCommented)},
    {"Completed", D(Verb::kCompleted)},
    {"Copied", R(VerbRule::kAdministrative)},
    {"Created", R(VerbRule::kCreate)},
    {"Deactivated", R(VerbRule::kDeactivated)},
    {"Declined", R(VerbRule::kNotLearning)},
    {"Deleted", R(VerbRule::kAdministrative)},
    {"Described", R(VerbRule::kAdministrative)},
    {"DisabledClosedCaptioning", D(Verb::kInteracted)},
    {"Disliked", D(Verb::kRated)},
    {"Downloaded", D(Verb::kViewed)},
    {"EnabledClosedCaptioning", D(Verb::kInteracted)},
    {"Ended", R(VerbRule::kEnded)},
    {"EnteredFullScreen", D(Verb::kInteracted)},
    {"ExitedFullScreen", D(Verb::kInteracted)},
    {"ForwardedTo", D(Verb::kInteracted)},
    {"Graded", D(Verb::kGraded)},
    {"Hid", R(VerbRule::kAdministrative)},
    {"Highlighted", D(Verb::kBookmarked)},
    {"Identified", R(VerbRule::kAdministrative)},
    {"JumpedTo", D(Verb::kInteracted)},
    {"Launched", D(Verb::kStarted)},
    {"Liked", D(Verb::kRated)},
    {"Linked", R(VerbRule::kAdministrative)},
    {"LoggedIn", R(VerbRule::kAdministrative)},
    {"LoggedOut", R(VerbRule::kAdministrative)},
    {"MarkedAsRead", D(Verb::kViewed)},
    {"MarkedAsUnRead", R(VerbRule::kNotLearning)},
    {"MarkedAsUnread", R(VerbRule::kNotLearning)},
    {"Modified", R(VerbRule::kUpdate)},
    {"Muted", D(Verb::kInteracted)},
    {"NavigatedTo", D(Verb::kViewed)},
    {"OpenedPopout", D(Verb::kInteracted)},
    {"OptedIn", R(VerbRule::kNotLearning)},
    {"OptedOut", R(VerbRule::kNotLearning)},
    {"Paused", D(Verb::kInteracted)},
    {"Posted", R(VerbRule::kPosted)},
    {"Printed", D(Verb::kViewed)},
    {"Published", R(VerbRule::kAdministrative)},
    {"Questioned", D(Verb::kAsked)},
    {"Ranked", D(Verb::kRated)},
    {"Rated", D(Verb::kRated)},
    {"Recommended", D(Verb::kRated)},
    {"Removed", R(VerbRule::kAdministrative)},
    {"Reset", D(Verb::kInteracted)},
    {"Restarted", D(Verb::kStarted)},
    {"Restored", R(VerbRule::kAdministrative)},
    {"Resumed", R(VerbRule::kResumed)},
    {"Retrieved", D(Verb::kViewed)},
    {"Returned", D(Verb::kInteracted)},
    {"Reviewed", D(Verb::kViewed)},
    {"Rewound", D(Verb::kInteracted)},
    {"Saved", D(Verb::kInteracted)},
    {"Searched", D(Verb::kSearched)},
    {"Sent", D(Verb::kPosted)},
    {"Shared", D(Verb::kShared)},
    {"Showed", R(VerbRule::kAdministrative)},
    {"Skipped", D(Verb::kInteracted)},
    {"Started", D(Verb::kStarted)},
    {"Submitted", D(Verb::kSubmitted)},
    {"Subscribed", D(Verb::kBookmarked)},
    {"Tagged", D(Verb::kBookmarked)},
    {"TimedOut", R(VerbRule::kAdministrative)},
    {"Unmuted", D(Verb::kInteracted)},
    {"Unpublished", R(VerbRule::kAdministrative)},
    {"Unshared", R(VerbRule::kNotLearning)},
    {"Unsubscribed", R(VerbRule::kNotLearning)},
    {"Used", D(Verb::kViewed)},
    {"Viewed", D(Verb::kViewed)},
};

// ------------------------------------------------------- activity types

constexpr ActivityTypeInfo T(ObjectType t, Refine r = Refine::kNever) {
  ActivityTypeInfo info;
  info.type = t;
  info.refine = r;
  info.known = true;
  return info;
}
constexpr ActivityTypeInfo Attempt() {
  ActivityTypeInfo info = T(ObjectType::kAssessment, Refine::kAlways);
  info.is_attempt = true;
  return info;
}
constexpr ActivityTypeInfo Platform() {
  ActivityTypeInfo info = T(ObjectType::kUnspecified);
  info.is_platform = true;
  return info;
}
constexpr ActivityTypeInfo Person() {
  ActivityTypeInfo info = T(ObjectType::kUnspecified, Refine::kAlways);
  info.is_person = true;
  return info;
}

constexpr ActivityTypeInfo Admin() {
  ActivityTypeInfo info = T(ObjectType::kUnspecified);
  info.is_admin = true;
  return info;
}

constexpr Refine kAlways = Refine::kAlways;

// Keys without scheme and fragment.
const Entry<ActivityTypeInfo> kActivityTypes[] = {
    // ADL
    {"adlnet.gov/expapi/activities/assessment", T(ObjectType::kAssessment)},
    {"adlnet.gov/expapi/activities/attempt", Attempt()},
    {"adlnet.gov/expapi/activities/cmi.interaction",
     T(ObjectType::kAssessment, Refine::kSurveyOnly)},
    {"adlnet.gov/expapi/activities/course", T(ObjectType::kCourse, kAlways)},
    {"adlnet.gov/expapi/activities/file", T(ObjectType::kResource)},
    {"adlnet.gov/expapi/activities/interaction",
     T(ObjectType::kAssessment, Refine::kSurveyOnly)},
    {"adlnet.gov/expapi/activities/lesson", T(ObjectType::kModule)},
    {"adlnet.gov/expapi/activities/lesson-content-page",
     T(ObjectType::kModule)},
    {"adlnet.gov/expapi/activities/link", T(ObjectType::kResource)},
    {"adlnet.gov/expapi/activities/media", T(ObjectType::kResource, kAlways)},
    {"adlnet.gov/expapi/activities/meeting", T(ObjectType::kLiveSession)},
    {"adlnet.gov/expapi/activities/module", T(ObjectType::kModule, kAlways)},
    {"adlnet.gov/expapi/activities/objective", T(ObjectType::kCompetency)},
    {"adlnet.gov/expapi/activities/performance", T(ObjectType::kAssessment)},
    {"adlnet.gov/expapi/activities/profile", Person()},
    {"adlnet.gov/expapi/activities/question",
     T(ObjectType::kAssessment, Refine::kSurveyOnly)},
    {"adlnet.gov/expapi/activities/simulation", T(ObjectType::kModule)},
    // cmi5
    {"w3id.org/xapi/cmi5/activities/block", T(ObjectType::kModule)},
    {"w3id.org/xapi/cmi5/activities/course", T(ObjectType::kCourse, kAlways)},
    {"w3id.org/xapi/cmi5/activitytype/block", T(ObjectType::kModule)},
    {"w3id.org/xapi/cmi5/activitytype/course", T(ObjectType::kCourse, kAlways)},
    // TinCan registry
    {"id.tincanapi.com/activitytype/blog", T(ObjectType::kBlog)},
    {"id.tincanapi.com/activitytype/book", T(ObjectType::kResource)},
    {"id.tincanapi.com/activitytype/chapter", T(ObjectType::kResource)},
    {"id.tincanapi.com/activitytype/chat-channel", T(ObjectType::kModule)},
    {"id.tincanapi.com/activitytype/chat-message", T(ObjectType::kMessage)},
    {"id.tincanapi.com/activitytype/discussion",
     T(ObjectType::kDiscussion, kAlways)},
    {"id.tincanapi.com/activitytype/document", T(ObjectType::kResource)},
    {"id.tincanapi.com/activitytype/forum-reply", T(ObjectType::kDiscussion)},
    {"id.tincanapi.com/activitytype/forum-topic", T(ObjectType::kDiscussion)},
    {"id.tincanapi.com/activitytype/lms", Platform()},
    {"id.tincanapi.com/activitytype/lms/program", T(ObjectType::kProgram)},
    {"id.tincanapi.com/activitytype/resource",
     T(ObjectType::kResource, kAlways)},
    {"id.tincanapi.com/activitytype/review", T(ObjectType::kAssessment)},
    {"id.tincanapi.com/activitytype/section", T(ObjectType::kModule)},
    {"id.tincanapi.com/activitytype/slide-deck", T(ObjectType::kResource)},
    {"id.tincanapi.com/activitytype/solution", T(ObjectType::kAssessment)},
    {"id.tincanapi.com/activitytype/survey", T(ObjectType::kSurvey)},
    {"id.tincanapi.com/activitytype/tutor-session", T(ObjectType::kMentoring)},
    {"id.tincanapi.com/activitytype/user-profile", Person()},
    {"id.tincanapi.com/activitytype/webinar", T(ObjectType::kLiveSession)},
    // Activity Streams
    {"activitystrea.ms/article", T(ObjectType::kResource)},
    {"activitystrea.ms/collection", T(ObjectType::kResource, kAlways)},
    {"activitystrea.ms/comment", T(ObjectType::kDiscussion, kAlways)},
    {"activitystrea.ms/file", T(ObjectType::kResource)},
    {"activitystrea.ms/group", T(ObjectType::kCommunity)},
    {"activitystrea.ms/note", T(ObjectType::kNote)},
    {"activitystrea.ms/page", T(ObjectType::kResource)},
    {"activitystrea.ms/person", Person()},
    {"activitystrea.ms/question", T(ObjectType::kAssessment)},
    {"activitystrea.ms/review", T(ObjectType::kAssessment)},
    {"activitystrea.ms/schema/1.0/article", T(ObjectType::kResource)},
    {"activitystrea.ms/schema/1.0/collection",
     T(ObjectType::kResource, kAlways)},
    {"activitystrea.ms/schema/1.0/comment",
     T(ObjectType::kDiscussion, kAlways)},
    {"activitystrea.ms/schema/1.0/file", T(ObjectType::kResource)},
    {"activitystrea.ms/schema/1.0/group", T(ObjectType::kCommunity)},
    {"activitystrea.ms/schema/1.0/note", T(ObjectType::kNote)},
    {"activitystrea.ms/schema/1.0/page", T(ObjectType::kResource)},
    {"activitystrea.ms/schema/1.0/person", Person()},
    {"activitystrea.ms/schema/1.0/question", T(ObjectType::kAssessment)},
    {"activitystrea.ms/schema/1.0/review", T(ObjectType::kAssessment)},
    {"activitystrea.ms/schema/1.0/task", T(ObjectType::kWorkAssignment)},
    {"activitystrea.ms/schema/1.0/video", T(ObjectType::kVideo)},
    {"activitystrea.ms/task", T(ObjectType::kWorkAssignment)},
    {"activitystrea.ms/video", T(ObjectType::kVideo)},
    // w3id.org/xapi profiles
    {"w3id.org/xapi/acrossx/activities/class-offline",
     T(ObjectType::kLiveSession)},
    {"w3id.org/xapi/acrossx/activities/class-online",
     T(ObjectType::kLiveSession)},
    {"w3id.org/xapi/acrossx/activities/e-book", T(ObjectType::kResource)},
    {"w3id.org/xapi/acrossx/activities/face-to-face-discussion",
     T(ObjectType::kLiveSession)},
    {"w3id.org/xapi/acrossx/activities/message", T(ObjectType::kMessage)},
    {"w3id.org/xapi/acrossx/activities/online-discussion",
     T(ObjectType::kDiscussion)},
    {"w3id.org/xapi/acrossx/activities/page", T(ObjectType::kResource)},
    {"w3id.org/xapi/acrossx/activities/video", T(ObjectType::kVideo)},
    {"w3id.org/xapi/acrossx/activities/webpage",
     T(ObjectType::kResource, kAlways)},
    // Open edX uses this extension IRI as the type of a problem's hint.
    {"w3id.org/xapi/acrossx/extensions/supplemental-info",
     T(ObjectType::kAssessment)},
    {"w3id.org/xapi/openedx/activity/practice-assessment",
     T(ObjectType::kAssessment)},
    {"w3id.org/xapi/openedx/activity/proctored-assessment",
     T(ObjectType::kAssessment)},
    {"w3id.org/xapi/openedx/activity/timed-assessment",
     T(ObjectType::kAssessment)},
    {"w3id.org/xapi/video/activity-type/video", T(ObjectType::kVideo)},
    {"xapi.org.au/contentprofile/activitytype/database",
     T(ObjectType::kModule)},
    // The edlm LMS profile (Moodle's logstore_xapi).
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/assignment",
     T(ObjectType::kAssignment)},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/badge",
     T(ObjectType::kBadge)},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/blog",
     T(ObjectType::kBlog)},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/blog-entry",
     T(ObjectType::kBlog)},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/calendar-event",
     Admin()},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/"
     "calendar-subscription",
     Admin()},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/certificate",
     T(ObjectType::kCertificate)},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/competency",
     T(ObjectType::kCompetency)},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/course-category",
     Admin()},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/"
     "course-completion-criteria",
     Admin()},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/evidence",
     T(ObjectType::kEvidence)},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/feedback",
     T(ObjectType::kSurvey, kAlways)},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/forum",
     T(ObjectType::kDiscussion)},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/glossary",
     T(ObjectType::kGlossary)},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/glossary-entry",
     T(ObjectType::kGlossary)},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/group",
     T(ObjectType::kCommunity)},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/learning-plan",
     T(ObjectType::kLearningPlan)},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/lesson-session",
     T(ObjectType::kModule)},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/report", Admin()},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/"
     "scorm-content-object",
     T(ObjectType::kModule)},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/submission",
     T(ObjectType::kAssignment)},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/wiki",
     T(ObjectType::kWiki)},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/wiki-page",
     T(ObjectType::kWiki)},
    {"xapi.edlm/profiles/edlm-lms/concepts/activity-types/workshop",
     T(ObjectType::kModule)},
};

// Caliper 1.1 and 1.2 entity types.
const Entry<ActivityTypeInfo> kCaliperEntityTypes[] = {
    {"Annotation", T(ObjectType::kResource)},
    {"Assessment", T(ObjectType::kAssessment)},
    {"AssessmentItem", T(ObjectType::kAssessment)},
    {"AssignableDigitalResource", T(ObjectType::kAssignment)},
    {"Attempt", Attempt()},
    {"AudioObject", T(ObjectType::kResource)},
    {"BookmarkAnnotation", T(ObjectType::kResource)},
    {"Chapter", T(ObjectType::kResource)},
    {"Collection", T(ObjectType::kResource, kAlways)},
    {"CourseOffering", T(ObjectType::kCourse)},
    {"CourseSection", T(ObjectType::kCourse)},
    {"DigitalResource", T(ObjectType::kResource, kAlways)},
    {"DigitalResourceCollection", T(ObjectType::kResource, kAlways)},
    {"Document", T(ObjectType::kResource)},
    {"EpubChapter", T(ObjectType::kResource)},
    {"EpubPart", T(ObjectType::kResource)},
    {"EpubSubChapter", T(ObjectType::kResource)},
    {"EpubVolume", T(ObjectType::kResource)},
    {"Forum", T(ObjectType::kDiscussion)},
    {"Frame", T(ObjectType::kResource)},
    {"Group", T(ObjectType::kCommunity)},
    {"HighlightAnnotation", T(ObjectType::kResource)},
    {"ImageObject", T(ObjectType::kResource)},
    {"LearningObjective", T(ObjectType::kCompetency)},
    {"LtiLink", T(ObjectType::kExternalTool)},
    {"LtiSession", T(ObjectType::kExternalTool)},
    {"MediaLocation", T(ObjectType::kVideo)},
    {"MediaObject", T(ObjectType::kVideo)},
    {"Membership", T(ObjectType::kCourse)},
    {"Message", T(ObjectType::kDiscussion)},
    {"MultipleChoiceResponse", T(ObjectType::kAssessment)},
    {"Organization", T(ObjectType::kCommunity)},
    {"Page", T(ObjectType::kResource)},
    {"Person", Person()},
    {"Query", T(ObjectType::kSearch)},
    {"Questionnaire", T(ObjectType::kSurvey)},
    {"QuestionnaireItem", T(ObjectType::kSurvey)},
    {"Reading", T(ObjectType::kResource)},
    {"SearchResponse", T(ObjectType::kSearch)},
    {"SharedAnnotation", T(ObjectType::kResource)},
    {"SoftwareApplication", T(ObjectType::kExternalTool)},
    {"Survey", T(ObjectType::kSurvey)},
    {"TagAnnotation", T(ObjectType::kResource)},
    {"Thread", T(ObjectType::kDiscussion)},
    {"VideoObject", T(ObjectType::kVideo)},
    {"WebPage", T(ObjectType::kResource)},
    {"Webpage", T(ObjectType::kResource)},  // as Open edX spells it
};

// ------------------------------------------------- platform structures

// The one table of Moodle module types: the Moodle normaliser and the IRI
// refinement of xAPI and Caliper objects both read it, so an event and its
// statement type a module alike.
const Entry<ObjectType> kMoodleModules[] = {
    {"assign", ObjectType::kAssignment},
    {"assignment", ObjectType::kAssignment},
    {"bigbluebuttonbn", ObjectType::kLiveSession},
    {"book", ObjectType::kResource},
    {"chat", ObjectType::kModule},
    {"choice", ObjectType::kSurvey},
    {"coursecertificate", ObjectType::kCertificate},
    {"customcert", ObjectType::kCertificate},
    {"data", ObjectType::kModule},
    {"facetoface", ObjectType::kLiveSession},
    {"feedback", ObjectType::kSurvey},
    {"folder", ObjectType::kResource},
    {"forum", ObjectType::kDiscussion},
    {"glossary", ObjectType::kGlossary},
    {"h5pactivity", ObjectType::kResource},
    {"hsuforum", ObjectType::kDiscussion},
    {"hvp", ObjectType::kResource},
    {"imscp", ObjectType::kResource},
    {"jitsi", ObjectType::kLiveSession},
    {"kalvidres", ObjectType::kVideo},
    {"label", ObjectType::kResource},
    {"lesson", ObjectType::kModule},
    {"lti", ObjectType::kExternalTool},
    {"ouwiki", ObjectType::kWiki},
    {"page", ObjectType::kResource},
    {"questionnaire", ObjectType::kSurvey},
    {"quiz", ObjectType::kAssessment},
    {"resource", ObjectType::kResource},
    {"scorm", ObjectType::kModule},
    {"survey", ObjectType::kSurvey},
    {"url", ObjectType::kResource},
    {"video", ObjectType::kVideo},
    {"videofile", ObjectType::kVideo},
    {"videotime", ObjectType::kVideo},
    {"wiki", ObjectType::kWiki},
    {"workshop", ObjectType::kModule},
    {"zoom", ObjectType::kLiveSession},
};

const Entry<ObjectType> kOpenEdxBlockTypes[] = {
    {"chapter", ObjectType::kModule},
    {"course", ObjectType::kCourse},
    {"discussion", ObjectType::kDiscussion},
    {"drag-and-drop-v2", ObjectType::kAssessment},
    {"html", ObjectType::kResource},
    {"library_content", ObjectType::kModule},
    {"lti", ObjectType::kExternalTool},
    {"lti_consumer", ObjectType::kExternalTool},
    {"openassessment", ObjectType::kAssignment},
    {"pdf", ObjectType::kResource},
    {"poll", ObjectType::kSurvey},
    {"problem", ObjectType::kAssessment},
    {"sequential", ObjectType::kModule},
    {"survey", ObjectType::kSurvey},
    {"vertical", ObjectType::kModule},
    {"video", ObjectType::kVideo},
};

const Entry<EnrolmentMethod> kEnrolmentMethods[] = {
    {"certification", EnrolmentMethod::kProgram},
    {"cohort", EnrolmentMethod::kCohort},
    {"database", EnrolmentMethod::kDatabase},
    {"fee", EnrolmentMethod::kPayment},
    {"flatfile", EnrolmentMethod::kDatabase},
    {"guest", EnrolmentMethod::kGuest},
    {"imsenterprise", EnrolmentMethod::kDatabase},
    {"ldap", EnrolmentMethod::kDatabase},
    {"lti", EnrolmentMethod::kLti},
    {"manual", EnrolmentMethod::kManual},
    {"meta", EnrolmentMethod::kMeta},
    {"paypal", EnrolmentMethod::kPayment},
    {"program", EnrolmentMethod::kProgram},
    {"self", EnrolmentMethod::kSelf},
    {"totara_certification", EnrolmentMethod::kProgram},
    {"totara_program", EnrolmentMethod::kProgram},
};

bool IsLowerToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-')) {
      return false;
    }
  }
  return true;
}

// The part of an Open edX IRI after "/<segment>/" that starts with one of
// `prefixes`, or "" when there is none.
std::string_view OpenEdxKeyAfter(
    std::string_view iri, std::string_view segment,
    std::initializer_list<std::string_view> prefixes) {
  size_t pos = iri.find(segment);
  if (pos == std::string_view::npos) return {};
  std::string_view rest = iri.substr(pos + segment.size());
  for (std::string_view p : prefixes) {
    if (common::StartsWith(rest, p) && rest.size() > p.size()) return rest;
  }
  return {};
}

}  // namespace

VerbInfo LookupXapiVerb(std::string_view iri) {
  std::string_view rest = StripHttpScheme(iri);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  size_t slash = rest.rfind('/');
  if (slash == std::string_view::npos) return {};
  std::string_view ns = rest.substr(0, slash + 1);
  std::string_view term = rest.substr(slash + 1);
  bool known = false;
  for (std::string_view n : kVerbNamespaces) {
    if (n == ns) {
      known = true;
      break;
    }
  }
  if (!known) return {};
  static const auto* const kVerbTermsSorted = SortedCopy(kVerbTerms);
  const VerbInfo* v = Find(*kVerbTermsSorted, term);
  return v == nullptr ? VerbInfo{} : *v;
}

VerbInfo LookupCaliperAction(std::string_view action) {
  size_t cut = action.find_last_of("#/");
  if (cut != std::string_view::npos) action = action.substr(cut + 1);
  static const auto* const kCaliperActionsSorted = SortedCopy(kCaliperActions);
  const VerbInfo* v = Find(*kCaliperActionsSorted, action);
  return v == nullptr ? VerbInfo{} : *v;
}

ActivityTypeInfo LookupXapiActivityType(std::string_view iri) {
  std::string_view key = StripHttpScheme(iri);
  size_t hash = key.find('#');
  if (hash != std::string_view::npos) key = key.substr(0, hash);
  if (!key.empty() && key.back() == '/') key.remove_suffix(1);
  static const auto* const kActivityTypesSorted = SortedCopy(kActivityTypes);
  const ActivityTypeInfo* t = Find(*kActivityTypesSorted, key);
  return t == nullptr ? ActivityTypeInfo{} : *t;
}

ActivityTypeInfo LookupCaliperEntityType(std::string_view type) {
  // Caliper 1.0 sensors may send the type as an IRI
  // ("http://purl.imsglobal.org/caliper/v1/VideoObject"): use its last term.
  size_t slash = type.rfind('/');
  if (slash != std::string_view::npos) type = type.substr(slash + 1);
  static const auto* const kCaliperEntityTypesSorted =
      SortedCopy(kCaliperEntityTypes);
  const ActivityTypeInfo* t = Find(*kCaliperEntityTypesSorted, type);
  return t == nullptr ? ActivityTypeInfo{} : *t;
}

model::ObjectType MoodleModuleObjectType(std::string_view module) {
  static const auto* const kMoodleModulesSorted = SortedCopy(kMoodleModules);
  const ObjectType* t = Find(*kMoodleModulesSorted, module);
  if (t != nullptr) return *t;
  return IsLowerToken(module) ? ObjectType::kModule : ObjectType::kUnspecified;
}

std::string_view MoodleModuleOfIri(std::string_view iri) {
  size_t mod = iri.find("/mod/");
  if (mod == std::string_view::npos) return {};
  std::string_view rest = iri.substr(mod + 5);
  size_t end = rest.find('/');
  if (end == std::string_view::npos) return {};
  rest = rest.substr(0, end);
  return IsLowerToken(rest) ? rest : std::string_view();
}

bool IsGradedMoodleModule(std::string_view module) {
  return module == "quiz" || module == "assign" || module == "assignment";
}

model::ObjectType PlatformObjectType(std::string_view iri) {
  // Moodle: <wwwroot>/mod/<module>/<script>.php...
  std::string_view module = MoodleModuleOfIri(iri);
  if (!module.empty()) return MoodleModuleObjectType(module);
  // Moodle: a course's list of resources.
  if (iri.find("/course/resources.php?") != std::string_view::npos) {
    return ObjectType::kCourse;
  }
  // Open edX usage key: block-v1:Org+Course+Run+type@<type>+block@<id>.
  size_t type = iri.find("+type@");
  if (type != std::string_view::npos && iri.find("block-v1:") < type) {
    std::string_view rest = iri.substr(type + 6);
    size_t end = rest.find('+');
    if (end != std::string_view::npos) {
      static const auto* const kOpenEdxBlockTypesSorted =
          SortedCopy(kOpenEdxBlockTypes);
      const ObjectType* t =
          Find(*kOpenEdxBlockTypesSorted, rest.substr(0, end));
      if (t != nullptr) return *t;
    }
  }
  return ObjectType::kUnspecified;
}

model::ObjectType RefinedObjectType(const ActivityTypeInfo& info,
                                    std::string_view iri) {
  if (info.refine == Refine::kNever) return info.type;
  ObjectType platform = PlatformObjectType(iri);
  if (platform == ObjectType::kUnspecified) return info.type;
  if (info.refine == Refine::kSurveyOnly && platform != ObjectType::kSurvey) {
    return info.type;
  }
  return platform;
}

std::string CanonicalObjectId(std::string_view iri) {
  if (iri.find("://") != std::string_view::npos) {
    std::string_view key =
        OpenEdxKeyAfter(iri, "/course/", {"course-v1:", "ccx-v1:"});
    if (key.empty()) {
      key = OpenEdxKeyAfter(iri, "/xblock/", {"block-v1:", "ccx-block-v1:"});
    }
    if (!key.empty()) {
      size_t cut = key.find_first_of("?#");
      if (cut != std::string_view::npos) key = key.substr(0, cut);
      while (!key.empty() && key.back() == '/') key.remove_suffix(1);
      return std::string(key);
    }
  }
  return model::CanonicalIri(iri);
}

model::EnrolmentMethod EnrolmentMethodFromName(std::string_view name) {
  char lower[32];
  if (name.empty() || name.size() > sizeof(lower)) {
    return EnrolmentMethod::kUnspecified;
  }
  for (size_t i = 0; i < name.size(); ++i)
    lower[i] = common::AsciiLower(name[i]);
  static const auto* const kEnrolmentMethodsSorted =
      SortedCopy(kEnrolmentMethods);
  const EnrolmentMethod* m =
      Find(*kEnrolmentMethodsSorted, std::string_view(lower, name.size()));
  if (m != nullptr) return *m;
  // Polku's own names (MANUAL, SELF, ..., PAYMENT).
  return model::ParseEnrolmentMethod(name).value_or(
      EnrolmentMethod::kUnspecified);
}

model::Initiator InitiatorForEnrolmentMethod(model::EnrolmentMethod method) {
  switch (method) {
    case EnrolmentMethod::kSelf:
    case EnrolmentMethod::kGuest:
    case EnrolmentMethod::kLti:
    case EnrolmentMethod::kPayment:
      return Initiator::kSelf;
    case EnrolmentMethod::kCohort:
    case EnrolmentMethod::kMeta:
      return Initiator::kSystem;
    case EnrolmentMethod::kDatabase:
      return Initiator::kSisSync;
    default:
      return Initiator::kUnspecified;
  }
}

bool IsAbsoluteIri(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= s.size()) {
    return false;
  }
  auto alpha = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  };
  if (!alpha(s[0])) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = s[i];
    if (!(alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
          c == '.')) {
      return false;
    }
  }
  for (size_t i = colon + 1; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c <= 0x20 || c == 0x7f || std::strchr("<>\"{}|\\^`", c) != nullptr) {
      return false;
    }
  }
  // "scheme://" needs an authority.
  if (s.substr(colon, 3) == "://" && colon + 3 >= s.size()) return false;
  return true;
}

std::string_view IriOrigin(std::string_view iri) {
  size_t scheme = iri.find("://");
  if (scheme == std::string_view::npos) return {};
  size_t end = iri.find_first_of("/?#", scheme + 3);
  return end == std::string_view::npos ? iri : iri.substr(0, end);
}

bool IsLearnerArtefact(model::ObjectType type) {
  switch (type) {
    case ObjectType::kNote:
    case ObjectType::kWiki:
    case ObjectType::kGlossary:
    case ObjectType::kBlog:
    case ObjectType::kEvidence:
    case ObjectType::kLearningPlan:
    case ObjectType::kReflection:
      return true;
    default:
      return false;
  }
}

bool MayKeepObjectName(model::ObjectType type) {
  switch (type) {
    case ObjectType::kUnspecified:
    case ObjectType::kMessage:
    case ObjectType::kNote:
    case ObjectType::kEvidence:
    case ObjectType::kReflection:
    case ObjectType::kMentoring:
      return false;
    default:
      return true;
  }
}

// ------------------------------------------------------------------ SHA-1

std::string Sha1Hex(std::string_view data) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  auto rotl = [](uint32_t x, int n) { return (x << n) | (x >> (32 - n)); };
  auto block = [&](const unsigned char* p) {
    uint32_t w[80];
    for (int i = 0; i < 16; ++i) {
      w[i] = (uint32_t{p[4 * i]} << 24) | (uint32_t{p[4 * i + 1]} << 16) |
             (uint32_t{p[4 * i + 2]} << 8) | uint32_t{p[4 * i + 3]};
    }
    for (int i = 16; i < 80; ++i) {
      w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      uint32_t f, k;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5A827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8F1BBCDC;
      } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6;
      }
      uint32_t t = rotl(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  };
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  size_t full = n / 64;
  for (size_t i = 0; i < full; ++i) block(bytes + 64 * i);
  unsigned char tail[128] = {};
  size_t rest = n - 64 * full;
  std::memcpy(tail, bytes + 64 * full, rest);
  tail[rest] = 0x80;
  size_t tail_len = rest + 1 + 8 <= 64 ? 64 : 128;
  uint64_t bits = static_cast<uint64_t>(n) * 8;
  for (int i = 0; i < 8; ++i) {
    tail[tail_len - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  }
  block(tail);
  if (tail_len == 128) block(tail + 64);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(40, '0');
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 8; ++j) {
      out[8 * i + j] = kHex[(h[i] >> (28 - 4 * j)) & 0xF];
    }
  }
  return out;
}

// ------------------------------------------------------- JSON helpers

namespace statement_internal {

std::string FieldPrefix::Path(std::string_view rest) const {
  std::string out(base_);
  if (index_ >= 0) common::StrAppend(&out, "[", index_, "]");
  if (!rest.empty()) common::StrAppend(&out, ".", rest);
  return out;
}

absl::Status Invalid(const FieldPrefix& at, std::string_view rest,
                     std::string_view what) {
  return common::InvalidFieldError(at.Path(rest), what);
}

absl::Status Unmapped(const FieldPrefix& at, std::string_view rest,
                      std::string_view what) {
  return common::FieldError(absl::StatusCode::kUnimplemented, at.Path(rest),
                            what);
}

namespace {
Got ReadMember(JsonElement parent, std::string_view key, JsonElement* out) {
  JsonObject obj;
  if (parent.get_object().get(obj)) return Got::kAbsent;
  if (obj.at_key(key).get(*out)) return Got::kAbsent;
  if (out->is_null()) return Got::kAbsent;
  return Got::kOk;
}
}  // namespace

Got ReadString(JsonElement parent, std::string_view key,
               std::string_view* out) {
  JsonElement v;
  if (ReadMember(parent, key, &v) == Got::kAbsent) return Got::kAbsent;
  return v.get_string().get(*out) ? Got::kWrongType : Got::kOk;
}

Got ReadObject(JsonElement parent, std::string_view key, JsonElement* out) {
  if (ReadMember(parent, key, out) == Got::kAbsent) return Got::kAbsent;
  return out->is_object() ? Got::kOk : Got::kWrongType;
}

Got ReadBool(JsonElement parent, std::string_view key, bool* out) {
  JsonElement v;
  if (ReadMember(parent, key, &v) == Got::kAbsent) return Got::kAbsent;
  return v.get_bool().get(*out) ? Got::kWrongType : Got::kOk;
}

Got ReadNumber(JsonElement parent, std::string_view key, double* out) {
  JsonElement v;
  if (ReadMember(parent, key, &v) == Got::kAbsent) return Got::kAbsent;
  if (!v.is_number()) return Got::kWrongType;
  return v.get_double().get(*out) ? Got::kWrongType : Got::kOk;
}

IriCheck CheckIri(Got got, std::string_view value, bool required) {
  switch (got) {
    case Got::kAbsent:
      return required ? IriCheck::kMissing : IriCheck::kOk;
    case Got::kWrongType:
      return IriCheck::kNotString;
    case Got::kOk:
      break;
  }
  if (value.size() > kMaxIriLength) return IriCheck::kTooLong;
  if (!IsAbsoluteIri(value)) return IriCheck::kNotIri;
  return IriCheck::kOk;
}

absl::Status IriError(const FieldPrefix& at, std::string_view rest,
                      IriCheck check, std::string_view value) {
  switch (check) {
    case IriCheck::kOk:
      return absl::OkStatus();
    case IriCheck::kMissing:
      return Invalid(at, rest, "is required");
    case IriCheck::kNotString:
      return Invalid(at, rest, "must be a string");
    case IriCheck::kTooLong:
      return Invalid(
          at, rest, common::StrCat("is longer than ", kMaxIriLength, " bytes"));
    case IriCheck::kNotIri:
      break;
  }
  return Invalid(at, rest,
                 common::StrCat("'", value.substr(0, 64), "' is not an IRI"));
}

absl::Status ReadIri(JsonElement parent, std::string_view key, bool required,
                     const FieldPrefix& at, std::string_view rest,
                     std::string_view* out) {
  *out = {};
  Got got = ReadString(parent, key, out);
  IriCheck check = CheckIri(got, *out, required);
  if (check != IriCheck::kOk) return IriError(at, rest, check, *out);
  return absl::OkStatus();
}

absl::Status ParseTime(std::string_view text, const FieldPrefix& at,
                       std::string_view rest, int64_t* epoch_ms) {
  auto ms = model::ParseTimestamp(text);
  if (!ms.ok()) {
    return Invalid(at, rest,
                   std::string_view(ms.status().message().data(),
                                    ms.status().message().size()));
  }
  if (*ms <= 0) return Invalid(at, rest, "must be after 1970-01-01");
  *epoch_ms = *ms;
  return absl::OkStatus();
}

std::string_view LanguageMapText(JsonElement map) {
  JsonObject obj;
  if (map.get_object().get(obj)) {
    std::string_view s;
    if (!map.get_string().get(s)) return s;  // a plain string (Caliper)
    return {};
  }
  std::string_view first;
  for (std::string_view lang : {"en", "en-US", "en-GB"}) {
    std::string_view s;
    JsonElement v;
    if (!obj.at_key(lang).get(v) && !v.get_string().get(s)) return s;
  }
  for (auto field : obj) {
    std::string_view s;
    if (!field.value.get_string().get(s)) {
      first = s;
      break;
    }
  }
  return first;
}

}  // namespace statement_internal
}  // namespace polku::ingest
