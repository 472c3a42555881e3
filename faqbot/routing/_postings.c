/* Sums over an inverted index's postings, in compiled code: faqbot.routing.postings.
 *
 * Each function adds exactly what the numpy code beside it in postings.py adds, in the
 * same order (numpy's bincount adds a bin's weights in array order, from zero), so the
 * sums are the same floats bit for bit; what is saved is the postings and weights arrays
 * numpy first copies out of the index (concatenate, repeat, the cast to intp) and the
 * passes over them.  Arrays arrive as buffers; postings.py checks their types and shapes
 * (this file trusts them, and checks only the bounds it indexes with).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

/* gram_masses(out, indptr, docs, ids, idf):
 *   for g in ids (in order): w = (double)(float)idf[g]; for p in docs[indptr[g]:indptr[g+1]]: out[p] += w
 * out float64 (zeroed by the caller), indptr int64, docs int32, ids int64, idf float64.
 * Returns how many postings were added. */
static PyObject *gram_masses(PyObject *self, PyObject *args) {
    Py_buffer out, indptr, docs, ids, idf;
    if (!PyArg_ParseTuple(args, "w*y*y*y*y*", &out, &indptr, &docs, &ids, &idf)) return NULL;
    double *o = (double *)out.buf;
    const int64_t *ip = (const int64_t *)indptr.buf;
    const int32_t *d = (const int32_t *)docs.buf;
    const int64_t *g = (const int64_t *)ids.buf;
    const double *w = (const double *)idf.buf;
    Py_ssize_t n_out = out.len / 8, n_ptr = indptr.len / 8, n_docs = docs.len / 4, n_ids = ids.len / 8, n_idf = idf.len / 8;
    int bad = 0;
    Py_ssize_t summed = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n_ids && !bad; i++) {
        int64_t gid = g[i];
        if (gid < 0 || gid + 1 >= n_ptr || gid >= n_idf) { bad = 1; break; }
        int64_t a = ip[gid], b = ip[gid + 1];
        if (a < 0 || b > n_docs || a > b) { bad = 1; break; }
        double weight = (double)(float)w[gid];
        summed += b - a;
        for (int64_t j = a; j < b; j++) {
            int32_t doc = d[j];
            if (doc < 0 || doc >= n_out) { bad = 1; break; }
            o[doc] += weight;
        }
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&out); PyBuffer_Release(&indptr); PyBuffer_Release(&docs); PyBuffer_Release(&ids); PyBuffer_Release(&idf);
    if (bad) { PyErr_SetString(PyExc_IndexError, "gram_masses: an index out of range"); return NULL; }
    return PyLong_FromSsize_t(summed);
}

/* weighted_sums(out, indptr, rows, weights, columns):
 *   for c in columns (in order): for j in indptr[c]:indptr[c+1]: out[rows[j]] += weights[j]
 * out float64 (zeroed by the caller), indptr int64, rows int32, weights float64, columns int64.
 * Returns how many postings were added. */
static PyObject *weighted_sums(PyObject *self, PyObject *args) {
    Py_buffer out, indptr, rows, weights, columns;
    if (!PyArg_ParseTuple(args, "w*y*y*y*y*", &out, &indptr, &rows, &weights, &columns)) return NULL;
    double *o = (double *)out.buf;
    const int64_t *ip = (const int64_t *)indptr.buf;
    const int32_t *r = (const int32_t *)rows.buf;
    const double *w = (const double *)weights.buf;
    const int64_t *c = (const int64_t *)columns.buf;
    Py_ssize_t n_out = out.len / 8, n_ptr = indptr.len / 8, n_rows = rows.len / 4, n_w = weights.len / 8, n_c = columns.len / 8;
    int bad = 0;
    Py_ssize_t summed = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n_c && !bad; i++) {
        int64_t col = c[i];
        if (col < 0 || col + 1 >= n_ptr) { bad = 1; break; }
        int64_t a = ip[col], b = ip[col + 1];
        if (a < 0 || b > n_rows || b > n_w || a > b) { bad = 1; break; }
        summed += b - a;
        for (int64_t j = a; j < b; j++) {
            int32_t row = r[j];
            if (row < 0 || row >= n_out) { bad = 1; break; }
            o[row] += w[j];
        }
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&out); PyBuffer_Release(&indptr); PyBuffer_Release(&rows); PyBuffer_Release(&weights); PyBuffer_Release(&columns);
    if (bad) { PyErr_SetString(PyExc_IndexError, "weighted_sums: an index out of range"); return NULL; }
    return PyLong_FromSsize_t(summed);
}

/* best_per_owner(best, indptr, rows, columns, owner, values):
 *   for c in columns: for j in indptr[c]:indptr[c+1]: k = owner[rows[j]]; best[k] = max(best[k], values[rows[j]])
 * best float64 (the caller's starting values), indptr int64, rows int32, columns int64,
 * owner int32, values float64.  A maximum: the same in any order (no NaN: scores). */
