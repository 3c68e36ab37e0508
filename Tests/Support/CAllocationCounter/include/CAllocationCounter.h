// CAllocationCounter: counts heap allocations made by any thread of the test process while
// counting is switched on, so that a test can prove a loop allocates nothing.
//
// How: the test executable defines malloc, calloc, realloc, memalign, aligned_alloc,
// posix_memalign, valloc and pvalloc itself. Definitions in the executable take precedence over
// libc's for every dynamically linked caller (the Swift runtime, Foundation, OpenBLAS, libc
// itself: glibc supports replacing malloc this way), so every allocation passes through here.
// Each one forwards to glibc's own allocator (`__libc_malloc` and friends), so memory is shared
// with `free` and `malloc_usable_size` as usual, and only adds to a counter while counting.
// Will not: count frees, work on a libc other than glibc (`rnnlab_allocation_counting_available`
// says 0 there) or in a sanitizer build (whose runtime owns malloc: it says -1), or count anything
// when switched off.

#ifndef RNNLAB_C_ALLOCATION_COUNTER_H
#define RNNLAB_C_ALLOCATION_COUNTER_H

#include <stddef.h>

/// 1 when the counting allocator is in use (glibc), 0 on another libc, -1 in a sanitizer build.
int rnnlab_allocation_counting_available(void);

/// Zeroes the counter and starts counting.
void rnnlab_allocation_counting_start(void);

/// Stops counting and returns the number of allocations since the last start.
long rnnlab_allocation_counting_stop(void);

/// The requested size of the i-th counted allocation (i < 16, and i below the count), for
/// failure messages; 0 outside that range.
size_t rnnlab_allocation_counted_size(long i);

#endif
