// polku: the command-line tool.
//
//   polku health [--address=HOST:PORT] [--timeout_ms=N] [TLS flags]
//   polku tag [--format=auto|native|moodle|xapi|caliper|openedx|openedx-signal]
//             [--tenant=T] [--locale=en|fi] [--rules=FILE] [--instance=URL]
//             [FILE...]
//   polku ingest [--address=HOST:PORT] [--tenant=T] [--format=...]
//             [--instance=URL] [--api_key=KEY] [TLS flags] FILE...
//   TLS flags: --tls --ca_file=PEM --cert_file=PEM --key_file=PEM
//             --server_name=NAME
//   polku keys create --tenant=T --scopes=S,... [--name=TEXT]
//   polku keys list [--tenant=T]
//   polku keys rotate --id=ID
//   polku keys revoke --id=ID
//             (each with [--data_dir=DIR | --keys_file=FILE])
//   polku backup --data_dir=DIR --out=FILE
//   polku restore --data_dir=DIR --from=FILE
//   polku tenant delete --tenant=T [--data_dir=DIR | --store=postgres
//             [--postgres_dsn_file=FILE]]
//   polku retention apply --tenant=T --days=N [same store flags]
#include <grpcpp/grpcpp.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "api/auth.h"
#include "api/convert.h"
#include "api/key_store.h"
#include "cli/catalogue_command.h"
#include "cli/channel.h"
#include "cli/demo_command.h"
#include "cli/eval_command.h"
#include "cli/tag_command.h"
#include "cli/ui_command.h"
#include "common/str_cat.h"
#include "common/strings.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "model/event_codec.h"
#include "model/tagger_registry.h"
#include "polku/v1/event_service.grpc.pb.h"
#include "polku/v1/recommendation_service.grpc.pb.h"
#include "server/server_config.h"
#include "store/postgres_event_store.h"
#include "store/sqlite_backup.h"
#include "store/sqlite_event_store.h"

