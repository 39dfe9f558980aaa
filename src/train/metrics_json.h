// Private: MetricsRecord <-> nlohmann::ordered_json, shared by metrics.jsonl and trainer_state.json
// (whose log_history holds the same records). ordered_json keeps the extras in the written order.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include "earlybert/train/metrics_log.h"

namespace earlybert::train_detail {

nlohmann::ordered_json metrics_record_json(const MetricsRecord& record);

/// `where_key(k)` names key k of this record in errors ("metrics.jsonl:3: key 'loss'").
MetricsRecord metrics_record_from_json(const nlohmann::ordered_json& j, const std::string& where,
                                       const std::function<std::string(const std::string&)>& where_key);

}  // namespace earlybert::train_detail
