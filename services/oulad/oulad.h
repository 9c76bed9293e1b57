// OULAD: the Open University Learning Analytics Dataset in Polku's world.
//
// The dataset (Kuzilek, Hlosta and Zdrahal, 2017) describes 22 module
// presentations of the Open University: the VLE sites of each (vle.csv),
// its assessments, the students' registrations, assessment results and
// daily clicks per site (studentVle.csv, about ten million rows). Polku
// reads the files as shipped in ../shared/datasets/oulad, each compressed
// with zstd, streaming them through libzstd without writing anything to
// disk, and turns one presentation into
//   - catalogue activities: the presentation itself (a COURSE), each VLE
//     site and each assessment (BuildCatalogue), plus example learning paths;
//   - native LearningEvents in time order (EventPlan).
//
// Dates. OULAD's `date` columns count days from the start of the module
// presentation. Presentation codes end in B (starts in February) or J
// (starts in October); the exact day is not published. Polku takes the 1st
// of that month, 00:00 UTC, as day 0: "2014J" starts 2014-10-01, "2013B"
// 2013-02-01. Events get fixed hours of their day (UTC): enrolment 08:00,
// VLE clicks 12:00, submissions and their results 17:00, unenrolment 20:00,
// course completion 22:00 on the presentation's last day (day 0 + length).
//
// Mapping of the tables (the README's OULAD section repeats it):
//   studentRegistration  ENROLLED (initiator SELF, enrolment method SELF:
//                        students register themselves) at date_registration;
//                        UNENROLLED at date_unregistration
//   studentVle           one VIEWED per row (INTERACTED for live sessions and
//                        interactive HTML), sum_click in the extension
//                        "oulad.sum_click". Clicks do not say whether a
//                        student wrote in a forum or wiki, so POSTED, REPLIED
//                        and CREATED are never produced.
//   studentAssessment    SUBMITTED at date_submitted; PASSED (score >= 40) or
//                        FAILED (score < 40) when a score is given
//   studentInfo          final_result Pass or Distinction: COMPLETED the
//                        course; the region is the learner's org unit (no
//                        other personal attribute is kept)
// Learner key: model::LearnerKey("https://oulad.example", id_student).
// Event ids: UUIDv5 (the event namespace) of the row's fields, plus for
// clicks its ordinal among identical rows, so a reload is all DUPLICATE.
//
// Pure functions over plain data; thread-compatible.
#ifndef POLKU_OULAD_OULAD_H_
#define POLKU_OULAD_OULAD_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "learning/catalogue.h"
#include "model/learning_event.h"
#include "model/tags.h"

