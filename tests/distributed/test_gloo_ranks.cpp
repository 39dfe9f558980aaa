// Two ranks on 127.0.0.1 with Gloo: each test starts two earlybert_dist_worker processes with the
// variables torchrun would set (a free MASTER_PORT per test, so tests run in parallel), waits for
// them, and checks their exit status and the checks they report (the worker compares its results
// with references computed without communication: see tests/distributed/worker/dist_worker.cpp).
// Also: a rank killed or stopped mid-run makes the other exit with a one-line error, a rank that never
// starts makes rank 0 give up the rendezvous, and Debian's torchrun starts the worker.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "earlybert/distributed/launch.h"
#include "rank_processes.h"
#include "scratch_dir.h"

namespace earlybert {
namespace {

using test::environment_with;
using test::free_port;
using test::reap;
using test::spawn;
using RankRun = test::ProcessRun;

class GlooTwoRanks : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!comm_backend_available(CommBackend::Gloo)) GTEST_SKIP() << "this build has no Gloo backend";
    const char* worker = std::getenv("EARLYBERT_DIST_WORKER");
    if (worker == nullptr || ::access(worker, X_OK) != 0) GTEST_SKIP() << "earlybert_dist_worker not built";
    worker_ = worker;
    dir_ = test::scratch_dir(std::string("gloo_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    port_ = free_port();
  }

  std::map<std::string, std::string> rank_env(int rank, int world, const std::string& timeout) const {
    return test::rank_environment(rank, world, port_, timeout);
  }

  /// Starts `world` ranks with `args`; waits for them all. `stop_rank_1_after_rank_0`: rank 1 is
  /// expected not to finish by itself; it is killed once rank 0 has exited.
  std::vector<RankRun> run(const std::vector<std::string>& args, int world = 2, const std::string& timeout = "60",
                           bool stop_rank_1_after_rank_0 = false) {
    std::vector<pid_t> pids;
    for (int r = 0; r < world; ++r) {
      std::vector<std::string> argv = {worker_};
      argv.insert(argv.end(), args.begin(), args.end());
      pids.push_back(spawn(argv, environment_with(rank_env(r, world, timeout)), out(r), err(r)));
    }
    std::vector<RankRun> runs;
    for (int r = 0; r < world; ++r) {
      if (r == 1 && stop_rank_1_after_rank_0 && pids[1] > 0) ::kill(pids[1], SIGKILL);
      runs.push_back(reap(pids[static_cast<size_t>(r)], out(r), err(r)));
    }
    return runs;
  }

  /// Every rank exited 0 and reported each check in `names` as ok, and none as failed.
  static void expect_checks(const std::vector<RankRun>& runs, const std::vector<std::string>& names) {
    for (size_t r = 0; r < runs.size(); ++r) {
      SCOPED_TRACE("rank " + std::to_string(r) + "\nstdout:\n" + runs[r].out + "stderr:\n" + runs[r].err);
      EXPECT_TRUE(runs[r].exited);
      EXPECT_EQ(runs[r].exit_code, 0);
      EXPECT_EQ(runs[r].out.find(" FAIL "), std::string::npos);
      for (const auto& name : names)
        EXPECT_NE(runs[r].out.find("check " + name + " ok\n"), std::string::npos) << "missing check " << name;
    }
  }

  /// The last line of stderr, which must be the worker's one-line "error: ..." message.
  static std::string error_line(const RankRun& run) { return test::last_line(run.err); }

  std::string out(int r) const { return dir_ + "/rank" + std::to_string(r) + ".out"; }
  std::string err(int r) const { return dir_ + "/rank" + std::to_string(r) + ".err"; }

  std::string worker_, dir_;
  int port_ = 0;
};

TEST_F(GlooTwoRanks, Collectives) {
  expect_checks(run({"collectives", dir_}),
                {"identity", "broadcast", "all_reduce_sum", "all_reduce_max_min", "all_reduce_async_staged", "barrier",
                 "all_reduce_scalar_sum", "all_reduce_scalar_max", "all_reduce_scalar_min", "broadcast_string",
                 "broadcast_string_empty", "gather_rows", "gather_bool"});
}

TEST_F(GlooTwoRanks, ThreeRanksCollectives) {
  expect_checks(run({"collectives", dir_}, 3),
                {"broadcast", "all_reduce_sum", "barrier", "gather_rows", "gather_bool"});
}

const std::vector<std::string> kReducerChecks = {"broadcast_from_rank0",
                                                 "bucket_count",
                                                 "buckets_started_by_backward_hooks",
                                                 "step0_equals_plain_all_reduce",
                                                 "step0_equals_single_process",
                                                 "step0_unused_keeps_no_grad",
                                                 "step2_equals_plain_all_reduce",
                                                 "step2_equals_single_process",
                                                 "trained_like_single_process",
                                                 "replicas_identical"};

TEST_F(GlooTwoRanks, ReducerWithSmallBucketsEqualsAllReduceAndSingleProcess) {
  expect_checks(run({"reducer", "96"}), kReducerChecks);
}

TEST_F(GlooTwoRanks, ReducerWithDefaultBucketEqualsAllReduceAndSingleProcess) {
  expect_checks(run({"reducer", std::to_string(int64_t{25} << 20)}), kReducerChecks);
}

TEST_F(GlooTwoRanks, NoSyncAccumulatesLocallyThenReduces) {
  expect_checks(run({"no_sync"}), {"micro0_no_collective", "micro0_grads_stay_local", "micro1_no_collective",
                                   "micro1_grads_stay_local", "accumulated_equals_single_process"});
}

TEST_F(GlooTwoRanks, RebuildAfterPruning) {
  expect_checks(run({"rebuild"}),
                {"dense_step_equals_single_process", "buckets_follow_new_shapes", "pruned_replicas_identical",
                 "old_hooks_removed", "pruned_step1_equals_single_process", "pruned_step2_equals_single_process",
                 "pruned_trained_like_single_process"});
}

TEST_F(GlooTwoRanks, RebuildWithDifferentShapesFailsOnEveryRank) {
  const auto runs = run({"rebuild_mismatch"});
  for (size_t r = 0; r < runs.size(); ++r) {
    SCOPED_TRACE("rank " + std::to_string(r) + " stderr: " + runs[r].err);
    EXPECT_EQ(runs[r].exit_code, 1);
    EXPECT_NE(error_line(runs[r]).find("error: GradientReducer (rank " + std::to_string(r) +
                                       " of 2): the ranks' models differ"),
              std::string::npos);
  }
}

TEST_F(GlooTwoRanks, DeadRankFailsThePeerWithOneLine) {
  const auto runs = run({"die"});
  EXPECT_EQ(runs[1].signal, SIGKILL) << runs[1].out << runs[1].err;
  SCOPED_TRACE("rank 0 stderr: " + runs[0].err);
  EXPECT_TRUE(runs[0].exited);
  EXPECT_EQ(runs[0].exit_code, 1);
  const std::string line = error_line(runs[0]);
  EXPECT_EQ(line.rfind("error: gloo all_reduce (rank 0 of 2): failed: ", 0), 0u) << line;
  EXPECT_NE(line.find("another rank died"), std::string::npos) << line;
}

TEST_F(GlooTwoRanks, StoppedRankMakesThePeerTimeOut) {
  const auto runs = run({"hang"}, 2, "3", /*stop_rank_1_after_rank_0=*/true);
  SCOPED_TRACE("rank 0 stderr: " + runs[0].err);
  EXPECT_NE(runs[1].out.find("rank 1 stops answering"), std::string::npos);
  EXPECT_EQ(runs[0].exit_code, 1);
  const std::string line = error_line(runs[0]);
  EXPECT_EQ(line.rfind("error: gloo all_reduce (rank 0 of 2): failed: ", 0), 0u) << line;
  EXPECT_NE(line.find("within the 3 s timeout"), std::string::npos) << line;
}

TEST_F(GlooTwoRanks, MissingRankFailsTheRendezvous) {
  // Only rank 0 of 2 starts: it hosts the store and waits for a peer that never comes.
  std::vector<std::string> argv = {worker_, "collectives", dir_};
  const pid_t pid = spawn(argv, environment_with(rank_env(0, 2, "2")), out(0), err(0));
  const RankRun run0 = reap(pid, out(0), err(0));
  SCOPED_TRACE("stderr: " + run0.err);
  EXPECT_EQ(run0.exit_code, 1);
  const std::string line = error_line(run0);
  // Depending on the LibTorch version the store or gloo's connection set-up gives up first; either
  // way the line says who, where and after how long.
  EXPECT_EQ(line.rfind("error: ", 0), 0u) << line;
  EXPECT_NE(line.find("(rank 0 of 2)"), std::string::npos) << line;
  EXPECT_NE(line.find("MASTER_ADDR:MASTER_PORT 127.0.0.1:" + std::to_string(port_)), std::string::npos) << line;
  EXPECT_NE(line.find("within the 2 s timeout"), std::string::npos) << line;
}

/// Runs Debian's torchrun (torch 1.13 on Python 3.11: -r/-t must be given, PLATFORM-NOTES.md) with
/// `rendezvous` flags over two ranks of the worker's collectives scenario; returns its stdout.
std::string torchrun_collectives(const std::string& worker, const std::string& dir,
                                 const std::vector<std::string>& rendezvous, const std::string& out,
                                 const std::string& err) {
  std::vector<std::string> argv = {"/usr/bin/python3", "-m", "torch.distributed.run", "--nnodes", "1",
                                   "--nproc_per_node", "2"};
  argv.insert(argv.end(), rendezvous.begin(), rendezvous.end());
  for (const std::string a : {"--no_python", "-r", "1", "-t", "1", "--log_dir"}) argv.push_back(a);
  argv.insert(argv.end(), {dir + "/torchrun", worker, "collectives", dir});
  const pid_t pid =
      spawn(argv, environment_with({{"EARLYBERT_DIST_TIMEOUT", "60"}, {"OMP_NUM_THREADS", "1"}}), out, err);
  const RankRun torchrun = reap(pid, out, err);
  EXPECT_EQ(torchrun.exit_code, 0) << "stdout:\n" << torchrun.out << "stderr:\n" << torchrun.err;
  // -t 1 prefixes each worker's stdout lines with its role and local rank: "[default0]:".
  for (const std::string rank : {"0]:", "1]:"}) {
    for (const std::string check : {"identity", "broadcast", "barrier", "broadcast_string", "gather_rows"})
      EXPECT_NE(torchrun.out.find(rank + "check " + check + " ok"), std::string::npos) << rank << check << "\n"
                                                                                       << torchrun.out;
  }
  EXPECT_EQ(torchrun.out.find(" FAIL "), std::string::npos) << torchrun.out;
  return torchrun.out;
}

bool have_torchrun() { return ::system("/usr/bin/python3 -c 'import torch.distributed.run' >/dev/null 2>&1") == 0; }

TEST_F(GlooTwoRanks, TorchrunWithItsAgentStore) {
  // torchrun's default (static) rendezvous: the agent hosts the store at --master_port and sets
  // TORCHELASTIC_USE_AGENT_STORE=True; the ranks connect to it as clients.
  if (!have_torchrun()) GTEST_SKIP() << "Debian's python3-torch (torchrun) is not installed";
  const std::string out = torchrun_collectives(
      worker_, dir_, {"--master_addr", "127.0.0.1", "--master_port", std::to_string(port_)}, this->out(0), err(0));
  EXPECT_NE(out.find("0]:launch use_agent_store=1"), std::string::npos) << out;
  EXPECT_NE(out.find("1]:launch use_agent_store=1"), std::string::npos) << out;
}

TEST_F(GlooTwoRanks, TorchrunWithC10dRendezvous) {
  // What --standalone does (a c10d rendezvous), on a free port instead of its fixed 29400 so that
  // tests can run in parallel: TORCHELASTIC_USE_AGENT_STORE=False, rank 0 hosts the store.
  if (!have_torchrun()) GTEST_SKIP() << "Debian's python3-torch (torchrun) is not installed";
  const std::string out = torchrun_collectives(
      worker_, dir_, {"--rdzv_backend", "c10d", "--rdzv_endpoint", "127.0.0.1:" + std::to_string(port_)}, this->out(0),
      err(0));
  EXPECT_NE(out.find("0]:launch use_agent_store=0"), std::string::npos) << out;
}

}  // namespace
}  // namespace earlybert
