// Nothing to compile: the target only exports CFuzzerDriver.h (a C target needs a source file).
#include "CFuzzerDriver.h"
