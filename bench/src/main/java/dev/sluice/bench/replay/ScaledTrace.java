package dev.sluice.bench.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The first N requests of a Mooncake-format trace ({@link dev.sluice.bench.trace.MooncakeTrace}) turned into real token prompts:
 * each hash id becomes a fixed block of synthetic token ids, seeded by the id alone, so two requests
 * whose hash ids share a leading run share exactly that many blocks of prompt prefix — which is what
 * the router's block hashes and the workers' KV cache can reuse.
 */
public record ScaledTrace(ReplayScale scale, List<ScaledRequest> requests) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public ScaledTrace {
    requests = List.copyOf(requests);
  }

  /** Reads the first {@code scale.requests()} non-blank lines of the trace. */
  public static ScaledTrace read(Path jsonl, ReplayScale scale) throws IOException {
    List<ScaledRequest> requests = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(jsonl)) {
      String line;
      int lineNumber = 0;
      while (requests.size() < scale.requests() && (line = in.readLine()) != null) {
        lineNumber++;
        if (line.isBlank()) continue;
        requests.add(scale(parse(line, jsonl, lineNumber), "m" + requests.size(), scale));
      }
    }
    return new ScaledTrace(scale, requests);
  }

  private record TraceLine(long timestampMs, int outputLength, long[] hashIds) {}

  private static TraceLine parse(String line, Path file, int lineNumber) throws IOException {
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IOException(file + ":" + lineNumber + ": not JSON: " + e.getOriginalMessage(), e);
    }
    for (String field : new String[] {"timestamp", "output_length"}) {
      if (n.get(field) == null || !n.get(field).isNumber()) {
        throw new IOException(file + ":" + lineNumber + ": missing number '" + field + "'");
      }
    }
    JsonNode ids = n.get("hash_ids");
    if (ids == null || !ids.isArray() || ids.isEmpty()) {
      throw new IOException(file + ":" + lineNumber + ": missing non-empty array 'hash_ids'");
    }
    long[] hashIds = new long[ids.size()];
    for (int i = 0; i < hashIds.length; i++) hashIds[i] = ids.get(i).asLong();
    return new TraceLine(n.get("timestamp").asLong(), n.get("output_length").asInt(), hashIds);
  }

  static ScaledRequest scale(TraceLine t, String id, ReplayScale scale) {
    int blocks = Math.min(t.hashIds().length, scale.maxBlocks());
    long[] kept = java.util.Arrays.copyOf(t.hashIds(), blocks);
    int[] prompt = new int[1 + blocks * scale.blockTokens()];
    prompt[0] = scale.bosTokenId();
    for (int b = 0; b < blocks; b++) {
      int[] block = blockTokens(kept[b], scale.blockTokens(), scale.vocabSize());
      System.arraycopy(block, 0, prompt, 1 + b * scale.blockTokens(), block.length);
    }
    int maxTokens = Math.max(1, Math.min(t.outputLength(), scale.maxTokens()));
    long arrivalMs = Math.round(t.timestampMs() * scale.timeScale());
    return new ScaledRequest(id, arrivalMs, prompt, maxTokens, kept);
  }

  /**
   * Requests to warm a fresh pipeline before it is measured (JIT, native library, first Kafka
   * round trips), so that the policy run first is not penalised. Their hash ids are negative, and
   * Mooncake ids never are, so they share no prefix with the trace and add no cache hits to it.
   */
  public static List<ScaledRequest> warmup(int count, ReplayScale scale) {
    List<ScaledRequest> requests = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long[] ids = new long[scale.maxBlocks()];
      for (int b = 0; b < ids.length; b++) ids[b] = -1L - ((long) i * scale.maxBlocks() + b);
      requests.add(scale(new TraceLine(0, scale.maxTokens(), ids), "warmup" + i, scale));
    }
    return requests;
  }

  /** The synthetic tokens of one hash id: a function of (id, length, vocabulary) only. */
  public static int[] blockTokens(long hashId, int blockTokens, int vocabSize) {
    SplittableRandom random = new SplittableRandom(hashId * 0x9E3779B97F4A7C15L + 0x5EEDL);
    int[] tokens = new int[blockTokens];
    for (int i = 0; i < blockTokens; i++) tokens[i] = random.nextInt(ReplayScale.FIRST_TOKEN_ID, vocabSize);
    return tokens;
  }

  /** Arrival time of the last request, after scaling. */
  public long durationMs() {
    return requests.stream().mapToLong(ScaledRequest::arrivalMs).max().orElse(0);
  }

  public long promptTokens() {
    return requests.stream().mapToLong(r -> r.promptTokens().length).sum();
  }
}
