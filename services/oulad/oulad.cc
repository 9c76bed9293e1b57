#include "oulad/oulad.h"

#include <zstd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "common/hashing.h"
#include "common/status_macros.h"
#include "common/str_cat.h"

namespace polku::oulad {
namespace {

using common::StrCat;

// --- Parsing helpers --------------------------------------------------------

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

bool ParseDouble(std::string_view s, double* out) {
  if (s.empty() || s.size() > 63) return false;
  char buf[64];
  s.copy(buf, s.size());
  buf[s.size()] = '\0';
  char* end = nullptr;
  *out = std::strtod(buf, &end);
  return end == buf + s.size();
}

// One CSV file read through its header: the requested columns by name.
class CsvFile {
 public:
  CsvFile(std::string dir, std::string name)
      : path_(StrCat(dir, "/", name, ".csv.zst")),
        name_(StrCat(name, ".csv")) {}

  // Calls `fn(row, line)` for each data row with the fields of `columns` in
  // that order. A missing column is kDataLoss.
  absl::Status ForEach(
      const std::vector<std::string_view>& columns,
      const std::function<absl::Status(const std::vector<std::string_view>&,
                                       int64_t)>& fn) const {
    std::vector<size_t> index;
    std::vector<std::string_view> fields;
    std::vector<std::string> scratch;
    std::vector<std::string_view> row(columns.size());
    int64_t line_no = 0;
    return ForEachZstdLine(path_, [&](std::string_view line) -> absl::Status {
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      SplitCsvLine(line, &fields, &scratch);
      if (line_no == 1) {
        for (std::string_view c : columns) {
          auto it = std::find(fields.begin(), fields.end(), c);
          if (it == fields.end()) {
            return absl::DataLossError(
                StrCat(name_, ": the header has no column '", c, "'"));
          }
          index.push_back(static_cast<size_t>(it - fields.begin()));
        }
        return absl::OkStatus();
      }
      if (line.empty()) return absl::OkStatus();
      for (size_t i = 0; i < index.size(); ++i) {
        row[i] =
            index[i] < fields.size() ? fields[index[i]] : std::string_view();
      }
      return fn(row, line_no);
    });
  }

  absl::Status RowError(int64_t line, std::string_view column,
                        std::string_view what) const {
    return absl::DataLossError(
        StrCat(name_, ": line ", line, ": ", column, ": ", what));
  }

  // Required and optional integer fields.
  absl::Status Int(const std::vector<std::string_view>& row, size_t i,
                   std::string_view column, int64_t line, int64_t* out) const {
    if (!ParseInt(row[i], out)) return RowError(line, column, "not an integer");
    return absl::OkStatus();
  }
  absl::Status OptInt(const std::vector<std::string_view>& row, size_t i,
                      std::string_view column, int64_t line,
                      std::optional<int>* out) const {
    if (row[i].empty()) {
      out->reset();
      return absl::OkStatus();
    }
    int64_t v = 0;
    if (!ParseInt(row[i], &v)) return RowError(line, column, "not an integer");
    *out = static_cast<int>(v);
    return absl::OkStatus();
  }

 private:
  std::string path_;
  std::string name_;
};

bool IsUpperAlpha(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string Uuid(std::string_view name) {
  // The namespace is a constant UUID, so UuidV5 cannot fail here.
  return *common::UuidV5(common::EventIdNamespace(), name);
}

constexpr int64_t kHourMs = 3600000;
constexpr int kEnrolHour = 8;
constexpr int kClickHour = 12;
constexpr int kResultHour = 17;
constexpr int kUnenrolHour = 20;
constexpr int kCompletionHour = 22;

std::string_view AssessmentTypeWords(std::string_view type) {
  if (type == "TMA") return "tutor-marked assignment";
  if (type == "CMA") return "computer-marked assessment";
  if (type == "Exam") return "final exam";
  return "assessment";
}

std::string_view MonthName(std::string_view presentation) {
  return presentation.back() == 'B' ? "February" : "October";
}

}  // namespace

// --- Files ------------------------------------------------------------------

absl::Status ForEachZstdLine(
    const std::string& path,
    const std::function<absl::Status(std::string_view line)>& fn) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"),
                                             &std::fclose);
  if (file == nullptr) {
    return absl::NotFoundError(StrCat(path, ": cannot be opened"));
  }
  std::unique_ptr<ZSTD_DStream, size_t (*)(ZSTD_DStream*)> stream(
      ZSTD_createDStream(), &ZSTD_freeDStream);
  if (stream == nullptr) return absl::ResourceExhaustedError("zstd: no memory");
  ZSTD_initDStream(stream.get());
  std::vector<char> in(ZSTD_DStreamInSize());
  std::vector<char> out(ZSTD_DStreamOutSize());
  std::string carry;  // an unfinished line from the previous output block
  size_t last_ret = 0;
  bool any_input = false;
  for (;;) {
    size_t n = std::fread(in.data(), 1, in.size(), file.get());
    if (n == 0) break;
    any_input = true;
    ZSTD_inBuffer input{in.data(), n, 0};
    while (input.pos < input.size) {
      ZSTD_outBuffer output{out.data(), out.size(), 0};
      last_ret = ZSTD_decompressStream(stream.get(), &output, &input);
      if (ZSTD_isError(last_ret)) {
        return absl::DataLossError(StrCat(path, ": not valid zstd data (",
                                          ZSTD_getErrorName(last_ret), ")"));
      }
      std::string_view block(out.data(), output.pos);
      while (!block.empty()) {
        size_t nl = block.find('\n');
        if (nl == std::string_view::npos) {
          carry.append(block);
          break;
        }
        absl::Status s;
        if (carry.empty()) {
          s = fn(block.substr(0, nl));
        } else {
          carry.append(block.substr(0, nl));
          s = fn(carry);
          carry.clear();
        }
        if (!s.ok()) return s;
        block.remove_prefix(nl + 1);
      }
    }
  }
  if (std::ferror(file.get())) {
    return absl::DataLossError(StrCat(path, ": read error"));
  }
  if (!any_input || last_ret != 0) {
    return absl::DataLossError(StrCat(path, ": truncated zstd data"));
  }
  if (!carry.empty()) return fn(carry);
  return absl::OkStatus();
}

