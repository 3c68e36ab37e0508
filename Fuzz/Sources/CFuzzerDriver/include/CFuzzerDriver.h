// libFuzzer's driver entry point (compiler-rt, LLVM ≥ 12), declared for Swift.
//
// SwiftPM links an executable target with `--defsym main=<Target>_main`, which hides libFuzzer's
// own `main`; the harness therefore defines `ConfigFuzzer_main` and hands control to this driver.
#ifndef CFUZZERDRIVER_H
#define CFUZZERDRIVER_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
