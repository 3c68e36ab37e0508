// See include/CAllocationCounter.h.

#include "CAllocationCounter.h"

#include <errno.h>  // also brings in <features.h>, which defines __GLIBC__ on glibc

// Under a sanitizer (swift build --sanitize=…), its runtime defines malloc itself: stand aside.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define RNNLAB_SANITIZER_OWNS_MALLOC 1
#endif
#endif

#if defined(__GLIBC__) && !defined(RNNLAB_SANITIZER_OWNS_MALLOC)

#include <stdatomic.h>

// glibc's allocator under its own names (exported by libc.so.6 since 2.2.5).
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

enum { recordedSizes = 16 };

static atomic_int counting;
static atomic_long count;
static size_t sizes[recordedSizes];

static inline void note(size_t size) {
    if (atomic_load_explicit(&counting, memory_order_relaxed)) {
        long i = atomic_fetch_add_explicit(&count, 1, memory_order_relaxed);
        if (i < recordedSizes) sizes[i] = size;
    }
}

void *malloc(size_t size) { note(size); return __libc_malloc(size); }
void *calloc(size_t count, size_t size) { note(count * size); return __libc_calloc(count, size); }
void *realloc(void *pointer, size_t size) { note(size); return __libc_realloc(pointer, size); }
void *memalign(size_t alignment, size_t size) { note(size); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { note(size); return __libc_memalign(alignment, size); }
void *valloc(size_t size) { note(size); return __libc_valloc(size); }
void *pvalloc(size_t size) { note(size); return __libc_pvalloc(size); }

int posix_memalign(void **result, size_t alignment, size_t size) {
    // POSIX: the alignment must be a power of two and a multiple of sizeof(void *).
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
    note(size);
    void *p = __libc_memalign(alignment, size);
    if (p == NULL) return ENOMEM;
    *result = p;
    return 0;
}

int rnnlab_allocation_counting_available(void) { return 1; }

void rnnlab_allocation_counting_start(void) {
    atomic_store(&count, 0);
    atomic_store(&counting, 1);
}

long rnnlab_allocation_counting_stop(void) {
    atomic_store(&counting, 0);
    return atomic_load(&count);
}

size_t rnnlab_allocation_counted_size(long i) {
    return (i >= 0 && i < recordedSizes && i < atomic_load(&count)) ? sizes[i] : 0;
}

#else

#if defined(RNNLAB_SANITIZER_OWNS_MALLOC)
int rnnlab_allocation_counting_available(void) { return -1; }
#else
int rnnlab_allocation_counting_available(void) { return 0; }
#endif
void rnnlab_allocation_counting_start(void) {}
long rnnlab_allocation_counting_stop(void) { return 0; }
size_t rnnlab_allocation_counted_size(long i) { (void)i; return 0; }

#endif
