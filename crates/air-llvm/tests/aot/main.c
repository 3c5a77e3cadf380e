/*
 * Calls the functions of module.air, compiled ahead of time, through the generated header
 * "module.h", and checks every result against values computed here. Prints one line per group of
 * checks and "all checks passed" at the end; exits 1 on the first failed group.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "module.h"

static int failures = 0;

#define CHECK(cond, ...)                                   \
    do {                                                   \
        if (!(cond)) {                                     \
            printf("FAIL (line %d): ", __LINE__);          \
            printf(__VA_ARGS__);                           \
            printf("\n");                                  \
            failures++;                                    \
        }                                                  \
    } while (0)

static int close_to(double got, double want, double rel) {
    return fabs(got - want) <= rel * (1.0 + fabs(want));
}

static void reset(air_error *err) {
    memset(err, 0, sizeof *err);
}

enum { N = 3, M = 4 };

/* y = A @ v with A Fortran-ordered (column-major strides), y allocated by the callee, then
 * written into every other element of a caller buffer; a conflicting symbol, a wrong dtype and a
 * wrong rank are errors with messages, not crashes. */
static void test_matvec(void) {
    double a[N * M], v[M], v5[5] = {0}, want[N];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < M; j++)
            a[i + N * j] = 1.0 + i - 0.5 * j * j; /* A[i][j], column-major */
    for (int j = 0; j < M; j++)
        v[j] = 0.25 * (j + 1);
    for (int i = 0; i < N; i++) {
        want[i] = 0.0;
        for (int j = 0; j < M; j++)
            want[i] += a[i + N * j] * v[j];
    }
    int64_t a_shape[2] = {N, M}, a_strides[2] = {8, 8 * N};
    int64_t v_shape[1] = {M}, v_strides[1] = {8};
    int64_t y_shape[1] = {0}, y_strides[1] = {0};
    air_tensor params[2] = {{a, a_shape, a_strides, 2, AIR_F64}, {v, v_shape, v_strides, 1, AIR_F64}};
    air_tensor results[1] = {{NULL, y_shape, y_strides, 1, AIR_F64}};
    air_error err;
    reset(&err);

    int32_t rc = module_matvec(params, results, &err);
    CHECK(rc == 0 && err.code == 0, "matvec: %d %s", rc, err.message);
    if (rc == 0) {
        const double *y = results[0].data;
        CHECK(y != NULL && y_shape[0] == N && y_strides[0] == 8, "matvec: shape %lld stride %lld",
              (long long)y_shape[0], (long long)y_strides[0]);
        for (int i = 0; y != NULL && i < N; i++)
            CHECK(close_to(y[i], want[i], 1e-14), "matvec: y[%d] = %.17g, want %.17g", i, y[i], want[i]);
        module_free(results[0].data);
    }

    double ybuf[2 * N];
    for (int i = 0; i < 2 * N; i++)
        ybuf[i] = -7.0;
    y_shape[0] = N;
    y_strides[0] = 16;
    results[0].data = ybuf;
    reset(&err);
    rc = module_matvec(params, results, &err);
    CHECK(rc == 0, "matvec into a strided buffer: %d %s", rc, err.message);
    for (int i = 0; i < N; i++) {
        CHECK(close_to(ybuf[2 * i], want[i], 1e-14), "matvec: ybuf[%d] = %.17g, want %.17g", 2 * i,
              ybuf[2 * i], want[i]);
        CHECK(ybuf[2 * i + 1] == -7.0, "matvec: ybuf[%d] overwritten", 2 * i + 1);
    }
    printf("matvec ok\n");

    /* A binds m = 4, v says m = 5. */
    params[1].data = v5;
    v_shape[0] = 5;
    results[0].data = NULL;
    reset(&err);
    rc = module_matvec(params, results, &err);
    CHECK(rc == 502 && err.code == 502, "matvec mismatch: rc %d code %d", rc, err.code);
    CHECK(strcmp(err.message, "symbol m is 4 but %v makes it 5 in @matvec") == 0, "matvec mismatch: %s",
          err.message);
    CHECK(results[0].data == NULL, "matvec mismatch: a buffer was handed out");
    printf("mismatch: %d %s\n", rc, err.message);

    params[1].data = v;
    v_shape[0] = M;
    params[1].dtype = AIR_F32;
    reset(&err);
    rc = module_matvec(params, results, &err);
    CHECK(rc == 501 && err.code == 501, "matvec dtype: rc %d", rc);
    CHECK(strstr(err.message, "got dtype code 11 and rank 1") != NULL, "matvec dtype: %s", err.message);
    printf("dtype: %d %s\n", rc, err.message);

    params[1].dtype = AIR_F64;
    params[1].rank = 2;
    reset(&err);
    rc = module_matvec(params, results, &err);
    CHECK(rc == 501 && strstr(err.message, "got dtype code 12 and rank 2") != NULL, "matvec rank: %d %s",
          rc, err.message);
}

