#ifndef PROCTOR_FAKEV4L2_H
#define PROCTOR_FAKEV4L2_H
int fakev4l2_placeholder(void);
#endif
