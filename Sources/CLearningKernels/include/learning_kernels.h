#ifndef NOVACRON_LEARNING_KERNELS_H
#define NOVACRON_LEARNING_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// One Adam step's constants: moments' decay rates, the gradient's clipping scale, the step
/// size (learning rate over the first moment's bias correction), 1 / the second moment's bias
/// correction, and epsilon.
typedef struct {
    float b1, b2, scale, step_size, inverse_correction2, epsilon;
} nc_adam_constants;

/// The widest instruction set the kernels can use on this CPU: 0 none (scalar code), 1 AVX2
/// with FMA, 2 AVX-512.
int nc_kernel_level(void);

/// m ← b1·m + (1−b1)·g', v ← b2·v + (1−b2)·g'², w ← w − step·m / (√(v·c2) + ε), with g' = scale·g,
/// over `count` parameters, using the instruction set of `level` (at most `nc_kernel_level()`).
void nc_adam_update(int level, const nc_adam_constants *c, float *w, const float *g, float *m, float *v, size_t count);

/// Element-wise kernels (in the widest instruction set `nc_kernel_level` found).
/// y[r][i] += bias[i] for each of `rows` rows, then, if `rectify`, negatives become 0 (ReLU).
void nc_add_bias(const float *bias, float *y, size_t rows, size_t columns, int rectify);
/// p[i] = 0 where p[i] < 0.
void nc_zero_where_negative(float *p, size_t count);
/// p[i] = 0 where mask[i] ≤ 0 (ReLU's derivative, given the unit's output).
void nc_zero_where_not_positive(float *p, const float *mask, size_t count);
/// target[i] += scale · source[i].
void nc_add_scaled(const float *source, float scale, float *target, size_t count);
/// sums[i] = Σ_r x[r][i] over `rows` rows `columns` wide.
void nc_column_sums(const float *x, size_t rows, size_t columns, float *sums);
/// Σ a[i]·b[i].
float nc_dot(const float *a, const float *b, size_t count);
/// Σ x[i]², in double precision.
double nc_sum_of_squares(const float *x, size_t count);

/// Adds each listed row's gradient, and 1, to its bin of every feature: `bins` is row-major
/// (`width` per row), feature f's cells start at `histogram + offsets[f]`, two doubles per bin
/// (gradient sum, count).
void nc_histogram_u8(const int32_t *rows, size_t count, const double *gradients, const uint8_t *bins, size_t width,
                     const int64_t *offsets, double *histogram);
void nc_histogram_u16(const int32_t *rows, size_t count, const double *gradients, const uint16_t *bins, size_t width,
                      const int64_t *offsets, double *histogram);

/// Moves the rows whose bin in `column` is ≤ `threshold` to the front, keeping both sides in
/// order (`scratch` holds `count` rows); returns how many went left. `count` ≥ 1.
size_t nc_partition_u8(int32_t *rows, size_t count, const uint8_t *column, unsigned threshold, int32_t *scratch);
size_t nc_partition_u16(int32_t *rows, size_t count, const uint16_t *column, unsigned threshold, int32_t *scratch);

/// target[rows[i]] += value for each of `count` rows.
void nc_scatter_add(const int32_t *rows, size_t count, double value, double *target);

#endif
