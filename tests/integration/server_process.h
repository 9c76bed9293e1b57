// ServerProcess: runs the real polku-server binary for a test, on free
// loopback ports (port 0: gRPC, metrics and HTTP), with its own data
// directory, in development mode unless `extra_flags` say
// "--dev_mode=false" (later flags win).
#ifndef POLKU_TESTS_INTEGRATION_SERVER_PROCESS_H_
#define POLKU_TESTS_INTEGRATION_SERVER_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace polku::testing {

class ServerProcess {
 public:
  // `data_dir` empty: a fresh temporary directory.
  explicit ServerProcess(std::string data_dir = "",
                         std::vector<std::string> extra_flags = {});
  ~ServerProcess();

  // Starts the server and waits until it serves. False on failure.
  bool Start();
  // SIGTERM and wait; returns the exit status (0 on a clean shutdown).
  int Stop();
  // SIGKILL, as a crash would.
  void Kill();
  // Sends `sig` (e.g. SIGHUP) to the running server.
  void Signal(int sig);

  std::string grpc_address() const;
  std::string metrics_url() const;
  int metrics_port() const { return metrics_port_; }
  // The HTTP/JSON, xAPI and Caliper port.
  int http_port() const { return http_port_; }
  const std::string& data_dir() const { return data_dir_; }
  // The server's process id while it runs (-1 otherwise).
  pid_t pid() const { return pid_; }
  // Flags added after the defaults at the next Start() (later flags win).
  void set_extra_flags(std::vector<std::string> flags) {
    extra_flags_ = std::move(flags);
  }
  std::string db_path() const { return data_dir_ + "/polku.db"; }

 private:
  std::string data_dir_;
  std::vector<std::string> extra_flags_;
  pid_t pid_ = -1;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
  int http_port_ = 0;
};

// GET http://127.0.0.1:port/path; returns the body ("" on failure).
std::string HttpGet(int port, const std::string& path);

// Runs a command, returns its exit status; its stdout goes to `output`.
int RunCommand(const std::string& command, std::string* output);

// The resident set size of process `pid` in KiB (VmRSS of
// /proc/PID/status), or -1.
long ResidentKib(pid_t pid);

// The value of the Prometheus sample `series` (e.g.
// `polku_rejected_requests_total{reason="rate_limited"}`) in a /metrics
// text, or -1 when it is missing.
double MetricValue(const std::string& metrics_text, const std::string& series);

}  // namespace polku::testing

#endif  // POLKU_TESTS_INTEGRATION_SERVER_PROCESS_H_
