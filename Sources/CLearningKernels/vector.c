// The network's element-wise kernels, compiled for baseline and for AVX-512, and chosen once
// per process by `nc_kernel_level` (see adam.c for why at run time).
#include "learning_kernels.h"

#define NC_TARGET
#define NC_NAME(name) name##_portable
#include "vector_body.h"
#undef NC_TARGET
#undef NC_NAME

#if defined(__x86_64__)
#define NC_TARGET __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq")))
#define NC_NAME(name) name##_avx512
#include "vector_body.h"
#undef NC_TARGET
#undef NC_NAME
#define NC_DISPATCH(name, ...) (nc_kernel_level() >= 2 ? name##_avx512(__VA_ARGS__) : name##_portable(__VA_ARGS__))
#else
#define NC_DISPATCH(name, ...) name##_portable(__VA_ARGS__)
#endif

void nc_add_bias(const float *bias, float *y, size_t rows, size_t columns, int rectify) {
    NC_DISPATCH(add_bias, bias, y, rows, columns, rectify);
}

void nc_zero_where_negative(float *p, size_t count) { NC_DISPATCH(zero_where_negative, p, count); }

void nc_zero_where_not_positive(float *p, const float *mask, size_t count) { NC_DISPATCH(zero_where_not_positive, p, mask, count); }

void nc_add_scaled(const float *source, float scale, float *target, size_t count) {
    NC_DISPATCH(add_scaled, source, scale, target, count);
}

void nc_column_sums(const float *x, size_t rows, size_t columns, float *sums) { NC_DISPATCH(column_sums, x, rows, columns, sums); }

float nc_dot(const float *a, const float *b, size_t count) { return NC_DISPATCH(dot, a, b, count); }

double nc_sum_of_squares(const float *x, size_t count) { return NC_DISPATCH(sum_of_squares, x, count); }
