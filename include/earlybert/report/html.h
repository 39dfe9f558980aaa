// Escaping text into the report's HTML and inline SVG.
//
// Everything the report shows that came from outside — run directory names, task names, metric keys,
// draw reasons, file paths — goes through escape_html() before it is put between tags or into an
// attribute value. The report is written as well-formed XML (polyglot HTML5), so the same escaping is
// right for the HTML around the charts and for the SVG inside them, and an XML parser can check a
// whole page. Besides the five markup characters, text that XML does not allow is replaced, so a
// strange directory name cannot break the page:
//   &  <  >  "  '            ->  &amp; &lt; &gt; &quot; &#39;
//   a byte that starts no valid UTF-8 sequence          ->  U+FFFD
//   C0 controls except TAB, LF, CR; U+FFFE, U+FFFF  ->  U+FFFD
#pragma once

#include <string>
#include <string_view>

namespace earlybert::report {

/// `text` made safe for HTML/XML element content and quoted attribute values.
std::string escape_html(std::string_view text);

/// At most `max_chars` characters (code points) of `text`, the last one replaced by "…" when cut.
/// Labels in charts have little room; the full text goes into a <title> tooltip next to them.
std::string truncate_label(std::string_view text, size_t max_chars);

}  // namespace earlybert::report
