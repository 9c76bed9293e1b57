// The conformance suite every EventStore implementation must pass.
//
// An implementation's test file instantiates it with a factory:
//   INSTANTIATE_TEST_SUITE_P(Sqlite, EventStoreConformance,
//                            ::testing::Values(StoreFactory{...}));
// The factory returns a fresh, empty store per test.
#ifndef POLKU_STORE_EVENT_STORE_CONFORMANCE_H_
#define POLKU_STORE_EVENT_STORE_CONFORMANCE_H_

#include <functional>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "store/event_store.h"

namespace polku::store {

struct StoreFactory {
  std::string name;
  std::function<std::unique_ptr<EventStore>()> make;
};

inline std::ostream& operator<<(std::ostream& os, const StoreFactory& f) {
  return os << f.name;
}

class EventStoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { store_ = GetParam().make(); }
  void TearDown() override {
    if (store_) store_->Close().IgnoreError();
  }
  // A valid record of `learner` with content `content`.
  static EventRecord Record(std::string tenant, std::string id,
                            std::string learner = "lms.example#1",
                            std::string content = "a");
  std::unique_ptr<EventStore> store_;
};

}  // namespace polku::store

#endif  // POLKU_STORE_EVENT_STORE_CONFORMANCE_H_
