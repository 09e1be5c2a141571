"""Chinese NLU for the shop assistant: normalisers, jieba tokenizer, catalogue gazetteer,
rule and vocabulary entity extraction, and the Rasa components that wrap them.

Pure-Python modules (no Rasa import): normalize, numbers, rules, vocab, segment, gazetteer,
pipeline, build_resources, char_ngrams. Rasa components: text_normalizer, tokenizer, featurizer,
char_featurizer (available, not in config.yml: issue 14 round 12),
extractor. See shop_nlu/README.md.
"""
