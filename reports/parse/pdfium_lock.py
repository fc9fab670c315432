"""One pdfium call at a time in the whole process.

PDFium is not thread-safe, not even across different documents: pypdfium2's documentation
says concurrent calls crash or corrupt the process, and allows threads only if a mutex keeps
the calls one at a time. The monitor parses reports in up to 16 threads per flow run; in the
national benchmark (bench/national.py) district runs died with glibc's 「corrupted size vs.
prev_size」 and segfaults once several agencies' PDFs were parsed at once. Hold `PDFIUM` around
every pdfium call, and close every pdfium object inside it (a finaliser left to the garbage
collector would run in whatever thread happens to collect).
"""

from __future__ import annotations

import threading

PDFIUM = threading.RLock()
