// Fuzz target: SQuAD predictions.json, what `earlybert score` reads (data/squad_decode.h,
// data/squad_eval.h) — read_squad_predictions() and, when it parses, evaluate_squad() against the
// v1.1 and v2.0 fixtures of tests/fixtures/data/squad (answer normalization runs on arbitrary text).
#include <cmath>

#include "earlybert/data/squad.h"
#include "earlybert/data/squad_decode.h"
#include "earlybert/data/squad_eval.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace earlybert;
  static const SquadDataset v1 = read_squad(fuzz::fixture("data/squad/tiny-v1.1.json"));
  static const SquadDataset v2 = read_squad(fuzz::fixture("data/squad/tiny-v2.0.json"));
  static fuzz::InputFile file("predictions.json");
  const std::string& path = file.write(data, size);
  std::map<std::string, std::string> predictions;
  if (!fuzz::parse_or_reject([&] { predictions = read_squad_predictions(path); })) return 0;
  for (const auto& [dataset, version] : {std::pair{&v1, SquadVersion::V1}, std::pair{&v2, SquadVersion::V2}}) {
    fuzz::parse_or_reject([&, dataset = dataset, version = version] {
      for (const auto& [name, value] : evaluate_squad(dataset->examples, predictions, version, path))
        FUZZ_REQUIRE(std::isfinite(value) && value >= 0, "metric " + name + " is not a finite count or percentage");
    });
  }
  return 0;
}
