package dev.sluice.router.admission;

import dev.sluice.router.PromptTokenizer;
import dev.sluice.router.RouterSettings;
import dev.sluice.router.policy.RoutingRequest;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.Sampling;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkKind;
import dev.sluice.schemas.hash.BlockHasher;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Validates a request against the router's limits, tokenizes its prompt and computes its block
 * hashes. Pure: no Kafka, so every rule is tested directly. Sizes are checked before any work: the
 * text's UTF-8 bytes against the byte limit before the tokenizer runs (which bounds its time per
 * request), then the token count.
 */
public final class RequestAdmission {
  private final RouterSettings settings;
  private final PromptTokenizer tokenizer;

  /** @param tokenizer the served model's tokenizer; null = only pre-tokenized requests are accepted */
  public RequestAdmission(RouterSettings settings, PromptTokenizer tokenizer) {
    this.settings = settings;
    this.tokenizer = tokenizer;
  }

  /**
   * @param requestId the request's id (already assigned when the client sent none)
   * @param replyPartition the submitter's results partition, or null
   * @param nowMs the router's clock
   * @param recordTimestampMs the Kafka record's timestamp (creation time when the client gave none)
   */
  public Admission admit(InferenceRequest request, String requestId, Integer replyPartition, long nowMs, long recordTimestampMs) {
    String model = request.getModel() == null || request.getModel().isBlank() ? settings.defaultModel() : request.getModel();
    long createdAtMs = request.getCreatedAtMs() > 0 ? request.getCreatedAtMs() : recordTimestampMs;
    Reject reject = (code, message) -> new Admission.Rejected(ErrorResults.error(requestId, model, code, message, createdAtMs, nowMs));

    if (!settings.servedModels().contains(model)) {
      return reject.with(ErrorResults.MODEL_NOT_FOUND, "model '" + model + "' is not served here; served: " + settings.servedModels());
    }
    boolean hasText = request.getPrompt() != null;
    boolean hasTokens = request.getPromptTokens() != null;
    if (hasText == hasTokens) {
      return reject.with(ErrorResults.INVALID_REQUEST, "set exactly one of prompt and promptTokens");
    }
    int maxTokens = request.getMaxTokens();
    if (maxTokens < 1 || maxTokens > settings.maxTokensLimit()) {
      return reject.with(ErrorResults.INVALID_REQUEST, "maxTokens must be in [1, " + settings.maxTokensLimit() + "], got " + maxTokens);
    }
    float temperature = request.getTemperature();
    if (!(temperature >= 0) || Float.isInfinite(temperature)) {
      return reject.with(ErrorResults.INVALID_REQUEST, "temperature must be a finite number >= 0, got " + temperature);
    }
    float topP = request.getTopP();
    if (!(topP > 0 && topP <= 1)) {
      return reject.with(ErrorResults.INVALID_REQUEST, "topP must be in (0, 1], got " + topP);
    }
    if (request.getTopK() < 0) {
      return reject.with(ErrorResults.INVALID_REQUEST, "topK must be >= 0 (0 disables it), got " + request.getTopK());
    }
    Long deadlineMs = request.getDeadlineMs();
    if (deadlineMs == null && settings.defaultTimeoutMs() > 0) deadlineMs = createdAtMs + settings.defaultTimeoutMs();
    if (deadlineMs != null && deadlineMs <= nowMs) {
      return reject.with(ErrorResults.DEADLINE_EXCEEDED, "the deadline " + deadlineMs + " passed before the request was routed (now " + nowMs + ")");
    }

    // Sizes before work: the cheap counts first, so a huge prompt costs nothing but this check.
    if (hasTokens && request.getPromptTokens().size() > settings.maxPromptTokens()) {
      return reject.with(ErrorResults.TOO_LARGE, "the prompt has " + request.getPromptTokens().size()
          + " tokens; at most " + settings.maxPromptTokens() + " are accepted");
    }
    if (hasText) {
      long bytes = Utf8.length(request.getPrompt(), settings.promptByteLimit());
      if (bytes > settings.promptByteLimit()) {
        return reject.with(ErrorResults.TOO_LARGE, "the prompt has more than " + settings.promptByteLimit()
            + " bytes of text (max_prompt_bytes); at most " + settings.maxPromptTokens() + " tokens are accepted");
      }
    }

    int[] tokens;
    if (hasTokens) {
      tokens = request.getPromptTokens().stream().mapToInt(Integer::intValue).toArray();
      for (int t : tokens) {
        if (t < 0) return reject.with(ErrorResults.INVALID_REQUEST, "promptTokens must be non-negative token ids, got " + t);
      }
    } else if (tokenizer == null) {
      return reject.with(ErrorResults.INVALID_REQUEST, "this router has no tokenizer; send promptTokens instead of prompt");
    } else {
      tokens = tokenizer.encode(request.getPrompt());
    }
    if (tokens.length == 0) {
      return reject.with(ErrorResults.INVALID_REQUEST, "the prompt is empty");
    }
    if (tokens.length > settings.maxPromptTokens()) {
      return reject.with(ErrorResults.TOO_LARGE, "the prompt has " + tokens.length + " tokens; at most " + settings.maxPromptTokens() + " are accepted");
    }
    if (settings.maxSequenceTokens() > 0 && tokens.length + maxTokens > settings.maxSequenceTokens()) {
      return reject.with(ErrorResults.TOO_LARGE, "prompt (" + tokens.length + " tokens) + maxTokens (" + maxTokens
          + ") exceeds the model's context of " + settings.maxSequenceTokens() + " tokens");
    }

    List<byte[]> hashes = new BlockHasher(model, request.getCacheSalt(), settings.blockSize()).hashes(tokens);
    byte[] family = RoutingRequest.familyOf(tokens, hashes, model, request.getCacheSalt());
    StageWork prompt = StageWork.newBuilder()
        .setRequestId(requestId)
        .setLane(-1)
        .setKind(WorkKind.PREFILL_CHUNK)
        .setStartPos(0)
        .setEndPos(tokens.length)
        .setTokenIds(boxed(tokens))
        .setPromptLength(tokens.length)
        .setBlockSize(settings.blockSize())
        .setBlockHashes(hashes.stream().map(ByteBuffer::wrap).toList())
        .setSampling(Sampling.newBuilder()
            .setMaxTokens(maxTokens)
            .setTemperature(temperature)
            .setTopP(topP)
            .setTopK(request.getTopK())
            .setSeed(request.getSeed())
            .setStop(List.copyOf(request.getStop()))
            .build())
        .setHidden(null)
        .setLastPromptChunk(true)
        .setCachedTokens(0)
        .setStamps(List.of())
        .setAttempt(0)
        .setReplyPartition(replyPartition)
        .setModel(model)
        .setCreatedAtMs(createdAtMs)
        .setRoutedAtMs(nowMs)
        .setFirstTokenAtMs(0)
        .setDeadlineMs(deadlineMs)
        .setStageMillis(Map.of())
        .setTextSoFar("")
        .build();
    return new Admission.Accepted(prompt, BlockHasher.hex(family));
  }

  private static List<Integer> boxed(int[] tokens) {
    List<Integer> out = new ArrayList<>(tokens.length);
    for (int t : tokens) out.add(t);
    return out;
  }

  @FunctionalInterface
  private interface Reject {
    Admission with(String code, String message);
  }
}
