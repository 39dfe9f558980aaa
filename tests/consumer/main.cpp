// A user's program linking the installed libearlybert.
#include <earlybert/runtime/threads.h>

#include <iostream>

int main() {
  const int n = earlybert::configure_threads(1);
  std::cout << "consumer: threads=" << n << "\n";
  return n == 1 ? 0 : 1;
}
