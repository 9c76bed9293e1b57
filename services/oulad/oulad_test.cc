#include "oulad/oulad.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zstd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/event_codec.h"

namespace polku::oulad {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Writes `text` zstd-compressed to `path`.
void WriteZstd(const std::string& path, const std::string& text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3);
  ASSERT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
  std::ofstream f(path, std::ios::binary);
  f.write(out.data(), static_cast<std::streamsize>(n));
}

std::string TempDir(const std::string& name) {
  std::string dir = (std::filesystem::path(::testing::TempDir()) /
                     ("oulad_" + name + "_" + std::to_string(::getpid())))
                        .string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// A tiny presentation XYZ_2014J written as the seven OULAD files, with rows
// of another presentation that must be ignored.
std::string WriteTinyDataset(const std::string& name) {
  std::string dir = TempDir(name);
  WriteZstd(dir + "/courses.csv.zst",
            "code_module,code_presentation,module_presentation_length\n"
            "XYZ,2014J,100\nXYZ,2013B,90\n");
  WriteZstd(dir + "/vle.csv.zst",
            "id_site,code_module,code_presentation,activity_type,week_from,"
            "week_to\n"
            "10,XYZ,2014J,oucontent,1,1\n"
            "11,XYZ,2014J,oucontent,2,3\n"
            "12,XYZ,2014J,forumng,,\n"
            "13,XYZ,2014J,quiz,,\n"
            "14,XYZ,2014J,resource,,\n"
            "15,XYZ,2014J,resource,2,2\n"
            "16,XYZ,2014J,ouelluminate,,\n"
            "17,XYZ,2014J,homepage,,\n"
            "99,XYZ,2013B,oucontent,,\n");
  WriteZstd(dir + "/assessments.csv.zst",
            "code_module,code_presentation,id_assessment,assessment_type,date,"
            "weight\n"
            "XYZ,2014J,500,TMA,30,50\n"
            "XYZ,2014J,501,Exam,,100\n"
            "XYZ,2013B,502,TMA,20,50\n");
  WriteZstd(dir + "/studentRegistration.csv.zst",
            "code_module,code_presentation,id_student,date_registration,"
            "date_unregistration\n"
            "XYZ,2014J,1,-10,\n"
            "XYZ,2014J,2,-5,40\n"
            "XYZ,2014J,3,,\n"
            "XYZ,2013B,1,-3,\n");
  WriteZstd(dir + "/studentInfo.csv.zst",
            "code_module,code_presentation,id_student,gender,region,"
            "highest_education,imd_band,age_band,num_of_prev_attempts,"
            "studied_credits,disability,final_result\n"
            "XYZ,2014J,1,F,Scotland,A Level,10-20%,0-35,0,60,N,Pass\n"
            "XYZ,2014J,2,M,Wales,A Level,10-20%,0-35,0,60,N,Withdrawn\n"
            "XYZ,2014J,3,M,Ireland,A Level,10-20%,0-35,0,60,N,Fail\n");
  WriteZstd(dir + "/studentAssessment.csv.zst",
            "id_assessment,id_student,date_submitted,is_banked,score\n"
            "500,1,29,0,40\n"
            "500,3,31,0,39\n"
            "501,1,95,0,\n"
            "502,1,20,0,90\n");
  // Student 1 opens site 10 twice on day 0 with the same clicks (two
  // identical rows) and once with other clicks.
  WriteZstd(dir + "/studentVle.csv.zst",
            "code_module,code_presentation,id_student,id_site,date,sum_click\n"
            "XYZ,2014J,1,10,0,3\n"
            "XYZ,2014J,1,10,0,3\n"
            "XYZ,2014J,1,10,0,5\n"
            "XYZ,2014J,1,12,1,1\n"
            "XYZ,2014J,1,11,8,2\n"
            "XYZ,2014J,1,15,9,1\n"
            "XYZ,2014J,1,13,20,4\n"
            "XYZ,2014J,1,16,21,1\n"
            "XYZ,2014J,3,10,2,1\n"
            "XYZ,2014J,3,11,10,1\n"
            "XYZ,2013B,1,99,0,1\n");
  return dir;
}

TEST(Oulad, PresentationStartsOnTheFirstOfFebruaryOrOctober) {
  EXPECT_EQ(*PresentationStartMs("2014J"), 1412121600000);  // 2014-10-01
  EXPECT_EQ(*PresentationStartMs("2013B"), 1359676800000);  // 2013-02-01
  EXPECT_EQ(model::FormatTimestamp(*PresentationStartMs("2013J")),
            "2013-10-01T00:00:00.000Z");
  EXPECT_EQ(PresentationStartMs("2014X").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PresentationStartMs("14J").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(Oulad, ParsesPresentationCodes) {
  auto code = ParsePresentationCode("GGG_2014J");
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(code->module, "GGG");
  EXPECT_EQ(code->presentation, "2014J");
  EXPECT_EQ(code->Name(), "GGG_2014J");
  EXPECT_EQ(ParsePresentationCode("AAA-2013B")->Name(), "AAA_2013B");
  EXPECT_EQ(ParsePresentationCode("GGG").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePresentationCode("gg_2014J").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePresentationCode("GGG_2014C").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(Oulad, SplitsCsvWithAndWithoutQuotes) {
  std::vector<std::string_view> f;
  std::vector<std::string> scratch;
  SplitCsvLine("AAA,2013J,,4", &f, &scratch);
  EXPECT_THAT(f, ElementsAre("AAA", "2013J", "", "4"));
  SplitCsvLine(R"(1,"East, ""Anglian"" Region",x)", &f, &scratch);
  EXPECT_THAT(f, ElementsAre("1", "East, \"Anglian\" Region", "x"));
}

TEST(Oulad, StreamsZstdLinesAcrossBlocks) {
  std::string dir = TempDir("lines");
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "line " + std::to_string(i) + "\n";
  text += "last without newline";
  WriteZstd(dir + "/a.zst", text);
  int64_t count = 0;
  std::string last;
  ASSERT_TRUE(ForEachZstdLine(dir + "/a.zst", [&](std::string_view line) {
                if (count == 54321) {
                  EXPECT_EQ(line, "line 54321");
                }
                ++count;
                last = std::string(line);
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(count, 100001);
  EXPECT_EQ(last, "last without newline");
}

TEST(Oulad, ZstdErrorsAreSpecific) {
  std::string dir = TempDir("errors");
  auto ignore = [](std::string_view) { return absl::OkStatus(); };
  EXPECT_EQ(ForEachZstdLine(dir + "/missing.zst", ignore).code(),
            absl::StatusCode::kNotFound);
  {
    std::ofstream f(dir + "/plain.zst");
    f << "not compressed\n";
  }
  EXPECT_EQ(ForEachZstdLine(dir + "/plain.zst", ignore).code(),
            absl::StatusCode::kDataLoss);
  // A file cut in the middle is truncated, not silently short.
  WriteZstd(dir + "/whole.zst", std::string(200000, 'x') + "\n");
  std::string bytes;
  {
    std::ifstream f(dir + "/whole.zst", std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), {});
  }
  {
    std::ofstream f(dir + "/cut.zst", std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }
  EXPECT_EQ(ForEachZstdLine(dir + "/cut.zst", ignore).code(),
            absl::StatusCode::kDataLoss);
  // An error from the callback stops the stream and comes back unchanged.
  WriteZstd(dir + "/two.zst", "a\nb\n");
  int calls = 0;
  absl::Status s = ForEachZstdLine(dir + "/two.zst", [&](std::string_view) {
    ++calls;
    return absl::CancelledError("stop");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(calls, 1);
}

TEST(Oulad, LoadsOnlyTheRequestedPresentation) {
  std::string dir = WriteTinyDataset("load");
  auto p = LoadPresentation(dir, *ParsePresentationCode("XYZ_2014J"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->length_days, 100);
  EXPECT_EQ(p->start_ms, 1412121600000);
  EXPECT_EQ(p->sites.size(), 8u);
  EXPECT_EQ(p->assessments.size(), 2u);
  EXPECT_EQ(p->registrations.size(), 3u);
  EXPECT_EQ(p->students.size(), 3u);
  EXPECT_EQ(p->results.size(), 3u);  // 502 belongs to XYZ_2013B
  EXPECT_EQ(p->vle.size(), 10u);
  EXPECT_EQ(p->sites[1].week_from, 2);
  EXPECT_EQ(p->sites[1].week_to, 3);
  EXPECT_FALSE(p->sites[2].week_from.has_value());
  EXPECT_FALSE(p->registrations[2].date_registration.has_value());
  EXPECT_EQ(p->registrations[1].date_unregistration, 40);
  EXPECT_FALSE(p->results[2].score.has_value());

  EXPECT_EQ(LoadPresentation(dir, *ParsePresentationCode("QQQ_2014J"))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(
      LoadPresentation(dir + "/nowhere", *ParsePresentationCode("XYZ_2014J"))
          .status()
          .code(),
      absl::StatusCode::kNotFound);
}

TEST(Oulad, LoadsSeveralPresentationsInOnePass) {
  std::string dir = WriteTinyDataset("load-several");
  const PresentationCode a = *ParsePresentationCode("XYZ_2013B");
  const PresentationCode b = *ParsePresentationCode("XYZ_2014J");
  auto both = LoadPresentations(dir, {a, b});
  ASSERT_TRUE(both.ok()) << both.status();
  ASSERT_EQ(both->size(), 2u);
  // In the order asked for, each as it is loaded alone.
  for (size_t i = 0; i < 2; ++i) {
    const Presentation& got = (*both)[i];
    auto alone = LoadPresentation(dir, i == 0 ? a : b);
    ASSERT_TRUE(alone.ok()) << alone.status();
    EXPECT_EQ(got.code.Name(), alone->code.Name());
    EXPECT_EQ(got.length_days, alone->length_days);
    EXPECT_EQ(got.start_ms, alone->start_ms);
    EXPECT_EQ(got.sites.size(), alone->sites.size());
    EXPECT_EQ(got.assessments.size(), alone->assessments.size());
    EXPECT_EQ(got.registrations.size(), alone->registrations.size());
    EXPECT_EQ(got.students.size(), alone->students.size());
    EXPECT_EQ(got.results.size(), alone->results.size());
    ASSERT_EQ(got.vle.size(), alone->vle.size());
    for (size_t r = 0; r < got.vle.size(); ++r) {
      EXPECT_EQ(got.vle[r].student, alone->vle[r].student);
      EXPECT_EQ(got.vle[r].site, alone->vle[r].site);
      EXPECT_EQ(got.vle[r].date, alone->vle[r].date);
      EXPECT_EQ(got.vle[r].sum_click, alone->vle[r].sum_click);
    }
  }
  EXPECT_EQ((*both)[0].code.Name(), "XYZ_2013B");
  EXPECT_EQ((*both)[0].length_days, 90);
  EXPECT_EQ((*both)[0].sites.size(), 1u);
  ASSERT_EQ((*both)[0].results.size(), 1u);
  EXPECT_EQ((*both)[0].results[0].assessment, 502);
  EXPECT_EQ((*both)[0].vle.size(), 1u);
  EXPECT_EQ((*both)[1].vle.size(), 10u);

  auto twice = LoadPresentations(dir, {b, a, b});
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(twice.status().message()), HasSubstr("XYZ_2014J"));
  auto unknown =
      LoadPresentations(dir, {b, *ParsePresentationCode("QQQ_2014J")});
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr("QQQ_2014J"));
  auto none = LoadPresentations(dir, {});
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
}

TEST(Oulad, ListsThePresentationsOfCoursesCsv) {
  std::string dir = WriteTinyDataset("list");
  auto listed = ListPresentations(dir);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].code.Name(), "XYZ_2014J");
  EXPECT_EQ((*listed)[0].length_days, 100);
  EXPECT_EQ((*listed)[1].code.Name(), "XYZ_2013B");
  EXPECT_EQ((*listed)[1].length_days, 90);
  EXPECT_EQ(ListPresentations(dir + "/nowhere").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(Oulad, BadRowsNameFileLineAndColumn) {
  std::string dir = WriteTinyDataset("bad");
  WriteZstd(dir + "/studentVle.csv.zst",
            "code_module,code_presentation,id_student,id_site,date,sum_click\n"
            "XYZ,2014J,1,10,0,3\n"
            "XYZ,2014J,1,10,zero,3\n");
  auto p = LoadPresentation(dir, *ParsePresentationCode("XYZ_2014J"));
  EXPECT_EQ(p.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(p.status().message()),
              HasSubstr("studentVle.csv: line 3: date"));
  WriteZstd(dir + "/studentVle.csv.zst", "code_module,code_presentation\n");
  p = LoadPresentation(dir, *ParsePresentationCode("XYZ_2014J"));
  EXPECT_EQ(p.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(p.status().message()), HasSubstr("id_student"));
}

TEST(Oulad, MapsActivityTypes) {
  using model::Mode;
  using model::ObjectType;
  EXPECT_EQ(MapActivityType("oucontent", false).type, ObjectType::kModule);
  EXPECT_EQ(MapActivityType("oucontent", false).mode, Mode::kStructured);
  EXPECT_EQ(MapActivityType("forumng", false).type, ObjectType::kDiscussion);
  EXPECT_EQ(MapActivityType("forumng", true).mode, Mode::kSelfDirected);
  EXPECT_EQ(MapActivityType("ouwiki", false).type, ObjectType::kWiki);
  EXPECT_EQ(MapActivityType("glossary", false).type, ObjectType::kGlossary);
  EXPECT_EQ(MapActivityType("quiz", false).type, ObjectType::kAssessment);
  EXPECT_EQ(MapActivityType("externalquiz", false).mode, Mode::kStructured);
  EXPECT_EQ(MapActivityType("oucollaborate", false).type,
            ObjectType::kLiveSession);
  EXPECT_TRUE(MapActivityType("ouelluminate", false).interactive);
  EXPECT_EQ(MapActivityType("ouelluminate", false).mode, Mode::kBlended);
  EXPECT_EQ(MapActivityType("questionnaire", false).type, ObjectType::kSurvey);
  EXPECT_EQ(MapActivityType("homepage", false).type, ObjectType::kCourse);
  EXPECT_EQ(MapActivityType("subpage", false).type, ObjectType::kModule);
  EXPECT_EQ(MapActivityType("dataplus", false).type, ObjectType::kModule);
  // Reading material: set for a week is structured, otherwise optional.
  EXPECT_EQ(MapActivityType("resource", true).mode, Mode::kStructured);
  EXPECT_EQ(MapActivityType("url", false).mode, Mode::kSelfDirected);
  EXPECT_EQ(MapActivityType("dualpane", false).type, ObjectType::kResource);
  EXPECT_EQ(MapActivityType("something-new", false).mode, Mode::kBlended);
}

TEST(Oulad, CatalogueHasCourseSitesAssessmentsAndValidPaths) {
  std::string dir = WriteTinyDataset("catalogue");
  auto p = LoadPresentation(dir, *ParsePresentationCode("XYZ_2014J"));
  ASSERT_TRUE(p.ok()) << p.status();
  learning::CatalogueFile c = BuildCatalogue(*p);
  ASSERT_EQ(c.activities.size(), 1u + 8u + 2u);
  const learning::Activity& course = c.activities[0];
  EXPECT_EQ(course.id, "https://oulad.example/XYZ/2014J");
  EXPECT_EQ(course.type, model::ObjectType::kCourse);
  EXPECT_TRUE(course.self_enrol);
  std::map<std::string, const learning::Activity*> by_id;
  for (const auto& a : c.activities) {
    EXPECT_TRUE(learning::ValidateActivity(a).ok()) << a.id;
    by_id[a.id] = &a;
  }
  const auto* forum = by_id.at("https://oulad.example/XYZ/2014J/site/12");
  EXPECT_EQ(forum->type, model::ObjectType::kDiscussion);
  EXPECT_EQ(forum->mode, model::Mode::kSelfDirected);
  EXPECT_EQ(forum->title, "XYZ 2014J: Discussion forum 12");
  EXPECT_EQ(by_id.at("https://oulad.example/XYZ/2014J/site/11")->title,
            "XYZ 2014J: Course content 11 (weeks 2-3)");
  const auto* tma = by_id.at("https://oulad.example/XYZ/2014J/assessment/500");
  EXPECT_TRUE(tma->required);
  EXPECT_EQ(tma->type, model::ObjectType::kAssessment);

  // One TMA: one path, content by week, the forum in the middle, the quiz
  // (first opened before the TMA) and the TMA last.
  ASSERT_EQ(c.paths.size(), 1u);
  std::vector<std::string> steps;
  for (const auto& s : c.paths[0].steps) steps.push_back(s.activity_id);
  const std::string base = "https://oulad.example/XYZ/2014J/";
  EXPECT_THAT(steps, ElementsAre(base + "site/10", base + "site/11",
                                 base + "site/12", base + "site/15",
                                 base + "site/13", base + "assessment/500"));
  EXPECT_EQ(c.paths[0].steps[2].mode, model::Mode::kSelfDirected);
  EXPECT_EQ(c.paths[0].steps[0].mode, model::Mode::kStructured);
  auto built = learning::Catalogue::Build(c.activities, c.paths);
  EXPECT_TRUE(built.ok()) << built.status();
}

TEST(Oulad, EventsFollowTheMappingInTimeOrder) {
  std::string dir = WriteTinyDataset("events");
  auto p = LoadPresentation(dir, *ParsePresentationCode("XYZ_2014J"));
  ASSERT_TRUE(p.ok()) << p.status();
  EventPlan plan(*p);
  std::vector<model::LearningEvent> events;
  for (const EventRef& ref : plan.events()) events.push_back(plan.Make(ref));
  // 2 enrolments + 1 unenrolment + 10 clicks + 3 submissions + 2 scores
  // + 1 completion (Pass).
  ASSERT_EQ(events.size(), 19u);
  std::set<std::string> ids;
  const int64_t now = p->start_ms + 1000 * kDayMs;
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    EXPECT_TRUE(model::ValidateEvent(e, now).ok())
        << i << ": " << model::ValidateEvent(e, now);
    ids.insert(e.event_id);
    if (i > 0) {
      EXPECT_LE(events[i - 1].occurred_at_ms, e.occurred_at_ms);
    }
  }
  EXPECT_EQ(ids.size(), events.size()) << "ids must be unique";

  const auto& enrolled = events[0];  // student 1, day -10, 08:00
  EXPECT_EQ(enrolled.verb, model::Verb::kEnrolled);
  EXPECT_EQ(enrolled.initiator, model::Initiator::kSelf);
  EXPECT_EQ(enrolled.context.enrolment_method, model::EnrolmentMethod::kSelf);
  EXPECT_EQ(enrolled.learner.key, "oulad.example#1");
  EXPECT_EQ(enrolled.learner.org_unit, "Scotland");
  EXPECT_EQ(model::FormatTimestamp(enrolled.occurred_at_ms),
            "2014-09-21T08:00:00.000Z");
  EXPECT_EQ(enrolled.object.id, "https://oulad.example/XYZ/2014J");

  std::map<model::Verb, int> verbs;
  for (const auto& e : events) ++verbs[e.verb];
  EXPECT_EQ(verbs[model::Verb::kViewed], 9);
  EXPECT_EQ(verbs[model::Verb::kInteracted], 1);  // the Elluminate session
  EXPECT_EQ(verbs[model::Verb::kUnenrolled], 1);
  EXPECT_EQ(verbs[model::Verb::kSubmitted], 3);
  EXPECT_EQ(verbs[model::Verb::kPassed], 1);  // exactly 40
  EXPECT_EQ(verbs[model::Verb::kFailed], 1);  // 39
  EXPECT_EQ(verbs[model::Verb::kCompleted], 1);
  EXPECT_EQ(verbs[model::Verb::kPosted], 0);

  // The three clicks of student 1 on site 10, day 0: three events, the two
  // identical rows told apart by their ordinal.
  std::vector<const model::LearningEvent*> day0;
  for (const auto& e : events) {
    if (e.object.id == "https://oulad.example/XYZ/2014J/site/10" &&
        e.learner.key == "oulad.example#1") {
      day0.push_back(&e);
    }
  }
  ASSERT_EQ(day0.size(), 3u);
  EXPECT_EQ(model::FormatTimestamp(day0[0]->occurred_at_ms),
            "2014-10-01T12:00:00.000Z");
  EXPECT_EQ(day0[0]->extensions.at("oulad.sum_click"), "3");
  EXPECT_EQ(day0[1]->extensions.at("oulad.sum_click"), "3");
  EXPECT_EQ(day0[2]->extensions.at("oulad.sum_click"), "5");
  EXPECT_NE(day0[0]->event_id, day0[1]->event_id);
  EXPECT_EQ(day0[0]->object.type, model::ObjectType::kModule);
  EXPECT_EQ(day0[0]->context.parents,
            std::vector<std::string>{"https://oulad.example/XYZ/2014J"});

  for (const auto& e : events) {
    if (e.verb == model::Verb::kPassed) {
      EXPECT_EQ(e.object.id, "https://oulad.example/XYZ/2014J/assessment/500");
      EXPECT_EQ(e.result.score_scaled, 0.4);
      EXPECT_EQ(e.result.success, model::Tristate::kYes);
      EXPECT_EQ(e.initiator, model::Initiator::kStaff);  // a TMA
      EXPECT_EQ(model::FormatTimestamp(e.occurred_at_ms),
                "2014-10-30T17:00:00.000Z");
    }
    if (e.verb == model::Verb::kCompleted) {
      EXPECT_EQ(e.learner.key, "oulad.example#1");
      EXPECT_EQ(e.object.type, model::ObjectType::kCourse);
      EXPECT_EQ(model::FormatTimestamp(e.occurred_at_ms),
                "2015-01-09T22:00:00.000Z");  // day 100
    }
    // No personal attribute besides the region.
    for (const auto& [key, value] : e.extensions) {
      EXPECT_EQ(key.rfind("oulad.", 0), 0u);
      EXPECT_NE(value, "F");
      EXPECT_NE(value, "A Level");
    }
  }

  // Deterministic: a second plan gives the same ids; a shifted replay
  // other ids.
  EventPlan again(*p);
  EXPECT_EQ(again.Make(again.events()[5]).event_id, events[5].event_id);
  EventOptions shifted;
  shifted.shift_ms = 7 * kDayMs;
  model::LearningEvent moved = plan.Make(plan.events()[5], shifted);
  EXPECT_EQ(moved.occurred_at_ms, events[5].occurred_at_ms + 7 * kDayMs);
  EXPECT_NE(moved.event_id, events[5].event_id);
}

// Real rows of the shipped dataset (GGG 2014J, the smallest presentation).
TEST(Oulad, ReadsRealRowsOfGgg2014J) {
  const std::string dir = std::string(POLKU_SHARED_DIR) + "/datasets/oulad";
  if (!std::filesystem::exists(dir + "/studentVle.csv.zst")) {
    GTEST_SKIP() << "the OULAD dataset is not at " << dir;
  }
  auto p = LoadPresentation(dir, *ParsePresentationCode("GGG_2014J"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->length_days, 269);
  EXPECT_EQ(p->sites.size(), 106u);
  EXPECT_EQ(p->assessments.size(), 10u);
  EXPECT_EQ(p->students.size(), 749u);
  EXPECT_EQ(p->vle.size(), 117859u);
  EXPECT_EQ(p->results.size(), 4373u);
  EXPECT_EQ(p->vle[0].student, 342946);  // GGG,2014J,342946,897050,-16,1
  EXPECT_EQ(p->vle[0].site, 897050);
  EXPECT_EQ(p->vle[0].date, -16);
  EXPECT_EQ(p->students[0].student, 31205);
  EXPECT_EQ(p->students[0].region, "East Midlands Region");
  EXPECT_EQ(p->students[0].final_result, "Fail");

  learning::CatalogueFile c = BuildCatalogue(*p);
  EXPECT_EQ(c.activities.size(), 1u + 106u + 10u);
  EXPECT_FALSE(c.paths.empty());
  for (const auto& path : c.paths) {
    std::set<model::Mode> modes;
    for (const auto& s : path.steps) modes.insert(s.mode);
    EXPECT_TRUE(modes.count(model::Mode::kStructured)) << path.id;
    EXPECT_TRUE(modes.count(model::Mode::kSelfDirected)) << path.id;
  }
  EXPECT_TRUE(learning::Catalogue::Build(c.activities, c.paths).ok());

  EventPlan plan(*p);
  // First registration row: GGG,2014J,31205,-31, -> ENROLLED 2014-08-31.
  bool found = false;
  for (const EventRef& ref : plan.events()) {
    if (ref.kind == EventKind::kEnrolled && ref.student == 31205) {
      model::LearningEvent e = plan.Make(ref);
      EXPECT_EQ(model::FormatTimestamp(e.occurred_at_ms),
                "2014-08-31T08:00:00.000Z");
      EXPECT_EQ(e.learner.key, "oulad.example#31205");
      EXPECT_EQ(e.learner.org_unit, "East Midlands Region");
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace polku::oulad
