package dev.sluice.cli;

import dev.sluice.cli.config.ConfigException;
import dev.sluice.cli.config.ConfigKey;
import dev.sluice.cli.config.ConfigResolver;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import dev.sluice.topics.TopicLayoutException;
import dev.sluice.topics.TopicReport;
import java.io.PrintWriter;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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

  /** What every topics subcommand does: resolve the layout, connect an admin client, act, print the problems. */
  abstract static class LayoutCommand implements Callable<Integer> {
    @Mixin KafkaOptions kafka;
    @Mixin LayoutOptions options;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      TopicLayout layout = options.layout(kafka);
      try (TopicAdmin admin = TopicAdmin.connect(adminProperties(kafka))) {
        return run(admin, layout, spec.commandLine().getOut());
      } catch (TopicLayoutException e) {
        return printProblems(e.problems());
      }
    }

    abstract int run(TopicAdmin admin, TopicLayout layout, PrintWriter out);

    int printProblems(List<String> problems) {
      var err = spec.commandLine().getErr();
      err.println("sluice: the topics do not match the layout (" + problems.size() + " problem"
          + (problems.size() == 1 ? "" : "s") + "):");
      problems.forEach(problem -> err.println("  - " + problem));
      err.flush();
      return ErrorHandler.EXIT_FAILED;
    }
  }

  /** {@code sluice topics create}: creates the missing topics; existing ones must match. */
  @Command(name = "create", mixinStandardHelpOptions = true, defaultValueProvider = KeyDefaults.class,
      description = "Create the layout's topics (existing ones are kept when they match).")
  static final class Create extends LayoutCommand {
    @Override
    int run(TopicAdmin admin, TopicLayout layout, PrintWriter out) {
      TopicAdmin.CreateResult result = admin.create(layout);
      result.created().forEach(name -> out.println("created  " + name));
      result.existing().forEach(name -> out.println("exists   " + name));
      out.println("topics ready: prefix " + layout.namespace() + ", " + layout.stages() + " stages, " + layout.lanes() + " lanes");
      return 0;
    }
  }

  /** {@code sluice topics describe}: one line per topic of the layout. */
  @Command(name = "describe", mixinStandardHelpOptions = true, defaultValueProvider = KeyDefaults.class,
      description = "Show each topic of the layout: partitions, replicas, max.message.bytes, cleanup and retention.")
  static final class Describe extends LayoutCommand {
    @Override
    int run(TopicAdmin admin, TopicLayout layout, PrintWriter out) {
      for (TopicReport report : admin.describe(layout)) {
        out.println(report.describeLine());
      }
      return 0;
    }
  }

  /** {@code sluice topics verify}: exits non-zero and prints every problem when the topics do not fit. */
  @Command(name = "verify", mixinStandardHelpOptions = true, defaultValueProvider = KeyDefaults.class,
      description = "Check that every topic exists and the stage topics share the layout's lane count; "
          + "exits 1 and prints the problems otherwise.")
  static final class Verify extends LayoutCommand {
    @Override
    int run(TopicAdmin admin, TopicLayout layout, PrintWriter out) {
      List<String> problems = admin.verify(layout);
      if (!problems.isEmpty()) return printProblems(problems);
      out.println("OK: " + layout.allTopics().size() + " topics match the layout (prefix "
          + layout.namespace() + ", " + layout.stages() + " stages, " + layout.lanes() + " lanes)");
      return 0;
    }
  }

  /** Which layout to expect (Kafka comes from {@link KafkaOptions}); each value also comes from SLUICE_* or the YAML file. */
  @Command(modelTransformer = KeyOptions.class)
  static final class LayoutOptions implements KeyDefaults.Keyed {
    static final ConfigKey<Integer> STAGES =
        ConfigKey.intKey("stages", TopicLayout.DEFAULT_STAGES, 1, 64, "number of pipeline stages");
    static final ConfigKey<Integer> LANES =
        ConfigKey.intKey("lanes", TopicLayout.DEFAULT_LANES, 1, 4096, "lanes = partitions of every stage topic");
    static final List<ConfigKey<?>> KEYS = List.of(STAGES, LANES);

    @Override
    public List<ConfigKey<?>> keys() {
      return KEYS;
    }

    TopicLayout layout(KafkaOptions kafka) {
      ConfigResolver resolver = kafka.resolver(KEYS);
      try {
        return TopicLayout.defaults()
            .withNamespace(kafka.namespace())
            .withStages(resolver.get(STAGES))
            .withLanes(resolver.get(LANES));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage());
      }
    }
  }

  /** The Kafka client properties, with shorter timeouts for a CLI. */
  private static Properties adminProperties(KafkaOptions kafka) {
    Properties props = kafka.clientProperties();
    props.putIfAbsent("default.api.timeout.ms", "15000");
    props.putIfAbsent("request.timeout.ms", "10000");
    return props;
  }
}
