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

TEST(JsonWriter, AppendsToWhatIsThereAndEscapesBetweenPlainRuns) {
  std::string out = "x=";
  JsonWriter::AppendQuoted("plain \"mid\" \t\x7f end\\", out);
  EXPECT_EQ(out, "x=\"plain \\\"mid\\\" \\t\x7f end\\\\\"");
  out.clear();
  JsonWriter::AppendQuoted("", out);
  EXPECT_EQ(out, "\"\"");
  out.clear();
  JsonWriter::AppendQuoted(
      "\xc3\xa4\xc3\xa4"
      "abc\x1f",
      out);
  EXPECT_EQ(out,
            "\"\xc3\xa4\xc3\xa4"
            "abc\\u001f\"");
}

// Six significant digits, as printf's %.6g: the stored JSON of earlier
// releases reads the same.
TEST(JsonWriter, DoublesHaveSixSignificantDigits) {
  JsonWriter w;
  w.BeginArray();
  for (double v : {0.0, -0.0, 1.0, 0.1, 1.0 / 3, 123456.0, 1234567.0, 1e-5,
                   0.0001, -2.5e300, 5e-324}) {
    w.Double(v);
  }
  w.EndArray();
  EXPECT_EQ(w.str(),
            "[0,-0,1,0.1,0.333333,123456,1.23457e+06,1e-05,0.0001,"
            "-2.5e+300,4.94066e-324]");
}

}  // namespace
}  // namespace polku::common
