// earlybert::fail — see include/earlybert/base/error.h.
#include "earlybert/base/error.h"

namespace earlybert {

void fail(const std::string& where, const std::string& what) {
  throw Error(where.empty() ? what : where + ": " + what);
}

}  // namespace earlybert
