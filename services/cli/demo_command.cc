#include "cli/demo_command.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "api/convert.h"
#include "cli/channel.h"
#include "cli/eval_command.h"
#include "oulad/oulad.h"
#include "polku/v1/catalogue_service.grpc.pb.h"
#include "polku/v1/event_service.grpc.pb.h"

namespace polku::cli {
namespace {

namespace v1 = polku::v1;

constexpr char kDemoUsage[] =
    R"(Usage: polku demo oulad [flags]

Loads one OULAD presentation into a running server: its VLE sites,
assessments and example learning paths into the catalogue, and its
registrations, clicks, assessment results and final results as events.

  --presentation=CODE  e.g. AAA_2014J (default GGG_2014J, the smallest)
  --address=HOST:PORT  the server (default 127.0.0.1:50051)
  --tenant=T           (default demo; sent as x-polku-tenant in development
                       mode, or checked against the key's tenant)
  --api_key=KEY        a key with catalogue:write and events:write
  --tls --ca_file=PEM --cert_file=PEM --key_file=PEM --server_name=NAME
                       as for `polku ingest`
  --data=DIR           the OULAD *.csv.zst files
  --recent=false       keep the dataset's own dates (default: shift the
                       presentation in whole days so it ends yesterday)
  --chunk=N            events per acknowledged chunk (default 2000)
)";

// The same channel rules as `polku health` and `polku ingest`.
std::shared_ptr<grpc::Channel> MakeChannel(const CommandFlags& flags,
                                           std::string* error) {
  ChannelFlags channel;
  channel.address = flags.Get("address", "127.0.0.1:50051");
  channel.tls = flags.Has("tls") && flags.Get("tls", "") != "false";
  channel.ca_file = flags.Get("ca_file", "");
  channel.cert_file = flags.Get("cert_file", "");
  channel.key_file = flags.Get("key_file", "");
  channel.server_name = flags.Get("server_name", "");
  return cli::MakeChannel(channel, error);
}

// Credentials and tenant, as `polku ingest` sends them.
void Authorise(const CommandFlags& flags, grpc::ClientContext* context) {
  const std::string key = flags.Get("api_key", "");
  if (!key.empty()) {
    context->AddMetadata("authorization", "Bearer " + key);
    if (flags.Has("tenant")) {
      context->AddMetadata("x-polku-tenant", flags.Get("tenant", ""));
    }
  } else {
    context->AddMetadata("x-polku-tenant", flags.Get("tenant", "demo"));
  }
}

int Fail(const std::string& what, const grpc::Status& status) {
  std::cerr << "polku demo oulad: " << what << ": " << status.error_message()
            << "\n";
  return 1;
}

// Whole days that move the presentation's last day to yesterday (UTC).
int64_t RecentShiftMs(const oulad::Presentation& p) {
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const int64_t today = now / oulad::kDayMs * oulad::kDayMs;
  const int64_t last_day = p.start_ms + p.length_days * oulad::kDayMs;
  return today - oulad::kDayMs - last_day;
}

}  // namespace

