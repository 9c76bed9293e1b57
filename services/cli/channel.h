// The gRPC channel every client command of `polku` opens: plaintext, TLS
// with the system roots or a given CA, or mutual TLS.
#ifndef POLKU_CLI_CHANNEL_H_
#define POLKU_CLI_CHANNEL_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace polku::cli {

struct ChannelFlags {
  std::string address = "127.0.0.1:50051";
  bool tls = false;       // --tls: TLS with the system CA roots
  std::string ca_file;    // --ca_file: the server certificate's CA (TLS)
  std::string cert_file;  // --cert_file and --key_file: mutual TLS
  std::string key_file;
  std::string server_name;  // --server_name: check the certificate for it
};

// Null (with `error` naming the flag) when a PEM file cannot be read or only
// one of cert_file and key_file is given.
std::shared_ptr<grpc::Channel> MakeChannel(const ChannelFlags& flags,
                                           std::string* error);

}  // namespace polku::cli

#endif  // POLKU_CLI_CHANNEL_H_
