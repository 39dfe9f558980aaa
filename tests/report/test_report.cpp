// render_report on constructed runs: every section and picture is there, names are escaped, the page
// is well-formed XML (checked by Python's expat), self-contained and deterministic.
#include <gtest/gtest.h>

#include <string>

#include "earlybert/report/report.h"
#include "expect_error.h"
#include "report/report_test_util.h"

namespace earlybert::report {
namespace {

using test::all_matches;
using test::count_of;

TEST(Report, HasEverySectionAndPicture) {
  const std::string html = render_report({test::dense_run(), test::earlybert_run()});
  for (const char* id : {"comparison", "time", "loss", "evaluation", "distances", "structure"})
    EXPECT_NE(html.find("<section id=\"" + std::string(id) + "\">"), std::string::npos) << id;
  // Pictures: time bars, 2 loss panels, 2 eval metrics, 1 distance chart (the dense run has no
  // search), 2 structures.
  for (const char* id : {"time-chart", "loss-0", "loss-1", "eval-eval_accuracy", "eval-eval_loss", "distance-1",
                         "structure-0", "structure-1"})
    EXPECT_NE(html.find("id=\"" + std::string(id) + "\""), std::string::npos) << id;
  EXPECT_EQ(html.find("id=\"distance-0\""), std::string::npos);
  EXPECT_EQ(count_of(html, "<svg "), 8u);
  EXPECT_EQ(count_of(html, "</svg>"), 8u);
  EXPECT_NE(html.find("No early-bird search recorded: dense."), std::string::npos);
  // The EarlyBERT run's loss panel: search and efficient bands split at the draw, the draw marked.
  EXPECT_NE(html.find(">draw @ 12</text>"), std::string::npos);
  EXPECT_NE(html.find(">draw @ 12 (early_bird)</text>"), std::string::npos);
  EXPECT_NE(html.find(">heads allowed 0.125</text>"), std::string::npos);
  EXPECT_NE(html.find(">FFN allowed 0.1</text>"), std::string::npos);
  EXPECT_NE(html.find("<title>search</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>efficient training</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>dense training</title>"), std::string::npos);
  // The comparison table holds compare's rows.
  EXPECT_NE(html.find("<th scope=\"row\">time saved vs dense</th><td>-</td><td>23.0s (20.0%)</td>"), std::string::npos);
  EXPECT_NE(html.find("<th scope=\"row\">heads kept</th><td>all</td><td>6/8</td>"), std::string::npos);
}

TEST(Report, SelfContainedAndWellFormed) {
  const std::string html = render_report({test::dense_run(), test::earlybert_run()});
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // only the SVG namespace
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  for (const char* bad : {"nan\"", "inf\"", "NaN"}) EXPECT_EQ(html.find(bad), std::string::npos) << bad;
  test::expect_well_formed_xml(html);
}

TEST(Report, RunNamesAreEscapedEverywhere) {
  RunData evil = test::earlybert_run("<img src=x onerror=alert(1)>&\"'");
  evil.dir = "runs/<evil-dir>";
  evil.task = "t<evil-task>";
  evil.ticket_mode = "<evil-reason>";
  const std::string html = render_report({test::dense_run(), evil}, {"title </title><script>"});
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<evil"), std::string::npos);
  EXPECT_NE(html.find("&lt;evil-dir&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;evil-reason&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;"), std::string::npos);
  test::expect_well_formed_xml(html);
}

TEST(Report, DeterministicAndSingleRun) {
  const std::string a = render_report({test::earlybert_run()});
  EXPECT_EQ(a, render_report({test::earlybert_run()}));
  EXPECT_NE(a.find("id=\"distance-0\""), std::string::npos);
  EXPECT_NE(a.find("from the files of 1 run."), std::string::npos);
}

TEST(Report, RunsWithoutCurvesStillGetEverySection) {
  RunData bare = test::dense_run("bare");
  bare.training.clear();
  bare.evaluations.clear();
  bare.structure.clear();
  bare.structure_source.clear();
  const std::string html = render_report({bare});
  for (const char* id : {"comparison", "time", "loss", "evaluation", "distances", "structure"})
    EXPECT_NE(html.find("<section id=\"" + std::string(id) + "\">"), std::string::npos) << id;
  EXPECT_NE(html.find(">no data</text>"), std::string::npos);
  EXPECT_NE(html.find("No evaluations were logged"), std::string::npos);
  EXPECT_NE(html.find("no structure recorded"), std::string::npos);
}

TEST(Report, NoRunsIsAnError) {
  earlybert::test::expect_error([] { render_report({}); }, {"report", "no runs"});
}

TEST(Report, GivenTicketAndSearchThatNeverDrew) {
  RunData given = test::earlybert_run("transfer");
  given.draw_step = 0;
  given.draw_reason = DrawReason::Given;
  given.ticket_mode = "ticket runs/pretrain/ticket.json";
  given.training.clear();
  for (int s = 2; s <= 40; s += 2) given.training.push_back({s, Phase::Efficient, 0.7 - 0.006 * s});
  RunData searching = test::earlybert_run("searching");
  searching.draw_step = -1;
  searching.draw_reason = DrawReason::NotYet;
  searching.ticket->draw_step = -1;
  searching.ticket->reason = DrawReason::NotYet;
  for (auto& p : searching.training) p.phase = Phase::Search;
  searching.structure = test::dense_run().structure;
  searching.structure_source = "config.json";
  const std::string html = render_report({given, searching});
  // A given ticket: no draw in this run's curves, its source's search shown as such.
  EXPECT_NE(html.find("transfer (the given ticket&#39;s search)"), std::string::npos);
  EXPECT_NE(html.find("given ticket: 6/8 heads"), std::string::npos);
  EXPECT_EQ(html.find(">draw @ 12</text>"), std::string::npos);  // neither run drew in its own training
  EXPECT_NE(html.find("id=\"distance-1\""), std::string::npos);  // the search's distances, without a draw
  test::expect_well_formed_xml(html);
}

}  // namespace
}  // namespace earlybert::report
