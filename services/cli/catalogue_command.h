// `polku catalogue load FILE`: loads a YAML or JSON catalogue file
// (learning/catalogue.h, deploy/config/catalogue.yaml) into a server.
#ifndef POLKU_CLI_CATALOGUE_COMMAND_H_
#define POLKU_CLI_CATALOGUE_COMMAND_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

namespace polku::cli {

// Adds the caller's credentials (or development-mode tenant) to a call.
using Authorize = std::function<void(grpc::ClientContext*)>;

// Parses `path`, checks every path step against the file's activities and
// the ones the server already holds (nothing is sent when a check fails),
// then upserts the activities and the paths in chunks. Prints a summary to
// `out` and errors (naming the file, the entry and the field) to `err`.
// Returns the process exit code: 0 on success, 1 when the server refused,
// 2 for a bad file.
int CatalogueLoad(const std::string& path,
                  const std::shared_ptr<grpc::Channel>& channel,
                  const Authorize& authorize, std::ostream& out,
                  std::ostream& err);

}  // namespace polku::cli

#endif  // POLKU_CLI_CATALOGUE_COMMAND_H_
