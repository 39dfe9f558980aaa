// `earlybert report` ($EARLYBERT_CLI) over real run directories: the page's table agrees with what
// `earlybert compare` prints cell for cell, bad runs are one-line errors naming the file, and the page
// renders in a real browser — headless Chromium, when installed — without a console error, with every
// picture in its DOM, and as a screenshot with content.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "earlybert/base/files.h"
#include "report/real_runs.h"
#include "report/report_test_util.h"

namespace fs = std::filesystem;

namespace earlybert::report {
namespace {

using test::count_of;
using test::real_runs;

struct Result {
  int status = -1;
  std::string out;
  std::string err;
};

/// Runs `argv` (no shell) with stdout and stderr captured in files under `dir`.
Result run_program(const std::vector<std::string>& argv, const std::string& dir) {
  const std::string out = dir + "/stdout", err = dir + "/stderr";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(argv[0].c_str(), args.data());
    ::_exit(127);
  }
  int raw = 0;
  ::waitpid(pid, &raw, 0);
  Result r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

class ReportCmd : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* cli = std::getenv("EARLYBERT_CLI");
    if (cli == nullptr || !path_exists(cli)) GTEST_SKIP() << "EARLYBERT_CLI is not set or missing";
    cli_ = cli;
    dir_ = earlybert::test::scratch_dir(std::string("report_cmd_") +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }

  Result cli(std::vector<std::string> args) const {
    args.insert(args.begin(), cli_);
    return run_program(args, dir_);
  }

  static void expect_one_line_error(const Result& r, const std::vector<std::string>& parts) {
    EXPECT_EQ(r.status, 2) << r.err;
    const size_t at = r.err.find("earlybert: error: ");
    ASSERT_NE(at, std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\n', at), r.err.size() - 1) << "multi-line error: " << r.err;
    for (const auto& p : parts) EXPECT_NE(r.err.find(p), std::string::npos) << "'" << p << "' not in: " << r.err;
  }

  std::string cli_;
  std::string dir_;
};

/// compare's table: label -> cells (columns are separated by two or more spaces).
std::map<std::string, std::vector<std::string>> compare_rows(const std::string& table) {
  std::map<std::string, std::vector<std::string>> rows;
  std::istringstream in(table);
  std::string line;
  const std::regex sep(" {2,}");
  while (std::getline(in, line)) {
    std::vector<std::string> parts;
    for (std::sregex_token_iterator it(line.begin(), line.end(), sep, -1), end; it != end; ++it) parts.push_back(*it);
    if (parts.size() < 2) continue;
    rows[parts[0]] = std::vector<std::string>(parts.begin() + 1, parts.end());
  }
  return rows;
}

/// The page's table body: label -> cells.
std::map<std::string, std::vector<std::string>> report_rows(const std::string& html) {
  std::map<std::string, std::vector<std::string>> rows;
  const std::regex row(R"(<tr><th scope="row">([^<]*)</th>((?:<td>[^<]*</td>)*)</tr>)");
  const std::regex cell(R"(<td>([^<]*)</td>)");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), row); it != std::sregex_iterator(); ++it) {
    const std::string cells = (*it)[2].str();
    std::vector<std::string> values;
    for (auto c = std::sregex_iterator(cells.begin(), cells.end(), cell); c != std::sregex_iterator(); ++c)
      values.push_back((*c)[1].str());
    rows[(*it)[1].str()] = values;
  }
  return rows;
}

