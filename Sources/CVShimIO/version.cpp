// The interface version CVShim checks before binding any other entry point (see include/proctor_cvio.h).
#include "proctor_cvio.h"

extern "C" int pvio_abi_version(void) { return PVIO_ABI_VERSION; }
