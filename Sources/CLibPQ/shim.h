// libpq from the system (Debian libpq-dev installs it under /usr/include/postgresql).
#include <postgresql/libpq-fe.h>
