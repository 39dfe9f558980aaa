// Evaluation metrics for GLUE-style tasks, computed exactly as Hugging Face reports them.
//
// Hugging Face's GLUE metric (evaluate/datasets "glue") uses scikit-learn and SciPy:
//   accuracy              (predictions == labels).mean()
//   f1                    sklearn f1_score, binary, positive class 1; 0 when there is no true positive
//                         (sklearn's zero_division default), i.e. 2·TP / (2·TP + FP + FN) or 0
//   matthews_correlation  sklearn matthews_corrcoef (multi-class form); 0 when its denominator is 0
//                         (all labels, or all predictions, one class)
//   pearson               scipy pearsonr, clipped to [-1, 1]
//   spearmanr             scipy spearmanr: Pearson of average ranks (ties share their mean rank)
// Constant input to Pearson or Spearman (zero variance, e.g. a model that predicts one value) has no
// correlation: SciPy returns nan and so do we (quiet NaN, std::isnan). metrics_to_json writes NaN as
// JSON null, so the output stays valid JSON; a caller selecting a best checkpoint must treat NaN as
// "worst". Empty or unequal-length inputs, and fewer than two points for a correlation, are Errors.
//
// Values are fractions in [0, 1] (or [-1, 1]), as HF's GLUE metric returns them (SQuAD's EM/F1 are
// percentages, as the official SQuAD scripts print them; see squad_eval.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace earlybert {

/// Metric name -> value, with Hugging Face's key names ("accuracy", "f1", "matthews_correlation",
/// "pearson", "spearmanr", "combined_score", "exact_match", ...).
using MetricValues = std::map<std::string, double>;

namespace metrics {

double accuracy(const std::vector<int32_t>& predictions, const std::vector<int32_t>& labels);

/// Binary F1 of class `positive_label` (sklearn f1_score(average="binary", pos_label=1)).
double f1_binary(const std::vector<int32_t>& predictions, const std::vector<int32_t>& labels,
                 int32_t positive_label = 1);

/// Matthews correlation coefficient for any number of classes (sklearn matthews_corrcoef).
double matthews_correlation(const std::vector<int32_t>& predictions, const std::vector<int32_t>& labels);

/// Pearson's r; NaN when either input is constant.
double pearson(const std::vector<double>& x, const std::vector<double>& y);

/// Spearman's rho with average ranks for ties; NaN when either input is constant.
double spearman(const std::vector<double>& x, const std::vector<double>& y);

/// 1-based ranks, ties given the mean of the ranks they span (scipy.stats.rankdata "average").
std::vector<double> average_ranks(const std::vector<double>& values);

/// Names of the metrics computed from class ids ("accuracy", "f1", "matthews_correlation") and from
/// real values ("pearson", "spearmanr").
bool is_classification_metric(const std::string& name);
bool is_regression_metric(const std::string& name);

/// The named metrics of class-id predictions; Error for an unknown or regression metric name.
MetricValues classification(const std::vector<std::string>& names, const std::vector<int32_t>& predictions,
                            const std::vector<int32_t>& labels);
/// The named metrics of real-valued predictions; Error for an unknown or classification metric name.
MetricValues regression(const std::vector<std::string>& names, const std::vector<double>& predictions,
                        const std::vector<double>& labels);

}  // namespace metrics

/// One JSON object, keys sorted, full double precision; NaN and infinities are written as null.
std::string metrics_to_json(const MetricValues& values, int indent = 2);

}  // namespace earlybert
