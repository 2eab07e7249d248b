package dev.sluice.cli;

import dev.sluice.cli.config.ConfigException;
import dev.sluice.cli.config.ConfigKey;
import dev.sluice.cli.config.ConfigResolver;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import dev.sluice.topics.TopicLayoutException;
import dev.sluice.topics.TopicReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Create, describe or verify Sluice's topics on any Kafka cluster. */
@Command(name = "topics", mixinStandardHelpOptions = true,
    description = "Create, describe or verify Sluice's topics.",
    subcommands = {TopicsCommand.Create.class, TopicsCommand.Describe.class, TopicsCommand.Verify.class})
public final class TopicsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code sluice topics create}: creates the missing topics; existing ones must match. */
  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create the layout's topics (existing ones are kept when they match).")
  static final class Create implements Callable<Integer> {
    @Mixin LayoutOptions options;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      TopicLayout layout = options.layout();
      var out = spec.commandLine().getOut();
      try (TopicAdmin admin = TopicAdmin.connect(options.clientProperties())) {
        TopicAdmin.CreateResult result = admin.create(layout);
        result.created().forEach(name -> out.println("created  " + name));
        result.existing().forEach(name -> out.println("exists   " + name));
        out.println("topics ready: prefix " + layout.prefix() + ", " + layout.stages() + " stages, "
            + layout.lanes() + " lanes");
        return 0;
      } catch (TopicLayoutException e) {
        return printProblems(spec, e.problems());
      }
    }
  }

  /** {@code sluice topics describe}: one line per topic of the layout. */
  @Command(name = "describe", mixinStandardHelpOptions = true,
      description = "Show each topic of the layout: partitions, replicas, max.message.bytes, cleanup and retention.")
  static final class Describe implements Callable<Integer> {
    @Mixin LayoutOptions options;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      var out = spec.commandLine().getOut();
      try (TopicAdmin admin = TopicAdmin.connect(options.clientProperties())) {
        for (TopicReport report : admin.describe(options.layout())) {
          out.println(report.describeLine());
        }
      }
      return 0;
    }
  }

  /** {@code sluice topics verify}: exits non-zero and prints every problem when the topics do not fit. */
  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Check that every topic exists and the stage topics share the layout's lane count; "
          + "exits 1 and prints the problems otherwise.")
  static final class Verify implements Callable<Integer> {
    @Mixin LayoutOptions options;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      TopicLayout layout = options.layout();
      try (TopicAdmin admin = TopicAdmin.connect(options.clientProperties())) {
        List<String> problems = admin.verify(layout);
        if (!problems.isEmpty()) return printProblems(spec, problems);
      }
      spec.commandLine().getOut().println("OK: " + layout.allTopics().size() + " topics match the layout (prefix "
          + layout.prefix() + ", " + layout.stages() + " stages, " + layout.lanes() + " lanes)");
      return 0;
    }
  }

  private static int printProblems(CommandSpec spec, List<String> problems) {
    var err = spec.commandLine().getErr();
    err.println("sluice: the topics do not match the layout (" + problems.size() + " problem"
        + (problems.size() == 1 ? "" : "s") + "):");
    problems.forEach(problem -> err.println("  - " + problem));
    err.flush();
    return ErrorHandler.EXIT_FAILED;
  }

  /** Where Kafka is and which layout to expect; each value also comes from SLUICE_* or the YAML file. */
  static final class LayoutOptions {
    static final ConfigKey<String> BOOTSTRAP_SERVERS =
        ConfigKey.stringKey("bootstrap_servers", "127.0.0.1:9092", "Kafka bootstrap servers, HOST:PORT[,HOST:PORT]");
    static final ConfigKey<String> PREFIX =
        ConfigKey.stringKey("prefix", TopicLayout.DEFAULT_PREFIX, "first part of every topic name");
    static final ConfigKey<Integer> STAGES =
        ConfigKey.intKey("stages", TopicLayout.DEFAULT_STAGES, 1, 64, "number of pipeline stages");
    static final ConfigKey<Integer> LANES =
        ConfigKey.intKey("lanes", TopicLayout.DEFAULT_LANES, 1, 4096, "lanes = partitions of every stage topic");

    @Option(names = "--bootstrap-servers", paramLabel = "H:P",
        description = "Kafka to talk to (default: 127.0.0.1:9092, or bootstrap.servers of --command-config).")
    String bootstrapServers;

    @Option(names = "--prefix", description = "Topic name prefix (default: " + TopicLayout.DEFAULT_PREFIX + ").")
    String prefix;

    @Option(names = "--stages", description = "Number of stages (default: " + TopicLayout.DEFAULT_STAGES + ").")
    Integer stages;

    @Option(names = "--lanes", description = "Lanes: partitions of every stage topic (default: " + TopicLayout.DEFAULT_LANES + ").")
    Integer lanes;

    @Option(names = "--command-config", paramLabel = "FILE",
        description = "Kafka client properties (SASL, TLS, timeouts…) passed to the admin client as they are.")
    Path commandConfig;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file with bootstrap_servers, prefix, stages, lanes.")
    Path config;

    private ConfigResolver resolver() {
      Map<String, String> flags = new HashMap<>();
      flags.put(BOOTSTRAP_SERVERS.name(), bootstrapServers);
      flags.put(PREFIX.name(), prefix);
      flags.put(STAGES.name(), stages == null ? null : stages.toString());
      flags.put(LANES.name(), lanes == null ? null : lanes.toString());
      return ConfigResolver.of(flags, config);
    }

    TopicLayout layout() {
      ConfigResolver resolver = resolver();
      try {
        return TopicLayout.defaults()
            .withPrefix(resolver.get(PREFIX))
            .withStages(resolver.get(STAGES))
            .withLanes(resolver.get(LANES));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage());
      }
    }

    /** The --command-config properties, with bootstrap servers and shorter timeouts for a CLI. */
    Properties clientProperties() {
      Properties props = new Properties();
      if (commandConfig != null) {
        try (InputStream in = Files.newInputStream(commandConfig)) {
          props.load(in);
        } catch (IOException e) {
          throw new ConfigException("cannot read --command-config " + commandConfig + ": " + e.getMessage());
        }
      }
      // The client file may name the cluster; a flag, SLUICE_BOOTSTRAP_SERVERS or the YAML key wins over it.
      boolean explicit = bootstrapServers != null || System.getenv(BOOTSTRAP_SERVERS.envName()) != null
          || !props.containsKey("bootstrap.servers");
      if (explicit) props.put("bootstrap.servers", resolver().get(BOOTSTRAP_SERVERS));
      props.putIfAbsent("default.api.timeout.ms", "15000");
      props.putIfAbsent("request.timeout.ms", "10000");
      return props;
    }
  }
}
