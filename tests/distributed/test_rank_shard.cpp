// shard_indices against PyTorch's own DistributedSampler (Debian's /usr/bin/python3 with torch 1.13:
// skipped without it), and the properties the trainer relies on; eval_shard_range.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "earlybert/distributed/rank_shard.h"
#include "expect_error.h"

namespace earlybert {
namespace {

/// Lines "n world rank seed epoch shuffle: i i i ..." from torch.utils.data.DistributedSampler.
std::map<std::string, std::vector<int64_t>> python_reference() {
  const char* script =
      "import torch\n"
      "from torch.utils.data import DistributedSampler\n"
      "for n in (1, 5, 7, 10, 13):\n"
      "  for w in (1, 2, 3, 4):\n"
      "    for r in range(w):\n"
      "      for seed in (0, 42):\n"
      "        for epoch in (0, 3):\n"
      "          for shuffle in (True, False):\n"
      "            s = DistributedSampler(range(n), num_replicas=w, rank=r, shuffle=shuffle, seed=seed)\n"
      "            s.set_epoch(epoch)\n"
      "            print(n, w, r, seed, epoch, int(shuffle), \":\", *list(s))\n";
  std::map<std::string, std::vector<int64_t>> out;
  const std::string command = "/usr/bin/python3 -c '" + std::string(script) + "' 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::string text;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) text.append(buffer, n);
  ::pclose(pipe);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::istringstream values(line.substr(colon + 1));
    std::vector<int64_t> v;
    for (int64_t x; values >> x;) v.push_back(x);
    out[line.substr(0, colon - 1)] = v;
  }
  return out;
}

TEST(ShardIndices, EqualsPyTorchsDistributedSampler) {
  const auto reference = python_reference();
  if (reference.empty()) GTEST_SKIP() << "Debian's /usr/bin/python3 with torch is not available";
  EXPECT_EQ(reference.size(), 5u * (1 + 2 + 3 + 4) * 2 * 2 * 2);
  for (const auto& [key, positions] : reference) {
    std::istringstream k(key);
    int64_t n, w, r, seed, epoch, shuffle;
    k >> n >> w >> r >> seed >> epoch >> shuffle;
    // A list that is not the identity: the sampler's positions index into it.
    std::vector<int64_t> list;
    for (int64_t i = 0; i < n; ++i) list.push_back(100 + 3 * i);
    std::vector<int64_t> expected;
    for (int64_t p : positions) expected.push_back(list[static_cast<size_t>(p)]);
    EXPECT_EQ(shard_indices(list, static_cast<int>(r), static_cast<int>(w), static_cast<uint64_t>(seed),
                            static_cast<uint64_t>(epoch), shuffle != 0),
              expected)
        << key;
  }
}

TEST(ShardIndices, EveryRankTheSameCountAndTogetherEveryIndex) {
  std::vector<int64_t> list(23);
  for (size_t i = 0; i < list.size(); ++i) list[i] = static_cast<int64_t>(i);
  for (int w : {1, 2, 3, 5, 30}) {
    std::multiset<int64_t> all;
    for (int r = 0; r < w; ++r) {
      const auto shard = shard_indices(list, r, w, 7, 1);
      EXPECT_EQ(shard.size(), (list.size() + static_cast<size_t>(w) - 1) / static_cast<size_t>(w));
      all.insert(shard.begin(), shard.end());
    }
    for (int64_t i : list) EXPECT_GE(all.count(i), 1u) << "world " << w << " index " << i;
  }
}

TEST(ShardIndices, DeterministicPerEpochAndDifferentAcrossEpochs) {
  std::vector<int64_t> list(50);
  for (size_t i = 0; i < list.size(); ++i) list[i] = static_cast<int64_t>(i);
  EXPECT_EQ(shard_indices(list, 1, 2, 3, 4), shard_indices(list, 1, 2, 3, 4));
  EXPECT_NE(shard_indices(list, 1, 2, 3, 4), shard_indices(list, 1, 2, 3, 5));
  EXPECT_NE(shard_indices(list, 1, 2, 3, 4), shard_indices(list, 1, 2, 4, 4));
  EXPECT_TRUE(shard_indices({}, 0, 2, 0, 0).empty());
  test::expect_error([&] { shard_indices(list, 2, 2, 0, 0); }, {"rank 2 of world size 2"});
}

TEST(EvalShardRange, ContiguousBlocksCoverEveryExampleOnce) {
  for (int64_t n : {0, 1, 7, 10}) {
    for (int w : {1, 2, 3, 4}) {
      int64_t next = 0;
      for (int r = 0; r < w; ++r) {
        const ShardRange s = eval_shard_range(n, r, w);
        EXPECT_EQ(s.begin, next);
        EXPECT_GE(s.size(), n / w);
        EXPECT_LE(s.size(), n / w + 1);
        next = s.end;
      }
      EXPECT_EQ(next, n);
    }
  }
  test::expect_error([] { eval_shard_range(5, -1, 2); }, {"rank -1"});
}

}  // namespace
}  // namespace earlybert
