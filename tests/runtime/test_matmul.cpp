// The kernel layer of the model's matrix products (include/earlybert/runtime/matmul.h): the oneDNN path
// against plain ATen (forward and every gradient, fp32 to 1e-5 relative per op), a finite-difference
// check of the oneDNN autograd functions, bf16, autocast dtypes, and the backend switch.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "earlybert/base/error.h"
#include "earlybert/runtime/matmul.h"
#include "earlybert/runtime/precision.h"
#include "expect_error.h"

namespace earlybert {
namespace {

/// Sets the process-wide backend for a scope.
class BackendScope {
 public:
  explicit BackendScope(MatmulBackend b) : previous_(matmul_backend()) { set_matmul_backend(b); }
  ~BackendScope() { set_matmul_backend(previous_); }

 private:
  MatmulBackend previous_;
};

/// max |a - b| / max |b|, in double.
double relative_error(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  if (a.sizes() != b.sizes()) return 1e30;
  if (b.numel() == 0) return 0.0;
  const auto ad = a.to(torch::kDouble), bd = b.to(torch::kDouble);
  const double scale = std::max(bd.abs().max().item<double>(), 1e-30);
  return (ad - bd).abs().max().item<double>() / scale;
}

/// Output and the gradients of <output, r> (r fixed random) with respect to `inputs`, on `backend`.
std::vector<torch::Tensor> run_with_grads(MatmulBackend backend, const std::vector<torch::Tensor>& inputs,
                                          const std::function<torch::Tensor(const std::vector<torch::Tensor>&)>& f,
                                          uint64_t seed = 3) {
  BackendScope scope(backend);
  std::vector<torch::Tensor> leaves;
  for (const auto& t : inputs) leaves.push_back(t.detach().clone().requires_grad_(t.requires_grad()));
  // The function sees the leaves through the same views the caller built (strides preserved).
  const auto y = f(leaves);
  torch::manual_seed(seed);
  const auto r = torch::randn(y.sizes(), torch::kFloat32).to(y.scalar_type());
  (y * r).sum().backward();
  std::vector<torch::Tensor> out{y.detach()};
  for (const auto& l : leaves) {
    if (l.requires_grad()) out.push_back(l.grad().defined() ? l.grad() : torch::zeros_like(l));
  }
  return out;
}

void expect_paths_agree(const std::vector<torch::Tensor>& inputs,
                        const std::function<torch::Tensor(const std::vector<torch::Tensor>&)>& f, double tol,
                        const std::string& what) {
  const auto aten = run_with_grads(MatmulBackend::Aten, inputs, f);
  const auto dnnl = run_with_grads(MatmulBackend::OneDnn, inputs, f);
  ASSERT_EQ(aten.size(), dnnl.size());
  for (size_t i = 0; i < aten.size(); ++i) {
    EXPECT_EQ(dnnl[i].scalar_type(), aten[i].scalar_type()) << what << " tensor " << i;
    EXPECT_LE(relative_error(dnnl[i], aten[i]), tol) << what << (i == 0 ? " output" : " gradient ") << i;
  }
}

class MatmulPaths : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!onednn_built()) GTEST_SKIP() << "built without oneDNN (libdnnl-dev): only the ATen path exists";
    torch::manual_seed(0);
  }
};

TEST_F(MatmulPaths, LinearAgreesWithAtenIn2d3dAndWithoutBias) {
  const auto x2 = torch::randn({37, 24}).requires_grad_();
  const auto x3 = torch::randn({3, 11, 24}).requires_grad_();
  const auto w = torch::randn({19, 24}).requires_grad_();
  const auto b = torch::randn({19}).requires_grad_();
  for (const auto& x : {x2, x3}) {
    expect_paths_agree(
        {x, w, b}, [](const auto& t) { return earlybert::linear(t[0], t[1], t[2]); }, 1e-5,
        "linear " + c10::str(x.sizes()));
    expect_paths_agree(
        {x, w}, [](const auto& t) { return earlybert::linear(t[0], t[1]); }, 1e-5,
        "linear without bias " + c10::str(x.sizes()));
  }
}

