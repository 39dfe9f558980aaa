// Fuzz target: ticket.json (prune/ticket.h) — Ticket::from_json(), which also parses the embedded
// pruning plan and early-bird history. Kept to one call into the parser (plus the round trip) so
// that moving the trainer's files only changes the include below.
#include "earlybert/prune/ticket.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace earlybert;
  Ticket ticket;
  if (!fuzz::parse_or_reject(
          [&] { ticket = Ticket::from_json(std::string(fuzz::as_text(data, size)), "ticket.json"); }))
    return 0;
  const std::string written = ticket.to_json();
  Ticket again;
  FUZZ_REQUIRE(fuzz::parse_or_reject([&] { again = Ticket::from_json(written, "to_json()"); }),
               "to_json() output rejected: " + written);
  FUZZ_REQUIRE(again == ticket, "round trip changed the ticket: " + written);
  return 0;
}
