package dev.sluice.bench.trace;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.StringJoiner;

/**
 * A seeded Mooncake-format trace shaped like the public Mooncake conversation trace
 * (FAST25-release/traces/conversation_trace.jsonl: 12,031 requests over 59 minutes), for tests of the
 * routing policies on a second kind of trace: arrivals in batches every 3 s (about 10 a batch), every
 * prompt opening with the same {@code openingBlocks} blocks (one in the public trace), half the
 * requests a new conversation (log-normal length, median about 7,600 tokens) and half the next turn of
 * an earlier one, recent ones more often (its blocks, the partly filled last one rewritten, plus a few
 * hundred new tokens). Not the public trace: its shape, so that what a lane can share is the same kind.
 */
public final class ConversationShapedTrace {
  private ConversationShapedTrace() {}

  private record Conversation(List<Long> blocks, int tokens) {}

  /** Writes the trace to {@code file}; returns the number of requests. */
  public static int write(Path file, long seed, int openingBlocks) throws IOException {
    Random random = new Random(seed);
    List<Conversation> conversations = new ArrayList<>(); // the most recently continued last
    long nextBlock = openingBlocks;
    int requests = 0;
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      for (int batch = 0; batch < 1_180; batch++) {
        int arrivals = poisson(random, 10.2);
        for (int a = 0; a < arrivals; a++) {
          Conversation c;
          if (!conversations.isEmpty() && random.nextBoolean()) {
            int back = (int) Math.min(conversations.size() - 1, -Math.log(1 - random.nextDouble()) * 300);
            Conversation earlier = conversations.remove(conversations.size() - 1 - back);
            int tokens = earlier.tokens() + (int) Math.min(20_000, logNormal(random, 600, 1.0)) + 50;
            List<Long> blocks = new ArrayList<>(earlier.blocks());
            // The earlier prompt's partly filled last block changes when the next turn is appended.
            if (blocks.size() > openingBlocks && earlier.tokens() % MooncakeTrace.BLOCK_TOKENS != 0) {
              blocks.set(blocks.size() - 1, nextBlock++);
            }
            while (blocks.size() < blocksOf(tokens)) blocks.add(nextBlock++);
            c = new Conversation(blocks, tokens);
          } else {
            int tokens = (int) Math.min(128_000, logNormal(random, 7_000, 1.0)) + 600;
            List<Long> blocks = new ArrayList<>();
            for (long b = 0; b < openingBlocks; b++) blocks.add(b);
            while (blocks.size() < Math.max(blocksOf(tokens), openingBlocks + 1)) blocks.add(nextBlock++);
            c = new Conversation(blocks, Math.max(tokens, blocks.size() * MooncakeTrace.BLOCK_TOKENS - 1));
          }
          conversations.add(c);
          int output = (int) Math.max(1, Math.min(1_000, logNormal(random, 300, 0.8)));
          StringJoiner ids = new StringJoiner(", ", "[", "]");
          c.blocks().forEach(b -> ids.add(Long.toString(b)));
          out.write("{\"timestamp\": " + batch * 3_000L + ", \"input_length\": " + c.tokens() + ", \"output_length\": "
              + output + ", \"hash_ids\": " + ids + "}\n");
          requests++;
        }
      }
    }
    return requests;
  }

  private static int blocksOf(int tokens) {
    return (tokens + MooncakeTrace.BLOCK_TOKENS - 1) / MooncakeTrace.BLOCK_TOKENS;
  }

  private static double logNormal(Random random, double median, double sigma) {
    return median * Math.exp(sigma * random.nextGaussian());
  }

  private static int poisson(Random random, double mean) {
    double limit = Math.exp(-mean);
    double p = random.nextDouble();
    int k = 0;
    while (p > limit) {
      p *= random.nextDouble();
      k++;
    }
    return k;
  }
}