TEST_F(MatmulPaths, LinearAgreesOnNonContiguousInputsAndWeights) {
  // x is a transposed slice, the weight a transposed parameter: strides that are neither row-major nor dense.
  const auto base = torch::randn({24, 40}).requires_grad_();
  const auto wbase = torch::randn({24, 19}).requires_grad_();
  const auto b = torch::randn({19}).requires_grad_();
  expect_paths_agree(
      {base, wbase, b}, [](const auto& t) { return earlybert::linear(t[0].narrow(1, 3, 30).t(), t[1].t(), t[2]); },
      1e-5, "strided linear");
  // A 3-D input with a step in its middle dimension.
  const auto x = torch::randn({4, 10, 16}).requires_grad_();
  const auto w = torch::randn({8, 16}).requires_grad_();
  expect_paths_agree(
      {x, w}, [](const auto& t) { return earlybert::linear(t[0].slice(1, 0, 10, 2), t[1]); }, 1e-5, "stepped linear");
}

TEST_F(MatmulPaths, LinearWithEmptyBatchAndEmptyInnerDimension) {
  const auto w = torch::randn({5, 7}).requires_grad_();
  const auto b = torch::randn({5}).requires_grad_();
  expect_paths_agree(
      {torch::randn({0, 7}).requires_grad_(), w, b}, [](const auto& t) { return earlybert::linear(t[0], t[1], t[2]); },
      1e-5, "empty batch");
  expect_paths_agree(
      {torch::randn({2, 0, 7}).requires_grad_(), w, b},
      [](const auto& t) { return earlybert::linear(t[0], t[1], t[2]); }, 1e-5, "empty sequence");
  // in_features = 0: the product is zero, the output is the bias.
  const auto w0 = torch::randn({5, 0}).requires_grad_();
  expect_paths_agree(
      {torch::randn({3, 0}).requires_grad_(), w0, b}, [](const auto& t) { return earlybert::linear(t[0], t[1], t[2]); },
      1e-5, "empty inner dimension");
}

TEST_F(MatmulPaths, BatchedMatmulAgreesIn3dAnd4dWithScaleAndMask) {
  const auto a3 = torch::randn({5, 9, 8}).requires_grad_();
  const auto b3 = torch::randn({5, 8, 6}).requires_grad_();
  expect_paths_agree(
      {a3, b3}, [](const auto& t) { return earlybert::matmul(t[0], t[1]); }, 1e-5, "3-D");
  expect_paths_agree(
      {a3, b3}, [](const auto& t) { return earlybert::matmul(t[0], t[1], 0.37); }, 1e-5, "3-D scaled");
  // Attention's shapes: [B,S,heads*d] split into heads as views, scores with a [B,1,1,S] mask.
  const int64_t B = 2, S = 7, H = 3, d = 4;
  const auto q = torch::randn({B, S, H * d}).requires_grad_();
  const auto k = torch::randn({B, S, H * d}).requires_grad_();
  auto mask = torch::zeros({B, 1, 1, S});
  mask[1][0][0].narrow(0, S - 2, 2).fill_(-1e4);
  auto heads = [&](const torch::Tensor& x) { return x.view({B, S, H, d}).transpose(1, 2); };
  expect_paths_agree(
      {q, k}, [&](const auto& t) { return earlybert::matmul(heads(t[0]), heads(t[1]).transpose(-1, -2), 0.5, mask); },
      1e-5, "4-D scores with mask");
  const auto probs = torch::softmax(torch::randn({B, H, S, S}), -1).requires_grad_();
  const auto v = torch::randn({B, S, H * d}).requires_grad_();
  expect_paths_agree(
      {probs, v}, [&](const auto& t) { return earlybert::matmul(t[0], heads(t[1])); }, 1e-5, "4-D context");
  expect_paths_agree(
      {torch::randn({0, 3, 4}).requires_grad_(), torch::randn({0, 4, 2}).requires_grad_()},
      [](const auto& t) { return earlybert::matmul(t[0], t[1]); }, 1e-5, "empty batch");
}

TEST_F(MatmulPaths, OutDtypeConvertsTheResultOnBothPaths) {
  const auto x = torch::randn({6, 8}), w = torch::randn({4, 8});
  for (auto backend : {MatmulBackend::Aten, MatmulBackend::OneDnn}) {
    BackendScope scope(backend);
    EXPECT_EQ(earlybert::linear(x, w, {}, torch::kBFloat16).scalar_type(), torch::kBFloat16);
    EXPECT_EQ(earlybert::matmul(x, w.t(), 1.0, {}, torch::kBFloat16).scalar_type(), torch::kBFloat16);
    EXPECT_EQ(earlybert::linear(x, w).scalar_type(), torch::kFloat32);
  }
}

