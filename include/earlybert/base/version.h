// The version of earlybert: one place, CMake's project(VERSION) (compiled into src/base/version.cpp),
// so that `earlybert --version`, `earlybert version` and the library agree.
#pragma once

namespace earlybert {

/// "MAJOR.MINOR.PATCH" of this build of libearlybert.
const char* version();

}  // namespace earlybert
