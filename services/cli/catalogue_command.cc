#include "cli/catalogue_command.h"

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unordered_set>

#include "api/convert.h"
#include "learning/catalogue.h"
#include "polku/v1/catalogue_service.grpc.pb.h"

namespace polku::cli {
namespace {

namespace v1 = ::polku::v1;

constexpr int kChunk = 1000;

std::unique_ptr<grpc::ClientContext> Context(const Authorize& authorize) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  authorize(ctx.get());
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(60));
  return ctx;
}

}  // namespace

int CatalogueLoad(const std::string& path,
                  const std::shared_ptr<grpc::Channel>& channel,
                  const Authorize& authorize, std::ostream& out,
                  std::ostream& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << "polku catalogue load: " << path << ": cannot be read\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto file = learning::ParseCatalogueYaml(text.str(), path);
  if (!file.ok()) {
    err << "polku catalogue load: " << file.status().message() << "\n";
    return 2;
  }
  auto stub = v1::CatalogueService::NewStub(channel);

  // What the server already holds, so paths may name stored activities.
  std::unordered_set<std::string> known;
  for (const learning::Activity& a : file->activities) known.insert(a.id);
  std::string token;
  do {
    v1::ListActivitiesRequest req;
    req.set_page_size(1000);
    req.set_page_token(token);
    v1::ListActivitiesResponse resp;
    auto ctx = Context(authorize);
    grpc::Status s = stub->ListActivities(ctx.get(), req, &resp);
    if (!s.ok()) {
      err << "polku catalogue load: listing the stored activities: "
          << s.error_message() << "\n";
      return 1;
    }
    for (const v1::Activity& a : resp.activities()) known.insert(a.id());
    token = resp.next_page_token();
  } while (!token.empty());
  auto is_known = [&known](std::string_view id) {
    return known.count(std::string(id)) > 0;
  };
  for (size_t i = 0; i < file->paths.size(); ++i) {
    if (auto s = learning::ValidatePath(file->paths[i], is_known); !s.ok()) {
      err << "polku catalogue load: " << path << ": paths[" << i << "]."
          << s.message() << " (nothing was sent)\n";
      return 2;
    }
  }

  size_t activities = 0;
  for (size_t start = 0; start < file->activities.size(); start += kChunk) {
    v1::UpsertActivitiesRequest req;
    for (size_t i = start; i < file->activities.size() && i < start + kChunk;
         ++i) {
      api::ToProto(file->activities[i], req.add_activities());
    }
    v1::UpsertActivitiesResponse resp;
    auto ctx = Context(authorize);
    grpc::Status s = stub->UpsertActivities(ctx.get(), req, &resp);
    if (!s.ok()) {
      err << "polku catalogue load: activities from #" << start << ": "
          << s.error_message() << "\n";
      return 1;
    }
    activities += static_cast<size_t>(resp.upserted());
  }
  size_t paths = 0;
  for (size_t start = 0; start < file->paths.size(); start += kChunk) {
    v1::UpsertPathsRequest req;
    for (size_t i = start; i < file->paths.size() && i < start + kChunk; ++i) {
      api::ToProto(file->paths[i], req.add_paths());
    }
    v1::UpsertPathsResponse resp;
    auto ctx = Context(authorize);
    grpc::Status s = stub->UpsertPaths(ctx.get(), req, &resp);
    if (!s.ok()) {
      err << "polku catalogue load: paths from #" << start << ": "
          << s.error_message() << "\n";
      return 1;
    }
    paths += static_cast<size_t>(resp.upserted());
  }
  out << "loaded " << activities << " activities and " << paths
      << " paths from " << path << "\n";
  return 0;
}

}  // namespace polku::cli
