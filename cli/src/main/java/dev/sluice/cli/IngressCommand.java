package dev.sluice.cli;

import dev.sluice.cli.config.ConfigException;
import dev.sluice.cli.config.ConfigKey;
import dev.sluice.cli.config.ConfigResolver;
import dev.sluice.embedded.ModelLocator;
import dev.sluice.ingress.IngressServer;
import dev.sluice.ingress.IngressSettings;
import dev.sluice.ingress.chat.ChatTemplates;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Run the OpenAI-compatible HTTP ingress. */
@Command(name = "ingress", mixinStandardHelpOptions = true, defaultValueProvider = KeyDefaults.class, modelTransformer = KeyOptions.class,
    description = "Run the OpenAI-compatible HTTP ingress until Ctrl-C.")
public final class IngressCommand implements Callable<Integer>, KeyDefaults.Keyed {
  static final ConfigKey<Integer> PORT = ConfigKey.intKey("port", IngressSettings.DEFAULT_PORT, 0, 65535, "HTTP port (0 = any free port)");
  static final ConfigKey<String> HOST = ConfigKey.stringKey("host", IngressSettings.DEFAULT_HOST, "interface to bind");
  static final ConfigKey<String> MODEL_NAME = ConfigKey.stringKey("model_name", ModelLocator.EMBEDDED_NAME, "served model name, as listed by /v1/models");
  static final ConfigKey<String> API_KEYS = new ConfigKey<>("api_keys", "", s -> s, s -> true,
      "comma-separated keys", "accepted 'Authorization: Bearer' keys; empty = no authentication");
  static final ConfigKey<Integer> MAX_IN_FLIGHT = ConfigKey.intKey("max_in_flight", IngressSettings.DEFAULT_MAX_IN_FLIGHT,
      1, 100_000, "requests waited on at once; one more gets 429");
  static final ConfigKey<Integer> MAX_BODY_BYTES = ConfigKey.intKey("max_body_bytes", (int) IngressSettings.DEFAULT_MAX_BODY_BYTES,
      1024, Integer.MAX_VALUE, "largest request body; larger gets 413");
  static final ConfigKey<Integer> REQUEST_TIMEOUT_MS = ConfigKey.intKey("request_timeout_ms",
      (int) IngressSettings.DEFAULT_REQUEST_TIMEOUT.toMillis(), 1, Integer.MAX_VALUE, "request deadline in ms; past it 504");
  static final ConfigKey<Integer> MAX_QUEUED_PER_STAGE = ConfigKey.intKey("max_queued_per_stage",
      (int) IngressSettings.DEFAULT_MAX_QUEUED_PER_STAGE, 1, Integer.MAX_VALUE,
      "records a stage may have waiting (its group's lag or its workers' queues); more and new requests get 429");
  static final ConfigKey<Integer> WORKER_FORGET_AFTER_MS = ConfigKey.intKey("worker_forget_after_ms",
      (int) IngressSettings.DEFAULT_WORKER_FORGET_AFTER.toMillis(), 1000, Integer.MAX_VALUE,
      "how long a worker whose heartbeats stopped stays listed by /workers (as stale)");
  static final ConfigKey<Double> REQUESTS_PER_SECOND_PER_KEY = new ConfigKey<>("requests_per_second_per_key", 0.0,
      Double::valueOf, v -> v >= 0 && !v.isInfinite(), "a number >= 0",
      "requests per second each API key may send; more get 429 with Retry-After (0 = no limit)");
  static final ConfigKey<Integer> TOKENS_PER_MINUTE_PER_KEY = ConfigKey.intKey("tokens_per_minute_per_key", 0, 0,
      Integer.MAX_VALUE, "tokens (prompt + completion) per minute each API key may use; more get 429 (0 = no limit)");
  static final ConfigKey<String> CHAT_TEMPLATE = ConfigKey.choiceKey("chat_template", "auto", ChatTemplates.CHOICES,
      "how chat messages become a prompt: auto = the model's own template when it has one, else plain");
  static final ConfigKey<String> MODEL = new ConfigKey<>("model", "", s -> s, s -> s.isEmpty() || ModelReferences.isReference(s),
      ModelReferences.DESCRIPTION, "the served model's folder or hub id, for its chat template (tokenizer_config.json)");

