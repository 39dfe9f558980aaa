// Model configurations named in a training config: a preset name or a YAML/JSON file.
//
// `config_name: bert-small` in a training config names one of BertConfig's built-in presets (Google's
// BERT miniatures, Turc et al. 2019, plus BERT-base and BERT-large; see model/bert_config.h). The
// presets are also shipped as editable YAML files, configs/models/bert-{tiny,mini,small,medium,base,
// large}.yaml (a test checks they equal the built-ins), and `config_name` may name any such .yaml
// file, or a Hugging Face config.json.
//
// A YAML model config is a flat mapping of Hugging Face BertConfig fields (vocab_size, hidden_size,
// num_hidden_layers, num_attention_heads, intermediate_size, hidden_act, hidden_dropout_prob, ...).
// Unknown keys and wrongly typed values are errors naming "file:line" and the key; the values are then
// checked by BertConfig::validate (errors name the file and key).
#pragma once

#include <string>
#include <vector>

#include "earlybert/model/bert_config.h"

namespace earlybert {

/// A preset name (BertConfig::preset_names()), a .yaml/.yml file or a .json file → BertConfig.
BertConfig load_model_config(const std::string& name_or_path);

/// config.json text equivalent of a YAML model config (typed by key, keys sorted); `source` names the
/// text in errors. Exposed for tests and for `earlybert` tools that convert presets.
std::string model_yaml_to_config_json(const std::string& yaml_text, const std::string& source);

/// The keys a YAML model config may contain.
const std::vector<std::string>& model_config_yaml_keys();

}  // namespace earlybert
