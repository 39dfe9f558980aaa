// How the report writes numbers in its table — the same text `earlybert compare` prints, so the page
// and the terminal agree cell for cell.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace earlybert::report {

/// 0.8234 -> "0.8234"; 81.3 -> "81.30"; 1234.5 -> "1234.5"; nullopt (a null metric) -> "nan".
std::string format_metric(const std::optional<double>& value);
/// 34.4 -> "34.4s"; 110 -> "1m50s"; 7260 -> "2h01m".
std::string format_seconds(double seconds);
/// 11180000 -> "11.18M"; 24600 -> "24.6k"; 2458 -> "2458".
std::string format_count(int64_t n);
/// part / whole as "16.4%"; "-" when whole <= 0.
std::string format_percent(double part, double whole);

}  // namespace earlybert::report
