"""Layer 4, answers: the engine (router + knowledge base) composing answers, its cache,
staff look-ups and JSON serialisation.
"""
