package dev.sluice.cli;

import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.topics.cluster.ClusterView;
import dev.sluice.topics.cluster.KnownWorker;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** List the workers from their heartbeats. */
@Command(name = "workers", mixinStandardHelpOptions = true, defaultValueProvider = KeyDefaults.class,
    description = "List the workers from their heartbeats: stage, layers, lanes, health, load, cache, requests served.")
public final class WorkersCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, Object> client = new HashMap<>(kafka.clientOverrides());
    client.put("bootstrap.servers", kafka.bootstrapServers());
    try (ClusterView directory = ClusterView.read(client, "sluice-workers-command", new SluiceTopics(kafka.namespace()),
        ClusterView.DEFAULT_STALE_AFTER, ClusterView.DEFAULT_FORGET_AFTER)) {
      if (!directory.awaitReady(Duration.ofSeconds(30))) {
        spec.commandLine().getErr().println("sluice: could not read " + kafka.namespace() + ".workers within 30 s");
        return ErrorHandler.EXIT_UNAVAILABLE;
      }
      List<KnownWorker> workers = directory.snapshot().workers();
      if (workers.isEmpty()) {
        out.println("no workers (no heartbeats on " + kafka.namespace() + ".workers)");
        return 0;
      }
      out.printf("%-28s %5s %7s %-16s %-9s %5s %6s %13s %6s %8s%n",
          "WORKER", "STAGE", "LAYERS", "LANES", "HEALTH", "QUEUE", "ACTIVE", "KV BLOCKS", "HIT%", "SERVED");
      for (KnownWorker view : workers) {
        WorkerStatus s = view.status();
        long lookups = s.getKvHits() + s.getKvMisses();
        out.printf("%-28s %5d %7s %-16s %-9s %5d %6d %13s %6s %8d%n",
            s.getWorkerId(), s.getStage(), s.getLayerStart() + "-" + (s.getLayerEnd() - 1), lanes(s.getLanes()),
            view.health(), s.getQueueDepth(), s.getActiveSequences(),
            s.getKvBlocksUsed() + "/" + s.getKvBlocksCapacity(),
            lookups == 0 ? "-" : String.format("%.0f", 100.0 * s.getKvHits() / lookups), s.getRequestsServed());
      }
    }
    return 0;
  }

  private static String lanes(List<Integer> lanes) {
    String text = lanes.stream().map(String::valueOf).collect(Collectors.joining(","));
    return text.length() > 16 ? lanes.size() + " lanes" : text;
  }
}
