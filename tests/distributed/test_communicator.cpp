// The single-process communicator: every collective is the identity, and the conveniences built on
// the collectives (scalar reduction, string broadcast) give their input back.
#include <ATen/Functions.h>
#include <gtest/gtest.h>

#include "earlybert/distributed/communicator.h"

namespace earlybert {
namespace {

TEST(SingleProcessCommunicator, CollectivesAreTheIdentity) {
  SingleProcessCommunicator comm;
  EXPECT_EQ(comm.rank(), 0);
  EXPECT_EQ(comm.world_size(), 1);
  EXPECT_TRUE(comm.is_main());
  std::vector<at::Tensor> t = {at::arange(4, at::kFloat)};
  comm.all_reduce(t);
  EXPECT_TRUE(at::equal(t[0], at::arange(4, at::kFloat)));
  comm.broadcast(t, 0);
  EXPECT_TRUE(at::equal(t[0], at::arange(4, at::kFloat)));
  comm.all_reduce_async(t[0])->wait();
  EXPECT_TRUE(at::equal(t[0], at::arange(4, at::kFloat)));
  comm.barrier();
}

TEST(SingleProcessCommunicator, ConveniencesGiveTheirInputBack) {
  SingleProcessCommunicator comm;
  EXPECT_DOUBLE_EQ(comm.all_reduce_scalar(2.5), 2.5);
  EXPECT_DOUBLE_EQ(comm.all_reduce_scalar(-1.0, ReduceOp::Max), -1.0);
  const std::string text = std::string("ticket \0 with a zero byte", 25);
  EXPECT_EQ(comm.broadcast_string(text), text);
  EXPECT_EQ(comm.broadcast_string(""), "");
}

}  // namespace
}  // namespace earlybert
