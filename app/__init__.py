"""Parallax: group and align articles that tell the same story in several languages."""

import os

# numpy's OpenBLAS starts a thread per core for every matrix product; the encoder's and the
# aligner's products are small and a worker already runs jobs in threads, so on 2 cores the
# BLAS threads mostly spin waiting for each other: 4x the CPU for the same span vectors
# (issue 22, bench/ingest.py). One BLAS thread unless the environment says otherwise; it
# must be set before numpy is first imported, hence here.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
