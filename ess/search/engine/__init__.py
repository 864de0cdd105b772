"""The search engine: text analysis, query understanding, the two database back-ends and
ranking. Nothing here knows about apps; `ess.search.selectors` and `services` drive it."""
