#include "store/in_memory_event_store.h"

#include "store/event_store_conformance.h"

namespace polku::store {
namespace {

INSTANTIATE_TEST_SUITE_P(
    InMemory, EventStoreConformance,
    ::testing::Values(StoreFactory{
        "InMemory", [] { return std::make_unique<InMemoryEventStore>(); }}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace polku::store
