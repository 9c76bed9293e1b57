// The conformance suite of the LearningStore port: the projection at
// ingest, erasure, tenant deletion, the catalogue, served recommendations,
// feedback, the bandit arms and opt-outs, through the ports only.
//
// An implementation's test file instantiates it with a factory that
// returns a fresh, empty store implementing both EventStore and
// LearningStore:
//   INSTANTIATE_TEST_SUITE_P(Sqlite, LearningStoreConformance,
//                            ::testing::Values(StoreFactory{...}));
#ifndef POLKU_STORE_LEARNING_STORE_CONFORMANCE_H_
#define POLKU_STORE_LEARNING_STORE_CONFORMANCE_H_

#include <memory>

#include "gtest/gtest.h"
#include "store/event_store.h"
#include "store/event_store_conformance.h"
#include "store/learning_store.h"

namespace polku::store {

class LearningStoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override;
  void TearDown() override {
    if (store_) store_->Close().IgnoreError();
  }
  std::unique_ptr<EventStore> store_;
  EventStore* events_ = nullptr;
  LearningStore* learning_ = nullptr;  // the same object as events_
};

}  // namespace polku::store

#endif  // POLKU_STORE_LEARNING_STORE_CONFORMANCE_H_