namespace {

constexpr char kUsage[] = R"(Usage: polku COMMAND [flags] [FILE...]

Commands:
  health   Asks a server whether it is SERVING (exit 0) or not (exit 1).
           --address=HOST:PORT (default 127.0.0.1:50051) --timeout_ms=N (default 2000)
  tag      Tags events from files (or stdin) with a rule file, without a server.
           Prints one JSON object per event per line.
           --format=auto|native|moodle|xapi|caliper|openedx|openedx-signal (default auto)
           --rules=FILE (default deploy/config/rules.yaml) --tenant=T --locale=en|fi
           --instance=URL (the LMS base URL, as an adapter would send it)
  ingest   Sends events from files to a server (development mode or a key).
           --address=HOST:PORT --tenant=T --format=... --instance=URL
           --api_key=KEY (sent as a Bearer token)
           health and ingest talk to a TLS server with
           --tls (system CA roots) or --ca_file=PEM (the CA of the server's
           certificate; implies --tls); for mutual TLS add
           --cert_file=PEM --key_file=PEM (the client's certificate and key);
           --server_name=NAME checks the certificate for NAME instead of the
           address's host.
  keys     Manages API keys in the key file a server reads (and reloads
           without restart): DATA_DIR/api_keys.json, or --keys_file=FILE.
           keys create --tenant=T --scopes=S[,S...] [--name=TEXT]
                       prints the new key once; only its SHA-256 is stored
           keys list   [--tenant=T]   id, tenant, scopes, state, name
           keys rotate --id=ID        prints a new key for the same id;
                                      the old one stops working
           keys revoke --id=ID
           --data_dir=DIR (default ./var/polku, as polku-server)
           Scopes: events:write feedback:write recommendations:read
                   catalogue:write insights:read privacy:delete privacy:export
  backup   Copies DATA_DIR/polku.db to FILE while a server may be running
           (one consistent snapshot, SQLite's online backup), then checks the
           copy (integrity check, schema version).
           --data_dir=DIR --out=FILE
  restore  Checks FILE and puts it in place as DATA_DIR/polku.db (atomic
           rename; stale -wal/-shm removed). Refused while a server has the
           database open: stop the server first.
           --data_dir=DIR --from=FILE
  catalogue  catalogue load FILE: loads a YAML or JSON catalogue (activities and
           learning paths; see deploy/config/catalogue.yaml) into a server.
           Every path step is checked against the file and the stored
           activities first; nothing is sent when one names an unknown
           activity. --address --api_key (catalogue:write) or --tenant (dev mode)
  recommend  Prints a learner's recommendations with their reasons.
           --learner=KEY --k=N (default 5) --locale=en|fi --address --api_key|--tenant
  demo     demo oulad: loads an OULAD presentation (catalogue, paths, events)
           into a server; see polku demo oulad --help
  ui       Learner widget and overview settings per tenant: ui secret,
           ui frame-ancestors, ui token, ui show; see polku ui --help
  eval     eval oulad: offline evaluation of the recommendations on OULAD,
           without a server; see polku eval oulad --help
  retention  retention apply --tenant=T --days=N [--data_dir=DIR]
           Deletes the tenant's raw events older than N days (profiles and
           what else was learned from them stay) and keeps older events out
           from then on (acknowledged as DUPLICATE, not stored). Safe while a
           server runs; run it daily per tenant (cron or a systemd timer).
  tenant   tenant delete --tenant=T --data_dir=DIR
           Offboarding: deletes all of the tenant's events and erasure
           tombstones from DATA_DIR/polku.db (overwritten on disk) and
           prints the number of events deleted. Safe while a server runs
           (SQLite serialises writers); the tenant's API keys are not
           touched (revoke them with `polku keys revoke`).
           retention and tenant work on PostgreSQL with --store=postgres and
           --postgres_dsn_file=FILE (default: $POLKU_POSTGRES_DSN), as the
           server; safe while replicas run.
)";

struct Args {
  std::map<std::string, std::string> flags;
  std::vector<std::string> files;
};

bool ParseArgs(int argc, char** argv, int start, Args* args,
               std::string* error) {
  for (int i = start; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0) {
      size_t eq = a.find('=');
      if (a == "--tls") {
        args->flags["tls"] = "true";  // a switch; --tls=false turns it off
      } else if (eq == std::string::npos) {
        if (i + 1 >= argc) {
          *error = a + ": needs a value";
          return false;
        }
        args->flags[a.substr(2)] = argv[++i];
      } else {
        args->flags[a.substr(2, eq - 2)] = a.substr(eq + 1);
      }
    } else {
      args->files.push_back(a);
    }
  }
  return true;
}

std::string Flag(const Args& args, const std::string& name,
                 const std::string& def) {
  auto it = args.flags.find(name);
  return it == args.flags.end() ? def : it->second;
}

bool ReadFile(const std::string& path, std::string* out) {
  if (path == "-") {
    std::stringstream buf;
    buf << std::cin.rdbuf();
    *out = buf.str();
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream buf;
  buf << in.rdbuf();
  *out = buf.str();
  return true;
}

// The channel to --address: plaintext, or TLS with the TLS flags (see the
// usage). Null (with `error` set) when a PEM file cannot be read or only
// one of --cert_file and --key_file is given.
std::shared_ptr<grpc::Channel> MakeChannel(const Args& args,
                                           std::string* error) {
  polku::cli::ChannelFlags flags;
  flags.address = Flag(args, "address", "127.0.0.1:50051");
  flags.tls = args.flags.count("tls") > 0 && Flag(args, "tls", "") != "false";
  flags.ca_file = Flag(args, "ca_file", "");
  flags.cert_file = Flag(args, "cert_file", "");
  flags.key_file = Flag(args, "key_file", "");
  flags.server_name = Flag(args, "server_name", "");
  return polku::cli::MakeChannel(flags, error);
}

int Health(const Args& args) {
  int timeout_ms = std::atoi(Flag(args, "timeout_ms", "2000").c_str());
  std::string error;
  auto channel = MakeChannel(args, &error);
  if (channel == nullptr) {
    std::cerr << "polku health: " << error << "\n";
    return 2;
  }
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(timeout_ms));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    std::cout << "NOT_SERVING (" << status.error_message() << ")\n";
    return 1;
  }
  std::cout << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
                   response.status())
            << "\n";
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING
             ? 0
             : 1;
}

