"""Loading libconvproof and calling its string API (src/api/api.h).

The library is looked for, in order, at
  1. $CONVPROOF_LIBRARY (a path to libconvproof.so*; `make check` sets it to
     the build tree's .libs/libconvproof.so),
  2. the build tree this package sits in (python/../.libs), when there,
  3. the lib directory `make install` wrote into _paths.py,
  4. the system's search path (ctypes.util.find_library).
"""

import ctypes
import ctypes.util
import os

_SONAME = "libconvproof.so.0"


class ConvproofError(Exception):
    """convproof refused its input (a syntax error, an unknown name, a shape
    that does not fit) or reached a limit; the message is located
    ("FILE:LINE:COL: ...") when it can be.  `status` is the library's
    cvp_status: 2 bad input, 3 a limit, ..."""

    def __init__(self, message, status=2):
        super().__init__(message)
        self.status = status


def _candidates():
    env = os.environ.get("CONVPROOF_LIBRARY")
    if env:
        yield env
        return
    here = os.path.dirname(os.path.abspath(__file__))
    built = os.path.join(here, os.pardir, os.pardir, ".libs", _SONAME)
    if os.path.exists(built):   # a build tree's own library first
        yield built
    try:
        from . import _paths  # written by make for `make install`
        yield os.path.join(_paths.LIBDIR, _SONAME)
    except ImportError:
        pass
    found = ctypes.util.find_library("convproof")
    if found:
        yield found
    yield _SONAME


ANSWER_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p)

_lib = None


def lib():
    """The loaded library, its functions' types declared (loaded once)."""
    global _lib
    if _lib is not None:
        return _lib
    errors = []
    for path in _candidates():
        try:
            handle = ctypes.CDLL(path)
        except OSError as e:
            errors.append("%s: %s" % (path, e))
            continue
        _declare(handle)
        _lib = handle
        return _lib
    raise ConvproofError("libconvproof not found; set CONVPROOF_LIBRARY to "
                         "its path (tried: %s)" % "; ".join(errors), 3)


def _declare(h):
    out = ctypes.POINTER(ctypes.c_void_p)
    s = ctypes.c_char_p
    h.cvp_api_check_file.argtypes = [s, s, out]
    h.cvp_api_check_text.argtypes = [s, s, s, out]
    h.cvp_api_eval.argtypes = [s, s, out]
    h.cvp_api_test_impl.argtypes = [s, s, s, ANSWER_FN, ctypes.c_void_p, out]
    h.cvp_api_answer_npy.argtypes = [ctypes.c_void_p, s, ctypes.c_char_p, ctypes.c_size_t]
    h.cvp_api_answer_fail.argtypes = [ctypes.c_void_p, s]
    h.cvp_api_free.argtypes = [ctypes.c_void_p]
    h.cvp_api_free.restype = None
    for name in ("cvp_api_check_file", "cvp_api_check_text", "cvp_api_eval",
                 "cvp_api_test_impl", "cvp_api_answer_npy"):
        getattr(h, name).restype = ctypes.c_int


def _bytes(text):
    return None if text is None else text.encode("utf-8")


def call(name, *args):
    """Calls cvp_api_NAME(*args, &out): the answer text on status 0, else
    ConvproofError with the message."""
    h = lib()
    out = ctypes.c_void_p()
    args = [_bytes(a) if isinstance(a, str) or a is None else a for a in args]
    status = getattr(h, "cvp_api_" + name)(*args, ctypes.byref(out))
    try:
        text = ctypes.string_at(out.value).decode("utf-8", "replace") if out.value else ""
    finally:
        h.cvp_api_free(out)
    if status != 0:
        raise ConvproofError(text, status)
    return text
