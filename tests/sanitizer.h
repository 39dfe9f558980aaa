// EARLYBERT_TEST_ASAN: defined when this test binary is built with AddressSanitizer (GCC defines
// __SANITIZE_ADDRESS__, Clang answers __has_feature). For the few tests that check something ASan
// replaces (glibc's malloc) or forbids (RTLD_DEEPBIND); they skip themselves with the reason.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define EARLYBERT_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EARLYBERT_TEST_ASAN 1
#endif
#endif