int DemoCommand(int argc, char** argv) {
  CommandFlags flags = ParseCommandFlags(argc, argv);
  if (flags.Has("help") ||
      (!flags.positional.empty() && flags.positional[0] == "help")) {
    std::cout << kDemoUsage;
    return 0;
  }
  if (flags.positional.size() != 1 || flags.positional[0] != "oulad") {
    std::cerr << "polku demo: the only demo is 'oulad'\n" << kDemoUsage;
    return 2;
  }
  auto code = oulad::ParsePresentationCode(
      flags.Get("presentation", kDefaultDemoPresentation));
  if (!code.ok()) {
    std::cerr << "polku demo oulad: --presentation: " << code.status().message()
              << "\n";
    return 2;
  }
  const int chunk = std::atoi(flags.Get("chunk", "2000").c_str());
  if (chunk < 1 || chunk > 10000) {
    std::cerr << "polku demo oulad: --chunk: must be between 1 and 10000\n";
    return 2;
  }
  std::string error;
  auto channel = MakeChannel(flags, &error);
  if (channel == nullptr) {
    std::cerr << "polku demo oulad: " << error << "\n";
    return 2;
  }
  const std::string data = OuladDataDir(flags);
  auto p = oulad::LoadPresentation(data, *code);
  if (!p.ok()) {
    std::cerr << "polku demo oulad: " << p.status().message() << "\n";
    return 2;
  }
  oulad::EventOptions event_options;
  if (flags.Get("recent", "true") != "false") {
    event_options.shift_ms = RecentShiftMs(*p);
  }

  // The catalogue first, so events find their activities.
  learning::CatalogueFile catalogue = oulad::BuildCatalogue(*p);
  auto catalogue_stub = v1::CatalogueService::NewStub(channel);
  constexpr size_t kActivitiesPerCall = 500;
  for (size_t i = 0; i < catalogue.activities.size(); i += kActivitiesPerCall) {
    v1::UpsertActivitiesRequest request;
    for (size_t j = i;
         j < catalogue.activities.size() && j < i + kActivitiesPerCall; ++j) {
      api::ToProto(catalogue.activities[j], request.add_activities());
    }
    grpc::ClientContext context;
    Authorise(flags, &context);
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(60));
    v1::UpsertActivitiesResponse response;
    grpc::Status s =
        catalogue_stub->UpsertActivities(&context, request, &response);
    if (!s.ok()) return Fail("UpsertActivities", s);
  }
  {
    v1::UpsertPathsRequest request;
    for (const auto& path : catalogue.paths) {
      api::ToProto(path, request.add_paths());
    }
    grpc::ClientContext context;
    Authorise(flags, &context);
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(60));
    v1::UpsertPathsResponse response;
    grpc::Status s = catalogue_stub->UpsertPaths(&context, request, &response);
    if (!s.ok()) return Fail("UpsertPaths", s);
  }
  std::cout << code->Name() << ": " << catalogue.activities.size()
            << " activities and " << catalogue.paths.size()
            << " learning paths upserted\n";

  // The events, chunk by chunk; each chunk is acknowledged once committed.
  const oulad::EventPlan plan(*p);
  auto event_stub = v1::EventService::NewStub(channel);
  grpc::ClientContext context;
  Authorise(flags, &context);
  auto stream = event_stub->IngestStream(&context);
  int64_t accepted = 0;
  int64_t duplicates = 0;
  int64_t rejected = 0;
  std::string first_error;
  std::map<int64_t, int64_t> clicks_by_student;
  const auto& refs = plan.events();
  int64_t chunk_id = 0;
  for (size_t i = 0; i < refs.size();) {
    v1::IngestStreamRequest request;
    request.set_chunk_id(++chunk_id);
    for (; i < refs.size() && request.events_size() < chunk; ++i) {
      if (refs[i].kind == oulad::EventKind::kVle) {
        ++clicks_by_student[refs[i].student];
      }
      api::ToProto(plan.Make(refs[i], event_options),
                   request.add_events()->mutable_native());
    }
    v1::IngestStreamResponse ack;
    if (!stream->Write(request) || !stream->Read(&ack)) break;
    accepted += ack.accepted();
    duplicates += ack.duplicates();
    rejected += ack.rejected();
    for (const auto& r : ack.results()) {
      if (first_error.empty() && !r.error().message().empty()) {
        first_error = r.error().message();
      }
    }
  }
  stream->WritesDone();
  grpc::Status status = stream->Finish();
  if (!status.ok()) return Fail("IngestStream", status);
  std::cout << code->Name() << ": " << refs.size()
            << " events sent: " << accepted << " accepted, " << duplicates
            << " duplicates, " << rejected << " rejected\n";
  if (!first_error.empty()) {
    std::cout << "  first rejection: " << first_error << "\n";
  }

  // A few learners worth asking about: the most active, one who passed,
  // one who withdrew.
  std::vector<std::pair<int64_t, int64_t>> active(clicks_by_student.begin(),
                                                  clicks_by_student.end());
  std::sort(active.begin(), active.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::cout << "Learners to try (tenant " << flags.Get("tenant", "demo")
            << "):\n";
  if (!active.empty()) {
    std::cout << "  " << oulad::OuladLearnerKey(active[0].first)
              << "  the most active (" << active[0].second << " VLE rows)\n";
  }
  for (const char* result : {"Distinction", "Pass", "Withdrawn", "Fail"}) {
    for (const oulad::StudentInfo& s : p->students) {
      if (s.final_result != result || clicks_by_student.count(s.student) == 0) {
        continue;
      }
      std::cout << "  " << oulad::OuladLearnerKey(s.student)
                << "  final result " << result << " ("
                << clicks_by_student[s.student] << " VLE rows)\n";
      break;
    }
  }
  return rejected == 0 ? 0 : 1;
}

}  // namespace polku::cli