int Tag(const Args& args) {
  polku::cli::TagOptions options;
  options.format = Flag(args, "format", "auto");
  options.tenant = Flag(args, "tenant", "default");
  options.locale = Flag(args, "locale", "en");
  options.enrichment.instance = Flag(args, "instance", "");
  auto rules = polku::model::RuleSet::Load(
      Flag(args, "rules", "deploy/config/rules.yaml"));
  if (!rules.ok()) {
    std::cerr << "polku tag: " << rules.status().message() << "\n";
    return 2;
  }
  polku::model::TaggerRegistry taggers(*rules);
  std::vector<std::string> files = args.files;
  if (files.empty()) files.push_back("-");
  int rejected = 0;
  for (const std::string& file : files) {
    std::string text;
    if (!ReadFile(file, &text)) {
      std::cout << "{\"file\":\"" << file
                << "\",\"error\":\"cannot be read\"}\n";
      ++rejected;
      continue;
    }
    rejected += polku::cli::TagText(file, text, options, taggers, std::cout);
  }
  return rejected == 0 ? 0 : 1;
}

int Ingest(const Args& args) {
  namespace v1 = polku::v1;
  std::string error;
  auto channel = MakeChannel(args, &error);
  if (channel == nullptr) {
    std::cerr << "polku ingest: " << error << "\n";
    return 2;
  }
  auto stub = v1::EventService::NewStub(channel);
  std::map<std::string, v1::SourceFormat> formats = {
      {"auto", v1::SOURCE_FORMAT_UNSPECIFIED},
      {"moodle", v1::SOURCE_FORMAT_MOODLE},
      {"xapi", v1::SOURCE_FORMAT_XAPI},
      {"caliper", v1::SOURCE_FORMAT_CALIPER},
      {"openedx", v1::SOURCE_FORMAT_OPENEDX_TRACKING},
      {"openedx-signal", v1::SOURCE_FORMAT_OPENEDX_SIGNAL}};
  auto format = formats.find(Flag(args, "format", "auto"));
  if (format == formats.end()) {
    std::cerr << "polku ingest: --format: unknown format\n";
    return 2;
  }
  v1::IngestRequest request;
  for (const std::string& file : args.files) {
    std::string text;
    if (!ReadFile(file, &text)) {
      std::cerr << "polku ingest: " << file << ": cannot be read\n";
      return 2;
    }
    auto* source = request.add_events()->mutable_source();
    source->set_format(format->second);
    source->set_payload(text);
    source->mutable_enrichment()->set_instance(Flag(args, "instance", ""));
  }
  if (request.events().empty()) {
    std::cerr << "polku ingest: no files given\n";
    return 2;
  }
  grpc::ClientContext context;
  std::string key = Flag(args, "api_key", "");
  if (!key.empty()) {
    context.AddMetadata("authorization", "Bearer " + key);
    // With a key the tenant is the key's; a --tenant naming another one is
    // refused by the server.
    if (args.flags.count("tenant") > 0) {
      context.AddMetadata("x-polku-tenant", Flag(args, "tenant", ""));
    }
  } else {
    context.AddMetadata("x-polku-tenant", Flag(args, "tenant", "default"));
  }
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(60));
  v1::IngestResponse response;
  grpc::Status status = stub->Ingest(&context, request, &response);
  if (!status.ok()) {
    std::cerr << "polku ingest: " << status.error_message() << "\n";
    return 1;
  }
  for (const auto& r : response.results()) {
    if (r.outcome() == v1::EVENT_OUTCOME_REJECTED ||
        r.outcome() == v1::EVENT_OUTCOME_CONFLICT) {
      std::cerr << args.files[static_cast<size_t>(r.item_index())] << ": "
                << v1::EventOutcome_Name(r.outcome()) << ": "
                << r.error().message() << "\n";
    }
  }
  std::cout << "accepted " << response.accepted() << ", duplicates "
            << response.duplicates() << ", rejected " << response.rejected()
            << "\n";
  return 0;
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const std::string& s : scopes) out += (out.empty() ? "" : ",") + s;
  return out;
}