void SplitCsvLine(std::string_view line, std::vector<std::string_view>* fields,
                  std::vector<std::string>* scratch) {
  fields->clear();
  if (line.find('"') == std::string_view::npos) {
    size_t start = 0;
    for (;;) {
      size_t comma = line.find(',', start);
      if (comma == std::string_view::npos) {
        fields->push_back(line.substr(start));
        return;
      }
      fields->push_back(line.substr(start, comma - start));
      start = comma + 1;
    }
  }
  // Quoted fields: unquote into scratch strings. Reserve first, so the
  // views stay valid while the vector fills.
  scratch->clear();
  scratch->reserve(
      static_cast<size_t>(std::count(line.begin(), line.end(), ',')) + 1);
  std::string current;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          current.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        current.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      scratch->push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  scratch->push_back(std::move(current));
  for (const std::string& s : *scratch) fields->push_back(s);
}

// --- Codes and dates --------------------------------------------------------

std::string PresentationCode::Name() const {
  return StrCat(module, "_", presentation);
}

absl::StatusOr<PresentationCode> ParsePresentationCode(std::string_view text) {
  size_t sep = text.find_first_of("_- ");
  if (sep == std::string_view::npos) {
    return absl::InvalidArgumentError(
        StrCat("presentation '", text, "': expected MODULE_YYYYB or _YYYYJ, ",
               "e.g. GGG_2014J"));
  }
  std::string_view module = text.substr(0, sep);
  std::string_view pres = text.substr(sep + 1);
  if (module.size() != 3 || !IsUpperAlpha(module)) {
    return absl::InvalidArgumentError(
        StrCat("presentation '", text, "': the module is three capitals"));
  }
  if (auto start = PresentationStartMs(pres); !start.ok()) {
    return absl::InvalidArgumentError(StrCat(
        "presentation '", text, "': ", std::string(start.status().message())));
  }
  return PresentationCode{std::string(module), std::string(pres)};
}

absl::StatusOr<int64_t> PresentationStartMs(std::string_view presentation) {
  int64_t year = 0;
  if (presentation.size() != 5 || !ParseInt(presentation.substr(0, 4), &year) ||
      year < 1970 || (presentation[4] != 'B' && presentation[4] != 'J')) {
    return absl::InvalidArgumentError(StrCat(
        "'", presentation, "' is not a presentation code (YYYYB or YYYYJ)"));
  }
  // Days from 1970-01-01 to the 1st of the month (Howard Hinnant's
  // days_from_civil).
  int64_t y = year;
  unsigned m = presentation[4] == 'B' ? 2 : 10;
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5;  // day 1
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (era * 146097 + static_cast<int64_t>(doe) - 719468) * kDayMs;
}

// --- Loading ----------------------------------------------------------------

namespace {

// The presentations being loaded, found by the module and presentation
// columns of a row. Rows of one presentation come together in every file,
// so the last one found is tried first.
class Wanted {
 public:
  explicit Wanted(std::vector<Presentation>* out) : out_(*out) {}
  Presentation* Find(std::string_view mod, std::string_view pres) {
    if (last_ != nullptr && last_->code.module == mod &&
        last_->code.presentation == pres) {
      return last_;
    }
    for (Presentation& p : out_) {
      if (p.code.module == mod && p.code.presentation == pres) {
        last_ = &p;
        return last_;
      }
    }
    return nullptr;
  }

 private:
  std::vector<Presentation>& out_;
  Presentation* last_ = nullptr;
};

}  // namespace