// Central differences of L = <f(inputs), r> for every input element. L is linear in each single
// element (a product is bilinear), so the difference quotient is exact up to fp32 rounding of f: this
// checks the oneDNN backward against the oneDNN forward alone.
void finite_difference_check(const std::vector<torch::Tensor>& inputs,
                             const std::function<torch::Tensor(const std::vector<torch::Tensor>&)>& f) {
  BackendScope scope(MatmulBackend::OneDnn);
  const auto analytic = run_with_grads(MatmulBackend::OneDnn, inputs, f, /*seed=*/5);
  torch::manual_seed(5);
  const auto r = torch::randn(analytic[0].sizes(), torch::kFloat32).to(torch::kDouble);
  auto loss = [&](const std::vector<torch::Tensor>& xs) {
    torch::NoGradGuard no_grad;
    return (f(xs).to(torch::kDouble) * r).sum().item<double>();
  };
  const double eps = 0.5;
  size_t grad_index = 1;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad()) continue;
    const auto& g = analytic[grad_index++];
    auto xs = inputs;
    for (auto& x : xs) x = x.detach().clone();
    auto flat = xs[i].view({-1});
    for (int64_t e = 0; e < flat.numel(); ++e) {
      const float orig = flat[e].item<float>();
      flat[e] = orig + eps;
      const double up = loss(xs);
      flat[e] = orig - eps;
      const double down = loss(xs);
      flat[e] = orig;
      const double numeric = (up - down) / (2 * eps);
      const double exact = g.view({-1})[e].item<double>();
      EXPECT_NEAR(exact, numeric, 1e-4 * std::max(1.0, std::abs(numeric))) << "input " << i << " element " << e;
    }
  }
}

TEST_F(MatmulPaths, OneDnnLinearGradientsMatchFiniteDifferences) {
  finite_difference_check({torch::randn({2, 3, 5}).requires_grad_(), torch::randn({4, 5}).requires_grad_(),
                           torch::randn({4}).requires_grad_()},
                          [](const auto& t) { return earlybert::linear(t[0], t[1], t[2]); });
}

TEST_F(MatmulPaths, OneDnnMatmulGradientsMatchFiniteDifferences) {
  // The second operand is a transposed view, as the attention scores' kᵀ.
  finite_difference_check({torch::randn({2, 3, 4, 5}).requires_grad_(), torch::randn({2, 3, 2, 5}).requires_grad_()},
                          [](const auto& t) { return earlybert::matmul(t[0], t[1].transpose(-1, -2), 0.7); });
}

TEST_F(MatmulPaths, Bf16ProductsAgreeWithFp32WithinBf16Rounding) {
  // bf16 inputs (8 significant bits), fp32 accumulation: each product is within a few bf16 ulps of the
  // fp32 product of the same rounded inputs.
  const auto x = torch::randn({33, 64}).to(torch::kBFloat16).requires_grad_();
  const auto w = torch::randn({48, 64}).to(torch::kBFloat16).requires_grad_();
  for (auto backend : {MatmulBackend::Aten, MatmulBackend::OneDnn}) {
    const auto got = run_with_grads(backend, {x, w}, [](const auto& t) { return earlybert::linear(t[0], t[1]); });
    const auto ref = run_with_grads(MatmulBackend::Aten,
                                    {x.to(torch::kFloat32).requires_grad_(), w.to(torch::kFloat32).requires_grad_()},
                                    [](const auto& t) { return earlybert::linear(t[0], t[1]); });
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].scalar_type(), torch::kBFloat16) << to_string(backend) << " tensor " << i;
      EXPECT_LE(relative_error(got[i], ref[i]), 1.6e-2) << to_string(backend) << " tensor " << i;
    }
  }
}

