// The picture of a pruned model: one row per layer, a square per attention head (filled: kept,
// outlined and crossed: removed) and a bar of the FFN width (the kept neurons filled, the removed ones
// pale), with "kept/total" written after it.
#pragma once

#include <string>
#include <vector>

#include "earlybert/report/model_structure.h"

namespace earlybert::report {

struct StructureChart {
  std::string id;
  std::string title;     ///< the run
  std::string subtitle;  ///< e.g. "ticket drawn at step 200 (early_bird)"
  std::vector<LayerStructure> layers;
  std::string color = "#0072B2";  ///< kept units
};

/// One <figure class="chart"> with the title, the SVG and the legend; a chart without layers says so.
std::string render_structure_chart(const StructureChart& chart);

}  // namespace earlybert::report
