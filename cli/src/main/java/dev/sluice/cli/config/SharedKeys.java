package dev.sluice.cli.config;

import dev.sluice.topics.TopicLayout;

/** Settings that several roles must agree on, declared once. */
public final class SharedKeys {
  private SharedKeys() {}

  /** Tokens per KV block: the router hashes prompts in blocks of it, workers cache by it. */
  public static final ConfigKey<Integer> BLOCK_SIZE = ConfigKey.intKey("block_size",
      TopicLayout.DEFAULT_BLOCK_SIZE, 1, 4096,
      "tokens per KV block; the router and every worker must use the same (checked at start)");
}
