// Fuzz target: a user's CSV / TSV / JSON Lines data files (data/text_table.h) — parse_text_table().
// The first input byte picks the format; the rest is the file. An accepted table must be rectangular
// (every row as many cells as there are columns, one start line per row, lines increasing), its
// column names unique and non-empty, and every column's type inferable.
#include <array>
#include <set>

#include "earlybert/data/text_table.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace earlybert;
  if (size == 0) return 0;
  constexpr std::array<TableFormat, 3> kFormats = {TableFormat::Csv, TableFormat::Tsv, TableFormat::JsonLines};
  const TableFormat format = kFormats[data[0] % kFormats.size()];
  TextTable table;
  if (!fuzz::parse_or_reject(
          [&] { table = parse_text_table(std::string(fuzz::as_text(data + 1, size - 1)), format, "data"); }))
    return 0;
  FUZZ_REQUIRE(table.lines.size() == table.rows.size(), "one start line per row");
  std::set<std::string> names;
  for (const std::string& c : table.columns) {
    FUZZ_REQUIRE(!c.empty() && names.insert(c).second, "empty or duplicate column name '" + c + "'");
  }
  for (size_t r = 0; r < table.rows.size(); ++r) {
    FUZZ_REQUIRE(table.rows[r].size() == table.columns.size(), "ragged row at " + table.where(r));
    FUZZ_REQUIRE(table.lines[r] >= 1 && (r == 0 || table.lines[r] > table.lines[r - 1]), "row lines out of order");
  }
  for (size_t c = 0; c < table.columns.size(); ++c) {
    (void)table.column_type(c);
    FUZZ_REQUIRE(table.column(table.columns[c]) == static_cast<int>(c), "column() does not find " + table.columns[c]);
  }
  return 0;
}