int Keys(const std::vector<std::string>& positional, const Args& args) {
  if (positional.empty()) {
    std::cerr << "polku keys: create, list, rotate or revoke?\n";
    return 2;
  }
  const std::string& action = positional[0];
  std::string file = Flag(args, "keys_file", "");
  if (file.empty())
    file = polku::api::DefaultKeyFile(Flag(args, "data_dir", "./var/polku"));
  auto fail = [&](const absl::Status& s) {
    std::cerr << "polku keys " << action << ": " << s.message() << "\n";
    return s.code() == absl::StatusCode::kInvalidArgument ||
                   s.code() == absl::StatusCode::kNotFound ||
                   s.code() == absl::StatusCode::kFailedPrecondition
               ? 2
               : 1;
  };
  if (action == "create") {
    std::vector<std::string> scopes;
    std::string list = Flag(args, "scopes", "");
    for (size_t start = 0; start < list.size();) {
      size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      if (comma > start) scopes.push_back(list.substr(start, comma - start));
      start = comma + 1;
    }
    if (args.flags.count("tenant") == 0) {
      std::cerr << "polku keys create: --tenant is required\n";
      return 2;
    }
    auto key = polku::api::CreateApiKey(file, Flag(args, "tenant", ""), scopes,
                                        Flag(args, "name", ""), NowMillis());
    if (!key.ok()) return fail(key.status());
    // The key on stdout alone, so scripts can capture it; the rest on stderr.
    std::cout << key->key << "\n";
    std::cerr << "created API key " << key->record.id << " for tenant "
              << key->record.tenant << " with scopes "
              << JoinScopes(key->record.scopes)
              << " (shown only now: store it in the LMS's settings)\n";
    return 0;
  }
  if (action == "list") {
    auto keys = polku::api::ReadKeyFile(file);
    if (!keys.ok()) return fail(keys.status());
    std::string tenant = Flag(args, "tenant", "");
    std::cout << "id\ttenant\tscopes\tstate\tcreated_at\tname\n";
    for (const auto& k : *keys) {
      if (!tenant.empty() && k.tenant != tenant) continue;
      std::cout << k.id << "\t" << k.tenant << "\t" << JoinScopes(k.scopes)
                << "\t" << (k.active() ? "active" : "revoked") << "\t"
                << (k.created_at_ms
                        ? polku::model::FormatTimestamp(k.created_at_ms)
                        : "")
                << "\t" << k.name << "\n";
    }
    return 0;
  }
  if (action == "rotate" || action == "revoke") {
    std::string id =
        Flag(args, "id", positional.size() > 1 ? positional[1] : "");
    if (id.empty()) {
      std::cerr << "polku keys " << action << ": --id is required\n";
      return 2;
    }
    if (action == "revoke") {
      absl::Status s = polku::api::RevokeApiKey(file, id, NowMillis());
      if (!s.ok()) return fail(s);
      std::cerr << "revoked API key " << id << "\n";
      return 0;
    }
    auto key = polku::api::RotateApiKey(file, id, NowMillis());
    if (!key.ok()) return fail(key.status());
    std::cout << key->key << "\n";
    std::cerr << "rotated API key " << id << "; the previous key stops working "
              << "once servers reload (within seconds)\n";
    return 0;
  }
  std::cerr << "polku keys: unknown action '" << action << "'\n";
  return 2;
}

std::string DbPath(const Args& args) {
  return Flag(args, "data_dir", "./var/polku") + "/polku.db";
}

int StoreFailure(const std::string& command, const absl::Status& s) {
  std::cerr << "polku " << command << ": " << s.message() << "\n";
  return s.code() == absl::StatusCode::kInvalidArgument ||
                 s.code() == absl::StatusCode::kNotFound ||
                 s.code() == absl::StatusCode::kFailedPrecondition
             ? 2
             : 1;
}

