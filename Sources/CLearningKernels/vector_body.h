// The element-wise kernels, written as plain loops for the compiler to vectorise. Included by
// vector.c once per instruction set, with NC_TARGET (the function attribute) and NC_NAME
// (the name's suffix) set; no include guard on purpose.

NC_TARGET static void NC_NAME(add_bias)(const float *restrict bias, float *restrict y, size_t rows, size_t columns, int rectify) {
    for (size_t r = 0; r < rows; r++) {
        float *restrict row = y + r * columns;
        if (rectify) {
            for (size_t i = 0; i < columns; i++) {
                const float x = row[i] + bias[i];
                row[i] = x < 0 ? 0 : x;
            }
        } else {
            for (size_t i = 0; i < columns; i++) row[i] += bias[i];
        }
    }
}

NC_TARGET static void NC_NAME(zero_where_negative)(float *restrict p, size_t count) {
    for (size_t i = 0; i < count; i++) p[i] = p[i] < 0 ? 0 : p[i];
}

NC_TARGET static void NC_NAME(zero_where_not_positive)(float *restrict p, const float *restrict mask, size_t count) {
    for (size_t i = 0; i < count; i++) p[i] = mask[i] <= 0 ? 0 : p[i];
}

NC_TARGET static void NC_NAME(add_scaled)(const float *restrict source, float scale, float *restrict target, size_t count) {
    for (size_t i = 0; i < count; i++) target[i] += scale * source[i];
}

NC_TARGET static void NC_NAME(column_sums)(const float *restrict x, size_t rows, size_t columns, float *restrict sums) {
    for (size_t i = 0; i < columns; i++) sums[i] = 0;
    for (size_t r = 0; r < rows; r++) {
        const float *restrict row = x + r * columns;
        for (size_t i = 0; i < columns; i++) sums[i] += row[i];
    }
}

// Sums in sixteen independent lanes: one running sum is a chain of dependent additions that
// the compiler may not reorder, so it would stay scalar.
NC_TARGET static float NC_NAME(dot)(const float *restrict a, const float *restrict b, size_t count) {
    float lanes[16] = {0};
    size_t i = 0;
    for (; i + 16 <= count; i += 16)
        for (size_t j = 0; j < 16; j++) lanes[j] += a[i + j] * b[i + j];
    float sum = 0;
    for (size_t j = 0; j < 16; j++) sum += lanes[j];
    for (; i < count; i++) sum += a[i] * b[i];
    return sum;
}

NC_TARGET static double NC_NAME(sum_of_squares)(const float *restrict x, size_t count) {
    double lanes[16] = {0};
    size_t i = 0;
    for (; i + 16 <= count; i += 16)
        for (size_t j = 0; j < 16; j++) lanes[j] += (double)x[i + j] * (double)x[i + j];
    double sum = 0;
    for (size_t j = 0; j < 16; j++) sum += lanes[j];
    for (; i < count; i++) sum += (double)x[i] * (double)x[i];
    return sum;
}
