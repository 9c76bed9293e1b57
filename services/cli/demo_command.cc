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

bool ReadPem(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream buf;
  buf << in.rdbuf();
  *out = buf.str();
  return !out->empty();
}

// The same channel rules as `polku health` and `polku ingest`.
std::shared_ptr<grpc::Channel> MakeChannel(const CommandFlags& flags,
                                           std::string* error) {
  const std::string address = flags.Get("address", "127.0.0.1:50051");
  const std::string ca_file = flags.Get("ca_file", "");
  const std::string cert_file = flags.Get("cert_file", "");
  const std::string key_file = flags.Get("key_file", "");
  const bool tls = flags.Has("tls") && flags.Get("tls", "") != "false";
  if (!tls && ca_file.empty() && cert_file.empty() && key_file.empty()) {
    return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  }
  if (cert_file.empty() != key_file.empty()) {
    *error = "--cert_file and --key_file go together (mutual TLS)";
    return nullptr;
  }
  grpc::SslCredentialsOptions options;
  for (const auto& [flag, path, out] :
       {std::tuple<const char*, std::string, std::string*>{
            "--ca_file", ca_file, &options.pem_root_certs},
        {"--cert_file", cert_file, &options.pem_cert_chain},
        {"--key_file", key_file, &options.pem_private_key}}) {
    if (path.empty()) continue;
    if (!ReadPem(path, out)) {
      *error = std::string(flag) + ": cannot read '" + path + "'";
      return nullptr;
    }
  }
  grpc::ChannelArguments channel_args;
  const std::string server_name = flags.Get("server_name", "");
  if (!server_name.empty()) channel_args.SetSslTargetNameOverride(server_name);
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(options),
                                   channel_args);
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

v1::ObjectType ToProtoType(model::ObjectType t) {
  v1::ObjectType out = v1::OBJECT_TYPE_UNSPECIFIED;
  v1::ObjectType_Parse("OBJECT_TYPE_" + std::string(model::ObjectTypeName(t)),
                       &out);
  return out;
}

v1::Mode ToProtoMode(model::Mode m) {
  v1::Mode out = v1::MODE_UNSPECIFIED;
  v1::Mode_Parse("MODE_" + std::string(model::ModeName(m)), &out);
  return out;
}

void ToProto(const learning::Activity& a, v1::Activity* out) {
  out->set_id(a.id);
  out->set_title(a.title);
  out->set_url(a.url);
  out->set_type(ToProtoType(a.type));
  out->set_visible(a.visible);
  out->set_required(a.required);
  for (const auto& c : a.competencies) out->add_competencies(c);
  for (const auto& g : a.goal_ids) out->add_goal_ids(g);
  out->set_mode(ToProtoMode(a.mode));
  out->set_self_enrol(a.self_enrol);
}

void ToProto(const learning::LearningPath& p, v1::LearningPath* out) {
  out->set_id(p.id);
  out->set_title(p.title);
  out->set_goal_id(p.goal_id);
  for (const auto& s : p.steps) {
    v1::PathStep* step = out->add_steps();
    step->set_activity_id(s.activity_id);
    step->set_mode(ToProtoMode(s.mode));
    for (const auto& alt : s.alternative_activity_ids) {
      step->add_alternative_activity_ids(alt);
    }
    step->set_optional(s.optional);
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
      ToProto(catalogue.activities[j], request.add_activities());
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
    for (const auto& path : catalogue.paths) ToProto(path, request.add_paths());
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
