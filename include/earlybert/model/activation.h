// The FFN / prediction-head activation named by BertConfig::hidden_act.
//
// Parsed once into an enum at construction so that forward() does not compare strings. "gelu" is the
// exact erf form (Hugging Face's "gelu"); "gelu_new" and "gelu_pytorch_tanh" are the tanh
// approximation; "relu" is relu.
#pragma once

#include <string>

#include <torch/types.h>

namespace earlybert {

enum class Activation { GeluErf, GeluTanh, Relu };

/// Parses a hidden_act name; an unknown name is an Error naming `where`.
Activation parse_activation(const std::string& name, const std::string& where = "hidden_act");

/// Applies the activation (out of place).
torch::Tensor apply_activation(const torch::Tensor& x, Activation act);

}  // namespace earlybert