TEST_F(MatmulPaths, UnderBf16AutocastBothPathsComputeInBf16AndKeepFp32Gradients) {
  const auto x = torch::randn({4, 6, 32}).requires_grad_();
  const auto w = torch::randn({16, 32}).requires_grad_();
  const auto b = torch::randn({16}).requires_grad_();
  std::vector<std::vector<torch::Tensor>> results;
  for (auto backend : {MatmulBackend::Aten, MatmulBackend::OneDnn}) {
    const auto r = run_with_grads(backend, {x, w, b}, [](const auto& t) {
      AutocastGuard autocast(Precision::Bf16, torch::kCPU);
      const auto y = earlybert::linear(t[0], t[1], t[2]);
      EXPECT_EQ(y.scalar_type(), torch::kBFloat16);
      EXPECT_EQ(earlybert::linear(t[0], t[1], t[2], torch::kFloat32).scalar_type(), torch::kFloat32);
      const auto s = earlybert::matmul(y, y.transpose(-1, -2), 0.5, {}, torch::kFloat32);
      EXPECT_EQ(s.scalar_type(), torch::kFloat32);
      return s;
    });
    EXPECT_EQ(r[1].scalar_type(), torch::kFloat32) << "grad x, " << to_string(backend);
    EXPECT_EQ(r[2].scalar_type(), torch::kFloat32) << "grad weight, " << to_string(backend);
    EXPECT_EQ(r[3].scalar_type(), torch::kFloat32) << "grad bias, " << to_string(backend);
    results.push_back(r);
  }
  // Same function in bf16 on both paths: they differ only in rounding (ATen rounds the weight gradient
  // to bf16 before the cast back; oneDNN writes it in fp32), and by far less than the values.
  for (size_t i = 0; i < results[0].size(); ++i) EXPECT_LE(relative_error(results[1][i], results[0][i]), 3e-2) << i;
}

// ---- backend switch ------------------------------------------------------------------------------

TEST(MatmulBackendSetting, NamesRoundTripAndUnknownNamesAreErrors) {
  for (auto b : {MatmulBackend::Auto, MatmulBackend::OneDnn, MatmulBackend::Aten}) {
    EXPECT_EQ(parse_matmul_backend(to_string(b)), b);
  }
  test::expect_error([] { parse_matmul_backend("mkl"); }, {"EARLYBERT_MATMUL: unknown matrix-product backend 'mkl'"});
  test::expect_error([] { parse_matmul_backend("blas", "--matmul"); }, {"--matmul: unknown"});
}

bool cpuinfo_has(const std::string& flag) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    std::string w;
    while (words >> w) {
      if (w == flag) return true;
    }
    return false;
  }
  return false;
}

TEST(MatmulBackendSetting, AutoPicksOneDnnWhereItIsFasterAndAtenOtherwise) {
  BackendScope scope(MatmulBackend::Auto);
  EXPECT_EQ(effective_matmul_backend(torch::kDouble), MatmulBackend::Aten);
  EXPECT_EQ(effective_matmul_backend(torch::kHalf), MatmulBackend::Aten);
  // The kernel choice follows the CPU's flags as the kernel reports them (/proc/cpuinfo, independently
  // of the CPUID code under test).
  const bool avx512 =
      cpuinfo_has("avx512f") && cpuinfo_has("avx512bw") && cpuinfo_has("avx512vl") && cpuinfo_has("avx512dq");
  const bool bf16 = avx512 && (cpuinfo_has("avx512_bf16") || cpuinfo_has("amx_bf16"));
  EXPECT_EQ(effective_matmul_backend(torch::kFloat32),
            onednn_built() && avx512 ? MatmulBackend::OneDnn : MatmulBackend::Aten);
  EXPECT_EQ(effective_matmul_backend(torch::kBFloat16),
            onednn_built() && bf16 ? MatmulBackend::OneDnn : MatmulBackend::Aten);
  {
    BackendScope aten(MatmulBackend::Aten);
    EXPECT_EQ(effective_matmul_backend(torch::kFloat32), MatmulBackend::Aten);
  }
  if (onednn_built()) {
    BackendScope dnnl(MatmulBackend::OneDnn);
    EXPECT_EQ(effective_matmul_backend(torch::kFloat32), MatmulBackend::OneDnn);
    EXPECT_EQ(effective_matmul_backend(torch::kBFloat16), MatmulBackend::OneDnn);
  } else {
    test::expect_error([] { set_matmul_backend(MatmulBackend::OneDnn); }, {"built without oneDNN"});
  }
}

TEST(MatmulBackendSetting, DoubleProductsStayOnAtenAndAreExact) {
  // The gradient checks of the model run in double: the layer must pass them to ATen untouched.
  BackendScope scope(onednn_built() ? MatmulBackend::OneDnn : MatmulBackend::Aten);
  const auto x = torch::randn({3, 5}, torch::kDouble), w = torch::randn({4, 5}, torch::kDouble);
  EXPECT_TRUE(torch::equal(earlybert::linear(x, w), at::linear(x, w)));
  EXPECT_EQ(earlybert::matmul(x, w.t()).scalar_type(), torch::kDouble);
}

}  // namespace
}  // namespace earlybert
