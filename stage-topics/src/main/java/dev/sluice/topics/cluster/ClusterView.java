package dev.sluice.topics.cluster;

import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.topic.SluiceTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster's workers as their heartbeats on {@code <prefix>.workers} describe them: the one view
 * the router, the ingress ({@code /workers}, {@code /health}, its gauges), the dashboard and
 * {@code sluice workers} all read.
 *
 * <p>Liveness is judged by this process's clock: a worker is stale when this process has not heard
 * from it for longer than {@code staleAfter}, whatever time the worker's own clock wrote in its
 * heartbeat (hosts' clocks differ). A heartbeat read while catching up on the topic's history was
 * heard when it was written (its record timestamp, never later than now). A tombstone (clean
 * shutdown) removes a worker at once; one silent for longer than {@code forgetAfter} is forgotten
 * (its lanes have long moved to others).
 *
 * <p>{@link #changes} counts the heartbeats and tombstones heard, {@link #changesSince} names the workers
 * they came from, and {@link #unchangedUntilMs} says when the passing of time alone would change a
 * snapshot (a worker turning stale or forgotten), so a reader that derives something from a snapshot (the
 * router's lane view) can keep it, and follow the workers that changed, instead of starting again.
 *
 * <p>Thread-safe. {@link #read} keeps it up to date from Kafka; a view made with the constructor is fed
 * by {@link #heard} and {@link #gone} (tests, simulations).
 */
public final class ClusterView implements AutoCloseable {
  /** A worker silent for this long is stale unless configured otherwise (workers beat every second). */
  public static final Duration DEFAULT_STALE_AFTER = Duration.ofSeconds(5);
  /** How long a silent worker stays listed (as stale) unless configured otherwise. */
  public static final Duration DEFAULT_FORGET_AFTER = Duration.ofMinutes(5);

  private record Heard(WorkerStatus status, long atMs) {}

  /** How many of the latest changes {@link #changesSince} can name. */
  static final int CHANGES_KEPT = 4096;

  /**
   * The workers heard from (or gone) after change number {@code since}, and the current change number.
   *
   * @param upTo the change number now (pass it as {@code since} next time)
   * @param workerIds the workers, in the order heard (repeats possible), or null when more changes happened
   *     than this view remembers
   */
  public record Changes(long upTo, List<String> workerIds) {}

  private final long staleAfterMs;
  private final long forgetAfterMs;
  private final Map<String, Heard> workers = new ConcurrentHashMap<>();
  /** changedIds[n % CHANGES_KEPT] = the worker of change number n + 1; guarded by this. */
  private final String[] changedIds = new String[CHANGES_KEPT];
  private long changes;
  private TopicReader<WorkerStatus> reader;

  /** A view fed by {@link #heard} and {@link #gone}; always ready. */
  public ClusterView(Duration staleAfter, Duration forgetAfter) {
    if (staleAfter.isNegative() || staleAfter.isZero() || forgetAfter.compareTo(staleAfter) < 0) {
      throw new IllegalArgumentException("stale after must be positive and forget after at least as long: "
          + staleAfter + ", " + forgetAfter);
    }
    this.staleAfterMs = staleAfter.toMillis();
    this.forgetAfterMs = forgetAfter.toMillis();
  }

  /**
   * A view that reads the workers topic from its beginning, on its own thread, until closed.
   *
   * @param clientProps bootstrap servers and pass-through client settings
   * @param clientId the reader's Kafka client id
   */
  public static ClusterView read(Map<String, Object> clientProps, String clientId, SluiceTopics topics, Duration staleAfter,
      Duration forgetAfter) {
    ClusterView view = new ClusterView(staleAfter, forgetAfter);
    view.reader = new TopicReader<>(clientProps, clientId, topics.workers().name(),
        topics.workers().valueSerde().deserializer(), "no worker has started", (id, status, timestampMs, live) -> {
          long now = System.currentTimeMillis();
          if (status == null) view.gone(id);
          else view.heard(id, status, live ? now : Math.min(timestampMs, now));
        }).start();
    return view;
  }

  /** This process heard {@code status} from worker {@code workerId} at {@code heardAtMs} (its own clock). */
  public void heard(String workerId, WorkerStatus status, long heardAtMs) {
    workers.put(workerId, new Heard(status, heardAtMs));
    changed(workerId);
  }

  /** Worker {@code workerId} left (its tombstone). */
  public void gone(String workerId) {
    workers.remove(workerId);
    changed(workerId);
  }

  private synchronized void changed(String workerId) {
    changedIds[(int) (changes++ % CHANGES_KEPT)] = workerId;
  }

  /**
   * How many heartbeats and tombstones this view has heard. Read it before a snapshot: while it stays the
   * same and the clock is before {@link #unchangedUntilMs}, a new snapshot would hold the same workers in
   * the same states.
   */
  public synchronized long changes() {
    return changes;
  }

  /** See {@link Changes}. */
  public synchronized Changes changesSince(long since) {
    if (changes - since > CHANGES_KEPT) return new Changes(changes, null);
    List<String> ids = new ArrayList<>((int) (changes - since));
    for (long n = since; n < changes; n++) ids.add(changedIds[(int) (n % CHANGES_KEPT)]);
    return new Changes(changes, ids);
  }

  /** Worker {@code workerId} at {@code nowMs} as a snapshot would list it; empty when gone or forgotten. */
  public Optional<KnownWorker> worker(String workerId, long nowMs) {
    Heard h = workers.get(workerId);
    if (h == null || nowMs - h.atMs() > forgetAfterMs) return Optional.empty();
    return Optional.of(known(h, nowMs));
  }

  /**
   * The first moment after {@code nowMs} at which a snapshot would differ from one at {@code nowMs} with
   * no heartbeat or tombstone heard in between: a worker turning stale or being forgotten
   * ({@code Long.MAX_VALUE} when no worker is known).
   */
  public long unchangedUntilMs(long nowMs) {
    long until = Long.MAX_VALUE;
    for (Heard h : workers.values()) {
      if (nowMs - h.atMs() <= staleAfterMs) until = Math.min(until, h.atMs() + staleAfterMs + 1);
      if (nowMs - h.atMs() <= forgetAfterMs) until = Math.min(until, h.atMs() + forgetAfterMs + 1);
    }
    return until;
  }

  /** The workers now, by this process's clock. */
  public WorkersSnapshot snapshot() {
    return snapshot(System.currentTimeMillis());
  }

  /** The workers at {@code nowMs}; workers silent for longer than the forget time are dropped for good. */
  public WorkersSnapshot snapshot(long nowMs) {
    workers.values().removeIf(h -> nowMs - h.atMs() > forgetAfterMs);
    List<KnownWorker> out = new ArrayList<>(workers.size());
    for (Heard h : workers.values()) out.add(known(h, nowMs));
    return new WorkersSnapshot(nowMs, out);
  }

  private KnownWorker known(Heard h, long nowMs) {
    return new KnownWorker(h.status(), h.atMs(), nowMs - h.atMs() > staleAfterMs);
  }

  /** True once the workers topic was read up to its end as of the start (always, for a view fed by hand). */
  public boolean isReady() {
    return reader == null || reader.isCaughtUp();
  }

  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return reader == null || reader.awaitCaughtUp(timeout);
  }

  @Override
  public void close() {
    if (reader != null) reader.close();
  }
}