static PyObject *best_per_owner(PyObject *self, PyObject *args) {
    Py_buffer best, indptr, rows, columns, owner, values;
    if (!PyArg_ParseTuple(args, "w*y*y*y*y*y*", &best, &indptr, &rows, &columns, &owner, &values)) return NULL;
    double *o = (double *)best.buf;
    const int64_t *ip = (const int64_t *)indptr.buf;
    const int32_t *r = (const int32_t *)rows.buf;
    const int64_t *c = (const int64_t *)columns.buf;
    const int32_t *own = (const int32_t *)owner.buf;
    const double *v = (const double *)values.buf;
    Py_ssize_t n_best = best.len / 8, n_ptr = indptr.len / 8, n_rows = rows.len / 4, n_c = columns.len / 8;
    Py_ssize_t n_owner = owner.len / 4, n_v = values.len / 8;
    int bad = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n_c && !bad; i++) {
        int64_t col = c[i];
        if (col < 0 || col + 1 >= n_ptr) { bad = 1; break; }
        int64_t a = ip[col], b = ip[col + 1];
        if (a < 0 || b > n_rows || a > b) { bad = 1; break; }
        for (int64_t j = a; j < b; j++) {
            int32_t row = r[j];
            if (row < 0 || row >= n_owner || row >= n_v) { bad = 1; break; }
            int32_t k = own[row];
            if (k < 0 || k >= n_best) { bad = 1; break; }
            double x = v[row];
            if (x > o[k]) o[k] = x;
        }
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&best); PyBuffer_Release(&indptr); PyBuffer_Release(&rows); PyBuffer_Release(&columns);
    PyBuffer_Release(&owner); PyBuffer_Release(&values);
    if (bad) { PyErr_SetString(PyExc_IndexError, "best_per_owner: an index out of range"); return NULL; }
    Py_RETURN_NONE;
}

/* half_coverages(ids, scores, shared, qmass, doc_mass, short_doc) -> count:
 *   the documents with shared[i] > 0, ascending, into ids (int64), and for each, into scores (float32):
 *     q = (float)(shared[i] / qmass); d = short_doc[i] ? q : (float)(shared[i] / (double)doc_mass[i]);
 *     (q + d) * 0.5f, in float32
 *   which is what the character channel's numpy gives (np.divide into float32 outputs, copyto, _mean).
 * shared float64, doc_mass float32, short_doc bool (one byte), all of one length; ids and scores
 * at least as long. */
static PyObject *half_coverages(PyObject *self, PyObject *args) {
    Py_buffer ids, scores, shared, doc_mass, short_doc;
    double qmass;
    if (!PyArg_ParseTuple(args, "w*w*y*dy*y*", &ids, &scores, &shared, &qmass, &doc_mass, &short_doc)) return NULL;
    int64_t *out_ids = (int64_t *)ids.buf;
    float *out = (float *)scores.buf;
    const double *m = (const double *)shared.buf;
    const float *dm = (const float *)doc_mass.buf;
    const uint8_t *sh = (const uint8_t *)short_doc.buf;
    Py_ssize_t n = shared.len / 8;
    int bad = doc_mass.len / 4 != n || short_doc.len != n || ids.len / 8 < n || scores.len / 4 < n;
    Py_ssize_t k = 0;
    if (!bad) {
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < n; i++) {
            double found = m[i];
            if (found > 0.0) {
                float q = (float)(found / qmass);
                float d = sh[i] ? q : (float)(found / (double)dm[i]);
                float sum = q + d;
                out[k] = sum * 0.5f;
                out_ids[k] = i;
                k++;
            }
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&ids); PyBuffer_Release(&scores); PyBuffer_Release(&shared); PyBuffer_Release(&doc_mass);
    PyBuffer_Release(&short_doc);
    if (bad) { PyErr_SetString(PyExc_ValueError, "half_coverages: arrays of different lengths"); return NULL; }
    return PyLong_FromSsize_t(k);
}

/* relabelled(texts) -> list[str] | None:
 *   the texts with each character renamed to its rank (0, 1, …) among the distinct characters of
 *   all of them by code point, as one-byte characters; None when they are all empty, hold more
 *   than 256 distinct characters, or any outside the BMP (then they are scored as written).
 *   What char_channel._relabelled computes with numpy.  Runs with the GIL held (a static table). */
static uint8_t seen[0x10000];
static uint8_t rank_of[0x10000];

