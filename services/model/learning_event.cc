#include "model/learning_event.h"

#include <array>

#include "common/strings.h"

namespace polku::model {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Platform::kCount_)>
    kPlatformNames = {"UNSPECIFIED", "MOODLE",  "OPENEDX",
                      "XAPI",        "CALIPER", "NATIVE"};
constexpr std::array<std::string_view, static_cast<size_t>(Initiator::kCount_)>
    kInitiatorNames = {"UNSPECIFIED", "SELF",     "STAFF",
                       "SYSTEM",      "SIS_SYNC", "API"};
constexpr std::array<std::string_view, static_cast<size_t>(Verb::kCount_)>
    kVerbNames = {
        "UNSPECIFIED", "VIEWED",    "ENROLLED",   "UNENROLLED", "STARTED",
        "SUBMITTED",   "COMPLETED", "PASSED",     "FAILED",     "GRADED",
        "ACHIEVED",    "POSTED",    "REPLIED",    "COMMENTED",  "SHARED",
        "CREATED",     "UPDATED",   "SEARCHED",   "BOOKMARKED", "RATED",
        "REFLECTED",   "ATTENDED",  "INTERACTED", "ASKED",      "MENTORED"};
constexpr std::array<std::string_view, static_cast<size_t>(ObjectType::kCount_)>
    kObjectTypeNames = {
        "UNSPECIFIED", "COURSE",       "MODULE",     "RESOURCE",
        "ASSESSMENT",  "ASSIGNMENT",   "DISCUSSION", "WIKI",
        "GLOSSARY",    "BLOG",         "MESSAGE",    "BADGE",
        "CERTIFICATE", "COMPETENCY",   "EVIDENCE",   "LEARNING_PLAN",
        "SEARCH",      "VIDEO",        "COMMUNITY",  "WORK_ASSIGNMENT",
        "REFLECTION",  "MENTORING",    "NOTE",       "EXTERNAL_TOOL",
        "PROGRAM",     "LIVE_SESSION", "SURVEY"};
constexpr std::array<std::string_view,
                     static_cast<size_t>(EnrolmentMethod::kCount_)>
    kEnrolmentMethodNames = {"UNSPECIFIED", "MANUAL", "SELF", "COHORT",
                             "DATABASE",    "GUEST",  "META", "PROGRAM",
                             "LTI",         "PAYMENT"};

template <typename E, size_t N>
std::string_view NameOf(const std::array<std::string_view, N>& names, E e) {
  size_t i = static_cast<size_t>(e);
  return i < N ? names[i] : "UNSPECIFIED";
}

template <typename E, size_t N>
std::optional<E> ParseName(const std::array<std::string_view, N>& names,
                           std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (common::EqualsIgnoreCase(names[i], s)) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view PlatformName(Platform p) { return NameOf(kPlatformNames, p); }
std::string_view InitiatorName(Initiator i) {
  return NameOf(kInitiatorNames, i);
}
std::string_view VerbName(Verb v) { return NameOf(kVerbNames, v); }
std::string_view ObjectTypeName(ObjectType t) {
  return NameOf(kObjectTypeNames, t);
}
std::string_view EnrolmentMethodName(EnrolmentMethod m) {
  return NameOf(kEnrolmentMethodNames, m);
}

std::optional<Platform> ParsePlatform(std::string_view s) {
  return ParseName<Platform>(kPlatformNames, s);
}
std::optional<Initiator> ParseInitiator(std::string_view s) {
  return ParseName<Initiator>(kInitiatorNames, s);
}
std::optional<Verb> ParseVerb(std::string_view s) {
  return ParseName<Verb>(kVerbNames, s);
}
std::optional<ObjectType> ParseObjectType(std::string_view s) {
  return ParseName<ObjectType>(kObjectTypeNames, s);
}
std::optional<EnrolmentMethod> ParseEnrolmentMethod(std::string_view s) {
  return ParseName<EnrolmentMethod>(kEnrolmentMethodNames, s);
}

std::string CanonicalInstance(std::string_view url) {
  std::string_view rest = url;
  size_t scheme = rest.find("://");
  if (scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
  size_t cut = rest.find_first_of("?#");
  if (cut != std::string_view::npos) rest = rest.substr(0, cut);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  size_t slash = rest.find('/');
  std::string host = common::AsciiToLower(rest.substr(0, slash));
  if (slash != std::string_view::npos) host.append(rest.substr(slash));
  return host;
}

std::string CanonicalIri(std::string_view iri) {
  size_t scheme = iri.find("://");
  if (scheme == std::string_view::npos) return std::string(iri);
  std::string_view rest = iri.substr(scheme + 3);
  size_t hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  size_t slash = rest.find_first_of("/?");
  std::string out = common::AsciiToLower(rest.substr(0, slash));
  if (slash != std::string_view::npos) out.append(rest.substr(slash));
  return out;
}

std::string LearnerKey(std::string_view instance, std::string_view user_id) {
  std::string key = CanonicalInstance(instance);
  key.push_back('#');
  key.append(user_id);
  return key;
}

}  // namespace polku::model