  static final List<ConfigKey<?>> KEYS = List.of(PORT, HOST, MODEL_NAME, API_KEYS, MAX_IN_FLIGHT, MAX_BODY_BYTES,
      REQUEST_TIMEOUT_MS, MAX_QUEUED_PER_STAGE, WORKER_FORGET_AFTER_MS, REQUESTS_PER_SECOND_PER_KEY,
      TOKENS_PER_MINUTE_PER_KEY, CHAT_TEMPLATE, MODEL);

  @Mixin KafkaOptions kafka;
  @Spec CommandSpec spec;

  @Option(names = "--api-key", paramLabel = "KEY", description = "Require 'Authorization: Bearer KEY' (repeatable).")
  List<String> apiKeys;

  @Override
  public List<ConfigKey<?>> keys() {
    return KEYS;
  }

  /** Every key but api_keys (its flag is the repeatable --api-key) and max_body_bytes (the YAML file's alone). */
  @Override
  public List<ConfigKey<?>> flags() {
    return List.of(PORT, HOST, MODEL_NAME, MAX_IN_FLIGHT, REQUEST_TIMEOUT_MS, MAX_QUEUED_PER_STAGE, WORKER_FORGET_AFTER_MS,
        REQUESTS_PER_SECOND_PER_KEY, TOKENS_PER_MINUTE_PER_KEY, CHAT_TEMPLATE, MODEL);
  }

  @Override
  public Integer call() throws InterruptedException {
    IngressSettings settings = settings();
    IngressServer server = IngressServer.start(settings, kafka.bootstrapServers(), kafka.namespace());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "sluice-ingress-stop"));
    var out = spec.commandLine().getOut();
    String url = "http://127.0.0.1:" + server.port();
    out.println("Sluice ingress on " + url + " (model " + settings.modelName() + ", Kafka " + kafka.bootstrapServers()
        + ", prefix " + kafka.namespace() + ")");
    out.println("  curl " + url + "/v1/completions -H 'Content-Type: application/json'"
        + (settings.apiKeys().isEmpty() ? "" : " -H 'Authorization: Bearer KEY'")
        + " -d '{\"model\":\"" + settings.modelName() + "\",\"prompt\":\"Once upon a time\",\"max_tokens\":32}'");
    out.flush();
    if (!server.awaitReady(Duration.ofSeconds(60))) {
      spec.commandLine().getErr().println("sluice: ingress not ready after 60 s (no results partition assigned yet?);"
          + " /health answers 503 until it is");
    }
    stopped.await();
    return 0;
  }

  IngressSettings settings() {
    ConfigResolver r = kafka.resolver(KEYS, apiKeys == null ? Map.of() : Map.of(API_KEYS.name(), String.join(",", apiKeys)));
    java.util.function.Consumer<String> log = LinePrinter.to(spec.commandLine().getOut());
    java.nio.file.Path modelDir = r.get(MODEL).isEmpty() ? null : ModelReferences.resolve(r.get(MODEL), log);
    Set<String> keys = Arrays.stream(r.get(API_KEYS).split(",")).map(String::trim).filter(k -> !k.isEmpty())
        .collect(Collectors.toSet());
    try {
      return new IngressSettings(r.get(HOST), r.get(PORT), r.get(MODEL_NAME), keys, r.get(MAX_IN_FLIGHT),
          r.get(MAX_BODY_BYTES), Duration.ofMillis(r.get(REQUEST_TIMEOUT_MS)), IngressSettings.DEFAULT_MAX_TOKENS,
          ChatTemplates.choose(r.get(CHAT_TEMPLATE), modelDir, log), dev.sluice.embedded.ModelSamplingDefaults.of(modelDir),
          kafka.clientOverrides(), r.get(MAX_QUEUED_PER_STAGE), Duration.ofMillis(r.get(WORKER_FORGET_AFTER_MS)),
          r.get(REQUESTS_PER_SECOND_PER_KEY), r.get(TOKENS_PER_MINUTE_PER_KEY));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }
}
