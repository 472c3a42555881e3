"""The one compiled module, optional: without a C compiler faqbot installs and runs its numpy code.

Everything else about the package is in pyproject.toml.  ``faqbot/routing/_postings.c``
sums an index's postings for one query (see ``faqbot/routing/postings.py``).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "faqbot.routing._postings",
            ["faqbot/routing/_postings.c"],
            optional=True,  # a failed build leaves the numpy code in charge, not a failed install
            # No fused multiply-adds, no fast math: the sums must round as numpy's do.
            extra_compile_args=["-O2", "-ffp-contract=off", "-fno-fast-math"],
        )
    ]
)
