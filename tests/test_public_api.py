"""`matcher` names its public API, and importing it stays cheap."""

from __future__ import annotations

import subprocess
import sys

import matcher


def test_every_public_name_resolves():
    for name in matcher.__all__:
        assert getattr(matcher, name) is not None, name


def test_importing_matcher_loads_neither_spacy_nor_sklearn_nor_pandas():
    code = ("import sys, matcher; "
            "print(sorted(m for m in ('spacy', 'sklearn', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
