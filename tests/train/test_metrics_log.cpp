// Tests for metrics.jsonl records and the rank-0-only writer behind every output file.
#include "earlybert/train/metrics_log.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>

#include "earlybert/base/files.h"
#include "earlybert/train/rank_zero_writer.h"
#include "train_test_util.h"

using namespace earlybert;
using earlybert::test::expect_error;
using earlybert::test::scratch_dir;

namespace {
MetricsRecord record(int64_t step, Phase phase) {
  MetricsRecord r;
  r.step = step;
  r.epoch = step / 40.0;
  r.phase = phase;
  r.loss = 2.0 / (1 + step);
  r.l1 = phase == Phase::Search ? std::optional<double>(0.0125) : std::nullopt;
  r.lr = 4e-5;
  r.grad_norm = 1.5;
  r.tokens_per_s = 5120.25;
  r.elapsed = 0.1 * step;
  return r;
}
}  // namespace

TEST(MetricsLog, LineLayoutAndRoundTrip) {
  auto r = record(40, Phase::Search);
  r.extra = {{"dist_heads", 0.25}, {"eval_accuracy", 0.5}};
  const std::string line = r.to_json();
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.rfind("{\"step\":40,\"epoch\":1.0,\"phase\":\"search\",\"loss\":", 0), 0u) << line;
  EXPECT_LT(line.find("\"elapsed\""), line.find("\"dist_heads\""));  // fixed fields first, then extras
  const auto back = MetricsRecord::from_json(line, "metrics.jsonl:1");
  EXPECT_TRUE(back == r);
  EXPECT_EQ(back.extra[0].first, "dist_heads");  // order kept

  auto eff = record(41, Phase::Efficient);
  EXPECT_EQ(eff.to_json().find("\"l1\""), std::string::npos);  // not measured: left out
  EXPECT_FALSE(MetricsRecord::from_json(eff.to_json(), "x").l1.has_value());
}

TEST(MetricsLog, NonFiniteValuesBecomeNull) {
  auto r = record(3, Phase::Search);
  r.loss = std::nan("");
  r.grad_norm = INFINITY;
  const std::string line = r.to_json();
  EXPECT_NE(line.find("\"loss\":null"), std::string::npos) << line;
  const auto back = MetricsRecord::from_json(line, "m:1");
  ASSERT_TRUE(back.loss.has_value());
  EXPECT_TRUE(std::isnan(*back.loss));
}

TEST(MetricsLog, ErrorsNameLineAndKey) {
  expect_error([] { MetricsRecord::from_json("{\"epoch\": 1}", "metrics.jsonl:4"); }, {"metrics.jsonl:4", "step"});
  expect_error([] { MetricsRecord::from_json("{\"step\": 1, \"loss\": \"low\"}", "metrics.jsonl:5"); },
               {"metrics.jsonl:5", "loss", "expected a number"});
  expect_error([] { MetricsRecord::from_json("{\"step\": 1,", "metrics.jsonl:6"); }, {"metrics.jsonl:6", "malformed"});
  auto r = record(1, Phase::Search);
  r.extra = {{"loss", 1.0}};
  expect_error([&] { (void)r.to_json(); }, {"loss"});
}

TEST(MetricsLog, LoggerAppendsAndTruncatesForResume) {
  const std::string dir = scratch_dir("metrics");
  MetricsLogger log{RankZeroWriter(dir)};
  for (int64_t s = 10; s <= 50; s += 10) log.log(record(s, s <= 20 ? Phase::Search : Phase::Efficient));
  auto all = read_metrics_jsonl(dir + "/metrics.jsonl");
  ASSERT_EQ(all.size(), 5u);
  EXPECT_TRUE(all[3] == record(40, Phase::Efficient));
  // Resuming from checkpoint-30: the lines of steps 40 and 50 will be logged again.
  log.truncate_after(30);
  all = read_metrics_jsonl(dir + "/metrics.jsonl");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all.back().step, 30);
  log.log(record(40, Phase::Efficient));
  EXPECT_EQ(read_metrics_jsonl(dir + "/metrics.jsonl").size(), 4u);

  write_file_atomic(dir + "/bad.jsonl", record(1, Phase::Search).to_json() + "\n{\"step\": \"two\"}\n");
  expect_error([&] { read_metrics_jsonl(dir + "/bad.jsonl"); }, {"bad.jsonl:2", "step"});
}

TEST(RankZeroWriter, OnlyRankZeroWrites) {
  const std::string dir = scratch_dir("rank_zero");
  RankZeroWriter main(dir + "/out", 0, 2), other(dir + "/out", 1, 2);
  EXPECT_TRUE(main.is_main());
  EXPECT_FALSE(other.is_main());
  other.write_file("config.yaml", "from rank 1");
  other.append_line("metrics.jsonl", "{}");
  other.make_directories("checkpoint-1");
  EXPECT_FALSE(std::filesystem::exists(dir + "/out"));
  main.write_file("config.yaml", "seed: 1\n");
  main.append_line("logs/metrics.jsonl", "{\"step\":1}");
  main.append_line("logs/metrics.jsonl", "{\"step\":2}");
  EXPECT_EQ(read_file(dir + "/out/config.yaml"), "seed: 1\n");
  EXPECT_EQ(read_file(dir + "/out/logs/metrics.jsonl"), "{\"step\":1}\n{\"step\":2}\n");
  EXPECT_EQ(main.path("/abs/file"), "/abs/file");
  expect_error([&] { RankZeroWriter(dir, 2, 2); }, {"rank 2"});
}

TEST(RankZeroWriter, DistributedInfoFromTorchrunEnvironment) {
  ::unsetenv("RANK");
  ::unsetenv("WORLD_SIZE");
  ::unsetenv("LOCAL_RANK");
  auto d = DistributedInfo::from_environment();
  EXPECT_EQ(d.rank, 0);
  EXPECT_EQ(d.world_size, 1);
  ::setenv("RANK", "3", 1);
  ::setenv("WORLD_SIZE", "4", 1);
  ::setenv("LOCAL_RANK", "1", 1);
  d = DistributedInfo::from_environment();
  EXPECT_EQ(d.rank, 3);
  EXPECT_EQ(d.world_size, 4);
  EXPECT_EQ(d.local_rank, 1);
  ::setenv("WORLD_SIZE", "two", 1);
  expect_error([] { DistributedInfo::from_environment(); }, {"WORLD_SIZE"});
  ::setenv("WORLD_SIZE", "3", 1);
  expect_error([] { DistributedInfo::from_environment(); }, {"RANK", "WORLD_SIZE"});
  ::unsetenv("RANK");
  ::unsetenv("WORLD_SIZE");
  ::unsetenv("LOCAL_RANK");
}
