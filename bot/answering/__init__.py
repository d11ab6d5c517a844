"""Answering: the not-covered gate, extractive and generated answers, markers, the verifier, follow-ups."""