// The database `retention` and `tenant` work on, named as for the server:
// the SQLite file under --data_dir (it must exist), or with
// --store=postgres the database of --postgres_dsn_file (default: the
// environment variable POLKU_POSTGRES_DSN). Errors name the flag.
absl::StatusOr<std::unique_ptr<polku::store::EventStore>> OpenDataStore(
    const Args& args) {
  polku::server::ServerConfig config;
  config.store = Flag(args, "store", "sqlite");
  config.postgres_dsn_file = Flag(args, "postgres_dsn_file", "");
  if (config.store == "postgres") {
    auto dsn = polku::server::ResolvePostgresDsn(config);
    if (!dsn.ok()) return dsn.status();
    auto store = polku::store::PostgresEventStore::Open(*dsn);
    if (!store.ok()) return store.status();
    return std::unique_ptr<polku::store::EventStore>(std::move(*store));
  }
  if (config.store != "sqlite") {
    return absl::InvalidArgumentError(polku::common::StrCat(
        "store: must be sqlite or postgres, not '", config.store, "'"));
  }
  if (!config.postgres_dsn_file.empty()) {
    return absl::InvalidArgumentError(
        "postgres_dsn_file: needs --store=postgres");
  }
  const std::string path = DbPath(args);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return absl::NotFoundError(polku::common::StrCat(path, ": no such file"));
  }
  auto store = polku::store::SqliteEventStore::Open(path);
  if (!store.ok()) return store.status();
  return std::unique_ptr<polku::store::EventStore>(std::move(*store));
}

int Backup(const Args& args) {
  std::string out = Flag(args, "out", "");
  if (out.empty()) {
    std::cerr << "polku backup: --out is required\n";
    return 2;
  }
  auto info = polku::store::BackupDatabase(DbPath(args), out);
  if (!info.ok()) return StoreFailure("backup", info.status());
  std::cout << "backed up " << info->events << " events (schema version "
            << info->schema_version << ") to " << out << "; integrity ok\n";
  return 0;
}

int Restore(const Args& args) {
  std::string from = Flag(args, "from", "");
  if (from.empty()) {
    std::cerr << "polku restore: --from is required\n";
    return 2;
  }
  std::string data_dir = Flag(args, "data_dir", "./var/polku");
  auto info = polku::store::RestoreDatabase(from, data_dir);
  if (!info.ok()) return StoreFailure("restore", info.status());
  std::cout << "restored " << info->events << " events (schema version "
            << info->schema_version << ") into " << data_dir << "/polku.db\n";
  return 0;
}

int Tenant(const std::vector<std::string>& positional, const Args& args) {
  if (positional.empty() || positional[0] != "delete") {
    std::cerr << "polku tenant: only 'delete' is known\n";
    return 2;
  }
  std::string tenant = Flag(args, "tenant", "");
  if (tenant.empty()) {
    std::cerr << "polku tenant delete: --tenant is required\n";
    return 2;
  }
  auto store = OpenDataStore(args);
  if (!store.ok()) return StoreFailure("tenant delete", store.status());
  auto deleted = (*store)->DeleteTenant(tenant);
  // On SQLite, Close checkpoints the WAL; with a server running it may find
  // readers and leave that to the server, which is harmless.
  (*store)->Close().IgnoreError();
  if (!deleted.ok()) return StoreFailure("tenant delete", deleted.status());
  std::cout << "deleted " << *deleted << " events of tenant " << tenant << "\n";
  return 0;
}

// `polku retention apply`: deletes a tenant's raw events older than
// --days days (what was learned from them stays) and keeps older ones out.
int Retention(const std::vector<std::string>& positional, const Args& args) {
  if (positional.empty() || positional[0] != "apply") {
    std::cerr << "polku retention: usage: polku retention apply --tenant=T "
                 "--days=N [--data_dir=DIR]\n";
    return 2;
  }
  std::string tenant = Flag(args, "tenant", "");
  if (tenant.empty()) {
    std::cerr << "polku retention apply: --tenant is required\n";
    return 2;
  }
  const std::string days_text = Flag(args, "days", "");
  char* end = nullptr;
  const long days = std::strtol(days_text.c_str(), &end, 10);
  if (days_text.empty() || *end != '\0' || days < 1 || days > 36500) {
    std::cerr << "polku retention apply: --days must be a whole number "
                 "from 1 to 36500\n";
    return 2;
  }
  auto store = OpenDataStore(args);
  if (!store.ok()) return StoreFailure("retention apply", store.status());
  const int64_t cutoff = NowMillis() - days * 86400000LL;
  auto deleted = (*store)->DeleteEventsBefore(tenant, cutoff);
  (*store)->Close().IgnoreError();
  if (!deleted.ok()) return StoreFailure("retention apply", deleted.status());
  std::cout << "deleted " << *deleted << " events of tenant " << tenant
            << " older than " << days << " days\n";
  return 0;
}

