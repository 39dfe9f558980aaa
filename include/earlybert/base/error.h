// earlybert::Error — the one exception type for bad input.
//
// Every problem a user can cause (a missing file, a malformed TSV row, an unknown config key, a
// checkpoint that does not fit the model) is reported as an Error whose what() is a single line that
// names the place: "<file>:<line>: ...", "<file>: key 'x': ...", "--flag: ...". The CLI prints it and
// exits with status 2; library callers can catch it. Programming errors stay TORCH_CHECK/asserts.
#pragma once

#include <stdexcept>
#include <string>

namespace earlybert {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Throws Error("<where>: <what>"). `where` names the file, file:line, key or flag at fault.
[[noreturn]] void fail(const std::string& where, const std::string& what);

}  // namespace earlybert
