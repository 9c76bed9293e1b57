// `polku ui`: manages the learner widget's per-tenant settings in the file a
// running server reads (and reloads): DATA_DIR/ui_tenants.json, or
// --ui_tenants_file=FILE (see ui/ui_tenants.h).
//
//   polku ui secret --tenant=T [--grace_hours=24]
//       creates the tenant's widget secret, or rotates it; prints the new
//       secret once on stdout. After a rotation the previous secret still
//       verifies tokens for --grace_hours, so adapters can be updated.
//   polku ui frame-ancestors --tenant=T --origins=https://a,https://b
//       sets the origins allowed to frame the widget (--origins= clears:
//       only Polku itself may frame it).
//   polku ui token --tenant=T --learner=KEY [--ttl=300] [--base_url=URL]
//       mints a widget token with the current secret (as an adapter does;
//       for tests and for adapters that shell out); with --base_url prints
//       the whole link URL/ui/learner?token=...
//   polku ui show [--tenant=T]
//       tenant, secret state (never the secret), frame-ancestors list.
//   Each with [--data_dir=DIR (default ./var/polku) | --ui_tenants_file=FILE].
#ifndef POLKU_CLI_UI_COMMAND_H_
#define POLKU_CLI_UI_COMMAND_H_

namespace polku::cli {

// Runs `polku ui ...`; `argv` holds the arguments after "ui". Returns the
// exit code: 0, 1 on I/O failure, 2 on bad usage or input.
int UiCommand(int argc, char** argv);

}  // namespace polku::cli

#endif  // POLKU_CLI_UI_COMMAND_H_
