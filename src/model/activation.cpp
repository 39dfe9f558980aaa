// Activation parsing and application.
#include "earlybert/model/activation.h"

#include <ATen/ATen.h>

#include "earlybert/base/error.h"

namespace earlybert {

Activation parse_activation(const std::string& name, const std::string& where) {
  if (name == "gelu") return Activation::GeluErf;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh") return Activation::GeluTanh;
  if (name == "relu") return Activation::Relu;
  fail(where, "unsupported activation '" + name + "' (supported: gelu, gelu_new, gelu_pytorch_tanh, relu)");
}

torch::Tensor apply_activation(const torch::Tensor& x, Activation act) {
  switch (act) {
    case Activation::GeluErf:
      return at::gelu(x);
    case Activation::GeluTanh:
      return at::gelu(x, "tanh");
    case Activation::Relu:
      return at::relu(x);
  }
  return x;
}

}  // namespace earlybert
