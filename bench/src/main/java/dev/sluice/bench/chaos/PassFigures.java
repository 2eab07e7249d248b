package dev.sluice.bench.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The figures of one pass, computed from what its clients received and what the results topic holds.
 *
 * <p>Longest stall: the longest time any request waited for its next event as its client received it
 * (from the send to the first event, between consecutive events, to {@code [DONE]}), over the completed
 * requests of the pass. After a router kill it is also counted from the replacement's start (a wait that
 * began earlier counts from there), which is what the 10 s target is about.
 *
 * @param completedAtS completion times, seconds after the pass started, in order (the report's timeline)
 * @param errorSamples the first few different errors the clients met (HTTP status and body, or the broken connection)
 */
record PassFigures(String name, Fault fault, FaultMarks marks, int sent, int completed, int differing,
    int duplicateTerminals, int duplicatePairs, int httpErrors, int resumed, int resubmitted, long unknownGenerations,
    long longestStallMs, long stallAfterReplacementMs, long faultToNextCompletionMs, long startedAtMs, double durationS,
    List<Double> completedAtS, List<String> errorSamples) {
  private static final int ERROR_SAMPLES = 5;

  static PassFigures of(LoadPass.Result pass, Fault fault, Map<Integer, String> reference, ResultsLedger ledger,
      Set<String> knownIds) {
    List<StreamingClient.Outcome> os = pass.outcomes();
    int completed = 0, differing = 0, dupTerminals = 0, dupPairs = 0, errors = 0, resumed = 0, resubmitted = 0;
    long longest = 0, afterReplacement = -1, nextCompletion = -1;
    long replacementAt = pass.marks().replacementAtMs();
    long faultAt = pass.marks().faultAtMs();
    for (StreamingClient.Outcome o : os) {
      errors += o.httpErrors;
      resumed += o.resumed;
      resubmitted += o.resubmitted;
      if (o.requestId != null) {
        ResultsLedger.Counts c = ledger.counts(o.requestId);
        dupTerminals += Math.max(0, c.terminalEvents() - 1);
        dupPairs += c.duplicatePairs();
      }
      if (!o.completed) continue;
      completed++;
      String expected = reference.get(o.promptIndex);
      if (expected != null && !expected.equals(o.text.toString())) differing++;
      long previous = o.sentAtMs;
      for (long at : o.eventAtMs) {
        longest = Math.max(longest, at - previous);
        if (replacementAt > 0 && at > replacementAt) {
          afterReplacement = Math.max(afterReplacement, at - Math.max(previous, replacementAt));
        }
        previous = at;
      }
      if (faultAt > 0 && o.endedAtMs > faultAt && (nextCompletion < 0 || o.endedAtMs - faultAt < nextCompletion)) {
        nextCompletion = o.endedAtMs - faultAt;
      }
    }
    List<Double> times = new ArrayList<>(os.stream().filter(o -> o.completed)
        .map(o -> (o.endedAtMs - pass.startedAtMs()) / 1000.0).sorted().toList());
    long unknown = ledger.unknownIdsBetween(pass.startedAtMs(), pass.endedAtMs(), knownIds);
    return new PassFigures(pass.name(), fault, pass.marks(), os.size(), completed, differing, dupTerminals, dupPairs,
        errors, resumed, resubmitted, unknown, longest, afterReplacement, nextCompletion, pass.startedAtMs(),
        (pass.endedAtMs() - pass.startedAtMs()) / 1000.0, times, os.stream().flatMap(o -> o.errors.stream())
            .map(e -> e.length() > 200 ? e.substring(0, 200) + "..." : e).distinct().limit(ERROR_SAMPLES).toList());
  }

  /** Ids of the pass's requests, as their clients learnt them. */
  static Set<String> ids(LoadPass.Result pass) {
    return pass.outcomes().stream().map(o -> o.requestId).filter(id -> id != null).collect(Collectors.toSet());
  }
}
