// A leaf's gradient histogram: for each of the leaf's rows, every feature's bin gets the row's
// gradient and a count. The rows are an ascending but sparse subset of a table larger than the
// cache, so each row's bins and gradient are a cache miss the loop would otherwise wait on;
// asking for them `AHEAD` rows early keeps many misses in flight (Swift has no prefetch).
#include "learning_kernels.h"

enum { AHEAD = 32 };

#define HISTOGRAM(name, bin_type)                                                                              \
    void name(const int32_t *rows, size_t count, const double *gradients, const bin_type *bins, size_t width,   \
              const int64_t *offsets, double *histogram) {                                                      \
        for (size_t j = 0; j < count; j++) {                                                                    \
            if (j + AHEAD < count) {                                                                            \
                const size_t next = (size_t)rows[j + AHEAD];                                                    \
                __builtin_prefetch(bins + next * width);                                                        \
                __builtin_prefetch(gradients + next);                                                           \
            }                                                                                                   \
            const size_t row = (size_t)rows[j];                                                                 \
            const double g = gradients[row];                                                                    \
            const bin_type *b = bins + row * width;                                                             \
            for (size_t f = 0; f < width; f++) {                                                                \
                double *cell = histogram + offsets[f] + 2 * (size_t)b[f];                                       \
                cell[0] += g;                                                                                   \
                cell[1] += 1;                                                                                   \
            }                                                                                                   \
        }                                                                                                       \
    }

HISTOGRAM(nc_histogram_u8, uint8_t)
HISTOGRAM(nc_histogram_u16, uint16_t)