/* z = a*x + y into the caller's `out` buffer, then into one the callee allocates; the sum of
 * squares is a rank-0 result the callee allocates. */
static void test_axpy(void) {
    enum { K = 1000 };
    static double x[K], y[K], z[K];
    double a = 2.5, want_norm2 = 0.0;
    for (int i = 0; i < K; i++) {
        x[i] = 0.5 * i;
        y[i] = 1.0 - i;
        double zi = a * x[i] + y[i];
        want_norm2 += zi * zi;
        z[i] = 0.0;
    }
    int64_t none[1] = {0}, k_shape[1] = {K}, k_strides[1] = {8}, z_shape[1] = {K}, z_strides[1] = {8};
    int64_t s_shape[1] = {0}, s_strides[1] = {0};
    air_tensor params[4] = {
        {&a, none, none, 0, AIR_F64},
        {x, k_shape, k_strides, 1, AIR_F64},
        {y, k_shape, k_strides, 1, AIR_F64},
        {z, z_shape, z_strides, 1, AIR_F64},
    };
    air_tensor results[1] = {{NULL, s_shape, s_strides, 0, AIR_F64}};
    air_error err;
    for (int round = 0; round < 2; round++) {
        reset(&err);
        int32_t rc = module_axpy(params, results, &err);
        CHECK(rc == 0, "axpy round %d: %d %s", round, rc, err.message);
        if (rc != 0)
            return;
        const double *zs = params[3].data;
        CHECK(round == 1 || zs == z, "axpy: the caller's buffer was replaced");
        for (int i = 0; i < K; i++)
            CHECK(close_to(zs[i], a * x[i] + y[i], 1e-15), "axpy: z[%d] = %.17g", i, zs[i]);
        double norm2 = *(const double *)results[0].data;
        CHECK(close_to(norm2, want_norm2, 1e-12), "axpy: norm2 = %.17g, want %.17g", norm2, want_norm2);
        module_free(results[0].data);
        results[0].data = NULL;
        if (round == 1) {
            CHECK(zs != z && zs != NULL && z_shape[0] == K && z_strides[0] == 8,
                  "axpy: the callee-allocated out buffer");
            module_free(params[3].data);
        }
        params[3].data = NULL; /* round 1: the callee allocates the out parameter */
        z_shape[0] = 0;
        z_strides[0] = 0;
    }
    printf("axpy ok\n");
}

/* x *= s in place, over every other float of a buffer; the name @vec.scale is not a C
 * identifier, so its symbol and C name are mangled: module_vec_x2e_scale (spec 1.6). */
static void test_scale(void) {
    float buf[10];
    for (int i = 0; i < 10; i++)
        buf[i] = (float)i - 3.5f;
    float s = 3.0f;
    int64_t x_shape[1] = {5}, x_strides[1] = {8}, none[1] = {0};
    air_tensor params[2] = {{buf, x_shape, x_strides, 1, AIR_F32}, {&s, none, none, 0, AIR_F32}};
    air_error err;
    reset(&err);
    int32_t rc = module_vec_x2e_scale(params, NULL, &err);
    CHECK(rc == 0, "vec.scale: %d %s", rc, err.message);
    for (int i = 0; i < 10; i++) {
        float orig = (float)i - 3.5f;
        float want = i % 2 == 0 ? orig * s : orig;
        CHECK(buf[i] == want, "vec.scale: buf[%d] = %g, want %g", i, buf[i], want);
    }
    printf("vec.scale ok\n");
}

int main(void) {
    test_matvec();
    test_axpy();
    test_scale();
    if (failures != 0) {
        printf("%d checks failed\n", failures);
        return 1;
    }
    printf("all checks passed\n");
    return 0;
}
