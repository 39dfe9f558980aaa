// Helpers of the report tests: constructed runs, an independent XML well-formedness check (Python's
// expat through Debian's /usr/bin/python3), and small extractors for attributes of generated SVG.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <limits>
#include <regex>
#include <string>
#include <vector>

#include "earlybert/base/files.h"
#include "earlybert/report/run_data.h"
#include "scratch_dir.h"

namespace earlybert::report::test {

inline constexpr const char* kSystemPython = "/usr/bin/python3";

/// Parses `document` with Python's expat (Debian's /usr/bin/python3) and fails the calling test with the
/// parser's message unless it is well-formed XML; skips the test when that python is absent. Call it last.
inline void expect_well_formed_xml(const std::string& document) {
  if (!path_exists(kSystemPython)) GTEST_SKIP() << kSystemPython << " is absent: no independent XML parser";
  const std::string dir = earlybert::test::scratch_dir("report_xml");
  const std::string file = dir + "/doc.xml";
  write_file_atomic(file, document);
  const std::string cmd = std::string(kSystemPython) +
                          " -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' " + file + " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr) << "popen failed";
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "not well-formed XML: " << out;
  earlybert::remove_all(dir);
}

/// Every match of group 1 of `pattern` in `text`.
inline std::vector<std::string> all_matches(const std::string& text, const std::string& pattern) {
  std::vector<std::string> out;
  const std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1].str());
  return out;
}

inline size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size())) ++n;
  return n;
}

/// A dense run of 40 updates: loss from 0.7 down, evaluations every 10 steps, no ticket.
inline RunData dense_run(const std::string& name = "dense") {
  RunData r;
  r.dir = "runs/" + name;
  r.name = name;
  r.task = "sst2";
  r.ticket_mode = "none";
  r.metrics = {{"eval_accuracy", 0.81}, {"eval_loss", 0.45}};
  r.times = {0, 0, 100, 8, 2, 115};
  r.global_step = 40;
  r.params_initial = r.params_final = 11180000;
  for (int s = 2; s <= 40; s += 2) r.training.push_back({s, Phase::Dense, 0.7 - 0.006 * s});
  for (int s = 10; s <= 40; s += 10)
    r.evaluations.push_back({s, {{"eval_accuracy", 0.6 + 0.005 * s}, {"eval_loss", 0.6 - 0.004 * s}}});
  r.tokens_per_s = {{Phase::Dense, 6963}};
  for (int l = 0; l < 2; ++l) r.structure.push_back({4, {true, true, true, true}, 32, 32});
  r.structure_source = "config.json";
  return r;
}

/// An EarlyBERT run drawn at step 12 by the early-bird rule; a diverged (null) loss at step 20.
inline RunData earlybert_run(const std::string& name = "earlybert") {
  RunData r;
  r.dir = "runs/" + name;
  r.name = name;
  r.task = "sst2";
  r.ticket_mode = "early_bird";
  r.metrics = {{"eval_accuracy", 0.79}, {"eval_loss", std::nullopt}};
  r.times = {20, 60, 0, 6, 2, 92};
  r.global_step = 40;
  r.draw_step = 12;
  r.draw_reason = DrawReason::EarlyBird;
  r.params_initial = 11180000;
  r.params_final = 10080000;
  for (int s = 2; s <= 40; s += 2)
    r.training.push_back({s, s <= 12 ? Phase::Search : Phase::Efficient,
                          s == 20 ? std::numeric_limits<double>::quiet_NaN() : 0.72 - 0.006 * s});
  for (int s = 10; s <= 40; s += 10) r.evaluations.push_back({s, {{"eval_accuracy", 0.58 + 0.005 * s}}});
  r.tokens_per_s = {{Phase::Search, 6898}, {Phase::Efficient, 8598}};
  TicketHistory t;
  t.draw_step = 12;
  t.reason = DrawReason::EarlyBird;
  t.allowed_heads = 0.125;
  t.allowed_ffn = 0.1;
  t.window = 2;
  t.source = "runs/" + name + "/ticket.json";
  t.distances = {{2, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
                 {4, 0.25, 0.375, std::nullopt, std::nullopt},
                 {6, 0.25, 0.1875, 0.25, 0.375},
                 {8, 0.0, 0.09375, 0.25, 0.3125},
                 {10, 0.0, 0.0625, 0.0, 0.09375},
                 {12, 0.0, 0.03125, 0.0, 0.0625}};
  r.ticket = t;
  r.structure = {{4, {true, false, true, true}, 32, 21}, {4, {true, true, true, false}, 32, 17}};
  r.structure_source = "ticket.json";
  return r;
}

}  // namespace earlybert::report::test
