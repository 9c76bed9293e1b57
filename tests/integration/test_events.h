// Events for the load, crash and limit tests: native events whose content
// depends only on their id, so that a resend is a DUPLICATE, never a
// CONFLICT.
#ifndef POLKU_TESTS_INTEGRATION_TEST_EVENTS_H_
#define POLKU_TESTS_INTEGRATION_TEST_EVENTS_H_

#include <google/protobuf/util/time_util.h>

#include <string>

#include "polku/v1/event_service.pb.h"

namespace polku::testing {

// Learner "lms.example#<n>" (n from the id's length, so a few learners)
// completed a course, at a fixed time (2025-06-01T10:00:00Z).
inline polku::v1::IngestItem StableEvent(const std::string& id,
                                         int learner = 1) {
  namespace v1 = ::polku::v1;
  v1::IngestItem item;
  v1::LearningEvent* e = item.mutable_native();
  e->set_event_id(id);
  e->mutable_source()->set_platform(v1::PLATFORM_NATIVE);
  e->mutable_source()->set_instance("lms.example");
  *e->mutable_occurred_at() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(1748772000);
  e->mutable_learner()->set_key("lms.example#" + std::to_string(learner));
  e->set_verb(v1::VERB_COMPLETED);
  e->mutable_object()->set_type(v1::OBJECT_TYPE_COURSE);
  e->mutable_object()->set_id("lms.example/course/view.php?id=2");
  e->mutable_context()->set_required(true);
  e->set_initiator(v1::INITIATOR_SELF);
  return item;
}

}  // namespace polku::testing

#endif  // POLKU_TESTS_INTEGRATION_TEST_EVENTS_H_
