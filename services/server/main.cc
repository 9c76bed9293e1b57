// polku-server: parses flags into a ServerConfig, starts a Server, and waits
// for SIGTERM/SIGINT (graceful shutdown) or SIGHUP (reload rules and keys).
#include <signal.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/logging.h"
#include "server/server.h"
#include "server/server_config.h"

int main(int argc, char** argv) {
  // Debian's Abseil is built with its debug checks, which record every
  // absl::Mutex acquisition in a lock-order graph (a few per cent of the
  // server's CPU on every request). The unit and TSan test binaries keep
  // it; the server does not pay for it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  std::vector<std::string> args(argv + 1, argv + argc);
  bool help = false;
  auto config = polku::server::ParseServerConfig(args, &help);
  if (help) {
    std::fputs(polku::server::Usage().c_str(), stdout);
    return 0;
  }
  if (!config.ok()) {
    std::fprintf(stderr, "polku-server: %s\n",
                 config.status().ToString().c_str());
    return 2;
  }
  polku::common::SetLogFormatJson(config->log_format == "json");
  polku::common::LogLevel level;
  if (polku::common::ParseLogLevel(config->log_level, &level)) {
    polku::common::SetMinLogLevel(level);
  }

  // Block the signals in every thread; this thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = polku::server::Server::Start(*config);
  if (!server.ok()) {
    polku::common::LogError("cannot start",
                            {{"error", server.status().ToString()}});
    return 1;
  }
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      (*server)->ReloadRules().IgnoreError();
      (*server)->ReloadKeys().IgnoreError();
      continue;
    }
    polku::common::LogInfo("shutting down",
                           {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    break;
  }
  (*server)->Shutdown();
  return 0;
}
