// Test-only helpers shared by the ingest tests (header-only: it is compiled
// into polku_ingest_test and nothing else).
//
// - Fixtures: the shared fixtures of ../shared/fixtures (README there says
//   where each set comes from), read and listed in a stable order.
// - Variants: Edit() and EditUnique() make a variant of a real fixture by
//   replacing text, and fail the test when the text to replace is missing,
//   so a variant never silently becomes the fixture itself.
// - Personal data: PersonalValues() collects what a source document says
//   about people (names, e-mails, usernames, IP addresses, user agents,
//   session ids, free text a person wrote) and ExpectNoPersonalValues()
//   checks that none of it reached a normalised event.
#ifndef POLKU_INGEST_TEST_SUPPORT_H_
#define POLKU_INGEST_TEST_SUPPORT_H_

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/strings.h"
#include "gtest/gtest.h"
#include "ingest/normaliser.h"
#include "ingest/source_event.h"
#include "model/event_codec.h"
#include "model/learning_event.h"

namespace polku::ingest::test_support {

namespace fs = std::filesystem;

// ------------------------------------------------------------------ files

// ../shared/fixtures.
inline fs::path FixtureRoot() {
  return fs::path(POLKU_SHARED_DIR) / "fixtures";
}

// The whole file; "" when it cannot be read.
inline std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A fixture by its path under FixtureRoot(); the test fails when it is
// missing or empty.
inline std::string ReadFixture(std::string_view relative) {
  std::string text = ReadFile(FixtureRoot() / std::string(relative));
  EXPECT_FALSE(text.empty()) << "missing fixture " << relative;
  return text;
}

// Every file called `name` under `root` (recursively), sorted.
inline std::vector<fs::path> FilesNamed(const fs::path& root,
                                        std::string_view name) {
  std::vector<fs::path> out;
  if (!fs::is_directory(root)) return out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().filename() == name) {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Every *.json file directly in `dir`, sorted.
inline std::vector<fs::path> JsonFiles(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// ---------------------------------------------------------------- variants

// Replaces the first `from` in `text`; the test fails when it is missing.
inline std::string Edit(std::string text, std::string_view from,
                        std::string_view to) {
  size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << "not in the text: " << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

// As Edit, and the test also fails when `from` occurs more than once.
inline std::string EditUnique(std::string text, std::string_view from,
                              std::string_view to) {
  size_t pos = text.find(from);
  if (pos != std::string::npos) {
    EXPECT_EQ(text.find(from, pos + 1), std::string::npos)
        << "not unique in the text: " << from;
  }
  return Edit(std::move(text), from, to);
}

// ------------------------------------------------------------ normalising

inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline SourceEvent MakeSource(SourceFormat format, std::string payload,
                              std::string instance = "") {
  SourceEvent s;
  s.format = format;
  s.payload = std::move(payload);
  s.enrichment.instance = std::move(instance);
  return s;
}

// Normalise() into a fresh vector; on error the vector must stay empty
// (the contract of normaliser.h).
inline absl::StatusOr<std::vector<model::LearningEvent>> NormaliseAll(
    std::string_view tenant, const SourceEvent& source) {
  std::vector<model::LearningEvent> out;
  absl::Status s = Normalise(tenant, source, out);
  if (!s.ok()) {
    EXPECT_TRUE(out.empty()) << "events appended on error: " << s;
    return s;
  }
  return out;
}

// A Moodle core event about a learner that the fixtures lack (competency,
// evidence and learning-plan events), derived from
// moodle/core/badge_awarded/user_achieved_badge/event.json (a core event
// about learner 1): the event name, the object table, the users
// (`users` replaces "\"relateduserid\": 1," and must end with a comma) and
// `other` (JSON text) are replaced; courseid 2, objectid 1 and timecreated
// stay.
inline std::string DeriveMoodleCoreEvent(std::string_view name,
                                         std::string_view table,
                                         std::string_view users,
                                         std::string_view other) {
  std::string text =
      ReadFixture("moodle/core/badge_awarded/user_achieved_badge/event.json");
  text = Edit(text, "badge_awarded", name);
  text = Edit(text, "\"objecttable\": \"badge\"",
              std::string("\"objecttable\": \"") + std::string(table) + "\"");
  text = Edit(text, "\"relateduserid\": 1,", users);
  text = Edit(text, R"("other": "a:1:{s:13:\"badgeissuedid\";i:2;}")",
              std::string("\"other\": ") + std::string(other));
  return text;
}

// What the Moodle adapter sends beside the event.json of a Moodle fixture
// directory, read from the files beside it as the adapter reads them from
// Moodle's database: the wwwroot ("http://www.example.org", as in the
// statements), the module name of a core event about a course module
// (extension "moodle.modname", from the statements' /mod/<module>/ IRI)
// and, for an updated enrolment, user_enrolments.status (extension
// "moodle.enrolment_status", from data.json).
inline Enrichment MoodleAdapterEnrichment(const fs::path& dir) {
  Enrichment en;
  en.instance = "http://www.example.org";
  std::string statements = ReadFile(dir / "statements.json");
  if (size_t mod = statements.find("/mod/"); mod != std::string::npos) {
    size_t end = statements.find('/', mod + 5);
    if (end != std::string::npos) {
      en.extensions["moodle.modname"] =
          statements.substr(mod + 5, end - mod - 5);
    }
  }
  if (dir.filename().string().find("user_enrolment_updated") !=
          std::string::npos ||
      dir.parent_path().filename() == "user_enrolment_updated") {
    simdjson::dom::parser parser;
    simdjson::padded_string data(ReadFile(dir / "data.json"));
    simdjson::dom::element root;
    int64_t status = 0;
    if (!parser.parse(data).get(root) &&
        !root["user_enrolments"].at(0)["status"].get(status)) {
      en.extensions["moodle.enrolment_status"] = std::to_string(status);
    }
  }
  return en;
}

// As NormaliseAll, for a payload that holds one event: an error when it
// gives another number of events.
inline absl::StatusOr<model::LearningEvent> NormaliseOne(
    std::string_view tenant, const SourceEvent& source) {
  auto events = NormaliseAll(tenant, source);
  if (!events.ok()) return events.status();
  if (events->size() != 1) {
    return absl::InternalError("expected exactly one event");
  }
  return std::move((*events)[0]);
}

// ----------------------------------------------------------- personal data

namespace internal {

// Keys whose string values, at any depth below them, are about a person or
// written by one: usernames, e-mails, IP addresses, user agents, session
// ids, referrers, free-text answers and posts (xAPI result.response, Open
// edX body, answers and hint texts), Open edX pii, Moodle user rows.
inline bool IsPersonalKey(std::string_view key) {
  std::string k = common::AsciiToLower(key);
  for (std::string_view part :
       {"session", "username", "email", "mbox", "agent", "ip_address",
        "firstname", "lastname", "response", "referer", "pii", "answer"}) {
    if (common::Contains(k, part)) return true;
  }
  for (std::string_view whole :
       {"ip", "lastip", "accept_language", "client_id", "body", "hint_text",
        "question", "download_url", "current_url"}) {
    if (k == whole) return true;
  }
  return common::EndsWith(k, "/ip");
}

// An object that stands for a person: an xAPI Agent or Group (or anything
// with an inverse functional identifier), a Caliper Person, a Moodle user
// row. Its "name" is a person's name.
inline bool IsPerson(simdjson::dom::object obj) {
  for (std::string_view key :
       {"account", "mbox", "mbox_sha1sum", "openid", "firstname"}) {
    simdjson::dom::element v;
    if (!obj.at_key(key).get(v)) return true;
  }
  std::string_view type;
  if (!obj.at_key("objectType").get(type) &&
      (type == "Agent" || type == "Group")) {
    return true;
  }
  return !obj.at_key("type").get(type) && type == "Person";
}

// Members of a person that identify it the way Polku keys learners (an
// account name, a SHA-1 of an e-mail address, an OpenID, a Caliper id):
// kept, hashed or canonicalised in a learner key, so not checked here.
inline bool IsIdentifierKey(std::string_view key) {
  for (std::string_view k : {"id", "type", "objectType", "account", "homePage",
                             "mbox_sha1sum", "openid"}) {
    if (key == k) return true;
  }
  return false;
}

// Walks `e`; `personal` says whether `e` sits under a personal key or in a
// person. Personal strings go to `personal_out`, the others to
// `public_out`. `top` is true for the members of the document's root, where
// an Open edX tracking event keeps its browser form data as a string in
// "event" or "data".
inline void Collect(simdjson::dom::element e, bool personal, bool top,
                    const std::set<std::string>& extra_keys,
                    std::set<std::string>& personal_out,
                    std::vector<std::string>& public_out) {
  simdjson::dom::object obj;
  simdjson::dom::array arr;
  std::string_view s;
  if (!e.get_object().get(obj)) {
    bool person = IsPerson(obj);
    for (auto field : obj) {
      bool p = personal ||
               (!IsIdentifierKey(field.key) &&
                (IsPersonalKey(field.key) || person ||
                 extra_keys.count(std::string(field.key)) > 0)) ||
               (top && (field.key == "event" || field.key == "data") &&
                field.value.is_string());
      Collect(field.value, p, false, extra_keys, personal_out, public_out);
    }
  } else if (!e.get_array().get(arr)) {
    for (auto item : arr) {
      Collect(item, personal, false, extra_keys, personal_out, public_out);
    }
  } else if (!e.get_string().get(s) && !s.empty()) {
    if (personal) {
      personal_out.insert(std::string(s));
    } else {
      public_out.emplace_back(s);
    }
  }
}

// Every string of `e`, at any depth.
inline void AllStrings(simdjson::dom::element e,
                       std::vector<std::string>& out) {
  simdjson::dom::object obj;
  simdjson::dom::array arr;
  std::string_view s;
  if (!e.get_object().get(obj)) {
    for (auto field : obj) AllStrings(field.value, out);
  } else if (!e.get_array().get(arr)) {
    for (auto item : arr) AllStrings(item, out);
  } else if (!e.get_string().get(s)) {
    out.emplace_back(s);
  }
}

}  // namespace internal

// The personal values of a JSON document (see internal::IsPersonalKey and
// internal::IsPerson). A value that also occurs inside a string that is not
// personal (a choice answer quoting the question, a username that is part
// of a course key) cannot be told apart in the output and is left out, as
// are "true" and "false".
// `extra_keys` names more keys whose values are personal in that kind of
// document (Open edX tracking events: "title", a forum post's title).
inline std::set<std::string> PersonalValues(
    const std::string& json, const std::set<std::string>& extra_keys = {}) {
  std::set<std::string> out;
  simdjson::dom::parser parser;
  simdjson::padded_string text(json);
  simdjson::dom::element root;
  if (parser.parse(text).get(root)) {
    ADD_FAILURE() << "not JSON: " << json.substr(0, 80);
    return out;
  }
  std::vector<std::string> public_strings;
  internal::Collect(root, false, true, extra_keys, out, public_strings);
  for (auto it = out.begin(); it != out.end();) {
    bool is_public = *it == "true" || *it == "false" ||
                     std::any_of(public_strings.begin(), public_strings.end(),
                                 [&](const std::string& p) {
                                   return common::Contains(p, *it);
                                 });
    it = is_public ? out.erase(it) : std::next(it);
  }
  return out;
}

// The names, e-mail addresses and usernames of the users in a Moodle
// fixture's data.json (what logstore_xapi read from the database).
inline std::set<std::string> MoodleUserValues(const std::string& data_json) {
  std::set<std::string> out;
  simdjson::dom::parser parser;
  simdjson::padded_string text(data_json);
  simdjson::dom::element root;
  simdjson::dom::array users;
  if (parser.parse(text).get(root) || root["user"].get(users)) return out;
  for (auto user : users) {
    for (std::string_view key :
         {"firstname", "lastname", "email", "username"}) {
      std::string_view v;
      if (!user[key].get(v) && v.size() >= 4) out.insert(std::string(v));
    }
  }
  return out;
}

// Checks that no personal value reached `event`: a value of 4 bytes or more
// must not occur anywhere in its canonical JSON; a shorter one (a short
// username) must not be a whole string of it nor the user part of a key.
inline void ExpectNoPersonalValues(const model::LearningEvent& event,
                                   const std::set<std::string>& personal,
                                   std::string_view where) {
  std::string json = model::CanonicalJson(event);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  ASSERT_FALSE(parser.parse(padded).get(root)) << json;
  std::vector<std::string> all;
  internal::AllStrings(root, all);
  for (const std::string& value : personal) {
    if (value.size() >= 4) {
      EXPECT_EQ(json.find(value), std::string::npos)
          << where << " keeps personal value '" << value << "': " << json;
      continue;
    }
    for (const std::string& s : all) {
      EXPECT_NE(s, value) << where << " keeps personal value: " << json;
      EXPECT_FALSE(common::EndsWith(s, "#" + value))
          << where << " keys a learner by a username: " << json;
    }
  }
}

}  // namespace polku::ingest::test_support

#endif  // POLKU_INGEST_TEST_SUPPORT_H_