absl::StatusOr<std::vector<Presentation>> LoadPresentations(
    const std::string& dir, const std::vector<PresentationCode>& codes) {
  std::vector<Presentation> out(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (codes[j].Name() == codes[i].Name()) {
        return absl::InvalidArgumentError(
            StrCat("presentation ", codes[i].Name(), " is asked for twice"));
      }
    }
    Presentation& p = out[i];
    p.code = codes[i];
    auto start = PresentationStartMs(p.code.presentation);
    if (!start.ok()) return start.status();
    p.start_ms = *start;
  }
  Wanted wanted(&out);
  std::vector<bool> found(codes.size(), false);
  CsvFile courses(dir, "courses");
  POLKU_RETURN_IF_ERROR(courses.ForEach(
      {"code_module", "code_presentation", "module_presentation_length"},
      [&](const std::vector<std::string_view>& r, int64_t line) {
        Presentation* p = wanted.Find(r[0], r[1]);
        if (p == nullptr) return absl::OkStatus();
        int64_t length = 0;
        POLKU_RETURN_IF_ERROR(
            courses.Int(r, 2, "module_presentation_length", line, &length));
        p->length_days = static_cast<int>(length);
        found[static_cast<size_t>(p - out.data())] = true;
        return absl::OkStatus();
      }));
  for (size_t i = 0; i < codes.size(); ++i) {
    if (!found[i]) {
      return absl::NotFoundError(
          StrCat("presentation ", codes[i].Name(), " is not in courses.csv"));
    }
  }

  CsvFile vle(dir, "vle");
  POLKU_RETURN_IF_ERROR(vle.ForEach(
      {"id_site", "code_module", "code_presentation", "activity_type",
       "week_from", "week_to"},
      [&](const std::vector<std::string_view>& r, int64_t line) {
        Presentation* p = wanted.Find(r[1], r[2]);
        if (p == nullptr) return absl::OkStatus();
        Site s;
        POLKU_RETURN_IF_ERROR(vle.Int(r, 0, "id_site", line, &s.id));
        s.activity_type = std::string(r[3]);
        POLKU_RETURN_IF_ERROR(
            vle.OptInt(r, 4, "week_from", line, &s.week_from));
        POLKU_RETURN_IF_ERROR(vle.OptInt(r, 5, "week_to", line, &s.week_to));
        p->sites.push_back(std::move(s));
        return absl::OkStatus();
      }));

  CsvFile assessments(dir, "assessments");
  // An assessment's id names its presentation in studentAssessment.csv.
  std::unordered_map<int64_t, Presentation*> assessment_of;
  POLKU_RETURN_IF_ERROR(assessments.ForEach(
      {"code_module", "code_presentation", "id_assessment", "assessment_type",
       "date", "weight"},
      [&](const std::vector<std::string_view>& r, int64_t line) {
        Presentation* p = wanted.Find(r[0], r[1]);
        if (p == nullptr) return absl::OkStatus();
        Assessment a;
        POLKU_RETURN_IF_ERROR(
            assessments.Int(r, 2, "id_assessment", line, &a.id));
        a.type = std::string(r[3]);
        POLKU_RETURN_IF_ERROR(assessments.OptInt(r, 4, "date", line, &a.date));
        if (!r[5].empty() && !ParseDouble(r[5], &a.weight)) {
          return assessments.RowError(line, "weight", "not a number");
        }
        assessment_of.emplace(a.id, p);
        p->assessments.push_back(std::move(a));
        return absl::OkStatus();
      }));

  CsvFile registrations(dir, "studentRegistration");
  POLKU_RETURN_IF_ERROR(registrations.ForEach(
      {"code_module", "code_presentation", "id_student", "date_registration",
       "date_unregistration"},
      [&](const std::vector<std::string_view>& r, int64_t line) {
        Presentation* p = wanted.Find(r[0], r[1]);
        if (p == nullptr) return absl::OkStatus();
        Registration g;
        POLKU_RETURN_IF_ERROR(
            registrations.Int(r, 2, "id_student", line, &g.student));
        POLKU_RETURN_IF_ERROR(registrations.OptInt(r, 3, "date_registration",
                                                   line, &g.date_registration));
        POLKU_RETURN_IF_ERROR(registrations.OptInt(
            r, 4, "date_unregistration", line, &g.date_unregistration));
        p->registrations.push_back(g);
        return absl::OkStatus();
      }));

  CsvFile info(dir, "studentInfo");
  POLKU_RETURN_IF_ERROR(info.ForEach(
      {"code_module", "code_presentation", "id_student", "region",
       "final_result"},
      [&](const std::vector<std::string_view>& r, int64_t line) {
        Presentation* p = wanted.Find(r[0], r[1]);
        if (p == nullptr) return absl::OkStatus();
        StudentInfo s;
        POLKU_RETURN_IF_ERROR(info.Int(r, 2, "id_student", line, &s.student));
        s.region = std::string(r[3]);
        s.final_result = std::string(r[4]);
        p->students.push_back(std::move(s));
        return absl::OkStatus();
      }));

  CsvFile results(dir, "studentAssessment");
  POLKU_RETURN_IF_ERROR(results.ForEach(
      {"id_assessment", "id_student", "date_submitted", "is_banked", "score"},
      [&](const std::vector<std::string_view>& r, int64_t line) {
        int64_t id = 0;
        POLKU_RETURN_IF_ERROR(results.Int(r, 0, "id_assessment", line, &id));
        auto of = assessment_of.find(id);
        if (of == assessment_of.end()) return absl::OkStatus();
        StudentAssessment a;
        a.assessment = id;
        POLKU_RETURN_IF_ERROR(
            results.Int(r, 1, "id_student", line, &a.student));
        POLKU_RETURN_IF_ERROR(
            results.OptInt(r, 2, "date_submitted", line, &a.date_submitted));
        a.banked = r[3] == "1";
        if (!r[4].empty()) {
          double score = 0;
          if (!ParseDouble(r[4], &score)) {
            return results.RowError(line, "score", "not a number");
          }
          a.score = score;
        }
        of->second->results.push_back(a);
        return absl::OkStatus();
      }));

  CsvFile clicks(dir, "studentVle");
  POLKU_RETURN_IF_ERROR(clicks.ForEach(
      {"code_module", "code_presentation", "id_student", "id_site", "date",
       "sum_click"},
      [&](const std::vector<std::string_view>& r, int64_t line) {
        Presentation* p = wanted.Find(r[0], r[1]);
        if (p == nullptr) return absl::OkStatus();
        VleRow v;
        int64_t date = 0;
        int64_t sum = 0;
        POLKU_RETURN_IF_ERROR(clicks.Int(r, 2, "id_student", line, &v.student));
        POLKU_RETURN_IF_ERROR(clicks.Int(r, 3, "id_site", line, &v.site));
        POLKU_RETURN_IF_ERROR(clicks.Int(r, 4, "date", line, &date));
        POLKU_RETURN_IF_ERROR(clicks.Int(r, 5, "sum_click", line, &sum));
        v.date = static_cast<int>(date);
        v.sum_click = static_cast<int>(sum);
        p->vle.push_back(v);
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<Presentation> LoadPresentation(const std::string& dir,
                                              const PresentationCode& code) {
  auto loaded = LoadPresentations(dir, {code});
  if (!loaded.ok()) return loaded.status();
  return std::move(loaded->front());
}

absl::StatusOr<std::vector<PresentationSummary>> ListPresentations(
    const std::string& dir) {
  std::vector<PresentationSummary> out;
  CsvFile courses(dir, "courses");
  POLKU_RETURN_IF_ERROR(courses.ForEach(
      {"code_module", "code_presentation", "module_presentation_length"},
      [&](const std::vector<std::string_view>& r, int64_t line) {
        PresentationSummary s;
        s.code.module = std::string(r[0]);
        s.code.presentation = std::string(r[1]);
        int64_t length = 0;
        POLKU_RETURN_IF_ERROR(
            courses.Int(r, 2, "module_presentation_length", line, &length));
        s.length_days = static_cast<int>(length);
        out.push_back(std::move(s));
        return absl::OkStatus();
      }));
  return out;
}

// --- Ids and the catalogue
// ----------------------------------------------------

std::string CourseId(const PresentationCode& code) {
  return StrCat(kInstance, "/", code.module, "/", code.presentation);
}
std::string SiteId(const PresentationCode& code, int64_t site) {
  return StrCat(CourseId(code), "/site/", site);
}
std::string AssessmentId(const PresentationCode& code, int64_t assessment) {
  return StrCat(CourseId(code), "/assessment/", assessment);
}
std::string PathId(const PresentationCode& code, int block) {
  return StrCat(CourseId(code), "/path/", block);
}
std::string GoalId(const PresentationCode& code) {
  return StrCat(CourseId(code), "/goal/pass");
}
std::string OuladLearnerKey(int64_t student) {
  return model::LearnerKey(kInstance, std::to_string(student));
}

SiteKind MapActivityType(std::string_view t, bool scheduled) {
  using model::Mode;
  using model::ObjectType;
  const Mode material = scheduled ? Mode::kStructured : Mode::kSelfDirected;
  struct Row {
    std::string_view type;
    ObjectType object;
    Mode mode;
    bool interactive;
    std::string_view label;
  };
  // Modes: STRUCTURED for the taught course (content pages, the home page,
  // quizzes); SELF_DIRECTED for forums, wikis, glossaries and the shared
  // database, where learners contribute on their own initiative; reading
  // material (`material`) by schedule; BLENDED where the dataset cannot
  // tell (live sessions may be scheduled tutorials or recordings watched
  // at will; questionnaires may be set or optional).
  static const Row kRows[] = {
      {"resource", ObjectType::kResource, Mode::kUnspecified, false,
       "Resource"},
      {"url", ObjectType::kResource, Mode::kUnspecified, false, "Web link"},
      {"page", ObjectType::kResource, Mode::kUnspecified, false, "Page"},
      {"folder", ObjectType::kResource, Mode::kUnspecified, false, "Folder"},
      {"dualpane", ObjectType::kResource, Mode::kUnspecified, false,
       "Dual-pane page"},
      {"oucontent", ObjectType::kModule, Mode::kStructured, false,
       "Course content"},
      {"subpage", ObjectType::kModule, Mode::kStructured, false, "Study page"},
      {"sharedsubpage", ObjectType::kModule, Mode::kStructured, false,
       "Shared study page"},
      {"htmlactivity", ObjectType::kModule, Mode::kStructured, true,
       "Interactive activity"},
      {"repeatactivity", ObjectType::kModule, Mode::kStructured, false,
       "Repeated activity"},
      {"dataplus", ObjectType::kModule, Mode::kSelfDirected, false,
       "Shared database"},
      {"homepage", ObjectType::kCourse, Mode::kStructured, false,
       "Module home page"},
      {"forumng", ObjectType::kDiscussion, Mode::kSelfDirected, false,
       "Discussion forum"},
      {"ouwiki", ObjectType::kWiki, Mode::kSelfDirected, false, "Wiki"},
      {"glossary", ObjectType::kGlossary, Mode::kSelfDirected, false,
       "Glossary"},
      {"quiz", ObjectType::kAssessment, Mode::kStructured, false, "Quiz"},
      {"externalquiz", ObjectType::kAssessment, Mode::kStructured, false,
       "External quiz"},
      {"oucollaborate", ObjectType::kLiveSession, Mode::kBlended, true,
       "Online tutorial room"},
      {"ouelluminate", ObjectType::kLiveSession, Mode::kBlended, true,
       "Online tutorial session"},
      {"questionnaire", ObjectType::kSurvey, Mode::kBlended, false,
       "Questionnaire"},
  };
  for (const Row& r : kRows) {
    if (r.type == t) {
      return SiteKind{r.object,
                      r.mode == Mode::kUnspecified ? material : r.mode,
                      r.interactive, r.label};
    }
  }
  return SiteKind{ObjectType::kModule, Mode::kBlended, false, "VLE page"};
}

namespace {

std::string SiteTitle(const Presentation& p, const Site& s) {
  SiteKind kind = MapActivityType(s.activity_type, s.week_from.has_value());
  std::string title = StrCat(p.code.module, " ", p.code.presentation, ": ",
                             kind.label, " ", s.id);
  if (s.week_from.has_value()) {
    if (s.week_to.has_value() && *s.week_to != *s.week_from) {
      common::StrAppend(&title, " (weeks ", *s.week_from, "-", *s.week_to, ")");
    } else {
      common::StrAppend(&title, " (week ", *s.week_from, ")");
    }
  }
  return title;
}

std::string AssessmentTitle(const Presentation& p, const Assessment& a) {
  std::string title =
      StrCat(p.code.module, " ", p.code.presentation, ": ", a.type, " ", a.id,
             " (", AssessmentTypeWords(a.type));
  if (a.date.has_value()) common::StrAppend(&title, ", due day ", *a.date);
  common::StrAppend(&title, ", weight ", a.weight, "%)");
  return title;
}

std::string CourseTitle(const Presentation& p) {
  return StrCat("Open University module ", p.code.module, ", presentation ",
                p.code.presentation, " (from ", MonthName(p.code.presentation),
                " ", p.code.presentation.substr(0, 4), ", ", p.length_days,
                " days)");
}

// How learners used a site: how many opened it, and the median day they
// first did.
struct SiteUse {
  int64_t learners = 0;
  std::optional<int> median_first_day;
};

std::unordered_map<int64_t, SiteUse> SiteUses(const Presentation& p) {
  std::map<std::pair<int64_t, int64_t>, int> first;  // (site, student) -> day
  for (const VleRow& v : p.vle) {
    auto [it, inserted] =
        first.emplace(std::make_pair(v.site, v.student), v.date);
    if (!inserted) it->second = std::min(it->second, v.date);
  }
  std::unordered_map<int64_t, std::vector<int>> days;
  for (const auto& [key, day] : first) days[key.first].push_back(day);
  std::unordered_map<int64_t, SiteUse> out;
  for (auto& [site, d] : days) {
    std::sort(d.begin(), d.end());
    out[site] = SiteUse{static_cast<int64_t>(d.size()), d[d.size() / 2]};
  }
  return out;
}

}  // namespace

learning::CatalogueFile BuildCatalogue(const Presentation& p) {
  learning::CatalogueFile file;
  const std::string course_id = CourseId(p.code);
  {
    learning::Activity course;
    course.id = course_id;
    course.url = course_id;
    course.title = CourseTitle(p);
    course.type = model::ObjectType::kCourse;
    course.mode = model::Mode::kStructured;
    course.self_enrol = true;  // OU students register themselves
    course.goal_ids = {GoalId(p.code)};
    file.activities.push_back(std::move(course));
  }
  std::vector<const Site*> sites;
  for (const Site& s : p.sites) sites.push_back(&s);
  std::sort(sites.begin(), sites.end(),
            [](const Site* a, const Site* b) { return a->id < b->id; });
  for (const Site* s : sites) {
    SiteKind kind = MapActivityType(s->activity_type, s->week_from.has_value());
    learning::Activity a;
    a.id = SiteId(p.code, s->id);
    a.url = a.id;
    a.title = SiteTitle(p, *s);
    a.type = kind.type;
    a.mode = kind.mode;
    file.activities.push_back(std::move(a));
  }
  std::vector<const Assessment*> assessments;
  for (const Assessment& a : p.assessments) assessments.push_back(&a);
  std::sort(
      assessments.begin(), assessments.end(),
      [](const Assessment* a, const Assessment* b) { return a->id < b->id; });
  for (const Assessment* x : assessments) {
    learning::Activity a;
    a.id = AssessmentId(p.code, x->id);
    a.url = a.id;
    a.title = AssessmentTitle(p, *x);
    a.type = model::ObjectType::kAssessment;
    a.mode = model::Mode::kStructured;
    a.required = true;
    a.goal_ids = {GoalId(p.code)};
    file.activities.push_back(std::move(a));
  }

  // --- Example paths ---------------------------------------------------
  const auto uses = SiteUses(p);
  auto order_day = [&](const Site& s) -> std::optional<int> {
    if (s.week_from.has_value()) return *s.week_from * 7;
    auto it = uses.find(s.id);
    if (it == uses.end()) return std::nullopt;
    return it->second.median_first_day;
  };
  auto learners = [&](const Site& s) -> int64_t {
    auto it = uses.find(s.id);
    return it == uses.end() ? 0 : it->second.learners;
  };
  // More used first, then lower id.
  auto more_used = [&](const Site* a, const Site* b) {
    int64_t la = learners(*a);
    int64_t lb = learners(*b);
    return la != lb ? la > lb : a->id < b->id;
  };

  // Block ends: the tutor-marked assignments' cut-off days, else quarters.
  struct Block {
    int end_day;
    const Assessment* assessment;
  };
  std::vector<Block> blocks;
  std::vector<const Assessment*> tmas;
  for (const Assessment* a : assessments) {
    if (a->type == "TMA" && a->date.has_value()) tmas.push_back(a);
  }
  std::stable_sort(tmas.begin(), tmas.end(),
                   [](const Assessment* a, const Assessment* b) {
                     return *a->date < *b->date;
                   });
  for (const Assessment* a : tmas) {
    if (!blocks.empty() && blocks.back().end_day == *a->date) continue;
    blocks.push_back(Block{*a->date, a});
  }
  if (blocks.empty()) {
    for (int q = 1; q <= 4; ++q) {
      blocks.push_back(Block{p.length_days * q / 4, nullptr});
    }
  }
  constexpr size_t kMaxBlocks = 6;
  if (blocks.size() > kMaxBlocks) blocks.resize(kMaxBlocks);

  const Site* forum = nullptr;
  for (const Site* s : sites) {
    if (s->activity_type == "forumng" && learners(*s) > 0 &&
        (forum == nullptr || more_used(s, forum))) {
      forum = s;
    }
  }
  int prev_end = -1000000;
  int number = 0;
  for (const Block& b : blocks) {
    std::vector<const Site*> content;
    const Site* quiz = nullptr;
    for (const Site* s : sites) {
      std::optional<int> day = order_day(*s);
      if (!day.has_value() || *day <= prev_end || *day > b.end_day) continue;
      SiteKind kind =
          MapActivityType(s->activity_type, s->week_from.has_value());
      if (kind.type == model::ObjectType::kAssessment) {
        if (quiz == nullptr || more_used(s, quiz)) quiz = s;
      } else if (kind.mode == model::Mode::kStructured &&
                 kind.type != model::ObjectType::kCourse && learners(*s) > 0) {
        content.push_back(s);
      }
    }
    prev_end = b.end_day;
    if (content.empty()) continue;
    std::sort(content.begin(), content.end(), more_used);
    if (content.size() > 4) content.resize(4);
    std::sort(content.begin(), content.end(),
              [&](const Site* x, const Site* y) {
                return std::make_pair(*order_day(*x), x->id) <
                       std::make_pair(*order_day(*y), y->id);
              });
    learning::LearningPath path;
    ++number;
    path.id = PathId(p.code, number);
    path.goal_id = GoalId(p.code);
    path.title =
        b.assessment != nullptr
            ? StrCat(p.code.module, " ", p.code.presentation, ", part ", number,
                     ": study towards ", b.assessment->type, " ",
                     b.assessment->id, " (due day ", b.end_day, ")")
            : StrCat(p.code.module, " ", p.code.presentation, ", part ", number,
                     ": study up to day ", b.end_day);
    auto step = [&](const Site* s) {
      learning::PathStep st;
      st.activity_id = SiteId(p.code, s->id);
      st.mode =
          MapActivityType(s->activity_type, s->week_from.has_value()).mode;
      return st;
    };
    size_t half = (content.size() + 1) / 2;
    for (size_t i = 0; i < content.size(); ++i) {
      if (i == half && forum != nullptr) path.steps.push_back(step(forum));
      path.steps.push_back(step(content[i]));
    }
    if (half >= content.size() && forum != nullptr) {
      path.steps.push_back(step(forum));
    }
    if (quiz != nullptr) path.steps.push_back(step(quiz));
    if (b.assessment != nullptr) {
      learning::PathStep st;
      st.activity_id = AssessmentId(p.code, b.assessment->id);
      st.mode = model::Mode::kStructured;
      path.steps.push_back(std::move(st));
    }
    file.paths.push_back(std::move(path));
  }
  return file;
}

// --- Events -----------------------------------------------------------------

EventPlan::EventPlan(const Presentation& p) : p_(p) {
  for (size_t i = 0; i < p.sites.size(); ++i) site_index_[p.sites[i].id] = i;
  for (size_t i = 0; i < p.assessments.size(); ++i) {
    assessment_index_[p.assessments[i].id] = i;
  }
  for (size_t i = 0; i < p.students.size(); ++i) {
    student_index_[p.students[i].student] = i;
  }
  auto at = [&](int day, int hour) {
    return p.start_ms + day * kDayMs + hour * kHourMs;
  };
  auto add = [&](int day, int hour, EventKind kind, int64_t student,
                 size_t index, uint32_t ordinal) {
    events_.push_back(EventRef{at(day, hour), day, kind, student,
                               static_cast<uint32_t>(index), ordinal});
  };
  for (size_t i = 0; i < p.registrations.size(); ++i) {
    const Registration& r = p.registrations[i];
    if (r.date_registration.has_value()) {
      add(*r.date_registration, kEnrolHour, EventKind::kEnrolled, r.student, i,
          0);
    }
    if (r.date_unregistration.has_value()) {
      add(*r.date_unregistration, kUnenrolHour, EventKind::kUnenrolled,
          r.student, i, 0);
    }
  }
  std::map<std::tuple<int64_t, int64_t, int, int>, uint32_t> seen;
  for (size_t i = 0; i < p.vle.size(); ++i) {
    const VleRow& v = p.vle[i];
    uint32_t ordinal = seen[{v.student, v.site, v.date, v.sum_click}]++;
    add(v.date, kClickHour, EventKind::kVle, v.student, i, ordinal);
  }
  for (size_t i = 0; i < p.results.size(); ++i) {
    const StudentAssessment& r = p.results[i];
    if (!r.date_submitted.has_value()) continue;
    add(*r.date_submitted, kResultHour, EventKind::kSubmitted, r.student, i, 0);
    if (r.score.has_value()) {
      add(*r.date_submitted, kResultHour, EventKind::kGraded, r.student, i, 0);
    }
  }
  for (size_t i = 0; i < p.students.size(); ++i) {
    const StudentInfo& s = p.students[i];
    if (s.final_result == "Pass" || s.final_result == "Distinction") {
      add(p.length_days, kCompletionHour, EventKind::kCompleted, s.student, i,
          0);
    }
  }
  std::stable_sort(
      events_.begin(), events_.end(), [](const EventRef& a, const EventRef& b) {
        return std::tie(a.at_ms, a.kind) < std::tie(b.at_ms, b.kind);
      });
}

model::LearningEvent EventPlan::Make(const EventRef& ref,
                                     const EventOptions& options) const {
  const PresentationCode& code = p_.code;
  model::LearningEvent e;
  e.source.platform = model::Platform::kNative;
  e.source.instance = model::CanonicalInstance(kInstance);
  e.source.adapter_version = "polku-oulad/1";
  e.occurred_at_ms = ref.at_ms + options.shift_ms;
  e.learner.key = OuladLearnerKey(ref.student);
  if (auto it = student_index_.find(ref.student); it != student_index_.end()) {
    e.learner.org_unit = p_.students[it->second].region;
  }
  e.initiator = model::Initiator::kSelf;
  e.context.course_id = CourseId(code);
  e.context.enrolment_method = model::EnrolmentMethod::kSelf;
  e.context.org_unit = e.learner.org_unit;
  e.extensions["oulad.presentation"] = code.Name();
  e.extensions["oulad.day"] = std::to_string(ref.day);

  // The canonical tuple behind the event id: the row's own fields.
  std::string name = StrCat("oulad|", code.module, "|", code.presentation, "|");
  auto course_object = [&] {
    e.object.type = model::ObjectType::kCourse;
    e.object.id = CourseId(code);
    e.object.name = CourseTitle(p_);
  };
  auto assessment_object = [&](int64_t id) {
    e.object.type = model::ObjectType::kAssessment;
    e.object.id = AssessmentId(code, id);
    e.context.parents = {CourseId(code)};
    e.context.required = model::Tristate::kYes;
    e.context.graded = model::Tristate::kYes;
    auto it = assessment_index_.find(id);
    if (it != assessment_index_.end()) {
      const Assessment& a = p_.assessments[it->second];
      e.object.name = AssessmentTitle(p_, a);
      e.context.has_due_date =
          a.date.has_value() ? model::Tristate::kYes : model::Tristate::kNo;
      e.extensions["oulad.assessment_type"] = a.type;
    } else {
      e.object.name =
          StrCat(code.module, " ", code.presentation, ": assessment ", id);
    }
  };

  switch (ref.kind) {
    case EventKind::kEnrolled:
    case EventKind::kUnenrolled: {
      const bool enrolled = ref.kind == EventKind::kEnrolled;
      e.verb = enrolled ? model::Verb::kEnrolled : model::Verb::kUnenrolled;
      e.verb_iri = enrolled ? "http://adlnet.gov/expapi/verbs/registered"
                            : "http://id.tincanapi.com/verb/unregistered";
      e.source.event_type = enrolled ? "oulad.studentRegistration.registered"
                                     : "oulad.studentRegistration.unregistered";
      course_object();
      common::StrAppend(&name, enrolled ? "registered|" : "unregistered|",
                        ref.student, "|", ref.day);
      break;
    }
    case EventKind::kVle: {
      const VleRow& v = p_.vle[ref.index];
      const Site* site = nullptr;
      if (auto it = site_index_.find(v.site); it != site_index_.end()) {
        site = &p_.sites[it->second];
      }
      SiteKind kind = site != nullptr
                          ? MapActivityType(site->activity_type,
                                            site->week_from.has_value())
                          : MapActivityType("", false);
      e.verb =
          kind.interactive ? model::Verb::kInteracted : model::Verb::kViewed;
      e.verb_iri = kind.interactive
                       ? "http://adlnet.gov/expapi/verbs/interacted"
                       : "http://id.tincanapi.com/verb/viewed";
      e.source.event_type = "oulad.studentVle";
      e.object.type = kind.type;
      e.object.id = SiteId(code, v.site);
      e.object.name = site != nullptr
                          ? SiteTitle(p_, *site)
                          : StrCat(code.module, " ", code.presentation,
                                   ": VLE page ", v.site);
      e.context.parents = {CourseId(code)};
      e.extensions["oulad.sum_click"] = std::to_string(v.sum_click);
      if (site != nullptr) {
        e.extensions["oulad.activity_type"] = site->activity_type;
      }
      common::StrAppend(&name, "vle|", v.student, "|", v.site, "|", v.date, "|",
                        v.sum_click, "#", ref.ordinal);
      break;
    }
    case EventKind::kSubmitted:
    case EventKind::kGraded: {
      const StudentAssessment& r = p_.results[ref.index];
      assessment_object(r.assessment);
      if (r.banked) e.extensions["oulad.banked"] = "true";
      if (ref.kind == EventKind::kSubmitted) {
        e.verb = model::Verb::kSubmitted;
        e.source.event_type = "oulad.studentAssessment.submitted";
        common::StrAppend(&name, "submitted|");
      } else {
        const bool passed = *r.score >= kPassScore;
        e.verb = passed ? model::Verb::kPassed : model::Verb::kFailed;
        e.verb_iri = passed ? "http://adlnet.gov/expapi/verbs/passed"
                            : "http://adlnet.gov/expapi/verbs/failed";
        e.source.event_type = "oulad.studentAssessment.scored";
        // Tutors mark TMAs and exams; CMAs are marked by the computer.
        auto it = e.extensions.find("oulad.assessment_type");
        e.initiator = it != e.extensions.end() && it->second == "CMA"
                          ? model::Initiator::kSystem
                          : model::Initiator::kStaff;
        e.result.completion = model::Tristate::kYes;
        e.result.success =
            passed ? model::Tristate::kYes : model::Tristate::kNo;
        e.result.score_scaled = std::clamp(*r.score / 100.0, 0.0, 1.0);
        common::StrAppend(&name, "scored|", *r.score, "|");
      }
      common::StrAppend(&name, r.assessment, "|", r.student, "|",
                        *r.date_submitted, "|", r.banked ? 1 : 0);
      break;
    }
    case EventKind::kCompleted: {
      const StudentInfo& s = p_.students[ref.index];
      e.verb = model::Verb::kCompleted;
      e.verb_iri = "http://adlnet.gov/expapi/verbs/completed";
      e.source.event_type = "oulad.studentInfo.final_result";
      e.initiator = model::Initiator::kSystem;
      course_object();
      e.result.completion = model::Tristate::kYes;
      e.result.success = model::Tristate::kYes;
      e.extensions["oulad.final_result"] = s.final_result;
      common::StrAppend(&name, "completed|", s.student, "|", s.final_result);
      break;
    }
  }
  if (options.shift_ms != 0) {
    common::StrAppend(&name, "|shift:", options.shift_ms);
  }
  e.event_id = Uuid(name);
  return e;
}

}  // namespace polku::oulad
