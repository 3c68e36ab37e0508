// The CBLAS interface of the system's OpenBLAS (Debian: libopenblas-dev).
#include <cblas.h>

// OpenBLAS extensions, used to report (and correct) the kernel in use. They are declared in
// OpenBLAS's own cblas.h too; repeated here so the shim documents what rnnlab relies on.
char *openblas_get_corename(void);
char *openblas_get_config(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int num_threads);
