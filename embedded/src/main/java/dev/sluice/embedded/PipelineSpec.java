package dev.sluice.embedded;

import java.nio.file.Path;

/**
 * What {@code sluice up} (and {@code demo}) starts on one machine.
 *
 * @param port HTTP port of the ingress (0 = a free one)
 * @param stages pipeline stages; the model's layers are split evenly over them
 * @param workersPerStage consumers in each stage's group
 * @param lanes partitions of every stage topic
 * @param modelDir model directory; null = the embedded models/stories260K
 * @param policy routing policy name
 * @param bootstrapServers an existing cluster; null = start the embedded broker
 * @param kafkaPort port of the embedded broker (0 = a free one)
 * @param dataDir broker data, worker block caches, router state
 * @param namespace topic prefix
 * @param routers router instances (one Kafka Streams application: they share the tasks, and with
 *     two or more each keeps a standby copy of another's stores)
 */
public record PipelineSpec(
    int port,
    int stages,
    int workersPerStage,
    int lanes,
    Path modelDir,
    String policy,
    String bootstrapServers,
    int kafkaPort,
    Path dataDir,
    String namespace,
    int routers) {

  /** One router. */
  public PipelineSpec(int port, int stages, int workersPerStage, int lanes, Path modelDir, String policy,
      String bootstrapServers, int kafkaPort, Path dataDir, String namespace) {
    this(port, stages, workersPerStage, lanes, modelDir, policy, bootstrapServers, kafkaPort, dataDir, namespace, 1);
  }

  public PipelineSpec withRouters(int n) {
    return new PipelineSpec(port, stages, workersPerStage, lanes, modelDir, policy, bootstrapServers, kafkaPort, dataDir,
        namespace, n);
  }

  public PipelineSpec {
    if (stages < 1) throw new IllegalArgumentException("--stages must be >= 1: " + stages);
    if (workersPerStage < 1) throw new IllegalArgumentException("--workers-per-stage must be >= 1: " + workersPerStage);
    if (lanes < 1) throw new IllegalArgumentException("--lanes must be >= 1: " + lanes);
    if (routers < 1) throw new IllegalArgumentException("--routers must be >= 1: " + routers);
  }
}
