#include "integration/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace polku::testing {

ServerProcess::ServerProcess(std::string data_dir,
                             std::vector<std::string> extra_flags)
    : data_dir_(std::move(data_dir)), extra_flags_(std::move(extra_flags)) {
  if (data_dir_.empty()) {
    char tmpl[] = "/tmp/polku-it-XXXXXX";
    data_dir_ = mkdtemp(tmpl);
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Kill();
}

bool ServerProcess::Start() {
  std::string ready = data_dir_ + "/ready.json";
  std::filesystem::remove(ready);
  std::vector<std::string> args = {
      POLKU_BINARY_DIR "/bin/polku-server",
      "--grpc_address=127.0.0.1:0",
      "--metrics_address=127.0.0.1:0",
      "--http_address=127.0.0.1:0",
      "--data_dir=" + data_dir_,
      "--rules=" POLKU_SOURCE_DIR "/deploy/config/rules.yaml",
      "--ready_file=" + ready,
      "--dev_mode",
      "--shutdown_grace_seconds=5",
  };
  for (const auto& f : extra_flags_) args.push_back(f);
  // Everything the child needs is prepared before fork(): the test's
  // client threads keep running, and one of them may hold the allocator's
  // lock at the moment of the fork, so the child may only make
  // async-signal-safe calls (open, dup2, execv) until it execs.
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log = data_dir_ + "/server.log";
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) dup2(fd, STDERR_FILENO);  // dup2 clears O_CLOEXEC
    execv(argv[0], argv.data());
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(ready);
    if (in) {
      std::stringstream buf;
      buf << in.rdbuf();
      std::string s = buf.str();
      if (std::sscanf(
              s.c_str(),
              "{\"grpc_port\": %d, \"metrics_port\": %d, \"http_port\": %d",
              &grpc_port_, &metrics_port_, &http_port_) == 3) {
        return true;
      }
    }
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      std::fprintf(stderr, "polku-server exited before serving: %s %d\n",
                   WIFEXITED(status) ? "exit status" : "signal",
                   WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void ServerProcess::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

std::string ServerProcess::grpc_address() const {
  return "127.0.0.1:" + std::to_string(grpc_port_);
}

std::string ServerProcess::metrics_url() const {
  return "http://127.0.0.1:" + std::to_string(metrics_port_) + "/metrics";
}

std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    close(fd);
    return "";
  }
  std::string resp;
  char buf[8192];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0)
    resp.append(buf, static_cast<size_t>(n));
  close(fd);
  size_t body = resp.find("\r\n\r\n");
  return body == std::string::npos ? "" : resp.substr(body + 4);
}

int RunCommand(const std::string& command, std::string* output) {
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  output->clear();
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) output->append(buf, n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

long ResidentKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

double MetricValue(const std::string& metrics_text, const std::string& series) {
  std::istringstream in(metrics_text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > series.size() &&
        line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::atof(line.c_str() + series.size() + 1);
    }
  }
  return -1;
}

}  // namespace polku::testing
