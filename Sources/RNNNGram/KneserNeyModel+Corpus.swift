// KneserNeyModel over an rnnlab Corpus: the same vocabulary, `<eos>` and `<unk>` ids as the RNN
// runs, so the perplexities compare directly.

import RNNData

extension SentenceContext {
    /// `.independent` with the vocabulary's `<eos>` id, or nil when it has none (a character
    /// vocabulary, or a word corpus read without end-of-sentence tokens).
    public static func independent(in vocabulary: Vocabulary, endOfSentence: String = "<eos>") -> SentenceContext? {
        vocabulary.id(endOfSentence).map { .independent(endOfSentence: $0) }
    }
}

extension KneserNeyModel {
    /// Counts the corpus's training split over its vocabulary (see `train(tokens:...)`).
    public static func train(corpus: Corpus, order: Int, sentenceContext: SentenceContext = .acrossSentences,
                             progress: ((Int, Int) -> Void)? = nil) -> KneserNeyModel {
        train(tokens: corpus.train, vocabularySize: corpus.vocabulary.count, order: order,
              sentenceContext: sentenceContext, progress: progress)
    }
}
