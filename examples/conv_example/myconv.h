/* myconv.h -- the code under test: a small direct convolution on float
 * buffers, the kind of kernel a C project writes for itself.
 *
 * Layout NCHW for x and y, OIHW for the kernel w, one bias per output
 * channel; zero padding `pad` on every side; cross-correlation (the
 * PyTorch convention).  y has shape n x o x out(h) x out(w). */
#ifndef MYCONV_H
#define MYCONV_H

/* (in + 2 pad - k) / stride + 1, or 0 when the kernel does not fit. */
int my_conv2d_out(int in, int k, int stride, int pad);

void my_conv2d(float *y, const float *x, const float *w, const float *b,
               int n, int c, int h, int wd, int o, int kh, int kw,
               int stride, int pad);

/* The same with a typical bug: positions in the bottom and right padding
 * read the nearest edge value instead of zero (clamped indices). */
void my_conv2d_buggy(float *y, const float *x, const float *w, const float *b,
                     int n, int c, int h, int wd, int o, int kh, int kw,
                     int stride, int pad);

#endif
