// The one conversion from absl::Status to grpc::Status, at the edge.
//
// A status carrying a field path (common/field_error.h) becomes a gRPC
// status with a google.rpc.BadRequest detail naming that field, so clients
// can point at what is wrong without parsing the message. A status with a
// retry delay (limits.h: rate limit, too many streams) carries a
// google.rpc.RetryInfo detail with that delay.
#ifndef POLKU_API_GRPC_STATUS_H_
#define POLKU_API_GRPC_STATUS_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "polku/v1/event_service.pb.h"

namespace polku::api {

grpc::Status ToGrpcStatus(const absl::Status& status);

// Fills a per-event error from a status.
void ToEventError(const absl::Status& status, polku::v1::EventError* out);

// "OK", "INVALID_ARGUMENT", ...: the label value used in metrics.
const char* GrpcCodeName(grpc::StatusCode code);

}  // namespace polku::api

#endif  // POLKU_API_GRPC_STATUS_H_