// Credentials of a call from the flags: --api_key as a Bearer token, else
// development mode with --tenant (default "default").
polku::cli::Authorize AuthorizeFrom(const Args& args) {
  return [args](grpc::ClientContext* context) {
    std::string key = Flag(args, "api_key", "");
    if (!key.empty()) {
      context->AddMetadata("authorization", "Bearer " + key);
      if (args.flags.count("tenant") > 0) {
        context->AddMetadata("x-polku-tenant", Flag(args, "tenant", ""));
      }
    } else {
      context->AddMetadata("x-polku-tenant", Flag(args, "tenant", "default"));
    }
  };
}

int Catalogue(const std::vector<std::string>& positional, const Args& args) {
  if (positional.size() != 2 || positional[0] != "load") {
    std::cerr << "polku catalogue: usage: polku catalogue load FILE "
                 "[--address=HOST:PORT] [--api_key=KEY | --tenant=T]\n";
    return 2;
  }
  std::string error;
  auto channel = MakeChannel(args, &error);
  if (channel == nullptr) {
    std::cerr << "polku catalogue: " << error << "\n";
    return 2;
  }
  return polku::cli::CatalogueLoad(positional[1], channel, AuthorizeFrom(args),
                                   std::cout, std::cerr);
}

// Prints a learner's recommendations, one line each.
int Recommend(const Args& args) {
  namespace v1 = polku::v1;
  std::string learner = Flag(args, "learner", "");
  if (learner.empty()) {
    std::cerr << "polku recommend: --learner=KEY is required\n";
    return 2;
  }
  std::string error;
  auto channel = MakeChannel(args, &error);
  if (channel == nullptr) {
    std::cerr << "polku recommend: " << error << "\n";
    return 2;
  }
  auto stub = v1::RecommendationService::NewStub(channel);
  v1::GetRecommendationsRequest request;
  request.set_learner(learner);
  request.set_k(std::atoi(Flag(args, "k", "5").c_str()));
  request.set_locale(Flag(args, "locale", "en"));
  grpc::ClientContext context;
  AuthorizeFrom(args)(&context);
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  v1::GetRecommendationsResponse response;
  grpc::Status status = stub->GetRecommendations(&context, request, &response);
  if (!status.ok()) {
    std::cerr << "polku recommend: " << status.error_message() << "\n";
    return 1;
  }
  if (response.opted_out()) {
    std::cout << "(the learner has opted out of profiling)\n";
  }
  int n = 0;
  for (const v1::Recommendation& r : response.recommendations()) {
    std::string kind = v1::NudgeKind_Name(r.kind());
    if (polku::common::StartsWith(kind, "NUDGE_KIND_")) kind = kind.substr(11);
    std::cout << ++n << ". [" << kind << "] " << r.text() << "\n   "
              << r.target_id() << "  (" << r.reason_code() << ", score "
              << r.score() << ")\n";
  }
  if (n == 0) std::cout << "(no recommendations)\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" ||
      std::string(argv[1]) == "help") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  std::string command = argv[1];
  // These parse their own flags.
  if (command == "demo") return polku::cli::DemoCommand(argc - 2, argv + 2);
  if (command == "eval") return polku::cli::EvalCommand(argc - 2, argv + 2);
  if (command == "ui") return polku::cli::UiCommand(argc - 2, argv + 2);
  Args args;
  std::string error;
  if (!ParseArgs(argc, argv, 2, &args, &error)) {
    std::cerr << "polku " << command << ": " << error << "\n";
    return 2;
  }
  if (command == "health") return Health(args);
  if (command == "tag") return Tag(args);
  if (command == "ingest") return Ingest(args);
  if (command == "keys") return Keys(args.files, args);
  if (command == "backup") return Backup(args);
  if (command == "restore") return Restore(args);
  if (command == "tenant") return Tenant(args.files, args);
  if (command == "catalogue") return Catalogue(args.files, args);
  if (command == "retention") return Retention(args.files, args);
  if (command == "recommend") return Recommend(args);
  std::cerr << "polku: unknown command '" << command << "'\n" << kUsage;
  return 2;
}