namespace polku::oulad {

// The instance every OULAD id and learner key is built on.
inline constexpr char kInstance[] = "https://oulad.example";
// The score at or above which an assessment is passed (OU's pass mark).
inline constexpr double kPassScore = 40;

// --- Reading the files ------------------------------------------------

// Calls `fn` for each line of the zstd-compressed text file at `path`
// (without the line ending; a final line without one is passed too),
// decompressing in a stream. Stops at the first error `fn` returns and
// returns it. Errors: kNotFound when the file cannot be opened, kDataLoss
// when it is not valid zstd or is truncated.
absl::Status ForEachZstdLine(
    const std::string& path,
    const std::function<absl::Status(std::string_view line)>& fn);

// Splits one CSV line (RFC 4180: fields may be double-quoted, "" inside
// quotes is a quote). Views point into `line` or into `scratch`, which
// must outlive them.
void SplitCsvLine(std::string_view line, std::vector<std::string_view>* fields,
                  std::vector<std::string>* scratch);

// A presentation code such as GGG_2014J: module GGG, presentation 2014J.
struct PresentationCode {
  std::string module;        // "GGG"
  std::string presentation;  // "2014J"
  std::string Name() const;  // "GGG_2014J"
};
// Parses "GGG_2014J" (also "GGG-2014J" and "GGG 2014J"). kInvalidArgument
// when the module is not three letters or the presentation not YYYY[BJ].
absl::StatusOr<PresentationCode> ParsePresentationCode(std::string_view text);
// Day 0 of a presentation, epoch ms (see the header comment).
absl::StatusOr<int64_t> PresentationStartMs(std::string_view presentation);
inline constexpr int64_t kDayMs = 86400000;

// --- One presentation's rows -----------------------------------------

struct Site {
  int64_t id = 0;
  std::string activity_type;  // "oucontent", "forumng", ...
  std::optional<int> week_from;
  std::optional<int> week_to;
};

struct Assessment {
  int64_t id = 0;
  std::string type;         // "TMA", "CMA" or "Exam"
  std::optional<int> date;  // cut-off day; often missing for exams
  double weight = 0;        // percent of the final mark
};

struct Registration {
  int64_t student = 0;
  std::optional<int> date_registration;
  std::optional<int> date_unregistration;
};

struct StudentInfo {
  int64_t student = 0;
  std::string region;
  std::string final_result;  // "Pass", "Distinction", "Fail", "Withdrawn"
};

struct StudentAssessment {
  int64_t assessment = 0;
  int64_t student = 0;
  std::optional<int> date_submitted;
  bool banked = false;  // carried over from an earlier presentation
  std::optional<double> score;
};

struct VleRow {
  int64_t student = 0;
  int64_t site = 0;
  int date = 0;
  int sum_click = 0;
};

struct Presentation {
  PresentationCode code;
  int length_days = 0;   // module_presentation_length
  int64_t start_ms = 0;  // day 0
  std::vector<Site> sites;
  std::vector<Assessment> assessments;
  std::vector<Registration> registrations;
  std::vector<StudentInfo> students;
  std::vector<StudentAssessment> results;
  std::vector<VleRow> vle;  // in file order
};

// Reads the rows of one presentation from the seven *.csv.zst files in
// `dir`. Errors: kNotFound for a missing file or an unknown presentation,
// kDataLoss for a damaged file or a row that does not parse (the message
// names the file and line).
absl::StatusOr<Presentation> LoadPresentation(const std::string& dir,
                                              const PresentationCode& code);

// The same for several presentations, in the order of `codes`, reading
// each file once (studentVle.csv, 10.6 million rows, is most of the work:
// one pass instead of one per presentation). Errors as LoadPresentation's,
// and kInvalidArgument for a presentation asked for twice.
absl::StatusOr<std::vector<Presentation>> LoadPresentations(
    const std::string& dir, const std::vector<PresentationCode>& codes);

// The presentations listed in courses.csv.
struct PresentationSummary {
  PresentationCode code;
  int length_days = 0;
};
absl::StatusOr<std::vector<PresentationSummary>> ListPresentations(
    const std::string& dir);

// --- Ids and the catalogue -------------------------------------------

std::string CourseId(const PresentationCode& code);  // .../GGG/2014J
std::string SiteId(const PresentationCode& code, int64_t site);
std::string AssessmentId(const PresentationCode& code, int64_t assessment);
std::string PathId(const PresentationCode& code, int block);
std::string GoalId(const PresentationCode& code);
std::string OuladLearnerKey(int64_t student);  // "oulad.example#11391"

// How a VLE activity_type maps (see the table in the README).
struct SiteKind {
  model::ObjectType type = model::ObjectType::kModule;
  model::Mode mode = model::Mode::kBlended;
  bool interactive = false;  // clicks become INTERACTED, not VIEWED
  std::string_view label;    // English title word, e.g. "Course content"
};
// `scheduled`: the site has a week_from in vle.csv. Resources, links,
// pages, folders and dual panes are STRUCTURED when scheduled (set reading
// of a week) and SELF_DIRECTED otherwise (optional material). An
// activity_type OULAD does not list maps to MODULE, BLENDED.
SiteKind MapActivityType(std::string_view activity_type, bool scheduled);

// The presentation as a COURSE, its VLE sites and its assessments
// (required), then example learning paths: one per block of study ending
// at a tutor-marked assignment (or per quarter without one). A path's
// steps, in order of the site's planned week (week_from) or, where vle.csv
// has none, of the median day students first opened it: up to four of the
// most used structured content sites of the block, the most used forum
// (a self-directed step), a quiz of the block when there is one, and the
// block's assignment. Deterministic; activities in id order within kind.
learning::CatalogueFile BuildCatalogue(const Presentation& p);

// --- Events -------------------------------------------------------------

enum class EventKind : uint8_t {
  kEnrolled = 0,
  kVle,
  kSubmitted,
  kGraded,  // PASSED or FAILED
  kUnenrolled,
  kCompleted,
};

// A planned event: enough to order events and to build one on demand, so
// a large presentation never holds all its LearningEvents at once.
struct EventRef {
  int64_t at_ms = 0;  // occurred_at, before any shift
  int day = 0;        // relative day of the presentation
  EventKind kind = EventKind::kVle;
  int64_t student = 0;
  uint32_t index = 0;    // row in the Presentation vector of its kind
  uint32_t ordinal = 0;  // among identical studentVle rows, from 0
};

struct EventOptions {
  // Added to every occurred_at (e.g. to replay a presentation as if it had
  // just ended). Changes the event ids, so shifted and unshifted replays of
  // a presentation do not conflict in one tenant.
  int64_t shift_ms = 0;
};

// Every event of a presentation, planned in time order (ties in the order
// of EventKind, then of the files), and built one at a time on demand.
// Registrations without a date give no ENROLLED; results without a date no
// SUBMITTED, PASSED or FAILED. Keeps a reference to `p`, which must
// outlive the plan.
class EventPlan {
 public:
  explicit EventPlan(const Presentation& p);

  const std::vector<EventRef>& events() const { return events_; }
  model::LearningEvent Make(const EventRef& ref,
                            const EventOptions& options = {}) const;

 private:
  const Presentation& p_;
  std::vector<EventRef> events_;
  std::unordered_map<int64_t, size_t> site_index_;
  std::unordered_map<int64_t, size_t> assessment_index_;
  std::unordered_map<int64_t, size_t> student_index_;
};

}  // namespace polku::oulad

#endif  // POLKU_OULAD_OULAD_H_
