package dev.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.ingress.auth.ApiKeys;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.results.testing.ScriptedLastStage;
import dev.sluice.schemas.ResultEvent;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * API keys over HTTP with {@link ScriptedLastStage} on the shared broker: keys are matched exactly,
 * and each key has its own requests-per-second and tokens-per-minute budget, answered 429 with
 * Retry-After when spent, while other keys go on.
 */
@ExtendWith(SharedKafkaExtension.class)
class ApiKeyLimitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** "big" prompts report 100 prompt tokens, more than their estimate: the key's minute is spent. */
  private static List<ResultEvent> script(ScriptedLastStage.Received r) {
    int prompt = r.request().getPrompt().toString().equals("big") ? 100 : 1;
    return ScriptedLastStage.completion(r.request().getRequestId().toString(), List.of("Once"), prompt, 0,
        r.request().getCreatedAtMs());
  }

  @Test
  void shouldMatchKeysExactlyWhateverTheirLength() {
    ApiKeys keys = new ApiKeys(Set.of("alpha-key", "b"));
    assertThat(keys.match("alpha-key")).isEqualTo("alpha-key");
    assertThat(keys.match("b")).isEqualTo("b");
    assertThat(keys.match("alpha-ke")).isNull();
    assertThat(keys.match("alpha-key ")).isNull();
    assertThat(keys.match("")).isNull();
    assertThat(new ApiKeys(Set.of()).required()).isFalse();
  }

  @Test
  void shouldAnswer429PerKeyOverItsRequestsPerSecondAndTokensPerMinute() throws Exception {
    String namespace = SharedKafkaExtension.uniquePrefix("keys");
    String bootstrap = SharedKafkaExtension.bootstrapServers();
    ScriptedLastStage.createTopics(bootstrap, namespace, 2); // a reply partition for each instance
    IngressSettings base = IngressSettings.forModel("stories260K").withHost("127.0.0.1").withPort(0)
        .withApiKeys(Set.of("key-a", "key-b"));
    try (ScriptedLastStage stage = new ScriptedLastStage(bootstrap, namespace, ApiKeyLimitsTest::script);
        IngressServer perSecond = IngressServer.start(base.withKeyLimits(0.5, 0), bootstrap, namespace, new PrometheusRegistry());
        IngressServer perMinute = IngressServer.start(base.withKeyLimits(0, 100), bootstrap, namespace, new PrometheusRegistry())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> perSecond.isReady() && perMinute.isReady());

      // one request every 2 s: a second one at once is refused, for key-a only, until the 2 s have passed
      assertThat(post(perSecond, "key-a", "Once").statusCode()).isEqualTo(200);
      assertThat(rateLimited(post(perSecond, "key-a", "Once"), 2).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
      assertThat(post(perSecond, "key-b", "Once").statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(200))
          .until(() -> post(perSecond, "key-a", "Once").statusCode() == 200);

      // 100 tokens per minute: a request that used 101 spends key-a's minute; key-b is untouched
      assertThat(post(perMinute, "key-a", "big").statusCode()).isEqualTo(200);
      assertThat(rateLimited(post(perMinute, "key-a", "Once"), 60).at("/error/message").asText())
          .contains("100 tokens per minute");
      assertThat(post(perMinute, "key-b", "Once").statusCode()).isEqualTo(200);
    }
  }

  /** Asserts a 429 whose Retry-After is 1 to {@code maxRetryAfterSeconds} s; returns its OpenAI error body. */
  private static JsonNode rateLimited(HttpResponse<String> response, int maxRetryAfterSeconds) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
    assertThat(Integer.parseInt(response.headers().firstValue("Retry-After").orElseThrow())).isBetween(1, maxRetryAfterSeconds);
    return JSON.readTree(response.body());
  }

  private static HttpResponse<String> post(IngressServer server, String key, String prompt) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/completions"))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"" + prompt + "\",\"max_tokens\":4}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