TEST_F(ReportCmd, TableMatchesCompareCellForCell) {
  const auto& runs = real_runs();
  const std::string page = dir_ + "/report.html";
  const Result r =
      cli({"report", runs.dense, runs.earlybert, runs.searching, "--output", page, "--title", "SST-2 <1>"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("report of 3 runs written to " + page), std::string::npos) << r.out;
  const std::string html = read_file(page);
  EXPECT_NE(html.find("<title>SST-2 &lt;1&gt;</title>"), std::string::npos);
  const Result c = cli({"compare", runs.dense, runs.earlybert, runs.searching});
  ASSERT_EQ(c.status, 0) << c.err;
  const auto expected = compare_rows(c.out);
  const auto actual = report_rows(html);
  ASSERT_GT(expected.size(), 15u) << c.out;
  for (const auto& [label, cells] : expected) {
    if (label == "run") continue;  // the table's header row
    const auto it = actual.find(label);
    ASSERT_NE(it, actual.end()) << "row '" << label << "' missing from the report";
    EXPECT_EQ(it->second, cells) << label;
  }
  EXPECT_EQ(actual.size(), expected.size() - 1);
  // Every picture of three runs, one of which never searched.
  for (const char* id : {"time-chart", "loss-0", "loss-1", "loss-2", "eval-eval_accuracy", "distance-1", "distance-2",
                         "structure-0", "structure-1", "structure-2"})
    EXPECT_NE(html.find("id=\"" + std::string(id) + "\""), std::string::npos) << id;
  EXPECT_EQ(html.find("id=\"distance-0\""), std::string::npos);
  test::expect_well_formed_xml(html);
}

TEST_F(ReportCmd, BadRunsAreOneLineErrors) {
  const auto& runs = real_runs();
  const std::string page = dir_ + "/report.html";
  expect_one_line_error(cli({"report", runs.dense, dir_ + "/no-such-run", "--output", page}), {dir_ + "/no-such-run"});

  const std::string copy = dir_ + "/no-ticket";
  fs::copy(runs.earlybert, copy, fs::copy_options::recursive);
  fs::remove(copy + "/ticket.json");
  expect_one_line_error(cli({"report", copy, "--output", page}), {copy + "/ticket.json", "missing"});

  const std::string bad = dir_ + "/bad-eval";
  fs::copy(runs.dense, bad, fs::copy_options::recursive);
  write_file_atomic(bad + "/eval_results.json", "{\"eval_accuracy\": 0.5, \"train_runtime\": \"fast\"}");
  expect_one_line_error(cli({"report", bad, "--output", page}), {bad + "/eval_results.json", "train_runtime"});
  EXPECT_FALSE(path_exists(page));  // nothing written on error

  const Result no_output = cli({"report", runs.dense});
  EXPECT_NE(no_output.status, 0);
  EXPECT_NE(no_output.err.find("--output"), std::string::npos) << no_output.err;
}

// --- the browser check ---------------------------------------------------------------------------------

/// $EARLYBERT_CHROMIUM, else chromium / chromium-browser / google-chrome on PATH; "" when none.
std::string find_chromium() {
  if (const char* env = std::getenv("EARLYBERT_CHROMIUM")) return path_exists(env) ? env : "";
  const char* path = std::getenv("PATH");
  if (path == nullptr) return "";
  std::istringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
      const std::string candidate = dir + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return "";
}

struct Png {
  bool valid = false;
  uint32_t width = 0, height = 0;
  size_t bytes = 0;
};

/// The signature and the IHDR chunk of a PNG file.
Png read_png(const std::string& path) {
  Png png;
  if (!path_exists(path)) return png;
  const std::string data = read_file(path);
  png.bytes = data.size();
  if (data.size() < 33 || data.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 || data.compare(12, 4, "IHDR") != 0) return png;
  auto be32 = [&](size_t at) {
    return (uint32_t(uint8_t(data[at])) << 24) | (uint32_t(uint8_t(data[at + 1])) << 16) |
           (uint32_t(uint8_t(data[at + 2])) << 8) | uint32_t(uint8_t(data[at + 3]));
  };
  png.width = be32(16);
  png.height = be32(20);
  png.valid = true;
  return png;
}

class ReportBrowser : public ReportCmd {
 protected:
  void SetUp() override {
    ReportCmd::SetUp();
    if (IsSkipped()) return;
    chromium_ = find_chromium();
    if (chromium_.empty()) GTEST_SKIP() << "no chromium (apt-get install chromium, or set EARLYBERT_CHROMIUM)";
  }

  /// Headless Chromium with a fresh profile, nothing fetched from the network, the console logged.
  Result browse(const std::vector<std::string>& extra, const std::string& url, const std::string& profile) const {
    std::vector<std::string> argv = {chromium_,
                                     "--headless",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--disable-quic",
                                     "--no-first-run",
                                     "--disable-background-networking",
                                     "--disable-component-update",
                                     "--disable-sync",
                                     "--user-data-dir=" + profile,
                                     "--enable-logging=stderr",
                                     "--v=0",
                                     "--hide-scrollbars"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(url);
    return run_program(argv, dir_);
  }

  std::string chromium_;
};

TEST_F(ReportBrowser, RendersWithoutErrorsAndShowsEveryPicture) {
  const auto& runs = real_runs();
  const std::string page = dir_ + "/report.html";
  const Result r = cli({"report", runs.dense, runs.earlybert, runs.searching, "--output", page});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string url = "file://" + page;

  // The DOM as the browser built it. Chromium logs every console message — script errors and SVG
  // attribute errors ("<path> attribute d: Expected number") alike — as a CONSOLE line.
  const Result dom = browse({"--dump-dom"}, url, dir_ + "/profile-dom");
  ASSERT_EQ(dom.status, 0) << dom.err;
  EXPECT_EQ(dom.err.find("CONSOLE"), std::string::npos) << dom.err;
  const std::vector<std::string> pictures = {"time-chart", "loss-0",      "loss-1",      "loss-2",     "distance-1",
                                             "distance-2", "structure-0", "structure-1", "structure-2"};
  for (const std::string& id : pictures) {
    const size_t at = dom.out.find("id=\"" + id + "\"");
    ASSERT_NE(at, std::string::npos) << id << " missing from the DOM";
    const size_t svg = dom.out.find("<svg", at), end = dom.out.find("</figure>", at);
    EXPECT_LT(svg, end) << id << " has no <svg>";
  }
  const size_t svgs = count_of(dom.out, "<svg ");
  EXPECT_EQ(svgs, count_of(dom.out, "</svg>"));  // every SVG closed where we closed it
  EXPECT_EQ(svgs, count_of(read_file(page), "<svg "));
  EXPECT_GE(svgs, pictures.size() + 1);  // + at least one evaluation chart

  // A screenshot with content: a blank page of the same size compresses to a few kilobytes.
  const Result shot =
      browse({"--window-size=1200,1600", "--screenshot=" + dir_ + "/report.png"}, url, dir_ + "/profile-shot");
  ASSERT_EQ(shot.status, 0) << shot.err;
  EXPECT_EQ(shot.err.find("CONSOLE"), std::string::npos) << shot.err;
  const Result blank = browse({"--window-size=1200,1600", "--screenshot=" + dir_ + "/blank.png"}, "about:blank",
                              dir_ + "/profile-blank");
  ASSERT_EQ(blank.status, 0) << blank.err;
  const Png report = read_png(dir_ + "/report.png"), empty = read_png(dir_ + "/blank.png");
  ASSERT_TRUE(report.valid) << "not a PNG";
  ASSERT_TRUE(empty.valid);
  EXPECT_EQ(report.width, 1200u);
  EXPECT_EQ(report.height, 1600u);
  EXPECT_GT(report.bytes, 4 * empty.bytes) << "the screenshot looks blank";
}

TEST_F(ReportBrowser, ConsoleErrorsAreDetected) {
  // The check above can fail: a page with a broken SVG attribute produces the CONSOLE line it looks for.
  const std::string page = dir_ + "/broken.html";
  write_file_atomic(page,
                    "<!DOCTYPE html><html><body><svg width=\"10\" height=\"10\"><path d=\"M 0 nan\"/></svg>"
                    "</body></html>");
  const Result dom = browse({"--dump-dom"}, "file://" + page, dir_ + "/profile");
  ASSERT_EQ(dom.status, 0) << dom.err;
  EXPECT_NE(dom.err.find("CONSOLE"), std::string::npos) << dom.err;
}

}  // namespace
}  // namespace earlybert::report
