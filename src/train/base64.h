// Private: standard base64 (RFC 4648, with padding) for binary blobs inside JSON files.
#pragma once

#include <string>

namespace earlybert::train_detail {

std::string base64_encode(const std::string& bytes);
/// Error naming `where` on a character outside the alphabet or a bad length.
std::string base64_decode(const std::string& text, const std::string& where);

}  // namespace earlybert::train_detail
