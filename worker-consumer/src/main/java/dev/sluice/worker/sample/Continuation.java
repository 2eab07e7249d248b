package dev.sluice.worker.sample;

import dev.sluice.schemas.FinishReason;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.Timings;
import dev.sluice.schemas.Usage;
import dev.sluice.schemas.WorkKind;
import dev.sluice.model.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the last stage does with a sampled token: the TOKEN result with its text delta, the stop
 * checks (EOS, stop sequences, maxTokens, context length), and either the DECODE record that loops
 * back to stage 0 or the DONE result.
 *
 * <p>Stateless: the text emitted so far travels in {@code StageWork.textSoFar}, so any last-stage
 * worker (e.g. after a rebalance) continues a request exactly. Text that might still turn into a
 * stop sequence, or an incomplete UTF-8 character, is held back from deltas until it is settled.
 */
public final class Continuation {
  /** Prompt tokens decoded in front of the completion so the first token keeps its leading space. */
  private static final int CONTEXT_TOKENS = 4;

  /**
   * @param results TOKEN (when the token is not EOS) and DONE (when finished), in index order
   * @param next the DECODE record for stage 0, or null when finished
   */
  public record Outcome(List<ResultEvent> results, StageWork next) {
    public boolean finished() {
      return next == null;
    }
  }

  private final TextTokenizer detokenizer;
  private final int contextLength;

  public Continuation(TextTokenizer detokenizer, int contextLength) {
    this.detokenizer = detokenizer;
    this.contextLength = contextLength;
  }

  /**
   * @param in the step that produced the logits of position {@code in.endPos - 1}
   * @param token the token sampled for position {@code in.endPos}
   * @param cachedTokens prompt tokens served from cache (minimum over stages)
   * @param stageMillis accumulated compute time per stage, this stage included
   */
  public Outcome next(StageWork in, int token, int cachedTokens, Map<String, Long> stageMillis, long nowMs) {
    int promptLength = in.getPromptLength();
    int position = in.getEndPos();
    int index = position - promptLength; // 0-based index of this completion token
    List<Integer> ids = in.getTokenIds();
    List<Integer> generated = new ArrayList<>(ids.subList(promptLength, position));
    String before = in.getTextSoFar().toString();
    long firstTokenAt = in.getFirstTokenAtMs() > 0 ? in.getFirstTokenAtMs() : nowMs;
    List<ResultEvent> results = new ArrayList<>();

    if (detokenizer.isEos(token)) {
      String text = cutAtStop(decode(ids, promptLength, generated), in).text;
      // EOS counts as a completion token (as in the in-process Generator) but has no TOKEN event.
      results.add(done(in, index, text, FinishReason.STOP, index + 1, cachedTokens, firstTokenAt, stageMillis, nowMs));
      return new Outcome(results, null);
    }
    generated.add(token);
    String full = decode(ids, promptLength, generated);
    Cut cut = cutAtStop(full, in);
    boolean lengthReached = index + 1 >= in.getSampling().getMaxTokens() || position + 1 >= contextLength;
    String emitted = cut.stopped || lengthReached ? cut.text : settled(cut.text, in);
    String delta = emitted.startsWith(before) ? emitted.substring(before.length())
        : emitted.substring(Math.min(before.length(), emitted.length()));
    results.add(ResultEvent.newBuilder()
        .setRequestId(in.getRequestId())
        .setIndex(index)
        .setKind(ResultKind.TOKEN)
        .setTokenIds(List.of(token))
        .setText(delta)
        .setModel(in.getModel())
        .setAtMs(nowMs)
        .build());
    if (cut.stopped || lengthReached) {
      FinishReason reason = cut.stopped ? FinishReason.STOP : FinishReason.LENGTH;
      results.add(done(in, index + 1, cut.text, reason, index + 1, cachedTokens, firstTokenAt, stageMillis, nowMs));
      return new Outcome(results, null);
    }
    List<Integer> nextIds = new ArrayList<>(ids.subList(0, position));
    nextIds.add(token);
    StageWork next = StageWork.newBuilder(in)
        .setKind(WorkKind.DECODE)
        .setStartPos(position)
        .setEndPos(position + 1)
        .setTokenIds(nextIds)
        .setHidden(null)
        .setLastPromptChunk(true)
        .setCachedTokens(cachedTokens)
        .setStamps(new ArrayList<>())
        .setFirstTokenAtMs(firstTokenAt)
        .setStageMillis(new HashMap<>(stageMillis))
        .setTextSoFar(emitted)
        .build();
    return new Outcome(results, next);
  }

