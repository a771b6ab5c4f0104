"""An adapter that fails the way a real one does: a long log on standard
error (about 4 KB), then a Python traceback that ends in the exception
line, which a report must keep."""
import sys

for step in range(60):
    print("adapter: step %02d of the conversion, nothing to see here yet"
          % step, file=sys.stderr)
raise ValueError("the adapter cannot handle this shape: expected NHWC, "
                 "got NCHW")
