// Adam's update, one pass over the flat parameter array, in the widest vectors the CPU has.
// Swift compiles for baseline x86-64 (SSE2), so a wider kernel has to be chosen at run time:
// each variant is compiled for its own instruction set (a target attribute) and called only
// where `nc_kernel_level` found it. Square root and division are exact in every variant.
#include "learning_kernels.h"
#include <math.h>

// One parameter at a time: the tail of the vector kernels, and the whole update on CPUs
// without AVX2 (rare today; there it is slower than a vector loop, not wrong).
static void adam_scalar(const nc_adam_constants *c, float *w, const float *g, float *m, float *v, size_t from, size_t count) {
    for (size_t i = from; i < count; i++) {
        const float gi = g[i] * c->scale;
        m[i] = c->b1 * m[i] + (1 - c->b1) * gi;
        v[i] = c->b2 * v[i] + (1 - c->b2) * gi * gi;
        w[i] -= c->step_size * m[i] / (sqrtf(v[i] * c->inverse_correction2) + c->epsilon);
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

static int detected_level;

// Once, as the library loads: every kernel call asks.
__attribute__((constructor)) static void detect_level(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512dq"))
        detected_level = 2;
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        detected_level = 1;
}

int nc_kernel_level(void) { return detected_level; }

__attribute__((target("avx512f")))
static void adam_avx512(const nc_adam_constants *c, float *w, const float *g, float *m, float *v, size_t count) {
    const __m512 b1 = _mm512_set1_ps(c->b1), rest1 = _mm512_set1_ps(1 - c->b1);
    const __m512 b2 = _mm512_set1_ps(c->b2), rest2 = _mm512_set1_ps(1 - c->b2);
    const __m512 scale = _mm512_set1_ps(c->scale), step = _mm512_set1_ps(c->step_size);
    const __m512 correction2 = _mm512_set1_ps(c->inverse_correction2), epsilon = _mm512_set1_ps(c->epsilon);
    for (size_t i = 0; i < count; i += 16) {
        // The last block is masked: lanes past the end are neither read nor written.
        const __mmask16 lanes = count - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - i)) - 1);
        const __m512 gi = _mm512_mul_ps(_mm512_maskz_loadu_ps(lanes, g + i), scale);
        const __m512 mi = _mm512_fmadd_ps(b1, _mm512_maskz_loadu_ps(lanes, m + i), _mm512_mul_ps(rest1, gi));
        const __m512 vi = _mm512_fmadd_ps(b2, _mm512_maskz_loadu_ps(lanes, v + i), _mm512_mul_ps(_mm512_mul_ps(rest2, gi), gi));
        _mm512_mask_storeu_ps(m + i, lanes, mi);
        _mm512_mask_storeu_ps(v + i, lanes, vi);
        const __m512 denominator = _mm512_add_ps(_mm512_sqrt_ps(_mm512_mul_ps(vi, correction2)), epsilon);
        const __m512 wi = _mm512_fnmadd_ps(step, _mm512_div_ps(mi, denominator), _mm512_maskz_loadu_ps(lanes, w + i));
        _mm512_mask_storeu_ps(w + i, lanes, wi);
    }
}

__attribute__((target("avx2,fma")))
static void adam_avx2(const nc_adam_constants *c, float *w, const float *g, float *m, float *v, size_t count) {
    const __m256 b1 = _mm256_set1_ps(c->b1), rest1 = _mm256_set1_ps(1 - c->b1);
    const __m256 b2 = _mm256_set1_ps(c->b2), rest2 = _mm256_set1_ps(1 - c->b2);
    const __m256 scale = _mm256_set1_ps(c->scale), step = _mm256_set1_ps(c->step_size);
    const __m256 correction2 = _mm256_set1_ps(c->inverse_correction2), epsilon = _mm256_set1_ps(c->epsilon);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        const __m256 gi = _mm256_mul_ps(_mm256_loadu_ps(g + i), scale);
        const __m256 mi = _mm256_fmadd_ps(b1, _mm256_loadu_ps(m + i), _mm256_mul_ps(rest1, gi));
        const __m256 vi = _mm256_fmadd_ps(b2, _mm256_loadu_ps(v + i), _mm256_mul_ps(_mm256_mul_ps(rest2, gi), gi));
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
        const __m256 denominator = _mm256_add_ps(_mm256_sqrt_ps(_mm256_mul_ps(vi, correction2)), epsilon);
        _mm256_storeu_ps(w + i, _mm256_fnmadd_ps(step, _mm256_div_ps(mi, denominator), _mm256_loadu_ps(w + i)));
    }
    adam_scalar(c, w, g, m, v, i, count);
}

void nc_adam_update(int level, const nc_adam_constants *c, float *w, const float *g, float *m, float *v, size_t count) {
    if (level >= 2) adam_avx512(c, w, g, m, v, count);
    else if (level == 1) adam_avx2(c, w, g, m, v, count);
    else adam_scalar(c, w, g, m, v, 0, count);
}

#else

int nc_kernel_level(void) { return 0; }

void nc_adam_update(int level, const nc_adam_constants *c, float *w, const float *g, float *m, float *v, size_t count) {
    (void)level;
    adam_scalar(c, w, g, m, v, 0, count);
}

#endif
