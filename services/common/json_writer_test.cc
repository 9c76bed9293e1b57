#include "common/json_writer.h"

#include <cmath>

#include "gtest/gtest.h"

namespace polku::common {
namespace {

TEST(JsonWriter, WritesNestedStructures) {
  JsonWriter w;
  w.BeginObject();
  w.Key("a");
  w.Int(1);
  w.Key("b");
  w.BeginArray();
  w.String("x");
  w.Bool(true);
  w.Null();
  w.EndArray();
  w.Key("c");
  w.BeginObject();
  w.EndObject();
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"a":1,"b":["x",true,null],"c":{}})");
}

TEST(JsonWriter, EscapesControlCharactersAndQuotes) {
  std::string out;
  JsonWriter::AppendQuoted(std::string("a\"b\\c\n\x01", 7), out);
  EXPECT_EQ(out, R"("a\"b\\c\n\u0001")");
}

TEST(JsonWriter, ReplacesInvalidUtf8) {
  std::string out;
  JsonWriter::AppendQuoted("ok \xff \xc3\xa4", out);
  EXPECT_EQ(out, "\"ok \xef\xbf\xbd \xc3\xa4\"");
}

TEST(JsonWriter, NonFiniteDoublesBecomeNull) {
  JsonWriter w;
  w.BeginArray();
  w.Double(0.5);
  w.Double(std::nan(""));
  w.EndArray();
  EXPECT_EQ(w.str(), "[0.5,null]");
}

}  // namespace
}  // namespace polku::common
