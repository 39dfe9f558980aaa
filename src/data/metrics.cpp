// GLUE metrics with scikit-learn / SciPy semantics; see include/earlybert/data/metrics.h.
#include "earlybert/data/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <unordered_map>

#include "earlybert/base/error.h"

namespace earlybert {
namespace metrics {
namespace {

template <typename T>
void check_inputs(const char* metric, const std::vector<T>& a, const std::vector<T>& b, size_t min_size = 1) {
  if (a.size() != b.size()) {
    fail(std::string("metric ") + metric,
         std::to_string(a.size()) + " predictions for " + std::to_string(b.size()) + " labels");
  }
  if (a.size() < min_size) {
    fail(std::string("metric ") + metric,
         "needs at least " + std::to_string(min_size) + " example(s), got " + std::to_string(a.size()));
  }
}

bool is_constant(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); });
}

}  // namespace

double accuracy(const std::vector<int32_t>& predictions, const std::vector<int32_t>& labels) {
  check_inputs("accuracy", predictions, labels);
  size_t correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) correct += predictions[i] == labels[i];
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

double f1_binary(const std::vector<int32_t>& predictions, const std::vector<int32_t>& labels, int32_t positive_label) {
  check_inputs("f1", predictions, labels);
  size_t tp = 0, fp = 0, fn = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const bool p = predictions[i] == positive_label;
    const bool l = labels[i] == positive_label;
    tp += p && l;
    fp += p && !l;
    fn += !p && l;
  }
  // sklearn: precision or recall with a zero denominator is 0 (zero_division="warn"), and F1 of
  // precision = recall = 0 is 0; 2TP/(2TP+FP+FN) is the same number in every other case.
  if (tp == 0) return 0.0;
  return 2.0 * static_cast<double>(tp) / static_cast<double>(2 * tp + fp + fn);
}

double matthews_correlation(const std::vector<int32_t>& predictions, const std::vector<int32_t>& labels) {
  check_inputs("matthews_correlation", predictions, labels);
  // sklearn's multi-class form over the confusion matrix C (rows: true class, columns: predicted):
  //   cov(yt, yp) = correct·n − Σ_k t_k·p_k,  cov(yp, yp) = n² − Σ_k p_k²,  cov(yt, yt) = n² − Σ_k t_k²
  //   mcc = cov(yt, yp) / sqrt(cov(yt, yt)·cov(yp, yp)), and 0 when that product is 0.
  std::unordered_map<int32_t, size_t> class_index;
  for (const auto* v : {&labels, &predictions}) {
    for (int32_t c : *v) class_index.emplace(c, class_index.size());
  }
  std::vector<double> t(class_index.size(), 0.0), p(class_index.size(), 0.0);
  double correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    t[class_index[labels[i]]] += 1;
    p[class_index[predictions[i]]] += 1;
    correct += labels[i] == predictions[i];
  }
  const double n = static_cast<double>(labels.size());
  const double tp_dot = std::inner_product(t.begin(), t.end(), p.begin(), 0.0);
  const double cov_ytyp = correct * n - tp_dot;
  const double cov_ypyp = n * n - std::inner_product(p.begin(), p.end(), p.begin(), 0.0);
  const double cov_ytyt = n * n - std::inner_product(t.begin(), t.end(), t.begin(), 0.0);
  if (cov_ypyp * cov_ytyt == 0.0) return 0.0;
  return cov_ytyp / std::sqrt(cov_ytyt * cov_ypyp);
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  check_inputs("pearson", x, y, 2);
  // SciPy: exactly constant input -> nan (ConstantInputWarning). Tested before centring, because the
  // mean of n equal values need not equal them exactly in floating point.
  if (is_constant(x) || is_constant(y)) return std::numeric_limits<double>::quiet_NaN();
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const double r = sxy / (std::sqrt(sxx) * std::sqrt(syy));
  return std::clamp(r, -1.0, 1.0);
}

std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  size_t i = 0;
  while (i < order.size()) {
    size_t j = i + 1;
    while (j < order.size() && values[order[j]] == values[order[i]]) ++j;
    // Positions i..j-1 (0-based) hold equal values: each gets the mean of ranks i+1..j.
    const double rank = 0.5 * static_cast<double>(i + 1 + j);
    for (size_t k = i; k < j; ++k) ranks[order[k]] = rank;
    i = j;
  }
  return ranks;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  check_inputs("spearmanr", x, y, 2);
  if (is_constant(x) || is_constant(y)) return std::numeric_limits<double>::quiet_NaN();
  return pearson(average_ranks(x), average_ranks(y));
}

bool is_classification_metric(const std::string& name) {
  return name == "accuracy" || name == "f1" || name == "matthews_correlation";
}

bool is_regression_metric(const std::string& name) { return name == "pearson" || name == "spearmanr"; }

MetricValues classification(const std::vector<std::string>& names, const std::vector<int32_t>& predictions,
                            const std::vector<int32_t>& labels) {
  MetricValues out;
  for (const auto& name : names) {
    if (name == "accuracy") {
      out[name] = accuracy(predictions, labels);
    } else if (name == "f1") {
      out[name] = f1_binary(predictions, labels);
    } else if (name == "matthews_correlation") {
      out[name] = matthews_correlation(predictions, labels);
    } else {
      fail("metric '" + name + "'", "not a classification metric (accuracy, f1, matthews_correlation)");
    }
  }
  return out;
}

MetricValues regression(const std::vector<std::string>& names, const std::vector<double>& predictions,
                        const std::vector<double>& labels) {
  MetricValues out;
  for (const auto& name : names) {
    if (name == "pearson") {
      out[name] = pearson(predictions, labels);
    } else if (name == "spearmanr") {
      out[name] = spearman(predictions, labels);
    } else {
      fail("metric '" + name + "'", "not a regression metric (pearson, spearmanr)");
    }
  }
  return out;
}

}  // namespace metrics

std::string metrics_to_json(const MetricValues& values, int indent) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, value] : values) {
    if (std::isfinite(value)) {
      j[name] = value;
    } else {
      j[name] = nullptr;
    }
  }
  return j.dump(indent);
}

}  // namespace earlybert
