#include "cli/channel.h"

#include <fstream>
#include <sstream>
#include <tuple>

namespace polku::cli {
namespace {

bool ReadWhole(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream buf;
  buf << in.rdbuf();
  *out = buf.str();
  return !out->empty();
}

}  // namespace

std::shared_ptr<grpc::Channel> MakeChannel(const ChannelFlags& flags,
                                           std::string* error) {
  if (!flags.tls && flags.ca_file.empty() && flags.cert_file.empty() &&
      flags.key_file.empty()) {
    return grpc::CreateChannel(flags.address,
                               grpc::InsecureChannelCredentials());
  }
  if (flags.cert_file.empty() != flags.key_file.empty()) {
    *error = "--cert_file and --key_file go together (mutual TLS)";
    return nullptr;
  }
  grpc::SslCredentialsOptions options;
  for (const auto& [flag, path, out] :
       {std::tuple<const char*, std::string, std::string*>{
            "--ca_file", flags.ca_file, &options.pem_root_certs},
        {"--cert_file", flags.cert_file, &options.pem_cert_chain},
        {"--key_file", flags.key_file, &options.pem_private_key}}) {
    if (path.empty()) continue;
    if (!ReadWhole(path, out)) {
      *error = std::string(flag) + ": cannot read '" + path + "'";
      return nullptr;
    }
  }
  grpc::ChannelArguments channel_args;
  if (!flags.server_name.empty()) {
    channel_args.SetSslTargetNameOverride(flags.server_name);
  }
  return grpc::CreateCustomChannel(flags.address, grpc::SslCredentials(options),
                                   channel_args);
}

}  // namespace polku::cli
