/*
 * The seed example's caller: y = A @ x through matvec_main, compiled by
 *     air compile docs/examples/sympy/matvec.srepr -o libmatvec.so --header matvec.h
 * from SymPy's y[i] = A[i, j]*x[j]. n and m are run-time arguments (default 3 4):
 *     A[i][j] = 0.5*(i*m + j) - 2,   x[j] = 1 + 0.5*j
 * Prints "y = y0 y1 ..." (%.17g), or the error and exit code 1.
 */
#include <stdio.h>
#include <stdlib.h>

#include "matvec.h"

int main(int argc, char **argv) {
    int64_t n = argc > 1 ? atoll(argv[1]) : 3, m = argc > 2 ? atoll(argv[2]) : 4;
    if (n < 1 || m < 1 || n > 4096 || m > 4096) {
        fprintf(stderr, "usage: %s [n m], each 1 to 4096\n", argv[0]);
        return 1;
    }
    double *a = malloc(sizeof(double) * (size_t)(n * m)), *x = malloc(sizeof(double) * (size_t)m);
    if (a == NULL || x == NULL)
        return 1;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < m; j++)
            a[i * m + j] = 0.5 * (double)(i * m + j) - 2.0; /* row-major */
    for (int64_t j = 0; j < m; j++)
        x[j] = 1.0 + 0.5 * (double)j;

    /* Strides in bytes; the result's data NULL: matvec_main allocates it and sets shape/strides. */
    int64_t a_shape[2] = {n, m}, a_strides[2] = {8 * m, 8};
    int64_t x_shape[1] = {m}, x_strides[1] = {8};
    int64_t y_shape[1] = {0}, y_strides[1] = {0};
    air_tensor params[2] = {{a, a_shape, a_strides, 2, AIR_F64}, {x, x_shape, x_strides, 1, AIR_F64}};
    air_tensor results[1] = {{NULL, y_shape, y_strides, 1, AIR_F64}};
    air_error err = {0};
    if (matvec_main(params, results, &err) != 0) {
        fprintf(stderr, "error E%04d: %s\n", err.code, err.message);
        return 1;
    }
    printf("y =");
    for (int64_t i = 0; i < y_shape[0]; i++)
        printf(" %.17g", *(const double *)((const char *)results[0].data + i * y_strides[0]));
    printf("\n");
    matvec_free(results[0].data);
    free(a);
    free(x);
    return 0;
}
