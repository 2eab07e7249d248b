package dev.sluice.bench.chaos;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One pass of greedy streaming requests in a closed loop ({@code concurrency} clients, each sending its next
 * request when the last ended). With a fault, the fault runs once {@code injectAfter} requests completed and
 * the pass keeps sending until it has sent its requests and the fault's last step is done, so every fault
 * happens under load.
 */
final class LoadPass {
  /** Everything a pass measured. */
  record Result(String name, List<StreamingClient.Outcome> outcomes, long startedAtMs, long endedAtMs, FaultMarks marks) {}

  private final StreamingClient client;
  private final List<String> prompts;
  private final int concurrency;
  private final PrintWriter progress;

  LoadPass(StreamingClient client, List<String> prompts, int concurrency, PrintWriter progress) {
    this.client = client;
    this.prompts = prompts;
    this.concurrency = concurrency;
    this.progress = progress;
  }

  Result run(String name, int requests, int injectAfter, Callable<FaultMarks> fault) throws Exception {
    List<StreamingClient.Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger next = new AtomicInteger();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger completed = new AtomicInteger();
    AtomicBoolean faultDone = new AtomicBoolean(fault == null);
    long start = System.currentTimeMillis();
    ExecutorService clients = Executors.newFixedThreadPool(concurrency);
    var ticker = Executors.newSingleThreadScheduledExecutor();
    ticker.scheduleAtFixedRate(() -> progress.printf(Locale.ROOT, "  [%s] %5.1f s: %d completed of %d sent%n", name,
        (System.currentTimeMillis() - start) / 1000.0, completed.get(), sent.get()), 5, 5, TimeUnit.SECONDS);
    List<Future<?>> loops = new ArrayList<>();
    for (int c = 0; c < concurrency; c++) {
      loops.add(clients.submit(() -> {
        for (int i; (i = next.getAndIncrement()) < requests || !faultDone.get(); ) {
          sent.incrementAndGet();
          StreamingClient.Outcome o = client.run(i % prompts.size(), prompts.get(i % prompts.size()), i);
          outcomes.add(o);
          if (o.completed) completed.incrementAndGet();
        }
      }));
    }
    FaultMarks marks = FaultMarks.NONE;
    try {
      if (fault != null) {
        while (completed.get() < injectAfter && loops.stream().anyMatch(f -> !f.isDone())) {
          Thread.sleep(20); // polling the pass's progress
        }
        try {
          marks = fault.call();
        } finally {
          faultDone.set(true);
        }
        progress.printf(Locale.ROOT, "  [%s] %s%n", name, marks.note());
      }
      for (Future<?> f : loops) f.get();
    } finally {
      ticker.shutdownNow();
      clients.shutdownNow();
    }
    return new Result(name, List.copyOf(outcomes), start, System.currentTimeMillis(), marks);
  }
}
