package dev.sluice.cli;

import dev.sluice.cli.config.ConfigKey;
import dev.sluice.cli.config.ConfigResolver;
import dev.sluice.cli.config.KeyFlags;
import dev.sluice.embedded.LocalPipeline;
import dev.sluice.embedded.PipelineSpec;
import java.io.PrintWriter;
import dev.sluice.router.policy.RoutingPolicies;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Starts every role on this machine and serves until Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true, defaultValueProvider = KeyDefaults.class, modelTransformer = KeyOptions.class,
    description = "Start the embedded broker, topics, router, workers and ingress on this machine; serve until Ctrl-C.")
public final class UpCommand implements Callable<Integer>, KeyDefaults.Keyed {
  @Spec CommandSpec spec;

  static final ConfigKey<Integer> PORT = ConfigKey.intKey("port", dev.sluice.ingress.IngressSettings.DEFAULT_PORT, 0, 65535, "HTTP port of the ingress");
  static final ConfigKey<Integer> STAGES = ConfigKey.intKey("stages", dev.sluice.topics.TopicLayout.DEFAULT_STAGES, 1, 256, "pipeline stages");
  static final ConfigKey<Integer> WORKERS_PER_STAGE = ConfigKey.intKey("workers_per_stage", 1, 1, 256, "workers in each stage's group");
  static final ConfigKey<Integer> LANES = ConfigKey.intKey("lanes", dev.sluice.topics.TopicLayout.DEFAULT_LANES, 1, 4096, "partitions of each stage topic");
  static final ConfigKey<String> MODEL = new ConfigKey<>("model", "", s -> s, s -> s.isEmpty() || ModelReferences.isReference(s),
      ModelReferences.DESCRIPTION, "model directory or hub id ORG/NAME[@REV] (default: the embedded models/stories260K)");
  static final ConfigKey<String> POLICY = ConfigKey.choiceKey("policy", RoutingPolicies.DEFAULT, RoutingPolicies.NAMES, "routing policy");
  static final ConfigKey<String> BOOTSTRAP = new ConfigKey<>("bootstrap_servers", "", s -> s, s -> true, "HOST:PORT[,HOST:PORT]",
      "an existing Kafka cluster (default: start the embedded broker)");
  static final ConfigKey<Integer> KAFKA_PORT = ConfigKey.intKey("kafka_port", 0, 0, 65535, "port of the embedded broker (0 = a free one)");
  static final ConfigKey<String> DATA_DIR = ConfigKey.stringKey("data_dir", ".sluice/up", "broker data, block caches, router state");
  static final ConfigKey<String> PREFIX = KafkaOptions.PREFIX;
  static final List<ConfigKey<?>> KEYS = List.of(PORT, STAGES, WORKERS_PER_STAGE, LANES, MODEL, POLICY, BOOTSTRAP, KAFKA_PORT,
      DATA_DIR, PREFIX);

  @Option(names = "--config", description = "YAML file with any of these keys (snake_case); flags > SLUICE_* env > file > defaults.") Path config;

  @Override
  public List<ConfigKey<?>> keys() {
    return KEYS;
  }

  /** Resolves every key (flag > SLUICE_* environment > YAML > default) and validates it, naming a bad key. */
  PipelineSpec spec() {
    ConfigResolver r = ConfigResolver.of(KeyFlags.given(spec, KEYS), config);
    r.rejectUnknownFileKeys(KEYS.stream().map(ConfigKey::name).collect(Collectors.toSet()));
    KEYS.forEach(r::get);
    String m = r.get(MODEL);
    String b = r.get(BOOTSTRAP);
    return new PipelineSpec(r.get(PORT), r.get(STAGES), r.get(WORKERS_PER_STAGE), r.get(LANES),
        m.isEmpty() ? null : ModelReferences.resolve(m, spec.commandLine().getOut()), r.get(POLICY), b.isEmpty() ? null : b, r.get(KAFKA_PORT),
        Path.of(r.get(DATA_DIR)), r.get(PREFIX));
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PipelineSpec ps = spec();
    LocalPipeline pipeline = LocalPipeline.start(ps, LinePrinter.to(out), Duration.ofMinutes(3));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      out.println("Stopping Sluice...");
      out.flush();
      pipeline.close();
      stopped.countDown();
    }, "sluice-up-shutdown"));
    String url = "http://127.0.0.1:" + pipeline.port();
    out.println();
    out.println("Sluice is up: " + url + "   (model " + pipeline.modelName() + ", Kafka " + pipeline.bootstrapServers() + ")");
    out.println("Try:");
    out.println("  curl -s " + url + "/v1/completions -H 'Content-Type: application/json' -d '{\"model\":\""
        + pipeline.modelName() + "\",\"prompt\":\"Once upon a time\",\"max_tokens\":40}'");
    out.println("  curl -s " + url + "/workers     curl -s " + url + "/metrics");
    out.println("  ./sluice results tail --bootstrap-servers " + pipeline.bootstrapServers() + (ps.namespace().equals("sluice") ? "" : " --prefix " + ps.namespace()));
    out.println("Press Ctrl-C to stop.");
    out.flush();
    stopped.await();
    return 0;
  }
}
