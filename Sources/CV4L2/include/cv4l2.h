// Placeholder: the capture issue fills this in.
#ifndef PROCTOR_CV4L2_H
#define PROCTOR_CV4L2_H
int cv4l2_placeholder(void);
#endif
