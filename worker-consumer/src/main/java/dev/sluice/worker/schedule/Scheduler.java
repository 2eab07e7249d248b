package dev.sluice.worker.schedule;

import dev.sluice.model.ComputeThreads;
import dev.sluice.schemas.StageWork;
import dev.sluice.worker.FaultInjection;
import dev.sluice.worker.fetch.PolledRecord;
import dev.sluice.worker.outbox.Outbox;
import dev.sluice.worker.outbox.OutboxBatch;
import dev.sluice.worker.recovery.LaneTakeover;
import dev.sluice.worker.status.WorkerHealth;
import dev.sluice.worker.step.StepExecutor;
import dev.sluice.worker.step.StepResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The compute thread: forms the next batch from whatever is ready ({@link MicroBatcher}), runs it,
 * hands the outputs to the outbox and goes straight on — it never waits for the broker.
 *
 * <p>Why micro-batches. With S pipeline stages, a stage that runs every sequence it serves in one
 * batch leaves the other S-1 stages idle while it works (they take turns). So a batch holds at most
 * {@code ceil(expected / S)} records, {@code expected} being the sequences this stage serves now: the
 * sequences circulate as S micro-batches, one in each stage, and every stage computes while the
 * others do. Prefill chunks and decode steps of different sequences share a batch, at most one
 * record per sequence (its steps run in order). A stage never waits for another micro-batch, only
 * for the stragglers of the one in hand; a sequence decoding alone runs at once.
 *
 * <p>Threads. A worker may use T PyTorch threads ({@code threads}); while S or more sequences keep
 * every stage busy, each step uses T / S of them (the stages of one machine share its cores),
 * and when fewer sequences than stages run (the stages take turns anyway) a step uses all T.
 */
public final class Scheduler {
  private static final long ACTIVE_WINDOW_MS = 1000;

  private final ReadyQueue ready;
  private final StepExecutor executor;
  private final Outbox outbox;
  private final WorkerHealth health;
  private final AtomicLong epoch;
  private final FaultInjection faults;
  private final LaneTakeover takeover;
  private final Consumer<StepResult> afterStep;
  private final int stages;
  private final long idleTimeoutMs;
  private final int threads;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile int activeSequences;
  private long lastIdleSweep = System.currentTimeMillis();
  private final MicroBatcher batcher;
  private int threadsInUse;

  /**
   * @param stages S, the pipeline depth the micro-batches are cut for
   * @param threads PyTorch threads of the compute thread (0 = the engine's default)
   * @param takeover the last stage's read-back of results sent by a lane's previous owner, else null
   * @param afterStep told of each step's result on the compute thread (statistics, KV events)
   * @param ownLanes the lanes this worker owns now
   */
  public Scheduler(ReadyQueue ready, StepExecutor executor, Outbox outbox, WorkerHealth health, AtomicLong epoch,
      FaultInjection faults, LaneTakeover takeover, Consumer<StepResult> afterStep, Supplier<Set<Integer>> ownLanes,
      int maxBatchSize,
      int batchingWindowMs, int stages, long idleTimeoutMs, int threads, String workerId) {
    this.ready = ready;
    this.executor = executor;
    this.outbox = outbox;
    this.health = health;
    this.epoch = epoch;
    this.faults = faults;
    this.takeover = takeover;
    this.afterStep = afterStep;
    this.stages = Math.max(1, stages);
    this.idleTimeoutMs = idleTimeoutMs;
    this.threads = threads;
    this.batcher = new MicroBatcher(ready,
        () -> executor.hot().recentlyUsed(System.currentTimeMillis() - ACTIVE_WINDOW_MS), executor.hot()::holds,
        ownLanes, new BatchLimits(maxBatchSize, batchingWindowMs, stages));
    this.thread = new Thread(this::run, "sluice-" + workerId + "-compute");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** Runs {@code task} on the compute thread before its next step (hot KV belongs to that thread). */
  public void post(Runnable task) {
    tasks.add(task);
    ready.wakeUp();
  }

  /** Sequences with hot KV, as of the last step. */
  public int activeSequences() {
    return activeSequences;
  }

  /** Finishes the step in hand and stops; true when the thread ended within the timeout. */
  public boolean stop(long timeoutMs) {
    running = false;
    ready.wakeUp();
    try {
      thread.join(timeoutMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !thread.isAlive();
  }

  private void run() {
    try {
      useThreads(threads);
      while (running && !health.failed()) {
        runTasks();
        List<PolledRecord> batch = nextBatch();
        if (!batch.isEmpty() && running) {
          step(batch);
        }
        housekeeping();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      health.fail("the compute thread", e);
    }
  }

  /** The records of the next step ({@link MicroBatcher}); empty when nothing is ready. */
  List<PolledRecord> nextBatch() throws InterruptedException {
    List<PolledRecord> batch = new ArrayList<>(batcher.next());
    long current = epoch.get();
    batch.removeIf(r -> r.epoch() != current); // read before a rewind: read again since
    return batch;
  }

  private void step(List<PolledRecord> batch) {
    runTasks(); // posted before these records were read (a rewind, lanes lost): they come first
    if (takeover != null) {
      takeover.beforeStep(batch, ready.snapshot());
    }
    useThreads(batcher.expected() < stages ? threads : Math.max(1, threads / stages));
    List<StageWork> works = batch.stream().map(PolledRecord::work).toList();
    long[] receivedAt = batch.stream().mapToLong(PolledRecord::polledAtMs).toArray();
    StepResult computed = executor.run(works, receivedAt);
    outbox.submit(new OutboxBatch(batch, computed.outgoing(), batch.get(0).epoch()));
    StepResult result = computed.withKvChanges(executor.storeBlocks()); // while the outbox sends
    activeSequences = executor.hot().size();
    afterStep.accept(result);
    if (faults.killComputeThread()) {
      throw new IllegalStateException("injected compute thread failure");
    }
  }

  private void useThreads(int n) {
    if (threads > 0 && n != threadsInUse) {
      ComputeThreads.use(n);
      threadsInUse = n;
    }
  }

  private void runTasks() {
    Runnable task;
    while ((task = tasks.poll()) != null) {
      task.run();
    }
  }

  private void housekeeping() {
    long now = System.currentTimeMillis();
    if (now - lastIdleSweep > 1000) {
      executor.hot().releaseIdle(now, idleTimeoutMs);
      lastIdleSweep = now;
      activeSequences = executor.hot().size();
    }
  }
}
