/*
 * air.h -- the C ABI of code compiled from AIR (Array Intermediate Representation).
 *
 * A tensor crosses the boundary as an `air_tensor` descriptor: a data pointer, the rank, and
 * per-axis extents and strides. Strides are in BYTES, as NumPy's, and may be zero (broadcast)
 * or negative. An error is reported as a stable code (the number of an E0xxx code of AIR's
 * specification, e.g. 501 for E0501) with a message.
 *
 * Every AIR function @f becomes
 *
 *     int32_t <prefix>_f(air_tensor *params, air_tensor *results, air_error *err);
 *
 * where <prefix> is the library's (`air compile --prefix`, by default the output's name:
 * libmatvec.so -> matvec).
 *
 * `params` holds one descriptor per parameter in signature order (`out` parameters included:
 * their `data` is the caller's buffer). `results` holds one descriptor per declared result; the
 * caller provides `shape` and `strides` arrays of the result's rank. With `data` non-NULL the
 * caller provides the buffer (its shape must equal the computed one, else E0506); with `data`
 * NULL the callee allocates it (C-contiguous, `shape` and `strides` filled in) and the caller
 * releases it with <prefix>_free. The return value is err->code, 0 on success.
 *
 * The per-function prototypes are not in this file: `air compile m.air -o libm.so --header m.h`
 * emits them, in a header that inlines this one without the runtime's memory functions (a shared
 * library exports them as <prefix>_alloc and <prefix>_free instead).
 */
#ifndef AIR_H
#define AIR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Element types: the value of air_tensor.dtype. */
enum air_dtype {
    AIR_BOOL = 0, /* one byte, 0 or 1 */
    AIR_I8 = 1,
    AIR_I16 = 2,
    AIR_I32 = 3,
    AIR_I64 = 4,
    AIR_U8 = 5,
    AIR_U16 = 6,
    AIR_U32 = 7,
    AIR_U64 = 8,
    AIR_F16 = 9,  /* IEEE binary16 */
    AIR_BF16 = 10, /* bfloat16 (the top 16 bits of an IEEE binary32) */
    AIR_F32 = 11,
    AIR_F64 = 12,
    AIR_C64 = 13, /* complex of two f32: re, im (as NumPy, C99 float _Complex) */
    AIR_C128 = 14 /* complex of two f64: re, im (as NumPy, C99 double _Complex) */
};

/* A strided view of a tensor. */
typedef struct air_tensor {
    void *data;       /* the first element */
    int64_t *shape;   /* rank extents */
    int64_t *strides; /* rank strides in BYTES; may be 0 or negative */
    int32_t rank;
    int32_t dtype;    /* an enum air_dtype value */
} air_tensor;

/* The length of air_error.message, NUL included. */
#define AIR_MESSAGE_LEN 256

/* An error report. */
typedef struct air_error {
    int32_t code;                   /* 0 = ok, else the number of an E0xxx code */
    char message[AIR_MESSAGE_LEN];  /* NUL-terminated */
} air_error;

/* ---- libair_rt.a's memory functions ---- */
/* Allocates nbytes (0 allowed) of zeroed, 64-byte aligned memory; NULL on failure or a negative
 * size. Results allocated by compiled functions come from here. */
void *air_rt_alloc(int64_t nbytes);

/* Releases memory from air_rt_alloc; NULL is ignored. Never pass it memory from malloc. */
void air_free(void *ptr);

/* Sets the memory budget of the calling thread's later calls: at most nbytes bytes of blocks from
 * air_rt_alloc live at once (nbytes <= 0: no budget); an allocation past it fails (E0508). */
void air_set_max_memory(int64_t nbytes);
/* ---- end of libair_rt.a's memory functions ---- */

#ifdef __cplusplus
}
#endif

#endif /* AIR_H */
