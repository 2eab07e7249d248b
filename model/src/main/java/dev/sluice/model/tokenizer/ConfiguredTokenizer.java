package dev.sluice.model.tokenizer;

import java.util.List;
import java.util.Set;

/** A tokenizer whose BOS and EOS ids and vocabulary size come from the model's config.json. */
abstract class ConfiguredTokenizer implements TextTokenizer {
  private final int bos;
  private final int eos;
  private final Set<Integer> eosIds;
  private final int vocabSize;

  /** @param eosIds every token that ends a sequence; the first is the one {@link #eosId()} names */
  ConfiguredTokenizer(int bos, List<Integer> eosIds, int vocabSize) {
    this.bos = bos;
    this.eos = eosIds.get(0);
    this.eosIds = Set.copyOf(eosIds);
    this.vocabSize = vocabSize;
  }

  @Override
  public final int bosId() {
    return bos;
  }

  @Override
  public final int eosId() {
    return eos;
  }

  @Override
  public final boolean isEos(int id) {
    return eosIds.contains(id);
  }

  @Override
  public final int vocabSize() {
    return vocabSize;
  }
}
