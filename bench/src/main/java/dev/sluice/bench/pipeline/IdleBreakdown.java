package dev.sluice.bench.pipeline;

import dev.sluice.schemas.StageStamp;
import dev.sluice.schemas.StageWork;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each stage's idle time went in the measured rounds, read off the stamps. A gap between two
 * steps of a stage is cut in three, in the order they happen after the earlier step ended:
 * <ul>
 *   <li><b>upstream</b>: the records of the next step were still being computed by the stage before
 *       (for stage 0 the last stage, whose loop-back starts the next token) — the pipeline's balance
 *       and its step-time jitter;</li>
 *   <li><b>in Kafka</b>: they were sent but not yet read by this stage — the hop;</li>
 *   <li><b>after arrival</b>: every record was read, the step had not started — the worker's own
 *       scheduling.</li>
 * </ul>
 */
final class IdleBreakdown {
  /** Stage k's idle in the measured rounds, in milliseconds, and the rounds' length. */
  record Idle(long upstreamMs, long inKafkaMs, long afterArrivalMs, long roundsMs) {
    double share(long ms) {
      return ms / (double) Math.max(1, roundsMs);
    }

    long totalMs() {
      return upstreamMs + inKafkaMs + afterArrivalMs;
    }
  }

  /** One step of a stage: when it ran, when its last record was read, when the last upstream send was. */
  private record Step(long startMs, long endMs, long lastReadMs, long upstreamSentMs) {}

  private IdleBreakdown() {}

  /** From the loop-back records by request ({@link LoopBacks#byRequest}; each holds one stamp per stage of its step). */
  static Idle[] of(Map<String, List<StageWork>> byRequest, int stages, List<long[]> windows) {
    List<Map<String, Step>> steps = new ArrayList<>();
    for (int k = 0; k < stages; k++) {
      steps.add(new HashMap<>());
    }
    for (List<StageWork> records : byRequest.values()) {
      for (int j = 0; j < records.size(); j++) {
        List<StageStamp> s = records.get(j).getStamps();
        for (int k = 0; k < stages; k++) {
          // stage 0's input is the previous loop-back (unknown for the prompt's first step)
          long upstream = k > 0 ? s.get(k - 1).getSentAtMs()
              : j > 0 ? records.get(j - 1).getStamps().get(stages - 1).getSentAtMs() : -1;
          StageStamp st = s.get(k);
          steps.get(k).merge(st.getWorkerId() + "/" + st.getStartedAtMs() + "/" + st.getSentAtMs(),
              new Step(st.getStartedAtMs(), st.getSentAtMs(), st.getReceivedAtMs(), upstream),
              (a, b) -> new Step(a.startMs, a.endMs, Math.max(a.lastReadMs, b.lastReadMs),
                  Math.max(a.upstreamSentMs, b.upstreamSentMs)));
        }
      }
    }
    long roundsMs = windows.stream().mapToLong(w -> w[1] - w[0]).sum();
    Idle[] idle = new Idle[stages];
    for (int k = 0; k < stages; k++) {
      List<Step> ordered = new ArrayList<>(steps.get(k).values());
      ordered.sort(Comparator.comparingLong(Step::startMs));
      long upstream = 0;
      long inKafka = 0;
      long after = 0;
      for (int i = 1; i < ordered.size(); i++) {
        Step prev = ordered.get(i - 1);
        Step cur = ordered.get(i);
        long gap = cur.startMs - prev.endMs;
        if (gap <= 0 || !inOneWindow(prev.endMs, cur.startMs, windows)) {
          continue;
        }
        long up = clamp(cur.upstreamSentMs - prev.endMs, gap);
        long transit = clamp(cur.lastReadMs - Math.max(prev.endMs, cur.upstreamSentMs), gap - up);
        upstream += up;
        inKafka += transit;
        after += gap - up - transit;
      }
      idle[k] = new Idle(upstream, inKafka, after, roundsMs);
    }
    return idle;
  }

  private static boolean inOneWindow(long from, long to, List<long[]> windows) {
    return windows.stream().anyMatch(w -> w[0] <= from && to <= w[1]);
  }

  private static long clamp(long v, long max) {
    return Math.max(0, Math.min(v, max));
  }
}
