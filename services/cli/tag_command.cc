#include "cli/tag_command.h"

#include <google/protobuf/util/json_util.h>

#include <ostream>

#include "api/convert.h"
#include "common/json_writer.h"
#include "common/str_cat.h"
#include "ingest/ingestor.h"
#include "model/event_codec.h"
#include "store/in_memory_event_store.h"

namespace polku::cli {
namespace {

void WriteError(const std::string& file, std::string_view error,
                std::ostream& out) {
  common::JsonWriter w;
  w.BeginObject();
  w.Key("file");
  w.String(file);
  w.Key("error");
  w.String(error);
  w.EndObject();
  out << w.str() << "\n";
}

absl::StatusOr<ingest::IngestItem> ToItem(const std::string& text,
                                          const TagOptions& options) {
  if (options.format == "native") {
    polku::v1::LearningEvent proto;
    auto s = google::protobuf::util::JsonStringToMessage(text, &proto);
    if (!s.ok()) {
      return absl::InvalidArgumentError(common::StrCat(
          "payload: not a LearningEvent in JSON: ", std::string(s.message())));
    }
    auto e = api::FromProto(proto);
    if (!e.ok()) return e.status();
    return ingest::IngestItem(std::move(*e));
  }
  ingest::SourceEvent source;
  source.payload = text;
  source.enrichment = options.enrichment;
  if (options.format == "moodle")
    source.format = ingest::SourceFormat::kMoodle;
  else if (options.format == "xapi")
    source.format = ingest::SourceFormat::kXapi;
  else if (options.format == "caliper")
    source.format = ingest::SourceFormat::kCaliper;
  else if (options.format == "openedx")
    source.format = ingest::SourceFormat::kOpenEdxTracking;
  else if (options.format == "openedx-signal")
    source.format = ingest::SourceFormat::kOpenEdxSignal;
  else if (options.format != "auto") {
    return absl::InvalidArgumentError(common::StrCat(
        "--format: unknown format '", options.format,
        "' (auto, native, moodle, xapi, caliper, openedx, openedx-signal)"));
  }
  return ingest::IngestItem(std::move(source));
}

}  // namespace

int TagText(const std::string& file, const std::string& text,
            const TagOptions& options, const model::TaggerRegistry& taggers,
            std::ostream& out) {
  auto item = ToItem(text, options);
  if (!item.ok()) {
    WriteError(file, std::string(item.status().message()), out);
    return 1;
  }
  store::InMemoryEventStore unused_store;
  ingest::Ingestor ingestor(&unused_store, &taggers,
                            &common::SystemClock::Get());
  std::vector<ingest::IngestItem> items;
  items.push_back(std::move(*item));
  int rejected = 0;
  for (const ingest::EventResult& r :
       ingestor.Tag(options.tenant, std::move(items))) {
    if (r.outcome == ingest::Outcome::kRejected) {
      WriteError(file, std::string(r.error.message()), out);
      ++rejected;
      continue;
    }
    // {"file":..,"event_id":..} followed by the fields of the tag.
    std::string tags = model::TagsJson(r.tags, options.locale);
    common::JsonWriter w;
    w.BeginObject();
    w.Key("file");
    w.String(file);
    w.Key("event_id");
    w.String(r.event.event_id);
    std::string head = w.Take();
    out << head << "," << tags.substr(1) << "\n";
  }
  return rejected;
}

}  // namespace polku::cli
