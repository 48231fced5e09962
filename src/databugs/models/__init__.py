"""Stage 2: models. Out-of-fold probabilities, where the fits run, embeddings, the cache."""
