#include "bench/load.h"

#include <gtest/gtest.h>

#include <string>

namespace polku::bench {
namespace {

TEST(Histogram, EmptyHasNoPercentiles) {
  Histogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.Percentile(0.5), 0);
  EXPECT_EQ(h.Percentile(0.99), 0);
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (int v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.Percentile(0.5), 50);
  EXPECT_EQ(h.Percentile(0.99), 99);
  EXPECT_EQ(h.Percentile(1.0), 100);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(Histogram, LargeValuesAreWithinTheResolution) {
  Histogram h;
  // 1 ms to 1 s in nanoseconds, evenly.
  for (int64_t i = 1; i <= 1000; ++i) h.Record(i * 1000000);
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const double exact = q * 1000 * 1000000;
    const double got = static_cast<double>(h.Percentile(q));
    EXPECT_GE(got, exact) << q;  // the bucket's upper end
    EXPECT_LE(got, exact * (1 + 1.0 / 64) + 1) << q;
  }
  EXPECT_EQ(h.Percentile(1.0), h.max());
  EXPECT_EQ(h.max(), 1000000000);
}

TEST(Histogram, NegativeValuesCountAsZero) {
  Histogram h;
  h.Record(-5);
  EXPECT_EQ(h.count(), 1);
  EXPECT_EQ(h.Percentile(1.0), 0);
}

TEST(Histogram, MergeAddsCounts) {
  Histogram a;
  Histogram b;
  for (int v = 0; v < 50; ++v) a.Record(v);
  for (int v = 50; v < 100; ++v) b.Record(v);
  a.Merge(b);
  EXPECT_EQ(a.count(), 100);
  EXPECT_EQ(a.max(), 99);
  EXPECT_EQ(a.Percentile(0.5), 49);
}

TEST(JsonFigures, WritesOneFlatObjectInOrder) {
  JsonFigures f;
  f.Add("scenario", "ingest \"b100\"");
  f.Add("batch", 100);
  f.Add("ok", true);
  f.Add("rate", 1.5);
  EXPECT_EQ(f.ToString(),
            "{\"scenario\": \"ingest \\\"b100\\\"\", \"batch\": 100, "
            "\"ok\": true, \"rate\": 1.5}");
}

TEST(ProcStatus, ReadsThisProcess) {
  EXPECT_GT(ProcStatusBytes(0, "VmRSS"), 0);
  EXPECT_EQ(ProcStatusBytes(0, "NoSuchField"), 0);
}

}  // namespace
}  // namespace polku::bench
