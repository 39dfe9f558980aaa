// gather_in_rank_order — every rank's evaluation outputs, concatenated in rank order, on every rank.
//
// Sharded evaluation (rank_shard.h: eval_shard_range) leaves each rank with the outputs of its own
// contiguous block — logits, predictions, losses — with different row counts. Concatenating them in
// rank order gives the outputs of the whole evaluation set in its original order, as one process
// would have computed them, so the metric code runs unchanged (on every rank, or only on rank 0).
//
// Built on all_reduce (no all-gather in the Communicator interface): each rank places its rows at its
// offset in a zero tensor of the total size and the sum assembles them. Adding zeros is exact (only
// the sign of a -0.0 is lost). Bool, half and bfloat16 travel as uint8 / float and come back as they
// were.
#pragma once

#include <ATen/core/Tensor.h>

#include "earlybert/distributed/communicator.h"

namespace earlybert {

/// The ranks' `local` tensors (any row count, including 0; the same dtype and trailing shape on every
/// rank, else Error) concatenated along dim 0 in rank order, on the communicator's device.
at::Tensor gather_in_rank_order(Communicator& comm, const at::Tensor& local);

}  // namespace earlybert
