// LaunchEnvironment::parse and the communicator choice, without starting any process: torchrun's
// variables, the defaults of a hand-set environment, and one-line errors naming the bad variable.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "earlybert/distributed/launch.h"
#include "expect_error.h"

namespace earlybert {
namespace {

using Vars = std::map<std::string, std::string>;

LaunchEnvironment parse(const Vars& vars) {
  return LaunchEnvironment::parse([&](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

Vars torchrun_rank(int rank) {
  // What torchrun --nnodes 2 --nproc_per_node 2 sets for the given rank.
  return {{"RANK", std::to_string(rank)},           {"WORLD_SIZE", "4"},
          {"LOCAL_RANK", std::to_string(rank % 2)}, {"LOCAL_WORLD_SIZE", "2"},
          {"MASTER_ADDR", "node0.cluster"},         {"MASTER_PORT", "29500"},
          {"TORCHELASTIC_USE_AGENT_STORE", "True"}, {"TORCHELASTIC_RESTART_COUNT", "2"}};
}

TEST(LaunchEnvironment, NothingSetIsOneProcess) {
  const auto env = parse({});
  EXPECT_FALSE(env.launched);
  EXPECT_EQ(env.rank, 0);
  EXPECT_EQ(env.world_size, 1);
  EXPECT_EQ(env.local_rank, 0);
  EXPECT_EQ(env.local_world_size, 1);
}

TEST(LaunchEnvironment, ReadsTorchrunsVariables) {
  const auto env = parse(torchrun_rank(3));
  EXPECT_TRUE(env.launched);
  EXPECT_EQ(env.rank, 3);
  EXPECT_EQ(env.world_size, 4);
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_EQ(env.local_world_size, 2);
  EXPECT_EQ(env.master_addr, "node0.cluster");
  EXPECT_EQ(env.master_port, 29500);
  EXPECT_TRUE(env.use_agent_store);
  EXPECT_EQ(env.restart_count, 2);
}

TEST(LaunchEnvironment, HandSetVariablesGetDefaults) {
  // A wrapper that sets only the essentials: one machine, rank 0 hosts the store.
  const auto env = parse({{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "1234"}});
  EXPECT_EQ(env.local_world_size, 2);
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_FALSE(env.use_agent_store);
  EXPECT_EQ(env.restart_count, 0);
  // A multi-node wrapper that says how many ranks run per machine: LOCAL_RANK follows.
  const auto node = parse(
      {{"RANK", "5"}, {"WORLD_SIZE", "8"}, {"LOCAL_WORLD_SIZE", "4"}, {"MASTER_ADDR", "n0"}, {"MASTER_PORT", "1234"}});
  EXPECT_EQ(node.local_rank, 1);
  // torchrun with one process: no rendezvous needed.
  const auto one = parse({{"RANK", "0"}, {"WORLD_SIZE", "1"}});
  EXPECT_TRUE(one.launched);
  EXPECT_EQ(one.world_size, 1);
}

TEST(LaunchEnvironment, MalformedVariablesNameTheVariable) {
  auto with = [](Vars vars, const std::string& name, const std::optional<std::string>& value) {
    if (value)
      vars[name] = *value;
    else
      vars.erase(name);
    return vars;
  };
  const Vars good = torchrun_rank(1);
  test::expect_error([&] { parse(with(good, "RANK", "one")); }, {"environment variable RANK", "'one'"});
  test::expect_error([&] { parse(with(good, "RANK", "4")); }, {"environment variable RANK", "not below WORLD_SIZE 4"});
  test::expect_error([&] { parse(with(good, "RANK", "-1")); }, {"environment variable RANK"});
  test::expect_error([&] { parse(with(good, "RANK", "")); }, {"environment variable RANK", "set but empty"});
  test::expect_error([&] { parse(with(good, "RANK", std::nullopt)); }, {"environment variable RANK", "not set"});
  test::expect_error([&] { parse(with(good, "WORLD_SIZE", "0")); }, {"environment variable WORLD_SIZE", "'0'"});
  test::expect_error([&] { parse(with(good, "WORLD_SIZE", "2x")); }, {"environment variable WORLD_SIZE", "'2x'"});
  test::expect_error([&] { parse(with(good, "WORLD_SIZE", std::nullopt)); },
                     {"environment variable WORLD_SIZE", "not set, but RANK is"});
  test::expect_error([&] { parse(with(good, "LOCAL_RANK", "2")); },
                     {"environment variable LOCAL_RANK", "not below LOCAL_WORLD_SIZE 2"});
  test::expect_error([&] { parse(with(good, "LOCAL_WORLD_SIZE", "5")); },
                     {"environment variable LOCAL_WORLD_SIZE", "above WORLD_SIZE 4"});
  test::expect_error([&] { parse(with(good, "MASTER_ADDR", std::nullopt)); }, {"environment variable MASTER_ADDR"});
  test::expect_error([&] { parse(with(good, "MASTER_PORT", std::nullopt)); }, {"environment variable MASTER_PORT"});
  test::expect_error([&] { parse(with(good, "MASTER_PORT", "70000")); },
                     {"environment variable MASTER_PORT", "'70000'"});
  test::expect_error([&] { parse(with(good, "TORCHELASTIC_USE_AGENT_STORE", "yes")); },
                     {"environment variable TORCHELASTIC_USE_AGENT_STORE", "'yes'"});
  test::expect_error([&] { parse(with(good, "TORCHELASTIC_RESTART_COUNT", "x")); },
                     {"environment variable TORCHELASTIC_RESTART_COUNT"});
}

TEST(CommBackend, ParsesAndPrints) {
  for (auto b : {CommBackend::Auto, CommBackend::Single, CommBackend::Gloo, CommBackend::Nccl})
    EXPECT_EQ(parse_comm_backend(to_string(b), "--backend"), b);
  test::expect_error([] { parse_comm_backend("mpi", "--ddp_backend"); }, {"--ddp_backend", "'mpi'"});
  EXPECT_TRUE(comm_backend_available(CommBackend::Single));
  EXPECT_TRUE(comm_backend_available(CommBackend::Auto));
}

TEST(MakeCommunicator, OneProcessWithoutALauncher) {
  auto comm = make_communicator(parse({}), DistributedOptions{});
  EXPECT_EQ(comm->backend(), "single");
  DistributedOptions cuda;
  cuda.use_cuda = true;  // Auto with one process stays single even for CUDA training
  EXPECT_EQ(make_communicator(parse({{"WORLD_SIZE", "1"}}), cuda)->backend(), "single");
}

TEST(MakeCommunicator, RefusesWhatCannotWork) {
  const auto two = parse({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "1"}});
  DistributedOptions single;
  single.backend = CommBackend::Single;
  test::expect_error([&] { make_communicator(two, single); }, {"distributed backend single", "2 ranks"});
  DistributedOptions nccl;
  nccl.backend = CommBackend::Nccl;
  if (comm_backend_available(CommBackend::Nccl))
    test::expect_error([&] { make_communicator(two, nccl); }, {"distributed backend nccl", "CUDA"});
  else
    test::expect_error([&] { make_communicator(two, nccl); }, {"distributed backend nccl", "not in this build"});
  DistributedOptions gloo;
  gloo.backend = CommBackend::Gloo;
  if (comm_backend_available(CommBackend::Gloo)) {
    test::expect_error([&] { make_communicator(parse({}), gloo); }, {"distributed backend gloo", "torchrun"});
    auto spans = two;
    spans.local_world_size = 1;  // two machines, but a loopback rendezvous address
    test::expect_error([&] { make_communicator(spans, gloo); }, {"environment variable MASTER_ADDR", "loopback"});
  }
}

TEST(CollectiveTimeout, EnvironmentOverridesTheOption) {
  const char* saved = std::getenv("EARLYBERT_DIST_TIMEOUT");
  const std::string restore = saved ? saved : "";
  ::unsetenv("EARLYBERT_DIST_TIMEOUT");
  EXPECT_EQ(collective_timeout_from_environment(std::chrono::minutes(30)), std::chrono::minutes(30));
  ::setenv("EARLYBERT_DIST_TIMEOUT", "2.5", 1);
  EXPECT_EQ(collective_timeout_from_environment(std::chrono::minutes(30)), std::chrono::milliseconds(2500));
  for (const char* bad : {"0", "-1", "ten", "5s", ""}) {
    ::setenv("EARLYBERT_DIST_TIMEOUT", bad, 1);
    test::expect_error([] { collective_timeout_from_environment(std::chrono::seconds(1)); },
                       {"environment variable EARLYBERT_DIST_TIMEOUT"});
  }
  if (saved)
    ::setenv("EARLYBERT_DIST_TIMEOUT", restore.c_str(), 1);
  else
    ::unsetenv("EARLYBERT_DIST_TIMEOUT");
}

}  // namespace
}  // namespace earlybert
