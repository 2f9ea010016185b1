// Row-list kernels of tree growing. A leaf's rows are an ascending, sparse subset of tables
// larger than the cache; each loop asks for the memory a row needs `AHEAD` rows early.
#include "learning_kernels.h"

enum { AHEAD = 32 };

// Branch-free: whether a row goes left is a coin toss to the branch predictor, so each row is
// written to both sides and only one side advances. The right side is written backwards into
// `scratch`, then copied after the left side, so both keep their order.
#define PARTITION(name, bin_type)                                                                                      \
    size_t name(int32_t *rows, size_t count, const bin_type *column, unsigned threshold, int32_t *scratch) {          \
        size_t left = 0, right = count - 1;                                                                             \
        for (size_t i = 0; i < count; i++) {                                                                            \
            if (i + AHEAD < count) __builtin_prefetch(column + rows[i + AHEAD]);                                        \
            const int32_t row = rows[i];                                                                                \
            const size_t goes_left = column[row] <= threshold;                                                          \
            rows[left] = row;                                                                                           \
            scratch[right] = row;                                                                                       \
            left += goes_left;                                                                                          \
            right -= 1 - goes_left;                                                                                     \
        }                                                                                                               \
        for (size_t i = left, j = count - 1; i < count; i++, j--) rows[i] = scratch[j];                                 \
        return left;                                                                                                    \
    }

PARTITION(nc_partition_u8, uint8_t)
PARTITION(nc_partition_u16, uint16_t)

void nc_scatter_add(const int32_t *rows, size_t count, double value, double *target) {
    for (size_t i = 0; i < count; i++) {
        if (i + AHEAD < count) __builtin_prefetch(target + rows[i + AHEAD], 1);
        target[rows[i]] += value;
    }
}
