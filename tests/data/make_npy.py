#!/usr/bin/python3
"""make_npy.py -- generates the .npy fixtures read by tests/test_npy.c.

Run with the system python, which has numpy (the pyenv `python3` on PATH
does not):

    /usr/bin/python3 tests/data/make_npy.py

It rewrites tests/data/npy/.  The files are tiny and committed, so the C
tests never need python.  Files numpy can write are written by numpy
itself (so the reader is tested against the real producer); broken or
unusual files are assembled by hand with `raw_npy`.  The values stored are
listed here and, independently, in test_npy.c as hand-computed rationals.
"""
import os
import struct
import sys

import numpy as np
from numpy.lib import format as npformat

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "npy")


def save(name, array, version=None):
    with open(os.path.join(OUT, name), "wb") as f:
        npformat.write_array(f, array, version=version, allow_pickle=True)


def raw_npy(header, data, version=(1, 0), hlen=None):
    """A .npy image with the given header text, padded the numpy way."""
    header = header.encode("utf8" if version == (3, 0) else "latin1")
    prefix_len = 6 + 2 + (2 if version == (1, 0) else 4)
    pad = 64 - (prefix_len + len(header) + 1) % 64
    header = header + b" " * pad + b"\n"
    if hlen is None:
        hlen = len(header)
    fmt = "<H" if version == (1, 0) else "<I"
    return (b"\x93NUMPY" + bytes(version) + struct.pack(fmt, hlen) + header
            + data)


def write_raw(name, image):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(image)


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.endswith(".npy"):
            os.remove(os.path.join(OUT, old))

    # ---- floats, both byte orders ---------------------------------------
    f8 = [[0.5, -1.25, 3.0], [0.1, -0.0, 5e-324]]
    save("f8_le.npy", np.array(f8, dtype="<f8"))
    save("f8_be.npy", np.array(f8, dtype=">f8"))
    # DBL_MAX, -DBL_MIN, the largest subnormal, 2^53 + 2
    ext = [np.finfo(np.float64).max, -np.finfo(np.float64).tiny,
           2.2250738585072009e-308, 9007199254740994.0]
    save("f8_extremes.npy", np.array(ext, dtype="<f8"))
    f4 = [0.1, -2.5, 2.0 ** -149, float(np.finfo(np.float32).max)]
    save("f4_le.npy", np.array(f4, dtype="<f4"))
    save("f4_be.npy", np.array(f4, dtype=">f4"))

    # ---- integers at their extremes ------------------------------------
    ints = {
        "i1": [-128, 127, 0, -1],
        "i2": [-32768, 32767, -1, 258],
        "i4": [-2147483648, 2147483647, -1, 16909060],
        "i8": [-9223372036854775808, 9223372036854775807, -1,
               72623859790382856],
        "u1": [0, 255, 1, 128],
        "u2": [0, 65535, 258, 1],
        "u4": [0, 4294967295, 16909060, 1],
        "u8": [0, 18446744073709551615, 72623859790382856, 1],
    }
    for code, values in ints.items():
        if code.endswith("1"):
            save(code + ".npy", np.array(values, dtype="|" + code))
        else:
            save(code + "_le.npy", np.array(values, dtype="<" + code))
            save(code + "_be.npy", np.array(values, dtype=">" + code))
    save("b1.npy", np.array([True, False, True], dtype="|b1"))

    # ---- order, versions, ranks ----------------------------------------
    a = np.arange(24, dtype="<i4").reshape(2, 3, 4)
    save("fortran_i4.npy", np.asfortranarray(a))
    save("fortran_f8_be.npy",
         np.asfortranarray(np.array([[1.5, 2, 3], [4, 5, 6.25]], ">f8")))
    save("v2.npy", np.array([[1, 2], [3, 4]], dtype="<i8"), version=(2, 0))
    save("v3.npy", np.array([0.5, 1.5], dtype="<f8"), version=(3, 0))
    # utf-8 only matters in 3.0 for non-ASCII field names, which make the
    # dtype structured and therefore unsupported.
    save("v3_structured.npy",
         np.zeros(2, dtype=[("\u00e9", "<f8")]), version=(3, 0))
    save("rank0_f8.npy", np.array(2.5))
    save("rank0_u8.npy", np.array(7, dtype="<u8"))
    save("empty_0x3.npy", np.zeros((0, 3)))
    save("empty_2x0.npy", np.zeros((2, 0), dtype="<i4"))

    # ---- values that have no rational ----------------------------------
    save("nan.npy", np.array([[1, 2], [3, np.nan]]))
    save("inf.npy", np.array([1, -np.inf]))
    nf = np.asfortranarray(np.array([[1, 2, np.nan], [np.nan, 5, 6]]))
    save("nan_fortran.npy", nf)  # first NaN in memory is [1, 0]
    save("inf_f4.npy", np.array([1, np.inf, np.nan], dtype="<f4"))

    # ---- unsupported dtypes --------------------------------------------
    save("c16.npy", np.array([1 + 2j], dtype="<c16"))
    save("f2.npy", np.array([1.5], dtype="<f2"))
    save("object.npy", np.array([1, "a"], dtype=object))

    # ---- broken files ---------------------------------------------------
    good = open(os.path.join(OUT, "f8_le.npy"), "rb").read()
    write_raw("truncated.npy", good[:-3])
    write_raw("truncated_header.npy", good[:20])
    three = struct.pack("<3d", 1.0, 2.0, 3.0)
    hdr = "{'descr': '<f8', 'fortran_order': False, 'shape': (%s), }"
    write_raw("lying_shape.npy", raw_npy(hdr % "100,", three))
    write_raw("trailing.npy", raw_npy(hdr % "2,", three))
    write_raw("header_past_end.npy", raw_npy(hdr % "3,", three, hlen=1000))
    write_raw("bad_magic.npy", b"\x93NUMPX" + good[6:])
    write_raw("bad_version.npy", good[:6] + b"\x04\x00" + good[8:])
    write_raw("bool_bad.npy",
              raw_npy("{'descr': '|b1', 'fortran_order': False, "
                      "'shape': (2,), }", b"\x00\x02"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
