#include "fakev4l2.h"
int fakev4l2_placeholder(void) { return 0; }
