package dev.sluice.bench.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.bench.simulation.RoutingSimulation.Request;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A Mooncake-format trace (the format of the public traces of kvcache-ai/Mooncake): one JSON object per line with {@code timestamp}
 * (ms from the start), {@code input_length}, {@code output_length} and {@code hash_ids}, one id per
 * {@value #BLOCK_TOKENS}-token block of the prompt. Equal leading ids mean an equal prompt prefix, which
 * is all the routing simulation needs, so the trace is replayed at its own scale (no token ids).
 *
 * @param source the file read
 * @param requests the requests in file order, ids {@code m0, m1, ...}
 * @param distinctBlocks how many different block ids the trace uses (the KV a perfect cache would hold)
 */
public record MooncakeTrace(Path source, List<Request> requests, long distinctBlocks) {
  /** Tokens per {@code hash_ids} entry in Mooncake traces. */
  public static final int BLOCK_TOKENS = 512;

  private static final ObjectMapper JSON = new ObjectMapper();

  public MooncakeTrace {
    requests = List.copyOf(requests);
  }

  /** Reads every non-blank line; a line missing a field fails with its line number. */
  public static MooncakeTrace read(Path jsonl) throws IOException {
    List<Request> requests = new ArrayList<>();
    Set<Long> blocks = new HashSet<>();
    try (BufferedReader in = Files.newBufferedReader(jsonl)) {
      String line;
      int lineNumber = 0;
      while ((line = in.readLine()) != null) {
        lineNumber++;
        if (line.isBlank()) continue;
        requests.add(parse(line, "m" + requests.size(), jsonl, lineNumber, blocks));
      }
    }
    return new MooncakeTrace(jsonl, requests, blocks.size());
  }

  private static Request parse(String line, String id, Path file, int lineNumber, Set<Long> blocks) throws IOException {
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IOException(file + ":" + lineNumber + ": not JSON: " + e.getOriginalMessage(), e);
    }
    JsonNode hashIds = n.get("hash_ids");
    for (String field : new String[] {"timestamp", "input_length", "output_length"}) {
      if (n.get(field) == null || !n.get(field).isNumber()) {
        throw new IOException(file + ":" + lineNumber + ": missing number '" + field + "'");
      }
    }
    if (hashIds == null || !hashIds.isArray()) {
      throw new IOException(file + ":" + lineNumber + ": missing array 'hash_ids'");
    }
    long[] ids = new long[hashIds.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = hashIds.get(i).asLong();
      blocks.add(ids[i]);
    }
    return Request.fromBlockIds(id, n.get("timestamp").asLong(), n.get("input_length").asInt(),
        n.get("output_length").asInt(), BLOCK_TOKENS, ids);
  }

  /** Arrival time of the last request. */
  public long durationMs() {
    return requests.stream().mapToLong(Request::arrivalMs).max().orElse(0);
  }

  public long promptTokens() {
    return requests.stream().mapToLong(r -> r.routing().promptTokens()).sum();
  }

  public long outputTokens() {
    return requests.stream().mapToLong(Request::outputTokens).sum();
  }
}
