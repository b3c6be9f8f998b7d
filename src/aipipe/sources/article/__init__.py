"""The seed article as a source: where it is read from (`source`) and every figure it states,
turned into claim rows (`claims`, with its lexicon, blocks and periods)."""
