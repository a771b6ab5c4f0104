/* myconv.c -- a direct convolution on float buffers (see myconv.h). */
#include "myconv.h"

int my_conv2d_out(int in, int k, int stride, int pad)
{
    int span = in + 2 * pad - k;
    return span < 0 ? 0 : span / stride + 1;
}

static void conv(float *y, const float *x, const float *w, const float *b,
                 int n, int c, int h, int wd, int o, int kh, int kw,
                 int stride, int pad, int bug)
{
    int ho = my_conv2d_out(h, kh, stride, pad);
    int wo = my_conv2d_out(wd, kw, stride, pad);
    for (int ni = 0; ni < n; ni++)
        for (int oi = 0; oi < o; oi++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++) {
                    float acc = b[oi];
                    for (int ci = 0; ci < c; ci++)
                        for (int u = 0; u < kh; u++)
                            for (int v = 0; v < kw; v++) {
                                int row = i * stride + u - pad;
                                int col = j * stride + v - pad;
                                int rows = bug ? h + pad : h;
                                int cols = bug ? wd + pad : wd;
                                if (row < 0 || col < 0 || row >= rows || col >= cols)
                                    continue;
                                /* The bug reads past the row's end. */
                                float xv = row < h && col < wd
                                    ? x[((ni * c + ci) * h + row) * wd + col]
                                    : x[((ni * c + ci) * h + (row < h ? row : h - 1))
                                        * wd + (col < wd ? col : wd - 1)];
                                acc += w[((oi * c + ci) * kh + u) * kw + v] * xv;
                            }
                    y[((ni * o + oi) * ho + i) * wo + j] = acc;
                }
}

void my_conv2d(float *y, const float *x, const float *w, const float *b,
               int n, int c, int h, int wd, int o, int kh, int kw,
               int stride, int pad)
{
    conv(y, x, w, b, n, c, h, wd, o, kh, kw, stride, pad, 0);
}

void my_conv2d_buggy(float *y, const float *x, const float *w, const float *b,
                     int n, int c, int h, int wd, int o, int kh, int kw,
                     int stride, int pad)
{
    conv(y, x, w, b, n, c, h, wd, o, kh, kw, stride, pad, 1);
}
