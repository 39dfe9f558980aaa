// earlybert::fail — see include/earlybert/base/error.h.
#include "earlybert/base/error.h"

#include <cstdio>

namespace earlybert {

namespace {

// Messages quote the input at fault (a label, a key, a file name), and input may hold line breaks
// (a lone '\r' in a TSV field, "\n" in a JSON key): those are written as escapes so that the message
// stays one line (found by fuzzing, fuzz/regressions/glue_tsv). Tabs are kept; they do not break lines.
std::string one_line(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if ((u < 0x20 && c != '\t') || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void fail(const std::string& where, const std::string& what) {
  throw Error(one_line(where.empty() ? what : where + ": " + what));
}

}  // namespace earlybert
