#include "cgpgan/process.h"

#include <cstdlib>

#include <unistd.h>

namespace cgpgan {

void preferPassiveOpenMpWait(char** argv)
{
    if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT"))
        return; // the user's choice, or this is the re-executed process
    if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0)
        return;
    execv("/proc/self/exe", argv);
    // exec failed (no /proc, say): go on; libgomp already read the default.
    unsetenv("OMP_WAIT_POLICY");
}

} // namespace cgpgan
