// Random re-initialisation — the standard lottery-ticket control next to the random-structure ticket:
// the ticket's structure (which heads and neurons survive) with freshly initialised weights. If a
// ticket trains no better than its re-initialised copy, what it found is an architecture, not a
// winning initialisation (Frankle & Carbin; for BERT, Chen et al. 2020 and Prasanna et al. 2020).
//
// reinitialize() replaces every parameter of the model with those of a new model of the same kind and
// the same (pruned) config, built right after seeding LibTorch's generator with `seed` — so the
// weights follow the model's own initialisation (normal(0, initializer_range) for the linear and
// embedding weights, zero biases, LayerNorm at 1/0, slimming coefficients at 1) and the same seed gives
// the same weights. Buffers (position ids) are left as they are. The generator's state is restored
// afterwards, so the run's own random stream (dropout) does not depend on the control.
#pragma once

#include <cstdint>

#include "earlybert/model/any_bert_model.h"

namespace earlybert {

/// Re-initialises every parameter of `model` in place (same shapes, same device; leaf tensors kept).
void reinitialize(AnyBertModel& model, uint64_t seed);

}  // namespace earlybert