  /** The ERROR result of a request, with index = completion tokens already emitted. */
  public static ResultEvent error(StageWork in, String code, String message, long nowMs) {
    int index = Math.max(0, Math.min(in.getTokenIds().size(), in.getEndPos()) - in.getPromptLength());
    return ResultEvent.newBuilder()
        .setRequestId(in.getRequestId())
        .setIndex(index)
        .setKind(ResultKind.ERROR)
        .setFinishReason(FinishReason.ERROR)
        .setErrorCode(code)
        .setErrorMessage(message)
        .setModel(in.getModel())
        .setAtMs(nowMs)
        .build();
  }

  /**
   * The terminal DONE of a cancelled request: finishReason CANCELLED, the text the client was sent,
   * index and completion tokens = the TOKEN results emitted before this record.
   */
  public static ResultEvent cancelled(StageWork in, long nowMs) {
    int index = Math.max(0, Math.min(in.getTokenIds().size(), in.getEndPos()) - in.getPromptLength());
    return ResultEvent.newBuilder()
        .setRequestId(in.getRequestId())
        .setIndex(index)
        .setKind(ResultKind.DONE)
        .setText(in.getTextSoFar())
        .setFinishReason(FinishReason.CANCELLED)
        .setUsage(new Usage(in.getPromptLength(), in.getCachedTokens(), index))
        .setTimings(new Timings(in.getCreatedAtMs(), in.getRoutedAtMs(), in.getFirstTokenAtMs(), nowMs,
            new HashMap<>(in.getStageMillis())))
        .setModel(in.getModel())
        .setAtMs(nowMs)
        .build();
  }

  private static ResultEvent done(StageWork in, int index, String text, FinishReason reason, int completionTokens,
      int cachedTokens, long firstTokenAt, Map<String, Long> stageMillis, long nowMs) {
    Map<String, Long> millis = new HashMap<>(stageMillis);
    return ResultEvent.newBuilder()
        .setRequestId(in.getRequestId())
        .setIndex(index)
        .setKind(ResultKind.DONE)
        .setText(text)
        .setFinishReason(reason)
        .setUsage(new Usage(in.getPromptLength(), cachedTokens, completionTokens))
        .setTimings(new Timings(in.getCreatedAtMs(), in.getRoutedAtMs(), firstTokenAt, nowMs, millis))
        .setModel(in.getModel())
        .setAtMs(nowMs)
        .build();
  }

  private String decode(List<Integer> ids, int promptLength, List<Integer> generated) {
    // Decode a little prompt context in front, then drop its text: tokenizers strip the leading
    // space of the first token decoded, which would glue the completion to the prompt.
    int from = Math.max(1, promptLength - CONTEXT_TOKENS); // skip BOS
    int[] context = ids.subList(Math.min(from, promptLength), promptLength).stream().mapToInt(Integer::intValue).toArray();
    int[] all = new int[context.length + generated.size()];
    System.arraycopy(context, 0, all, 0, context.length);
    for (int i = 0; i < generated.size(); i++) {
      all[context.length + i] = generated.get(i);
    }
    String prefix = context.length == 0 ? "" : detokenizer.decode(context);
    String text = detokenizer.decode(all);
    if (text.startsWith(prefix)) {
      return text.substring(prefix.length());
    }
    return detokenizer.decode(generated.stream().mapToInt(Integer::intValue).toArray());
  }

  private record Cut(String text, boolean stopped) {}

  private static Cut cutAtStop(String text, StageWork in) {
    int at = -1;
    for (CharSequence stop : in.getSampling().getStop()) {
      String s = stop.toString();
      if (s.isEmpty()) {
        continue;
      }
      int i = text.indexOf(s);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
      }
    }
    return at < 0 ? new Cut(text, false) : new Cut(text.substring(0, at), true);
  }

  /** The text minus a tail that could still become a stop sequence or is an incomplete character. */
  private static String settled(String text, StageWork in) {
    int hold = 0;
    while (hold < text.length() && text.charAt(text.length() - 1 - hold) == '\uFFFD') {
      hold++;
    }
    for (CharSequence stop : in.getSampling().getStop()) {
      String s = stop.toString();
      for (int k = Math.min(s.length() - 1, text.length()); k > hold; k--) {
        if (text.endsWith(s.substring(0, k))) {
          hold = k;
          break;
        }
      }
    }
    return text.substring(0, text.length() - hold);
  }
}
