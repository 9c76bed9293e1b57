// `polku demo oulad`: loads one OULAD presentation into a running server,
// over gRPC, as an LMS would: its catalogue (activities and example paths,
// CatalogueService.UpsertActivities / UpsertPaths) and its events as native
// LearningEvents (EventService.IngestStream, in acknowledged chunks). Then
// prints the counts and a few learner keys to ask recommendations for.
//
//   polku demo oulad [--presentation=GGG_2014J] [--address=HOST:PORT]
//                    [--tenant=demo] [--api_key=KEY] [TLS flags]
//                    [--data=DIR] [--recent=true|false] [--chunk=N]
//
// TLS flags as for `polku ingest`: --tls, --ca_file, --cert_file,
// --key_file, --server_name. Without --api_key the tenant is sent in the
// x-polku-tenant header (development mode). Loading twice is harmless:
// event ids are deterministic, so a second load is all DUPLICATE.
//
// --recent (the default) moves the whole presentation in time, in whole
// days, so that it ends yesterday: profiles then carry their full weight
// (they decay with a 90-day half-life) and the organisation overview has
// recent weeks. --recent=false keeps OULAD's own dates (2013-2015).
#ifndef POLKU_CLI_DEMO_COMMAND_H_
#define POLKU_CLI_DEMO_COMMAND_H_

namespace polku::cli {

// The presentation `polku demo oulad` loads by default: GGG 2014J, the
// smallest (749 students, 118,000 click rows).
inline constexpr char kDefaultDemoPresentation[] = "GGG_2014J";

// Runs `polku demo ...`; `argv` holds the arguments after "demo". Returns
// the process exit code: 0, 1 when the server fails a call, 2 on bad usage
// or unreadable data.
int DemoCommand(int argc, char** argv);

}  // namespace polku::cli

#endif  // POLKU_CLI_DEMO_COMMAND_H_