static PyObject *relabelled(PyObject *self, PyObject *arg) {
    if (!PyList_Check(arg)) { PyErr_SetString(PyExc_TypeError, "relabelled: a list of str"); return NULL; }
    Py_ssize_t n = PyList_GET_SIZE(arg), total = 0;
    Py_UCS4 distinct[257];
    int count = 0, over = 0;
    for (Py_ssize_t t = 0; t < n && !over; t++) {
        PyObject *text = PyList_GET_ITEM(arg, t);
        if (!PyUnicode_Check(text)) { over = 2; break; }
        Py_ssize_t len = PyUnicode_GET_LENGTH(text);
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        total += len;
        for (Py_ssize_t i = 0; i < len; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if (c > 0xFFFF) { over = 1; break; }
            if (!seen[c]) {
                if (count == 256) { over = 1; break; }
                seen[c] = 1;
                distinct[count++] = c;
            }
        }
    }
    for (int i = 0; i < count; i++) seen[distinct[i]] = 0;  /* the table is clean for the next call */
    if (over == 2) { PyErr_SetString(PyExc_TypeError, "relabelled: a list of str"); return NULL; }
    if (over || total == 0) Py_RETURN_NONE;
    /* Ranks by code point: an insertion sort of at most 256 values. */
    for (int i = 1; i < count; i++) {
        Py_UCS4 c = distinct[i];
        int j = i - 1;
        while (j >= 0 && distinct[j] > c) { distinct[j + 1] = distinct[j]; j--; }
        distinct[j + 1] = c;
    }
    for (int i = 0; i < count; i++) rank_of[distinct[i]] = (uint8_t)i;
    PyObject *out = PyList_New(n);
    if (out == NULL) return NULL;
    for (Py_ssize_t t = 0; t < n; t++) {
        PyObject *text = PyList_GET_ITEM(arg, t);
        Py_ssize_t len = PyUnicode_GET_LENGTH(text);
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        PyObject *renamed = PyUnicode_New(len, (Py_UCS4)(count - 1));  /* canonical: ASCII below 128 */
        if (renamed == NULL) { Py_DECREF(out); return NULL; }
        Py_UCS1 *bytes = PyUnicode_1BYTE_DATA(renamed);
        for (Py_ssize_t i = 0; i < len; i++) bytes[i] = rank_of[PyUnicode_READ(kind, data, i)];
        PyList_SET_ITEM(out, t, renamed);
    }
    return out;
}

/* take_strings(blob, offsets, positions) -> list[str] | None:
 *   [blob[offsets[p]:offsets[p + 1]].decode("utf-8") for p in positions]: what
 *   faqbot.text.packed.PackedStrings.take reads, decoded straight from the buffer (each string
 *   through a memoryview slice cost about a microsecond).  blob bytes, offsets int64, positions
 *   int64.  None when a position or its offsets are out of range: the caller's numpy code then
 *   reads them as it always did.  Invalid UTF-8 raises UnicodeDecodeError, as str(…, "utf-8"). */
static PyObject *take_strings(PyObject *self, PyObject *args) {
    Py_buffer blob, offsets, positions;
    if (!PyArg_ParseTuple(args, "y*y*y*", &blob, &offsets, &positions)) return NULL;
    const char *b = (const char *)blob.buf;
    const int64_t *off = (const int64_t *)offsets.buf;
    const int64_t *pos = (const int64_t *)positions.buf;
    Py_ssize_t n_off = offsets.len / 8, n = positions.len / 8;
    PyObject *out = NULL;
    int outside = 0;
    for (Py_ssize_t i = 0; i < n && !outside; i++) {
        int64_t p = pos[i];
        if (p < 0 || p + 1 >= n_off || off[p] < 0 || off[p] > off[p + 1] || off[p + 1] > blob.len) outside = 1;
    }
    if (!outside) {
        out = PyList_New(n);
        for (Py_ssize_t i = 0; out != NULL && i < n; i++) {
            int64_t p = pos[i];
            PyObject *text = PyUnicode_DecodeUTF8(b + off[p], (Py_ssize_t)(off[p + 1] - off[p]), NULL);
            if (text == NULL) { Py_CLEAR(out); break; }
            PyList_SET_ITEM(out, i, text);
        }
    }
    PyBuffer_Release(&blob); PyBuffer_Release(&offsets); PyBuffer_Release(&positions);
    if (outside) Py_RETURN_NONE;
    return out;
}

static PyMethodDef methods[] = {
    {"gram_masses", gram_masses, METH_VARARGS, "Add each gram's float32-rounded idf into its documents' masses."},
    {"weighted_sums", weighted_sums, METH_VARARGS, "Add each posting's weight into its row's sum, columns in order."},
    {"best_per_owner", best_per_owner, METH_VARARGS, "Each owner's largest value among the rows of the columns' postings."},
    {"half_coverages", half_coverages, METH_VARARGS, "The documents sharing mass, ascending, and the mean of their two coverages."},
    {"take_strings", take_strings, METH_VARARGS, "The UTF-8 strings of a packed blob at the given positions, or None."},
    {"relabelled", relabelled, METH_O, "The texts' characters renamed to their ranks as one-byte characters, or None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_postings", NULL, -1, methods};

PyMODINIT_FUNC PyInit__postings(void) { return PyModule_Create(&module); }
