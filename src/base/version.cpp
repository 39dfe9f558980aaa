// The version string — see include/earlybert/base/version.h. EARLYBERT_VERSION comes from CMake.
#include "earlybert/base/version.h"

#ifndef EARLYBERT_VERSION
#error "EARLYBERT_VERSION must be defined by the build (CMake's PROJECT_VERSION)"
#endif

namespace earlybert {

const char* version() { return EARLYBERT_VERSION; }

}  // namespace earlybert
